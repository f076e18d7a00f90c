// Tests for roster/handler.hpp: the handler registry (HTTP route patterns in
// Go 1.22's ServeMux grammar mapped to handlers). Go's own routing and mux
// tables ported as data; every table is run twice, against a registry that
// is not frozen (match() scans the patterns under the read lock) and one
// built from the same patterns and frozen (match() walks the routing tree),
// and both must give the same answer. Then registration (conflicts,
// malformed patterns, nulls, duplicates, freeze, handles), the core's
// counters, catalog listing, events, explain(), and concurrency
// ([concurrency] cases are the ones the ThreadSanitizer build runs).
//
// Test data from the Go project, Copyright The Go Authors, BSD-style licence
// (https://go.dev/LICENSE), ported as data only:
//   https://go.dev/src/net/http/routing_tree_test.go  TestRoutingNodeMatch, TestMatchingMethods
//   https://go.dev/src/net/http/serve_test.go         serveMuxRegister/serveMuxTests (TestServeMuxHandler),
//       TestServeMuxHandlerTrailingSlash, TestServeMuxHandleFuncWithNilHandler, serveMuxTests2
//       (TestServeMuxHandlerRedirects), TestMuxRedirectLeadingSlashes,
//       TestServeWithSlashRedirectKeepsQueryString, TestServeWithSlashRedirectForHostPatterns,
//       TestMuxNoSlashRedirectWithTrailingSlash, TestMuxNoSlash405WithTrailingSlash
//   https://go.dev/src/net/http/server_test.go        TestFindHandler, TestEmptyServeMux, TestRegisterErr,
//       TestEscapedPathsAndPatterns (the "latest" half), TestCleanPath
//   https://go.dev/src/net/http/request_test.go       TestPathValueAndPattern, TestStatus
//   https://go.dev/src/net/http/pattern_test.go       TestParsePatternError, TestConflictsWith,
//       TestRegisterConflict, TestDescribeConflict
// The tables of TestParsePatternError, TestConflictsWith, TestDescribeConflict
// (with TestRegisterConflict) and TestCleanPath are in support/go_route_tables.hpp,
// which tests/handler_pattern.cpp runs against roster/handler/pattern.hpp too.
// Go's HTTP codes map to roster as: 200 -> route_status::matched, 404 ->
// not_found, 405 -> method_not_allowed (allow_header() is Go's Allow header),
// 301/307 -> redirect (location() is the path only). Deliberate differences
// are marked "roster differs from Go:".
//
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/catalog.hpp"
#include "roster/counters.hpp"
#include "roster/events.hpp"
#include "roster/handler.hpp"

#include "support/go_route_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using handler_fn = int (*)();
using routes = roster::handler_registry<handler_fn>;

std::string line_text(unsigned line) { return fmt::format("handler.cpp:{}", line); }

/// Distinct non-null handlers: numbered<N>() returns N.
template <int N>
int numbered() {
    return N;
}

template <std::size_t... I>
constexpr std::array<handler_fn, sizeof...(I)> make_numbered(std::index_sequence<I...>) {
    return {{&numbered<static_cast<int>(I)>...}};
}
constexpr std::array<handler_fn, 48> numbered_handlers = make_numbered(std::make_index_sequence<48>{});

const char* redirect_name(roster::route_redirect redirect) {
    switch (redirect) {
    case roster::route_redirect::none: return "none";
    case roster::route_redirect::trailing_slash: return "trailing_slash";
    case roster::route_redirect::clean_path: return "clean_path";
    }
    return "unknown";
}

/// What match() answered, in a form that compares and prints.
struct outcome {
    roster::route_status status = roster::route_status::not_found;
    std::string pattern;              ///< pattern(): the matched one, or the one a redirect leads to
    std::vector<std::string> values;  ///< the captured values as returned (escaped as in the path)
    roster::route_redirect redirect = roster::route_redirect::none;
    std::string location;             ///< a redirect's location()
    std::vector<std::string> allowed; ///< a 405's allowed_methods()
    bool handler_ok = true;           ///< a hit's handler() is the one registered with its pattern

    friend bool operator==(const outcome&, const outcome&) = default;
};

std::ostream& operator<<(std::ostream& out, const outcome& o) {
    out << "{" << roster::to_string(o.status);
    if (!o.pattern.empty()) out << ", pattern \"" << o.pattern << "\"";
    if (!o.values.empty() || o.status == roster::route_status::matched) {
        out << ", values [";
        for (std::size_t i = 0; i < o.values.size(); ++i) out << (i == 0 ? "" : ", ") << '"' << o.values[i] << '"';
        out << "]";
    }
    if (o.redirect != roster::route_redirect::none) out << ", " << redirect_name(o.redirect);
    if (!o.location.empty()) out << ", location \"" << o.location << "\"";
    if (!o.allowed.empty()) {
        out << ", allowed [";
        for (std::size_t i = 0; i < o.allowed.size(); ++i) out << (i == 0 ? "" : ", ") << o.allowed[i];
        out << "]";
    }
    if (!o.handler_ok) out << ", WRONG HANDLER";
    return out << "}";
}

outcome matched(std::string pattern, std::vector<std::string> values = {}) {
    outcome o;
    o.status = roster::route_status::matched;
    o.pattern = std::move(pattern);
    o.values = std::move(values);
    return o;
}

outcome not_found() { return outcome{}; }

outcome not_allowed(std::vector<std::string> allowed) {
    outcome o;
    o.status = roster::route_status::method_not_allowed;
    o.allowed = std::move(allowed);
    return o;
}

/// "/tree" -> "/tree/": `pattern` is the pattern "/tree/" matches.
outcome slash_redirect(std::string location, std::string pattern) {
    outcome o;
    o.status = roster::route_status::redirect;
    o.redirect = roster::route_redirect::trailing_slash;
    o.location = std::move(location);
    o.pattern = std::move(pattern);
    return o;
}

/// An unclean path -> the clean one: `pattern` is what the clean path matches ("" if nothing).
outcome clean_redirect(std::string location, std::string pattern = "") {
    outcome o;
    o.status = roster::route_status::redirect;
    o.redirect = roster::route_redirect::clean_path;
    o.location = std::move(location);
    o.pattern = std::move(pattern);
    return o;
}

/// Go's status code for an answer.
int http_code(roster::route_status status) {
    switch (status) {
    case roster::route_status::matched: return 200;
    case roster::route_status::not_found: return 404;
    case roster::route_status::method_not_allowed: return 405;
    case roster::route_status::redirect: return 301;
    }
    return 0;
}

/// A pattern and its handler (null: a numbered one is chosen).
struct route_spec {
    route_spec(std::string_view p, handler_fn h = nullptr) : pattern(p), handler(h) {} // NOLINT(google-explicit-constructor)
    route_spec(const char* p, handler_fn h = nullptr) : pattern(p), handler(h) {}      // NOLINT(google-explicit-constructor)
    std::string pattern;
    handler_fn handler;
};

/// The same patterns registered twice: `open` is never frozen (match() scans
/// the patterns under the read lock), `frozen` is frozen (match() walks the
/// routing tree). Every check runs on both, and both must agree.
class twin_routes {
public:
    twin_routes(std::string_view name, std::vector<route_spec> specs,
                roster::source_location where = roster::source_location::current())
        : specs_(std::move(specs)), open_(std::string(name) + ".open", where),
          frozen_(std::string(name) + ".frozen", where) {
        for (std::size_t i = 0; i < specs_.size(); ++i) {
            if (specs_[i].handler == nullptr) specs_[i].handler = numbered_handlers.at(i + 1);
            open_.add(specs_[i].pattern, specs_[i].handler, where);
            frozen_.add(specs_[i].pattern, specs_[i].handler, where);
        }
        frozen_.freeze(where);
    }

    /// What `reg` answers for the request, as data.
    outcome observe(const routes& reg, std::string_view method, std::string_view host, std::string_view path) const {
        const auto m = reg.match(method, host, path);
        outcome out;
        out.status = m.status();
        out.pattern = std::string(m.pattern());
        for (std::size_t i = 0; i < m.size(); ++i) out.values.emplace_back(m[i]);
        out.redirect = m.redirect();
        out.location = m.location();
        out.allowed = m.allowed_methods();
        if (m) {
            const auto spec = std::find_if(specs_.begin(), specs_.end(),
                                           [&](const route_spec& s) { return s.pattern == m.pattern(); });
            out.handler_ok = spec != specs_.end() && spec->handler == m.handler();
        }
        return out;
    }

    /// Checks that both registries answer `want`, agree with each other, and
    /// that explain() reports the status match() answers.
    void expect(std::string_view method, std::string_view host, std::string_view path, const outcome& want) const {
        INFO("request: method \"" << method << "\", host \"" << host << "\", path \"" << path << "\"");
        const outcome before = observe(open_, method, host, path);
        const outcome after = observe(frozen_, method, host, path);
        {
            INFO("before freeze(): match() scans the patterns");
            CHECK(before == want);
            CHECK(open_.explain(method, host, path).status == before.status);
        }
        {
            INFO("after freeze(): match() walks the routing tree");
            CHECK(after == want);
            CHECK(frozen_.explain(method, host, path).status == after.status);
        }
        CHECK(before == after);
    }

    /// Calls f(registry) on the registry before and after freeze().
    template <class F>
    void for_both(F&& f) const {
        {
            INFO("before freeze()");
            f(open_);
        }
        {
            INFO("after freeze()");
            f(frozen_);
        }
    }

private:
    std::vector<route_spec> specs_;
    routes open_;
    routes frozen_;
};

struct routing_case {
    std::string_view method;
    std::string_view host;
    std::string_view path;
    outcome want;
};

void check_all(const twin_routes& twin, const std::vector<routing_case>& cases) {
    for (const routing_case& c : cases) twin.expect(c.method, c.host, c.path, c.want);
}

/// What a client that follows redirects ends with (Go's tests through a real
/// server and client): the last answer, and how many redirects it followed.
struct followed {
    outcome last;
    int redirects = 0;
    std::string first_location;
};

followed follow(const twin_routes& twin, const routes& reg, std::string_view method, std::string_view host,
                std::string path) {
    followed out;
    for (int hop = 0; hop < 4; ++hop) {
        out.last = twin.observe(reg, method, host, path);
        if (out.last.status != roster::route_status::redirect) return out;
        if (out.redirects == 0) out.first_location = out.last.location;
        ++out.redirects;
        path = out.last.location;
    }
    return out; // a redirect loop: the caller's checks fail on the redirect status
}

} // namespace

