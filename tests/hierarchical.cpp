// Tests for roster/hierarchical.hpp: the hierarchical registry (IDs made of
// segments forming a tree). Every query is run twice, on a registry that is
// not frozen (the ordered map under the read lock) and on one built from the
// same IDs and frozen (the tree index, lock-free), and both must give the
// same answers. Then ID validation (every message checked), the separator,
// registration (nulls, duplicates, freeze, handles), the core's counters,
// catalog listing, events, explain(), and concurrency ([concurrency] cases
// are the ones the ThreadSanitizer build runs).
//
// The children() rule (a partial segment never matches; exactly one level
// below) is caddy's GetModules (https://github.com/caddyserver/caddy,
// modules.go), whose module IDs are used as data.
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/catalog.hpp"
#include "roster/counters.hpp"
#include "roster/events.hpp"
#include "roster/hierarchical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using strings = std::vector<std::string>;
using modules = roster::hierarchical_registry<int>;

std::string line_text(unsigned line) { return fmt::format("hierarchical.cpp:{}", line); }

/// Some of caddy's module IDs, and a few that test tree order and partial
/// segments ("http.handlers-extra" sorts between "http.handlers" and its
/// subtree in byte order; "http.handler" is a partial segment of it).
constexpr std::array<std::string_view, 14> caddy_ids = {
    "http",
    "http.handlers.file_server",
    "http.handlers.reverse_proxy",
    "http.handlers.static_response",
    "http.matchers.path",
    "http.matchers.host",
    "http.reverse_proxy.transport.http",
    "http.reverse_proxy.selection_policies.random",
    "http.handlers-extra",
    "http.handler",
    "tls",
    "tls.issuance.acme",
    "tls.issuance.internal",
    "caddy.logging.encoders.json",
};

/// A registry with `ids`, each worth its position; frozen or not.
template <class Registry = modules>
void fill(Registry& reg, const auto& ids) {
    int n = 0;
    for (std::string_view id : ids) reg.add(std::string(id), ++n);
}

/// Runs `check(reg)` on an unfrozen registry and on a frozen one with `ids`.
template <class Check>
void both_ways(const auto& ids, Check&& check) {
    for (const bool freeze : {false, true}) {
        CAPTURE(freeze);
        modules reg{freeze ? "hierarchical.frozen" : "hierarchical.unfrozen"};
        fill(reg, ids);
        if (freeze) reg.freeze();
        check(reg);
    }
}

} // namespace

// ===========================================================================
// The tree

TEST_CASE("hierarchical_registry: children() lists the registered IDs exactly one level below a scope, in tree "
          "order; a partial segment never matches",
          "[hierarchical][tree]") {
    both_ways(caddy_ids, [](const modules& reg) {
        CHECK(reg.children("") == strings{"http", "tls"});
        CHECK(reg.children("http") == strings{"http.handler", "http.handlers-extra"});
        CHECK(reg.children("http.handlers") ==
              strings{"http.handlers.file_server", "http.handlers.reverse_proxy", "http.handlers.static_response"});
        CHECK(reg.children("http.matchers") == strings{"http.matchers.host", "http.matchers.path"});
        CHECK(reg.children("http.handler").empty());   // not a prefix of http.handlers.*
        CHECK(reg.children("http.handle").empty());    // a partial segment
        CHECK(reg.children("tls.issuance") == strings{"tls.issuance.acme", "tls.issuance.internal"});
        CHECK(reg.children("tls.issuance.acme").empty()); // a leaf
        CHECK(reg.children("nope").empty());
        CHECK(reg.children("http.").empty()); // not a scope: an empty segment
        CHECK(reg.children(".http").empty());
        CHECK(reg.children("caddy.logging.encoders") == strings{"caddy.logging.encoders.json"});
    });
}

TEST_CASE("hierarchical_registry: children() with tree_nodes::with_intermediate also lists the segments that lead to "
          "registered IDs",
          "[hierarchical][tree]") {
    both_ways(caddy_ids, [](const modules& reg) {
        constexpr auto all = roster::tree_nodes::with_intermediate;
        CHECK(reg.children("", all) == strings{"caddy", "http", "tls"});
        CHECK(reg.children("http", all) == strings{"http.handler", "http.handlers", "http.handlers-extra",
                                                   "http.matchers", "http.reverse_proxy"});
        CHECK(reg.children("http.reverse_proxy", all) ==
              strings{"http.reverse_proxy.selection_policies", "http.reverse_proxy.transport"});
        CHECK(reg.children("caddy", all) == strings{"caddy.logging"});
        CHECK(reg.children("caddy").empty());
    });
}

