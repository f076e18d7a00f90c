#include "support/catch.hpp"

#include "roster/policies.hpp"
#include "roster/counters.hpp"

#include "roster/factory.hpp"
#include "roster/registry.hpp"
#include "roster/versioned.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

namespace dup = roster::on_duplicate;
namespace nul = roster::on_null;
namespace lck = roster::locking;
namespace cat = roster::policy_category;
using roster::detail::select_policy_t;

/// Not a policy: has no roster_policy_category.
struct not_a_tag {};

/// A user-defined tag in an existing category is a policy too.
struct custom_locking {
    using roster_policy_category = cat::locking;
};

template <class Registry, class Duplicate, class Null, class Locking>
constexpr bool declares() {
    return std::is_same_v<typename Registry::duplicate_policy, Duplicate> &&
           std::is_same_v<typename Registry::null_policy, Null> &&
           std::is_same_v<typename Registry::locking_policy, Locking>;
}

} // namespace

TEST_CASE("policy: the concept accepts every tag roster defines", "[policies]") {
    static_assert(roster::policy<dup::throw_error>);
    static_assert(roster::policy<dup::return_error>);
    static_assert(roster::policy<dup::replace>);
    static_assert(roster::policy<dup::keep_first>);
    static_assert(roster::policy<dup::accept_if_equal>);
    static_assert(roster::policy<nul::reject>);
    static_assert(roster::policy<nul::allow>);
    static_assert(roster::policy<lck::shared_mutex>);
    static_assert(roster::policy<lck::none>);
    CHECK(roster::policy<dup::replace>);
    CHECK(roster::policy<lck::none>);
}

TEST_CASE("policy: the concept rejects types that are not tags", "[policies]") {
    static_assert(!roster::policy<int>);
    static_assert(!roster::policy<void>);
    static_assert(!roster::policy<std::string>);
    static_assert(!roster::policy<not_a_tag>);
    static_assert(!roster::policy<cat::on_duplicate>, "a category is not a tag");
    CHECK_FALSE(roster::policy<int>);
    CHECK_FALSE(roster::policy<not_a_tag>);
}

TEST_CASE("policy: a user type naming a category is accepted as a tag", "[policies]") {
    static_assert(roster::policy<custom_locking>);
    static_assert(std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, custom_locking>,
                                 custom_locking>);
    CHECK(roster::policy<custom_locking>);
}

TEST_CASE("policy: each tag names its own category", "[policies]") {
    static_assert(std::is_same_v<dup::throw_error::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::return_error::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::replace::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::keep_first::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::accept_if_equal::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<nul::reject::roster_policy_category, cat::on_null>);
    static_assert(std::is_same_v<nul::allow::roster_policy_category, cat::on_null>);
    static_assert(std::is_same_v<lck::shared_mutex::roster_policy_category, cat::locking>);
    static_assert(std::is_same_v<lck::none::roster_policy_category, cat::locking>);
    CHECK(roster::detail::in_category<dup::replace, cat::on_duplicate>);
    CHECK_FALSE(roster::detail::in_category<dup::replace, cat::locking>);
    CHECK_FALSE(roster::detail::in_category<int, cat::locking>);
}

TEST_CASE("policy: tags are empty types", "[policies]") {
    static_assert(std::is_empty_v<dup::throw_error> && std::is_empty_v<dup::replace>);
    static_assert(std::is_empty_v<nul::allow> && std::is_empty_v<lck::none>);
    CHECK(sizeof(dup::replace) == 1);
}

TEST_CASE("select_policy_t: picks the default when no tag of the category is given", "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error>, dup::throw_error>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow, lck::none>,
                       dup::throw_error>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, dup::replace>, nul::reject>);
    static_assert(std::is_same_v<
                  select_policy_t<cat::locking, lck::shared_mutex, dup::keep_first, nul::allow>,
                  lck::shared_mutex>);
    CHECK(std::is_same_v<select_policy_t<cat::on_null, nul::reject, dup::replace, lck::none>,
                         nul::reject>);
}

