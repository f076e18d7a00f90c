// roster/policy/storage.hpp — how a registry stores its entries.
//
// Gives: the storage:: policies hashed (default) | ordered, and the concepts
// hashable_key and ordered_key: what each asks of a registry's Key.
// storage::ordered keeps its entries in a std::map, which lives in
// roster/ordered.hpp: include
// it to use storage::ordered (a registry that names it without it fails with
// a static_assert saying so), so that the core includes no <map>.
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   template <class Key, class Entry> using map = ...;  // the container
//   template <class Key> using machinery = ...;         // complete where the container is usable
//   template <class Key> static constexpr bool accepts_key; // whether Key can be stored
//   template <class Map> static void reserve(Map&, std::size_t);
// The map must offer find() (heterogeneous for string keys: see
// detail::key_lookup), emplace(), try_emplace(), erase(), extract()/insert() of node
// handles, iteration, size() and empty(), like the standard associative
// containers.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/storage.hpp"  // detail::key_lookup
#include "roster/policy/protocol.hpp" // policy_category

#include <concepts>      // std::equality_comparable, std::convertible_to
#include <cstddef>       // std::size_t
#include <type_traits>   // std::true_type
#include <unordered_map> // storage::hashed

ROSTER_BEGIN_NAMESPACE

namespace detail {
/// storage::ordered's container: `type` is std::map<Key, Entry, std::less<>>,
/// defined in roster/ordered.hpp.
template <class Key, class Entry, class = void>
struct ordered_map;
} // namespace detail

/// A key storage::hashed (the default) can hold: equality-comparable (`==`
/// and `!=`) and hashed as storage::hashed hashes it — any std::basic_string
/// through its string_view (so lookups by view need no conversion), any
/// other type by `std::hash<K>`, which must be enabled for it.
template <class K>
concept hashable_key = std::equality_comparable<K> && requires(const K& key) {
    { typename detail::key_lookup<K>::hash{}(key) } -> std::convertible_to<std::size_t>;
};

/// A key storage::ordered can hold: `a < b` is valid and gives a bool.
template <class K>
concept ordered_key = requires(const K& a, const K& b) {
    { a < b } -> std::convertible_to<bool>;
};

namespace storage {
/// A hash table (std::unordered_map): average O(1) lookups. The default.
struct hashed {
    /// Names the family: a storage:: policy.
    using roster_policy_category = policy_category::storage;
    /// The container of a registry's entries: a std::unordered_map with
    /// transparent hash and equality for string keys.
    template <class Key, class Entry>
    using map = std::unordered_map<Key, Entry, typename detail::key_lookup<Key>::hash,
                                   typename detail::key_lookup<Key>::equal>;
    /// A complete type wherever the container is usable: always.
    template <class Key>
    using machinery = std::true_type;
    /// Whether Key can be stored: it must meet roster::hashable_key.
    template <class Key>
    static constexpr bool accepts_key = hashable_key<Key>;
    /// Makes room for `size` entries in `map` (before a batch is applied).
    /// @throws std::bad_alloc.
    template <class Map>
    static void reserve(Map& map, std::size_t size) {
        map.reserve(size);
    }
};
/// A sorted tree (std::map with std::less<>): O(log n) lookups, and
/// for_each() visits entries in key order. Needs an ordered Key, and
/// roster/ordered.hpp.
struct ordered {
    /// Names the family: a storage:: policy.
    using roster_policy_category = policy_category::storage;
    /// The container of a registry's entries: std::map<Key, Entry,
    /// std::less<>> (defined in roster/ordered.hpp).
    template <class Key, class Entry>
    using map = typename detail::ordered_map<Key, Entry>::type;
    /// A complete type only where roster/ordered.hpp is included (the
    /// registry checks it to name the missing header).
    template <class Key>
    using machinery = detail::ordered_map<Key, int>;
    /// Whether Key can be stored: it must meet roster::ordered_key.
    template <class Key>
    static constexpr bool accepts_key = ordered_key<Key>;
    /// Makes room for entries: nothing to do for a tree.
    template <class Map>
    static void reserve(Map&, std::size_t) noexcept {}
};
} // namespace storage

ROSTER_END_NAMESPACE // namespace roster
