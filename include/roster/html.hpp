// roster/html.hpp — the catalog's reports as one human-readable HTML page,
// for a /debug endpoint that a person opens in a browser. Needs nothing but
// roster (and so fmt).
//
// Gives:
//   roster::catalog_html(reports)   the page of `reports`;
//   roster::catalog_html()          the same for catalog::instance().snapshot();
//   roster::html_content_type       the Content-Type to serve it with.
//
//   std::string page = roster::catalog_html();   // every listed registry
//
// The page: a summary table (one row per registry: name, state, entries,
// hits, misses, where it was created), then one section per registry: its
// key and value types, where it was created and, when frozen, where; its
// lookups; a table of its entries (key, where it was added, hits when counted
// per key); and, for counters::per_key, the keys looked up and not found.
// Clicking a column header sorts that table (again: the other way); the
// sorted column is kept in the address (#sort=<table>.<column>.<asc|desc>),
// so a sorted view can be reloaded and shared.
//
// Guarantees
// - One self-contained HTML5 document, UTF-8: an inline <style> and one
//   inline <script>, no other resource of any kind (no src= attribute, no
//   link, font, image or url()); the only links are to its own sections. A
//   Content-Security-Policy <meta> tells the browser to load nothing else.
// - Works without JavaScript: every fact is in the markup, registries sorted
//   by name (whatever the order given), entries and missed keys in the
//   report's order (by key text). The script only adds sorting.
// - Everything from the reports is escaped: `&`, `<`, `>`, `"` and `'` as
//   character references, in text and in attributes. A name (registry, file,
//   function, type) is shown as it is when it is valid UTF-8 without a
//   backslash, a control character (NUL included), a noncharacter or a
//   code point that roster's messages show escaped (invisible and
//   bidirectional controls); otherwise quoted and escaped as roster's
//   messages show it ("\xff", "a\u{202e}b": it then always holds a
//   backslash, so two distinct names never read alike). Key text (already
//   quoted and escaped by the report for string keys: "\"gzip\"") is shown
//   as it is under the same conditions, a backslash allowed. So the page is
//   always valid UTF-8, holds no character that HTML forbids, and no input
//   can add markup to it.
// - Deterministic: the same reports give the same bytes (no time stamp, no
//   address, no random identifier).
// - Exception safety: strong; throws only std::bad_alloc.
//
// Non-guarantees
// - Counters read from a live catalog are exact only once concurrent lookups
//   are done (see roster/catalog.hpp); each registry's report is one
//   consistent state, the page is not one instant of the whole process.
// - The markup (element names, classes, ids) may change between versions:
//   scripts should read roster/json.hpp's JSON, not scrape this page.
// - Sorting compares text with the browser's collation (numbers inside text
//   in numeric order: "main.cpp:9" before "main.cpp:10"), so a sorted view
//   may order keys differently from the markup's byte order.
//
// Complexity: O(size of the reports + n log n) for n registries.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include "roster/catalog.hpp"
#include "roster/detail/messages.hpp" // detail::decode_utf8, detail::shown_escaped, detail::quoted, detail::plural
#include "roster/report.hpp"
#include "roster/source_location.hpp"
#include "roster/version.hpp" // ROSTER_VERSION_MAJOR, _MINOR, _PATCH

#include <algorithm>   // std::stable_sort: registries by name
#include <cstddef>     // std::size_t
#include <cstdint>     // std::uint32_t, std::uint64_t
#include <string>      // std::string: the page
#include <string_view> // std::string_view
#include <type_traits> // std::is_same_v
#include <vector>      // std::vector: reports

ROSTER_BEGIN_NAMESPACE

/// The Content-Type of catalog_html()'s output.
inline constexpr std::string_view html_content_type = "text/html; charset=utf-8";

namespace detail::html {

// The helpers below are templates (`template <class = void>`) only so that
// including this header compiles none of their bodies until the page is built.

/// Whether `cp` is a Unicode noncharacter (U+FDD0..U+FDEF, U+xxFFFE,
/// U+xxFFFF), which HTML forbids in its input stream.
template <class = void>
bool noncharacter(std::uint32_t cp) noexcept {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEu) == 0xFFFEu;
}