// ===========================================================================
// Go: routing_tree_test.go, TestRoutingNodeMatch
//
// Go's test calls its routing tree directly; roster's match() is the whole
// ServeMux (cleaning, trailing-slash redirects, 405s). Where the tree finds
// nothing, the expectation below is what Go's ServeMux answers: not found,
// or a redirect (a comment says so); every case where the tree finds a
// pattern is unchanged, its captured values included.

TEST_CASE("handler_registry (Go TestRoutingNodeMatch): getTestTree's patterns match as Go's routing tree does",
          "[handler][go]") {
    const twin_routes tree("handler.go.test_tree", {"/a", "/a/b", "/a/{x}", "/g/h/i", "/g/{x}/j", "/a/b/{x...}",
                                                    "/a/b/{y}", "/a/b/{$}"});
    check_all(tree, {
                        {"GET", "", "/a", matched("/a")},
                        {"Get", "", "/b", not_found()},
                        {"Get", "", "/a/b", matched("/a/b")},
                        {"Get", "", "/a/c", matched("/a/{x}", {"c"})},
                        {"Get", "", "/a/b/", matched("/a/b/{$}")},
                        {"Get", "", "/a/b/c", matched("/a/b/{y}", {"c"})},
                        {"Get", "", "/a/b/c/d", matched("/a/b/{x...}", {"c/d"})},
                        {"Get", "", "/g/h/i", matched("/g/h/i")},
                        {"Get", "", "/g/h/j", matched("/g/{x}/j", {"h"})},
                    });
}

TEST_CASE("handler_registry (Go TestRoutingNodeMatch): methods, hosts, {$} and multi wildcards pick the pattern Go "
          "picks",
          "[handler][go]") {
    const twin_routes tree("handler.go.item_tree",
                           {"/item/", "POST /item/{user}", "GET /item/{user}", "/item/{user}", "/item/{user}/{id}",
                            "/item/{user}/new", "/item/{$}", "POST alt.com/item/{user}", "GET /headwins",
                            "HEAD /headwins", "/path/{p...}"});
    check_all(tree, {
                        {"GET", "", "/item/jba", matched("GET /item/{user}", {"jba"})},
                        {"POST", "", "/item/jba", matched("POST /item/{user}", {"jba"})},
                        {"HEAD", "", "/item/jba", matched("GET /item/{user}", {"jba"})},
                        {"get", "", "/item/jba", matched("/item/{user}", {"jba"})}, // method matches are case-sensitive
                        {"POST", "", "/item/jba/17", matched("/item/{user}/{id}", {"jba", "17"})},
                        {"GET", "", "/item/jba/new", matched("/item/{user}/new", {"jba"})},
                        {"GET", "", "/item/", matched("/item/{$}", {})},
                        {"GET", "", "/item/jba/17/line2", matched("/item/")},
                        {"POST", "alt.com", "/item/jba", matched("POST alt.com/item/{user}", {"jba"})},
                        {"GET", "alt.com", "/item/jba", matched("GET /item/{user}", {"jba"})},
                        // Go's tree: no match. Its ServeMux (and roster) redirect: "/item/" matches "/item/{$}".
                        {"GET", "", "/item", slash_redirect("/item/", "/item/{$}")},
                        {"GET", "", "/headwins", matched("GET /headwins")},
                        {"HEAD", "", "/headwins", matched("HEAD /headwins")}, // HEAD is more specific than GET
                        {"GET", "", "/path/to/file", matched("/path/{p...}", {"to/file"})},
                        {"GET", "", "/path/*", matched("/path/{p...}", {"*"})},
                    });
}

TEST_CASE("handler_registry (Go TestRoutingNodeMatch): {$} matches only the trailing slash, a single wildcard never "
          "matches it, a multi wildcard matches both, and all three work together",
          "[handler][go]") {
    const std::string_view pat1 = "/a/b/{$}";
    const std::string_view pat2 = "/a/b/{w}";
    const std::string_view pat3 = "/a/b/{w...}";
    SECTION("/a/b/{$}") {
        const twin_routes tree("handler.go.dollar", {pat1});
        check_all(tree, {
                            // Go's tree: no match. Its ServeMux redirects: "/a/b/" matches "/a/b/{$}" exactly.
                            {"GET", "", "/a/b", slash_redirect("/a/b/", std::string(pat1))},
                            {"GET", "", "/a/b/", matched(std::string(pat1))},
                            {"GET", "", "/a/b/c", not_found()},
                            {"GET", "", "/a/b/c/d", not_found()},
                        });
    }
    SECTION("/a/b/{w}") {
        const twin_routes tree("handler.go.single", {pat2});
        check_all(tree, {
                            {"GET", "", "/a/b", not_found()},
                            {"GET", "", "/a/b/", not_found()},
                            {"GET", "", "/a/b/c", matched(std::string(pat2), {"c"})},
                            {"GET", "", "/a/b/c/d", not_found()},
                        });
    }
    SECTION("/a/b/{w...}") {
        const twin_routes tree("handler.go.multi", {pat3});
        check_all(tree, {
                            // Go's tree: no match. Its ServeMux redirects: "/a/b/" matches "/a/b/{w...}" exactly.
                            {"GET", "", "/a/b", slash_redirect("/a/b/", std::string(pat3))},
                            {"GET", "", "/a/b/", matched(std::string(pat3), {""})},
                            {"GET", "", "/a/b/c", matched(std::string(pat3), {"c"})},
                            {"GET", "", "/a/b/c/d", matched(std::string(pat3), {"c/d"})},
                        });
    }
    SECTION("all three") {
        const twin_routes tree("handler.go.all_three", {pat1, pat2, pat3});
        check_all(tree, {
                            // Go's tree: no match. Its ServeMux redirects to "/a/b/", which "/a/b/{$}" matches.
                            {"GET", "", "/a/b", slash_redirect("/a/b/", std::string(pat1))},
                            {"GET", "", "/a/b/", matched(std::string(pat1))},
                            {"GET", "", "/a/b/c", matched(std::string(pat2), {"c"})},
                            {"GET", "", "/a/b/c/d", matched(std::string(pat3), {"c/d"})},
                        });
    }
}

TEST_CASE("handler_registry (Go TestRoutingNodeMatch): CONNECT paths are not cleaned: a single wildcard matches an "
          "empty segment, and an empty literal matches only an empty segment",
          "[handler][go][connect]") {
    const std::string_view pat4 = "CONNECT /a//b";
    const std::string_view pat5 = "/a/{x}/b";
    const std::string_view pat6 = "/{x}/{y...}";
    const std::string_view pat7 = "CONNECT /a/{x}/b";
    SECTION("CONNECT /a//b, /a/{x}/b, /{x}/{y...}") {
        const twin_routes tree("handler.go.connect.456", {pat4, pat5, pat6});
        check_all(tree, {
                            {"CONNECT", "", "/a//b", matched(std::string(pat4))},
                            {"CONNECT", "", "/a/z/b", matched(std::string(pat5), {"z"})},
                            {"CONNECT", "", "//c", matched(std::string(pat6), {"", "c"})},
                            {"CONNECT", "", "/a//c", matched(std::string(pat6), {"a", "/c"})},
                        });
    }
    SECTION("CONNECT /a//b alone") {
        const twin_routes tree("handler.go.connect.4", {pat4});
        check_all(tree, {
                            {"CONNECT", "", "/a/z/b", not_found()},
                        });
    }
    SECTION("CONNECT /a//b and CONNECT /a/{x}/b") {
        const twin_routes tree("handler.go.connect.47", {pat4, pat7});
        check_all(tree, {
                            {"CONNECT", "", "/a//b", matched(std::string(pat4))},
                            {"CONNECT", "", "/a/z/b", matched(std::string(pat7), {"z"})},
                        });
    }
    SECTION("/a/{x}/b, /{x}/, /{x}/{y}/{z}") {
        const twin_routes tree("handler.go.connect.5xz", {pat5, "/{x}/", "/{x}/{y}/{z}"});
        check_all(tree, {
                            {"CONNECT", "", "/a//b", matched(std::string(pat5), {""})},
                            {"CONNECT", "", "//", matched("/{x}/", {""})},
                            {"CONNECT", "", "///c", matched("/{x}/{y}/{z}", {"", "", "c"})},
                        });
    }
}

TEST_CASE("handler_registry: an empty literal segment matches only an empty segment, for every method "
          "(derived from Go's CONNECT cases above)",
          "[handler][connect]") {
    // Not a Go table: "//foo" (Go's TestFindHandler registers it) must not
    // serve "/zzz/foo", whose first segment is not empty.
    const twin_routes tree("handler.empty_literal", {"/", "//foo"});
    tree.expect("CONNECT", "", "//foo", matched("//foo"));
    tree.expect("CONNECT", "", "/zzz/foo", matched("/"));
    tree.expect("GET", "", "/zzz/foo", matched("/"));
}

// ===========================================================================
// Go: routing_tree_test.go, TestMatchingMethods
//
// Go's test asks the tree which methods would match; roster answers that as
// a 405's allowed_methods() when match() is called with a method that
// matches nothing (here DELETE). Like Go's ServeMux.matchingMethods, it also
// looks at path + "/" and adds HEAD when GET is there; none of Go's cases
// changes because of that.

TEST_CASE("handler_registry (Go TestMatchingMethods): a 405 lists the methods that would match, GET bringing HEAD",
          "[handler][go][405]") {
    SECTION("post") {
        const twin_routes tree("handler.go.methods.post", {"POST /"});
        tree.expect("DELETE", "", "/foo", not_allowed({"POST"}));
    }
    SECTION("get") {
        const twin_routes tree("handler.go.methods.get", {"GET /"});
        tree.expect("DELETE", "", "/foo", not_allowed({"GET", "HEAD"}));
    }
    SECTION("hosts") {
        const twin_routes tree("handler.go.methods.host", {"GET a.com/", "PUT b.com/", "POST /foo/{x}"});
        tree.expect("DELETE", "", "/foo", not_found()); // Go: "" (no method: a 404)
        tree.expect("DELETE", "", "/foo/bar", not_allowed({"POST"}));
        tree.expect("DELETE", "a.com", "/foo/bar", not_allowed({"GET", "HEAD", "POST"}));
        tree.expect("DELETE", "b.com", "/bar", not_allowed({"PUT"}));
    }
    SECTION("empty") {
        // Go: "This case shouldn't come up because we only call
        // matchingMethods when there was no match": every method matches "/".
        const twin_routes tree("handler.go.methods.empty", {"/"});
        tree.expect("DELETE", "", "/", matched("/"));
    }
    SECTION("the path + \"/\" probe (ServeMux.matchingMethods, not a Go table)") {
        const twin_routes tree("handler.methods.slash", {"GET /x/"});
        tree.expect("POST", "", "/x", not_allowed({"GET", "HEAD"}));
        tree.expect("GET", "", "/x", slash_redirect("/x/", "GET /x/"));
    }
}

