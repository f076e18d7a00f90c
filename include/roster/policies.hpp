// roster/policies.hpp — the policy tags that configure a registry.
//
// A registry's behaviour is chosen by small empty tag types passed after the
// key and value types, in any order, each defaulted when absent
// (boost-ext/sml style):
//
//   roster::basic_registry<std::string, codec_ptr,
//                          roster::locking::none,              // any order
//                          roster::on_duplicate::replace>;
//
// Categories and their tags (the default first):
//   on_duplicate::  throw_error | return_error | replace | keep_first | accept_if_equal
//   on_null::       reject | allow
//   locking::       shared_mutex | sharded | none
//   storage::       hashed | ordered
//   counters::      none | per_registry | per_key
//   listing::       unlisted | listed
//
// Each tag names its category through a nested `roster_policy_category`
// type; basic_registry rejects, with a readable static_assert, anything that
// is not a policy tag and two tags of the same category.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/sharded_mutex.hpp"
#include "roster/detail/storage.hpp"
#include "roster/traits.hpp"

#include <shared_mutex> // std::shared_mutex: locking::shared_mutex
#include <string_view> // std::string_view: refusal reasons
#include <type_traits> // std::is_same_v, std::conditional_t

ROSTER_BEGIN_NAMESPACE

/// Policy categories, one type per category.
namespace policy_category {
struct on_duplicate {};
struct on_null {};
struct locking {};
struct storage {};
struct counters {};
struct listing {};
} // namespace policy_category

/// What add() does when the key is already registered.
namespace on_duplicate {
/// Refuse; add() throws duplicate_key_error naming both source locations
/// (the Go `panic`). try_add() returns the error. The default.
struct throw_error { using roster_policy_category = policy_category::on_duplicate; };
/// Refuse; add() does not throw for a duplicate but returns the refusal in its
/// add_result (status refused, error(), existing()).
struct return_error { using roster_policy_category = policy_category::on_duplicate; };
/// Last wins, reported: the new value replaces the old one; the add_result
/// says `replaced` and carries the previous entry and where it was added.
struct replace { using roster_policy_category = policy_category::on_duplicate; };
/// First wins, reported: the new value is discarded; the add_result says
/// `kept_existing` and carries the entry that stays.
struct keep_first { using roster_policy_category = policy_category::on_duplicate; };
/// Accept a duplicate whose value compares equal (==) to the registered one,
/// as `kept_existing`; refuse a different one as throw_error does (gob's
/// rule). Needs an equality-comparable value type.
struct accept_if_equal { using roster_policy_category = policy_category::on_duplicate; };
} // namespace on_duplicate

/// What add() does with a null value (see roster::null_traits).
///
/// Each tag says why it refuses a value through
/// `template <class V> static std::string_view refusal(const V&)`: an empty
/// string_view accepts the value, anything else is the reason it is refused
/// (it becomes part of the null_value_error message). Other shapes add tags
/// of this category (e.g. roster::on_null::probe in roster/factory.hpp).
namespace on_null {
/// Refuse null values with null_value_error. The default.
struct reject {
    using roster_policy_category = policy_category::on_null;
    template <class V>
    static constexpr std::string_view refusal(const V& value) noexcept {
        return null_traits<V>::is_null(value) ? std::string_view("the value is null") : std::string_view();
    }
};
/// Store null values like any other (for value types where null is meaningful).
struct allow {
    using roster_policy_category = policy_category::on_null;
    template <class V>
    static constexpr std::string_view refusal(const V&) noexcept {
        return {};
    }
};
} // namespace on_null

/// How the registry synchronises.
namespace locking {
/// Reads take a std::shared_mutex in shared mode, writes in exclusive mode;
/// once frozen, reads take no lock. The default.
struct shared_mutex {
    using roster_policy_category = policy_category::locking;
    using mutex_type = std::shared_mutex;
};
/// Like shared_mutex, but readers count themselves in per-thread slots on
/// separate cache lines (detail::sharded_shared_mutex), so concurrent readers
/// do not contend on one reader count; writers wait for every slot to drain.
/// For registries read by many threads that must stay mutable. Costs 1 KiB
/// per registry; writes are slower. @warning nested reads of one registry on
/// one thread (a visit() callback reading the same registry) can deadlock
/// when a writer arrives in between.
struct sharded {
    using roster_policy_category = policy_category::locking;
    using mutex_type = detail::sharded_shared_mutex;
};
/// No synchronisation at all: for registries confined to one thread.
/// @warning concurrent use of such a registry is a data race.
struct none {
    using roster_policy_category = policy_category::locking;
    using mutex_type = detail::null_mutex;
};
} // namespace locking

/// How entries are stored.
namespace storage {
/// A hash table (std::unordered_map): average O(1) lookups. The default.
struct hashed { using roster_policy_category = policy_category::storage; };
/// A sorted tree (std::map with std::less<>): O(log n) lookups, and
/// for_each() visits entries in key order. Needs an ordered Key.
struct ordered { using roster_policy_category = policy_category::storage; };
} // namespace storage

/// Whether lookups are counted (roster/catalog.hpp reports the counts;
/// roster/prometheus.hpp exports them). Counted lookups are the ones that
/// use a value: get, visit, at/try_at, and the lookups of the shapes built
/// on the core (factory create, versioned get/at/latest/negotiate).
/// contains(), location(), names() and for_each() are not counted.
namespace counters {
/// No counting: the read path has no trace of counters. The default.
struct none { using roster_policy_category = policy_category::counters; };
/// Hits and misses of the whole registry, counted in per-thread stripes on
/// separate cache lines (one relaxed atomic add per lookup, on a line no
/// other reader writes while at most 16 threads read). 1 KiB per registry.
struct per_registry { using roster_policy_category = policy_category::counters; };
/// per_registry, plus hits per entry (one relaxed atomic add on a counter in
/// the entry, shared by the threads that hit that key) and misses per key
/// looked up (a mutex-guarded table of up to 256 distinct keys; a miss
/// formats the key and takes that mutex, so use it where misses are rare).
struct per_key { using roster_policy_category = policy_category::counters; };
} // namespace counters

/// Whether the registry is listed in the process-wide roster::catalog
/// (roster/catalog.hpp), under its name.
namespace listing {
/// Not listed. The default.
struct unlisted { using roster_policy_category = policy_category::listing; };
/// Listed from construction to destruction; the name must be unique among
/// live listed registries (a duplicate name raises duplicate_key_error from
/// the constructor). Adds and removals can be heard through
/// catalog::subscribe(). Costs nothing on the read path.
struct listed { using roster_policy_category = policy_category::listing; };
} // namespace listing

/// A type usable as a roster policy tag.
template <class P>
concept policy = requires { typename P::roster_policy_category; };

namespace detail {

template <class P, class Category>
inline constexpr bool in_category = [] {
    if constexpr (policy<P>) return std::is_same_v<typename P::roster_policy_category, Category>;
    else return false;
}();

template <class Category, class... Policies>
inline constexpr int count_in_category = (0 + ... + (in_category<Policies, Category> ? 1 : 0));

/// The policy of `Category` among `Policies`, or `Default` when there is none.
template <class Category, class Default, class... Policies>
struct select_policy {
    using type = Default;
};
template <class Category, class Default, class First, class... Rest>
struct select_policy<Category, Default, First, Rest...> {
    using type = std::conditional_t<in_category<First, Category>, First,
                                    typename select_policy<Category, Default, Rest...>::type>;
};

template <class Category, class Default, class... Policies>
using select_policy_t = typename select_policy<Category, Default, Policies...>::type;

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
