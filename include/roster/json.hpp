// roster/json.hpp — the catalog's reports as JSON (nlohmann/json). Optional:
// include it only where nlohmann/json is available (Debian: nlohmann-json3-dev;
// CMake: link nlohmann_json::nlohmann_json). The core of roster never includes
// it and does not depend on nlohmann/json.
//
// Gives, in namespace roster:
//   to_json(nlohmann::json&, const X&)  for lookup_counts, entry_report,
//                                       key_misses, registry_report,
//                                       registration_event, lifecycle and
//                                       change_kind, found by ADL, so that
//                                       `nlohmann::json j = report;` works;
//   roster::catalog_json(reports)       the whole document:
//                                       {"roster_version": "0.1.0", "registries": [...]};
//   roster::catalog_json()              the same for catalog::instance().snapshot().
//
//   nlohmann::json doc = roster::catalog_json();
//   std::string body = doc.dump(2);
//
// The shape of a registry (every member always present; keys of a JSON
// object are sorted, as nlohmann::json sorts them):
//
//   {"name": "codecs", "key_type": "std::string", "value_type": "...",
//    "created_at": {"file": "main.cpp", "line": 12, "function": "int main()"},
//    "state": "frozen",                          // "empty" | "populated" | "frozen"
//    "frozen_at": {"file": ..., "line": ..., "function": ...},   // or null
//    "entries": [{"key": "\"gzip\"", "where": {...}, "hits": 3}],
//    "lookups": {"hits": 3, "misses": 1},        // or null
//    "missed_keys": [{"key": "\"gzp\"", "misses": 1}],
//    "other_misses": 0}
//
// Guarantees
// - Every field of the report is in the JSON, under the report's member
//   name; nothing else is added. Optional fields are always present: `null`
//   means "not recorded" (frozen_at of a registry that is not frozen,
//   lookups of a registry without a counters:: policy, hits of an entry of
//   a registry not counted per key), so a counted 0 and "not counted" differ.
// - Keys are the report's key text verbatim (entry_report::key): string keys
//   keep the quotes and escapes roster's messages show ("\"gzip\""), so a
//   string key "42" and an integer key 42 stay distinct. (roster/prometheus.hpp
//   strips those quotes for its labels.)
// - Source locations are objects {"file", "line", "function"}; lifecycle and
//   change_kind are their to_string() names.
// - Counters are JSON unsigned integers (exact up to 2^64 - 1 for parsers
//   that keep 64-bit integers; JavaScript loses precision above 2^53).
// - Exception safety: strong (the output is only assigned when complete);
//   throws only what nlohmann::json and std::string throw (std::bad_alloc).
//
// Non-guarantees
// - Registry names, type names, file and function names are copied as they
//   are: when one may not be valid UTF-8, dump with
//   `doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)`
//   (the default handler throws nlohmann::json::type_error 316). Key text is
//   always valid UTF-8 for string keys (fmt escapes invalid bytes).
//
// Complexity: O(size of the reports).
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#if !defined(__has_include)
#    error "roster/json.hpp needs a compiler with __has_include (C++17 or later)."
#elif !__has_include(<nlohmann/json.hpp>)
#    error "roster/json.hpp needs nlohmann/json, which was not found: install it \
(Debian/Ubuntu: apt-get install nlohmann-json3-dev) and link nlohmann_json::nlohmann_json, \
or do not include roster/json.hpp."
#endif

#include "roster/catalog.hpp"
#include "roster/events.hpp"
#include "roster/source_location.hpp"
#include "roster/version.hpp"

#include <nlohmann/json.hpp> // nlohmann::json

#include <string>  // std::string, std::to_string: the version text
#include <utility> // std::move
#include <vector>  // std::vector: reports

ROSTER_BEGIN_NAMESPACE

namespace detail {

/// A source location as {"file": ..., "line": ..., "function": ...}.
inline nlohmann::json location_json(const source_location& where) {
    const char* file = where.file_name();
    const char* function = where.function_name();
    return nlohmann::json{{"file", file != nullptr ? file : ""},
                          {"line", where.line()},
                          {"function", function != nullptr ? function : ""}};
}

} // namespace detail

/// `j` = the name of `state`: "empty", "populated" or "frozen".
/// @param j     the JSON value to assign
/// @param state the lifecycle state to convert
/// Never throws beyond std::bad_alloc. O(1).
inline void to_json(nlohmann::json& j, lifecycle state) { j = to_string(state); }

