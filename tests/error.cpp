#include "support/catch.hpp"

#include "roster/error.hpp"

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#if ROSTER_HAS_EXPECTED
#include <expected>
#endif

namespace {

using roster::errc;

/// The code of the exception `f` throws as a roster::error; fails the test
/// (and returns errc{}) if it throws nothing or something else.
template <class F>
errc code_thrown_by(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const roster::error& e) {
        return e.code();
    } catch (...) {
        FAIL_CHECK("threw something that is not a roster::error");
        return errc{};
    }
    FAIL_CHECK("threw nothing");
    return errc{};
}

/// The message of the roster::error `f` throws ("" if none).
template <class F>
std::string message_thrown_by(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const roster::error& e) {
        return e.what();
    }
    return {};
}

template <class Exception>
void check_exception_type(errc expected) {
    static_assert(std::is_base_of_v<roster::error, Exception>);
    static_assert(std::is_base_of_v<std::runtime_error, Exception>);
    static_assert(std::is_base_of_v<std::exception, Exception>);
    static_assert(!std::is_convertible_v<std::string, Exception>,
                  "the message constructor is explicit");
    const Exception e("the message");
    CHECK(e.code() == expected);
    CHECK(std::string_view(e.what()) == "the message");
    const roster::error& as_base = e;
    CHECK(as_base.code() == expected);
    const std::runtime_error& as_runtime_error = e;
    CHECK(std::string_view(as_runtime_error.what()) == "the message");
}

} // namespace

// ---------------------------------------------------------------- errc

TEST_CASE("errc: the numeric values are stable, 1 to 5", "[error]") {
    static_assert(std::is_same_v<std::underlying_type_t<errc>, int>);
    CHECK(static_cast<int>(errc::duplicate_key) == 1);
    CHECK(static_cast<int>(errc::null_value) == 2);
    CHECK(static_cast<int>(errc::invalid_key) == 3);
    CHECK(static_cast<int>(errc::frozen) == 4);
    CHECK(static_cast<int>(errc::not_found) == 5);
}

TEST_CASE("errc: a value-initialised errc is 0, distinct from every error code", "[error]") {
    constexpr errc none{};
    CHECK(static_cast<int>(none) == 0);
    CHECK(none != errc::duplicate_key);
    CHECK(none != errc::not_found);
}

TEST_CASE("errc: to_string names every code", "[error]") {
    CHECK(std::string_view(roster::to_string(errc::duplicate_key)) == "duplicate_key");
    CHECK(std::string_view(roster::to_string(errc::null_value)) == "null_value");
    CHECK(std::string_view(roster::to_string(errc::invalid_key)) == "invalid_key");
    CHECK(std::string_view(roster::to_string(errc::frozen)) == "frozen");
    CHECK(std::string_view(roster::to_string(errc::not_found)) == "not_found");
    CHECK(std::string_view(roster::to_string(errc::factory_failed)) == "factory_failed");
    CHECK(std::string_view(roster::to_string(errc::no_common_version)) == "no_common_version");
}

TEST_CASE("errc: the codes added for factories and versions keep their numbers", "[error]") {
    CHECK(static_cast<int>(errc::factory_failed) == 6);
    CHECK(static_cast<int>(errc::no_common_version) == 7);
}

TEST_CASE("raise: an error with a cause rethrows that exception unchanged", "[error]") {
    roster::error_info info{errc::factory_failed, "factory failed", std::make_exception_ptr(std::logic_error("own"))};
    CHECK_THROWS_AS(roster::raise(info), std::logic_error);
    info.cause = nullptr;
    CHECK_THROWS_AS(roster::raise(info), roster::factory_error);
    info.code = errc::no_common_version;
    CHECK_THROWS_AS(roster::raise(info), roster::no_common_version_error);
}

TEST_CASE("errc: to_string says unknown for a value outside errc", "[error]") {
    CHECK(std::string_view(roster::to_string(errc{})) == "unknown");
    CHECK(std::string_view(roster::to_string(static_cast<errc>(99))) == "unknown");
    CHECK(std::string_view(roster::to_string(static_cast<errc>(-1))) == "unknown");
}