TEST_CASE("hierarchical_registry: visit_children() gives each child's value, null for an intermediate node, and "
          "returns how many it visited",
          "[hierarchical][tree]") {
    both_ways(caddy_ids, [](const modules& reg) {
        std::vector<std::pair<std::string, int>> seen;
        const std::size_t n = reg.visit_children(
            "http",
            [&](std::string_view id, const int* value) { seen.emplace_back(id, value ? *value : 0); },
            roster::tree_nodes::with_intermediate);
        CHECK(n == 5);
        CHECK(seen == std::vector<std::pair<std::string, int>>{{"http.handler", 10},
                                                               {"http.handlers", 0},
                                                               {"http.handlers-extra", 9},
                                                               {"http.matchers", 0},
                                                               {"http.reverse_proxy", 0}});
        CHECK(reg.visit_children("nope", [](std::string_view, const int*) {}) == 0);
    });
}

TEST_CASE("hierarchical_registry: descendants() lists the whole subtree below a scope in tree order, a parent before "
          "its subtree",
          "[hierarchical][tree]") {
    both_ways(caddy_ids, [](const modules& reg) {
        CHECK(reg.descendants("") == strings{"caddy.logging.encoders.json",
                                             "http",
                                             "http.handler",
                                             "http.handlers.file_server",
                                             "http.handlers.reverse_proxy",
                                             "http.handlers.static_response",
                                             "http.handlers-extra",
                                             "http.matchers.host",
                                             "http.matchers.path",
                                             "http.reverse_proxy.selection_policies.random",
                                             "http.reverse_proxy.transport.http",
                                             "tls",
                                             "tls.issuance.acme",
                                             "tls.issuance.internal"});
        CHECK(reg.descendants("http.handlers") ==
              strings{"http.handlers.file_server", "http.handlers.reverse_proxy", "http.handlers.static_response"});
        CHECK(reg.descendants("tls") == strings{"tls.issuance.acme", "tls.issuance.internal"});
        CHECK(reg.descendants("tls.issuance.acme").empty());
        CHECK(reg.descendants("http.handl").empty());
        CHECK(reg.descendants("zzz").empty());
        CHECK(reg.descendants("caddy", roster::tree_nodes::with_intermediate) ==
              strings{"caddy.logging", "caddy.logging.encoders", "caddy.logging.encoders.json"});
        std::vector<int> values;
        CHECK(reg.visit_descendants("tls", [&](std::string_view, const int* v) { values.push_back(v ? *v : 0); }) == 2);
        CHECK(values == std::vector<int>{12, 13});
    });
}

TEST_CASE("hierarchical_registry: tree order is segment by segment, unlike names()' byte order", "[hierarchical][tree]") {
    both_ways(std::array<std::string_view, 4>{"a-b", "a.b", "a", "a.a"}, [](const modules& reg) {
        CHECK(reg.names() == strings{"a", "a-b", "a.a", "a.b"}); // '-' < '.' in bytes
        CHECK(reg.descendants("") == strings{"a", "a.a", "a.b", "a-b"});
        CHECK(reg.children("") == strings{"a", "a-b"});
    });
}

