// Tests for roster/html.hpp: the catalog's reports as one HTML page. Every
// page is checked by markup_problem() below, a strict checker of the subset
// of HTML the page is written in (whose own tests come first: it must reject
// malformed markup, or its approval would mean nothing). The page is also
// loaded in a real headless browser by ctest `example.diagnostics_browser`
// (examples/diagnostics/browser.sh). Every listed registry here has a name no
// other test uses (the catalog refuses two live listed registries with one
// name).
#include "support/catch.hpp"

#include "roster/html.hpp"
#include "roster/counters.hpp"

#include "roster/catalog.hpp"
#include "roster/detail/messages.hpp" // detail::decode_utf8: the checker's UTF-8 decoding
#include "roster/registry.hpp"
#include "roster/version.hpp"

#include <cstddef>     // std::size_t
#include <cstdint>     // std::uint32_t, std::uint64_t
#include <optional>    // std::optional
#include <string>      // std::string, std::to_string
#include <string_view> // std::string_view
#include <utility>     // std::move
#include <vector>      // std::vector

namespace {

using per_key_registry = roster::registry<int, roster::listing::listed, roster::counters::per_key>;
using per_registry_registry = roster::registry<int, roster::listing::listed, roster::counters::per_registry>;
using uncounted_registry = roster::registry<int, roster::listing::listed>;

/// A source location in a file whose name holds `<script>`, quotes, an
/// ampersand and the invalid byte 0xff (defined at the end of this file,
/// under a #line directive).
roster::source_location hostile_location();

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/// The character references the page may use.
std::optional<std::size_t> reference_length(std::string_view at) {
    for (const std::string_view ref : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"}) {
        if (at.substr(0, ref.size()) == ref) return ref.size();
    }
    return std::nullopt;
}

/// The first problem of `page` as an HTML5 document written in the subset
/// catalog_html() uses, or "" when there is none. Checks: valid UTF-8 without
/// control characters (line feed aside), C1 controls or noncharacters; the
/// doctype first; tags with lower-case names and double-quoted attribute
/// values free of `"` and `<`; every element but the void ones closed, in
/// order; no `<` or `>` in text; `&` only in the five references above;
/// exactly one <html>, <head>, <body>, <style> and <script>; <script> and
/// <style> raw text free of `</`.
std::string markup_problem(std::string_view page) {
    // Characters.
    for (std::string_view rest = page; !rest.empty();) {
        const roster::detail::utf8_sequence seq = roster::detail::decode_utf8(rest);
        const std::size_t at = page.size() - rest.size();
        if (seq.length == 0) return "invalid UTF-8 at byte " + std::to_string(at);
        const std::uint32_t cp = seq.code_point;
        if ((cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
            return "control character U+" + std::to_string(cp) + " at byte " + std::to_string(at);
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEu) == 0xFFFEu) return "noncharacter at byte " + std::to_string(at);
        rest.remove_prefix(seq.length);
    }
    const std::string_view doctype = "<!DOCTYPE html>\n";
    if (page.substr(0, doctype.size()) != doctype) return "no <!DOCTYPE html> first";

    std::vector<std::string> open;
    int html = 0, head = 0, body = 0, style = 0, script = 0;
    std::size_t i = doctype.size();
    while (i < page.size()) {
        const char c = page[i];
        if (c == '>') return "'>' in text at byte " + std::to_string(i);
        if (c == '&') {
            const std::optional<std::size_t> length = reference_length(page.substr(i));
            if (!length) return "'&' that starts no known reference at byte " + std::to_string(i);
            i += *length;
            continue;
        }
        if (c != '<') {
            ++i;
            continue;
        }
        const std::size_t tag_start = i++;
        const bool closing = i < page.size() && page[i] == '/';
        if (closing) ++i;
        std::string name;
        while (i < page.size() && is_lower_or_digit(page[i])) name += page[i++];
        if (name.empty()) return "'<' that starts no tag at byte " + std::to_string(tag_start);
        if (closing) {
            if (i >= page.size() || page[i] != '>') return "malformed </" + name + " at byte " + std::to_string(tag_start);
            ++i;
            if (open.empty() || open.back() != name)
                return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : "<" + open.back() + ">") +
                       " at byte " + std::to_string(tag_start);
            open.pop_back();
            continue;
        }
        // Attributes: name or name="value".
        for (;;) {
            if (i >= page.size()) return "unterminated <" + name;
            if (page[i] == '>') {
                ++i;
                break;
            }
            if (page[i] != ' ') return "unexpected character in <" + name + " at byte " + std::to_string(i);
            ++i;
            std::string attribute;
            while (i < page.size() && (is_lower_or_digit(page[i]) || page[i] == '-')) attribute += page[i++];
            if (attribute.empty()) return "empty attribute name in <" + name + " at byte " + std::to_string(i);
            if (i < page.size() && page[i] == '=') {
                if (++i >= page.size() || page[i] != '"') return "unquoted attribute value at byte " + std::to_string(i);
                ++i;
                while (i < page.size() && page[i] != '"') {
                    if (page[i] == '<') return "'<' in an attribute value at byte " + std::to_string(i);
                    if (page[i] == '&') {
                        const std::optional<std::size_t> length = reference_length(page.substr(i));
                        if (!length) return "'&' that starts no known reference at byte " + std::to_string(i);
                        i += *length;
                        continue;
                    }
                    ++i;
                }
                if (i >= page.size()) return "unterminated attribute value in <" + name;
                ++i;
            }
        }
        html += name == "html";
        head += name == "head";
        body += name == "body";
        if (name == "meta" || name == "br" || name == "hr" || name == "img" || name == "input" || name == "link")
            continue; // void elements
        if (name == "script" || name == "style") {
            (name == "script" ? script : style) += 1;
            const std::string end = "</" + name + ">";
            const std::size_t close = page.find(end, i);
            if (close == std::string_view::npos) return "<" + name + "> is never closed";
            if (page.substr(i, close - i).find("</") != std::string_view::npos)
                return "\"</\" inside <" + name + ">";
            i = close + end.size();
            continue;
        }
        open.push_back(name);
    }
    if (!open.empty()) return "<" + open.back() + "> is never closed";
    if (html != 1 || head != 1 || body != 1) return "not exactly one <html>, <head> and <body>";
    if (style != 1 || script != 1) return "not exactly one <style> and one <script>";
    return {};
}

