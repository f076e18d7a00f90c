// Dispatching HTTP requests with roster::handler_registry (frozen: a routing
// tree walked without a lock) against what C++ programs use today, side by
// side in one run, over GitHub-API-like route tables of 10, 100 and 1,000
// routes (with {name} and {name...} wildcards and literal routes):
//
//   handler_match          routes.match(method, host, path) on the frozen registry
//   regex_list             a list of std::regex per method, tried in
//                          registration order, first match wins (how
//                          cpp-httplib and Crow route)
//   map_prefix             a hand-written std::map from each route's literal
//                          prefix to its routes: the request path's prefixes
//                          are tried longest first, then the rest of the
//                          route's segments are matched
//   handler_literal        routes.match() on literal routes only (no wildcard)
//   unordered_map_literal  std::unordered_map<std::string, ...>::find of
//                          "METHOD path" with a pre-built key (transparent
//                          hash: no allocation), the literal routes only
//
// Every request matches exactly one route, so the three routers must agree:
// the program checks that they return the same route for every request
// before timing anything, and stops if they do not. Each lookup also reads
// one captured value (the first), so the routers do all of their work.
// After the run:
//   RATIO handler_match_vs_regex_list threads=1 keys=<routes> <value>
//   RATIO handler_match_vs_map_prefix threads=1 keys=<routes> <value>
//   RATIO handler_literal_vs_unordered_map threads=1 keys=<routes> <value>
// value = roster's time per request / the baseline's, medians, same run.
// Targets: below 1 against both routers at every size; at most 2 against
// the unordered_map for literal routes.
#include "roster/handler.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bench_handler {

/// One GitHub-API-like route template: method and path.
struct route_template {
    const char* method;
    const char* path;
};

constexpr route_template templates[] = {
    {"GET", "/users/{user}"},
    {"GET", "/users/{user}/repos"},
    {"GET", "/meta"},
    {"GET", "/repos/{owner}/{repo}"},
    {"PATCH", "/repos/{owner}/{repo}"},
    {"GET", "/repos/{owner}/{repo}/issues"},
    {"POST", "/repos/{owner}/{repo}/issues"},
    {"GET", "/repos/{owner}/{repo}/issues/{number}"},
    {"GET", "/emojis"},
    {"GET", "/repos/{owner}/{repo}/contents/{path...}"},
    {"DELETE", "/repos/{owner}/{repo}"},
    {"PATCH", "/repos/{owner}/{repo}/issues/{number}"},
    {"GET", "/repos/{owner}/{repo}/issues/{number}/comments"},
    {"GET", "/repos/{owner}/{repo}/pulls"},
    {"GET", "/repos/{owner}/{repo}/pulls/{number}"},
    {"GET", "/repos/{owner}/{repo}/pulls/{number}/files"},
    {"GET", "/repos/{owner}/{repo}/git/refs/{ref...}"},
    {"GET", "/rate_limit"},
    {"GET", "/orgs/{org}"},
    {"GET", "/orgs/{org}/repos"},
    {"GET", "/orgs/{org}/members/{user}"},
    {"GET", "/gists/{gist}"},
    {"GET", "/user"},
    {"GET", "/user/repos"},
    {"GET", "/notifications"},
    {"GET", "/users/{user}/followers"},
};
constexpr std::size_t template_count = sizeof templates / sizeof templates[0];

/// A value for each wildcard name, to build requests.
std::string value_for(std::string_view name) {
    if (name == "user") return "octocat";
    if (name == "owner") return "golang";
    if (name == "repo") return "go";
    if (name == "number") return "1234";
    if (name == "path") return "src/net/http/server.go";
    if (name == "ref") return "heads/main";
    if (name == "org") return "github";
    return "aa5a315d";
}

struct route {
    std::string method;
    std::string path;    // the pattern's path
    std::string request; // a request path it matches
    bool literal = false;
};

