#include "support/catch.hpp"

#include "roster/config.hpp"

#include <version>

// Every feature macro is defined, and to exactly 0 or 1, so that both
// `#if ROSTER_HAS_X` and `#if ROSTER_HAS_X == 1` mean the same thing.
#if !defined(ROSTER_HAS_EXCEPTIONS) || !defined(ROSTER_HAS_SOURCE_LOCATION) ||                     \
    !defined(ROSTER_HAS_EXPECTED)
#error "roster/config.hpp must define every ROSTER_HAS_* macro"
#endif
#if ROSTER_HAS_EXCEPTIONS != 0 && ROSTER_HAS_EXCEPTIONS != 1
#error "ROSTER_HAS_EXCEPTIONS must be 0 or 1"
#endif
#if ROSTER_HAS_SOURCE_LOCATION != 0 && ROSTER_HAS_SOURCE_LOCATION != 1
#error "ROSTER_HAS_SOURCE_LOCATION must be 0 or 1"
#endif
#if ROSTER_HAS_EXPECTED != 0 && ROSTER_HAS_EXPECTED != 1
#error "ROSTER_HAS_EXPECTED must be 0 or 1"
#endif

namespace {

// What the compiler and standard library say, independently of roster.
#if defined(__cpp_exceptions) && !defined(ROSTER_NO_EXCEPTIONS)
constexpr int compiler_has_exceptions = 1;
#else
constexpr int compiler_has_exceptions = 0;
#endif

#if defined(__cpp_lib_source_location) && __cpp_lib_source_location >= 201907L
constexpr int library_has_source_location = 1;
#else
constexpr int library_has_source_location = 0;
#endif

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
constexpr int library_has_expected = 1;
#else
constexpr int library_has_expected = 0;
#endif

constexpr int has_exceptions = ROSTER_HAS_EXCEPTIONS;
constexpr int has_source_location = ROSTER_HAS_SOURCE_LOCATION;
constexpr int has_expected = ROSTER_HAS_EXPECTED;

} // namespace

TEST_CASE("config: every ROSTER_HAS_ macro is 0 or 1", "[config]") {
    CHECK((has_exceptions == 0 || has_exceptions == 1));
    CHECK((has_source_location == 0 || has_source_location == 1));
    CHECK((has_expected == 0 || has_expected == 1));
}

TEST_CASE("config: ROSTER_HAS_EXCEPTIONS matches __cpp_exceptions", "[config]") {
    static_assert(has_exceptions == compiler_has_exceptions);
    CHECK(has_exceptions == compiler_has_exceptions);
}

TEST_CASE("config: the test binary is built with exceptions, so ROSTER_HAS_EXCEPTIONS is 1",
          "[config]") {
    // tests/no_exceptions.cpp covers the 0 side.
    CHECK(has_exceptions == 1);
}

TEST_CASE("config: ROSTER_HAS_SOURCE_LOCATION matches __cpp_lib_source_location", "[config]") {
    static_assert(has_source_location == library_has_source_location);
    CHECK(has_source_location == library_has_source_location);
}

TEST_CASE("config: ROSTER_HAS_EXPECTED matches __cpp_lib_expected", "[config]") {
    static_assert(has_expected == library_has_expected);
    CHECK(has_expected == library_has_expected);
}