TEST_CASE("errc: to_string is constexpr and noexcept", "[error]") {
    static_assert(noexcept(roster::to_string(errc::frozen)));
    constexpr const char* name = roster::to_string(errc::frozen);
    static_assert(std::string_view(name) == "frozen");
    CHECK(std::string_view(name) == "frozen");
}

// ---------------------------------------------------------- exceptions

TEST_CASE("error: roster::error is a std::runtime_error carrying a code and a message", "[error]") {
    static_assert(std::is_base_of_v<std::runtime_error, roster::error>);
    const roster::error e(errc::frozen, "frozen at x.cpp:1");
    CHECK(e.code() == errc::frozen);
    CHECK(std::string_view(e.what()) == "frozen at x.cpp:1");
    static_assert(noexcept(e.code()));
}

TEST_CASE("error: duplicate_key_error derives from roster::error and std::runtime_error, code "
          "duplicate_key",
          "[error]") {
    check_exception_type<roster::duplicate_key_error>(errc::duplicate_key);
}

TEST_CASE(
    "error: null_value_error derives from roster::error and std::runtime_error, code null_value",
    "[error]") {
    check_exception_type<roster::null_value_error>(errc::null_value);
}

TEST_CASE(
    "error: invalid_key_error derives from roster::error and std::runtime_error, code invalid_key",
    "[error]") {
    check_exception_type<roster::invalid_key_error>(errc::invalid_key);
}

TEST_CASE("error: frozen_error derives from roster::error and std::runtime_error, code frozen",
          "[error]") {
    check_exception_type<roster::frozen_error>(errc::frozen);
}

TEST_CASE(
    "error: not_found_error derives from roster::error and std::runtime_error, code not_found",
    "[error]") {
    check_exception_type<roster::not_found_error>(errc::not_found);
}

TEST_CASE("error: the exception types are distinct, so each can be caught alone", "[error]") {
    static_assert(!std::is_base_of_v<roster::duplicate_key_error, roster::not_found_error>);
    static_assert(!std::is_base_of_v<roster::not_found_error, roster::duplicate_key_error>);
    static_assert(!std::is_base_of_v<roster::frozen_error, roster::invalid_key_error>);
    static_assert(!std::is_base_of_v<roster::null_value_error, roster::frozen_error>);
    bool caught_as_duplicate = false;
    try {
        throw roster::not_found_error("m");
    } catch (const roster::duplicate_key_error&) {
        caught_as_duplicate = true;
    } catch (const roster::error&) {
    }
    CHECK_FALSE(caught_as_duplicate);
}

// --------------------------------------------------------------- error_info

TEST_CASE("error_info: is a regular value type compared by code and message", "[error]") {
    static_assert(std::is_nothrow_move_constructible_v<roster::error_info>);
    static_assert(std::is_copy_constructible_v<roster::error_info>);
    const roster::error_info a{errc::frozen, "m"};
    roster::error_info b = a;
    CHECK(a == b);
    b.message = "other";
    CHECK_FALSE(a == b);
    const roster::error_info c{errc::not_found, "m"};
    CHECK(a != c);
    const roster::error_info empty{};
    CHECK(empty.code == errc{});
    CHECK(empty.message.empty());
}

// -------------------------------------------------------------- raise

TEST_CASE("raise: throws the exception type matching the code, with the message", "[error]") {
    using roster::raise;
    CHECK_THROWS_AS(raise({errc::duplicate_key, "d"}), roster::duplicate_key_error);
    CHECK_THROWS_AS(raise({errc::null_value, "n"}), roster::null_value_error);
    CHECK_THROWS_AS(raise({errc::invalid_key, "i"}), roster::invalid_key_error);
    CHECK_THROWS_AS(raise({errc::frozen, "f"}), roster::frozen_error);
    CHECK_THROWS_AS(raise({errc::not_found, "x"}), roster::not_found_error);
    CHECK_THROWS_WITH(raise({errc::duplicate_key, "duplicate key \"gzip\""}),
                      "duplicate key \"gzip\"");
    CHECK_THROWS_WITH(raise({errc::not_found, "no entry"}), "no entry");
}

