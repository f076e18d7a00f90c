// Tree queries with roster::hierarchical_registry against what programs
// write by hand, side by side in one run, over a full 10-ary tree of IDs
// ("s3.s7.s1"): every node registered, 1,110 IDs (depth 3, keys=1000) and
// 11,110 IDs (depth 4, keys=10000):
//
//   hierarchical_children           visit_children(scope) on the frozen
//                                   registry: the registered IDs exactly one
//                                   level below a scope
//   hierarchical_children_unfrozen  the same before freeze() (the ordered map
//                                   under the read lock, one jump per child)
//   map_scan_children               a std::map<std::string, int>: lower_bound
//                                   of "scope.", then every key that starts
//                                   with it, kept when it has no further '.'
//                                   (the whole subtree is scanned)
//   linear_scan_children            caddy's GetModules: every ID split and
//                                   compared with the scope
//   hierarchical_longest_prefix     visit_longest_prefix(words) on the frozen
//                                   registry (the words of a command line: a
//                                   registered ID and one argument more)
//   map_longest_prefix              the words joined one at a time into a
//                                   std::string, std::map::find of each
//                                   prefix, the last hit kept
//
// Scopes: every internal node and the root, in a shuffled order; each
// lookup sums the values it visits, so every implementation does all of its
// work, and the program checks that they agree before timing anything.
// After the run:
//   RATIO hierarchical_children_vs_map_scan threads=1 keys=<k> <value>
//   RATIO hierarchical_children_vs_linear_scan threads=1 keys=<k> <value>
//   RATIO hierarchical_children_unfrozen_vs_map_scan threads=1 keys=<k> <value>
//   RATIO hierarchical_longest_prefix_vs_map_find threads=1 keys=<k> <value>
// value = roster's time per query / the baseline's, medians, same run.
#include "roster/hierarchical.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench_tree {

using registry = roster::hierarchical_registry<int>;

