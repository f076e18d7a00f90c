// Lookup counters (roster::counters::) on the read path, in one run:
//
//   plain_*          roster::registry<V>, no counters policy named
//   none_*           roster::registry<V, counters::none>: must equal plain
//   per_registry_*   counters::per_registry: striped hit/miss totals
//   per_key_*        counters::per_key: the totals plus a hit counter per entry
//   one_atomic_*     the naive design, for contrast: the plain registry plus
//                    one process-wide std::atomic bumped per lookup (every
//                    reader writes the same cache line)
//
// each mutable (std::shared_mutex) and frozen (lock-free reads), with
// lookups by std::string_view through visit(), at 1, 2 and 4 threads over
// 1,000 keys. After the run:
//   RATIO <name>_vs_plain threads=<n> keys=<k> <time / plain's, same mode>
//   SCALING <name> threads=<n> keys=<k> <time per lookup at n threads / at 1>
// (With real time per lookup over all threads, perfect scaling on 2 free
// cores is 0.5 at 2 threads; 1.0 means the threads got nothing from the
// second core.)
#include "roster/registry.hpp"
#include "roster/counters.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm> // std::shuffle
#include <atomic>    // the naive counter
#include <cstdio>    // std::printf
#include <memory>    // std::shared_ptr
#include <random>    // std::mt19937
#include <string>
#include <string_view>
#include <vector>

namespace {

using value_t = std::shared_ptr<const int>;
constexpr std::size_t key_count = 1000;
constexpr int max_threads = 4;

template <class... Policies>
struct pair_of_registries {
    roster::registry<value_t, Policies...> mutable_reg{"bench.counters.mutable"};
    roster::registry<value_t, Policies...> frozen_reg{"bench.counters.frozen"};
};

struct fixture {
    std::vector<std::string> keys;
    std::vector<std::string_view> views;
    std::vector<std::vector<std::uint32_t>> orders;
    pair_of_registries<> plain;
    pair_of_registries<roster::counters::none> none;
    pair_of_registries<roster::counters::per_registry> per_registry;
    pair_of_registries<roster::counters::per_key> per_key;
    mutable std::atomic<std::uint64_t> one_atomic{0};

    fixture() {
        std::mt19937 random(42);
        for (std::size_t i = 0; i < key_count; ++i) keys.push_back("bench.counters.key." + std::to_string(i));
        for (const auto& k : keys) views.emplace_back(k);
        for (int t = 0; t < max_threads; ++t) {
            std::vector<std::uint32_t> order(key_count);
            for (std::uint32_t i = 0; i < key_count; ++i) order[i] = i;
            std::shuffle(order.begin(), order.end(), random);
            orders.push_back(std::move(order));
        }
        fill(plain);
        fill(none);
        fill(per_registry);
        fill(per_key);
    }

    template <class Pair>
    void fill(Pair& pair) {
        for (std::size_t i = 0; i < key_count; ++i) {
            auto value = std::make_shared<const int>(static_cast<int>(i));
            pair.mutable_reg.add(keys[i], value);
            pair.frozen_reg.add(keys[i], value);
        }
        pair.frozen_reg.freeze();
    }
};

const fixture& the_fixture() {
    static const fixture f;
    return f;
}

template <class Registry>
long look_up(const Registry& reg, std::string_view key) {
    return reg.visit(key, [](const value_t& v) { return static_cast<long>(*v); }).value_or(0);
}

struct variant {
    const char* name;
    long (*lookup)(const fixture&, std::uint32_t);
};

// clang-format off
constexpr variant variants[] = {
    {"plain_mutable",        [](const fixture& f, std::uint32_t i) { return look_up(f.plain.mutable_reg, f.views[i]); }},
    {"none_mutable",         [](const fixture& f, std::uint32_t i) { return look_up(f.none.mutable_reg, f.views[i]); }},
    {"per_registry_mutable", [](const fixture& f, std::uint32_t i) { return look_up(f.per_registry.mutable_reg, f.views[i]); }},
    {"per_key_mutable",      [](const fixture& f, std::uint32_t i) { return look_up(f.per_key.mutable_reg, f.views[i]); }},
    {"one_atomic_mutable",   [](const fixture& f, std::uint32_t i) {
        f.one_atomic.fetch_add(1, std::memory_order_relaxed);
        return look_up(f.plain.mutable_reg, f.views[i]); }},
    {"plain_frozen",         [](const fixture& f, std::uint32_t i) { return look_up(f.plain.frozen_reg, f.views[i]); }},
    {"none_frozen",          [](const fixture& f, std::uint32_t i) { return look_up(f.none.frozen_reg, f.views[i]); }},
    {"per_registry_frozen",  [](const fixture& f, std::uint32_t i) { return look_up(f.per_registry.frozen_reg, f.views[i]); }},
    {"per_key_frozen",       [](const fixture& f, std::uint32_t i) { return look_up(f.per_key.frozen_reg, f.views[i]); }},
    {"one_atomic_frozen",    [](const fixture& f, std::uint32_t i) {
        f.one_atomic.fetch_add(1, std::memory_order_relaxed);
        return look_up(f.plain.frozen_reg, f.views[i]); }},
};
// clang-format on

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# counters: time per lookup / the plain registry's in the same mode, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name.rfind("plain_", 0) == 0) continue;
        const std::string mode = name.substr(name.rfind('_') + 1); // mutable | frozen
        reporter.print_ratio("RATIO", name, "_vs_plain", "plain_" + mode, threads, keys, time);
    }
    std::printf("\n# counters: time per lookup at n threads / at 1 thread, same variant\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        const auto one = reporter.times().find({name, 1, keys});
        if (threads == 1 || one == reporter.times().end() || one->second <= 0) continue;
        std::printf("SCALING %s threads=%d keys=%ld %.3f\n", name.c_str(), threads, keys, time / one->second);
    }
}

} // namespace

int main(int argc, char** argv) {
    (void)the_fixture();
    for (const variant& v : variants) {
        benchmark::RegisterBenchmark(v.name,
                                     [lookup = v.lookup](benchmark::State& state) {
                                         const fixture& f = the_fixture();
                                         const auto& order = f.orders[static_cast<std::size_t>(state.thread_index()) %
                                                                      f.orders.size()];
                                         bench::run_lookups(state, order,
                                                            [&](std::uint32_t index) { return lookup(f, index); });
                                     })
            ->Arg(static_cast<long>(key_count))
            ->Threads(1)
            ->Threads(2)
            ->Threads(4)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(5)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, print_ratios);
}