/// The text a reader sees: tags, <style> and <script> removed, character
/// references decoded.
std::string text_of(std::string_view page) {
    std::string out;
    std::size_t i = 0;
    while (i < page.size()) {
        if (page.substr(i, 7) == "<script" || page.substr(i, 6) == "<style") {
            const std::string_view end = page.substr(i, 7) == "<script" ? "</script>" : "</style>";
            const std::size_t close = page.find(end, i);
            i = close == std::string_view::npos ? page.size() : close + end.size();
            continue;
        }
        if (page[i] == '<') {
            const std::size_t close = page.find('>', i);
            i = close == std::string_view::npos ? page.size() : close + 1;
            continue;
        }
        if (page[i] == '&') {
            static constexpr std::pair<std::string_view, char> refs[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
            bool decoded = false;
            for (const auto& [ref, ch] : refs) {
                if (page.substr(i, ref.size()) == ref) {
                    out += ch;
                    i += ref.size();
                    decoded = true;
                    break;
                }
            }
            if (decoded) continue;
        }
        out += page[i++];
    }
    return out;
}

/// How many times `needle` occurs in `haystack`.
std::size_t count(std::string_view haystack, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

/// "file:line" as the page shows a plain file name.
std::string where_text(const roster::source_location& where) {
    return std::string(where.file_name()) + ":" + std::to_string(where.line());
}

/// A hand-made report (for inputs no live registry produces).
roster::registry_report report_named(std::string name) {
    roster::registry_report r;
    r.name = std::move(name);
    r.key_type = "std::string";
    r.value_type = "int";
    return r;
}

/// The section of the registry at `index` (the page's sections are in name order).
std::string_view section(std::string_view page, std::size_t index) {
    const std::string open = "<section class=\"registry\" id=\"registry-" + std::to_string(index) + "\">";
    const std::size_t start = page.find(open);
    if (start == std::string_view::npos) return {};
    const std::size_t end = page.find("</section>", start);
    return page.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

} // namespace

// ===========================================================================
// The checker the other tests rely on
// ===========================================================================

TEST_CASE("markup_problem: accepts a small page in the subset catalog_html writes", "[html]") {
    const std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>t</title>\n"
                             "<style>\np{color:red}\n</style>\n</head>\n<body>\n<p class=\"a\" title=\"&quot;x&#39;\">"
                             "a &amp; b &lt;c&gt; \xE2\x80\x94</p>\n<script>\nif (1 < 2) x = \"<b>\";\n</script>\n"
                             "</body>\n</html>\n";
    CHECK(markup_problem(page).empty());
    CHECK(text_of(page).find("a & b <c>") != std::string::npos);
}

TEST_CASE("markup_problem: rejects broken markup, unescaped text, stray references and bad characters", "[html]") {
    const std::string head = "<!DOCTYPE html>\n<html>\n<head>\n<style></style>\n</head>\n<body>\n";
    const std::string tail = "\n<script></script>\n</body>\n</html>\n";
    const std::vector<std::string> bad = {
        "<p>a < b</p>",                          // '<' in text
        "<p>a > b</p>",                          // '>' in text
        "<p>fish & chips</p>",                   // bare '&'
        "<p>&nbsp;</p>",                         // a reference the page never writes
        "<p>x</b>",                              // mismatched close
        "<p><td>x</td>",                         // never closed
        "<p title=\"a<b\">x</p>",                // '<' in an attribute
        "<p title=x>x</p>",                      // unquoted attribute
        "<p title=\"a\"b\">x</p>",               // '"' ends the value early
        "<p>\xff</p>",                           // invalid UTF-8
        std::string("<p>a\0b</p>", 10),          // NUL
        "<p>\xC2\x85</p>",                       // C1 control U+0085
        "<p>\xEF\xBF\xBE</p>",                   // noncharacter U+FFFE
        "<script>alert(1)</script>",             // a second script
        "<p></p><style>x</style>",               // a second style
        "<script>\"</script>\"</script>",        // "</" inside the script
    };
    for (const std::string& body : bad) {
        INFO(body);
        CHECK_FALSE(markup_problem(head + body + tail).empty());
    }
    CHECK(markup_problem(head + "<p>fine</p>" + tail).empty());
    CHECK_FALSE(markup_problem("<html></html>").empty()); // no doctype
}

// ===========================================================================
// The page
// ===========================================================================

TEST_CASE("catalog_html: is one HTML5 document with its charset, an inline style sheet and one inline script",
          "[html]") {
    per_key_registry reg{"html.structure"};
    reg.add("gzip", 1);
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{reg.report()});

    INFO(page);
    CHECK(markup_problem(page).empty());
    CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) == 0);
    CHECK(contains(page, "<title>roster: 1 registry</title>"));
    CHECK(count(page, "<style>") == 1);
    CHECK(count(page, "<script>") == 1);
    CHECK(contains(page, "data-sortable")); // the script marks the page when it has run
    CHECK(contains(page, "<table class=\"sortable summary\" id=\"summary\">"));
    CHECK(contains(page, "<section class=\"registry\" id=\"registry-0\">"));
    CHECK(contains(page, "<a class=\"name\" href=\"#registry-0\">html.structure</a>"));
    const std::string version = std::to_string(ROSTER_VERSION_MAJOR) + "." + std::to_string(ROSTER_VERSION_MINOR) +
                                "." + std::to_string(ROSTER_VERSION_PATCH);
    CHECK(contains(page, "<meta name=\"generator\" content=\"roster " + version + "\">"));
    CHECK((page.size() >= 8 && page.substr(page.size() - 8) == "</html>\n"));
}

