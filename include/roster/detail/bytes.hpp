// roster/detail/bytes.hpp — bytes read a machine word at a time: loads that
// never read past the end, a hash of a byte string, and an equality test.
// What the frozen registries' tables and the handler registry's routing
// tables hash and compare keys with. Internal.
//
// The hash is a multiply-xorshift fold, eight bytes a step, the last step
// overlapping the one before it (no byte-by-byte tail); the length is folded
// in first. It is fast and spreads ordinary keys well; it is not meant to
// resist keys chosen to collide (the tables that use it hold keys the
// program registered, and compare the full hash before the key).
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <cstddef> // std::size_t
#include <cstdint> // std::uint32_t, std::uint64_t
#include <cstring> // std::memcpy

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// The multiplier of the hash steps (2^64 divided by the golden ratio).
inline constexpr std::uint64_t golden_multiplier = 0x9E3779B97F4A7C15u;

/// The eight bytes at `p` as one word (in the machine's byte order).
inline std::uint64_t load_word(const char* p) noexcept {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    return word;
}

/// The `n` <= 8 bytes at `p` as one word, without reading past them; for a
/// given `n`, different bytes give different words (the loads overlap and
/// together cover every byte).
inline std::uint64_t short_word(const char* p, std::size_t n) noexcept {
    if (n == 8) return load_word(p);
    if (n >= 4) {
        std::uint32_t low = 0;
        std::uint32_t high = 0;
        std::memcpy(&low, p, 4);
        std::memcpy(&high, p + n - 4, 4);
        return std::uint64_t{low} | (std::uint64_t{high} << 32);
    }
    if (n == 0) return 0;
    return std::uint64_t{static_cast<unsigned char>(p[0])} |
           (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
           (std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
}

/// Folds one word into a hash (a multiply-xorshift step).
constexpr std::uint64_t mix_word(std::uint64_t hash, std::uint64_t word) noexcept {
    hash = (hash ^ word) * golden_multiplier;
    return hash ^ (hash >> 29);
}

/// The hash of the `n` bytes at `p`, folded onto `seed`.
inline std::uint64_t hash_bytes(const char* p, std::size_t n, std::uint64_t seed = 0) noexcept {
    std::uint64_t hash = mix_word(seed, n);
    if (n <= 8) return mix_word(hash, short_word(p, n));
    const char* const last = p + n - 8;
    for (; p < last; p += 8) hash = mix_word(hash, load_word(p));
    return mix_word(hash, load_word(last));
}

/// Whether `a` and `b` hold the same `n` bytes: eight at a time (the last
/// word overlapping the one before), no call.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load_word(a + i) != load_word(b + i)) return false;
        return load_word(a + n - 8) == load_word(b + n - 8);
    }
    return short_word(a, n) == short_word(b, n);
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
