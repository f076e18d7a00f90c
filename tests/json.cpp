// Tests for roster/json.hpp: registry reports, registration events and the
// catalog document as JSON. Every output is dumped to text and parsed back
// with nlohmann::json::parse before it is checked. Every registry here has a
// name no other test uses (the catalog refuses two live listed registries
// with one name). Built only when nlohmann/json is found (tests/CMakeLists.txt).
#include "support/catch.hpp"

#include "roster/json.hpp"
#include "roster/counters.hpp"

#include "roster/catalog.hpp"
#include "roster/registry.hpp"
#include "roster/version.hpp"

#include <nlohmann/json.hpp>

#include <algorithm> // std::is_sorted, std::find_if
#include <cstdint>   // std::uint64_t
#include <set>       // member names
#include <string>    // std::string, std::to_string
#include <vector>    // std::vector

namespace {

using per_key_registry = roster::registry<int, roster::listing::listed, roster::counters::per_key>;
using per_registry_registry = roster::registry<int, roster::listing::listed, roster::counters::per_registry>;
using uncounted_registry = roster::registry<int, roster::listing::listed>;
using json = nlohmann::json;

/// `value` as text and parsed back: what a consumer of the text would get.
json round_trip(const json& value) { return json::parse(value.dump()); }

/// The names of an object's members.
std::set<std::string> members(const json& object) {
    std::set<std::string> out;
    for (const auto& item : object.items()) out.insert(item.key());
    return out;
}

/// Whether `location` is a {"file", "line", "function"} object for `where`.
bool is_location_of(const json& location, const roster::source_location& where) {
    return location.is_object() && members(location) == std::set<std::string>{"file", "function", "line"} &&
           location.at("file").get<std::string>() == where.file_name() &&
           location.at("line").get<std::uint64_t>() == where.line() &&
           location.at("function").get<std::string>() == where.function_name();
}

/// The registry called `name` in a catalog document, or nullptr.
const json* find_registry(const json& doc, const std::string& name) {
    const json& list = doc.at("registries");
    const auto it = std::find_if(list.begin(), list.end(), [&](const json& r) { return r.at("name") == name; });
    return it == list.end() ? nullptr : &*it;
}

} // namespace

TEST_CASE("to_json: a registry report becomes an object with every member of the report", "[json]") {
    per_key_registry reg{"json.every_member"};
    reg.add("gzip", 1);
    reg.add("lz4", 2);
    CHECK(reg.get("gzip"));
    CHECK(reg.get("gzip"));
    CHECK_FALSE(reg.get("zstd"));
    const roster::registry_report report = reg.report();

    const json j = round_trip(report);

    REQUIRE(j.is_object());
    CHECK(members(j) == std::set<std::string>{"name", "key_type", "value_type", "created_at", "state", "frozen_at",
                                              "entries", "lookups", "missed_keys", "other_misses"});
    CHECK(j.at("name") == "json.every_member");
    CHECK(j.at("key_type") == report.key_type);
    CHECK(j.at("value_type") == report.value_type);
    CHECK(is_location_of(j.at("created_at"), reg.created_at()));
    CHECK(j.at("state") == "populated");
    CHECK(j.at("frozen_at").is_null());

    const json& entries = j.at("entries");
    REQUIRE(entries.is_array());
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].at("key") == "\"gzip\"");
    CHECK(entries[0].at("hits") == 2);
    CHECK(is_location_of(entries[0].at("where"), *reg.location("gzip")));
    CHECK(entries[1].at("key") == "\"lz4\"");
    CHECK(entries[1].at("hits") == 0);
    CHECK(is_location_of(entries[1].at("where"), *reg.location("lz4")));
    CHECK(members(entries[0]) == std::set<std::string>{"key", "where", "hits"});

    CHECK(j.at("lookups") == json{{"hits", 2}, {"misses", 1}});
    CHECK(j.at("missed_keys") == json::array({json{{"key", "\"zstd\""}, {"misses", 1}}}));
    CHECK(j.at("other_misses") == 0);
}

TEST_CASE("to_json: source locations are objects with the file, line and function of the call", "[json]") {
    per_key_registry reg{"json.locations"};
    const auto line = __LINE__ + 1;
    reg.add("here", 1);

    const json j = round_trip(reg.report());

    const json& where = j.at("entries").at(0).at("where");
    CHECK(where.at("line") == line);
    CHECK(where.at("file").get<std::string>().find("json.cpp") != std::string::npos);
    CHECK(where.at("function").is_string());
}