/// `count` routes: the templates, then again under /v1, /v2, ...
std::vector<route> make_routes(std::size_t count) {
    std::vector<route> out;
    for (std::size_t i = 0; out.size() < count; ++i) {
        const route_template& t = templates[i % template_count];
        const std::size_t group = i / template_count;
        const std::string prefix = group == 0 ? "" : "/v" + std::to_string(group);
        route r{t.method, prefix + t.path, prefix, true};
        std::string_view rest(t.path);
        while (!rest.empty()) {
            rest.remove_prefix(1);
            const std::size_t end = std::min(rest.find('/'), rest.size());
            std::string_view segment = rest.substr(0, end);
            rest.remove_prefix(end);
            r.request += '/';
            if (segment.front() == '{') {
                r.literal = false;
                segment = segment.substr(1, segment.size() - 2);
                if (segment.size() > 3 && segment.substr(segment.size() - 3) == "...") segment.remove_suffix(3);
                r.request += value_for(segment);
            } else {
                r.request += segment;
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

using handler_fn = std::size_t; // the route's index: what each router answers

// ------------------------------------------------------- the regex list

/// cpp-httplib's way: per method, (regex, handler) in registration order.
struct regex_router {
    std::map<std::string, std::vector<std::pair<std::regex, std::size_t>>, std::less<>> by_method;

    explicit regex_router(const std::vector<route>& routes) {
        for (std::size_t i = 0; i < routes.size(); ++i) {
            std::string re;
            std::string_view rest(routes[i].path);
            while (!rest.empty()) {
                rest.remove_prefix(1);
                const std::size_t end = std::min(rest.find('/'), rest.size());
                const std::string_view segment = rest.substr(0, end);
                rest.remove_prefix(end);
                re += '/';
                if (segment.size() > 4 && segment.substr(segment.size() - 4) == "...}") re += "(.*)";
                else if (segment.front() == '{') re += "([^/]+)";
                else re += std::string(segment);
            }
            by_method[routes[i].method].emplace_back(std::regex(re), i);
        }
    }

    /// The route matching, and the length of its first captured value.
    std::pair<std::size_t, std::size_t> match(std::string_view method, const std::string& path,
                                              std::smatch& captures) const {
        const auto list = by_method.find(method);
        if (list == by_method.end()) return {SIZE_MAX, 0};
        for (const auto& [re, index] : list->second) {
            if (std::regex_match(path, captures, re))
                return {index, captures.size() > 1 ? static_cast<std::size_t>(captures[1].length()) : 0};
        }
        return {SIZE_MAX, 0};
    }
};

// --------------------------------------------------- the std::map prefix

/// A hand-written router: the literal prefix of each route (up to its first
/// wildcard) -> its routes; the path's prefixes are tried longest first.
struct map_prefix_router {
    struct entry {
        std::string method;
        std::vector<std::string> rest; // the segments after the prefix; "{" = one segment, "{..." = the rest
        std::size_t index;
    };
    std::map<std::string, std::vector<entry>, std::less<>> by_prefix;

    explicit map_prefix_router(const std::vector<route>& routes) {
        for (std::size_t i = 0; i < routes.size(); ++i) {
            std::string prefix;
            entry e{routes[i].method, {}, i};
            std::string_view rest(routes[i].path);
            bool wild = false;
            while (!rest.empty()) {
                rest.remove_prefix(1);
                const std::size_t end = std::min(rest.find('/'), rest.size());
                const std::string_view segment = rest.substr(0, end);
                rest.remove_prefix(end);
                if (!wild && segment.front() != '{') {
                    prefix += '/';
                    prefix += segment;
                    continue;
                }
                wild = true;
                if (segment.size() > 4 && segment.substr(segment.size() - 4) == "...}") e.rest.emplace_back("{...");
                else if (segment.front() == '{') e.rest.emplace_back("{");
                else e.rest.emplace_back(segment);
            }
            by_prefix[prefix].push_back(std::move(e));
        }
    }

    /// Whether `segments` match `rest` (starting with '/', or empty); the
    /// first captured value's length in `first`.
    static bool match_rest(const std::vector<std::string>& segments, std::string_view rest, std::size_t& first) {
        bool captured = false;
        for (const std::string& s : segments) {
            if (rest.empty()) return false;
            if (s == "{...") {
                if (!captured) first = rest.size() - 1;
                return true;
            }
            rest.remove_prefix(1);
            const std::size_t end = std::min(rest.find('/'), rest.size());
            const std::string_view segment = rest.substr(0, end);
            rest.remove_prefix(end);
            if (s == "{") {
                if (!captured) first = segment.size();
                captured = true;
            } else if (segment != s) {
                return false;
            }
        }
        return rest.empty();
    }

    std::pair<std::size_t, std::size_t> match(std::string_view method, std::string_view path) const {
        for (std::size_t cut = path.size();;) {
            const auto it = by_prefix.find(path.substr(0, cut));
            if (it != by_prefix.end()) {
                for (const entry& e : it->second) {
                    std::size_t first = 0;
                    if (e.method == method && match_rest(e.rest, path.substr(cut), first)) return {e.index, first};
                }
            }
            if (cut == 0) return {SIZE_MAX, 0};
            cut = path.rfind('/', cut - 1);
            if (cut == std::string_view::npos) return {SIZE_MAX, 0};
        }
    }
};

// ------------------------------------------------------------ fixture

struct request {
    std::string method;
    std::string path;
    std::string key; // "METHOD path", for the unordered_map
    std::size_t expected;
};

struct transparent_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct fixture {
    std::vector<route> routes;
    roster::handler_registry<handler_fn> registry{"bench.routes"};
    regex_router regexes;
    map_prefix_router prefixes;
    std::unordered_map<std::string, std::size_t, transparent_hash, std::equal_to<>> literal_map;
    std::vector<request> requests;         // every route once, shuffled
    std::vector<request> literal_requests; // the literal routes' requests
    std::vector<std::uint32_t> order;
    std::vector<std::uint32_t> literal_order;

    explicit fixture(std::size_t count)
        : routes(make_routes(count)), regexes(routes), prefixes(routes) {
        for (std::size_t i = 0; i < routes.size(); ++i) {
            registry.add(routes[i].method + " " + routes[i].path, i);
            request r{routes[i].method, routes[i].request, routes[i].method + " " + routes[i].request, i};
            if (routes[i].literal) {
                literal_map.emplace(r.key, i);
                literal_requests.push_back(r);
            }
            requests.push_back(std::move(r));
        }
        registry.freeze();
        std::mt19937 rng(42);
        std::shuffle(requests.begin(), requests.end(), rng);
        std::shuffle(literal_requests.begin(), literal_requests.end(), rng);
        for (std::uint32_t i = 0; i < requests.size(); ++i) order.push_back(i);
        for (std::uint32_t i = 0; i < literal_requests.size(); ++i) literal_order.push_back(i);
        check();
    }

    /// Every router answers every request with its route, or the run stops.
    void check() const {
        std::smatch captures;
        for (const request& r : requests) {
            const auto m = registry.match(r.method, "api.github.com", r.path);
            const std::size_t by_roster = m ? m.handler() : SIZE_MAX;
            const std::size_t by_regex = regexes.match(r.method, r.path, captures).first;
            const std::size_t by_map = prefixes.match(r.method, r.path).first;
            if (by_roster != r.expected || by_regex != r.expected || by_map != r.expected) {
                std::fprintf(stderr, "bench/dispatch: routers disagree on %s %s: expected %zu, roster %zu, regex %zu, map %zu\n",
                             r.method.c_str(), r.path.c_str(), r.expected, by_roster, by_regex, by_map);
                std::exit(1);
            }
        }
    }
};

const fixture& the_fixture(std::size_t count) {
    static const fixture small(10), medium(100), large(1000);
    return count <= 10 ? small : count <= 100 ? medium : large;
}

void handler_match(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t i) {
        const request& r = f.requests[i];
        const auto m = f.registry.match(r.method, "api.github.com", r.path);
        return static_cast<long>(m.handler() + m[0].size());
    });
}

void regex_list(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    std::smatch captures;
    bench::run_lookups(state, f.order, [&](std::uint32_t i) {
        const request& r = f.requests[i];
        const auto [index, first] = f.regexes.match(r.method, r.path, captures);
        return static_cast<long>(index + first);
    });
}

void map_prefix(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t i) {
        const request& r = f.requests[i];
        const auto [index, first] = f.prefixes.match(r.method, r.path);
        return static_cast<long>(index + first);
    });
}