// ===========================================================================
// Go: request_test.go, TestStatus (through a server and a client that
// follows redirects: roster's redirects are followed the same way here).

TEST_CASE("handler_registry (Go TestStatus): 405s carry the Allow header; redirects lead to the right status",
          "[handler][go][405]") {
    const twin_routes tree("handler.go.status", {"GET /g", "POST /p", "PATCH /p", "PUT /r", "GET /r/"});
    struct status_case {
        std::string_view method;
        std::string_view path;
        int status;
        std::string_view allow;
    };
    const std::vector<status_case> cases = {
        {"GET", "/g", 200, ""},
        {"HEAD", "/g", 200, ""},
        {"POST", "/g", 405, "GET, HEAD"},
        {"GET", "/x", 404, ""},
        {"GET", "/p", 405, "PATCH, POST"},
        {"GET", "/./p", 405, "PATCH, POST"},
        {"GET", "/r/", 200, ""},
        {"GET", "/r", 200, ""}, // redirected
        {"HEAD", "/r/", 200, ""},
        {"HEAD", "/r", 200, ""}, // redirected
        {"PUT", "/r/", 405, "GET, HEAD"},
        {"PUT", "/r", 200, ""},
    };
    for (const status_case& c : cases) {
        INFO(c.method << " " << c.path);
        tree.for_both([&](const routes& reg) {
            const followed got = follow(tree, reg, c.method, "", std::string(c.path));
            CHECK(http_code(got.last.status) == c.status);
            std::string allow;
            for (const std::string& m : got.last.allowed) allow += (allow.empty() ? "" : ", ") + m;
            CHECK(allow == c.allow);
        });
    }
    // The Allow header as roster words it.
    tree.for_both([](const routes& reg) {
        CHECK(reg.match("GET", "", "/p").allow_header() == "PATCH, POST");
        CHECK(reg.match("POST", "", "/g").allow_header() == "GET, HEAD");
        CHECK(reg.match("GET", "", "/g").allow_header().empty());
    });
}

// ===========================================================================
// Go: serve_test.go, serveMuxRegister and serveMuxTests (TestServeMuxHandler)

namespace {

// Go's serveMuxRegister, shared by TestServeMuxHandler and
// TestServeMuxHandlerRedirects: serve(code) is numbered<code>; example.com/
// is Go's checkQueryStringHandler (200 when the query is right).
std::vector<route_spec> serve_mux_register() {
    return {{"/dir/", &numbered<200>},
            {"/search", &numbered<201>},
            {"codesearch.google.com/search", &numbered<202>},
            {"codesearch.google.com/", &numbered<203>},
            {"example.com/", &numbered<200>}};
}

} // namespace

TEST_CASE("handler_registry (Go TestServeMuxHandler): hosts, ports, cleaning and trailing-slash redirects give Go's "
          "codes and patterns",
          "[handler][go][redirect]") {
    // serve(code): a handler answering `code`; no case here reaches
    // example.com/, Go's checkQueryStringHandler.
    const twin_routes mux("handler.go.serve_mux", serve_mux_register());
    struct serve_case {
        std::string_view method;
        std::string_view host;
        std::string_view path;
        int code;                 // Go's
        std::string_view pattern; // Go's
        outcome want;             // roster's, with the redirect's location
    };
    const std::vector<serve_case> cases = {
        {"GET", "google.com", "/", 404, "", not_found()},
        {"GET", "google.com", "/dir", 301, "/dir/", slash_redirect("/dir/", "/dir/")},
        {"GET", "google.com", "/dir/", 200, "/dir/", matched("/dir/")},
        {"GET", "google.com", "/dir/file", 200, "/dir/", matched("/dir/")},
        {"GET", "google.com", "/search", 201, "/search", matched("/search")},
        {"GET", "google.com", "/search/", 404, "", not_found()},
        {"GET", "google.com", "/search/foo", 404, "", not_found()},
        {"GET", "codesearch.google.com", "/search", 202, "codesearch.google.com/search",
         matched("codesearch.google.com/search")},
        {"GET", "codesearch.google.com", "/search/", 203, "codesearch.google.com/", matched("codesearch.google.com/")},
        {"GET", "codesearch.google.com", "/search/foo", 203, "codesearch.google.com/",
         matched("codesearch.google.com/")},
        {"GET", "codesearch.google.com", "/", 203, "codesearch.google.com/", matched("codesearch.google.com/")},
        {"GET", "codesearch.google.com:443", "/", 203, "codesearch.google.com/", matched("codesearch.google.com/")},
        {"GET", "images.google.com", "/search", 201, "/search", matched("/search")},
        {"GET", "images.google.com", "/search/", 404, "", not_found()},
        {"GET", "images.google.com", "/search/foo", 404, "", not_found()},
        {"GET", "google.com", "/../search", 301, "/search", clean_redirect("/search", "/search")},
        {"GET", "google.com", "/dir/..", 301, "", clean_redirect("/")},
        {"GET", "google.com", "/dir/..", 301, "", clean_redirect("/")},
        {"GET", "google.com", "/dir/./file", 301, "/dir/", clean_redirect("/dir/file", "/dir/")},

        // The /foo -> /foo/ redirect applies to CONNECT requests
        // but the path canonicalization does not.
        {"CONNECT", "google.com", "/dir", 301, "/dir/", slash_redirect("/dir/", "/dir/")},
        {"CONNECT", "google.com", "/../search", 404, "", not_found()},
        {"CONNECT", "google.com", "/dir/..", 200, "/dir/", matched("/dir/")},
        {"CONNECT", "google.com", "/dir/..", 200, "/dir/", matched("/dir/")},
        {"CONNECT", "google.com", "/dir/./file", 200, "/dir/", matched("/dir/")},
    };
    for (const serve_case& c : cases) {
        INFO(c.method << " " << c.host << " " << c.path << " (Go: " << c.code << ", \"" << c.pattern << "\")");
        // The port of the row is faithful: roster's answer maps to Go's code
        // (a hit: the 2xx its serve(code) handler writes) and pattern.
        if (c.want.status == roster::route_status::matched) {
            CHECK((c.code >= 200 && c.code < 300));
        } else {
            CHECK(http_code(c.want.status) == c.code);
        }
        CHECK(c.want.pattern == c.pattern);
        mux.expect(c.method, c.host, c.path, c.want);
        if (c.want.status == roster::route_status::matched) {
            mux.for_both([&](const routes& reg) {
                const auto m = reg.match(c.method, c.host, c.path);
                REQUIRE(m);
                CHECK(m.handler()() == c.code); // serve(code)
            });
        }
    }
}

TEST_CASE("handler_registry (Go TestServeMuxHandlerRedirects): a redirect is followed at most once to the right "
          "handler; the query is the caller's to keep",
          "[handler][go][redirect]") {
    const twin_routes mux("handler.go.serve_mux.redirects", serve_mux_register());
    // serveMuxTests2. Go's URLs carry the query "?example.com/test/"; roster's
    // match() takes the path only, and location() never carries a query.
    // roster differs from Go: Go's redirect keeps the request's query in its
    // Location; with roster the caller appends it.
    struct redirect_case {
        std::string_view method;
        std::string_view host;
        std::string_view path;
        int code;
        bool redirect_ok;
    };
    const std::vector<redirect_case> cases = {
        {"GET", "google.com", "/", 404, false},
        {"GET", "example.com", "/test/", 200, false},
        {"GET", "example.com", "test/", 200, true},
    };
    for (const redirect_case& c : cases) {
        INFO(c.method << " " << c.host << " " << c.path);
        mux.for_both([&](const routes& reg) {
            const followed got = follow(mux, reg, c.method, c.host, std::string(c.path));
            CHECK(http_code(got.last.status) == c.code);
            CHECK(got.redirects <= (c.redirect_ok ? 1 : 0));
            CHECK(got.first_location.find('?') == std::string::npos);
        });
    }
    mux.expect("GET", "example.com", "test/", clean_redirect("/test/", "example.com/"));
}

TEST_CASE("handler_registry (Go TestMuxRedirectLeadingSlashes): an empty registry still redirects unclean paths",
          "[handler][go][redirect]") {
    const twin_routes empty("handler.go.leading_slashes", {});
    for (const std::string_view path : {"//foo.txt", "///foo.txt", "/../../foo.txt"})
        empty.expect("GET", "test", path, clean_redirect("/foo.txt"));
}

TEST_CASE("handler_registry (Go TestServeWithSlashRedirectKeepsQueryString): redirects reach the pattern Go serves; "
          "location() is the path alone",
          "[handler][go][redirect]") {
    // writeBackQuery serves /testOne, /testTwo/ and /testThree; /testThree/
    // answers "<query>:bar". The query itself is the caller's (see above).
    const twin_routes mux("handler.go.keeps_query",
                          {{"/testOne", &numbered<1>},
                           {"/testTwo/", &numbered<1>},
                           {"/testThree", &numbered<1>},
                           {"/testThree/", &numbered<2>}});
    struct query_case {
        std::string_view path; // Go's URL without its query
        std::string_view method;
        std::string_view query; // Go's, for the record
        std::string_view redirect_to;
        std::string_view served_by; // "" for 404
    };
    const std::vector<query_case> cases = {
        {"/testOne", "GET", "this=that", "", "/testOne"},
        {"/testTwo", "GET", "foo=bar", "/testTwo/", "/testTwo/"},
        {"/testTwo", "GET", "a=1&b=2&a=3", "/testTwo/", "/testTwo/"},
        {"/testTwo", "GET", "", "/testTwo/", "/testTwo/"},
        {"/testThree", "GET", "foo", "", "/testThree"},
        {"/testThree/", "GET", "foo", "", "/testThree/"},
        {"/testThree", "CONNECT", "foo", "", "/testThree"},
        {"/testThree/", "CONNECT", "foo", "", "/testThree/"},
        // canonicalization or not
        {"/testOne/foo/..", "GET", "foo", "/testOne", "/testOne"},
        {"/testOne/foo/..", "CONNECT", "foo", "", ""},
    };
    for (const query_case& c : cases) {
        INFO(c.method << " " << c.path << "?" << c.query);
        mux.for_both([&](const routes& reg) {
            const followed got = follow(mux, reg, c.method, "", std::string(c.path));
            CHECK(got.first_location == c.redirect_to);
            if (c.served_by.empty()) {
                CHECK(got.last.status == roster::route_status::not_found);
            } else {
                CHECK(got.last == matched(std::string(c.served_by)));
            }
        });
    }
}