TEST_CASE("to_json: a frozen registry reports state frozen and where freeze() was called", "[json]") {
    uncounted_registry reg{"json.frozen"};
    reg.add("one", 1);
    const auto line = __LINE__ + 1;
    reg.freeze();

    const json j = round_trip(reg.report());

    CHECK(j.at("state") == "frozen");
    REQUIRE(j.at("frozen_at").is_object());
    CHECK(j.at("frozen_at").at("line") == line);
    CHECK(j.at("frozen_at").at("file").get<std::string>().find("json.cpp") != std::string::npos);
}

TEST_CASE("to_json: an empty registry reports state empty and no entries", "[json]") {
    uncounted_registry reg{"json.empty"};
    const json j = round_trip(reg.report());
    CHECK(j.at("state") == "empty");
    CHECK(j.at("entries") == json::array());
}

TEST_CASE("to_json: a registry without counters has null lookups, null hits and no missed keys", "[json]") {
    uncounted_registry reg{"json.uncounted"};
    reg.add("a", 1);
    CHECK(reg.get("a"));
    CHECK_FALSE(reg.get("b"));

    const json j = round_trip(reg.report());

    CHECK(j.at("lookups").is_null());
    CHECK(j.at("entries").at(0).at("hits").is_null());
    CHECK(j.at("missed_keys") == json::array());
    CHECK(j.at("other_misses") == 0);
}

TEST_CASE("to_json: a registry counted per registry has lookups but null hits per entry", "[json]") {
    per_registry_registry reg{"json.per_registry"};
    reg.add("a", 1);
    CHECK(reg.get("a"));
    CHECK(reg.get("a"));
    CHECK(reg.get("a"));
    CHECK_FALSE(reg.get("b"));

    const json j = round_trip(reg.report());

    CHECK(j.at("lookups") == json{{"hits", 3}, {"misses", 1}});
    CHECK(j.at("entries").at(0).at("hits").is_null());
    CHECK(j.at("missed_keys") == json::array());
}

TEST_CASE("to_json: misses of keys beyond the tracked ones are counted in other_misses", "[json]") {
    per_key_registry reg{"json.other_misses"};
    for (int i = 0; i < 300; ++i) CHECK_FALSE(reg.get("missing-" + std::to_string(i)));

    const roster::registry_report report = reg.report();
    const json j = round_trip(report);

    CHECK(j.at("missed_keys").size() == report.missed_keys.size());
    CHECK(j.at("other_misses") == report.other_misses);
    CHECK(j.at("missed_keys").size() + j.at("other_misses").get<std::uint64_t>() == 300);
    CHECK(j.at("other_misses").get<std::uint64_t>() > 0);
    CHECK(j.at("lookups") == json{{"hits", 0}, {"misses", 300}});
}

TEST_CASE("to_json: keys with quotes, backslashes and newlines survive dump and parse as the report's text", "[json]") {
    per_key_registry reg{"json.odd_keys"};
    reg.add("a\"b\\c", 1);         // registered keys cannot hold control characters,
    CHECK_FALSE(reg.get("x\"y\nz")); // looked-up keys can
    const roster::registry_report report = reg.report();

    const json j = round_trip(report);

    CHECK(j.at("entries").at(0).at("key") == report.entries.at(0).key);
    CHECK(j.at("missed_keys").at(0).at("key") == report.missed_keys.at(0).key);
}

TEST_CASE("to_json: integer keys are their decimal text", "[json]") {
    roster::basic_registry<int, std::string, roster::listing::listed, roster::counters::per_key> reg{"json.int_keys"};
    reg.add(404, "Not Found");
    CHECK(reg.get(404));
    CHECK_FALSE(reg.get(500));

    const json j = round_trip(reg.report());

    CHECK(j.at("entries").at(0).at("key") == "404");
    CHECK(j.at("entries").at(0).at("hits") == 1);
    CHECK(j.at("missed_keys").at(0).at("key") == "500");
}

