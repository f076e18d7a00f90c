// Tests for roster/versioned.hpp: the versioned registry — pinned, latest and
// negotiated lookups, version ordering (integers and a semantic-version
// struct), policies per (name, version), handles, freeze, messages,
// allocation-free lookups and concurrency ([concurrency] cases are the ones
// the ThreadSanitizer build runs).
#include "support/catch.hpp"

#include "roster/versioned.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <compare>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string line_text(unsigned line) { return fmt::format(":{}", line); }

/// A semantic version: ordered component by component (1.10.0 > 1.9.3).
struct semver {
    int major_part = 0;
    int minor_part = 0;
    int patch_part = 0;
    friend auto operator<=>(const semver&, const semver&) = default;
};

/// A version type fmt cannot format.
struct build_id {
    int number = 0;
    friend auto operator<=>(const build_id&, const build_id&) = default;
};

/// Counts every allocation made through it, to prove lookups build no name.
std::size_t name_allocations = 0;

template <class T>
struct counting_allocator {
    using value_type = T;
    counting_allocator() noexcept = default;
    template <class U>
    counting_allocator(const counting_allocator<U>&) noexcept {} // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) {
        ++name_allocations;
        return std::allocator<T>{}.allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    template <class U>
    bool operator==(const counting_allocator<U>&) const noexcept {
        return true;
    }
};
using counted_name = std::basic_string<char, std::char_traits<char>, counting_allocator<char>>;

using int_versions = roster::versioned_registry<int, int>;

} // namespace

template <>
struct fmt::formatter<semver> {
    constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
    template <class FormatContext>
    auto format(const semver& v, FormatContext& ctx) const -> decltype(ctx.out()) {
        const std::string text = fmt::format("{}.{}.{}", v.major_part, v.minor_part, v.patch_part);
        return std::copy(text.begin(), text.end(), ctx.out());
    }
};

// ===========================================================================
// Types

static_assert(std::is_same_v<int_versions::name_lookup_type, std::string_view>,
              "std::string names are looked up by std::string_view");
static_assert(std::is_same_v<int_versions::key_type, roster::versioned_key<std::string, int>>);
static_assert(std::is_same_v<int_versions::negotiated_type, roster::negotiated<int, int>>);
static_assert(std::is_same_v<roster::basic_versioned_registry<counted_name, int, int>::name_lookup_type,
                             std::string_view>,
              "any std::basic_string name is looked up by a string_view");
static_assert(std::totally_ordered<roster::versioned_key<std::string, semver>>);
static_assert(fmt::is_formattable<roster::versioned_key<std::string, int>>::value);
static_assert(fmt::is_formattable<roster::versioned_key<std::string, semver>>::value);
static_assert(!fmt::is_formattable<roster::versioned_key<std::string, build_id>>::value,
              "a key whose version fmt cannot format is not formattable either");
static_assert(!std::is_copy_constructible_v<int_versions>);

// ===========================================================================
// Pinned and latest lookups

TEST_CASE("versioned: get returns the value registered under exactly that name and version", "[versioned]") {
    int_versions reg{"codecs"};
    reg.add("codec", 1, 10);
    reg.add("codec", 2, 20);
    const std::string name = "codec";
    const std::string_view view = "codec";
    CHECK(reg.get("codec", 1) == 10);
    CHECK(reg.get(name, 2) == 20);
    CHECK(reg.get(view, 2) == 20);
    CHECK(reg.get("codec", 3) == std::nullopt);
    CHECK(reg.get("other", 1) == std::nullopt);
    CHECK(reg.at("codec", 1) == 10);
    CHECK(reg.contains("codec", 2));
    CHECK_FALSE(reg.contains("codec", 3));
    CHECK(reg.contains("codec"));
    CHECK_FALSE(reg.contains("other"));
    CHECK(reg.visit("codec", 2, [](int v) { return v * 2; }) == 40);
    CHECK_FALSE(reg.visit("codec", 3, [](int) {}));
}

TEST_CASE("versioned: latest returns the highest registered version of a name", "[versioned]") {
    int_versions reg{"codecs"};
    reg.add("codec", 2, 20);
    reg.add("codec", 7, 70);
    reg.add("codec", 5, 50);
    CHECK(reg.latest("codec") == 70);
    CHECK(reg.latest_version("codec") == 7);
    const auto latest = reg.try_latest("codec");
    REQUIRE(latest);
    CHECK(*latest == 70);
    CHECK(reg.latest_version("other") == std::nullopt);
    (void)reg.remove("codec", 7);
    CHECK(reg.latest("codec") == 50);
}

