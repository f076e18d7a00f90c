// tests/support/allocations.cpp — replaces the global operator new for the
// test binary (see allocations.hpp). Every form is replaced, so that whatever
// allocates (Catch2 uses nothrow new) frees through the matching function.
#include "support/allocations.hpp"

#include <cstdlib> // std::malloc, std::free
#include <new>     // std::bad_alloc, std::nothrow_t

namespace {
thread_local bool counting = false;
thread_local std::size_t counted = 0;
thread_local std::size_t fail_countdown = 0; // 0: never; n: the n-th allocation from now fails
thread_local bool failed = false;

void* allocate(std::size_t size) noexcept {
    if (counting) ++counted;
    if (fail_countdown != 0 && --fail_countdown == 0) {
        failed = true;
        return nullptr;
    }
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace

namespace roster_test {

allocation_counter::allocation_counter() {
    counted = 0;
    counting = true;
}
allocation_counter::~allocation_counter() { counting = false; }
std::size_t allocation_counter::count() const { return counted; }

allocation_failure::allocation_failure(std::size_t nth) {
    failed = false;
    fail_countdown = nth;
}
allocation_failure::~allocation_failure() { fail_countdown = 0; }
bool allocation_failure::fired() const { return failed; }

} // namespace roster_test

#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
    if (void* p = allocate(size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    if (void* p = allocate(size)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic pop
#endif