TEST_CASE("to_json: lifecycle and change_kind become their names", "[json]") {
    CHECK(json(roster::lifecycle::empty) == "empty");
    CHECK(json(roster::lifecycle::populated) == "populated");
    CHECK(json(roster::lifecycle::frozen) == "frozen");
    CHECK(json(roster::change_kind::added) == "added");
    CHECK(json(roster::change_kind::removed) == "removed");
    CHECK(json(roster::change_kind::changed) == "changed");
    CHECK(json(roster::change_kind::unchanged) == "unchanged");
}

TEST_CASE("to_json: lookup counts become an object of hits and misses", "[json]") {
    const json j = round_trip(roster::lookup_counts{7, 3});
    CHECK(j == json{{"hits", 7}, {"misses", 3}});
}

TEST_CASE("to_json: a registration event becomes an object with kind, registry, key, where and replayed", "[json]") {
    uncounted_registry reg{"json.events"};
    const auto before_line = __LINE__ + 1;
    reg.add("before", 1);

    std::vector<json> seen;
    auto subscription = roster::catalog::instance().subscribe([&](const roster::registration_event& event) {
        if (event.registry == "json.events") seen.push_back(round_trip(event));
    });
    reg.add("after", 2);
    const auto remove_line = __LINE__ + 1;
    reg.remove("before");
    subscription.reset();

    REQUIRE(seen.size() == 3);
    for (const json& e : seen)
        CHECK(members(e) == std::set<std::string>{"kind", "registry", "key", "where", "replayed"});

    CHECK(seen[0].at("kind") == "added");
    CHECK(seen[0].at("key") == "\"before\"");
    CHECK(seen[0].at("replayed") == true);
    CHECK(seen[0].at("where").at("line") == before_line);

    CHECK(seen[1].at("kind") == "added");
    CHECK(seen[1].at("registry") == "json.events");
    CHECK(seen[1].at("key") == "\"after\"");
    CHECK(seen[1].at("replayed") == false);
    CHECK(is_location_of(seen[1].at("where"), *reg.location("after")));

    CHECK(seen[2].at("kind") == "removed");
    CHECK(seen[2].at("key") == "\"before\"");
    CHECK(seen[2].at("replayed") == false);
    CHECK(seen[2].at("where").at("line") == remove_line);
}

TEST_CASE("catalog_json: the document names the roster version and lists every listed registry by name", "[json]") {
    per_key_registry codecs{"json.doc.codecs"};
    uncounted_registry drivers{"json.doc.drivers"};
    codecs.add("gzip", 1);
    CHECK(codecs.get("gzip"));
    drivers.add("sqlite", 1);
    drivers.freeze();

    const json doc = round_trip(roster::catalog_json());

    REQUIRE(doc.is_object());
    CHECK(members(doc) == std::set<std::string>{"roster_version", "registries"});
    CHECK(doc.at("roster_version") == std::to_string(ROSTER_VERSION_MAJOR) + "." +
                                          std::to_string(ROSTER_VERSION_MINOR) + "." +
                                          std::to_string(ROSTER_VERSION_PATCH));
    const json& list = doc.at("registries");
    REQUIRE(list.is_array());
    CHECK(list.size() == roster::catalog::instance().size());
    std::vector<std::string> names;
    for (const json& r : list) names.push_back(r.at("name").get<std::string>());
    CHECK(std::is_sorted(names.begin(), names.end()));

    const json* c = find_registry(doc, "json.doc.codecs");
    const json* d = find_registry(doc, "json.doc.drivers");
    REQUIRE(c != nullptr);
    REQUIRE(d != nullptr);
    CHECK(c->at("entries").at(0).at("hits") == 1);
    CHECK(c->at("lookups") == json{{"hits", 1}, {"misses", 0}});
    CHECK(d->at("state") == "frozen");
    CHECK(d->at("frozen_at").is_object());
}

TEST_CASE("catalog_json: a list of reports is exported in the order given, listed or not", "[json]") {
    roster::registry<int> unlisted_b{"json.order.b"};
    roster::registry<int> unlisted_a{"json.order.a"};
    const json doc = round_trip(roster::catalog_json({unlisted_b.report(), unlisted_a.report()}));

    const json& list = doc.at("registries");
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("name") == "json.order.b");
    CHECK(list[1].at("name") == "json.order.a");
    CHECK(round_trip(roster::catalog_json({})).at("registries") == json::array());
}
