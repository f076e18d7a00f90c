// tests/support/allocations.hpp — this thread's allocations, counted or made
// to fail. tests/support/allocations.cpp replaces the global operator new
// (every form) for the whole test binary; it passes through to malloc unless
// one of these is armed on the calling thread.
#pragma once

#include <cstddef> // std::size_t

namespace roster_test {

/// Counts the allocations (operator new calls) this thread makes while it lives.
class allocation_counter {
public:
    allocation_counter();
    ~allocation_counter();
    allocation_counter(const allocation_counter&) = delete;
    allocation_counter& operator=(const allocation_counter&) = delete;
    /// Allocations so far.
    std::size_t count() const;
};

/// While it lives, the `nth` allocation this thread makes from now on
/// (1: the next one) throws std::bad_alloc (the nothrow forms return null).
class allocation_failure {
public:
    explicit allocation_failure(std::size_t nth);
    ~allocation_failure();
    allocation_failure(const allocation_failure&) = delete;
    allocation_failure& operator=(const allocation_failure&) = delete;
    /// Whether the failure has happened.
    bool fired() const;
};

} // namespace roster_test
