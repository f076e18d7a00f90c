// Tests for roster/handler/pattern.hpp: route patterns in the grammar of Go
// 1.22's net/http.ServeMux -- parsing and its errors, wildcard names, the
// relations between two patterns (methods, paths, both), conflicts and their
// descriptions, the example paths those descriptions show, and the path
// helpers dispatch uses (unescaping, cleaning, the host's port).
//
// The tables are ported from Go's own tests, one TEST_CASE per Go table:
// net/http's pattern_test.go (https://go.dev/src/net/http/pattern_test.go)
// and server_test.go (TestCleanPath), net's ip_test.go (TestSplitHostPort,
// which stripHostPort is built on) and net/url's url_test.go (unescapeTests,
// which pathUnescape is built on). Only the data is Go's, not the code.
// The tables of TestParsePatternError, TestConflictsWith, TestDescribeConflict
// and TestCleanPath are in support/go_route_tables.hpp, which tests/handler.cpp
// runs through handler_registry too.
// Test data from the Go project, Copyright 2023 The Go Authors, BSD-style
// licence (https://go.dev/LICENSE).
//
// Where roster deliberately differs from Go, the case says so in a comment
// starting "roster differs from Go:" and asserts roster's behaviour.
#include "support/catch.hpp"

#include "roster/handler/pattern.hpp"

#include "support/go_route_tables.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using roster::route_pattern;
using roster::route_relation;
using roster::route_segment;

constexpr route_relation equivalent = route_relation::equivalent;
constexpr route_relation more_general = route_relation::more_general;
constexpr route_relation more_specific = route_relation::more_specific;
constexpr route_relation disjoint = route_relation::disjoint;
constexpr route_relation overlaps = route_relation::overlaps;

// Go's segment constructors in TestParsePattern: lit, wild, multi.
route_segment lit(std::string text) { return route_segment{std::move(text), false, false}; }
route_segment wild(std::string name) { return route_segment{std::move(name), true, false}; }
route_segment multi(std::string name) { return route_segment{std::move(name), true, true}; }

// Go's inverseRelationship.
route_relation inverse(route_relation r) {
    if (r == more_specific) return more_general;
    if (r == more_general) return more_specific;
    return r;
}

// Relations compare by name, so a failure prints "more general", not "1".
std::string name(route_relation r) { return roster::to_string(r); }

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// Go's mustParsePattern: the test stops if the pattern doesn't parse.
route_pattern must_parse(std::string_view text) {
    INFO("pattern: " << text);
    roster::route_parse_result result = route_pattern::parse(text);
    INFO("parse error: " << result.message());
    REQUIRE(result);
    return *result.pattern;
}

// A segment as Go's %#v would show it, for failure messages.
std::string describe(const std::vector<route_segment>& segments) {
    std::string out = "[";
    for (const route_segment& s : segments) {
        if (out.size() > 1) out += ", ";
        out += s.multi ? "multi(\"" : s.wild ? "wild(\"" : "lit(\"";
        out += s.text;
        out += "\")";
    }
    out += "]";
    return out;
}

// A pattern with `count` wildcards: "/{w0}/{w1}/...".
std::string many_wildcards(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += "/{w" + std::to_string(i) + "}";
    return text;
}

} // namespace

// --------------------------------------------------------------- parsing