TEST_CASE("handler_registry (Go TestServeWithSlashRedirectForHostPatterns): trailing-slash redirects honour hosts; "
          "CONNECT keeps the port",
          "[handler][go][redirect][connect]") {
    const twin_routes mux("handler.go.host_redirects",
                          {"example.com/pkg/foo/", "example.com/pkg/bar", "example.com/pkg/bar/",
                           "example.com:3000/pkg/connect/", "example.com:9000/", "/pkg/baz/"});
    // roster differs from Go: for a CONNECT redirect Go's Handler() returns
    // the location as the pattern; roster's pattern() is always the pattern
    // the location matches (Go does that for the other methods).
    check_all(mux, {
                       {"GET", "example.com", "/", not_found()},
                       {"GET", "example.com", "/pkg/foo", slash_redirect("/pkg/foo/", "example.com/pkg/foo/")},
                       {"GET", "example.com", "/pkg/bar", matched("example.com/pkg/bar")},
                       {"GET", "example.com", "/pkg/bar/", matched("example.com/pkg/bar/")},
                       {"GET", "example.com", "/pkg/baz", slash_redirect("/pkg/baz/", "/pkg/baz/")},
                       {"GET", "example.com:3000", "/pkg/foo", slash_redirect("/pkg/foo/", "example.com/pkg/foo/")},
                       {"CONNECT", "example.com", "/", not_found()},
                       {"CONNECT", "example.com:3000", "/", not_found()},
                       {"CONNECT", "example.com:9000", "/", matched("example.com:9000/")},
                       {"CONNECT", "example.com", "/pkg/foo", slash_redirect("/pkg/foo/", "example.com/pkg/foo/")},
                       {"CONNECT", "example.com:3000", "/pkg/foo", not_found()},
                       {"CONNECT", "example.com:3000", "/pkg/baz", slash_redirect("/pkg/baz/", "/pkg/baz/")},
                       {"CONNECT", "example.com:3000", "/pkg/connect",
                        slash_redirect("/pkg/connect/", "example.com:3000/pkg/connect/")},
                   });
}

TEST_CASE("handler_registry (Go TestMuxNoSlashRedirectWithTrailingSlash, issue 65624): no trailing-slash redirect "
          "for a path that already ends in a slash",
          "[handler][go][redirect]") {
    const twin_routes mux("handler.go.no_slash_redirect", {"/{x}/"});
    mux.expect("GET", "", "/", not_found());
}

TEST_CASE("handler_registry (Go TestMuxNoSlash405WithTrailingSlash, issue 67657): no 405 from the path + \"/\" probe "
          "for a path that already ends in a slash",
          "[handler][go][405]") {
    const twin_routes mux("handler.go.no_slash_405", {"GET /{x}/"});
    mux.expect("GET", "", "/", not_found());
}

TEST_CASE("handler_registry (Go TestServeMuxHandlerTrailingSlash, issue 73688): a trailing-slash redirect reports "
          "the pattern it leads to",
          "[handler][go][redirect]") {
    const twin_routes mux("handler.go.redirect_pattern", {"/{x}/"});
    mux.expect("POST", "", "/foo", slash_redirect("/foo/", "/{x}/"));
}

// ===========================================================================
// Go: server_test.go

TEST_CASE("handler_registry (Go TestFindHandler): the handler for each method and path, CONNECT uncleaned",
          "[handler][go][connect]") {
    // handler{1} .. handler{5}
    const twin_routes mux("handler.go.find_handler", {{"/", &numbered<1>},
                                                      {"/foo/", &numbered<2>},
                                                      {"/foo", &numbered<3>},
                                                      {"/bar/", &numbered<4>},
                                                      {"//foo", &numbered<5>}});
    struct find_case {
        std::string_view method;
        std::string_view path;
        outcome want;
        int handler; // Go's handler{i}; 0: none
    };
    const std::vector<find_case> cases = {
        {"GET", "/", matched("/"), 1},
        {"GET", "//", clean_redirect("/", "/"), 0},                        // redirectHandler{url:"/"}
        {"GET", "/foo/../bar/./..//baz", clean_redirect("/baz", "/"), 0}, // redirectHandler{url:"/baz"}
        {"GET", "/foo", matched("/foo"), 3},
        {"GET", "/foo/x", matched("/foo/"), 2},
        {"GET", "/bar/x", matched("/bar/"), 4},
        {"GET", "/bar", slash_redirect("/bar/", "/bar/"), 0}, // redirectHandler{url:"/bar/"}
        {"CONNECT", "", not_found(), 0},                      // (http.HandlerFunc): NotFoundHandler
        {"CONNECT", "/", matched("/"), 1},
        {"CONNECT", "//", matched("/"), 1},
        {"CONNECT", "//foo", matched("//foo"), 5},
        {"CONNECT", "/foo/../bar/./..//baz", matched("/foo/"), 2},
        {"CONNECT", "/foo", matched("/foo"), 3},
        {"CONNECT", "/foo/x", matched("/foo/"), 2},
        {"CONNECT", "/bar/x", matched("/bar/"), 4},
        {"CONNECT", "/bar", slash_redirect("/bar/", "/bar/"), 0}, // redirectHandler{url:"/bar/"}
    };
    for (const find_case& c : cases) {
        mux.expect(c.method, "example.com", c.path, c.want);
        if (c.handler != 0) {
            INFO(c.method << " " << c.path);
            mux.for_both([&](const routes& reg) {
                const auto m = reg.match(c.method, "example.com", c.path);
                REQUIRE(m);
                CHECK(m.handler()() == c.handler);
            });
        }
    }
}

TEST_CASE("handler_registry (Go TestEmptyServeMux): an empty registry answers not found with no pattern",
          "[handler][go]") {
    const twin_routes empty("handler.go.empty", {});
    empty.expect("GET", "example.com", "/", not_found());
}

TEST_CASE("handler_registry (Go TestEscapedPathsAndPatterns): patterns and paths are unescaped segment by segment",
          "[handler][go][escapes]") {
    const twin_routes mux("handler.go.escaped", {"/a", "/%62", "/%7B/%7D", "/%x"});
    struct escaped_case {
        std::string_view pattern;
        std::vector<std::string_view> paths;
    };
    const std::vector<escaped_case> cases = {
        {"/a", {"/a", "/%61"}},                              // this pattern matches a path that unescapes to "/a"
        {"/%62", {"/b", "/%62"}},                            // patterns are unescaped by segment
        {"/%7B/%7D", {"/{/}", "/%7b/}", "/{/%7d", "/%7B/%7D"}}, // the only way to match '{' or '}'
        {"/%x", {"/%25x"}},                                  // patterns that do not unescape are left unchanged
    };
    for (const escaped_case& c : cases)
        for (const std::string_view path : c.paths) mux.expect("GET", "", path, matched(std::string(c.pattern)));
}

TEST_CASE("clean_route_path (Go TestCleanPath): the path dispatch redirects an unclean one to", "[handler][go]") {
    // Go's table, then more cases worked out by hand from cleanPath.
    for (const go_tables::clean_path_case& c : go_tables::clean_paths) {
        INFO(c.in);
        CHECK(roster::clean_route_path(c.in) == c.want);
        CHECK(roster::is_clean_route_path(c.want));
        CHECK(roster::is_clean_route_path(c.in) == (c.in == c.want));
    }
}

// ===========================================================================
// Go: request_test.go, TestPathValueAndPattern

TEST_CASE("handler_registry (Go TestPathValueAndPattern): captured values, escaped as in the path; path_unescape gives "
          "Go's PathValue",
          "[handler][go][values]") {
    struct value_case {
        std::string_view pattern;
        std::string_view path;
        std::map<std::string_view, std::string_view> want; // Go's (unescaped)
    };
    const std::vector<value_case> cases = {
        {"/{a}/is/{b}/{c...}", "/now/is/the/time/for/all", {{"a", "now"}, {"b", "the"}, {"c", "time/for/all"}, {"d", ""}}},
        {"/names/{name}/{other...}", "/names/%2fjohn/address", {{"name", "/john"}, {"other", "address"}}},
        {"/names/{name}/{other...}",
         "/names/john%2Fdoe/there/is%2F/more",
         {{"name", "john/doe"}, {"other", "there/is//more"}}},
        {"/names/{name}/{other...}", "/names/n/*", {{"name", "n"}, {"other", "*"}}},
    };
    for (const value_case& c : cases) {
        INFO(c.pattern << " " << c.path);
        const twin_routes mux("handler.go.path_value", {c.pattern});
        mux.for_both([&](const routes& reg) {
            const auto m = reg.match("GET", "", c.path);
            REQUIRE(m);
            CHECK(m.pattern() == c.pattern);
            for (const auto& [name, value] : c.want) {
                INFO(name);
                CHECK(roster::path_unescape(m.value(name)) == value);
            }
        });
    }
    // roster differs from Go: values stay escaped as in the path.
    const twin_routes mux("handler.go.path_value.escaped", {"/names/{name}/{other...}"});
    mux.for_both([](const routes& reg) {
        const std::string path = "/names/john%2Fdoe/there/is%2F/more";
        const auto m = reg.match("GET", "", path);
        REQUIRE(m.size() == 2);
        CHECK(m.name(0) == "name");
        CHECK(m[0] == "john%2Fdoe");
        CHECK(m.name(1) == "other");
        CHECK(m[1] == "there/is%2F/more");
        // views into the path given to match()
        CHECK(m[0].data() >= path.data());
        CHECK(m[0].data() + m[0].size() <= path.data() + path.size());
        CHECK(m[2].empty());
        CHECK(m.name(2).empty());
    });
}

TEST_CASE("handler_registry: an empty method means GET", "[handler]") {
    const twin_routes mux("handler.empty_method", {"GET /a", "POST /b"});
    mux.expect("", "", "/a", matched("GET /a"));
    mux.expect("", "", "/b", not_allowed({"POST"}));
}

// ===========================================================================
// Registration

