// roster/counters.hpp — the lookup counters behind counters::per_registry
// and counters::per_key (roster/policy/counters.hpp).
//
// Include it in a translation unit that uses either policy:
//
//   #include <roster/counters.hpp>
//   roster::registry<codec_ptr, roster::counters::per_registry> codecs{"codecs"};
//   codecs.get("gzip");
//   auto [hits, misses] = codecs.lookups();
//
// Hits and misses are counted in `stripe_count` stripes, each on its own
// cache line; a thread bumps the stripe of its slot (detail::this_thread_slot)
// with one relaxed atomic add, so concurrent readers on different threads
// never write the same line. Reading the totals sums the stripes.
// counters::per_key adds one relaxed atomic per entry (in the entry: threads
// hitting the same key share it) and a mutex-guarded, bounded table of the
// keys that missed (a miss of a new key allocates once).
//
// Guarantees: counting never blocks a lookup except a per_key miss (the
// missed-key table's mutex); totals are exact once concurrent lookups are done.
#pragma once

#include "roster/config.hpp"              // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/messages.hpp"     // detail::describe_key
#include "roster/detail/thread_slot.hpp"  // detail::this_thread_slot
#include "roster/policy/counters.hpp"     // the policies, detail::lookup_counters' declaration
#include "roster/report.hpp"              // registry_report, lookup_counts, key_misses

#include <atomic>      // std::atomic<std::uint64_t>
#include <cstddef>     // std::size_t
#include <cstdint>     // std::uint64_t
#include <algorithm>   // std::lower_bound: the missed-key table
#include <mutex>       // std::mutex: the missed-key table
#include <string>      // std::string
#include <type_traits> // std::conditional_t
#include <utility>     // std::move, std::pair
#include <vector>      // the missed-key table

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// Striped hit and miss totals, plus (PerKey) the table of missed keys.
template <bool PerKey>
class lookup_counters {
public:
    static constexpr std::size_t stripe_count = 16;      // a power of two
    static constexpr std::size_t missed_key_limit = 256; // distinct missed keys kept by name

    lookup_counters() = default;
    lookup_counters(const lookup_counters&) = delete;
    lookup_counters& operator=(const lookup_counters&) = delete;

    void hit() const noexcept { stripes_[this_thread_slot<stripe_count>()].hits.fetch_add(1, std::memory_order_relaxed); }

    /// Counts a miss of `key` (its text is only built under PerKey).
    template <class LookupKey>
    void miss(const LookupKey& key) const {
        stripes_[this_thread_slot<stripe_count>()].misses.fetch_add(1, std::memory_order_relaxed);
        if constexpr (PerKey) missed_.note(describe_key(key));
    }

    lookup_counts totals() const noexcept {
        lookup_counts out;
        for (const stripe& s : stripes_) {
            out.hits += s.hits.load(std::memory_order_relaxed);
            out.misses += s.misses.load(std::memory_order_relaxed);
        }
        return out;
    }

    /// Fills the counter fields of `report`.
    void fill(registry_report& report) const {
        report.lookups = totals();
        if constexpr (PerKey) missed_.fill(report);
    }

private:
    struct alignas(64) stripe {
        mutable std::atomic<std::uint64_t> hits{0};
        mutable std::atomic<std::uint64_t> misses{0};
    };
    /// The keys that missed, by name, up to missed_key_limit of them.
    class missed_table {
    public:
        void note(std::string key) {
            std::lock_guard lock(mutex_);
            const auto it = std::lower_bound(keys_.begin(), keys_.end(), key,
                                             [](const key_misses& kept, const std::string& k) { return kept.key < k; });
            if (it != keys_.end() && it->key == key) ++it->misses;
            else if (keys_.size() < missed_key_limit) keys_.insert(it, key_misses{std::move(key), 1});
            else ++other_;
        }
        void fill(registry_report& report) const {
            std::lock_guard lock(mutex_);
            report.missed_keys.insert(report.missed_keys.end(), keys_.begin(), keys_.end());
            report.other_misses = other_;
        }

    private:
        mutable std::mutex mutex_;
        std::vector<key_misses> keys_; // sorted by key; at most missed_key_limit
        std::uint64_t other_ = 0;
    };
    struct no_table {};

    stripe stripes_[stripe_count];
    mutable std::conditional_t<PerKey, missed_table, no_table> missed_;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
