// Tests for roster/report.hpp: a registry as plain data.
#include "support/catch.hpp"

#include "roster/report.hpp"

#include "roster/registry.hpp"

#include <string>
#include <type_traits>

TEST_CASE("report: the lifecycle states have names", "[report]") {
    CHECK(std::string(roster::to_string(roster::lifecycle::empty)) == "empty");
    CHECK(std::string(roster::to_string(roster::lifecycle::populated)) == "populated");
    CHECK(std::string(roster::to_string(roster::lifecycle::frozen)) == "frozen");
}

TEST_CASE("report: reports are regular values that need no registry", "[report]") {
    static_assert(std::is_copy_constructible_v<roster::registry_report>);
    static_assert(std::is_aggregate_v<roster::entry_report>);
    roster::registry_report made;
    made.name = "made by hand";
    made.entries.push_back(roster::entry_report{"\"k\"", roster::source_location{}, std::nullopt});
    const roster::registry_report copy = made;
    CHECK(copy.name == "made by hand");
    CHECK(copy.state == roster::lifecycle::empty);
    CHECK_FALSE(copy.lookups.has_value());
    REQUIRE(copy.entries.size() == 1);
    CHECK(copy.entries[0].key == "\"k\"");
}

TEST_CASE("report: a registry's report follows it from empty through populated to frozen", "[report]") {
    roster::registry<int> numbers{"report.lifecycle"};
    CHECK(numbers.report().state == roster::lifecycle::empty);
    CHECK(numbers.report().entries.empty());
    numbers.add("b", 2);
    numbers.add("a", 1);
    const roster::registry_report populated = numbers.report();
    CHECK(populated.state == roster::lifecycle::populated);
    REQUIRE(populated.entries.size() == 2);
    CHECK(populated.entries[0].key == "\"a\""); // sorted by key text
    CHECK(populated.entries[1].key == "\"b\"");
    CHECK_FALSE(populated.frozen_at.has_value());
    numbers.freeze();
    const roster::registry_report frozen = numbers.report();
    CHECK(frozen.state == roster::lifecycle::frozen);
    CHECK(frozen.frozen_at.has_value());
    CHECK(frozen.name == "report.lifecycle");
    CHECK(frozen.key_type.find("basic_string") != std::string::npos);
    CHECK(frozen.value_type == "int");
}