TEST_CASE("handler_registry (Go TestParsePatternError): a malformed pattern is refused with invalid_key_error naming "
          "the offset",
          "[handler][go][registration]") {
    routes reg{"handler.malformed"};
    reg.add("/kept", &numbered<1>);
    for (const auto& [pattern, want] : go_tables::parse_pattern_errors) {
        INFO("pattern \"" << pattern << "\"");
        const unsigned line = __LINE__ + 1;
        const auto refused = reg.try_add(pattern, &numbered<2>);
        REQUIRE(refused.status() == roster::add_status::refused);
        CHECK(refused.error().code == roster::errc::invalid_key);
        CHECK_THAT(refused.error().message, roster_test::contains(std::string(want)));
        CHECK_THAT(refused.error().message, roster_test::contains("at offset"));
        CHECK_THAT(refused.error().message, roster_test::contains(line_text(line)));
        CHECK_THAT(refused.error().message, roster_test::contains("handler.malformed"));
        CHECK_THROWS_AS(reg.add(pattern, &numbered<2>), roster::invalid_key_error);
        CHECK_FALSE(roster::route_pattern::parse(pattern));
    }
    CHECK(reg.size() == 1);
    CHECK(reg.names() == std::vector<std::string>{"/kept"});
}

TEST_CASE("handler_registry (Go TestConflictsWith): conflicting patterns are refused in either order, the others "
          "both registered",
          "[handler][go][registration][conflict]") {
    for (const go_tables::conflict_case& c : go_tables::conflicts_with) {
        for (const bool reversed : {false, true}) {
            const std::string_view first = reversed ? c.p2 : c.p1;
            const std::string_view second = reversed ? c.p1 : c.p2;
            INFO("\"" << first << "\" then \"" << second << "\"");
            routes reg{"handler.conflicts"};
            reg.add(first, &numbered<1>);
            const auto outcome_of_second = reg.try_add(second, &numbered<2>);
            if (!c.conflicts) {
                CHECK(outcome_of_second.status() == roster::add_status::added);
                CHECK(reg.size() == 2);
                continue;
            }
            REQUIRE(outcome_of_second.status() == roster::add_status::refused);
            CHECK(reg.size() == 1);
            if (first == second) {
                // roster differs from Go: the same pattern text twice is a
                // duplicate key (the on_duplicate:: policy decides), not a conflict.
                CHECK(outcome_of_second.error().code == roster::errc::duplicate_key);
            } else {
                CHECK(outcome_of_second.error().code == roster::errc::conflict);
                CHECK(routes_conflict(*roster::route_pattern::parse(first).pattern,
                                      *roster::route_pattern::parse(second).pattern));
            }
        }
    }
}

TEST_CASE("handler_registry (Go TestDescribeConflict, TestRegisterConflict): a conflict is described in Go's words",
          "[handler][go][registration][conflict]") {
    // p1 is the pattern added second, p2 the registered one.
    for (const go_tables::describe_conflict_case& c : go_tables::describe_conflicts) {
        INFO("\"" << c.p2 << "\" then \"" << c.p1 << "\"");
        routes reg{"handler.describe"};
        reg.add(c.p2, &numbered<1>);
        const auto refused = reg.try_add(c.p1, &numbered<2>);
        REQUIRE(refused.status() == roster::add_status::refused);
        CHECK(refused.error().code == roster::errc::conflict);
        CHECK_THAT(refused.error().message, roster_test::contains(std::string(c.want)));
    }
}

TEST_CASE("handler_registry: a conflict_error names both patterns, both call sites and a path both match",
          "[handler][registration][conflict]") {
    routes reg{"handler.conflict.message"};
    const unsigned first_line = __LINE__ + 1;
    reg.add("/a/{x}", &numbered<1>);
    const unsigned second_line = __LINE__ + 1;
    const auto refused = reg.try_add("/{y}/b", &numbered<2>);
    REQUIRE(refused.status() == roster::add_status::refused);
    const std::string& message = refused.error().message;
    CHECK(refused.error().code == roster::errc::conflict);
    CHECK_THAT(message, roster_test::contains("handler.conflict.message"));
    CHECK_THAT(message, roster_test::contains("\"/{y}/b\""));
    CHECK_THAT(message, roster_test::contains("\"/a/{x}\""));
    CHECK_THAT(message, roster_test::contains(line_text(first_line)));
    CHECK_THAT(message, roster_test::contains(line_text(second_line)));
    // Go's describeConflict, with its example paths.
    CHECK_THAT(message, roster_test::contains("both match some paths, like \"/a/b\""));
    CHECK_THAT(message, roster_test::contains("But neither is more specific than the other."));
    CHECK_THAT(message, roster_test::contains("/{y}/b matches \"/y/b\", but /a/{x} doesn't."));
    CHECK_THAT(message, roster_test::contains("/a/{x} matches \"/a/x\", but /{y}/b doesn't."));

    // add() throws the same words as a conflict_error.
    std::string thrown;
    const unsigned third_line = __LINE__ + 2;
    try {
        reg.add("/{y}/b", &numbered<2>);
    } catch (const roster::conflict_error& e) {
        CHECK(e.code() == roster::errc::conflict);
        thrown = e.what();
    }
    CHECK_THAT(thrown, roster_test::contains(line_text(first_line)));
    CHECK_THAT(thrown, roster_test::contains(line_text(third_line)));
    CHECK_THAT(thrown, roster_test::contains("both match some paths, like \"/a/b\""));
    CHECK(reg.size() == 1);
}

TEST_CASE("handler_registry: equivalent patterns are refused: wildcard names do not make a pattern different",
          "[handler][registration][conflict]") {
    routes reg{"handler.equivalent"};
    reg.add("GET /a/{x}", &numbered<1>);
    CHECK_THROWS_AS(reg.add("GET /a/{y}", &numbered<2>), roster::conflict_error);
    auto refused = reg.try_add("GET /a/{y}", &numbered<2>);
    REQUIRE(refused.status() == roster::add_status::refused);
    CHECK_THAT(refused.error().message, roster_test::contains("GET /a/{y} matches the same requests as GET /a/{x}"));
    CHECK_FALSE(refused.handle().active());
    // Spaces between method and path do not make it different either.
    CHECK_THROWS_AS(reg.add("GET   /a/{z}", &numbered<2>), roster::conflict_error);
    // A different host does not conflict: a pattern with a host wins.
    CHECK(reg.try_add("GET example.com/a/{y}", &numbered<3>).status() == roster::add_status::added);
}

TEST_CASE("handler_registry (Go TestParsePattern): spaces and tabs may separate the method from the path",
          "[handler][go][registration]") {
    // Go's TestParsePattern: "GET\t  /", "POST \t  example.com/foo/{w}" and
    // "DELETE    \texample.com/a/{foo12}/{$}" are valid patterns, and the
    // grammar in roster/handler/pattern.hpp says "followed by spaces or tabs".
    for (const std::string_view pattern : {"GET\t  /", "POST \t  example.com/foo/{w}",
                                           "DELETE    \texample.com/a/{foo12}/{$}"}) {
        INFO("pattern \"" << pattern << "\"");
        CHECK(roster::route_pattern::parse(pattern));
        routes reg{"handler.tabs"};
        const auto added = reg.try_add(pattern, &numbered<1>);
        INFO((added.status() == roster::add_status::refused ? added.error().message : std::string()));
        CHECK(added.status() == roster::add_status::added);
    }
    // roster differs from Go: the registry's key, names() and match().pattern()
    // write the blanks after the method as one space (keys may not hold
    // control characters); route_pattern::text() keeps the pattern as written.
    routes keyed{"handler.tabs.key"};
    CHECK(keyed.try_add("GET\t  /", &numbered<1>).status() == roster::add_status::added);
    CHECK(keyed.names() == std::vector<std::string>{"GET /"});
    CHECK(keyed.try_add("GET /", &numbered<2>).status() == roster::add_status::refused); // the same key: a duplicate
    const twin_routes mux("handler.go.tabs", {"GET /", "POST example.com/foo/{w}"});
    mux.expect("HEAD", "", "/x", matched("GET /"));
    mux.expect("POST", "example.com", "/foo/1", matched("POST example.com/foo/{w}", {"1"}));
}

TEST_CASE("handler_registry: a refused add leaves the registry as it was", "[handler][registration]") {
    const twin_routes reference("handler.refused.reference", {"/a/{x}", "GET /b/", "example.com/"});
    routes reg{"handler.refused"};
    reg.add("/a/{x}", numbered_handlers[1]);
    reg.add("GET /b/", numbered_handlers[2]);
    reg.add("example.com/", numbered_handlers[3]);
    const std::vector<std::string> names_before = reg.names();
    int events = 0;
    const auto subscription = reg.subscribe([&](const routes::event_type&) { ++events; });

    CHECK(reg.try_add("/{y}/b", &numbered<9>).status() == roster::add_status::refused);      // conflict
    CHECK(reg.try_add("/a/{z}", &numbered<9>).status() == roster::add_status::refused);      // equivalent
    CHECK(reg.try_add("/a/{x", &numbered<9>).status() == roster::add_status::refused);       // malformed
    CHECK(reg.try_add("/c", handler_fn{nullptr}).status() == roster::add_status::refused);  // null
    CHECK(reg.try_add("GET /b/", &numbered<9>).status() == roster::add_status::refused);     // duplicate
    CHECK_THROWS_AS(reg.add("/{y}/b", &numbered<9>), roster::conflict_error);

    CHECK(reg.size() == 3);
    CHECK(reg.names() == names_before);
    CHECK(events == 0);
    // It answers as a registry that never saw the refused patterns.
    for (const std::array<std::string_view, 3>& request : std::vector<std::array<std::string_view, 3>>{
             {"GET", "", "/a/1"}, {"GET", "", "/b/c"}, {"GET", "", "/b"}, {"POST", "", "/b/"}, {"GET", "example.com", "/x"},
             {"GET", "", "/c"}, {"GET", "", "/q/b"}}) {
        INFO(request[0] << " " << request[1] << request[2]);
        reference.for_both([&](const routes& untouched) {
            CHECK(reference.observe(reg, request[0], request[1], request[2]) ==
                  reference.observe(untouched, request[0], request[1], request[2]));
        });
    }
    CHECK(reg.match("GET", "", "/a/1").handler() == numbered_handlers[1]);
    CHECK(reg.match("GET", "", "/q/b").status() == roster::route_status::not_found);
}