TEST_CASE("raise: the thrown exception reports the code it was raised with", "[error]") {
    for (const errc code : {errc::duplicate_key, errc::null_value, errc::invalid_key, errc::frozen,
                            errc::not_found}) {
        CAPTURE(roster::to_string(code));
        CHECK(code_thrown_by([code] { roster::raise({code, "m"}); }) == code);
    }
}

TEST_CASE("raise: a code outside errc throws a plain roster::error with that code", "[error]") {
    const errc odd = static_cast<errc>(42);
    CHECK(code_thrown_by([&] { roster::raise({odd, "odd"}); }) == odd);
    CHECK(message_thrown_by([&] { roster::raise({odd, "odd"}); }) == "odd");
    bool caught_as_derived = false;
    try {
        roster::raise({odd, "odd"});
    } catch (const roster::duplicate_key_error&) {
        caught_as_derived = true;
    } catch (const roster::not_found_error&) {
        caught_as_derived = true;
    } catch (const roster::error&) {
    }
    CHECK_FALSE(caught_as_derived);
}

// -------------------------------------------------------------- result<T>

TEST_CASE("result: a result holding a value converts to true and gives the value", "[error]") {
    const roster::result<int> r = 7;
    CHECK(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK(r.value() == 7);
    CHECK(*r == 7);
    static_assert(std::is_same_v<roster::result<int>::value_type, int>);
}

TEST_CASE("result: a failed result converts to false and gives its error", "[error]") {
    const roster::result<int> r = roster::error_info{errc::not_found, "no entry for key \"x\""};
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error().code == errc::not_found);
    CHECK(r.error().message == "no entry for key \"x\"");
}

TEST_CASE("result: the error of a successful result is empty", "[error]") {
    const roster::result<int> r = 7;
    CHECK(r.error().code == errc{});
    CHECK(r.error().message.empty());
}

TEST_CASE("result: is not implicitly convertible to bool", "[error]") {
    static_assert(!std::is_convertible_v<roster::result<int>, bool>);
    static_assert(std::is_constructible_v<bool, roster::result<int>>);
    static_assert(!std::is_convertible_v<roster::result<void>, bool>);
    const roster::result<int> r = 0; // a value of 0 is still a value
    CHECK(static_cast<bool>(r));
}

TEST_CASE("result: value() on a failed result raises the matching exception", "[error]") {
    const roster::result<int> missing = roster::error_info{errc::not_found, "missing"};
    CHECK_THROWS_AS(missing.value(), roster::not_found_error);
    CHECK_THROWS_WITH(missing.value(), "missing");

    roster::result<std::string> frozen = roster::error_info{errc::frozen, "frozen"};
    CHECK_THROWS_AS(frozen.value(), roster::frozen_error);
    CHECK_THROWS_AS(std::move(frozen).value(), roster::frozen_error);

    const roster::result<int> duplicate = roster::error_info{errc::duplicate_key, "dup"};
    CHECK(code_thrown_by([&] { (void)duplicate.value(); }) == errc::duplicate_key);
}

TEST_CASE("result: value() gives a reference to the held value", "[error]") {
    roster::result<std::string> r = std::string("gzip");
    r.value() += "-9";
    CHECK(r.value() == "gzip-9");
    CHECK(r->size() == 6);
    static_assert(std::is_same_v<decltype(r.value()), std::string&>);
    static_assert(std::is_same_v<decltype(std::as_const(r).value()), const std::string&>);
    static_assert(std::is_same_v<decltype(std::move(r).value()), std::string&&>);
}

TEST_CASE("result: value() on an rvalue moves the value out", "[error]") {
    roster::result<std::string> r = std::string(100, 'x');
    const std::string taken = std::move(r).value();
    CHECK(taken == std::string(100, 'x'));
}