TEST_CASE("versioned: versions lists a name's versions in ascending order whatever the registration order",
          "[versioned]") {
    int_versions reg{"codecs"};
    for (const int v : {3, 1, 4, 10, 2}) reg.add("codec", v, v * 10);
    CHECK(reg.versions("codec") == std::vector<int>{1, 2, 3, 4, 10});
    CHECK(reg.versions("other").empty());
}

TEST_CASE("versioned: a semantic-version struct orders versions component by component", "[versioned]") {
    roster::versioned_registry<semver, std::string> reg{"schemas"};
    reg.add("user", semver{1, 10, 0}, "1.10");
    reg.add("user", semver{1, 2, 0}, "1.2");
    reg.add("user", semver{0, 9, 0}, "0.9");
    reg.add("user", semver{1, 9, 3}, "1.9.3");
    CHECK(reg.versions("user") ==
          std::vector<semver>{semver{0, 9, 0}, semver{1, 2, 0}, semver{1, 9, 3}, semver{1, 10, 0}});
    CHECK(reg.latest("user") == "1.10");
    CHECK(reg.latest_version("user") == semver{1, 10, 0});
    CHECK(reg.get("user", semver{1, 9, 3}) == "1.9.3");
    CHECK(reg.get("user", semver{1, 9, 0}) == std::nullopt);
    const auto picked = reg.negotiate("user", {semver{1, 9, 3}, semver{1, 2, 0}, semver{2, 0, 0}});
    CHECK(picked.version == semver{1, 9, 3});
    CHECK(picked.value == "1.9.3");
}

TEST_CASE("versioned: names sharing a prefix keep their versions apart", "[versioned]") {
    int_versions reg{"codecs"};
    reg.add("codec2", 7, 700);
    reg.add("codec", 2, 20);
    reg.add("code", 9, 90);
    reg.add("codec-x", 5, 500);
    reg.add("codec", 1, 10);
    CHECK(reg.versions("codec") == std::vector<int>{1, 2});
    CHECK(reg.latest("codec") == 20);
    CHECK(reg.latest_version("code") == 9);
    CHECK(reg.latest_version("codec2") == 7);
    CHECK(reg.versions("cod").empty());
    CHECK_FALSE(reg.contains("cod"));
    CHECK_FALSE(reg.contains("codec", 7));
    const auto foreign = reg.try_negotiate("codec", {5, 7, 9});
    REQUIRE_FALSE(foreign);
    CHECK(foreign.error().code == roster::errc::no_common_version);
    (void)reg.remove("codec", 1);
    (void)reg.remove("codec", 2);
    CHECK_FALSE(reg.contains("codec"));
    CHECK(reg.contains("codec2"));
    CHECK(reg.contains("code"));
}

TEST_CASE("versioned: names lists each name once, sorted, while size counts every version", "[versioned]") {
    int_versions reg{"codecs"};
    CHECK(reg.empty());
    CHECK(reg.state() == roster::lifecycle::empty);
    reg.add("zstd", 1, 1);
    reg.add("gzip", 2, 2);
    reg.add("gzip", 1, 1);
    reg.add("zstd", 3, 3);
    reg.add("lz4", 1, 1);
    CHECK(reg.names() == std::vector<std::string>{"gzip", "lz4", "zstd"});
    CHECK(reg.size() == 5);
    CHECK(reg.state() == roster::lifecycle::populated);
    CHECK(reg.name() == "codecs");
}

TEST_CASE("versioned: names need not be strings", "[versioned]") {
    roster::basic_versioned_registry<int, int, std::string> reg{"by-id"};
    reg.add(7, 1, "seven.1");
    reg.add(7, 2, "seven.2");
    reg.add(70, 1, "seventy.1");
    CHECK(reg.latest(7) == "seven.2");
    CHECK(reg.versions(70) == std::vector<int>{1});
    CHECK(reg.names() == std::vector<int>{7, 70});
    const auto miss = reg.try_latest(8);
    REQUIRE_FALSE(miss);
    CHECK(contains_text(miss.error().message, "no entry for key 8 "));
    CHECK(contains_text(miss.error().message, "nearest: 7, 70"));
}