void handler_literal(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.literal_order, [&](std::uint32_t i) {
        const request& r = f.literal_requests[i];
        return static_cast<long>(f.registry.match(r.method, "api.github.com", r.path).handler());
    });
}

void unordered_map_literal(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.literal_order, [&](std::uint32_t i) {
        const auto it = f.literal_map.find(std::string_view(f.literal_requests[i].key));
        return static_cast<long>(it == f.literal_map.end() ? SIZE_MAX : it->second);
    });
}

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# dispatch: roster's time per request / the baseline's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "handler_match") {
            reporter.print_ratio("RATIO", name, "_vs_regex_list", "regex_list", threads, keys, time);
            reporter.print_ratio("RATIO", name, "_vs_map_prefix", "map_prefix", threads, keys, time);
        } else if (name == "handler_literal") {
            reporter.print_ratio("RATIO", name, "_vs_unordered_map", "unordered_map_literal", threads, keys, time);
        }
    }
    reporter.print_allocations();
}

} // namespace bench_handler

int main(int argc, char** argv) {
    using namespace bench_handler;
    const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
        {"handler_match", handler_match},     {"regex_list", regex_list},
        {"map_prefix", map_prefix},           {"handler_literal", handler_literal},
        {"unordered_map_literal", unordered_map_literal},
    };
    for (const auto& [name, fn] : benchmarks) {
        benchmark::RegisterBenchmark(name, fn)
            ->Arg(10)
            ->Arg(100)
            ->Arg(1000)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(3)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, print_ratios);
}