TEST_CASE("route patterns parse as Go 1.22's ServeMux parses them", "[handler][pattern]") {
    // Go's TestParsePattern.
    struct parse_case {
        std::string_view in;
        std::string method;
        std::string host;
        std::vector<route_segment> segments;
    };
    const parse_case cases[] = {
        {"/", "", "", {multi("")}},
        {"/a", "", "", {lit("a")}},
        {"/a/", "", "", {lit("a"), multi("")}},
        {"/path/to/something", "", "", {lit("path"), lit("to"), lit("something")}},
        {"/{w1}/lit/{w2}", "", "", {wild("w1"), lit("lit"), wild("w2")}},
        {"/{w1}/lit/{w2}/", "", "", {wild("w1"), lit("lit"), wild("w2"), multi("")}},
        {"example.com/", "", "example.com", {multi("")}},
        {"GET /", "GET", "", {multi("")}},
        {"POST example.com/foo/{w}", "POST", "example.com", {lit("foo"), wild("w")}},
        {"/{$}", "", "", {lit("/")}},
        {"DELETE example.com/a/{foo12}/{$}", "DELETE", "example.com", {lit("a"), wild("foo12"), lit("/")}},
        {"/foo/{$}", "", "", {lit("foo"), lit("/")}},
        {"/{a}/foo/{rest...}", "", "", {wild("a"), lit("foo"), multi("rest")}},
        {"//", "", "", {lit(""), multi("")}},
        {"/foo///./../bar", "", "", {lit("foo"), lit(""), lit(""), lit("."), lit(".."), lit("bar")}},
        {"a.com/foo//", "", "a.com", {lit("foo"), lit(""), multi("")}},
        {"/%61%62/%7b/%", "", "", {lit("ab"), lit("{"), lit("%")}},
        // Allow multiple spaces matching regexp '[ \t]+' between method and path.
        {"GET\t  /", "GET", "", {multi("")}},
        {"POST \t  example.com/foo/{w}", "POST", "example.com", {lit("foo"), wild("w")}},
        {"DELETE    \texample.com/a/{foo12}/{$}", "DELETE", "example.com", {lit("a"), wild("foo12"), lit("/")}},
    };
    for (const parse_case& c : cases) {
        CAPTURE(c.in);
        const route_pattern p = must_parse(c.in);
        CHECK(p.text() == c.in);
        CHECK(p.method() == c.method);
        CHECK(p.host() == c.host);
        INFO("got  " << describe(p.segments()));
        INFO("want " << describe(c.segments));
        CHECK(p.segments() == c.segments);
        // roster's own view of the same data: the named wildcards, in order,
        // and whether the path ends in a multi wildcard.
        std::vector<std::string> names;
        for (const route_segment& s : c.segments)
            if (s.wild && !s.text.empty()) names.push_back(s.text);
        CHECK(p.wildcard_names() == names);
        CHECK(p.ends_in_multi() == (!c.segments.empty() && c.segments.back().multi));
    }
}

TEST_CASE("malformed route patterns are refused with Go's offset and reason", "[handler][pattern]") {
    // Go's TestParsePatternError: the error text contains `contains`.
    for (const go_tables::parse_error_case& c : go_tables::parse_pattern_errors) {
        CAPTURE(c.in, c.contains);
        const roster::route_parse_result result = route_pattern::parse(c.in);
        CHECK_FALSE(result);
        CHECK_FALSE(result.pattern.has_value());
        const std::string message = result.message();
        CAPTURE(message);
        CHECK(contains_text(message, c.contains));
        // message() is exactly "at offset <offset>: <reason>".
        CHECK(message == "at offset " + std::to_string(result.offset) + ": " + result.reason);
    }
}

TEST_CASE("wildcard names are identifiers, as Go's isValidWildcardName says", "[handler][pattern]") {
    // Go has no table for isValidWildcardName (pattern.go: a letter or '_',
    // then letters, digits or '_', by unicode.IsLetter / unicode.IsDigit);
    // these cases follow it, each through parse("/{name}").
    struct name_case {
        std::string_view name;
        bool valid;
    };
    const name_case cases[] = {
        {"a", true},
        {"Z", true},
        {"_", true},
        {"a1", true},
        {"_1", true},
        {"foo12", true},
        {"camelCase_and_snake", true},
        {"1a", false},
        {"9", false},
        {"a-b", false},
        {"a.b", false},
        {"a$", false},
        {"$a", false},
        {"a%61", false},
        {"a{b", false},
        {"\xc3\xa9t\xc3\xa9", true},        // "été": Unicode letters
        {"\xe6\x97\xa5\xe6\x9c\xac", true}, // "日本"
        {"\xcf\x80" "1", true},             // "π1"
        {"x\xd9\xa3", true},                // "x٣": a Unicode digit after a letter
        // roster differs from Go: bytes >= 0x80 all count as letters, so a
        // name Go refuses for a non-letter rune is accepted.
        {"\xd9\xa3" "x", true},  // "٣x": Go refuses a leading Unicode digit
        {"\xe2\x82\xac", true},  // "€": Go refuses a currency symbol
        {"x\xc2\xbd", true},     // "x½": Go refuses a number that is not a digit
        {"\xff", true},          // invalid UTF-8: Go refuses U+FFFD
    };
    for (const name_case& c : cases) {
        const std::string text = "/{" + std::string(c.name) + "}";
        CAPTURE(text, c.valid);
        const roster::route_parse_result result = route_pattern::parse(text);
        CAPTURE(result.message());
        REQUIRE(static_cast<bool>(result) == c.valid);
        if (c.valid) {
            CHECK(result.pattern->wildcard_names() == std::vector<std::string>{std::string(c.name)});
            CHECK(result.pattern->segments() == std::vector<route_segment>{wild(std::string(c.name))});
        } else {
            CHECK(result.offset == 1);
            CHECK(contains_text(result.message(), "at offset 1: bad wildcard name"));
        }
    }
}