/// Caddy's GetModules, as written in Go, in C++: split every ID, keep those
/// one level below the scope whose leading segments equal the scope's.
long linear_children(const std::vector<std::pair<std::string, int>>& all, std::string_view scope) {
    std::vector<std::string_view> scope_parts;
    for (std::size_t start = 0; !scope.empty();) {
        const std::size_t dot = scope.find('.', start);
        scope_parts.push_back(scope.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    long sum = 0;
    std::vector<std::string_view> parts;
    for (const auto& [id, value] : all) {
        parts.clear();
        const std::string_view view(id);
        for (std::size_t start = 0;;) {
            const std::size_t dot = view.find('.', start);
            parts.push_back(view.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
        if (parts.size() != scope_parts.size() + 1) continue;
        if (!std::equal(scope_parts.begin(), scope_parts.end(), parts.begin())) continue;
        sum += value;
    }
    return sum;
}

/// The hand-written std::map scan: every key under "scope.", one level kept.
long map_children(const std::map<std::string, int, std::less<>>& map, std::string_view scope) {
    std::string prefix(scope);
    if (!scope.empty()) prefix += '.';
    long sum = 0;
    for (auto it = map.lower_bound(prefix); it != map.end(); ++it) {
        const std::string_view key(it->first);
        if (key.substr(0, prefix.size()) != prefix) break;
        if (key.find('.', prefix.size()) == std::string_view::npos) sum += it->second;
    }
    return sum;
}

/// The hand-written longest prefix: join the words one by one, find each.
long map_longest(const std::map<std::string, int, std::less<>>& map, const std::vector<std::string>& words) {
    std::string key;
    long best = -1;
    std::size_t consumed = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) key += '.';
        key += words[i];
        const auto it = map.find(key);
        if (it != map.end()) {
            best = it->second;
            consumed = i + 1;
        }
    }
    return best + static_cast<long>(consumed);
}

struct fixture {
    std::unique_ptr<registry> frozen;
    std::unique_ptr<registry> unfrozen;
    std::map<std::string, int, std::less<>> map;
    std::vector<std::pair<std::string, int>> all; // caddy's map, iterated
    std::vector<std::string> scopes;
    std::vector<std::vector<std::string>> commands; // the words of a command line
    std::vector<std::uint32_t> order;

    explicit fixture(std::size_t keys) : frozen(new registry("bench.frozen")), unfrozen(new registry("bench.unfrozen")) {
        const int depth = keys >= 10000 ? 4 : 3;
        std::vector<std::string> level{""};
        int value = 0;
        for (int d = 0; d < depth; ++d) {
            std::vector<std::string> next;
            for (const std::string& parent : level) {
                scopes.push_back(parent);
                for (int c = 0; c < 10; ++c) {
                    std::string id = parent.empty() ? "s" + std::to_string(c) : parent + ".s" + std::to_string(c);
                    ++value;
                    frozen->add(id, value);
                    unfrozen->add(id, value);
                    map.emplace(id, value);
                    all.emplace_back(id, value);
                    next.push_back(std::move(id));
                }
            }
            level = std::move(next);
        }
        frozen->freeze();
        std::mt19937 rng(42);
        std::shuffle(all.begin(), all.end(), rng); // a hash map's order
        for (const std::string& leaf : level) {
            std::vector<std::string> words;
            for (std::size_t start = 0;;) {
                const std::size_t dot = leaf.find('.', start);
                words.push_back(leaf.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
                if (dot == std::string::npos) break;
                start = dot + 1;
            }
            words.emplace_back("--verbose");
            commands.push_back(std::move(words));
        }
        order.resize(4096);
        for (std::uint32_t& o : order) o = static_cast<std::uint32_t>(rng());
        check();
    }

    long children(const registry& reg, std::string_view scope) const {
        long sum = 0;
        reg.visit_children(scope, [&sum](std::string_view, const int* v) { sum += *v; });
        return sum;
    }

    long longest(const std::vector<std::string>& words) const {
        long out = -1;
        frozen->visit_longest_prefix(words, [&out](std::string_view, const int& v, std::size_t consumed) {
            out = v + static_cast<long>(consumed);
        });
        return out;
    }

    void check() const {
        for (const std::string& scope : scopes) {
            const long want = map_children(map, scope);
            if (children(*frozen, scope) != want || children(*unfrozen, scope) != want ||
                linear_children(all, scope) != want) {
                std::fprintf(stderr, "tree_children: the implementations disagree on scope \"%s\"\n", scope.c_str());
                std::exit(1);
            }
        }
        for (const auto& words : commands) {
            if (longest(words) != map_longest(map, words)) {
                std::fprintf(stderr, "tree_children: longest prefixes disagree\n");
                std::exit(1);
            }
        }
    }
};

const fixture& the_fixture(std::size_t keys) {
    static std::map<std::size_t, std::unique_ptr<fixture>> fixtures;
    auto& slot = fixtures[keys];
    if (!slot) slot = std::make_unique<fixture>(keys);
    return *slot;
}

void hierarchical_children(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order,
                       [&](std::uint32_t i) { return f.children(*f.frozen, f.scopes[i % f.scopes.size()]); });
}

void hierarchical_children_unfrozen(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order,
                       [&](std::uint32_t i) { return f.children(*f.unfrozen, f.scopes[i % f.scopes.size()]); });
}

void map_scan_children(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t i) { return map_children(f.map, f.scopes[i % f.scopes.size()]); });
}

void linear_scan_children(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order,
                       [&](std::uint32_t i) { return linear_children(f.all, f.scopes[i % f.scopes.size()]); });
}

void hierarchical_longest_prefix(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t i) { return f.longest(f.commands[i % f.commands.size()]); });
}

void map_longest_prefix(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order,
                       [&](std::uint32_t i) { return map_longest(f.map, f.commands[i % f.commands.size()]); });
}

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# tree_children: roster's time per query / the baseline's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "hierarchical_children") {
            reporter.print_ratio("RATIO", name, "_vs_map_scan", "map_scan_children", threads, keys, time);
            reporter.print_ratio("RATIO", name, "_vs_linear_scan", "linear_scan_children", threads, keys, time);
        } else if (name == "hierarchical_children_unfrozen") {
            reporter.print_ratio("RATIO", name, "_vs_map_scan", "map_scan_children", threads, keys, time);
        } else if (name == "hierarchical_longest_prefix") {
            reporter.print_ratio("RATIO", name, "_vs_map_find", "map_longest_prefix", threads, keys, time);
        }
    }
    reporter.print_allocations();
}

} // namespace bench_tree

int main(int argc, char** argv) {
    using namespace bench_tree;
    const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
        {"hierarchical_children", hierarchical_children},
        {"hierarchical_children_unfrozen", hierarchical_children_unfrozen},
        {"map_scan_children", map_scan_children},
        {"linear_scan_children", linear_scan_children},
        {"hierarchical_longest_prefix", hierarchical_longest_prefix},
        {"map_longest_prefix", map_longest_prefix},
    };
    for (const auto& [name, fn] : benchmarks) {
        benchmark::RegisterBenchmark(name, fn)
            ->Arg(1000)
            ->Arg(10000)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(3)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, print_ratios);
}
