// roster/detail/thread_slot.hpp — a small per-thread index for structures
// that spread per-thread writes over separate cache lines (the reader slots
// of locking::sharded, the stripes of the lookup counters). Internal.
//
// Threads are numbered in the order they first ask, so the first N threads
// of a process get N different slots of any power-of-two table of N or more.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <atomic>  // std::atomic<std::size_t>: the next number
#include <cstddef> // std::size_t

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// This thread's slot in a table of `Slots` (a power of two) entries.
template <std::size_t Slots>
inline std::size_t this_thread_slot() noexcept {
    static_assert(Slots != 0 && (Slots & (Slots - 1)) == 0, "roster: a slot table's size must be a power of two");
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t number = next.fetch_add(1, std::memory_order_relaxed);
    return number & (Slots - 1);
}

/// An identity of the calling thread, unique among running threads (the
/// address of a thread_local object): what std::this_thread::get_id() gives,
/// without <thread>. Null never names a thread.
inline const void* this_thread_token() noexcept {
    thread_local const char token = 0;
    return &token;
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