TEST_CASE("handler_registry: the same patterns in any order of registration give the same answers",
          "[handler][registration][order]") {
    const std::vector<std::array<std::string_view, 3>> requests = {
        {"GET", "", "/"},         {"GET", "", "/a"},          {"GET", "", "/a/"},        {"GET", "", "/a/1"},
        {"POST", "", "/a/1"},     {"HEAD", "", "/a/1"},       {"GET", "", "/a/b"},       {"GET", "", "/a/b/"},
        {"POST", "", "/a/b/"},    {"GET", "", "/a/b/c/d"},    {"PUT", "", "/a/b"},       {"GET", "example.com", "/a/1"},
        {"POST", "example.com", "/a/b/"}, {"GET", "example.com:80", "/a"}, {"GET", "", "/x/../a/1"}, {"DELETE", "", "/z"},
    };
    using answer = std::array<std::string, 4>; // status, pattern, values, location
    const auto answers = [&](const routes& reg) {
        std::vector<answer> out;
        for (const auto& [method, host, path] : requests) {
            const auto m = reg.match(method, host, path);
            std::string values;
            for (std::size_t i = 0; i < m.size(); ++i) values += std::string(m[i]) + "|";
            out.push_back({roster::to_string(m.status()), std::string(m.pattern()), values,
                           m.location() + "#" + m.allow_header()});
        }
        return out;
    };
    const auto build = [](const std::vector<std::string_view>& patterns, bool freeze) {
        auto reg = std::make_unique<routes>("handler.order");
        for (std::size_t i = 0; i < patterns.size(); ++i) reg->add(patterns[i], numbered_handlers.at(i + 1));
        if (freeze) reg->freeze();
        return reg;
    };
    const auto describe = [](const std::vector<std::string_view>& patterns) {
        std::string out;
        for (const std::string_view p : patterns) out += std::string(p) + "; ";
        return out;
    };

    SECTION("every permutation of six patterns") {
        std::vector<std::string_view> patterns = {"/", "/a/", "/a/{x}", "GET /a/{x}", "/a/b/{rest...}",
                                                  "POST /a/b/{$}"};
        std::sort(patterns.begin(), patterns.end());
        const std::vector<answer> first = answers(*build(patterns, false));
        int permutations = 0;
        int differing = 0;
        std::string first_difference;
        do {
            ++permutations;
            for (const bool freeze : {false, true}) {
                if (answers(*build(patterns, freeze)) != first) {
                    if (differing++ == 0) first_difference = describe(patterns) + (freeze ? "(frozen)" : "");
                }
            }
        } while (std::next_permutation(patterns.begin(), patterns.end()));
        INFO("first differing order: " << first_difference);
        CHECK(permutations == 720);
        CHECK(differing == 0);
        // and the answers are the expected ones
        CHECK(first[3][1] == "GET /a/{x}");  // GET /a/1
        CHECK(first[4][1] == "/a/{x}");      // POST /a/1
        CHECK(first[7][1] == "/a/b/{rest...}"); // GET /a/b/
        CHECK(first[8][1] == "POST /a/b/{$}");  // POST /a/b/
    }
    SECTION("shuffles of twelve patterns, with a fixed seed") {
        std::vector<std::string_view> patterns = {
            "/",           "/a/",         "/a/{x}",        "GET /a/{x}",        "/a/b/{rest...}", "POST /a/b/{$}",
            "example.com/a/", "example.com/a/b", "GET /a/b",   "HEAD /a/b",     "/z/{x}/c",       "PUT /{p}"};
        const std::vector<answer> first = answers(*build(patterns, false));
        std::mt19937 random(20240601);
        int differing = 0;
        std::string first_difference;
        for (int round = 0; round < 60; ++round) {
            std::shuffle(patterns.begin(), patterns.end(), random);
            for (const bool freeze : {false, true}) {
                if (answers(*build(patterns, freeze)) != first) {
                    if (differing++ == 0) first_difference = describe(patterns) + (freeze ? "(frozen)" : "");
                }
            }
        }
        INFO("first differing order: " << first_difference);
        CHECK(differing == 0);
        // and the answers are the expected ones
        CHECK(first[1][0] == "redirect"); // GET /a
        CHECK(first[1][1] == "/a/");
        CHECK(first[5][1] == "GET /a/{x}"); // HEAD /a/1
        CHECK(first[6][1] == "GET /a/b");
        CHECK(first[10][1] == "/a/{x}");        // PUT /a/b
        CHECK(first[12][1] == "example.com/a/"); // POST example.com /a/b/
        CHECK(first[13][1] == "example.com/a/"); // GET example.com:80 /a: redirected to /a/
    }
}

TEST_CASE("handler_registry: try_add never throws a roster error: every refusal is in its result",
          "[handler][registration]") {
    routes reg{"handler.try_add"};
    reg.add("/a/{x}", &numbered<1>);
    std::optional<routes::add_result> conflict, malformed, null, duplicate;
    CHECK_NOTHROW(conflict.emplace(reg.try_add("/{y}/b", &numbered<2>)));
    CHECK_NOTHROW(malformed.emplace(reg.try_add("/{", &numbered<2>)));
    CHECK_NOTHROW(null.emplace(reg.try_add("/n", handler_fn{nullptr})));
    CHECK_NOTHROW(duplicate.emplace(reg.try_add("/a/{x}", &numbered<2>)));
    CHECK(conflict->status() == roster::add_status::refused);
    CHECK(conflict->error().code == roster::errc::conflict);
    CHECK(malformed->status() == roster::add_status::refused);
    CHECK(malformed->error().code == roster::errc::invalid_key);
    CHECK(null->status() == roster::add_status::refused);
    CHECK(null->error().code == roster::errc::null_value);
    CHECK(duplicate->status() == roster::add_status::refused);
    CHECK(duplicate->error().code == roster::errc::duplicate_key);
    REQUIRE(duplicate->existing().has_value());
    REQUIRE(duplicate->existing()->value.has_value());
    CHECK(duplicate->existing()->value->handler() == &numbered<1>);
    CHECK(duplicate->existing()->value->pattern().text() == "/a/{x}");
    reg.freeze();
    std::optional<routes::add_result> frozen;
    CHECK_NOTHROW(frozen.emplace(reg.try_add("/late", &numbered<2>)));
    CHECK(frozen->status() == roster::add_status::refused);
    CHECK(frozen->error().code == roster::errc::frozen);
    CHECK(reg.size() == 1);
}

TEST_CASE("handler_registry (Go TestServeMuxHandleFuncWithNilHandler, TestRegisterErr): a null handler is refused "
          "with null_value_error",
          "[handler][go][registration]") {
    SECTION("a null function pointer") {
        routes reg{"handler.null.pointer"};
        const unsigned line = __LINE__ + 1;
        CHECK_THROWS_AS(reg.add("/", handler_fn{nullptr}), roster::null_value_error);
        const auto refused = reg.try_add("/", handler_fn{nullptr});
        REQUIRE(refused.status() == roster::add_status::refused);
        CHECK(refused.error().code == roster::errc::null_value);
        CHECK_THAT(refused.error().message, roster_test::contains("\"/\""));
        CHECK_THAT(refused.error().message, roster_test::contains(line_text(line + 1)));
        CHECK(reg.empty());
    }
    SECTION("an empty std::function") {
        roster::handler_registry<std::function<int()>> reg{"handler.null.function"};
        CHECK_THROWS_AS(reg.add("/", std::function<int()>{}), roster::null_value_error);
        CHECK(reg.try_add("/", std::function<int()>{}).error().code == roster::errc::null_value);
        CHECK(reg.empty());
        reg.add("/", [] { return 7; });
        const auto m = reg.match("GET", "", "/anything");
        REQUIRE(m);
        CHECK(m.handler()() == 7);
    }
    SECTION("Go TestRegisterErr's other rows") {
        routes reg{"handler.register_err"};
        const unsigned first_line = __LINE__ + 1;
        reg.add("/a", &numbered<1>);
        // {"", h, "invalid pattern"}
        CHECK_THROWS_AS(reg.add("", &numbered<1>), roster::invalid_key_error);
        // {"/{x", h, `parsing "/\{x": at offset 1: bad wildcard segment`}
        const auto malformed = reg.try_add("/{x", &numbered<1>);
        CHECK_THAT(malformed.error().message, roster_test::contains("\"/{x\""));
        CHECK_THAT(malformed.error().message, roster_test::contains("at offset 1: bad wildcard segment"));
        // {"/a", h, `conflicts with pattern.* \(registered at .*/server_test.go:\d+`}
        // roster differs from Go: the same pattern twice is a duplicate key;
        // the message still names where the first was registered.
        const auto again = reg.try_add("/a", &numbered<1>);
        CHECK(again.error().code == roster::errc::duplicate_key);
        CHECK_THAT(again.error().message, roster_test::contains(line_text(first_line)));
        CHECK_THROWS_AS(reg.add("/a", &numbered<1>), roster::duplicate_key_error);
    }
}

TEST_CASE("handler_registry: the same pattern twice is a duplicate_key_error by default, a replacement under "
          "on_duplicate::replace",
          "[handler][registration][policies]") {
    SECTION("default") {
        routes reg{"handler.duplicate"};
        reg.add("GET /a/{x}", &numbered<1>);
        CHECK_THROWS_AS(reg.add("GET /a/{x}", &numbered<2>), roster::duplicate_key_error);
        CHECK(reg.match("GET", "", "/a/1").handler() == &numbered<1>);
    }
    SECTION("on_duplicate::replace") {
        roster::handler_registry<handler_fn, roster::on_duplicate::replace> reg{"handler.replace"};
        reg.add("GET /a/{x}", &numbered<1>);
        reg.add("/b/", &numbered<3>);
        const unsigned line = __LINE__ + 1;
        const auto replaced = reg.add("GET /a/{x}", &numbered<2>);
        CHECK(replaced.status() == roster::add_status::replaced);
        REQUIRE(replaced.existing().has_value());
        REQUIRE(replaced.existing()->value.has_value());
        CHECK(replaced.existing()->value->handler() == &numbered<1>);
        CHECK(reg.size() == 2);
        const auto m = reg.match("GET", "", "/a/1");
        REQUIRE(m);
        CHECK(m.handler() == &numbered<2>);
        CHECK(m.registered_at().line() == line);
        // still conflicts are refused: a replacement is only for the same text
        CHECK_THROWS_AS(reg.add("GET /a/{y}", &numbered<4>), roster::conflict_error);
        reg.freeze();
        CHECK(reg.match("GET", "", "/a/1").handler() == &numbered<2>);
    }
}