// ===========================================================================
// Negotiation

TEST_CASE("versioned: negotiate picks the highest version both sides support", "[versioned]") {
    roster::versioned_registry<int, std::string> reg{"protocols"};
    reg.add("handshake", 1, "v1");
    reg.add("handshake", 2, "v2");
    reg.add("handshake", 4, "v4");

    const auto [version, value] = reg.negotiate("handshake", {3, 1, 2, 5});
    CHECK(version == 2);
    CHECK(value == "v2");

    const std::vector<int> client{4, 1};
    CHECK(reg.negotiate("handshake", client).value == "v4");
    const std::array<int, 3> repeated{1, 1, 1};
    CHECK(reg.negotiate("handshake", repeated).version == 1);
    const int c_array[] = {2, 9};
    CHECK(reg.negotiate("handshake", c_array).version == 2);

    CHECK(reg.negotiate_version("handshake", {5, 4}) == 4);
    CHECK(reg.negotiate_version("handshake", client) == 4);
    const auto result = reg.try_negotiate("handshake", {1});
    REQUIRE(result);
    CHECK(result->version == 1);
    CHECK(result->value == "v1");
    const auto version_only = reg.try_negotiate_version("handshake", {2, 1});
    REQUIRE(version_only);
    CHECK(*version_only == 2);
}

TEST_CASE("versioned: negotiate_version works for a move-only value", "[versioned]") {
    roster::versioned_registry<int, std::unique_ptr<int>> reg{"owned"};
    reg.add("box", 1, std::make_unique<int>(1));
    reg.add("box", 3, std::make_unique<int>(3));
    CHECK(reg.negotiate_version("box", {1, 2, 3}) == 3);
    CHECK(reg.visit("box", 3, [](const std::unique_ptr<int>& p) { return *p; }) == 3);
}

TEST_CASE("versioned: negotiate without a common version reports no_common_version listing both sides' versions",
          "[versioned]") {
    roster::versioned_registry<int, std::string> reg{"protocols"};
    reg.add("handshake", 4, "v4");
    reg.add("handshake", 1, "v1");
    reg.add("handshake", 2, "v2");

    const unsigned line = __LINE__ + 1;
    const auto refused = reg.try_negotiate("handshake", {7, 5, 3});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == roster::errc::no_common_version);
    const std::string& message = refused.error().message;
    CHECK(contains_text(message, "roster: registry \"protocols\": no common version for \"handshake\" at "));
    CHECK(contains_text(message, line_text(line)));
    CHECK(contains_text(message, "registered versions 1, 2, 4"));
    CHECK(contains_text(message, "acceptable versions 7, 5, 3"));

    CHECK_THROWS_AS(reg.negotiate("handshake", {9}), roster::no_common_version_error);
    CHECK_THROWS_AS(reg.negotiate_version("handshake", {9}), roster::no_common_version_error);
    const auto version_only = reg.try_negotiate_version("handshake", {9});
    REQUIRE_FALSE(version_only);
    CHECK(version_only.error().code == roster::errc::no_common_version);

    const auto nothing = reg.try_negotiate("handshake", std::vector<int>{});
    REQUIRE_FALSE(nothing);
    CHECK(contains_text(nothing.error().message, "acceptable versions (none)"));
}

TEST_CASE("versioned: no_common_version lists semantic versions as fmt prints them", "[versioned]") {
    roster::versioned_registry<semver, int> reg{"schemas"};
    reg.add("user", semver{1, 0, 0}, 1);
    reg.add("user", semver{1, 2, 0}, 2);
    const auto refused = reg.try_negotiate("user", {semver{2, 0, 1}});
    REQUIRE_FALSE(refused);
    CHECK(contains_text(refused.error().message, "registered versions 1.0.0, 1.2.0; acceptable versions 2.0.1"));
}

// ===========================================================================
// Misses