TEST_CASE("a route pattern may have at most max_route_wildcards wildcards", "[handler][pattern]") {
    // roster differs from Go: Go has no limit; roster keeps a match's
    // captures inline, so it refuses the 17th named wildcard.
    STATIC_REQUIRE(roster::max_route_wildcards == 16);

    SECTION("16 named wildcards parse, single or multi at the end") {
        const std::string text = many_wildcards(16);
        const route_pattern p = must_parse(text);
        CHECK(p.wildcard_names().size() == 16);
        CHECK(p.wildcard_names().back() == "w15");

        const route_pattern multi_end = must_parse(many_wildcards(15) + "/{rest...}");
        CHECK(multi_end.wildcard_names().size() == 16);
        CHECK(multi_end.ends_in_multi());
    }
    SECTION("a trailing slash is an anonymous multi wildcard and doesn't count") {
        const route_pattern p = must_parse(many_wildcards(16) + "/");
        CHECK(p.wildcard_names().size() == 16);
        CHECK(p.segments().size() == 17);
        CHECK(p.ends_in_multi());
    }
    SECTION("literals and {$} don't count") {
        const route_pattern p = must_parse("GET example.com/lit" + many_wildcards(16) + "/x/{$}");
        CHECK(p.wildcard_names().size() == 16);
        CHECK(p.segments().size() == 19);
    }
    SECTION("the 17th wildcard is refused at its offset") {
        const std::string text = many_wildcards(17);
        const roster::route_parse_result result = route_pattern::parse(text);
        CAPTURE(text, result.message());
        CHECK_FALSE(result);
        CHECK(result.offset == text.rfind('/') + 1);
        CHECK(result.message() ==
              "at offset " + std::to_string(text.rfind('/') + 1) + ": more than 16 wildcards");
    }
    SECTION("a 17th multi wildcard is refused too") {
        const std::string text = many_wildcards(16) + "/{rest...}";
        const roster::route_parse_result result = route_pattern::parse(text);
        CAPTURE(text, result.message());
        CHECK_FALSE(result);
        CHECK(result.offset == text.rfind('/') + 1);
        CHECK(contains_text(result.message(), "more than 16 wildcards"));
    }
}

// ------------------------------------------------------------- relations

TEST_CASE("route methods relate as Go's compareMethods says: every method > GET > HEAD", "[handler][pattern]") {
    // Go's TestCompareMethods.
    struct relation_case {
        std::string_view p1, p2;
        route_relation want;
    };
    const relation_case cases[] = {
        {"/", "/", equivalent},
        {"GET /", "GET /", equivalent},
        {"HEAD /", "HEAD /", equivalent},
        {"POST /", "POST /", equivalent},
        {"GET /", "POST /", disjoint},
        {"GET /", "/", more_specific},
        {"HEAD /", "/", more_specific},
        {"GET /", "HEAD /", more_general},
    };
    for (const relation_case& c : cases) {
        CAPTURE(c.p1, c.p2, name(c.want));
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        CHECK(name(roster::compare_route_methods(p1, p2)) == name(c.want));
        CHECK(name(roster::compare_route_methods(p2, p1)) == name(inverse(c.want)));
    }
}