TEST_CASE("handler_registry: after freeze() every add is refused with frozen_error naming where it was frozen",
          "[handler][registration][freeze]") {
    routes reg{"handler.frozen"};
    reg.add("/a", &numbered<1>);
    CHECK_FALSE(reg.frozen());
    const unsigned line = __LINE__ + 1;
    reg.freeze();
    reg.freeze(); // idempotent
    CHECK(reg.frozen());
    REQUIRE(reg.frozen_at().has_value());
    CHECK(reg.frozen_at()->line() == line);
    CHECK(reg.state() == roster::lifecycle::frozen);
    CHECK_THROWS_AS(reg.add("/b", &numbered<2>), roster::frozen_error);
    const auto refused = reg.try_add("/b", &numbered<2>);
    CHECK(refused.error().code == roster::errc::frozen);
    CHECK_THAT(refused.error().message, roster_test::contains(line_text(line)));
    CHECK(reg.size() == 1);
    CHECK(reg.match("GET", "", "/a"));
    CHECK(reg.match("GET", "", "/b").status() == roster::route_status::not_found);
}

TEST_CASE("handler_registry: the handle from add() removes its pattern before freeze, and is refused after",
          "[handler][registration][handles]") {
    routes reg{"handler.handles"};
    auto handle = reg.add("/a/{x}", &numbered<1>).handle();
    reg.add("/b", &numbered<2>);
    REQUIRE(handle.active());
    CHECK(handle.key() == "/a/{x}");
    CHECK(reg.match("GET", "", "/a/1"));
    // "/a/{y}" conflicts while "/a/{x}" is there ...
    CHECK(reg.try_add("/a/{y}", &numbered<3>).status() == roster::add_status::refused);
    CHECK(handle.remove());
    CHECK_FALSE(handle.active());
    CHECK(reg.size() == 1);
    CHECK_FALSE(reg.contains("/a/{x}"));
    CHECK(reg.match("GET", "", "/a/1").status() == roster::route_status::not_found);
    // ... and not once it is gone.
    auto second = reg.add("/a/{y}", &numbered<3>).handle();
    CHECK(reg.match("GET", "", "/a/1").value("y") == "1");
    reg.freeze();
    CHECK_THROWS_AS(second.remove(), roster::frozen_error);
    CHECK(second.active());
    CHECK(reg.match("GET", "", "/a/1").value("y") == "1");
}

// ===========================================================================
// What the core gives: counters, the catalog, events

TEST_CASE("handler_registry: counters::per_key counts hits per pattern and misses per path, before and after freeze",
          "[handler][counters]") {
    roster::handler_registry<handler_fn, roster::counters::per_key> reg{"handler.counters"};
    reg.add("/a", &numbered<1>);
    reg.add("/b/{x}", &numbered<2>);
    reg.add("POST /p", &numbered<3>);
    (void)reg.match("GET", "", "/a");
    (void)reg.match("GET", "", "/b/1");
    (void)reg.match("GET", "", "/nope");    // 404: a miss
    (void)reg.match("GET", "", "/p");       // 405: a miss
    (void)reg.match("GET", "", "/x/../a");  // redirect: counts nothing
    (void)reg.explain("GET", "", "/a");     // explain counts nothing
    CHECK(reg.lookups().hits == 2);
    CHECK(reg.lookups().misses == 2);
    reg.freeze();
    (void)reg.match("GET", "", "/a");
    (void)reg.match("HEAD", "", "/b/2");
    (void)reg.match("GET", "", "/nope");
    const auto report = reg.report();
    REQUIRE(report.entries.size() == 3);
    CHECK(report.entries[0].key == "\"/a\"");
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(2));
    CHECK(report.entries[1].key == "\"/b/{x}\"");
    CHECK(report.entries[1].hits == std::optional<std::uint64_t>(2));
    CHECK(report.entries[2].key == "\"POST /p\"");
    CHECK(report.entries[2].hits == std::optional<std::uint64_t>(0));
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 4);
    CHECK(report.lookups->misses == 3);
    REQUIRE(report.missed_keys.size() == 2);
    CHECK(report.missed_keys[0].key == "\"/nope\"");
    CHECK(report.missed_keys[0].misses == 2);
    CHECK(report.missed_keys[1].key == "\"/p\"");
    CHECK(report.missed_keys[1].misses == 1);
}

TEST_CASE("handler_registry: listing::listed puts the registry and its patterns in the catalog", "[handler][catalog]") {
    auto& catalog = roster::catalog::instance();
    REQUIRE_FALSE(catalog.contains("handler.listed"));
    {
        roster::handler_registry<handler_fn, roster::listing::listed> reg{"handler.listed"};
        reg.add("GET /users/{id}", &numbered<1>);
        reg.add("/static/", &numbered<2>);
        CHECK(catalog.contains("handler.listed"));
        const auto report = catalog.at("handler.listed");
        REQUIRE(report.entries.size() == 2);
        CHECK(report.entries[0].key == "\"/static/\"");
        CHECK(report.entries[1].key == "\"GET /users/{id}\"");
        bool in_snapshot = false;
        for (const auto& r : catalog.snapshot()) in_snapshot = in_snapshot || r.name == "handler.listed";
        CHECK(in_snapshot);
        reg.freeze();
        CHECK(catalog.at("handler.listed").state == roster::lifecycle::frozen);
    }
    CHECK_FALSE(catalog.contains("handler.listed"));
}

TEST_CASE("handler_registry: subscribe() hears each pattern added and removed, with the parsed route",
          "[handler][events]") {
    routes reg{"handler.events"};
    std::vector<std::string> heard;
    std::vector<unsigned> lines;
    const auto subscription = reg.subscribe([&](const routes::event_type& e) {
        std::string text = std::string(roster::to_string(e.kind)) + " " + e.key.value_or("<none>");
        if (e.current) text += " -> " + e.current->pattern().text() + " #" + std::to_string(e.current->handler()());
        heard.push_back(text);
        lines.push_back(static_cast<unsigned>(e.where.line()));
    });
    const unsigned line = __LINE__ + 1;
    auto handle = reg.add("GET /a/{x}", &numbered<1>).handle();
    (void)reg.try_add("/{y}/b", &numbered<2>); // refused: nothing heard
    reg.add("/c", &numbered<3>);
    CHECK(handle.remove());
    REQUIRE(heard.size() == 3);
    CHECK(heard[0] == "added GET /a/{x} -> GET /a/{x} #1");
    CHECK(heard[1] == "added /c -> /c #3");
    CHECK(heard[2] == "removed GET /a/{x}");
    CHECK(lines[0] == line); // an added event's where is the add's call site
}

// ===========================================================================
// explain()

TEST_CASE("handler_registry: explain() puts the chosen pattern first and says why the others lose or do not match",
          "[handler][explain]") {
    routes reg{"handler.explain"};
    const unsigned line = __LINE__ + 1;
    reg.add("GET /a/b", &numbered<1>);
    reg.add("/a/{x}", &numbered<2>);
    reg.add("/a/", &numbered<3>);
    reg.add("POST /c", &numbered<4>);
    reg.add("example.com/a/", &numbered<5>);

    SECTION("a method beats a more general one") {
        const auto e = reg.explain("GET", "", "/a/b");
        CHECK(e.status == reg.match("GET", "", "/a/b").status());
        CHECK(e.status == roster::route_status::matched);
        CHECK(e.method == "GET");
        CHECK(e.path == "/a/b");
        REQUIRE(e.candidates.size() == 5);
        CHECK(e.candidates[0].pattern == "GET /a/b");
        CHECK(e.candidates[0].chosen);
        CHECK(e.candidates[0].matches);
        CHECK(e.candidates[0].where.line() == line);
        CHECK(e.candidates[1].pattern == "/a/");
        CHECK(e.candidates[1].matches);
        CHECK_FALSE(e.candidates[1].chosen);
        CHECK_THAT(e.candidates[1].why, roster_test::contains("loses to GET /a/b"));
        CHECK(e.candidates[2].pattern == "/a/{x}");
        CHECK_THAT(e.candidates[2].why, roster_test::contains("loses to GET /a/b"));
        CHECK_THAT(e.candidates[2].why, roster_test::contains("method"));
        for (std::size_t i = 3; i < 5; ++i) {
            INFO(e.candidates[i].pattern);
            CHECK_FALSE(e.candidates[i].matches);
            CHECK_FALSE(e.candidates[i].chosen);
        }
        CHECK(e.candidates[3].pattern == "POST /c");
        CHECK_THAT(e.candidates[3].why, roster_test::contains("POST"));
        CHECK(e.candidates[4].pattern == "example.com/a/");
        CHECK_THAT(e.candidates[4].why, roster_test::contains("host"));
        CHECK_THAT(e.outcome, roster_test::contains("GET /a/b"));
        CHECK_THAT(e.text(), roster_test::contains("* GET /a/b"));
        CHECK_THAT(e.text(), roster_test::contains(line_text(line)));
    }
    SECTION("a more specific path beats a more general one") {
        const auto e = reg.explain("POST", "", "/a/b");
        CHECK(e.status == reg.match("POST", "", "/a/b").status());
        REQUIRE(e.candidates.size() == 5);
        CHECK(e.candidates[0].pattern == "/a/{x}");
        CHECK(e.candidates[0].chosen);
        CHECK(e.candidates[1].pattern == "/a/");
        CHECK(e.candidates[1].matches);
        CHECK_THAT(e.candidates[1].why, roster_test::contains("loses to /a/{x}"));
        const auto get = std::find_if(e.candidates.begin(), e.candidates.end(),
                                      [](const roster::route_candidate& c) { return c.pattern == "GET /a/b"; });
        REQUIRE(get != e.candidates.end());
        CHECK_FALSE(get->matches);
        CHECK_THAT(get->why, roster_test::contains("its path matches"));
    }
    SECTION("a host beats everything without one; the port is not part of the host") {
        const auto e = reg.explain("GET", "example.com:8080", "/a/b");
        CHECK(e.host == "example.com");
        CHECK(e.status == reg.match("GET", "example.com:8080", "/a/b").status());
        REQUIRE_FALSE(e.candidates.empty());
        CHECK(e.candidates[0].pattern == "example.com/a/");
        CHECK(e.candidates[0].chosen);
        const auto get = std::find_if(e.candidates.begin(), e.candidates.end(),
                                      [](const roster::route_candidate& c) { return c.pattern == "GET /a/b"; });
        REQUIRE(get != e.candidates.end());
        CHECK(get->matches);
        CHECK_THAT(get->why, roster_test::contains("loses to example.com/a/"));
    }
    SECTION("404, 405 and redirects: nothing chosen, the status is match()'s") {
        for (const auto& [method, path] : std::vector<std::pair<std::string_view, std::string_view>>{
                 {"GET", "/zzz"}, {"GET", "/c"}, {"GET", "/a"}, {"GET", "/a/../a/b"}}) {
            INFO(method << " " << path);
            const auto e = reg.explain(method, "", path);
            CHECK(e.status == reg.match(method, "", path).status());
            for (const auto& c : e.candidates) CHECK_FALSE(c.chosen);
        }
        CHECK(reg.explain("GET", "", "/zzz").status == roster::route_status::not_found);
        CHECK(reg.explain("GET", "", "/c").status == roster::route_status::method_not_allowed);
        CHECK(reg.explain("GET", "", "/a").status == roster::route_status::redirect);
        CHECK(reg.explain("GET", "", "/a/../a/b").path == "/a/b");
    }
}