TEST_CASE("catalog_html: shows every registry sorted by name, whatever the order given", "[html]") {
    std::vector<roster::registry_report> reports{report_named("charlie"), report_named("alpha"), report_named("bravo")};
    const std::string page = roster::catalog_html(reports);
    INFO(page);
    CHECK(markup_problem(page).empty());

    const std::string text = text_of(page);
    const std::size_t a = text.find("alpha"), b = text.find("bravo"), c = text.find("charlie");
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    REQUIRE(c != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(contains(section(page, 0), ">alpha<"));
    CHECK(contains(section(page, 1), ">bravo<"));
    CHECK(contains(section(page, 2), ">charlie<"));
    CHECK(contains(text, "3 registries, 0 entries"));
}

TEST_CASE("catalog_html: shows each registry's types, state, where it was created and every entry with where it "
          "was added",
          "[html]") {
    uncounted_registry reg{"html.entries"};
    reg.add("lz4", 2);
    reg.add("gzip", 1);
    const roster::registry_report report = reg.report();
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{report});
    INFO(page);
    CHECK(markup_problem(page).empty());

    const std::string_view s = section(page, 0);
    REQUIRE_FALSE(s.empty());
    const std::string text = text_of(s);
    CHECK(contains(text, "Key type" + report.key_type));
    CHECK(contains(text, "Value type" + report.value_type));
    CHECK(contains(text, "Created at" + where_text(reg.created_at())));
    CHECK(contains(s, "<span class=\"state state-populated\">populated</span>"));
    CHECK(contains(text, "2 entries"));
    REQUIRE(report.entries.size() == 2);
    // In the report's order (by key text), each with the file:line it was added at.
    const std::string gzip = "\"gzip\"" + where_text(report.entries[0].where);
    const std::string lz4 = "\"lz4\"" + where_text(report.entries[1].where);
    REQUIRE(contains(text, gzip));
    REQUIRE(contains(text, lz4));
    CHECK(text.find(gzip) < text.find(lz4));
    // The function is the location's tooltip.
    CHECK(contains(s, "title=\"in " + std::string(report.entries[0].where.function_name()) + "\""));
    CHECK_FALSE(contains(s, "Frozen at"));
}