TEST_CASE("hierarchical_registry: longest_prefix() finds the deepest registered ID the leading words spell, and how "
          "many words it took",
          "[hierarchical][prefix]") {
    constexpr std::array<std::string_view, 5> commands = {"users", "users.list", "users.add", "config.get", "version"};
    both_ways(commands, [](const modules& reg) {
        const std::vector<std::string> argv{"users", "list", "--x"};
        auto m = reg.longest_prefix(argv);
        REQUIRE(m.has_value());
        CHECK(m->id == "users.list");
        CHECK(m->value == 2);
        CHECK(m->consumed == 2);
        CHECK(m->where.line() > 0);

        m = reg.longest_prefix({"users", "remove", "bob"});
        REQUIRE(m);
        CHECK(m->id == "users");
        CHECK(m->consumed == 1);

        m = reg.longest_prefix({"config", "get", "key"});
        REQUIRE(m);
        CHECK(m->id == "config.get");
        CHECK(m->consumed == 2);

        CHECK_FALSE(reg.longest_prefix({"config", "set"})); // "config" is only an intermediate segment
        CHECK_FALSE(reg.longest_prefix({"nope"}));
        CHECK_FALSE(reg.longest_prefix(std::vector<std::string_view>{}));
        CHECK_FALSE(reg.longest_prefix({"use"})); // a partial segment
        // a word with the separator, or an empty one, ends the walk
        m = reg.longest_prefix({"users", "list.x"});
        REQUIRE(m);
        CHECK(m->id == "users");
        CHECK_FALSE(reg.longest_prefix({"users.list"}));
        m = reg.longest_prefix({"users", "", "list"});
        REQUIRE(m);
        CHECK(m->id == "users");

        // the ID form splits at the separator
        m = reg.longest_prefix(std::string_view("users.list.extra.more"));
        REQUIRE(m);
        CHECK(m->id == "users.list");
        CHECK(m->consumed == 2);
        m = reg.longest_prefix(std::string_view("version"));
        REQUIRE(m);
        CHECK(m->consumed == 1);
        CHECK_FALSE(reg.longest_prefix(std::string_view("")));
        CHECK_FALSE(reg.longest_prefix(std::string_view(".users")));
    });
}

TEST_CASE("hierarchical_registry: visit_longest_prefix() calls back with the match without copying it",
          "[hierarchical][prefix]") {
    constexpr std::array<std::string_view, 2> commands = {"users", "users.list"};
    both_ways(commands, [](const modules& reg) {
        std::string id;
        std::size_t consumed = 0;
        const std::array<std::string_view, 3> words{"users", "list", "-v"};
        CHECK(reg.visit_longest_prefix(words, [&](std::string_view i, const int&, std::size_t c) {
            id = std::string(i);
            consumed = c;
        }));
        CHECK(id == "users.list");
        CHECK(consumed == 2);
        const std::optional<int> value =
            reg.visit_longest_prefix(std::string_view("users.x"), [](std::string_view, const int& v, std::size_t) { return v * 10; });
        CHECK(value == std::optional<int>(10));
        CHECK_FALSE(reg.visit_longest_prefix(std::string_view("x"), [](std::string_view, const int&, std::size_t) {}));
    });
}

TEST_CASE("hierarchical_registry: explain() says which prefixes were tried and what longest_prefix() answers",
          "[hierarchical][prefix][explain]") {
    constexpr std::array<std::string_view, 2> commands = {"users", "users.list"};
    both_ways(commands, [](const modules& reg) {
        CHECK(reg.explain({"users", "list", "--x"}) == "users: registered, has IDs below\n"
                                                      "users.list: registered, nothing below\n"
                                                      "answer: users.list (2 words consumed)");
        CHECK(reg.explain({"config", "x"}) == "config: not registered, nothing below\n"
                                              "answer: no registered prefix");
        CHECK(reg.explain({"users", "a.b"}) == "users: registered, has IDs below\n"
                                               "word 1 \"a.b\": not a segment; the walk ends\n"
                                               "answer: users (1 word consumed)");
    });
}

TEST_CASE("hierarchical_registry: a registry built from the same IDs in any order answers the same, frozen or not",
          "[hierarchical][tree]") {
    std::vector<std::string_view> ids(caddy_ids.begin(), caddy_ids.end());
    modules reference{"hierarchical.reference"};
    fill(reference, ids);
    std::vector<std::string_view> scopes{"", "http", "http.handlers", "http.reverse_proxy", "tls", "caddy.logging", "x"};
    for (int round = 0; round < 4; ++round) {
        std::rotate(ids.begin(), ids.begin() + 3, ids.end());
        std::reverse(ids.begin() + round, ids.end());
        modules reg{"hierarchical.order"};
        fill(reg, ids);
        reg.freeze();
        for (std::string_view scope : scopes) {
            CAPTURE(scope);
            for (const auto which : {roster::tree_nodes::registered, roster::tree_nodes::with_intermediate}) {
                CHECK(reg.children(scope, which) == reference.children(scope, which));
                CHECK(reg.descendants(scope, which) == reference.descendants(scope, which));
            }
        }
    }
}

