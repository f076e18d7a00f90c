// roster/detail/storage.hpp — the pieces a registry's map is made of:
// the transparent string hasher, the lookup argument type, the no-op mutex.
// Internal.
#pragma once

#include "roster/config.hpp"       // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/bytes.hpp" // hash_bytes: string keys

#include <cstddef>     // std::size_t
#include <unordered_map> // std::hash, std::equal_to (the hash map's defaults; <functional> costs more)
#include <string>      // std::basic_string
#include <string_view> // std::basic_string_view
#include <type_traits> // std::false_type, std::true_type

ROSTER_BEGIN_NAMESPACE
namespace detail {

template <class T>
struct is_basic_string : std::false_type {};
template <class C, class T, class A>
struct is_basic_string<std::basic_string<C, T, A>> : std::true_type {
    using view = std::basic_string_view<C, T>;
};

/// Transparent hasher for string keys: hashes std::string, std::string_view
/// and const char* alike, so lookups never build a temporary string. Keys
/// with the standard character traits are hashed by detail::hash_bytes
/// (eight bytes a step: about half the time of std::hash's byte-oriented
/// hash on a 29-character key), others by std::hash.
///
/// Deliberately NOT noexcept: libstdc++ treats a noexcept hasher as cheap and
/// then stops caching hash codes in the nodes, so every bucket step would
/// re-hash a string (measured: 1.29x vs 1.01x the limit; docs/benchmarks.md).
template <class View>
struct transparent_string_hash {
    using is_transparent = void;
    std::size_t operator()(View key) const {
        using char_type = typename View::value_type;
        if constexpr (std::is_same_v<typename View::traits_type, std::char_traits<char_type>>) {
            if constexpr (std::is_same_v<char_type, char>) {
                return static_cast<std::size_t>(hash_bytes(key.data(), key.size()));
            } else {
                return static_cast<std::size_t>(
                    hash_bytes(reinterpret_cast<const char*>(key.data()), key.size() * sizeof(char_type)));
            }
        } else {
            return std::hash<View>{}(key);
        }
    }
};

/// The argument type of every lookup: a string_view for string keys (so
/// `const char*`, std::string and std::string_view all work without
/// allocating), `const Key&` otherwise.
template <class Key, bool = is_basic_string<Key>::value>
struct key_lookup {
    using type = const Key&;
    using hash = std::hash<Key>;
    using equal = std::equal_to<Key>;
};
template <class Key>
struct key_lookup<Key, true> {
    using type = typename is_basic_string<Key>::view;
    using hash = transparent_string_hash<type>;
    using equal = std::equal_to<>;
};

/// What a registry stores its entries in when its Key or Value was refused
/// by a static_assert: an empty type, so that only that sentence is reported.
struct refused_map {
    using iterator = refused_map*;
    using const_iterator = const refused_map*;
};

/// The mutex of locking::none: every operation is a no-op.
struct null_mutex {
    void lock() noexcept {}
    void unlock() noexcept {}
    bool try_lock() noexcept { return true; }
    void lock_shared() noexcept {}
    void unlock_shared() noexcept {}
    bool try_lock_shared() noexcept { return true; }
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
