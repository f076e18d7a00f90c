// roster/detail/flat_index.hpp — the read-optimised table a frozen
// registry (and every published hot-reload snapshot) is read through.
// Internal.
//
// Built once, by freeze(), from the registry's map; never changed after.
// Open addressing with linear probing over a power-of-two array of slots at
// most half full. A slot holds the key's full 64-bit hash and a pointer to
// the map's element: a lookup hashes the key, picks the slot from the hash's
// high bits (Fibonacci hashing), and compares the stored hash before the
// key, so a probe rarely touches an element that is not the one sought. A
// miss ends at the first empty slot, on average within two slots at this
// load.
//
// Keys are hashed by the map's own hasher (for strings, eight bytes a step:
// see detail/storage.hpp), folded once more so that identity hashes
// (std::hash<int>) spread too. The map still owns the elements: the table only points into
// it, and std::unordered_map never moves its elements.
#pragma once

#include "roster/config.hpp"       // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/bytes.hpp" // mix_word, golden_multiplier

#include <cstddef>     // std::size_t
#include <cstdint>     // std::uint64_t

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// The hash a flat_index files `key` under: the map's own hasher `Hash`
/// (for string keys detail::transparent_string_hash, which hashes eight
/// bytes a step), folded once more so that identity hashes
/// (std::hash<int>) spread over the high bits the table indexes by.
template <class Hash, class Lookup>
std::uint64_t flat_hash(const Lookup& key) {
    return mix_word(0, static_cast<std::uint64_t>(Hash{}(key)));
}

/// A table over the elements (`Item`: the map's value_type, a pair whose
/// `first` is the key) of a map that no longer changes. `Hash` is the
/// map's hasher (for keys that are not strings).
template <class Item, class Hash>
class flat_index {
public:
    flat_index() = default;
    flat_index(const flat_index&) = delete;
    flat_index& operator=(const flat_index&) = delete;
    ~flat_index() { delete[] slots_; }

    /// Whether build() has run (a frozen registry's table, even if empty).
    bool built() const noexcept { return slots_ != nullptr; }

    /// Files every element of `map`. Called once, before anyone reads.
    /// @throws std::bad_alloc, or what the key's hasher throws (the table
    ///         stays unbuilt).
    template <class Map>
    void build(const Map& map) {
        std::size_t capacity = 2;
        unsigned bits = 1;
        while (capacity < 2 * map.size()) {
            capacity *= 2;
            ++bits;
        }
        struct owner {
            slot* slots;
            ~owner() { delete[] slots; }
        } fresh{new slot[capacity]}; // freed if a hasher throws
        const unsigned shift = 64 - bits;
        for (const Item& item : map) {
            const std::uint64_t hash = flat_hash<Hash>(item.first);
            std::size_t i = static_cast<std::size_t>((hash * golden_multiplier) >> shift);
            while (fresh.slots[i].item != nullptr) i = (i + 1) & (capacity - 1);
            fresh.slots[i] = slot{hash, &item};
        }
        slots_ = fresh.slots;
        fresh.slots = nullptr;
        mask_ = capacity - 1;
        shift_ = shift;
    }

    /// The element under `key`, or null. Precondition: built(). Throws only
    /// what the key's hasher or `==` throws.
    template <class Lookup>
    const Item* find(const Lookup& key) const {
        const std::uint64_t hash = flat_hash<Hash>(key);
        for (std::size_t i = static_cast<std::size_t>((hash * golden_multiplier) >> shift_);; i = (i + 1) & mask_) {
            const slot& s = slots_[i];
            if (s.item == nullptr) return nullptr;
            if (s.hash == hash && s.item->first == key) return s.item;
        }
    }

    /// The bytes the table allocated.
    std::size_t allocated_bytes() const noexcept { return built() ? (mask_ + 1) * sizeof(slot) : 0; }

private:
    struct slot {
        std::uint64_t hash = 0;
        const Item* item = nullptr; // null: empty
    };
    slot* slots_ = nullptr; // owned (new[]): not std::unique_ptr, whose <memory> the core does without
    std::size_t mask_ = 0;
    unsigned shift_ = 63;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
