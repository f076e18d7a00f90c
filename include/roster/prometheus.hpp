// roster/prometheus.hpp — the catalog's counters in the Prometheus text
// exposition format (version 0.0.4), for a /metrics endpoint. Needs nothing
// but roster (and so fmt).
//
// Gives:
//   roster::to_prometheus(reports)      the exposition of `reports`;
//   roster::to_prometheus()             the same for catalog::instance().snapshot();
//   roster::prometheus_content_type     the Content-Type to serve it with.
//
//   std::string body = roster::to_prometheus();   // every listed registry
//
// Families (each with one `# HELP` and one `# TYPE` line, its samples right
// after them; a family with no sample is left out):
//
//   roster_lookups_total{registry, outcome="hit"|"miss"}          counter
//       lookups of every registry with a counters:: policy (report.lookups);
//   roster_key_lookups_total{registry, key, outcome="hit"|"miss"} counter
//       counters::per_key: hits of every registered key (entry_report::hits,
//       0 included) and misses of every missed key that was tracked
//       (registry_report::missed_keys);
//   roster_untracked_key_misses_total{registry}                   counter
//       counters::per_key: misses of keys beyond the 256 distinct missed keys
//       that are tracked by name (registry_report::other_misses); a separate
//       family rather than a reserved key label, so that it can never collide
//       with a real key;
//   roster_registry_entries{registry}                             gauge
//       the number of entries, for every registry;
//   roster_registry_frozen{registry}                              gauge
//       1 when the registry is frozen, else 0, for every registry.
//
//   # HELP roster_lookups_total Lookups in a roster registry with a counters:: policy, by outcome.
//   # TYPE roster_lookups_total counter
//   roster_lookups_total{registry="codecs",outcome="hit"} 4
//   roster_lookups_total{registry="codecs",outcome="miss"} 2
//
// Guarantees
// - The output is valid text exposition format 0.0.4: metric and label names
//   are fixed; label values are valid UTF-8 with backslash, double quote and
//   line feed escaped as `\\`, `\"` and `\n`; every line ends with a line
//   feed; no two samples of a family have the same labels (keys whose label
//   text coincides — keys of a type fmt cannot print, all shown as
//   `<key of type T>` — are summed into one sample; a registry given twice
//   keeps its first report).
// - Labels tell names apart: a registry name, and a string key, is shown as
//   its own text when that is valid UTF-8 without a backslash (the report's
//   `"gzip"` is the label key="gzip"); otherwise as roster's messages show
//   it: quoted, with invalid bytes as \xHH and the backslash as \\ (so
//   registries named "\xff" and "\xfe", and the keys "\x85" and "\xc2\x85",
//   get distinct labels, and a label with a backslash is always an escaped
//   one). Other keys (integers, enums, ...) keep their report text.
// - Registries are exported in the order given (catalog::snapshot() sorts
//   them by name); per-key samples are sorted by key label.
// - Exception safety: strong; throws only std::bad_alloc.
//
// Non-guarantees
// - Counters read from a live catalog are exact only once concurrent lookups
//   are done (see roster/catalog.hpp); each registry's report is one
//   consistent state, the whole exposition is not one instant.
// - A key type whose own fmt formatter prints text in double quotes is
//   unquoted like a string key.
// - Values above 2^53 lose precision in parsers that read them as doubles
//   (as Prometheus does).
//
// Complexity: O(size of the reports + k log k) for k per-key samples.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include "roster/catalog.hpp"
#include "roster/detail/maybe.hpp" // detail::maybe: unquoted keys

#include <cstddef>          // std::size_t
#include <cstdint>          // std::uint32_t, std::uint64_t
#include <initializer_list> // std::initializer_list: label lists
#include <algorithm>        // std::sort, std::find_if: per-key samples, names already exported
#include <string>           // std::string: the exposition
#include <string_view>      // std::string_view
#include <utility>          // std::pair, std::exchange, std::move
#include <vector>           // std::vector: reports

ROSTER_BEGIN_NAMESPACE

/// The Content-Type of to_prometheus()'s output (text exposition format 0.0.4).
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