// ===========================================================================
// Concurrency

TEST_CASE("handler_registry: threads match while another thread adds patterns, and never see a half-added one",
          "[handler][concurrency]") {
    routes reg{"handler.concurrent.add"};
    reg.add("/stable/{id}", &numbered<1>);
    reg.add("GET /health", &numbered<2>);
    constexpr int readers = 4;
    constexpr int rounds = 600;
    constexpr int added = 150;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&, t] {
            std::vector<bool> seen(static_cast<std::size_t>(added), false);
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < rounds; ++i) {
                const std::string id = std::to_string(t * rounds + i);
                const std::string path = "/stable/" + id;
                const auto m = reg.match("GET", "example.com", path);
                if (!m || m.pattern() != "/stable/{id}" || m.value("id") != id || m.handler()() != 1) ++wrong;
                const auto health = reg.match("HEAD", "", "/health");
                if (!health || health.pattern() != "GET /health") ++wrong;
                const int k = i % added;
                const std::string wpath = "/w/" + std::to_string(k);
                const auto w = reg.match("GET", "", wpath);
                if (w) {
                    if (w.pattern() != wpath || w.handler()() != 3 || w.size() != 0) ++wrong;
                    seen[static_cast<std::size_t>(k)] = true;
                } else if (w.status() != roster::route_status::not_found || seen[static_cast<std::size_t>(k)]) {
                    ++wrong; // a pattern once seen never disappears
                }
                std::this_thread::yield(); // leave the writer a gap (readers may be preferred)
            }
        });
    }
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 0; k < added; ++k) {
            if (reg.try_add("/w/" + std::to_string(k), &numbered<3>).status() != roster::add_status::added) ++wrong;
            if (reg.try_add("/stable/{other}", &numbered<4>).error().code != roster::errc::conflict) ++wrong;
        }
    });
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(reg.size() == static_cast<std::size_t>(2 + added));
    int missing = 0;
    for (int k = 0; k < added; ++k)
        if (reg.match("GET", "", "/w/" + std::to_string(k)).pattern() != "/w/" + std::to_string(k)) ++missing;
    CHECK(missing == 0);
}

TEST_CASE("handler_registry: threads match while others freeze it and add to it; the tree holds exactly what was added",
          "[handler][concurrency][freeze]") {
    routes reg{"handler.concurrent.freeze"};
    reg.add("/", &numbered<1>);
    reg.add("GET /users/{id}", &numbered<2>);
    reg.add("POST /users/{id}", &numbered<3>);
    reg.add("/static/", &numbered<4>);
    reg.add("example.com/", &numbered<5>);
    constexpr int readers = 4;
    constexpr int after_freeze = 300;
    constexpr long limit = 2'000'000; // a reader that never sees the freeze stops here and fails
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::atomic<long> matches{0};
    std::atomic<int> readers_done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            int frozen_rounds = 0;
            long i = 0;
            for (; frozen_rounds < after_freeze && i < limit; ++i) {
                const bool was_frozen = reg.frozen();
                const std::string id = std::to_string(t * 1000 + (i % 1000));
                const std::string path = "/users/" + id;
                const auto get = reg.match("GET", "", path);
                if (!get || get.pattern() != "GET /users/{id}" || get.value("id") != id || get.handler()() != 2) ++wrong;
                const auto post = reg.match("POST", "", path);
                if (!post || post.pattern() != "POST /users/{id}" || post.value("id") != id) ++wrong;
                const auto put = reg.match("PUT", "", path);
                if (!put || put.pattern() != "/") ++wrong; // "/" matches every method
                const auto host = reg.match("GET", "example.com:443", path);
                if (!host || host.pattern() != "example.com/") ++wrong;
                const auto slash = reg.match("GET", "", "/static");
                if (slash.status() != roster::route_status::redirect || slash.location() != "/static/") ++wrong;
                matches.fetch_add(5, std::memory_order_relaxed);
                if (was_frozen) ++frozen_rounds;
                // std::shared_mutex may prefer readers (glibc does): leave the
                // writers (the adds, the freeze) a gap to take the lock in.
                std::this_thread::sleep_for(std::chrono::microseconds(20));
            }
            if (frozen_rounds < after_freeze) ++wrong;
            ++readers_done;
        });
    }
    // A writer adds patterns until the freeze refuses them; the tree must hold exactly those added.
    std::vector<int> added_ok;
    std::vector<int> refused_frozen;
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        const auto attempt = [&](int k) {
            const auto r = reg.try_add("/late/" + std::to_string(k), &numbered<6>);
            if (r.status() == roster::add_status::added) added_ok.push_back(k);
            else if (r.error().code == roster::errc::frozen) refused_frozen.push_back(k);
            else ++wrong;
        };
        int k = 0;
        for (; k < 400 && refused_frozen.empty(); ++k) attempt(k); // racing the freeze
        while (!reg.frozen()) std::this_thread::yield();
        for (const int end = k + 20; k < end; ++k) attempt(k); // certainly refused now
    });
    // Two threads freeze at once, once the readers are under way.
    for (int f = 0; f < 2; ++f) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            while (matches.load(std::memory_order_relaxed) < readers * 200L) std::this_thread::yield();
            reg.freeze();
        });
    }
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(readers_done.load() == readers);
    CHECK(reg.frozen());
    CHECK(refused_frozen.size() >= 20);
    CHECK(reg.size() == 5 + added_ok.size());
    int missing = 0;
    for (const int k : added_ok)
        if (reg.match("GET", "", "/late/" + std::to_string(k)).pattern() != "/late/" + std::to_string(k)) ++missing;
    CHECK(missing == 0);
    int present = 0;
    for (const int k : refused_frozen)
        if (reg.match("GET", "", "/late/" + std::to_string(k)).pattern() != "/") ++present;
    CHECK(present == 0);
}

TEST_CASE("handler_registry: a frozen match allocates nothing on a hit, with captures, or on a 404",
          "[handler][match]") {
    routes reg{"handler.allocations"};
    reg.add("GET /users/{id}/repos/{repo}", +[] { return 1; });
    reg.add("GET /static/{path...}", +[] { return 2; });
    reg.add("/health", +[] { return 3; });
    reg.freeze();
    std::size_t hits = 0;
    std::size_t allocations = 0;
    {
        const roster_test::allocation_counter counter;
        for (int i = 0; i < 10; ++i) {
            const auto m = reg.match("GET", "example.com", "/users/42/repos/roster");
            if (m && m.value("repo") == "roster") ++hits;
            if (reg.match("GET", "example.com", "/static/css/site.css")) ++hits;
            if (reg.match("GET", "example.com", "/health")) ++hits;
            if (reg.match("GET", "example.com", "/nowhere")) ++hits;
        }
        allocations = counter.count();
    }
    CHECK(hits == 30);
    CHECK(allocations == 0);
}

TEST_CASE("handler registry: a pattern with blanks before its path and no method is registered under the key "
          "without them, as Go accepts it",
          "[handler]") {
    routes reg{"handler.leading_blanks"};
    CHECK(reg.try_add("\t/a", +[] { return 1; }).status() == roster::add_status::added);
    CHECK(reg.contains("/a"));
    CHECK_FALSE(reg.contains("\t/a"));
    const auto again = reg.try_add(" /a", +[] { return 2; });
    CHECK(again.status() == roster::add_status::refused); // the same pattern: a duplicate
    CHECK(reg.match("GET", "example.com", "/a").status() == roster::route_status::matched);
}

TEST_CASE("handler registry: once frozen, an unclean path to a literal route is still redirected to its clean "
          "form, as before freeze()",
          "[handler]") {
    for (const bool frozen : {false, true}) {
        routes reg{"handler.unclean"};
        reg.add("GET /a/b", +[] { return 1; });
        reg.add("GET /{$}", +[] { return 2; });
        if (frozen) reg.freeze();
        for (const std::string_view path : {"/a/./b", "//a/b", "/a/x/../b", "a/b"}) {
            const auto m = reg.match("GET", "example.com", path);
            INFO("frozen " << frozen << ", path " << path);
            CHECK(m.status() == roster::route_status::redirect);
            CHECK(m.redirect() == roster::route_redirect::clean_path);
            CHECK(m.location() == "/a/b");
        }
        const auto clean = reg.match("GET", "example.com", "/a/b");
        CHECK(clean.status() == roster::route_status::matched);
    }
}

TEST_CASE("handler registry: a literal route with a method is found by every spelling of its path, frozen or not "
          "(the frozen registry's one-probe table holds clean paths without '%' only)",
          "[handler][escapes]") {
    for (const bool frozen : {false, true}) {
        routes reg{"handler.literal_spellings"};
        reg.add("GET /a", +[] { return 1; });
        reg.add("GET /%62/c", +[] { return 2; });
        reg.add("GET /%x", +[] { return 3; });
        reg.add("POST /a", +[] { return 4; });
        if (frozen) reg.freeze();
        struct spelling {
            std::string_view method;
            std::string_view path;
            int handler;
        };
        for (const spelling& s : {spelling{"GET", "/a", 1}, spelling{"GET", "/%61", 1}, spelling{"HEAD", "/a", 1},
                                  spelling{"", "/a", 1}, spelling{"GET", "/b/c", 2}, spelling{"GET", "/%62/%63", 2},
                                  spelling{"GET", "/%25x", 3}, spelling{"POST", "/a", 4}, spelling{"POST", "/%61", 4}}) {
            INFO("frozen " << frozen << ", " << s.method << " " << s.path);
            const auto m = reg.match(s.method, "example.com", s.path);
            REQUIRE(m.status() == roster::route_status::matched);
            CHECK(m.handler()() == s.handler);
            CHECK(m.size() == 0);
        }
        const auto other = reg.match("PUT", "example.com", "/a");
        CHECK(other.status() == roster::route_status::method_not_allowed);
        CHECK(other.allow_header() == "GET, HEAD, POST");
    }
}