TEST_CASE("versioned: a lookup of an unknown name reports not_found naming the nearest names", "[versioned]") {
    int_versions reg{"codecs"};
    reg.add("codec", 1, 10);
    reg.add("codec", 2, 20);
    reg.add("codec2", 1, 30);
    reg.add("zstd", 3, 40);

    const unsigned line = __LINE__ + 1;
    const auto latest = reg.try_latest("codex");
    REQUIRE_FALSE(latest);
    CHECK(latest.error().code == roster::errc::not_found);
    CHECK(contains_text(latest.error().message, "roster: registry \"codecs\": no entry for key \"codex\" at "));
    CHECK(contains_text(latest.error().message, line_text(line)));
    // Names, once each, not (name, version) keys.
    CHECK(contains_text(latest.error().message, "; 3 registered, nearest: \"codec\", \"codec2\", \"zstd\""));
    CHECK_THROWS_AS(reg.latest("codex"), roster::not_found_error);

    const auto negotiated = reg.try_negotiate("codex", {1});
    REQUIRE_FALSE(negotiated);
    CHECK(negotiated.error().code == roster::errc::not_found);
    CHECK(contains_text(negotiated.error().message, "nearest: \"codec\""));
    CHECK_THROWS_AS(reg.negotiate("codex", {1}), roster::not_found_error);

    const auto pinned = reg.try_at("codex", 1);
    REQUIRE_FALSE(pinned);
    CHECK(contains_text(pinned.error().message, "no entry for key \"codex\"@1 at "));
    CHECK(contains_text(pinned.error().message, "nearest: \"codec\", \"codec2\""));
    CHECK_THROWS_AS(reg.at("codex", 1), roster::not_found_error);

    const auto removed = reg.try_remove("codex", 1);
    REQUIRE_FALSE(removed);
    CHECK(removed.error().code == roster::errc::not_found);
    CHECK(contains_text(removed.error().message, "nearest: \"codec\", \"codec2\""));
}

TEST_CASE("versioned: a missing version of a known name is not_found listing the versions it has", "[versioned]") {
    int_versions reg{"codecs"};
    reg.add("codec", 2, 20);
    reg.add("codec", 1, 10);
    const auto pinned = reg.try_at("codec", 7);
    REQUIRE_FALSE(pinned);
    CHECK(pinned.error().code == roster::errc::not_found);
    CHECK(contains_text(pinned.error().message, "no entry for key \"codec\"@7 at "));
    CHECK(contains_text(pinned.error().message, "; \"codec\" has versions 1, 2"));
    CHECK_THROWS_AS(reg.remove("codec", 7), roster::not_found_error);
    const auto removed = reg.try_remove("codec", 7);
    REQUIRE_FALSE(removed);
    CHECK(removed.error().code == roster::errc::not_found);
    CHECK(contains_text(removed.error().message, "no entry for key \"codec\"@7 at "));
    CHECK(contains_text(removed.error().message, "; \"codec\" has versions 1, 2"));
    CHECK(reg.size() == 2);
}

TEST_CASE("versioned: a miss in an empty registry says the registry is empty", "[versioned]") {
    int_versions reg{"nothing"};
    const auto latest = reg.try_latest("codec");
    REQUIRE_FALSE(latest);
    CHECK(contains_text(latest.error().message, "; the registry is empty"));
}

// ===========================================================================
// Policies, handles, lifecycle

TEST_CASE("versioned: a duplicate (name, version) is refused with both source locations while another version "
          "of the name is accepted",
          "[versioned]") {
    int_versions reg{"dups"};
    const unsigned first_line = __LINE__ + 1;
    reg.add("codec", 1, 10);
    const unsigned second_line = __LINE__ + 1;
    const auto refused = reg.try_add("codec", 1, 11);
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::duplicate_key);
    CHECK(contains_text(refused.error().message, "roster: registry \"dups\": duplicate key \"codec\"@1: added at "));
    CHECK(contains_text(refused.error().message, line_text(second_line) + " "));
    CHECK(contains_text(refused.error().message, "already added at "));
    CHECK(contains_text(refused.error().message, line_text(first_line) + " "));
    REQUIRE(refused.existing().has_value());
    CHECK(refused.existing()->value == 10);
    CHECK(refused.existing()->where.line() == first_line);
    CHECK_THROWS_AS(reg.add("codec", 1, 12), roster::duplicate_key_error);

    const auto other = reg.add("codec", 2, 20);
    CHECK(other.status() == roster::add_status::added);
    CHECK(reg.get("codec", 1) == 10);
    CHECK(reg.get("codec", 2) == 20);
    CHECK(reg.size() == 2);
}

