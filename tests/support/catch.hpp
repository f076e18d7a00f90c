// The one place that knows which Catch2 the tests use.
//
// Test files include "support/catch.hpp", never Catch2 directly. This is
// Catch2 v2 (single header <catch2/catch.hpp>). Moving to Catch2 v3 means
// changing only this file -- include <catch2/catch_all.hpp> instead (plus the
// find_package(Catch2 3) line in tests/CMakeLists.txt).
#pragma once

#include <catch2/catch.hpp>

#include <string> // std::string

namespace roster_test {
/// A matcher for "the string contains `text`": Catch2 v2 spells it
/// Catch::Matchers::Contains, v3 Catch::Matchers::ContainsSubstring. Tests
/// write roster_test::contains(...) so that only this file knows which.
inline auto contains(const std::string& text) { return Catch::Matchers::Contains(text); }
} // namespace roster_test