TEST_CASE("route paths relate as Go's comparePaths says", "[handler][pattern]") {
    // Go's TestComparePaths.
    struct relation_case {
        std::string_view p1, p2;
        route_relation want;
    };
    const relation_case cases[] = {
        // A non-final pattern segment can have one of two values: literal or
        // single wildcard. A final pattern segment can have one of 5: empty
        // (trailing slash), literal, dollar, single wildcard, or multi
        // wildcard. Trailing slash and multi wildcard are the same.

        // A literal should be more specific than anything it overlaps, except itself.
        {"/a", "/a", equivalent},
        {"/a", "/b", disjoint},
        {"/a", "/", more_specific},
        {"/a", "/{$}", disjoint},
        {"/a", "/{x}", more_specific},
        {"/a", "/{x...}", more_specific},

        // Adding a segment doesn't change that.
        {"/b/a", "/b/a", equivalent},
        {"/b/a", "/b/b", disjoint},
        {"/b/a", "/b/", more_specific},
        {"/b/a", "/b/{$}", disjoint},
        {"/b/a", "/b/{x}", more_specific},
        {"/b/a", "/b/{x...}", more_specific},
        {"/{z}/a", "/{z}/a", equivalent},
        {"/{z}/a", "/{z}/b", disjoint},
        {"/{z}/a", "/{z}/", more_specific},
        {"/{z}/a", "/{z}/{$}", disjoint},
        {"/{z}/a", "/{z}/{x}", more_specific},
        {"/{z}/a", "/{z}/{x...}", more_specific},

        // Single wildcard on left.
        {"/{z}", "/a", more_general},
        {"/{z}", "/a/b", disjoint},
        {"/{z}", "/{$}", disjoint},
        {"/{z}", "/{x}", equivalent},
        {"/{z}", "/", more_specific},
        {"/{z}", "/{x...}", more_specific},
        {"/b/{z}", "/b/a", more_general},
        {"/b/{z}", "/b/a/b", disjoint},
        {"/b/{z}", "/b/{$}", disjoint},
        {"/b/{z}", "/b/{x}", equivalent},
        {"/b/{z}", "/b/", more_specific},
        {"/b/{z}", "/b/{x...}", more_specific},

        // Trailing slash on left.
        {"/", "/a", more_general},
        {"/", "/a/b", more_general},
        {"/", "/{$}", more_general},
        {"/", "/{x}", more_general},
        {"/", "/", equivalent},
        {"/", "/{x...}", equivalent},

        {"/b/", "/b/a", more_general},
        {"/b/", "/b/a/b", more_general},
        {"/b/", "/b/{$}", more_general},
        {"/b/", "/b/{x}", more_general},
        {"/b/", "/b/", equivalent},
        {"/b/", "/b/{x...}", equivalent},

        {"/{z}/", "/{z}/a", more_general},
        {"/{z}/", "/{z}/a/b", more_general},
        {"/{z}/", "/{z}/{$}", more_general},
        {"/{z}/", "/{z}/{x}", more_general},
        {"/{z}/", "/{z}/", equivalent},
        {"/{z}/", "/a/", more_general},
        {"/{z}/", "/{z}/{x...}", equivalent},
        {"/{z}/", "/a/{x...}", more_general},
        {"/a/{z}/", "/{z}/a/", overlaps},
        {"/a/{z}/b/", "/{x}/c/{y...}", overlaps},

        // Multi wildcard on left.
        {"/{m...}", "/a", more_general},
        {"/{m...}", "/a/b", more_general},
        {"/{m...}", "/{$}", more_general},
        {"/{m...}", "/{x}", more_general},
        {"/{m...}", "/", equivalent},
        {"/{m...}", "/{x...}", equivalent},

        {"/b/{m...}", "/b/a", more_general},
        {"/b/{m...}", "/b/a/b", more_general},
        {"/b/{m...}", "/b/{$}", more_general},
        {"/b/{m...}", "/b/{x}", more_general},
        {"/b/{m...}", "/b/", equivalent},
        {"/b/{m...}", "/b/{x...}", equivalent},
        {"/b/{m...}", "/a/{x...}", disjoint},

        {"/{z}/{m...}", "/{z}/a", more_general},
        {"/{z}/{m...}", "/{z}/a/b", more_general},
        {"/{z}/{m...}", "/{z}/{$}", more_general},
        {"/{z}/{m...}", "/{z}/{x}", more_general},
        {"/{z}/{m...}", "/{w}/", equivalent},
        {"/{z}/{m...}", "/a/", more_general},
        {"/{z}/{m...}", "/{z}/{x...}", equivalent},
        {"/{z}/{m...}", "/a/{x...}", more_general},
        {"/a/{m...}", "/a/b/{y...}", more_general},
        {"/a/{m...}", "/a/{x}/{y...}", more_general},
        {"/a/{z}/{m...}", "/a/b/{y...}", more_general},
        {"/a/{z}/{m...}", "/{z}/a/", overlaps},
        {"/a/{z}/{m...}", "/{z}/b/{y...}", overlaps},
        {"/a/{z}/b/{m...}", "/{x}/c/{y...}", overlaps},
        {"/a/{z}/a/{m...}", "/{x}/b", disjoint},

        // Dollar on left.
        {"/{$}", "/a", disjoint},
        {"/{$}", "/a/b", disjoint},
        {"/{$}", "/{$}", equivalent},
        {"/{$}", "/{x}", disjoint},
        {"/{$}", "/", more_specific},
        {"/{$}", "/{x...}", more_specific},

        {"/b/{$}", "/b", disjoint},
        {"/b/{$}", "/b/a", disjoint},
        {"/b/{$}", "/b/a/b", disjoint},
        {"/b/{$}", "/b/{$}", equivalent},
        {"/b/{$}", "/b/{x}", disjoint},
        {"/b/{$}", "/b/", more_specific},
        {"/b/{$}", "/b/{x...}", more_specific},
        {"/b/{$}", "/b/c/{x...}", disjoint},
        {"/b/{x}/a/{$}", "/{x}/c/{y...}", overlaps},
        {"/{x}/b/{$}", "/a/{x}/{y}", disjoint},
        {"/{x}/b/{$}", "/a/{x}/c", disjoint},

        {"/{z}/{$}", "/{z}/a", disjoint},
        {"/{z}/{$}", "/{z}/a/b", disjoint},
        {"/{z}/{$}", "/{z}/{$}", equivalent},
        {"/{z}/{$}", "/{z}/{x}", disjoint},
        {"/{z}/{$}", "/{z}/", more_specific},
        {"/{z}/{$}", "/a/", overlaps},
        {"/{z}/{$}", "/a/{x...}", overlaps},
        {"/{z}/{$}", "/{z}/{x...}", more_specific},
        {"/a/{z}/{$}", "/{z}/a/", overlaps},
    };
    for (const relation_case& c : cases) {
        CAPTURE(c.p1, c.p2, name(c.want));
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        // Every pattern matches itself.
        CHECK(name(roster::compare_route_paths(p1, p1)) == name(equivalent));
        CHECK(name(roster::compare_route_paths(p2, p2)) == name(equivalent));
        CHECK(name(roster::compare_route_paths(p1, p2)) == name(c.want));
        CHECK(name(roster::compare_route_paths(p2, p1)) == name(inverse(c.want)));
        // Without methods, compare_routes is compare_route_paths.
        CHECK(name(roster::compare_routes(p1, p2)) == name(c.want));
    }
}