TEST_CASE("versioned: on_duplicate::replace replaces one (name, version) and leaves the name's other versions",
          "[versioned]") {
    roster::versioned_registry<int, int, roster::on_duplicate::replace> reg{"replacing"};
    reg.add("codec", 1, 10);
    reg.add("codec", 2, 20);
    const auto replaced = reg.add("codec", 1, 11);
    CHECK(replaced.status() == roster::add_status::replaced);
    REQUIRE(replaced.existing().has_value());
    CHECK(replaced.existing()->value == 10);
    CHECK(reg.get("codec", 1) == 11);
    CHECK(reg.get("codec", 2) == 20);
    CHECK(reg.latest("codec") == 20);
    CHECK(reg.size() == 2);
}

TEST_CASE("versioned: on_duplicate::keep_first keeps the first value of a (name, version)", "[versioned]") {
    roster::versioned_registry<int, int, roster::on_duplicate::keep_first, roster::locking::none> reg{"first"};
    reg.add("codec", 1, 10);
    const auto kept = reg.add("codec", 1, 11);
    CHECK(kept.status() == roster::add_status::kept_existing);
    CHECK(reg.get("codec", 1) == 10);
    CHECK(reg.add("codec", 2, 20).status() == roster::add_status::added);
}

TEST_CASE("versioned: a registration handle removes exactly its (name, version) entry", "[versioned]") {
    int_versions reg{"handles"};
    auto first = reg.add("codec", 1, 10).handle();
    auto second = reg.add("codec", 2, 20).handle();
    reg.add("codec2", 1, 30);
    REQUIRE(first.active());
    CHECK(first.key().name == "codec");
    CHECK(first.key().version == 1);

    CHECK(first.remove());
    CHECK_FALSE(first.active());
    CHECK_FALSE(reg.contains("codec", 1));
    CHECK(reg.versions("codec") == std::vector<int>{2});
    CHECK(reg.contains("codec2", 1));

    // A later re-registration under the same (name, version) is not the handle's.
    CHECK(reg.remove("codec", 2) == 20);
    reg.add("codec", 2, 22);
    CHECK_FALSE(second.remove());
    CHECK(reg.get("codec", 2) == 22);

    {
        const roster::scoped_registration scoped = reg.add("temp", 1, 1).handle();
        CHECK(reg.contains("temp", 1));
    }
    CHECK_FALSE(reg.contains("temp"));
}

TEST_CASE("versioned: after freeze, mutations are refused naming where it was frozen and lookups still work",
          "[versioned]") {
    int_versions reg{"frozen"};
    reg.add("codec", 1, 10);
    reg.add("codec", 2, 20);
    auto handle = reg.add("codec", 3, 30).handle();
    const unsigned freeze_line = __LINE__ + 1;
    reg.freeze();
    CHECK(reg.frozen());
    CHECK(reg.state() == roster::lifecycle::frozen);
    REQUIRE(reg.frozen_at().has_value());
    CHECK(reg.frozen_at()->line() == freeze_line);

    const auto late = reg.try_add("codec", 4, 40);
    CHECK(late.status() == roster::add_status::refused);
    CHECK(late.error().code == roster::errc::frozen);
    CHECK(contains_text(late.error().message, "cannot add key \"codec\"@4 at "));
    CHECK(contains_text(late.error().message, "frozen at "));
    CHECK(contains_text(late.error().message, line_text(freeze_line)));
    CHECK_THROWS_AS(reg.add("codec", 4, 40), roster::frozen_error);
    CHECK_THROWS_AS(reg.remove("codec", 1), roster::frozen_error);
    const auto removal = reg.try_remove("codec", 9);
    REQUIRE_FALSE(removal);
    CHECK(removal.error().code == roster::errc::frozen);
    CHECK(contains_text(removal.error().message, "cannot remove key \"codec\"@9"));
    CHECK_THROWS_AS(handle.remove(), roster::frozen_error);

    CHECK(reg.latest("codec") == 30);
    CHECK(reg.versions("codec") == std::vector<int>{1, 2, 3});
    CHECK(reg.negotiate("codec", {2, 5}).value == 20);
    CHECK(reg.get("codec", 1) == 10);
    CHECK(reg.size() == 3);
}

TEST_CASE("versioned: an empty name is refused as an invalid key", "[versioned]") {
    int_versions reg{"names"};
    const auto refused = reg.try_add("", 1, 1);
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::invalid_key);
    CHECK(contains_text(refused.error().message, "invalid key \"\"@1 at "));
    CHECK(contains_text(refused.error().message, "key is empty"));
    CHECK_THROWS_AS(reg.add("a\nb", 1, 1), roster::invalid_key_error);
    CHECK(reg.empty());
}