TEST_CASE("catalog_html: an empty registry says it has no entries", "[html]") {
    uncounted_registry reg{"html.empty"};
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{reg.report()});
    CHECK(markup_problem(page).empty());
    CHECK(contains(section(page, 0), "<span class=\"state state-empty\">empty</span>"));
    CHECK(contains(section(page, 0), "No entries."));
    CHECK_FALSE(contains(section(page, 0), "<table"));
}

TEST_CASE("catalog_html: a frozen registry is shown frozen, with where it was frozen", "[html]") {
    uncounted_registry reg{"html.frozen"};
    reg.add("gzip", 1);
    reg.freeze();
    const roster::registry_report report = reg.report();
    REQUIRE(report.frozen_at.has_value());
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{report});
    INFO(page);
    CHECK(markup_problem(page).empty());
    CHECK(contains(page, "<td><span class=\"state state-frozen\">frozen</span></td>")); // the summary
    const std::string_view s = section(page, 0);
    CHECK(contains(s, "<span class=\"state state-frozen\">frozen</span>"));
    CHECK(contains(text_of(s), "Frozen at" + where_text(*report.frozen_at)));
}

TEST_CASE("catalog_html: shows hits and misses where a counters:: policy counts them, and says where none does",
          "[html]") {
    per_registry_registry counted{"html.counted"};
    counted.add("a", 1);
    CHECK(counted.get("a"));
    CHECK(counted.get("a"));
    CHECK_FALSE(counted.get("b"));
    uncounted_registry uncounted{"html.uncounted"};
    uncounted.add("a", 1);
    CHECK(uncounted.get("a"));

    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{counted.report(), uncounted.report()});
    INFO(page);
    CHECK(markup_problem(page).empty());
    // The summary: entries, hits, misses; a dash sorted as -1 where nothing is counted.
    CHECK(contains(page, ">html.counted</a></td><td><span class=\"state state-populated\">populated</span></td>"
                         "<td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num\">1</td>"));
    CHECK(contains(page, ">html.uncounted</a></td><td><span class=\"state state-populated\">populated</span></td>"
                         "<td class=\"num\">1</td><td class=\"num na\" data-v=\"-1\" title=\"no counters:: policy\">"
                         "\xE2\x80\x94</td><td class=\"num na\" data-v=\"-1\" title=\"no counters:: policy\">"
                         "\xE2\x80\x94</td>"));
    CHECK(contains(text_of(section(page, 0)), "Lookups2 hits, 1 miss"));
    CHECK(contains(text_of(section(page, 1)), "Lookupsnot counted (no counters:: policy)"));
    // Counted per registry: no per-key columns.
    CHECK_FALSE(contains(section(page, 0), ">Hits</th>"));
    CHECK_FALSE(contains(section(page, 0), "missed key"));
}