TEST_CASE("result: value_or gives the value, or the fallback on error", "[error]") {
    const roster::result<int> good = 7;
    const roster::result<int> bad = roster::error_info{errc::not_found, "m"};
    CHECK(good.value_or(-1) == 7);
    CHECK(bad.value_or(-1) == -1);

    const roster::result<std::string> text = roster::error_info{errc::frozen, "m"};
    CHECK(text.value_or("fallback") == "fallback");
    const roster::result<std::string> name = std::string("zstd");
    CHECK(name.value_or("fallback") == "zstd");
}

TEST_CASE("result: value_or on an rvalue moves the value out, so it works for move-only values",
          "[error]") {
    roster::result<std::unique_ptr<int>> good = std::make_unique<int>(7);
    const std::unique_ptr<int> taken = std::move(good).value_or(nullptr);
    REQUIRE(taken != nullptr);
    CHECK(*taken == 7);

    roster::result<std::unique_ptr<int>> bad = roster::error_info{errc::not_found, "m"};
    CHECK(std::move(bad).value_or(nullptr) == nullptr);
}

TEST_CASE("result: value_or never throws a roster error", "[error]") {
    const roster::result<int> bad = roster::error_info{errc::frozen, "m"};
    CHECK_NOTHROW(bad.value_or(0));
}

TEST_CASE("result: a result of bool distinguishes a false value from an error", "[error]") {
    const roster::result<bool> no = false;
    CHECK(static_cast<bool>(no));
    CHECK(no.value() == false);
    const roster::result<bool> failed = roster::error_info{errc::frozen, "m"};
    CHECK_FALSE(static_cast<bool>(failed));
}

TEST_CASE("result: is a regular copyable value type", "[error]") {
    const roster::result<std::string> original = std::string("brotli");
    const roster::result<std::string> copy =
        original; // NOLINT(performance-unnecessary-copy-initialization)
    CHECK(copy.value() == "brotli");
    CHECK(original.value() == "brotli");
    const roster::result<std::string> failed = roster::error_info{errc::not_found, "m"};
    const roster::result<std::string> failed_copy =
        failed; // NOLINT(performance-unnecessary-copy-initialization)
    CHECK(failed_copy.error() == failed.error());
}

TEST_CASE("result: assigning replaces the value or the error, and a move-only value makes it move-only",
          "[error]") {
    roster::result<std::string> r = std::string("lz4");
    const roster::result<std::string> failed = roster::error_info{errc::not_found, "m"};
    r = failed;
    CHECK_FALSE(r.has_value());
    CHECK(r.error() == failed.error());
    r = roster::result<std::string>(std::string("snappy"));
    REQUIRE(r.has_value());
    CHECK(*r == "snappy");
    const roster::result<std::string>& same = r;
    r = same; // self-assignment keeps the value
    CHECK(r.value() == "snappy");
    const roster::result<std::string> other = std::string("zstd");
    r = other; // a value over a value
    CHECK(r.value() == "zstd");
    CHECK(other.value() == "zstd");

    struct fixed {
        const int id; // not assignable: the value is rebuilt instead
    };
    roster::result<fixed> f = fixed{1};
    f = roster::result<fixed>(fixed{2});
    REQUIRE(f.has_value());
    CHECK(f->id == 2);

    static_assert(!std::is_copy_constructible_v<roster::result<std::unique_ptr<int>>>);
    static_assert(std::is_nothrow_move_constructible_v<roster::result<std::unique_ptr<int>>> ==
                  std::is_nothrow_move_constructible_v<roster::error_info>);
    roster::result<std::unique_ptr<int>> a = std::make_unique<int>(3);
    roster::result<std::unique_ptr<int>> b = std::move(a);
    REQUIRE(b.has_value());
    CHECK(*b.value() == 3);
}

