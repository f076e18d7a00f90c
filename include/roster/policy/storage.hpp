// roster/policy/storage.hpp — how a registry stores its entries.
//
// Gives: the storage:: policies hashed (default) | ordered.
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   template <class Key, class Entry> using map = ...;  // the container
//   template <class Map> static void reserve(Map&, std::size_t);
// The map must offer find() (heterogeneous for string keys: see
// detail::key_lookup), emplace(), erase(), extract()/insert() of node
// handles, iteration, size() and empty(), like the standard associative
// containers.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/storage.hpp"  // detail::key_lookup
#include "roster/policy/protocol.hpp" // policy_category

#include <cstddef>       // std::size_t
#include <map>           // storage::ordered; std::less<>
#include <unordered_map> // storage::hashed

ROSTER_BEGIN_NAMESPACE

namespace storage {
/// A hash table (std::unordered_map): average O(1) lookups. The default.
struct hashed {
    using roster_policy_category = policy_category::storage;
    template <class Key, class Entry>
    using map = std::unordered_map<Key, Entry, typename detail::key_lookup<Key>::hash,
                                   typename detail::key_lookup<Key>::equal>;
    template <class Map>
    static void reserve(Map& map, std::size_t size) {
        map.reserve(size);
    }
};
/// A sorted tree (std::map with std::less<>): O(log n) lookups, and
/// for_each() visits entries in key order. Needs an ordered Key.
struct ordered {
    using roster_policy_category = policy_category::storage;
    template <class Key, class Entry>
    using map = std::map<Key, Entry, std::less<>>;
    template <class Map>
    static void reserve(Map&, std::size_t) noexcept {}
};
} // namespace storage

ROSTER_END_NAMESPACE // namespace roster