// ===========================================================================
// IDs and the separator

TEST_CASE("hierarchical_registry: a malformed ID is refused with invalid_key_error giving the offset, and leaves the "
          "registry as it was",
          "[hierarchical][registration][errors]") {
    modules reg{"hierarchical.ids"};
    reg.add("a.b", 1);
    const auto subscription = reg.subscribe([](const modules::event_type&) { FAIL("no event for a refused add"); });
    const std::array<std::pair<std::string_view, std::string_view>, 7> cases{{
        {"", "empty ID"},
        {".a", "at offset 0: empty segment"},
        {"a.", "at offset 2: empty segment"},
        {"a..b", "at offset 2: empty segment"},
        {"a.b.", "at offset 4: empty segment"},
        {"a.\x07", "at offset 2: control character 0x07"},
        {"a\x7f", "at offset 1: control character 0x7f"},
    }};
    for (const auto& [id, reason] : cases) {
        CAPTURE(id);
        const unsigned line = __LINE__ + 1;
        const auto refused = reg.try_add(std::string(id), 2);
        CHECK(refused.status() == roster::add_status::refused);
        CHECK(refused.error().code == roster::errc::invalid_key);
        CHECK_THAT(refused.error().message, Catch::Matchers::StartsWith("roster: registry \"hierarchical.ids\": invalid key "));
        CHECK_THAT(refused.error().message, Catch::Matchers::EndsWith(std::string(": ") + std::string(reason)));
        CHECK_THAT(refused.error().message, roster_test::contains(line_text(line)));
        CHECK_THROWS_AS(reg.add(std::string(id), 2), roster::invalid_key_error);
    }
    CHECK(reg.size() == 1);
    CHECK(reg.names() == strings{"a.b"});
    const auto refused = reg.try_add("a..b", 2);
    CHECK_THAT(refused.error().message,
               Catch::Matchers::Matches("roster: registry \"hierarchical.ids\": invalid key \"a..b\" at .*hierarchical\\.cpp:[0-9]+.*: "
                                        "at offset 2: empty segment"));
}

TEST_CASE("hierarchical_registry: the separator is chosen per registry; '/' and ' ' work, a letter is refused",
          "[hierarchical][separator]") {
    roster::hierarchical_registry<int> slashed{"hierarchical.slashed", '/'};
    CHECK(slashed.separator() == '/');
    slashed.add("http/handlers/file_server", 1);
    slashed.add("http/handlers.v2/x", 2); // '.' is an ordinary character here
    CHECK(slashed.children("http/handlers") == strings{"http/handlers/file_server"});
    CHECK(slashed.children("http", roster::tree_nodes::with_intermediate) == strings{"http/handlers", "http/handlers.v2"});
    CHECK_THROWS_WITH(slashed.add("http//x", 3), Catch::Matchers::EndsWith("at offset 5: empty segment"));

    roster::hierarchical_registry<int> spaced{"hierarchical.spaced", ' '};
    spaced.add("users list", 1);
    spaced.freeze();
    const auto m = spaced.longest_prefix(std::string_view("users list --all"));
    REQUIRE(m);
    CHECK(m->id == "users list");
    CHECK(spaced.children("users") == strings{"users list"});

    CHECK_THROWS_AS((roster::hierarchical_registry<int>{"hierarchical.bad", 'x'}), roster::invalid_key_error);
    CHECK_THROWS_WITH((roster::hierarchical_registry<int>{"hierarchical.bad", '\n'}),
                      Catch::Matchers::EndsWith(
                          "the separator must be a printable ASCII character that is not a letter or a digit"));
}

// ===========================================================================
// Registration: nulls, duplicates, freeze, handles

TEST_CASE("hierarchical_registry: a null value is refused under on_null::reject and accepted under on_null::allow",
          "[hierarchical][registration][policies]") {
    using fn = int (*)();
    roster::hierarchical_registry<fn> strict{"hierarchical.nulls"};
    const unsigned line = __LINE__ + 1;
    const auto refused = strict.try_add("a.b", nullptr);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK_THAT(refused.error().message, Catch::Matchers::StartsWith("roster: registry \"hierarchical.nulls\": refused a value of type"));
    CHECK_THAT(refused.error().message, roster_test::contains("for key \"a.b\""));
    CHECK_THAT(refused.error().message, roster_test::contains(line_text(line)));
    CHECK_THROWS_AS(strict.add("a.b", nullptr), roster::null_value_error);
    CHECK(strict.empty());

    roster::hierarchical_registry<fn, roster::on_null::allow> lenient{"hierarchical.nulls_allowed"};
    lenient.add("a.b", nullptr);
    CHECK(lenient.children("a") == strings{"a.b"});
}