namespace detail::prometheus {

// The helpers below are templates (`template <class = void>`) only so that
// including this header compiles none of their bodies until the exporter is built.

/// Appends `cp` to `out` as UTF-8.
template <class = void>
void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Appends `value` as the inside of a label value: valid UTF-8 (invalid bytes
/// replaced by U+FFFD), with `\`, `"` and line feed escaped.
template <class = void>
void append_label_value(std::string& out, std::string_view value) {
    while (!value.empty()) {
        const std::size_t length = decode_utf8(value).length;
        if (length == 0) {
            out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
            value.remove_prefix(1);
            continue;
        }
        switch (value.front()) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out.append(value.substr(0, length)); break;
        }
        value.remove_prefix(length);
    }
}

/// The value of the hex digits `digits`, or nothing.
template <class = void>
maybe<std::uint32_t> parse_hex(std::string_view digits) noexcept {
    std::uint32_t value = 0;
    for (const char c : digits) {
        value <<= 4;
        if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
        else return {};
    }
    return value;
}

/// The string that roster's quoting (detail::append_quoted: what messages
/// and reports show for string keys) turned into `text`, or nothing
/// when `text` is not such a quoted string.
template <class = void>
maybe<std::string> unquote(std::string_view text) {
    if (text.size() < 2 || text.front() != '"' || text.back() != '"') return {};
    const std::string_view inner = text.substr(1, text.size() - 2);
    std::string out;
    out.reserve(inner.size());
    for (std::size_t i = 0; i < inner.size(); ++i) {
        const char c = inner[i];
        if (c == '"') return {}; // an unescaped quote: not one quoted string
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i == inner.size()) return {};
        switch (inner[i]) {
        case 'n': out += '\n'; continue;
        case 'r': out += '\r'; continue;
        case 't': out += '\t'; continue;
        case '"':
        case '\\': out += inner[i]; continue;
        case 'x': { // one byte
            if (inner.size() - i - 1 < 2) return {};
            const maybe<std::uint32_t> byte = parse_hex(inner.substr(i + 1, 2));
            if (!byte) return {};
            out += static_cast<char>(*byte);
            i += 2;
            continue;
        }
        case 'u': { // \u{H...}: one code point
            const std::size_t close = inner.find('}', i);
            if (i + 1 >= inner.size() || inner[i + 1] != '{' || close == std::string_view::npos || close - i - 2 == 0 ||
                close - i - 2 > 6)
                return {};
            const maybe<std::uint32_t> cp = parse_hex(inner.substr(i + 2, close - i - 2));
            if (!cp || (*cp >= 0xD800 && *cp <= 0xDFFF) || *cp > 0x10FFFF) return {};
            append_utf8(out, *cp);
            i = close;
            continue;
        }
        default: return {};
        }
    }
    return out;
}

/// Whether `text` is valid UTF-8 without a backslash: shown as it is in a label.
template <class = void>
bool plain_label(std::string_view text) noexcept {
    while (!text.empty()) {
        const std::size_t length = decode_utf8(text).length;
        if (length == 0 || text.front() == '\\') return false;
        text.remove_prefix(length);
    }
    return true;
}

/// The label text of a name: the name itself when plain_label(), else the name
/// quoted and escaped as roster's messages show it (which always holds a
/// backslash, so it cannot be mistaken for a plain name: the labels of
/// distinct names differ).
template <class = void>
std::string name_label(std::string_view name) {
    return plain_label(name) ? std::string(name) : detail::quoted(name);
}

/// The label text of a key given as report text (see the header comment):
/// a string key's own text when plain_label(), else its report text.
template <class = void>
std::string key_label(std::string_view report_text) {
    if (maybe<std::string> plain = unquote(report_text); plain && plain_label(*plain)) return std::move(*plain);
    return std::string(report_text);
}