/// `j` = the name of `kind`: "added", "removed", "changed" or "unchanged".
/// @param j    the JSON value to assign
/// @param kind the change kind to convert
/// Never throws beyond std::bad_alloc. O(1).
inline void to_json(nlohmann::json& j, change_kind kind) { j = to_string(kind); }

/// `j` = {"hits": n, "misses": m}.
/// @param j      the JSON value to assign
/// @param counts the lookup counts to convert
/// Never throws beyond std::bad_alloc. O(1).
inline void to_json(nlohmann::json& j, const lookup_counts& counts) {
    j = nlohmann::json{{"hits", counts.hits}, {"misses", counts.misses}};
}

/// `j` = {"key": text, "where": location, "hits": n or null}.
/// @param j     the JSON value to assign
/// @param entry the entry to convert; `hits` is null unless counted per key
/// Never throws beyond std::bad_alloc. O(length of the texts).
inline void to_json(nlohmann::json& j, const entry_report& entry) {
    nlohmann::json out{{"key", entry.key}, {"where", detail::location_json(entry.where)}, {"hits", nullptr}};
    if (entry.hits) out["hits"] = *entry.hits;
    j = std::move(out);
}

/// `j` = {"key": text, "misses": n}.
/// @param j      the JSON value to assign
/// @param missed a key that was looked up and not found, with its miss count
/// Never throws beyond std::bad_alloc. O(length of the key).
inline void to_json(nlohmann::json& j, const key_misses& missed) {
    j = nlohmann::json{{"key", missed.key}, {"misses", missed.misses}};
}

/// `j` = the whole report: name, key_type, value_type, created_at, state,
/// frozen_at (null unless frozen), entries (in the report's order: by key
/// text), lookups (null without a counters:: policy), missed_keys and
/// other_misses. See the header comment for the shape.
/// @param j      the JSON value to assign
/// @param report the registry report to convert
/// Strong exception guarantee (throws only std::bad_alloc). O(size of the report).
inline void to_json(nlohmann::json& j, const registry_report& report) {
    nlohmann::json out = nlohmann::json::object();
    out["name"] = report.name;
    out["key_type"] = report.key_type;
    out["value_type"] = report.value_type;
    out["created_at"] = detail::location_json(report.created_at);
    out["state"] = report.state;
    out["frozen_at"] = report.frozen_at ? detail::location_json(*report.frozen_at) : nlohmann::json(nullptr);
    out["entries"] = report.entries;
    out["lookups"] = report.lookups ? nlohmann::json(*report.lookups) : nlohmann::json(nullptr);
    out["missed_keys"] = report.missed_keys;
    out["other_misses"] = report.other_misses;
    j = std::move(out);
}

/// `j` = {"kind": "added" | "removed" | "changed", "registry": name,
/// "key": text, "where": location, "replayed": bool}.
/// @param j     the JSON value to assign
/// @param event a registration event, as catalog subscribers receive it
/// Never throws beyond std::bad_alloc. O(length of the texts).
inline void to_json(nlohmann::json& j, const registration_event& event) {
    j = nlohmann::json{{"kind", event.kind},
                       {"registry", event.registry},
                       {"key", event.key},
                       {"where", detail::location_json(event.where)},
                       {"replayed", event.replayed}};
}

/// A JSON document of `reports`: {"roster_version": "x.y.z",
/// "registries": [report, ...]} with the reports in the order given
/// (catalog::snapshot() sorts them by name).
/// @param reports the reports to export, e.g. catalog::instance().snapshot()
/// @returns the document; serve it with `.dump()`.
/// Strong exception guarantee (throws only std::bad_alloc). O(size of the reports).
inline nlohmann::json catalog_json(const std::vector<registry_report>& reports) {
    nlohmann::json doc = nlohmann::json::object();
    doc["roster_version"] = std::to_string(ROSTER_VERSION_MAJOR) + '.' + std::to_string(ROSTER_VERSION_MINOR) + '.' +
                            std::to_string(ROSTER_VERSION_PATCH);
    doc["registries"] = reports;
    return doc;
}

/// catalog_json() of catalog::instance().snapshot(): every listed registry,
/// sorted by name. Thread safe (see roster/catalog.hpp).
/// @returns the document; serve it with `.dump()`.
inline nlohmann::json catalog_json() { return catalog_json(catalog::instance().snapshot()); }

ROSTER_END_NAMESPACE // namespace roster
