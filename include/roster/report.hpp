// roster/report.hpp — a registry as plain data: what report() returns, the
// catalog lists and the exporters (roster/json.hpp, roster/prometheus.hpp)
// write.
//
// Gives:
//   roster::lifecycle        empty | populated | frozen, and to_string();
//   roster::lookup_counts    hits and misses of a registry with a counters:: policy;
//   roster::entry_report     one entry: its key as text, where it was added, its hits;
//   roster::key_misses       misses of one key that was looked up but never registered;
//   roster::registry_report  one registry: name, types, state, entries, counters.
//
// Guarantees: plain aggregates, regular and copyable; no behaviour, no
// locks, no dependency on any registry. A report describes one consistent
// state of its registry (the registry takes it under its read lock).
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/source_location.hpp" // roster::source_location

#include <cstdint>  // std::uint64_t: counters
#include <optional> // std::optional: optional fields
#include <string>   // std::string: names and keys as text
#include <vector>   // std::vector: entries

ROSTER_BEGIN_NAMESPACE

/// Where a registry is in its life: empty → populated → frozen.
enum class lifecycle {
    empty,     ///< no entries, mutations allowed
    populated, ///< at least one entry, mutations allowed
    frozen,    ///< freeze() was called: read-only for good, reads are lock-free
};

/// "empty", "populated" or "frozen".
constexpr const char* to_string(lifecycle state) noexcept {
    switch (state) {
    case lifecycle::empty: return "empty";
    case lifecycle::populated: return "populated";
    case lifecycle::frozen: return "frozen";
    }
    return "unknown";
}

/// Lookups counted by a registry with a counters:: policy. A hit found the
/// key, a miss did not.
struct lookup_counts {
    std::uint64_t hits = 0;   ///< lookups that found their key
    std::uint64_t misses = 0; ///< lookups that did not
};

/// One entry of a registry_report.
struct entry_report {
    /// The key as text: formatted with fmt when formattable (strings quoted),
    /// else the key type's name.
    std::string key;
    /// Where the entry was added.
    source_location where;
    /// Lookups that found this entry (counters::per_key only).
    std::optional<std::uint64_t> hits;
};

/// Misses of one key that was looked up but not registered (counters::per_key).
struct key_misses {
    std::string key;         ///< the key looked up, as text
    std::uint64_t misses{0}; ///< how many lookups missed it
};

/// One registry, as plain data (what registry.report() and the catalog return).
struct registry_report {
    std::string name;           ///< the registry's name
    std::string key_type;       ///< the key type's name
    std::string value_type;     ///< the value type's name
    source_location created_at; ///< where the registry was constructed
    /// Where the registry was in its life: empty, populated or frozen.
    lifecycle state = lifecycle::empty;
    std::optional<source_location> frozen_at; ///< where freeze() was first called
    /// Every entry, sorted by key text.
    std::vector<entry_report> entries;
    /// Hits and misses of the whole registry: set when it has a counters::
    /// policy other than counters::none.
    std::optional<lookup_counts> lookups;
    /// counters::per_key: misses by key looked up, sorted by key text; at most
    /// 256 distinct keys, later ones counted in other_misses.
    std::vector<key_misses> missed_keys;
    /// counters::per_key: misses of keys beyond the first 256 distinct ones.
    std::uint64_t other_misses = 0;
};

ROSTER_END_NAMESPACE // namespace roster