TEST_CASE("select_policy_t: picks the given tag whatever its position", "[policies]") {
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::replace>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::replace,
                                                 nul::allow, lck::none>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow,
                                                 dup::replace, lck::none>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow,
                                                 lck::none, dup::replace>,
                                 dup::replace>);
    static_assert(
        std::is_same_v<
            select_policy_t<cat::on_null, nul::reject, lck::none, dup::keep_first, nul::allow>,
            nul::allow>);
    static_assert(
        std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, lck::none, nul::allow>,
                       lck::none>);
    CHECK(std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, nul::allow, lck::none>,
                         lck::none>);
}

TEST_CASE("select_policy_t: an explicitly given default is picked like any other tag",
          "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, nul::reject>, nul::reject>);
    static_assert(
        std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, lck::shared_mutex>,
                       lck::shared_mutex>);
    CHECK(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::throw_error>,
                         dup::throw_error>);
}

TEST_CASE("select_policy_t: ignores arguments that are not tags", "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, int, not_a_tag>, nul::reject>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, int, nul::allow>, nul::allow>);
    CHECK(std::is_same_v<select_policy_t<cat::on_null, nul::reject, not_a_tag, nul::allow>,
                         nul::allow>);
}

TEST_CASE("count_in_category: counts the tags of one category", "[policies]") {
    using roster::detail::count_in_category;
    static_assert(count_in_category<cat::on_duplicate> == 0);
    static_assert(count_in_category<cat::on_duplicate, nul::allow, lck::none> == 0);
    static_assert(count_in_category<cat::on_duplicate, dup::replace, nul::allow> == 1);
    static_assert(count_in_category<cat::on_duplicate, dup::replace, nul::allow, dup::keep_first> ==
                  2);
    static_assert(count_in_category<cat::locking, int, lck::none, not_a_tag> == 1);
    CHECK(count_in_category<cat::on_null, nul::allow, nul::reject, dup::replace> == 2);
}

TEST_CASE("basic_registry: with no tags declares the defaults", "[policies]") {
    using reg = roster::registry<int>;
    static_assert(declares<reg, dup::throw_error, nul::reject, lck::shared_mutex>());
    CHECK(declares<reg, dup::throw_error, nul::reject, lck::shared_mutex>());
}

TEST_CASE("basic_registry: declares a single given tag and defaults the rest", "[policies]") {
    static_assert(declares<roster::registry<int, dup::replace>, dup::replace, nul::reject,
                           lck::shared_mutex>());
    static_assert(declares<roster::registry<int*, nul::allow>, dup::throw_error, nul::allow,
                           lck::shared_mutex>());
    static_assert(
        declares<roster::registry<int, lck::none>, dup::throw_error, nul::reject, lck::none>());
    CHECK(declares<roster::registry<int, dup::keep_first>, dup::keep_first, nul::reject,
                   lck::shared_mutex>());
}

TEST_CASE("basic_registry: declares the selected policies whatever order the tags are given in",
          "[policies]") {
    using expected_dup = dup::keep_first;
    using expected_null = nul::allow;
    using expected_lock = lck::none;
    static_assert(declares<roster::registry<int*, dup::keep_first, nul::allow, lck::none>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, dup::keep_first, lck::none, nul::allow>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, nul::allow, dup::keep_first, lck::none>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, nul::allow, lck::none, dup::keep_first>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, lck::none, dup::keep_first, nul::allow>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, lck::none, nul::allow, dup::keep_first>,
                           expected_dup, expected_null, expected_lock>());
    CHECK(declares<roster::registry<int*, lck::none, nul::allow, dup::keep_first>, expected_dup,
                   expected_null, expected_lock>());
}

TEST_CASE("basic_registry: declares two given tags in either order and defaults the third",
          "[policies]") {
    static_assert(declares<roster::registry<int, dup::return_error, lck::none>, dup::return_error,
                           nul::reject, lck::none>());
    static_assert(declares<roster::registry<int, lck::none, dup::return_error>, dup::return_error,
                           nul::reject, lck::none>());
    static_assert(declares<roster::basic_registry<int, int, nul::allow, dup::accept_if_equal>,
                           dup::accept_if_equal, nul::allow, lck::shared_mutex>());
    static_assert(declares<roster::basic_registry<int, int, dup::accept_if_equal, nul::allow>,
                           dup::accept_if_equal, nul::allow, lck::shared_mutex>());
    CHECK(declares<roster::registry<int, lck::none, dup::return_error>, dup::return_error,
                   nul::reject, lck::none>());
}

