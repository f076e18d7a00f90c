// roster/policy/counters.hpp — whether a registry counts its lookups.
//
// Gives: the counters:: policies none (default) | per_registry | per_key.
// The counting machinery itself is in roster/counters.hpp: include it to use
// per_registry or per_key (a registry that names one without it fails with a
// static_assert saying so). counters::none compiles no counting code at all.
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   using state = ...;       // in the registry: hit(), miss(key), totals(), fill(report)
//   using entry_state = ...; // in each entry: bump(), load() (or nothing)
//   static constexpr bool counted;   // whether lookups() exists
//   static constexpr bool per_entry; // whether entries carry hit counts (report's entry hits)
//
// Counted lookups are the ones that use a value: get, visit, at/try_at, and
// the lookups of the shapes built on the core (factory create, versioned
// get/at/latest/negotiate, scoped get/try_get). contains(), location(),
// names() and for_each() are not counted.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/policy/protocol.hpp" // policy_category
#include "roster/report.hpp"          // registry_report

#include <atomic>  // std::atomic<std::uint64_t>: a per-entry counter
#include <cstdint> // std::uint64_t

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// The hit counter of an entry (counters::per_key). The count lives in an
/// allocation of its own, off the entry's cache line: readers of a key bump
/// it without writing the line that every reader of that key reads (its
/// key, value and site), so that line stays shared between their caches.
/// Copyable so entries stay copyable: a copy has its own counter, starting
/// from the value copied. Construction and copying may throw std::bad_alloc.
class entry_hits {
public:
    entry_hits() : count_(new std::atomic<std::uint64_t>(0)) {}
    entry_hits(const entry_hits& other) : count_(new std::atomic<std::uint64_t>(other.load())) {}
    entry_hits& operator=(const entry_hits& other) noexcept {
        count_->store(other.load(), std::memory_order_relaxed);
        return *this;
    }
    ~entry_hits() { delete count_; }

    /// Counts one hit.
    void bump() const noexcept { count_->fetch_add(1, std::memory_order_relaxed); }
    /// The hits so far.
    std::uint64_t load() const noexcept { return count_->load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t>* count_; // never null: owned, never moved out
};

/// Nothing in an entry (no per-key counting).
struct no_entry_hits {
    void bump() const noexcept {}
};

/// No counters at all (counters::none).
class no_lookup_counters {
public:
    void hit() const noexcept {}
    template <class LookupKey>
    void miss(const LookupKey&) const noexcept {}
    void fill(registry_report&) const noexcept {}
};

/// Striped hit and miss totals, plus (PerKey) the table of missed keys.
/// Defined in roster/counters.hpp.
template <bool PerKey>
class lookup_counters;

} // namespace detail

namespace counters {
/// No counting: the read path has no trace of counters. The default.
struct none {
    /// Names the family: a counters:: policy.
    using roster_policy_category = policy_category::counters;
    /// What the registry holds for counting: nothing (every hook is an
    /// empty inline function).
    using state = detail::no_lookup_counters;
    /// What each entry holds: nothing.
    using entry_state = detail::no_entry_hits;
    /// false: the registry has no lookups() member.
    static constexpr bool counted = false;
    /// false: report() gives no per-entry hit counts.
    static constexpr bool per_entry = false;
};
/// Hits and misses of the whole registry, counted in per-thread stripes on
/// separate cache lines (one relaxed atomic add per lookup, on a line no
/// other reader writes while at most 16 threads read). 1 KiB per registry.
/// Needs roster/counters.hpp.
struct per_registry {
    /// Names the family: a counters:: policy.
    using roster_policy_category = policy_category::counters;
    /// What the registry holds for counting: the striped hit and miss
    /// totals (defined in roster/counters.hpp).
    using state = detail::lookup_counters<false>;
    /// What each entry holds: nothing.
    using entry_state = detail::no_entry_hits;
    /// true: the registry's lookups() gives the totals.
    static constexpr bool counted = true;
    /// false: report() gives no per-entry hit counts.
    static constexpr bool per_entry = false;
};
/// per_registry, plus hits per entry (one relaxed atomic add on the entry's
/// counter, shared by the threads that hit that key; the counter is a small
/// allocation of its own, off the entry's cache line) and misses per key
/// looked up (a mutex-guarded table of up to 256 distinct keys; a miss
/// formats the key and takes that mutex, so use it where misses are rare).
/// Needs roster/counters.hpp.
struct per_key {
    /// Names the family: a counters:: policy.
    using roster_policy_category = policy_category::counters;
    /// What the registry holds for counting: the striped totals plus the
    /// table of missed keys (defined in roster/counters.hpp).
    using state = detail::lookup_counters<true>;
    /// What each entry holds: a pointer to its own atomic hit counter.
    using entry_state = detail::entry_hits;
    /// true: the registry's lookups() gives the totals.
    static constexpr bool counted = true;
    /// true: report() gives each entry's hit count.
    static constexpr bool per_entry = true;
};
} // namespace counters

ROSTER_END_NAMESPACE // namespace roster