TEST_CASE("route patterns conflict as Go's conflictsWith says, in either order", "[handler][pattern]") {
    // Go's TestConflictsWith.
    for (const go_tables::conflict_case& c : go_tables::conflicts_with) {
        CAPTURE(c.p1, c.p2, c.conflicts);
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        CHECK(roster::routes_conflict(p1, p2) == c.conflicts);
        // conflictsWith should be commutative.
        CHECK(roster::routes_conflict(p2, p1) == c.conflicts);
    }
}

TEST_CASE("route patterns for different hosts never conflict", "[handler][pattern]") {
    // Go's conflictsWith starts with `if p1.host != p2.host { return false }`;
    // Go's table has no host, so these cases add one to its conflicting pairs.
    struct host_case {
        std::string_view p1, p2;
    };
    const host_case cases[] = {
        {"a.com/a", "b.com/a"},
        {"a.com/{x}", "/{y}"},
        {"GET a.com/", "b.com/foo"},
        {"a.com/a/{x}", "a.org/{x}/b"},
    };
    for (const host_case& c : cases) {
        CAPTURE(c.p1, c.p2);
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        // By method and path they would conflict...
        const route_relation rel = roster::compare_routes(p1, p2);
        CHECK((rel == equivalent || rel == overlaps));
        // ... but the hosts differ.
        CHECK_FALSE(roster::routes_conflict(p1, p2));
        CHECK_FALSE(roster::routes_conflict(p2, p1));
    }
    // The same host conflicts as no host does.
    CHECK(roster::routes_conflict(must_parse("a.com/a/{x}"), must_parse("a.com/{x}/b")));
}