TEST_CASE("basic_registry: the order of tags does not matter to its behaviour", "[policies]") {
    // Same tags, two orders: both behave as on_duplicate::replace.
    roster::registry<int, dup::replace, lck::none> first{"first"};
    roster::registry<int, lck::none, dup::replace> second{"second"};
    REQUIRE(first.add("k", 1));
    REQUIRE(second.add("k", 1));
    CHECK(first.add("k", 2).status() == roster::add_status::replaced);
    CHECK(second.add("k", 2).status() == roster::add_status::replaced);
    CHECK(first.get("k") == 2);
    CHECK(second.get("k") == 2);
}

// ---------------------------------------------------------------- counters::

namespace {

template <class R>
concept has_lookups = requires(const R& r) { r.lookups(); };

using plain_registry = roster::registry<int>;
using counted_registry = roster::registry<int, roster::counters::per_registry>;
using keyed_registry = roster::registry<int, roster::counters::per_key>;

} // namespace

TEST_CASE("counters::none: the default, leaves no trace in the registry's type, size or interface",
          "[policies][counters]") {
    static_assert(std::is_same_v<plain_registry::counters_policy, roster::counters::none>);
    static_assert(std::is_same_v<plain_registry::listing_policy, roster::listing::unlisted>);
    static_assert(sizeof(plain_registry) == sizeof(roster::registry<int, roster::counters::none>));
    static_assert(sizeof(plain_registry) == sizeof(roster::registry<int, roster::listing::unlisted>));
    static_assert(!has_lookups<plain_registry>);
    static_assert(has_lookups<counted_registry>);
    static_assert(has_lookups<keyed_registry>);
    plain_registry reg{"counters.none"};
    reg.add("a", 1);
    (void)reg.get("a");
    CHECK_FALSE(reg.report().lookups.has_value());
    CHECK_FALSE(reg.report().entries.at(0).hits.has_value());
}

TEST_CASE("counters::per_registry: get, visit and at count hits and misses; contains and location do not",
          "[policies][counters]") {
    counted_registry reg{"counters.per_registry"};
    reg.add("a", 1);
    CHECK(reg.lookups().hits == 0);
    (void)reg.get("a");
    (void)reg.get("missing");
    CHECK(reg.visit("a", [](int) {}));
    CHECK_FALSE(reg.visit("nope", [](int) {}));
    CHECK(reg.at("a") == 1);
    CHECK_FALSE(reg.try_at("absent").has_value());
    CHECK(reg.contains("a"));
    CHECK_FALSE(reg.contains("b"));
    (void)reg.location("a");
    const roster::lookup_counts counts = reg.lookups();
    CHECK(counts.hits == 3);
    CHECK(counts.misses == 3);
    const auto report = reg.report();
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 3);
    CHECK(report.lookups->misses == 3);
    CHECK_FALSE(report.entries.at(0).hits.has_value()); // not per key
    CHECK(report.missed_keys.empty());
}

TEST_CASE("counters::per_key: counts hits per entry and misses per key looked up", "[policies][counters]") {
    keyed_registry reg{"counters.per_key"};
    reg.add("gzip", 1);
    reg.add("zstd", 2);
    for (int i = 0; i < 3; ++i) (void)reg.get("gzip");
    (void)reg.get("zstd");
    (void)reg.get("brotli");
    (void)reg.get("brotli");
    (void)reg.try_at("lz4");
    const auto report = reg.report();
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"gzip\"");
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(3));
    CHECK(report.entries[1].hits == std::optional<std::uint64_t>(1));
    REQUIRE(report.missed_keys.size() == 2);
    CHECK(report.missed_keys[0].key == "\"brotli\"");
    CHECK(report.missed_keys[0].misses == 2);
    CHECK(report.missed_keys[1].key == "\"lz4\"");
    CHECK(report.missed_keys[1].misses == 1);
    CHECK(report.other_misses == 0);
    CHECK(reg.lookups().hits == 4);
    CHECK(reg.lookups().misses == 3);
}