/// Appends `# HELP` and `# TYPE` lines.
template <class = void>
void append_family_header(std::string& out, std::string_view name, std::string_view help,
                                 std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

/// Appends one sample line: `name{label="value",...} number`.
template <class = void>
void append_sample(std::string& out, std::string_view name,
                          std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
                          std::uint64_t value) {
    out += name;
    char separator = '{';
    for (const auto& [label, text] : labels) {
        out += separator;
        out += label;
        out += "=\"";
        append_label_value(out, text);
        out += '"';
        separator = ',';
    }
    if (separator == ',') out += '}';
    out += ' ';
    char digits[20]; // 2^64 - 1 has 20 digits; written from the end
    char* first = digits + sizeof digits;
    do {
        *--first = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    out.append(first, digits + sizeof digits);
    out += '\n';
}

/// One per-key sample: a key's label and its count.
struct sample {
    std::string label;
    std::uint64_t count;
};

/// Per-key samples of one family, summed by sum_by_label().
using samples = std::vector<sample>;

/// Sorts `list` by label and merges equal labels, adding their counts (two
/// keys can share a label once escaped).
template <class = void>
void sum_by_label(samples& list) {
    std::sort(list.begin(), list.end(), [](const sample& a, const sample& b) { return a.label < b.label; });
    auto kept = list.begin(); // one past the last kept sample
    for (auto it = list.begin(); it != list.end(); ++it) {
        if (kept != list.begin() && (kept - 1)->label == it->label) {
            (kept - 1)->count += it->count;
            continue;
        }
        if (kept != it) *kept = std::move(*it);
        ++kept;
    }
    list.erase(kept, list.end());
}

} // namespace detail::prometheus

/// The Prometheus text exposition (format 0.0.4) of `reports`: the families
/// roster_lookups_total, roster_key_lookups_total,
/// roster_untracked_key_misses_total (counters) and roster_registry_entries,
/// roster_registry_frozen (gauges). See the header comment for their labels
/// and guarantees.
/// @param reports the reports to export, e.g. catalog::instance().snapshot()
/// @returns the exposition, one line per HELP, TYPE and sample, each ending
///          with a line feed; empty when `reports` is empty. Serve it with
///          Content-Type roster::prometheus_content_type.
/// Strong exception guarantee (throws only std::bad_alloc).
/// O(size of the reports + k log k) for k per-key samples.
/// (A template, with std::vector<registry_report> its one use, so that
/// including this header compiles none of the exporter until it is called.)
template <class Reports = std::vector<registry_report>>
    requires std::is_same_v<Reports, std::vector<registry_report>>
std::string to_prometheus(const Reports& reports) {
    namespace prom = detail::prometheus;

    // Each report with its registry label (prom::name_label: distinct names
    // give distinct labels). A label given twice keeps its first report: no
    // duplicate series.
    struct exported {
        const registry_report* report;
        std::string registry;
    };
    std::vector<exported> unique;
    for (const registry_report& report : reports) {
        std::string label = prom::name_label(report.name);
        const bool seen = std::find_if(unique.begin(), unique.end(), [&](const exported& kept) {
                              return kept.registry == label;
                          }) != unique.end();
        if (!seen) unique.push_back(exported{&report, std::move(label)});
    }

    std::string out;

    // roster_lookups_total
    bool header = false;
    for (const auto& [report, registry] : unique) {
        if (!report->lookups) continue;
        if (!std::exchange(header, true))
            prom::append_family_header(out, "roster_lookups_total",
                                       "Lookups in a roster registry with a counters:: policy, by outcome.",
                                       "counter");
        prom::append_sample(out, "roster_lookups_total", {{"registry", registry}, {"outcome", "hit"}},
                            report->lookups->hits);
        prom::append_sample(out, "roster_lookups_total", {{"registry", registry}, {"outcome", "miss"}},
                            report->lookups->misses);
    }

    // roster_key_lookups_total
    header = false;
    for (const auto& [report, registry] : unique) {
        prom::samples hits;
        prom::samples misses;
        for (const entry_report& entry : report->entries) {
            if (entry.hits) hits.push_back(prom::sample{prom::key_label(entry.key), *entry.hits});
        }
        for (const key_misses& missed : report->missed_keys) misses.push_back(prom::sample{prom::key_label(missed.key), missed.misses});
        prom::sum_by_label(hits);
        prom::sum_by_label(misses);
        if (hits.empty() && misses.empty()) continue;
        if (!std::exchange(header, true))
            prom::append_family_header(out, "roster_key_lookups_total",
                                       "Lookups in a roster registry counted per key, by key and outcome "
                                       "(hits by registered key, misses by key looked up).",
                                       "counter");
        for (const auto& [key, count] : hits)
            prom::append_sample(out, "roster_key_lookups_total",
                                {{"registry", registry}, {"key", key}, {"outcome", "hit"}}, count);
        for (const auto& [key, count] : misses)
            prom::append_sample(out, "roster_key_lookups_total",
                                {{"registry", registry}, {"key", key}, {"outcome", "miss"}}, count);
    }

    // roster_untracked_key_misses_total
    header = false;
    for (const auto& [report, registry] : unique) {
        if (!detail::counted_per_key(*report)) continue;
        if (!std::exchange(header, true))
            prom::append_family_header(out, "roster_untracked_key_misses_total",
                                       "Misses in a roster registry counted per key, of keys beyond the "
                                       "distinct missed keys it tracks by name.",
                                       "counter");
        prom::append_sample(out, "roster_untracked_key_misses_total", {{"registry", registry}},
                            report->other_misses);
    }

    // roster_registry_entries, roster_registry_frozen
    if (!unique.empty()) {
        prom::append_family_header(out, "roster_registry_entries", "Entries in a roster registry.", "gauge");
        for (const auto& [report, registry] : unique)
            prom::append_sample(out, "roster_registry_entries", {{"registry", registry}},
                                report->entries.size());
        prom::append_family_header(out, "roster_registry_frozen",
                                   "Whether a roster registry is frozen (1) or still mutable (0).", "gauge");
        for (const auto& [report, registry] : unique)
            prom::append_sample(out, "roster_registry_frozen", {{"registry", registry}},
                                report->state == lifecycle::frozen ? std::uint64_t{1} : std::uint64_t{0});
    }
    return out;
}

/// to_prometheus() of catalog::instance().snapshot(): every listed registry,
/// sorted by name. Thread safe (see roster/catalog.hpp).
/// @returns the exposition; empty when no registry is listed.
/// @tparam Catalog roster::catalog; a parameter only so that the catalog
///         class is instantiated where this is called, not by the header.
template <class Catalog = catalog>
std::string to_prometheus() {
    return to_prometheus(Catalog::instance().snapshot());
}

ROSTER_END_NAMESPACE // namespace roster