TEST_CASE("hierarchical_registry: an ID twice is a duplicate_key_error by default, a replacement under "
          "on_duplicate::replace, returned under on_duplicate::return_error",
          "[hierarchical][registration][policies]") {
    SECTION("default") {
        modules reg{"hierarchical.duplicate"};
        const unsigned first = __LINE__ + 1;
        reg.add("a.b", 1);
        const unsigned second = __LINE__ + 1;
        const auto refused = reg.try_add("a.b", 2);
        CHECK(refused.error().code == roster::errc::duplicate_key);
        CHECK_THAT(refused.error().message,
                   Catch::Matchers::StartsWith("roster: registry \"hierarchical.duplicate\": duplicate key \"a.b\": added at "));
        CHECK_THAT(refused.error().message, roster_test::contains(line_text(first)));
        CHECK_THAT(refused.error().message, roster_test::contains(line_text(second)));
        CHECK_THROWS_AS(reg.add("a.b", 2), roster::duplicate_key_error);
        CHECK(reg.get("a.b") == std::optional<int>(1));
    }
    SECTION("on_duplicate::replace") {
        roster::hierarchical_registry<int, roster::on_duplicate::replace> reg{"hierarchical.replace"};
        reg.add("a.b", 1);
        CHECK(reg.add("a.b", 2).status() == roster::add_status::replaced);
        reg.freeze();
        CHECK(reg.longest_prefix({"a", "b"})->value == 2);
    }
    SECTION("on_duplicate::return_error") {
        roster::hierarchical_registry<int, roster::on_duplicate::return_error> reg{"hierarchical.return"};
        reg.add("a.b", 1);
        const auto again = reg.add("a.b", 2); // not thrown
        CHECK(again.status() == roster::add_status::refused);
        REQUIRE(again.existing().has_value());
        CHECK(again.existing()->value == std::optional<int>(1));
    }
}

TEST_CASE("hierarchical_registry: after freeze() adds and removes are refused with frozen_error naming where it was "
          "frozen",
          "[hierarchical][registration][freeze]") {
    modules reg{"hierarchical.frozen"};
    reg.add("a.b", 1);
    CHECK(reg.state() == roster::lifecycle::populated);
    const unsigned line = __LINE__ + 1;
    reg.freeze();
    reg.freeze(); // idempotent
    CHECK(reg.frozen());
    REQUIRE(reg.frozen_at().has_value());
    CHECK(reg.frozen_at()->line() == line);
    CHECK(reg.state() == roster::lifecycle::frozen);
    const auto refused = reg.try_add("a.c", 2);
    CHECK(refused.error().code == roster::errc::frozen);
    CHECK_THAT(refused.error().message,
               Catch::Matchers::StartsWith("roster: registry \"hierarchical.frozen\": cannot add key \"a.c\" at "));
    CHECK_THAT(refused.error().message, roster_test::contains("the registry was frozen at"));
    CHECK_THAT(refused.error().message, roster_test::contains(line_text(line)));
    CHECK_THROWS_AS(reg.add("a.c", 2), roster::frozen_error);
    CHECK_THROWS_AS(reg.remove("a.b"), roster::frozen_error);
    CHECK(reg.try_remove("a.b").error().code == roster::errc::frozen);
    CHECK(reg.children("a") == strings{"a.b"});
}