TEST_CASE("counters::per_key: keeps at most 256 missed keys by name and counts the rest together",
          "[policies][counters]") {
    keyed_registry reg{"counters.per_key.bounded"};
    for (int i = 0; i < 300; ++i) (void)reg.get("missing." + std::to_string(i));
    (void)reg.get("missing.0"); // already kept: counted under its name
    const auto report = reg.report();
    CHECK(report.missed_keys.size() == 256);
    CHECK(report.other_misses == 300 - 256);
    CHECK(reg.lookups().misses == 301);
    const auto first = std::find_if(report.missed_keys.begin(), report.missed_keys.end(),
                                    [](const roster::key_misses& m) { return m.key == "\"missing.0\""; });
    REQUIRE(first != report.missed_keys.end());
    CHECK(first->misses == 2);
}

TEST_CASE("counters: a frozen registry still counts, without a lock", "[policies][counters]") {
    keyed_registry reg{"counters.frozen"};
    reg.add("a", 1);
    reg.freeze();
    (void)reg.get("a");
    (void)reg.get("b");
    CHECK(reg.lookups().hits == 1);
    CHECK(reg.lookups().misses == 1);
    CHECK(reg.report().entries.at(0).hits == std::optional<std::uint64_t>(1));
}

TEST_CASE("counters: a named copy starts from zero", "[policies][counters]") {
    keyed_registry reg{"counters.copied"};
    reg.add("a", 1);
    (void)reg.get("a");
    (void)reg.get("x");
    const keyed_registry copy(reg, "counters.copy");
    CHECK(copy.lookups().hits == 0);
    CHECK(copy.lookups().misses == 0);
    CHECK(copy.report().entries.at(0).hits == std::optional<std::uint64_t>(0));
    CHECK(copy.report().missed_keys.empty());
    CHECK(reg.lookups().hits == 1); // the original keeps its counts
}

TEST_CASE("counters: factory create and versioned get, latest and negotiate are counted", "[policies][counters]") {
    roster::factory<int(int), roster::counters::per_key> makers{"counters.factory"};
    makers.add("twice", [](int x) { return 2 * x; });
    CHECK(makers.create("twice", 4) == 8);
    CHECK_FALSE(makers.try_create("thrice", 4).has_value());
    CHECK(makers.lookups().hits == 1);
    CHECK(makers.lookups().misses == 1);
    CHECK(makers.report().missed_keys.at(0).key == "\"thrice\"");

    roster::versioned_registry<int, int, roster::counters::per_registry> versions{"counters.versioned"};
    versions.add("codec", 1, 10);
    versions.add("codec", 2, 20);
    CHECK(versions.at("codec", 1) == 10);
    CHECK(versions.latest("codec") == 20);
    const int acceptable[] = {1, 2, 3};
    CHECK(versions.negotiate("codec", acceptable).version == 2);
    CHECK_FALSE(versions.try_latest("other").has_value());
    CHECK_FALSE(versions.try_at("codec", 9).has_value());
    CHECK(versions.lookups().hits == 3);
    CHECK(versions.lookups().misses == 2);
}

TEST_CASE("counters: lookups on many threads at once are all counted", "[policies][counters][concurrency]") {
    keyed_registry reg{"counters.threads"};
    reg.add("a", 1);
    reg.add("b", 2);
    constexpr int threads = 4;
    constexpr int rounds = 2000;
    std::vector<std::thread> readers;
    for (int t = 0; t < threads; ++t) {
        readers.emplace_back([&reg, t] {
            for (int i = 0; i < rounds; ++i) {
                (void)reg.get((i + t) % 2 == 0 ? "a" : "b");
                (void)reg.get(i % 10 == 0 ? "missing.even" : "missing.odd");
                if (i == rounds / 2 && t == 0) (void)reg.report(); // reading while others count
            }
        });
    }
    for (auto& r : readers) r.join();
    const auto report = reg.report();
    CHECK(report.lookups->hits == threads * rounds);
    CHECK(report.lookups->misses == threads * rounds);
    CHECK(*report.entries[0].hits + *report.entries[1].hits == threads * rounds);
    REQUIRE(report.missed_keys.size() == 2);
    CHECK(report.missed_keys[0].misses == threads * rounds / 10);
    CHECK(report.missed_keys[1].misses == threads * rounds * 9 / 10);
}
