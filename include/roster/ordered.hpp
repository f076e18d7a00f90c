// roster/ordered.hpp — the container behind storage::ordered
// (roster/policy/storage.hpp): a std::map with std::less<>, so that lookups
// take the registry's lookup type without building a key.
//
//   #include <roster/ordered.hpp>
//   roster::registry<int, roster::storage::ordered> sorted{"sorted"};   // for_each() in key order
//
// Include it wherever a registry with storage::ordered is used (the
// versioned registry includes it). The core registry does not, so that a
// translation unit that never orders its entries does not pay for <map>.
//
// Guarantees: as std::map; nothing else.
#pragma once

#include "roster/config.hpp"            // ROSTER_BEGIN_NAMESPACE
#include "roster/policy/storage.hpp"    // detail::ordered_map's declaration

#include <functional> // std::less<>
#include <map>        // std::map

ROSTER_BEGIN_NAMESPACE
namespace detail {

template <class Key, class Entry>
struct ordered_map<Key, Entry, void> {
    using type = std::map<Key, Entry, std::less<>>;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