TEST_CASE("hierarchical_registry: get, try_at, at, visit, contains, location and remove keep the core's meaning on "
          "exact IDs",
          "[hierarchical][lookup]") {
    modules reg{"hierarchical.lookup"};
    reg.add("a.b", 1);
    reg.add("a.c", 2);
    CHECK(reg.get("a.b") == std::optional<int>(1));
    CHECK_FALSE(reg.get("a"));
    CHECK(reg.try_at("a.c").value() == 2);
    CHECK(reg.at("a.c") == 2);
    const auto missing = reg.try_at("a.d");
    CHECK(missing.error().code == roster::errc::not_found);
    CHECK_THAT(missing.error().message,
               Catch::Matchers::StartsWith("roster: registry \"hierarchical.lookup\": no entry for key \"a.d\" at "));
    CHECK_THROWS_AS(reg.at("a"), roster::not_found_error);
    CHECK(reg.visit("a.b", [](const int& v) { return v + 1; }) == std::optional<int>(2));
    CHECK(reg.contains("a.b"));
    CHECK_FALSE(reg.contains("a"));
    CHECK(reg.location("a.b").has_value());
    int total = 0;
    reg.for_each([&](const std::string&, const int& v) { total += v; });
    CHECK(total == 3);
    CHECK(reg.remove("a.b") == 1);
    CHECK(reg.children("a") == strings{"a.c"});
    CHECK(reg.try_remove("a.b").error().code == roster::errc::not_found);
    CHECK(reg.size() == 1);
}

TEST_CASE("hierarchical_registry: the handle from add() removes its ID before freeze, and is refused after",
          "[hierarchical][registration][handles]") {
    modules reg{"hierarchical.handles"};
    auto handle = reg.add("a.b.c", 1).handle();
    auto other = reg.add("a.d", 2).handle();
    CHECK(reg.children("a", roster::tree_nodes::with_intermediate) == strings{"a.b", "a.d"});
    CHECK(handle.remove());
    CHECK(reg.children("a", roster::tree_nodes::with_intermediate) == strings{"a.d"});
    CHECK_FALSE(reg.longest_prefix({"a", "b", "c"}));
    reg.freeze();
    CHECK_THROWS_AS(other.remove(), roster::frozen_error);
    CHECK(reg.children("a") == strings{"a.d"});
}

// ===========================================================================
// What the core gives: counters, the catalog, events, locking::none

TEST_CASE("hierarchical_registry: counters::per_key counts longest_prefix() hits per ID and misses by the words, "
          "before and after freeze; listing counts nothing",
          "[hierarchical][counters]") {
    roster::hierarchical_registry<int, roster::counters::per_key> reg{"hierarchical.counters"};
    reg.add("users", 1);
    reg.add("users.list", 2);
    (void)reg.longest_prefix({"users", "list"});
    (void)reg.longest_prefix({"users", "x"});
    (void)reg.longest_prefix({"nope", "x"}); // a miss
    (void)reg.children("users");
    (void)reg.descendants("");
    (void)reg.explain({"users"});
    CHECK(reg.lookups().hits == 2);
    CHECK(reg.lookups().misses == 1);
    reg.freeze();
    (void)reg.longest_prefix(std::string_view("users.list.z"));
    (void)reg.longest_prefix({"nope", "x"});
    (void)reg.get("users");
    const auto report = reg.report();
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"users\"");
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(2));
    CHECK(report.entries[1].key == "\"users.list\"");
    CHECK(report.entries[1].hits == std::optional<std::uint64_t>(2));
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 4);
    CHECK(report.lookups->misses == 2);
    REQUIRE(report.missed_keys.size() == 1);
    CHECK(report.missed_keys[0].key == "\"nope.x\"");
    CHECK(report.missed_keys[0].misses == 2);
}

TEST_CASE("hierarchical_registry: listing::listed puts the registry and its IDs in the catalog", "[hierarchical][catalog]") {
    auto& catalog = roster::catalog::instance();
    REQUIRE_FALSE(catalog.contains("hierarchical.listed"));
    {
        roster::hierarchical_registry<int, roster::listing::listed> reg{"hierarchical.listed"};
        reg.add("b.x", 1);
        reg.add("a", 2);
        CHECK(catalog.contains("hierarchical.listed"));
        const auto report = catalog.at("hierarchical.listed");
        REQUIRE(report.entries.size() == 2);
        CHECK(report.entries[0].key == "\"a\"");
        CHECK(report.entries[1].key == "\"b.x\"");
        reg.freeze();
        CHECK(catalog.at("hierarchical.listed").state == roster::lifecycle::frozen);
    }
    CHECK_FALSE(catalog.contains("hierarchical.listed"));
}

