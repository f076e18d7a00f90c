// roster/policy/protocol.hpp — what makes a type a roster policy, and how a
// registry picks its policies out of the list it was given.
//
// Gives:
//   roster::policy_category::*   one empty type per policy family;
//   roster::policy<P>            the concept every policy tag satisfies;
//   roster::detail::select_policy_t<Category, Default, Policies...>
//   roster::detail::count_in_category<Category, Policies...>
//
// The protocol. A policy is a small empty type that names its family
// through a nested `roster_policy_category` type and carries its behaviour
// as static members and member types; the registry reaches each through one
// member of its own (decide_duplicate, null check, read/write, ...) and
// never tests which policy it was given. What each family's policies provide:
//   on_duplicate  decide(existing, incoming) -> duplicate_decision;
//                 raises_refusal; accepts<Value>   (roster/policy/on_duplicate.hpp)
//   on_null       refusal(value) -> reason, empty to accept;
//                 refuses_null                      (roster/policy/on_null.hpp)
//   locking       mutex_type; synchronised          (roster/policy/locking.hpp)
//   storage       map<Key, Entry>; reserve(map, n)  (roster/policy/storage.hpp)
//   counters      state, entry_state; counted, per_entry (roster/policy/counters.hpp)
//   listing       membership                        (roster/policy/listing.hpp)
// A new policy of an existing family is a new type in that family's file
// that provides those members; nothing else changes.
//
// Guarantees: compile-time only; no runtime code.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <type_traits> // std::is_same_v, std::conditional_t

ROSTER_BEGIN_NAMESPACE

/// Policy families, one type per family.
namespace policy_category {
/// The family of the on_duplicate:: policies: what add() does with a key already registered.
struct on_duplicate {};
/// The family of the on_null:: policies: what add() does with a null value.
struct on_null {};
/// The family of the locking:: policies: how a registry synchronises.
struct locking {};
/// The family of the storage:: policies: how a registry stores its entries.
struct storage {};
/// The family of the counters:: policies: whether a registry counts its lookups.
struct counters {};
/// The family of the listing:: policies: whether a registry is in the catalog.
struct listing {};
} // namespace policy_category

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

/// Whether T is a complete type here (a policy whose machinery lives in a
/// feature header checks that the header was included).
template <class T, class = void>
inline constexpr bool is_complete = false;
template <class T>
inline constexpr bool is_complete<T, std::void_t<decltype(sizeof(T))>> = true;

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