TEST_CASE("catalog_html: counters::per_key adds each entry's hits and a table of the keys missed", "[html]") {
    per_key_registry reg{"html.per_key"};
    reg.add("gzip", 1);
    reg.add("lz4", 2);
    for (int i = 0; i < 3; ++i) CHECK(reg.get("gzip"));
    CHECK_FALSE(reg.get("zstd"));
    CHECK_FALSE(reg.get("zstd"));
    CHECK_FALSE(reg.get("brotli"));
    const roster::registry_report report = reg.report();
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{report});
    INFO(page);
    CHECK(markup_problem(page).empty());

    const std::string_view s = section(page, 0);
    CHECK(contains(s, "<th scope=\"col\" class=\"num\">Hits</th>"));
    CHECK(contains(s, "<td class=\"key\">&quot;gzip&quot;</td><td class=\"where\" title=\"in "));
    CHECK(contains(s, "</td><td class=\"num\">3</td></tr>\n<tr><td class=\"key\">&quot;lz4&quot;</td>"));
    CHECK(contains(s, "</td><td class=\"num\">0</td></tr>\n</tbody>"));
    CHECK(contains(s, "<table class=\"sortable misses\" id=\"misses-0\">"));
    CHECK(contains(text_of(s), "2 missed keys"));
    CHECK(contains(s, "<tr><td class=\"key\">&quot;brotli&quot;</td><td class=\"num\">1</td></tr>\n"
                      "<tr><td class=\"key\">&quot;zstd&quot;</td><td class=\"num\">2</td></tr>"));
    CHECK(contains(text_of(s), "Lookups3 hits, 3 misses"));
    CHECK_FALSE(contains(s, "Untracked misses"));

    roster::registry_report beyond = report;
    beyond.other_misses = 7;
    CHECK(contains(text_of(roster::catalog_html(std::vector<roster::registry_report>{beyond})), "Untracked misses7"));
}

TEST_CASE("catalog_html: hostile registry names, keys and file names are shown as text, never as markup", "[html]") {
    const std::string name = "</td></tr></table><script>alert(\"name\")</script><img src=x onerror='x'>&amp;";
    roster::registry_report r = report_named(name);
    r.key_type = "<key type>";
    r.value_type = "\"value\" & 'type'";
    r.created_at = hostile_location();
    r.state = roster::lifecycle::frozen;
    r.frozen_at = hostile_location();
    r.entries.push_back(roster::entry_report{roster::detail::describe_key(std::string("<script>alert('key')</script>")),
                                             hostile_location(), 1});
    r.entries.push_back(roster::entry_report{"\"a\\\"b\" onmouseover=\"x\"", hostile_location(), 2});
    r.missed_keys.push_back(roster::key_misses{"\"</tbody>\"", 3});
    r.lookups = roster::lookup_counts{3, 3};
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{r});
    INFO(page);

    CHECK(markup_problem(page).empty()); // in particular: one <script>, every tag closed in order
    CHECK(count(page, "<script") == 1);
    CHECK_FALSE(contains(page, "<img"));
    CHECK(contains(page, "&lt;img src=x onerror=&#39;x&#39;&gt;&amp;amp;")); // text, not a tag
    const std::string text = text_of(page);
    CHECK(count(text, name) == 2); // the summary and the section's heading, each exactly as given
    CHECK(contains(text, "<key type>"));
    CHECK(contains(text, "\"value\" & 'type'"));
    CHECK(contains(text, "\"<script>alert('key')</script>\""));
    CHECK(contains(text, "\"a\\\"b\" onmouseover=\"x\""));
    CHECK(contains(text, "\"</tbody>\""));
    // The file name holds the invalid byte 0xff: quoted and escaped, as roster's messages show it.
    CHECK(contains(text, "\"evil<script>\\\"&'\\xff.cpp\":7"));
    CHECK(contains(page, "&quot;evil&lt;script&gt;\\&quot;&amp;&#39;\\xff.cpp&quot;:7"));
}