/// Whether `text` can be shown as it is: not empty, valid UTF-8, without C0
/// control characters or DEL, without noncharacters, without the code points
/// roster's messages show escaped (detail::shown_escaped: C1 controls,
/// invisible and bidirectional controls), and, unless `backslash_allowed`,
/// without a backslash.
template <class = void>
bool shown_as_is(std::string_view text, bool backslash_allowed) noexcept {
    if (text.empty()) return false;
    while (!text.empty()) {
        const utf8_sequence seq = decode_utf8(text);
        if (seq.length == 0 || seq.code_point < 0x20 || seq.code_point == 0x7F || shown_escaped(seq.code_point) ||
            noncharacter(seq.code_point) || (!backslash_allowed && seq.code_point == '\\'))
            return false;
        text.remove_prefix(seq.length);
    }
    return true;
}

/// Appends `text` (valid UTF-8) with `&`, `<`, `>`, `"` and `'` as character
/// references: safe in element text and in double- or single-quoted
/// attribute values.
template <class = void>
void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c; break;
        }
    }
}

/// Appends `text` quoted and escaped as roster's messages show it
/// (detail::append_quoted), with the noncharacters it keeps also escaped
/// as `\u{H...}` (HTML forbids them), then HTML-escaped.
template <class = void>
void append_quoted_text(std::string& out, std::string_view text) {
    const std::string quoted_text = quoted(text); // valid UTF-8
    std::string_view rest = quoted_text;
    std::string shown;
    shown.reserve(rest.size());
    while (!rest.empty()) {
        const utf8_sequence seq = decode_utf8(rest);
        const std::size_t length = seq.length == 0 ? 1 : seq.length; // 0 cannot happen: quoted() is valid UTF-8
        if (seq.length != 0 && noncharacter(seq.code_point)) {
            append_code_point_escape(shown, seq.code_point);
        } else {
            shown.append(rest.substr(0, length));
        }
        rest.remove_prefix(length);
    }
    append_escaped(out, shown);
}

/// Appends a name (registry, file, function, type): as it is when
/// shown_as_is() without a backslash, else quoted (always with a backslash
/// then, so distinct names never read alike); HTML-escaped either way.
template <class = void>
void append_name(std::string& out, std::string_view name) {
    if (shown_as_is(name, false)) append_escaped(out, name);
    else append_quoted_text(out, name);
}

/// Appends a key's report text (entry_report::key: string keys come quoted
/// and escaped): as it is when shown_as_is() (backslashes allowed), else
/// quoted; HTML-escaped either way.
template <class = void>
void append_key(std::string& out, std::string_view key) {
    if (shown_as_is(key, true)) append_escaped(out, key);
    else append_quoted_text(out, key);
}

/// Appends `value` in decimal.
template <class = void>
void append_number(std::string& out, std::uint64_t value) { out += std::to_string(value); }

/// Appends `<{tag} class="where" title="in FUNCTION">FILE:LINE</{tag}>`
/// (the title only when the function is known).
template <class = void>
void append_where(std::string& out, std::string_view tag, const source_location& where) {
    const char* file = where.file_name();
    const char* function = where.function_name();
    out += '<';
    out += tag;
    out += " class=\"where\"";
    if (function != nullptr && *function != '\0') {
        out += " title=\"in ";
        append_name(out, function);
        out += '"';
    }
    out += '>';
    append_name(out, file != nullptr ? file : "");
    out += ':';
    append_number(out, where.line());
    out += "</";
    out += tag;
    out += '>';
}

/// Appends a badge for `state`: `<span class="state state-frozen">frozen</span>`.
template <class = void>
void append_state(std::string& out, lifecycle state) {
    out += "<span class=\"state state-";
    out += to_string(state);
    out += "\">";
    out += to_string(state);
    out += "</span>";
}

/// Appends a numeric cell: the count, or "—" (sorted as -1) when it was not
/// counted; `why` is the tooltip of such a cell.
template <class = void>
void append_count_cell(std::string& out, const std::uint64_t* count, std::string_view why) {
    if (count != nullptr) {
        out += "<td class=\"num\">";
        append_number(out, *count);
    } else {
        out += "<td class=\"num na\" data-v=\"-1\" title=\"";
        out += why;
        out += "\">\xE2\x80\x94"; // U+2014 EM DASH
    }
    out += "</td>";
}