TEST_CASE("result: the value is destroyed exactly once, when the result is", "[error]") {
    static int alive = 0;
    struct counted {
        counted() { ++alive; }
        counted(const counted&) { ++alive; }
        counted(counted&&) noexcept { ++alive; }
        counted& operator=(const counted&) = default;
        ~counted() { --alive; }
    };
    {
        roster::result<counted> r = counted{};
        CHECK(alive == 1);
        roster::result<counted> copy = r;
        CHECK(alive == 2);
        copy = roster::error_info{errc::frozen, "m"};
        CHECK(alive == 1);
    }
    CHECK(alive == 0);
}

// ----------------------------------------------------------- result<void>

TEST_CASE("result<void>: a default-constructed result is a success and value() does nothing",
          "[error]") {
    const roster::result<void> r;
    CHECK(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK_NOTHROW(r.value());
    CHECK(r.error().code == errc{});
    static_assert(std::is_void_v<roster::result<void>::value_type>);
}

TEST_CASE(
    "result<void>: a failed result converts to false and value() raises the matching exception",
    "[error]") {
    const roster::result<void> r = roster::error_info{errc::frozen, "frozen at here"};
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error().code == errc::frozen);
    CHECK(r.error().message == "frozen at here");
    CHECK_THROWS_AS(r.value(), roster::frozen_error);
    CHECK_THROWS_WITH(r.value(), "frozen at here");
}

// ------------------------------------------------------------ to_expected

#if ROSTER_HAS_EXPECTED
TEST_CASE("result: to_expected gives a std::expected with the value", "[error]") {
    roster::result<std::string> r = std::string("lz4");
    std::expected<std::string, roster::error_info> e = std::move(r).to_expected();
    REQUIRE(e.has_value());
    CHECK(*e == "lz4");
}

TEST_CASE("result: to_expected gives a std::expected with the error", "[error]") {
    roster::result<int> r = roster::error_info{errc::not_found, "nope"};
    const std::expected<int, roster::error_info> e = std::move(r).to_expected();
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code == errc::not_found);
    CHECK(e.error().message == "nope");
}

TEST_CASE("result<void>: to_expected gives a std::expected<void> with the outcome", "[error]") {
    roster::result<void> ok;
    const std::expected<void, roster::error_info> good = std::move(ok).to_expected();
    CHECK(good.has_value());

    roster::result<void> failed = roster::error_info{errc::frozen, "frozen"};
    const std::expected<void, roster::error_info> bad = std::move(failed).to_expected();
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::frozen);
    CHECK(bad.error().message == "frozen");
}
#endif

TEST_CASE("errc: conflict is 10, named \"conflict\", and raises conflict_error", "[error]") {
    CHECK(static_cast<int>(errc::conflict) == 10);
    CHECK(std::string_view(roster::to_string(errc::conflict)) == "conflict");
    CHECK_THROWS_AS(roster::raise({errc::conflict, "c"}), roster::conflict_error);
    try {
        roster::raise({errc::conflict, "two patterns"});
    } catch (const roster::error& e) {
        CHECK(e.code() == errc::conflict);
        CHECK(std::string_view(e.what()) == "two patterns");
    }
}

TEST_CASE("errc: unavailable is 11 and access_denied is 12, each raising its own exception", "[error]") {
    CHECK(static_cast<int>(errc::unavailable) == 11);
    CHECK(static_cast<int>(errc::access_denied) == 12);
    CHECK(std::string_view(roster::to_string(errc::unavailable)) == "unavailable");
    CHECK(std::string_view(roster::to_string(errc::access_denied)) == "access_denied");
    CHECK_THROWS_AS(roster::raise({errc::unavailable, "u"}), roster::unavailable_error);
    CHECK_THROWS_AS(roster::raise({errc::access_denied, "a"}), roster::access_denied_error);
    try {
        roster::raise({errc::access_denied, "authentication failed"});
    } catch (const roster::error& e) {
        CHECK(e.code() == errc::access_denied);
        CHECK(std::string_view(e.what()) == "authentication failed");
    }
}
