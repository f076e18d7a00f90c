#include "support/catch.hpp"

#include "roster/source_location.hpp"

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace {

using line_type = std::uint_least32_t;

constexpr line_type line_of(int line) noexcept {
    return static_cast<line_type>(line);
}

/// Returns the location its caller passes by default, like every roster
/// function that records where it was called.
roster::source_location
where_called(roster::source_location where = roster::source_location::current()) noexcept {
    return where;
}

/// The same, as a template (registry members are templates' members).
template <class T>
roster::source_location
where_called_generic(T, roster::source_location where = roster::source_location::current()) {
    return where;
}

/// A constructor and a member function with defaulted locations, as in
/// basic_registry.
struct recorder {
    explicit recorder(roster::source_location where = roster::source_location::current()) noexcept
        : constructed_at(where) {}
    roster::source_location
    touched(roster::source_location where = roster::source_location::current()) const noexcept {
        return where;
    }
    roster::source_location constructed_at;
};

roster::source_location call_from_a_named_function() noexcept {
    return where_called();
}

} // namespace

TEST_CASE("source_location: current() as a default argument reports the caller's line",
          "[source_location]") {
    const line_type expected = line_of(__LINE__ + 1);
    const roster::source_location where = where_called();
    CHECK(where.line() == expected);
    CHECK(where.line() != line_of(0));
}

TEST_CASE("source_location: current() as a default argument reports the caller's file",
          "[source_location]") {
    const roster::source_location where = where_called();
    REQUIRE(where.file_name() != nullptr);
    CHECK(std::string_view(where.file_name()) == std::string_view(__FILE__));
}

TEST_CASE("source_location: current() as a default argument reports the caller's function",
          "[source_location]") {
    const roster::source_location where = call_from_a_named_function();
    REQUIRE(where.function_name() != nullptr);
    CHECK(std::string_view(where.function_name()).find("call_from_a_named_function") !=
          std::string_view::npos);
}

TEST_CASE("source_location: two calls on different lines report different lines",
          "[source_location]") {
    const roster::source_location first = where_called();
    const roster::source_location second = where_called();
    CHECK(second.line() == first.line() + 1);
}

TEST_CASE("source_location: a default argument of a function template reports the caller",
          "[source_location]") {
    const line_type expected = line_of(__LINE__ + 1);
    const roster::source_location where = where_called_generic(42);
    CHECK(where.line() == expected);
    CHECK(std::string_view(where.file_name()) == std::string_view(__FILE__));
}

TEST_CASE(
    "source_location: default arguments of a constructor and a member function report the caller",
    "[source_location]") {
    const line_type constructed_line = line_of(__LINE__ + 1);
    const recorder rec;
    const line_type touched_line = line_of(__LINE__ + 1);
    const roster::source_location touched = rec.touched();
    CHECK(rec.constructed_at.line() == constructed_line);
    CHECK(touched.line() == touched_line);
    CHECK(std::string_view(rec.constructed_at.file_name()) == std::string_view(__FILE__));
}

TEST_CASE("source_location: current() reports a column on the line", "[source_location]") {
    const roster::source_location where = where_called();
    CHECK(where.column() > line_of(0));
}

TEST_CASE("source_location: current() is usable in constant expressions", "[source_location]") {
    // clang-format off
    constexpr roster::source_location here = roster::source_location::current(); constexpr line_type here_line = line_of(__LINE__);
    // clang-format on
    static_assert(here.line() == here_line);
    CHECK(here.line() == here_line);
}

TEST_CASE("source_location: is trivially copyable, and a copy keeps every member",
          "[source_location]") {
    static_assert(std::is_trivially_copyable_v<roster::source_location>);
    static_assert(std::is_nothrow_default_constructible_v<roster::source_location>);
    static_assert(std::is_nothrow_copy_constructible_v<roster::source_location>);
    const roster::source_location original = where_called();
    roster::source_location copy;
    copy = original;
    CHECK(copy.line() == original.line());
    CHECK(copy.column() == original.column());
    CHECK(copy.file_name() == original.file_name());
    CHECK(copy.function_name() == original.function_name());
}

TEST_CASE("source_location: every member is noexcept", "[source_location]") {
    const roster::source_location where = where_called();
    static_assert(noexcept(roster::source_location::current()));
    static_assert(noexcept(where.file_name()));
    static_assert(noexcept(where.function_name()));
    static_assert(noexcept(where.line()));
    static_assert(noexcept(where.column()));
    CHECK(where.line() > line_of(0));
}