TEST_CASE("catalog_html: invalid UTF-8, NUL, control and invisible characters are shown escaped, keeping the page "
          "valid UTF-8",
          "[html]") {
    const std::vector<std::string> names = {
        std::string("nul\0byte", 8),      // NUL
        "bad\xff",                        // invalid byte
        "cut\xE2\x82",                    // truncated sequence
        "over\xC0\xAF",                   // overlong '/'
        "line\nfeed\ttab",                // C0 controls
        "c1\xC2\x85",                     // U+0085, a C1 control
        "rlo\xE2\x80\xAE" "txt",          // U+202E RIGHT-TO-LEFT OVERRIDE
        "non\xEF\xBF\xBE",                // U+FFFE, a noncharacter
        "",                               // empty
    };
    std::vector<roster::registry_report> reports;
    for (const std::string& n : names) {
        roster::registry_report r = report_named(n);
        r.entries.push_back(roster::entry_report{n, roster::source_location{}, std::nullopt}); // raw bytes as key text
        reports.push_back(std::move(r));
    }
    const std::string page = roster::catalog_html(reports);
    INFO(page);
    CHECK(markup_problem(page).empty());

    const std::string text = text_of(page);
    for (const std::string_view shown : {"\"nul\\x00byte\"", "\"bad\\xff\"", "\"cut\\xe2\\x82\"", "\"over\\xc0\\xaf\"",
                                         "\"line\\nfeed\\ttab\"", "\"c1\\u{85}\"", "\"rlo\\u{202e}txt\"",
                                         "\"non\\u{fffe}\""}) {
        INFO(shown);
        CHECK(count(text, shown) >= 3); // the summary, the heading, the key
    }
    CHECK(contains(page, "<a class=\"name\" href=\"#registry-0\">&quot;&quot;</a>")); // the empty name sorts first
}

TEST_CASE("catalog_html: names that differ only in bytes it escapes still read differently", "[html]") {
    // "\xff" (one invalid byte) and "\\xff" (a backslash and three letters);
    // "\xc2\x85" (U+0085) and "\x85" (an invalid byte).
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{
        report_named("\xff"), report_named("\\xff"), report_named("\xC2\x85"), report_named("\x85")});
    CHECK(markup_problem(page).empty());
    const std::string text = text_of(page);
    CHECK(contains(text, "\"\\xff\""));
    CHECK(contains(text, "\"\\\\xff\""));
    CHECK(contains(text, "\"\\u{85}\""));
    CHECK(contains(text, "\"\\x85\""));
    // Key text keeps the report's escapes as they are: the string key "\xff" (escaped by the report) and
    // the key text \xff of some other key type (a backslash is allowed in key text) differ by their quotes.
    roster::registry_report r = report_named("keys");
    r.entries.push_back(roster::entry_report{roster::detail::describe_key(std::string("\xff")), {}, std::nullopt});
    r.entries.push_back(roster::entry_report{"\\xff", {}, std::nullopt});
    const std::string keys = roster::catalog_html(std::vector<roster::registry_report>{r});
    CHECK(markup_problem(keys).empty());
    CHECK(contains(keys, "<td class=\"key\">&quot;\\xff&quot;</td>"));
    CHECK(contains(keys, "<td class=\"key\">\\xff</td>"));
}