TEST_CASE("registering a pattern equivalent to a registered one is a conflict that says so",
          "[handler][pattern]") {
    // Go's TestRegisterConflict: "/a/{x}/" is registered, then "/a/{y}/{z...}".
    const route_pattern p1 = must_parse("/a/{x}/");
    const route_pattern p2 = must_parse("/a/{y}/{z...}");
    REQUIRE(roster::routes_conflict(p2, p1));
    const std::string got = roster::describe_route_conflict(p2, p1);
    CAPTURE(got);
    CHECK(contains_text(got, "matches the same requests as"));
}

TEST_CASE("route conflicts are described as Go's describeConflict describes them", "[handler][pattern]") {
    // Go's TestDescribeConflict (and TestRegisterConflict's pair, checked on its
    // own above).
    for (const go_tables::describe_conflict_case& c : go_tables::describe_conflicts) {
        CAPTURE(c.p1, c.p2, c.want);
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        // describeConflict's precondition (Go panics without it).
        REQUIRE(roster::routes_conflict(p1, p2));
        const std::string got = roster::describe_route_conflict(p1, p2);
        CAPTURE(got);
        CHECK(contains_text(got, c.want));
    }
}

TEST_CASE("a path both overlapping patterns match is Go's commonPath", "[handler][pattern]") {
    // Go's TestCommonPath.
    struct path_case {
        std::string_view p1, p2;
        std::string_view want;
    };
    const path_case cases[] = {
        {"/a/{x}", "/{x}/a", "/a/a"},
        {"/a/{z}/", "/{z}/a/", "/a/a/"},
        {"/a/{z}/{m...}", "/{z}/a/", "/a/a/"},
        {"/{z}/{$}", "/a/", "/a/"},
        {"/{z}/{$}", "/a/{x...}", "/a/"},
        {"/a/{z}/{$}", "/{z}/a/", "/a/a/"},
        {"/a/{x}/b/{y...}", "/{x}/c/{y...}", "/a/c/b/"},
        {"/a/{x}/b/", "/{x}/c/{y...}", "/a/c/b/"},
        {"/a/{x}/b/{$}", "/{x}/c/{y...}", "/a/c/b/"},
        {"/a/{z}/{x...}", "/{z}/b/{y...}", "/a/b/"},
    };
    for (const path_case& c : cases) {
        CAPTURE(c.p1, c.p2, c.want);
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        REQUIRE(name(roster::compare_route_paths(p1, p2)) == name(overlaps));
        CHECK(roster::route_common_path(p1, p2) == c.want);
    }
}