/// The page's style sheet (inline: the page loads nothing).
inline constexpr char style_text[] = R"css(:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--head:#f6f8fa;--accent:#0969da;--frozen:#0550ae;--frozen-bg:#ddf4ff;--populated:#1a7f37;--populated-bg:#dafbe1;--empty:#59636e;--empty-bg:#eff2f5}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--head:#151b23;--accent:#4493f8;--frozen:#79c0ff;--frozen-bg:#0c2d6b;--populated:#56d364;--populated-bg:#033a16;--empty:#9198a1;--empty-bg:#212830}}
*{box-sizing:border-box}
body{margin:0;padding:1.25rem 2rem 2rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.4rem;margin:0 0 .2rem}
h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
h3{font-size:.95rem;margin:.8rem 0 .2rem}
p{margin:.2rem 0}
.meta,caption,.na,dt{color:var(--muted)}
section.registry{border-top:1px solid var(--line);margin-top:1.2rem}
table{border-collapse:collapse;margin:.3rem 0 .8rem}
caption{text-align:left;caption-side:top;padding:.15rem 0;white-space:nowrap}
th,td{border:1px solid var(--line);padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
code,.key,.where,.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.92em}
.where{color:var(--muted);overflow-wrap:anywhere}
.key{overflow-wrap:anywhere}
.state{display:inline-block;font-size:.78rem;font-weight:600;line-height:1.5;padding:0 .5rem;border-radius:1rem;vertical-align:middle}
.state-frozen{color:var(--frozen);background:var(--frozen-bg)}
.state-populated{color:var(--populated);background:var(--populated-bg)}
.state-empty{color:var(--empty);background:var(--empty-bg)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0 .5rem}
dd{margin:0}
a{color:var(--accent)}
html[data-sortable] th{cursor:pointer;user-select:none}
html[data-sortable] th::after{content:"\2195";color:var(--muted);margin-left:.35rem;font-size:.85em}
html[data-sortable] th[aria-sort=ascending]::after{content:"\25B2";color:var(--fg)}
html[data-sortable] th[aria-sort=descending]::after{content:"\25BC";color:var(--fg)}
th:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
)css";
/// style_text as a view. (Sized by the array: a view built from the pointer
/// alone would count its thousands of characters at compile time.)
inline constexpr std::string_view style{style_text, sizeof style_text - 1};

/// The page's script (inline: the page loads nothing). Makes every
/// table.sortable sortable by clicking (or Enter / Space on) a column
/// header: text columns first ascending, numeric ones (th.num) first
/// descending, then the other way; cells sort by their data-v attribute when
/// they have one, else by their text. Keeps the sort in the address
/// (`#sort=TABLE-ID.COLUMN.asc` or `.desc`) and applies such an address on
/// load. Marks the document `<html data-sortable="ready">` when done.
inline constexpr char script_text[] = R"js((function () {
  "use strict";
  function value(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell ? cell.getAttribute("data-v") : null;
    if (v === null) v = cell ? cell.textContent : "";
    return numeric ? Number(v) : v;
  }
  function sortTable(table, col, dir) {
    var head = table.tHead ? table.tHead.rows[0] : null;
    var body = table.tBodies[0];
    if (!head || !body || col < 0 || col >= head.cells.length) return false;
    var numeric = head.cells[col].classList.contains("num");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, col, numeric), y = value(b, col, numeric);
      var c = numeric ? x - y : x.localeCompare(y, undefined, { numeric: true });
      return dir === "descending" ? -c : c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(head.cells, function (th, i) {
      if (i === col) th.setAttribute("aria-sort", dir);
      else th.removeAttribute("aria-sort");
    });
    return true;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var head = table.tHead ? table.tHead.rows[0] : null;
    if (!head) return;
    Array.prototype.forEach.call(head.cells, function (th, col) {
      function activate() {
        var now = th.getAttribute("aria-sort");
        var dir = now === "ascending" ? "descending" : now === "descending" ? "ascending"
                : th.classList.contains("num") ? "descending" : "ascending";
        if (sortTable(table, col, dir) && window.history && history.replaceState)
          history.replaceState(null, "", "#sort=" + table.id + "." + col + "." + (dir === "ascending" ? "asc" : "desc"));
      }
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", activate);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); }
      });
    });
  });
  var m = /^#sort=([A-Za-z0-9-]+)\.([0-9]+)\.(asc|desc)$/.exec(location.hash);
  var target = m ? document.getElementById(m[1]) : null;
  if (target && target.classList.contains("sortable"))
    sortTable(target, Number(m[2]), m[3] === "desc" ? "descending" : "ascending");
  document.documentElement.setAttribute("data-sortable", "ready");
})();
)js";
/// script_text as a view (sized by the array, as style is).
inline constexpr std::string_view script{script_text, sizeof script_text - 1};