TEST_CASE("hierarchical_registry: subscribe() hears each ID added and removed, not a refused one",
          "[hierarchical][events]") {
    modules reg{"hierarchical.events"};
    std::vector<std::string> heard;
    const auto subscription = reg.subscribe([&](const modules::event_type& e) {
        heard.push_back(std::string(roster::to_string(e.kind)) + " " + e.key.value_or("<none>"));
    });
    auto handle = reg.add("a.b", 1).handle();
    (void)reg.try_add("a..c", 2); // refused: nothing heard
    reg.add("a.c", 3);
    CHECK(handle.remove());
    CHECK(heard == strings{"added a.b", "added a.c", "removed a.b"});
}

TEST_CASE("hierarchical_registry: locking::none answers the same as the default locking", "[hierarchical][policies]") {
    roster::hierarchical_registry<int, roster::locking::none> reg{"hierarchical.unlocked"};
    fill(reg, caddy_ids);
    CHECK(reg.children("http.matchers") == strings{"http.matchers.host", "http.matchers.path"});
    CHECK(reg.longest_prefix({"tls", "issuance", "acme", "x"})->consumed == 3);
    reg.freeze();
    CHECK(reg.children("http.matchers") == strings{"http.matchers.host", "http.matchers.path"});
    CHECK(reg.longest_prefix({"tls", "issuance", "acme", "x"})->consumed == 3);
}

TEST_CASE("hierarchical_registry: a move-only value works with the visit_ forms", "[hierarchical][policies]") {
    roster::hierarchical_registry<std::unique_ptr<int>> reg{"hierarchical.move_only"};
    reg.add("a.b", std::make_unique<int>(7));
    CHECK(reg.visit_longest_prefix(std::string_view("a.b.c"),
                                   [](std::string_view, const std::unique_ptr<int>& v, std::size_t) { return *v; }) ==
          std::optional<int>(7));
    int seen = 0;
    reg.visit_children("a", [&](std::string_view, const std::unique_ptr<int>* v) { seen = **v; });
    CHECK(seen == 7);
}

// ===========================================================================
// Concurrency

TEST_CASE("hierarchical_registry: threads query the tree while another thread adds IDs, and while it is frozen",
          "[hierarchical][concurrency]") {
    modules reg{"hierarchical.concurrent"};
    reg.add("root", 0);
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!done.load(std::memory_order_acquire)) {
                const auto kids = reg.children("root");
                for (std::size_t i = 1; i < kids.size(); ++i)
                    if (!(kids[i - 1] < kids[i])) ++bad;
                const auto m = reg.longest_prefix({"root", "n5", "x"});
                if (m && m->id != "root.n5" && m->id != "root") ++bad;
                std::size_t n = 0;
                reg.visit_descendants("", [&](std::string_view, const int* v) { n += v != nullptr ? 1 : 0; });
                if (n == 0) ++bad;
            }
        });
    }
    for (int i = 0; i < 200; ++i) reg.add(fmt::format("root.n{}", i), i);
    reg.freeze();
    for (int i = 0; i < 200; ++i) (void)reg.children("root");
    done.store(true, std::memory_order_release);
    for (std::thread& t : readers) t.join();
    CHECK(bad.load() == 0);
    CHECK(reg.children("root").size() == 200);
    CHECK(reg.longest_prefix({"root", "n5", "x"})->id == "root.n5");
}

TEST_CASE("hierarchical_registry: frozen visitors allocate nothing", "[hierarchical][tree]") {
    modules reg{"hierarchical.allocations"};
    for (const std::string_view id : caddy_ids) reg.add(std::string(id), 1);
    reg.add("users", 2);
    reg.add("users.list", 3);
    reg.freeze();
    const std::array<std::string_view, 3> words{"users", "list", "-v"};
    std::size_t children = 0;
    std::size_t descendants = 0;
    std::size_t consumed = 0;
    std::size_t allocations = 0;
    {
        const roster_test::allocation_counter counter;
        children = reg.visit_children("http", [](std::string_view, const int*) {}, roster::tree_nodes::with_intermediate);
        descendants = reg.visit_descendants("http", [](std::string_view, const int*) {});
        (void)reg.visit_longest_prefix(words, [&](std::string_view, const int&, std::size_t c) { consumed = c; });
        allocations = counter.count();
    }
    CHECK(children == 5);
    CHECK(descendants > children);
    CHECK(consumed == 2);
    CHECK(allocations == 0);
}