TEST_CASE("a path one pattern matches and the other doesn't is Go's differencePath", "[handler][pattern]") {
    // Go's TestDifferencePath.
    struct path_case {
        std::string_view p1, p2;
        std::string_view want;
    };
    const path_case cases[] = {
        {"/a/{x}", "/{x}/a", "/a/x"},
        {"/{x}/a", "/a/{x}", "/x/a"},
        {"/a/{z}/", "/{z}/a/", "/a/z/"},
        {"/{z}/a/", "/a/{z}/", "/z/a/"},
        {"/{a}/a/", "/a/{z}/", "/ax/a/"},
        {"/a/{z}/{x...}", "/{z}/b/{y...}", "/a/z/"},
        {"/{z}/b/{y...}", "/a/{z}/{x...}", "/z/b/"},
        {"/a/b/", "/a/b/c", "/a/b/"},
        {"/a/b/{x...}", "/a/b/c", "/a/b/"},
        {"/a/b/{x...}", "/a/b/c/d", "/a/b/"},
        {"/a/b/{x...}", "/a/b/c/d/", "/a/b/"},
        {"/a/{z}/{m...}", "/{z}/a/", "/a/z/"},
        {"/{z}/a/", "/a/{z}/{m...}", "/z/a/"},
        {"/{z}/{$}", "/a/", "/z/"},
        {"/a/", "/{z}/{$}", "/a/x"},
        {"/{z}/{$}", "/a/{x...}", "/z/"},
        {"/a/{foo...}", "/{z}/{$}", "/a/foo"},
        {"/a/{z}/{$}", "/{z}/a/", "/a/z/"},
        {"/{z}/a/", "/a/{z}/{$}", "/z/a/x"},
        {"/a/{x}/b/{y...}", "/{x}/c/{y...}", "/a/x/b/"},
        {"/{x}/c/{y...}", "/a/{x}/b/{y...}", "/x/c/"},
        {"/a/{c}/b/", "/{x}/c/{y...}", "/a/cx/b/"},
        {"/{x}/c/{y...}", "/a/{c}/b/", "/x/c/"},
        {"/a/{x}/b/{$}", "/{x}/c/{y...}", "/a/x/b/"},
        {"/{x}/c/{y...}", "/a/{x}/b/{$}", "/x/c/"},
    };
    for (const path_case& c : cases) {
        CAPTURE(c.p1, c.p2, c.want);
        const route_pattern p1 = must_parse(c.p1);
        const route_pattern p2 = must_parse(c.p2);
        const route_relation rel = roster::compare_route_paths(p1, p2);
        CAPTURE(name(rel));
        REQUIRE((rel == overlaps || rel == more_general));
        CHECK(roster::route_difference_path(p1, p2) == c.want);
    }
}

// ----------------------------------------------------------- path helpers

TEST_CASE("request paths are cleaned as Go's cleanPath cleans them", "[handler][pattern]") {
    // Go's TestCleanPath (server_test.go), and more cases worked out by hand
    // from cleanPath.
    for (const go_tables::clean_path_case& c : go_tables::clean_paths) {
        CAPTURE(c.in, c.want);
        CHECK(roster::clean_route_path(c.in) == c.want);
        // A clean path is its own cleaning; the input is clean exactly when
        // cleaning leaves it as it is (Go's `rest != cleanPath(rest)` test
        // for non-CONNECT patterns).
        CHECK(roster::is_clean_route_path(c.want));
        CHECK(roster::clean_route_path(c.want) == c.want);
        CHECK(roster::is_clean_route_path(c.in) == (c.in == c.want));
    }
}

TEST_CASE("a method other than CONNECT refuses an unclean path; CONNECT and no method accept it",
          "[handler][pattern]") {
    // From Go's parsePattern: `method != "" && method != "CONNECT" &&
    // rest != cleanPath(rest)` is "non-CONNECT pattern with unclean path can
    // never match"; TestParsePattern parses "//" and "/foo///./../bar".
    struct unclean_case {
        std::string_view path;
        std::size_t offset; // where the path starts in "GET <path>"
    };
    const unclean_case cases[] = {
        {"//", 4}, {"/foo///./../bar", 4}, {"/a/../b", 4}, {"/a/./b", 4}, {"/a//", 4}, {"/.", 4}, {"/..", 4},
    };
    for (const unclean_case& c : cases) {
        CAPTURE(c.path);
        const roster::route_parse_result get = route_pattern::parse("GET " + std::string(c.path));
        CHECK_FALSE(get);
        CHECK(get.message() ==
              "at offset " + std::to_string(c.offset) + ": non-CONNECT pattern with unclean path can never match");
        const roster::route_parse_result with_host = route_pattern::parse("POST a.com" + std::string(c.path));
        CHECK_FALSE(with_host);
        CHECK(with_host.offset == 10);
        CHECK(route_pattern::parse("CONNECT " + std::string(c.path)));
        CHECK(route_pattern::parse(c.path));
    }
}