/// Appends the section of one registry (`index`: its place in the page, for ids).
template <class = void>
void append_registry(std::string& out, const registry_report& report, std::size_t index) {
    const std::string id = std::to_string(index);
    const bool per_key = counted_per_key(report);

    out += "<section class=\"registry\" id=\"registry-";
    out += id;
    out += "\">\n<h2><span class=\"name\">";
    append_name(out, report.name);
    out += "</span> ";
    append_state(out, report.state);
    out += "</h2>\n<dl>\n<dt>Key type</dt><dd><code>";
    append_name(out, report.key_type);
    out += "</code></dd>\n<dt>Value type</dt><dd><code>";
    append_name(out, report.value_type);
    out += "</code></dd>\n<dt>Created at</dt><dd>";
    append_where(out, "span", report.created_at);
    out += "</dd>\n";
    if (report.frozen_at) {
        out += "<dt>Frozen at</dt><dd>";
        append_where(out, "span", *report.frozen_at);
        out += "</dd>\n";
    }
    out += "<dt>Lookups</dt><dd>";
    if (report.lookups) {
        append_number(out, report.lookups->hits);
        out += report.lookups->hits == 1 ? " hit, " : " hits, ";
        append_number(out, report.lookups->misses);
        out += report.lookups->misses == 1 ? " miss" : " misses";
    } else {
        out += "<span class=\"na\">not counted (no counters:: policy)</span>";
    }
    out += "</dd>\n";
    if (report.other_misses != 0) {
        out += "<dt>Untracked misses</dt><dd>";
        append_number(out, report.other_misses);
        out += " (of keys beyond the missed keys tracked by name)</dd>\n";
    }
    out += "</dl>\n";

    if (report.entries.empty()) {
        out += "<p class=\"na\">No entries.</p>\n";
    } else {
        out += "<table class=\"sortable entries\" id=\"entries-";
        out += id;
        out += "\">\n<caption>";
        append_number(out, report.entries.size());
        out += " entr";
        out += report.entries.size() == 1 ? "y" : "ies";
        out += "</caption>\n<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Added at</th>";
        if (per_key) out += "<th scope=\"col\" class=\"num\">Hits</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const entry_report& entry : report.entries) {
            out += "<tr><td class=\"key\">";
            append_key(out, entry.key);
            out += "</td>";
            append_where(out, "td", entry.where);
            if (per_key) append_count_cell(out, entry.hits ? &*entry.hits : nullptr, "not counted");
            out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
    }

    if (per_key) {
        if (report.missed_keys.empty()) {
            out += "<p class=\"na\">No key was looked up and not found.</p>\n";
        } else {
            out += "<table class=\"sortable misses\" id=\"misses-";
            out += id;
            out += "\">\n<caption>";
            append_number(out, report.missed_keys.size());
            out += " missed key";
            out += plural(report.missed_keys.size());
            out += "</caption>\n<thead><tr><th scope=\"col\">Key</th>"
                   "<th scope=\"col\" class=\"num\">Misses</th></tr></thead>\n<tbody>\n";
            for (const key_misses& missed : report.missed_keys) {
                out += "<tr><td class=\"key\">";
                append_key(out, missed.key);
                out += "</td><td class=\"num\">";
                append_number(out, missed.misses);
                out += "</td></tr>\n";
            }
            out += "</tbody>\n</table>\n";
        }
    }
    out += "</section>\n";
}

} // namespace detail::html

