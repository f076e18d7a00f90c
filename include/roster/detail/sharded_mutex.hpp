// roster/detail/sharded_mutex.hpp — the reader-writer lock of
// locking::sharded: readers scale with threads. Internal.
//
// std::shared_mutex (pthread_rwlock) keeps one reader count on one cache
// line: every shared lock and unlock writes it, so two readers on two cores
// do fewer lookups together than one alone (measured; docs/benchmarks.md). Here each
// thread counts itself in one of `slot_count` counters, each on its own cache
// line, so concurrent readers on different threads write different lines.
// A writer raises a flag and waits until every slot has drained; readers
// that see the flag back off and wait for the writer to finish.
//
// Correctness (the Dekker pattern): a reader increments its slot, then loads
// the writer flag; a writer stores the flag, then loads every slot; all four
// operations are seq_cst, so at least one side sees the other. A reader that
// saw no writer synchronises with the last writer's release of the flag; a
// writer that saw a slot at zero synchronises with the readers' release
// decrements.
//
// Guarantees and costs: lock_shared/unlock_shared are two atomic RMWs on a
// per-thread line plus one load of a line that only writers write. Writers
// are serialised by a std::mutex and then spin (yielding) until the readers
// already inside leave: writes are expected to be rare. Threads beyond
// slot_count share slots (still correct, less scalable). 1 KiB per mutex.
// @warning Re-entrant shared locking on one thread deadlocks when a writer
// arrives between the two acquisitions (as with a writer-preferring rwlock).
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include "roster/detail/thread_slot.hpp"

#include <atomic>  // std::atomic: slot counters, the writer flag
#include <cstddef> // std::size_t
#include <cstdint> // std::uint32_t
#include <mutex>   // std::mutex: serialises writers
#if defined(__unix__) || defined(__APPLE__)
#    include <sched.h> // sched_yield: a writer waiting for readers to drain
#else
#    include <thread> // std::this_thread::yield
#endif

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// (A template only so that its members compile where locking::sharded is
/// used, not wherever the policies are included: use sharded_shared_mutex.)
template <std::size_t Slots = 16>
class basic_sharded_shared_mutex {
public:
    static constexpr std::size_t slot_count = Slots; // a power of two

    basic_sharded_shared_mutex() = default;
    basic_sharded_shared_mutex(const basic_sharded_shared_mutex&) = delete;
    basic_sharded_shared_mutex& operator=(const basic_sharded_shared_mutex&) = delete;

    void lock_shared() noexcept {
        slot& mine = slots_[this_thread_slot()];
        for (;;) {
            mine.readers.fetch_add(1, std::memory_order_seq_cst);
            if (!writer_.load(std::memory_order_seq_cst)) return;
            mine.readers.fetch_sub(1, std::memory_order_release); // back off
            writer_.wait(true, std::memory_order_acquire);
        }
    }

    bool try_lock_shared() noexcept {
        slot& mine = slots_[this_thread_slot()];
        mine.readers.fetch_add(1, std::memory_order_seq_cst);
        if (!writer_.load(std::memory_order_seq_cst)) return true;
        mine.readers.fetch_sub(1, std::memory_order_release);
        return false;
    }

    void unlock_shared() noexcept { slots_[this_thread_slot()].readers.fetch_sub(1, std::memory_order_release); }

    void lock() {
        writers_.lock();
        writer_.store(true, std::memory_order_seq_cst);
        for (slot& s : slots_) {
            while (s.readers.load(std::memory_order_seq_cst) != 0) yield_processor();
        }
    }

    bool try_lock() {
        if (!writers_.try_lock()) return false;
        writer_.store(true, std::memory_order_seq_cst);
        for (slot& s : slots_) {
            if (s.readers.load(std::memory_order_seq_cst) != 0) {
                unlock();
                return false;
            }
        }
        return true;
    }

    void unlock() noexcept {
        writer_.store(false, std::memory_order_release);
        writer_.notify_all();
        writers_.unlock();
    }

private:
    struct alignas(64) slot {
        std::atomic<std::uint32_t> readers{0};
    };

    /// Lets another thread run (std::this_thread::yield without <thread>
    /// where POSIX has sched_yield: <thread> alone would double the cost of
    /// including the core registry).
    static void yield_processor() noexcept {
#if defined(__unix__) || defined(__APPLE__)
        (void)::sched_yield();
#else
        std::this_thread::yield();
#endif
    }

    static std::size_t this_thread_slot() noexcept { return detail::this_thread_slot<slot_count>(); }

    slot slots_[slot_count];
    alignas(64) std::atomic<bool> writer_{false};
    std::mutex writers_;
};

/// The reader-sharded shared mutex of locking::sharded.
using sharded_shared_mutex = basic_sharded_shared_mutex<>;

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
