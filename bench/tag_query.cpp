// Tag queries with roster::tagged_registry (frozen: a tag index walked
// without a lock) against what C++ programs hand-roll today, side by side in
// one run, over 1,000 and 10,000 entries. Each entry carries 3 to 5 tags
// drawn from a vocabulary of 40 ("tier=0".."tier=9", "region=..", plain
// labels) and a priority from 0 to 9; every query names one tag (about a
// tenth of the entries carry each) and wants the matching entries in chain
// order (higher priority first, then key):
//
//   tagged_query           reg.matching(tags::has(t)): a vector of entries
//   tagged_visit           reg.for_each_matching(tags::has(t), f): no vector
//   tagged_query_unfrozen  reg.matching() before freeze(): a scan under the
//                          read lock, then a sort
//   linear_scan            a std::vector of {key, value, std::set<std::string>
//                          tags, priority}, sorted by chain order once at
//                          start-up, scanned with tags.count(t); the matches'
//                          addresses pushed into a std::vector
//   linear_scan_vector     the same with std::vector<std::string> tags and std::find
//   linear_scan_visit      linear_scan without the result vector (sums values)
//
// The program checks that every form returns the same entries in the same
// order for every query before timing anything, and stops if they do not.
// After the run:
//   RATIO tagged_query_vs_linear_scan threads=1 keys=<entries> <value>
//   RATIO tagged_query_vs_linear_scan_vector threads=1 keys=<entries> <value>
//   RATIO tagged_visit_vs_linear_scan threads=1 keys=<entries> <value>
//   RATIO tagged_query_unfrozen_vs_linear_scan threads=1 keys=<entries> <value>
// value = roster's time per query / the baseline's, medians, same run; and
// ALLOCS lines: allocations per query (tagged_query: 1, its vector;
// tagged_visit: 0). Targets: below 1 against every baseline once frozen.
#include "roster/tagged.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bench_tagged {

/// The vocabulary: 40 tags.
std::vector<std::string> vocabulary() {
    std::vector<std::string> out;
    for (int i = 0; i < 10; ++i) out.push_back("tier=" + std::to_string(i));
    for (const char* region : {"eu", "us", "ap", "sa", "af", "me", "cn", "in", "au", "ca"})
        out.push_back(std::string("region=") + region);
    for (int i = 0; i < 20; ++i) out.push_back("label" + std::to_string(i));
    return out;
}

/// What users hand-roll: one struct per entry.
struct plain_entry {
    std::string key;
    long value;
    std::set<std::string> tags;
    std::vector<std::string> tag_list;
    int priority;
};

bool chain_before(const plain_entry& a, const plain_entry& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.key < b.key;
}

struct fixture {
    roster::tagged_registry<long> frozen{"bench.tagged.frozen"};
    roster::tagged_registry<long> open{"bench.tagged.open"};
    std::vector<plain_entry> plain; // sorted by chain order
    std::vector<std::string> query_tags;
    std::vector<roster::tag_filter> filters; // one per query tag, built once
    std::vector<std::uint32_t> order;        // the queries, shuffled

    explicit fixture(std::size_t count) {
        const std::vector<std::string> words = vocabulary();
        std::mt19937 rng(42);
        std::uniform_int_distribution<std::size_t> word(0, words.size() - 1);
        std::uniform_int_distribution<int> tag_count(3, 5);
        std::uniform_int_distribution<int> priority(0, 9);
        for (std::size_t i = 0; i < count; ++i) {
            plain_entry e{"entry" + std::to_string(i), static_cast<long>(i), {}, {}, priority(rng)};
            for (int t = tag_count(rng); t > 0; --t) e.tags.insert(words[word(rng)]);
            e.tag_list.assign(e.tags.begin(), e.tags.end());
            std::vector<roster::tag> tags(e.tags.begin(), e.tags.end());
            frozen.add(e.key, e.value, tags, e.priority);
            open.add(e.key, e.value, tags, e.priority);
            plain.push_back(std::move(e));
        }
        frozen.freeze();
        std::sort(plain.begin(), plain.end(), chain_before);
        query_tags = words;
        for (const std::string& t : query_tags) filters.push_back(roster::tags::has(t));
        for (std::uint32_t i = 0; i < 64; ++i) order.push_back(i % static_cast<std::uint32_t>(query_tags.size()));
        std::shuffle(order.begin(), order.end(), rng);
        check();
    }