TEST_CASE("versioned: every entry records where it was added, and for_each visits entries by (name, version)",
          "[versioned]") {
    int_versions reg{"located"};
    reg.add("b", 1, 3);
    const unsigned line = __LINE__ + 1;
    reg.add("a", 2, 2);
    reg.add("a", 1, 1);
    const auto where = reg.location("a", 2);
    REQUIRE(where.has_value());
    CHECK(where->line() == line);
    CHECK(contains_text(where->file_name(), "versioned.cpp"));
    CHECK_FALSE(reg.location("a", 3).has_value());

    std::vector<std::string> seen;
    reg.for_each([&](const int_versions::key_type& key, int value) {
        seen.push_back(fmt::format("{}@{}={}", key.name, key.version, value));
    });
    CHECK(seen == std::vector<std::string>{"a@1=1", "a@2=2", "b@1=3"});

    unsigned recorded = 0;
    reg.for_each([&](const int_versions::key_type& key, int, const roster::source_location& at) {
        if (key.name == "a" && key.version == 2) recorded = at.line();
    });
    CHECK(recorded == line);
}

TEST_CASE("versioned: a named copy holds the same entries and is independent of the original", "[versioned]") {
    int_versions original{"original"};
    auto handle = original.add("codec", 1, 10).handle();
    original.add("codec", 2, 20);
    int_versions copy(original, "copy");
    CHECK(copy.name() == "copy");
    CHECK(copy.versions("codec") == std::vector<int>{1, 2});
    CHECK(handle.remove());
    CHECK(copy.get("codec", 1) == 10);
    CHECK_FALSE(original.contains("codec", 1));
}

TEST_CASE("versioned: a default-constructed registry is named after its name, version and value types",
          "[versioned]") {
    roster::basic_versioned_registry<int, long, double> reg;
    CHECK(contains_text(reg.name(), "basic_versioned_registry<"));
    CHECK(contains_text(reg.name(), "long"));
    CHECK(contains_text(reg.name(), "double"));
}

// ===========================================================================
// Messages and formatting

TEST_CASE("versioned: keys print as \"name\"@version and unprintable versions as their key type", "[versioned]") {
    CHECK(fmt::format("{}", roster::versioned_key<std::string, int>{"codec", 3}) == "\"codec\"@3");
    CHECK(fmt::format("{}", roster::versioned_key<std::string, semver>{"user", semver{1, 2, 3}}) ==
          "\"user\"@1.2.3");
    CHECK(fmt::format("{}", roster::versioned_key<int, int>{7, 2}) == "7@2");
    CHECK(fmt::format("{}", roster::versioned_key<std::string, int>{"a\"b", 1}) == "\"a\\\"b\"@1");

    roster::versioned_registry<build_id, int> reg{"builds"};
    reg.add("tool", build_id{1}, 1);
    reg.add("tool", build_id{2}, 2);
    const auto duplicate = reg.try_add("tool", build_id{1}, 3);
    REQUIRE_FALSE(duplicate);
    CHECK(contains_text(duplicate.error().message, "duplicate key <key of type roster::versioned_key<"));
    CHECK(contains_text(duplicate.error().message, "build_id>>"));
    const auto none = reg.try_negotiate("tool", {build_id{5}});
    REQUIRE_FALSE(none);
    CHECK(contains_text(none.error().message, "registered versions (2 of type "));
    CHECK(contains_text(none.error().message, "build_id, not printable); acceptable versions (1 of type "));
    const auto missing = reg.try_at("tool", build_id{9});
    REQUIRE_FALSE(missing);
    CHECK(contains_text(missing.error().message, "no entry for key <key of type roster::versioned_key<"));
    CHECK(contains_text(missing.error().message, "\"tool\" has versions (2 of type "));
    CHECK(reg.latest("tool") == 2);
}

// ===========================================================================
// Heterogeneous lookup

