// Tests for roster/counters.hpp: the lookup counters behind the
// counters::per_registry and counters::per_key policies, through the core
// registry and the shapes built on it ([concurrency] cases run under TSan).
#include "support/catch.hpp"

#include "roster/counters.hpp"

#include "roster/factory.hpp"
#include "roster/registry.hpp"
#include "roster/versioned.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

// ---------------------------------------------------------------- counters::

namespace {

template <class R>
concept has_lookups = requires(const R& r) { r.lookups(); };

using plain_registry = roster::registry<int>;
using counted_registry = roster::registry<int, roster::counters::per_registry>;
using keyed_registry = roster::registry<int, roster::counters::per_key>;

} // namespace

TEST_CASE("counters::none: the default, leaves no trace in the registry's type, size or interface",
          "[counters]") {
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
          "[counters]") {
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

TEST_CASE("counters::per_key: counts hits per entry and misses per key looked up", "[counters]") {
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
          "[counters]") {
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

TEST_CASE("counters: a frozen registry still counts, without a lock", "[counters]") {
    keyed_registry reg{"counters.frozen"};
    reg.add("a", 1);
    reg.freeze();
    (void)reg.get("a");
    (void)reg.get("b");
    CHECK(reg.lookups().hits == 1);
    CHECK(reg.lookups().misses == 1);
    CHECK(reg.report().entries.at(0).hits == std::optional<std::uint64_t>(1));
}

TEST_CASE("counters: a named copy starts from zero", "[counters]") {
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

TEST_CASE("counters: factory create and versioned get, latest and negotiate are counted", "[counters]") {
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

TEST_CASE("counters: lookups on many threads at once are all counted", "[counters][concurrency]") {
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