    std::vector<const plain_entry*> scan(const std::string& tag) const {
        std::vector<const plain_entry*> out;
        for (const plain_entry& e : plain)
            if (e.tags.count(tag) != 0) out.push_back(&e);
        return out;
    }

    std::vector<const plain_entry*> scan_vector(const std::string& tag) const {
        std::vector<const plain_entry*> out;
        for (const plain_entry& e : plain)
            if (std::find(e.tag_list.begin(), e.tag_list.end(), tag) != e.tag_list.end()) out.push_back(&e);
        return out;
    }

    /// Every form returns the same entries in the same order, or the run stops.
    void check() const {
        for (std::size_t q = 0; q < query_tags.size(); ++q) {
            std::vector<std::string> by_scan, by_vector, by_roster, by_visit, by_open;
            for (const plain_entry* e : scan(query_tags[q])) by_scan.push_back(e->key);
            for (const plain_entry* e : scan_vector(query_tags[q])) by_vector.push_back(e->key);
            for (const auto& e : frozen.matching(filters[q])) by_roster.push_back(e.key());
            for (const auto& e : open.matching(filters[q])) by_open.push_back(e.key());
            frozen.for_each_matching(filters[q], [&](const auto& e) { by_visit.push_back(e.key()); });
            if (by_scan.empty() || by_scan != by_vector || by_scan != by_roster || by_scan != by_visit ||
                by_scan != by_open) {
                std::fprintf(stderr, "bench/tag_query: the forms disagree on %s (%zu entries by the scan)\n",
                             query_tags[q].c_str(), by_scan.size());
                std::exit(1);
            }
        }
    }
};

const fixture& the_fixture(std::size_t count) {
    static const fixture small(1000), large(10000);
    return count <= 1000 ? small : large;
}

void tagged_query(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        const auto found = f.frozen.matching(f.filters[q]);
        return static_cast<long>(found.size()) + (found.empty() ? 0 : found.front().value());
    });
}

void tagged_visit(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        long sum = 0;
        f.frozen.for_each_matching(f.filters[q], [&sum](const roster::tagged_entry<long>& e) { sum += e.value(); });
        return sum;
    });
}

void tagged_query_unfrozen(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        const auto found = f.open.matching(f.filters[q]);
        return static_cast<long>(found.size()) + (found.empty() ? 0 : found.front().value());
    });
}

void linear_scan(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        const auto found = f.scan(f.query_tags[q]);
        return static_cast<long>(found.size()) + (found.empty() ? 0 : found.front()->value);
    });
}

void linear_scan_vector(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        const auto found = f.scan_vector(f.query_tags[q]);
        return static_cast<long>(found.size()) + (found.empty() ? 0 : found.front()->value);
    });
}

void linear_scan_visit(benchmark::State& state) {
    const fixture& f = the_fixture(static_cast<std::size_t>(state.range(0)));
    bench::run_lookups(state, f.order, [&](std::uint32_t q) {
        long sum = 0;
        const std::string& tag = f.query_tags[q];
        for (const plain_entry& e : f.plain)
            if (e.tags.count(tag) != 0) sum += e.value;
        return sum;
    });
}

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# tag_query: roster's time per query / the baseline's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "tagged_query") {
            reporter.print_ratio("RATIO", name, "_vs_linear_scan", "linear_scan", threads, keys, time);
            reporter.print_ratio("RATIO", name, "_vs_linear_scan_vector", "linear_scan_vector", threads, keys, time);
        } else if (name == "tagged_visit") {
            reporter.print_ratio("RATIO", name, "_vs_linear_scan", "linear_scan_visit", threads, keys, time);
        } else if (name == "tagged_query_unfrozen") {
            reporter.print_ratio("RATIO", name, "_vs_linear_scan", "linear_scan", threads, keys, time);
        }
    }
    reporter.print_allocations();
}

} // namespace bench_tagged

int main(int argc, char** argv) {
    using namespace bench_tagged;
    const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
        {"tagged_query", tagged_query},
        {"tagged_visit", tagged_visit},
        {"tagged_query_unfrozen", tagged_query_unfrozen},
        {"linear_scan", linear_scan},
        {"linear_scan_vector", linear_scan_vector},
        {"linear_scan_visit", linear_scan_visit},
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