TEST_CASE("catalog_html: the page refers to nothing outside itself", "[html]") {
    per_key_registry reg{"html.self_contained"};
    reg.add("http://example.com/x.js", 1);
    reg.add("url(http://example.com/x.png)", 2);
    roster::registry_report hostile = report_named("<link rel=\"stylesheet\" href=\"http://example.com/x.css\">");
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{reg.report(), hostile});
    INFO(page);
    CHECK(markup_problem(page).empty());
    CHECK_FALSE(contains(page, "src="));
    CHECK_FALSE(contains(page, "<link"));
    CHECK_FALSE(contains(page, "<img"));
    CHECK_FALSE(contains(page, "<iframe"));
    CHECK_FALSE(contains(page, "@import"));
    CHECK_FALSE(contains(page, "@font-face"));
    CHECK_FALSE(contains(page, "href=\"http"));
    CHECK_FALSE(contains(page, "href=\"//"));
    // Every href is a fragment of the page itself, and every url( is text of a key, not CSS.
    for (std::size_t at = page.find("href=\""); at != std::string::npos; at = page.find("href=\"", at + 1))
        CHECK(page.compare(at, 7, "href=\"#") == 0);
    CHECK(count(page, "url(") == 1);
    CHECK(contains(page, "<td class=\"key\">&quot;url(http://example.com/x.png)&quot;</td>"));
    CHECK(contains(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
}

TEST_CASE("catalog_html: the same reports always give the same bytes", "[html]") {
    per_key_registry b{"html.deterministic.b"};
    per_key_registry a{"html.deterministic.a"};
    a.add("x", 1);
    b.add("y", 2);
    CHECK(a.get("x"));
    CHECK_FALSE(b.get("z"));
    const std::vector<roster::registry_report> reports{b.report(), a.report()};
    const std::string first = roster::catalog_html(reports);
    CHECK(roster::catalog_html(reports) == first);
    CHECK(roster::catalog_html(std::vector<roster::registry_report>{a.report(), b.report()}) == first); // order given
    CHECK(roster::catalog_html() == roster::catalog_html()); // the live catalog, with no lookups in between
}

TEST_CASE("catalog_html: without arguments it shows every listed registry", "[html]") {
    per_registry_registry second{"html.catalog.second"};
    per_registry_registry first{"html.catalog.first"};
    second.add("k", 1);
    CHECK(second.get("k"));
    const std::string page = roster::catalog_html();
    INFO(page);
    CHECK(markup_problem(page).empty());
    const std::string text = text_of(page);
    const std::size_t at_first = text.find("html.catalog.first");
    const std::size_t at_second = text.find("html.catalog.second");
    REQUIRE(at_first != std::string::npos);
    REQUIRE(at_second != std::string::npos);
    CHECK(at_first < at_second);
    CHECK(contains(page, ">html.catalog.second</a></td><td><span class=\"state state-populated\">populated</span>"
                         "</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td>"));
}

TEST_CASE("catalog_html: no reports give a page that says no registry is listed", "[html]") {
    const std::string page = roster::catalog_html(std::vector<roster::registry_report>{});
    CHECK(markup_problem(page).empty());
    CHECK(contains(page, "<title>roster: 0 registries</title>"));
    CHECK(contains(page, "No registry is listed"));
    CHECK_FALSE(contains(page, "<table"));
}

TEST_CASE("html_content_type: is text/html in UTF-8", "[html]") {
    CHECK(roster::html_content_type == "text/html; charset=utf-8");
}

// Last in the file: everything after this directive is reported in a file
// with a hostile name.
namespace {
#line 7 "evil<script>\"&'\xff.cpp"
roster::source_location hostile_location() { return roster::source_location::current(); }
} // namespace
