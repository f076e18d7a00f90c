#include "support/catch.hpp"

// <iomanip> first, on purpose: it declares std::quoted, which an unqualified
// quoted(std::string) inside roster would find by argument-dependent lookup
// (and then fail to compile or print differently). nlohmann/json includes it.
#include <iomanip>

#include "roster/roster.hpp"
#include "roster/prometheus.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

// Defined in tests/odr.cpp, the second translation unit that includes
// roster/roster.hpp.
namespace roster_odr {
std::size_t second_tu_use();
std::string second_tu_describe(const roster::source_location& where);
int second_tu_shared_value(const std::string& key);
} // namespace roster_odr

namespace {

struct codec {
    virtual ~codec() = default;
    virtual std::string name() const = 0;
};
struct gzip_codec final : codec {
    std::string name() const override { return "gzip"; }
};

} // namespace

TEST_CASE("roster.hpp: the umbrella header gives every public name", "[roster]") {
    static_assert(ROSTER_VERSION ==
                  ROSTER_VERSION_MAJOR * 10000 + ROSTER_VERSION_MINOR * 100 + ROSTER_VERSION_PATCH);
    static_assert(ROSTER_HAS_EXCEPTIONS == 1);
    static_assert(std::is_class_v<roster::basic_registry<int, int, roster::locking::none>>);
    static_assert(std::is_class_v<roster::scoped_registration>);
    static_assert(std::is_base_of_v<roster::error, roster::not_found_error>);
    static_assert(roster::policy<roster::on_null::allow>);
    static_assert(roster::nullable_value<int>);
    static_assert(roster::validated_key<std::string>);
    static_assert(std::is_trivially_copyable_v<roster::source_location>);
    CHECK(std::string(roster::to_string(roster::errc::frozen)) == "frozen");
    CHECK(std::string(roster::to_string(roster::lifecycle::empty)) == "empty");
    CHECK(std::string(roster::to_string(roster::add_status::replaced)) == "replaced");
}

TEST_CASE("roster.hpp: a registry of codecs can be filled, read, refused into and frozen",
          "[roster]") {
    roster::registry<std::shared_ptr<codec>> codecs{"codecs"};
    CHECK(codecs.state() == roster::lifecycle::empty);

    REQUIRE(codecs.add("gzip", std::make_shared<gzip_codec>()));
    CHECK(codecs.state() == roster::lifecycle::populated);

    const auto gzip = codecs.get("gzip");
    REQUIRE(gzip.has_value());
    CHECK((*gzip)->name() == "gzip");

    CHECK_THROWS_AS(codecs.add("gzip", std::make_shared<gzip_codec>()),
                    roster::duplicate_key_error);
    CHECK_THROWS_AS(codecs.add("null", nullptr), roster::null_value_error);
    CHECK_THROWS_AS(codecs.at("gz"), roster::not_found_error);

    codecs.freeze();
    CHECK(codecs.state() == roster::lifecycle::frozen);
    CHECK_THROWS_AS(codecs.add("zstd", std::make_shared<gzip_codec>()), roster::frozen_error);
    CHECK(codecs.names() == std::vector<std::string>{"gzip"});
}

TEST_CASE("roster.hpp: this TU and tests/odr.cpp both instantiate registry<int> and link together",
          "[roster]") {
    roster::registry<int> numbers{"first-tu"};
    (void)numbers.add("a", 1);
    CHECK(numbers.size() == 1);
    CHECK(roster_odr::second_tu_use() == 1);
    CHECK(roster_odr::second_tu_shared_value("three") == 5);
}

TEST_CASE("roster.hpp: both translation units word a location identically", "[roster]") {
    const roster::source_location here = roster::source_location::current();
    const std::string in_this_tu = roster::detail::describe(here);
    CHECK(roster_odr::second_tu_describe(here) == in_this_tu);
    CHECK(in_this_tu.find(std::to_string(here.line())) != std::string::npos);
}

TEST_CASE("roster: std::quoted in scope (from <iomanip>) changes no message roster writes", "[roster][adl]") {
    // catalog: the registration log line quotes the registry name.
    roster::registry<int, roster::listing::listed> listed{"adl.listed"};
    std::FILE* log = std::tmpfile();
    REQUIRE(log != nullptr);
    {
        auto subscription = listed.subscribe(roster::log_registrations(listed, log));
        listed.add("k", 1);
    }
    std::rewind(log);
    char line[512] = {};
    REQUIRE(std::fgets(line, sizeof line, log) != nullptr);
    std::fclose(log);
    CHECK(std::string(line).find("roster: registry \"adl.listed\": added \"k\"") == 0);

    // handler: the conflict description quotes example paths as Go's %q does.
    roster::handler_registry<int (*)()> routes{"adl.routes"};
    routes.add("/a/{x}", +[] { return 1; });
    const auto refused = routes.try_add("/{y}/b", +[] { return 2; });
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("both match some paths, like \"/a/b\"") != std::string::npos);

    // versioned keys print as "name"@version; string keys in messages are quoted.
    CHECK(fmt::format("{}", roster::versioned_key<std::string, int>{"codec", 3}) == "\"codec\"@3");
    roster::registry<int> plain{"adl.plain"};
    const auto miss = plain.try_at("missing");
    REQUIRE_FALSE(miss);
    CHECK(miss.error().message.find("key \"missing\"") != std::string::npos);

    // prometheus: a registry name that needs quoting in a label.
    roster::registry<int, roster::counters::per_registry> counted{"adl \"counted\""};
    const std::string text = roster::to_prometheus({counted.report()});
    CHECK(text.find("registry=\"adl \\\"counted\\\"\"") != std::string::npos);
}