TEST_CASE("path segments are unescaped as Go's url.PathUnescape does, or left as they are",
          "[handler][pattern]") {
    // net/url's unescapeTests, through PathUnescape (which leaves '+' alone);
    // net/http's pathUnescape keeps the text unchanged when PathUnescape fails.
    struct unescape_case {
        std::string_view in, want;
    };
    const unescape_case cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"1%41", "1A"},
        {"1%41%42%43", "1ABC"},
        {"%4a", "J"},
        {"%6F", "o"},
        {"%", "%"},               // not enough characters after %: unchanged
        {"%a", "%a"},             // not enough characters after %: unchanged
        {"%1", "%1"},             // not enough characters after %: unchanged
        {"123%45%6", "123%45%6"}, // not enough characters after %: unchanged
        {"%zzzzz", "%zzzzz"},     // invalid hex digits: unchanged
        {"a+b", "a+b"},           // PathUnescape doesn't turn '+' into ' '
        {"a%20b", "a b"},
        // Go's TestParsePattern and TestEscapedPathsAndPatterns.
        {"%61%62", "ab"},
        {"%7b", "{"},
        {"%7B", "{"},
        {"%7D", "}"},
        {"%x", "%x"},
        {"%2562", "%62"},
        // net/url's TestPathUnescape.
        {"one%20two", "one two"},
        {"10%25", "10%"},
        {"%A", "%A"},
        {"%ZZ", "%ZZ"},
    };
    for (const unescape_case& c : cases) {
        CAPTURE(c.in, c.want);
        CHECK(roster::path_unescape(c.in) == c.want);
    }
}

TEST_CASE("the host's port is stripped as Go's stripHostPort strips it", "[handler][pattern]") {
    // stripHostPort(h) is h without ':'; else net.SplitHostPort's host, or h
    // if SplitHostPort fails. The hosts are net's TestSplitHostPort table.
    struct strip_case {
        std::string_view in, want;
    };
    const strip_case splits[] = {
        // Host name
        {"localhost:http", "localhost"},
        {"localhost:80", "localhost"},
        // Go-specific host name with zone identifier
        {"localhost%lo0:http", "localhost%lo0"},
        {"localhost%lo0:80", "localhost%lo0"},
        {"[localhost%lo0]:http", "localhost%lo0"}, // Go 1 behavior
        {"[localhost%lo0]:80", "localhost%lo0"},   // Go 1 behavior
        // IP literal
        {"127.0.0.1:http", "127.0.0.1"},
        {"127.0.0.1:80", "127.0.0.1"},
        {"[::1]:http", "::1"},
        {"[::1]:80", "::1"},
        // IP literal with zone identifier
        {"[::1%lo0]:http", "::1%lo0"},
        {"[::1%lo0]:80", "::1%lo0"},
        // Go-specific wildcard for host name
        {":http", ""}, // Go 1 behavior
        {":80", ""},   // Go 1 behavior
        // Go-specific wildcard for service name or transport port number
        {"golang.org:", "golang.org"}, // Go 1 behavior
        {"127.0.0.1:", "127.0.0.1"},   // Go 1 behavior
        {"[::1]:", "::1"},             // Go 1 behavior
        // Opaque service name
        {"golang.org:https%foo", "golang.org"}, // Go 1 behavior
    };
    // SplitHostPort fails on these: stripHostPort returns them unchanged.
    const std::string_view failures[] = {
        "golang.org",
        "127.0.0.1",
        "[::1]",
        "[fe80::1%lo0]",
        "[localhost%lo0]",
        "localhost%lo0",
        "::1",
        "fe80::1%lo0",
        "fe80::1%lo0:80",
        "[foo:bar]",
        "[foo:bar]baz",
        "[foo]bar:baz",
        "[foo]:[bar]:baz",
    };
    // SplitHostPort also fails on a '[' or ']' outside an IP literal's
    // brackets ("unexpected '[' in address", "unexpected ']' in address").
    const std::string_view stray_brackets[] = {
        "[foo]:[bar]baz",
        "foo[bar]:baz",
        "foo]bar:baz",
    };
    SECTION("hosts SplitHostPort splits lose their port") {
        for (const strip_case& c : splits) {
            CAPTURE(c.in, c.want);
            CHECK(roster::strip_host_port(c.in) == c.want);
        }
    }
    SECTION("hosts SplitHostPort refuses are unchanged") {
        for (const std::string_view in : failures) {
            CAPTURE(in);
            CHECK(roster::strip_host_port(in) == in);
        }
        CHECK(roster::strip_host_port("").empty());
    }
    SECTION("hosts with a stray '[' or ']' are unchanged") {
        for (const std::string_view in : stray_brackets) {
            CAPTURE(in);
            CHECK(roster::strip_host_port(in) == in);
        }
    }
}