/// One self-contained HTML5 page of `reports`: a summary table and one
/// section per registry, sorted by name, with sortable tables. See the
/// header comment for its content and guarantees (everything from the
/// reports escaped; valid UTF-8; nothing loaded from elsewhere; works
/// without JavaScript; deterministic).
/// @param reports the reports to show, e.g. catalog::instance().snapshot()
/// @returns the page; serve it with Content-Type roster::html_content_type.
/// Strong exception guarantee (throws only std::bad_alloc).
/// O(size of the reports + n log n) for n reports. Thread safe: reads only
/// `reports`.
/// (A template, with std::vector<registry_report> its one use, so that
/// including this header compiles none of the page until it is called.)
template <class Reports = std::vector<registry_report>>
    requires std::is_same_v<Reports, std::vector<registry_report>>
std::string catalog_html(const Reports& reports) {
    namespace page = detail::html;

    std::vector<typename Reports::const_pointer> sorted; // const registry_report*
    sorted.reserve(reports.size());
    std::size_t entries = 0;
    for (const registry_report& report : reports) {
        sorted.push_back(&report);
        entries += report.entries.size();
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const registry_report* a, const registry_report* b) { return a->name < b->name; });

    const std::string version = std::to_string(ROSTER_VERSION_MAJOR) + '.' + std::to_string(ROSTER_VERSION_MINOR) +
                                '.' + std::to_string(ROSTER_VERSION_PATCH);
    const std::string registries =
        std::to_string(sorted.size()) + " registr" + (sorted.size() == 1 ? "y" : "ies");

    std::string out;
    out.reserve(8192 + 512 * entries);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
           "<meta name=\"generator\" content=\"roster ";
    out += version;
    out += "\">\n<title>roster: ";
    out += registries;
    out += "</title>\n<style>\n";
    out += page::style;
    out += "</style>\n</head>\n<body>\n<header>\n<h1>Registries</h1>\n<p class=\"meta\">";
    out += registries;
    out += ", ";
    page::append_number(out, entries);
    out += entries == 1 ? " entry" : " entries";
    out += " \xC2\xB7 roster "; // U+00B7 MIDDLE DOT
    out += version;
    out += "</p>\n</header>\n<main>\n";

    if (sorted.empty()) {
        out += "<p class=\"na\">No registry is listed (listing::listed).</p>\n";
    } else {
        out += "<table class=\"sortable summary\" id=\"summary\">\n<caption>Every listed registry, by name"
               "</caption>\n<thead><tr><th scope=\"col\">Registry</th><th scope=\"col\">State</th>"
               "<th scope=\"col\" class=\"num\">Entries</th><th scope=\"col\" class=\"num\">Hits</th>"
               "<th scope=\"col\" class=\"num\">Misses</th><th scope=\"col\">Created at</th></tr></thead>\n<tbody>\n";
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            const registry_report& report = *sorted[i];
            out += "<tr><td><a class=\"name\" href=\"#registry-";
            page::append_number(out, i);
            out += "\">";
            page::append_name(out, report.name);
            out += "</a></td><td>";
            page::append_state(out, report.state);
            out += "</td><td class=\"num\">";
            page::append_number(out, report.entries.size());
            out += "</td>";
            page::append_count_cell(out, report.lookups ? &report.lookups->hits : nullptr, "no counters:: policy");
            page::append_count_cell(out, report.lookups ? &report.lookups->misses : nullptr, "no counters:: policy");
            page::append_where(out, "td", report.created_at);
            out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        for (std::size_t i = 0; i < sorted.size(); ++i) page::append_registry(out, *sorted[i], i);
    }

    out += "</main>\n<script>\n";
    out += page::script;
    out += "</script>\n</body>\n</html>\n";
    return out;
}

/// catalog_html() of catalog::instance().snapshot(): every listed registry,
/// sorted by name. Thread safe (see roster/catalog.hpp).
/// @returns the page; serve it with Content-Type roster::html_content_type.
/// Strong exception guarantee (throws only std::bad_alloc).
/// @tparam Catalog roster::catalog; a parameter only so that the catalog
///         class is instantiated where this is called, not by the header.
template <class Catalog = catalog>
std::string catalog_html() {
    return catalog_html(Catalog::instance().snapshot());
}

ROSTER_END_NAMESPACE // namespace roster
