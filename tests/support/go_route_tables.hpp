// tests/support/go_route_tables.hpp -- test tables from Go's net/http, shared
// by tests/handler_pattern.cpp (which runs them against roster/handler/
// pattern.hpp directly: route_pattern, routes_conflict, describe_route_conflict,
// clean_route_path) and tests/handler.cpp (which runs them through
// handler_registry add/try_add/match). Each table is here once; each test file
// keeps its own checks.
//
// Test data from the Go project, ported as data only (not the code):
//   https://go.dev/src/net/http/pattern_test.go  TestParsePatternError, TestConflictsWith,
//       TestDescribeConflict, TestRegisterConflict
//   https://go.dev/src/net/http/server_test.go   TestCleanPath
// Copyright The Go Authors, BSD-style licence (https://go.dev/LICENSE).
// Rows that are not Go's say so.
#pragma once

#include <string_view>

namespace go_tables {

/// Go's TestParsePatternError: parsing `in` fails, and the error text
/// contains `contains`.
struct parse_error_case {
    std::string_view in;
    std::string_view contains;
};

inline constexpr parse_error_case parse_pattern_errors[] = {
    {"", "empty pattern"},
    {"A=B /", "at offset 0: invalid method"},
    {" ", "at offset 1: host/path missing /"},
    {"/{w}x", "at offset 1: bad wildcard segment"},
    {"/x{w}", "at offset 1: bad wildcard segment"},
    {"/{wx", "at offset 1: bad wildcard segment"},
    {"/a/{/}/c", "at offset 3: bad wildcard segment"},
    {"/a/{%61}/c", "at offset 3: bad wildcard name"}, // wildcard names aren't unescaped
    {"/{a$}", "at offset 1: bad wildcard name"},
    {"/{}", "at offset 1: empty wildcard"},
    {"POST a.com/x/{}/y", "at offset 13: empty wildcard"},
    {"/{...}", "at offset 1: empty wildcard"},
    {"/{$...}", "at offset 1: bad wildcard"},
    {"/{$}/", "at offset 1: {$} not at end"},
    {"/{$}/x", "at offset 1: {$} not at end"},
    {"/abc/{$}/x", "at offset 5: {$} not at end"},
    {"/{a...}/", "at offset 1: {...} wildcard not at end"},
    {"/{a...}/x", "at offset 1: {...} wildcard not at end"},
    {"{a}/b", "at offset 0: host contains '{' (missing initial '/'?)"},
    {"/a/{x}/b/{x...}", "at offset 9: duplicate wildcard name"},
    {"GET //", "at offset 4: non-CONNECT pattern with unclean path"},
};

/// Go's TestConflictsWith: whether `p1` and `p2` conflict (in either order).
struct conflict_case {
    std::string_view p1, p2;
    bool conflicts;
};

inline constexpr conflict_case conflicts_with[] = {
    {"/a", "/a", true},
    {"/a", "/ab", false},
    {"/a/b/cd", "/a/b/cd", true},
    {"/a/b/cd", "/a/b/c", false},
    {"/a/b/c", "/a/c/c", false},
    {"/{x}", "/{y}", true},
    {"/{x}", "/a", false}, // more specific
    {"/{x}/{y}", "/{x}/a", false},
    {"/{x}/{y}", "/{x}/a/b", false},
    {"/{x}", "/a/{y}", false},
    {"/{x}/{y}", "/{x}/a/", false},
    {"/{x}", "/a/{y...}", false},           // more specific
    {"/{x}/a/{y}", "/{x}/a/{y...}", false}, // more specific
    {"/{x}/{y}", "/{x}/a/{$}", false},      // more specific
    {"/{x}/{y}/{$}", "/{x}/a/{$}", false},
    {"/a/{x}", "/{x}/b", true},
    {"/", "GET /", false},
    {"/", "GET /foo", false},
    {"GET /", "GET /foo", false},
    {"GET /", "/foo", true},
    {"GET /foo", "HEAD /", true},
};

/// Go's TestDescribeConflict: `p1` and `p2` conflict, and describing the
/// conflict of `p1` (the pattern registered second) with `p2` (the one
/// already registered) gives a text that contains `want`.
struct describe_conflict_case {
    std::string_view p1, p2;
    std::string_view want;
};

inline constexpr describe_conflict_case describe_conflicts[] = {
    {"/a/{x}", "/a/{y}", "the same requests"},
    {"/", "/{m...}", "the same requests"},
    {"/a/{x}", "/{y}/b", "both match some paths"},
    {"/a", "GET /{x}", "matches more methods than GET /{x}, but has a more specific path pattern"},
    {"GET /a", "HEAD /", "matches more methods than HEAD /, but has a more specific path pattern"},
    {"POST /", "/a", "matches fewer methods than /a, but has a more general path pattern"},
    // Go's TestRegisterConflict: "/a/{x}/" is registered, then "/a/{y}/{z...}".
    {"/a/{y}/{z...}", "/a/{x}/", "matches the same requests as"},
};

/// Go's TestCleanPath (server_test.go): cleaning `in` gives `want`.
struct clean_path_case {
    std::string_view in, want;
};

inline constexpr clean_path_case clean_paths[] = {
    {"//", "/"},
    {"/x", "/x"},
    {"//x", "/x"},
    {"x//", "/x/"},
    {"a//b/////c", "/a/b/c"},
    {"/foo/../bar/./..//baz", "/baz"},
    // Not Go's: more cases, worked out by hand from cleanPath (a leading '/',
    // then path.Clean, then the trailing slash put back unless the result is "/").
    {"", "/"},
    {"/", "/"},
    {"/.", "/"},
    {"/./", "/"},
    {"/..", "/"},
    {"/../a", "/a"},
    {"a", "/a"},
    {"/a/b/", "/a/b/"},
    {"/a/.", "/a"},
    {"/a/./", "/a/"},
    {"/a/..", "/"},
    {"/a/../", "/"},
    {"/a/b/../c/", "/a/c/"},
    {"/a/.b/..c/", "/a/.b/..c/"},
    {"/a/%2e%2e/b", "/a/%2e%2e/b"},
};

} // namespace go_tables
