// The one place that knows which Catch2 the tests use.
//
// Test files include "support/catch.hpp", never Catch2 directly. This is
// Catch2 v2 (single header <catch2/catch.hpp>). Moving to Catch2 v3 means
// changing only this file -- include <catch2/catch_all.hpp> instead (plus the
// find_package(Catch2 3) line in tests/CMakeLists.txt).
#pragma once

#include <catch2/catch.hpp>
