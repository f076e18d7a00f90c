#include "support/catch.hpp"

#include "roster/version.hpp"

// The version macros must be usable by the preprocessor (CMake and users test
// them in #if), not only in C++ expressions.
#if !defined(ROSTER_VERSION_MAJOR) || !defined(ROSTER_VERSION_MINOR) ||                            \
    !defined(ROSTER_VERSION_PATCH) || !defined(ROSTER_VERSION)
#error "roster/version.hpp must define ROSTER_VERSION_MAJOR/MINOR/PATCH and ROSTER_VERSION"
#endif
#if ROSTER_VERSION !=                                                                              \
    ROSTER_VERSION_MAJOR * 10000 + ROSTER_VERSION_MINOR * 100 + ROSTER_VERSION_PATCH
#error "ROSTER_VERSION disagrees with ROSTER_VERSION_MAJOR/MINOR/PATCH in the preprocessor"
#endif

namespace {

constexpr long major_part = ROSTER_VERSION_MAJOR;
constexpr long minor_part = ROSTER_VERSION_MINOR;
constexpr long patch_part = ROSTER_VERSION_PATCH;
constexpr long combined = ROSTER_VERSION;

} // namespace

TEST_CASE("version: ROSTER_VERSION is major * 10000 + minor * 100 + patch", "[version]") {
    static_assert(combined == major_part * 10000 + minor_part * 100 + patch_part);
    CHECK(combined == major_part * 10000 + minor_part * 100 + patch_part);
}

TEST_CASE("version: each component fits its digits so the encoding can be decoded back",
          "[version]") {
    static_assert(major_part >= 0 && minor_part >= 0 && patch_part >= 0);
    static_assert(minor_part < 100 && patch_part < 100);
    CHECK(combined / 10000 == major_part);
    CHECK(combined / 100 % 100 == minor_part);
    CHECK(combined % 100 == patch_part);
}

TEST_CASE("version: the version is not 0.0.0", "[version]") {
    CHECK(combined > 0);
}

TEST_CASE("version: ROSTER_VERSION is parenthesised so it composes in expressions", "[version]") {
    // Without the outer parentheses `2 * ROSTER_VERSION` would bind wrongly
    // (2 * major * 10000 + minor * 100 + patch).
    CHECK(2 * ROSTER_VERSION == 2 * combined);
    CHECK(-ROSTER_VERSION == -combined);
}