TEST_CASE("versioned: lookups by std::string_view build no temporary name", "[versioned]") {
    // Names longer than any small-string buffer: building one must allocate,
    // through counting_allocator.
    const counted_name stored("a-codec-name-well-past-any-small-string-buffer");
    const std::string_view view = "a-codec-name-well-past-any-small-string-buffer";
    name_allocations = 0;
    const counted_name probe(view.data(), view.size());
    CHECK(name_allocations == 1); // the counter sees a name being built

    roster::basic_versioned_registry<counted_name, int, int> reg{"counted"};
    reg.add(stored, 1, 10);
    reg.add(stored, 2, 20);
    reg.add(counted_name("another-name-well-past-any-small-string-buffer"), 1, 30);

    name_allocations = 0;
    const auto pinned = reg.get(view, 1);
    const int latest = reg.latest(view);
    const auto latest_version = reg.latest_version(view);
    const bool has_version = reg.contains(view, 2);
    const bool has_name = reg.contains(view);
    const auto negotiated = reg.negotiate(view, {2, 1});
    const auto miss = reg.get("a-missing-name-well-past-any-small-string-buffer", 1);
    const std::size_t during_lookups = name_allocations;

    CHECK(during_lookups == 0);
    CHECK(pinned == 10);
    CHECK(latest == 20);
    CHECK(latest_version == 2);
    CHECK(has_version);
    CHECK(has_name);
    CHECK(negotiated.value == 20);
    CHECK_FALSE(miss.has_value());
}

TEST_CASE("versioned: versioned_key also serves as a hashed core key looked up by a view", "[versioned]") {
    using key = roster::versioned_key<std::string, int>;
    roster::basic_registry<key, int> reg{"hashed"};
    reg.add(key{"codec", 1}, 10);
    reg.add(key{"codec", 2}, 20);
    const int one = 1;
    const int three = 3;
    CHECK(reg.get({"codec", one}) == 10);
    CHECK_FALSE(reg.contains({"codec", three}));
    CHECK(contains_text(reg.try_add(key{"codec", 2}, 0).error().message, "duplicate key \"codec\"@2"));
}

// ===========================================================================
// Concurrency

TEST_CASE("versioned: readers calling latest and negotiate while writers add versions always see a registered "
          "version with its own value",
          "[versioned][concurrency]") {
    int_versions reg{"racing"};
    reg.add("proto", 0, 0);
    constexpr int writers = 3;
    constexpr int per_writer = 200;
    constexpr int highest = writers * per_writer;
    const std::vector<int> acceptable{0, 7, 100, 301, highest};

    std::atomic<bool> done{false};
    std::atomic<int> bad_reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            int last_latest = 0;
            int last_negotiated = 0;
            do {
                // Only adds happen: what a reader sees never goes backwards.
                const int latest = reg.latest("proto");
                if (latest % 10 != 0 || latest / 10 < last_latest) bad_reads.fetch_add(1);
                last_latest = latest / 10;
                const auto picked = reg.try_negotiate("proto", acceptable);
                if (!picked || picked->value != picked->version * 10 || picked->version < last_negotiated)
                    bad_reads.fetch_add(1);
                else last_negotiated = picked->version;
                const auto versions = reg.versions("proto");
                if (versions.empty() || versions.front() != 0 || !std::is_sorted(versions.begin(), versions.end()))
                    bad_reads.fetch_add(1);
            } while (!done.load(std::memory_order_acquire));
        });
    }
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            for (int v = w + 1; v <= highest; v += writers) reg.add("proto", v, v * 10);
        });
    }
    for (auto& t : threads) t.join();
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();

    CHECK(bad_reads.load() == 0);
    CHECK(reg.size() == static_cast<std::size_t>(highest + 1));
    CHECK(reg.latest_version("proto") == highest);
    CHECK(reg.negotiate_version("proto", acceptable) == highest);
}

TEST_CASE("versioned: once frozen, concurrent readers see the same latest and negotiated versions",
          "[versioned][concurrency]") {
    int_versions reg{"frozen-readers"};
    for (int v = 1; v <= 50; ++v) reg.add("proto", v, v * 10);
    reg.freeze();
    std::atomic<int> bad_reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 4; ++r) {
        readers.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                if (reg.latest("proto") != 500) bad_reads.fetch_add(1);
                if (reg.negotiate("proto", {3, 49, 70}).value != 490) bad_reads.fetch_add(1);
                if (reg.versions("proto").size() != 50) bad_reads.fetch_add(1);
            }
        });
    }
    for (auto& t : readers) t.join();
    CHECK(bad_reads.load() == 0);
}
