// The hot-reload read path against the limit, side by side in one run,
// reported as ratios.
//
//   limit_sv                  unsynchronised std::unordered_map, value read in
//                             place, same transparent hasher as roster
//   std_limit_string          the standard limit: std::unordered_map<std::string,
//                             V>::find with a pre-built std::string
//   boost_flat_sv             boost::unordered_flat_map, same hash function as
//                             the standard limit, looked up by std::string_view
//                             (where Boost >= 1.81 is found)
//   hot_reload_sv             roster::hot_reload_registry::visit by
//                             std::string_view: the per-thread cached
//                             snapshot checked against the atomic version
//   hot_reload_sv_reloading   the same while another thread replaces the
//                             whole set every 10 ms (each replacement makes
//                             every reader take the slow path once)
//   hot_reload_snapshot_sv    visit through a snapshot held by the reader
//                             (roster::hot_reload_registry::current())
//
// Dimensions: 1 and 2 threads; 16, 1000 and 100000 keys. Every thread walks its own
// shuffled list of keys. Allocations per lookup are counted (replaced
// operator new, per thread). After the run, one line per comparison:
//   RATIO <name> threads=<n> keys=<k> <value>
// where value = the variant's time per lookup / limit_sv's, medians of the
// repetitions, same run; `<name>_vs_std_limit`: / std_limit_string's;
// `<name>_vs_boost_flat`: / boost_flat_sv's.
// Targets: <= 1.15 of limit_sv; the cached read <= 0.80 of the standard limit
// and <= 1.15 of boost::unordered_flat_map.
#include "roster/hot_reload.hpp"

#include "support/boost_flat.hpp"
#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>


namespace {

using value_t = std::shared_ptr<const int>;
using hot_registry = roster::hot_reload_registry<value_t>;
constexpr int max_threads = 2;

/// Everything looked up, for one key count.
struct fixture {
    std::vector<std::string> keys;
    std::vector<std::string_view> views;
    std::vector<std::vector<std::uint32_t>> orders;
    std::unordered_map<std::string, value_t, roster::detail::transparent_string_hash<std::string_view>,
                       std::equal_to<>>
        limit;
    std::unordered_map<std::string, value_t> std_limit;
#if ROSTER_BENCH_HAS_BOOST_FLAT
    bench::boost_flat_map<value_t> boost_flat;
#endif
    hot_registry hot{"bench.hot_reload"};

    explicit fixture(std::size_t n) {
        std::mt19937 rng(42);
        keys.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "roster.bench.key.%08zu.%04x", i, static_cast<unsigned>(rng() & 0xffff));
            keys.emplace_back(buffer); // 29 characters, beyond the small-string buffer
        }
        for (const auto& k : keys) views.emplace_back(k);
        for (int t = 0; t < max_threads; ++t) {
            std::vector<std::uint32_t> order(n);
            for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
            std::shuffle(order.begin(), order.end(), rng);
            orders.push_back(std::move(order));
        }
        for (std::size_t i = 0; i < n; ++i) {
            auto value = std::make_shared<const int>(static_cast<int>(i));
            limit.emplace(keys[i], value);
            std_limit.emplace(keys[i], value);
#if ROSTER_BENCH_HAS_BOOST_FLAT
            boost_flat.emplace(keys[i], value);
#endif
        }
        reload(0);
    }

    /// Publishes a fresh set: same keys, new values.
    void reload(int generation) {
        std::vector<std::pair<std::string, value_t>> next;
        next.reserve(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i)
            next.emplace_back(keys[i], std::make_shared<const int>(static_cast<int>(i) + generation));
        hot.replace_all(std::move(next));
    }
};

fixture& fixture_for(std::size_t n) {
    static std::mutex mutex;
    static std::map<std::size_t, std::unique_ptr<fixture>> fixtures;
    const std::lock_guard lock(mutex);
    auto& slot = fixtures[n];
    if (!slot) slot = std::make_unique<fixture>(n);
    return *slot;
}

// ------------------------------------------------------ the background writer
/// Replaces the whole set every 10 ms while a `_reloading` benchmark runs.
class reloader {
public:
    void start(fixture& f) {
        stop();
        stop_ = false;
        thread_ = std::thread([this, &f] {
            int generation = 1;
            std::unique_lock lock(mutex_);
            while (!stop_) {
                lock.unlock();
                f.reload(generation++);
                lock.lock();
                wake_.wait_for(lock, std::chrono::milliseconds(10), [&] { return stop_; });
            }
            reloads_ += generation - 1;
        });
    }
    void stop() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    int reloads() const { return reloads_; }

private:
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    int reloads_ = 0;
};

reloader background;

void start_reloading(const benchmark::State& state) {
    background.start(fixture_for(static_cast<std::size_t>(state.range(0))));
}
void stop_reloading(const benchmark::State&) { background.stop(); }

// --------------------------------------------------------------- the lookups
int read_value(const value_t& v) { return *v; }

long limit_sv(fixture& f, std::uint32_t i) {
    const auto it = f.limit.find(f.views[i]);
    return it == f.limit.end() ? 0 : read_value(it->second);
}
long std_limit_string(fixture& f, std::uint32_t i) {
    const auto it = f.std_limit.find(f.keys[i]);
    return it == f.std_limit.end() ? 0 : read_value(it->second);
}
#if ROSTER_BENCH_HAS_BOOST_FLAT
long boost_flat_sv(fixture& f, std::uint32_t i) {
    const auto it = f.boost_flat.find(f.views[i]);
    return it == f.boost_flat.end() ? 0 : read_value(it->second);
}
#endif
long hot_reload_sv(fixture& f, std::uint32_t i) {
    return f.hot.visit(f.views[i], [](const value_t& v) { return read_value(v); }).value_or(0);
}

/// Runs `lookup(fixture, index)` once per iteration over this thread's order.
template <class Lookup>
void run(benchmark::State& state, Lookup lookup) {
    fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
    const auto& order = f.orders[static_cast<std::size_t>(state.thread_index()) % f.orders.size()];
    bench::run_lookups(state, order, [&](std::uint32_t index) { return lookup(f, index); });
    roster::release_thread_snapshots(); // an idle benchmark thread keeps no old set alive
}

void held_snapshot(benchmark::State& state) {
    fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
    const auto& order = f.orders[static_cast<std::size_t>(state.thread_index()) % f.orders.size()];
    const hot_registry::snapshot snap = f.hot.current();
    std::size_t i = 0;
    long sink = 0;
    for (auto _ : state) {
        sink += snap->visit(f.views[order[i]], [](const value_t& v) { return read_value(v); }).value_or(0);
        if (++i == order.size()) i = 0;
    }
    benchmark::DoNotOptimize(sink);
}

/// The RATIO and ALLOCS lines, from the medians of the run.
void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# hot-reload read path: time per lookup / limit_sv's, medians, same run (target <= 1.15)\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "limit_sv") continue;
        if (name == "std_limit_string") {
            reporter.print_ratio("REF", name, "", "limit_sv", threads, keys, time);
            continue;
        }
        if (name == "boost_flat_sv") {
            reporter.print_ratio("REF", name, "_vs_std_limit", "std_limit_string", threads, keys, time);
            continue;
        }
        reporter.print_ratio("RATIO", name, "", "limit_sv", threads, keys, time);
        reporter.print_ratio("RATIO", name, "_vs_std_limit", "std_limit_string", threads, keys, time);
#if ROSTER_BENCH_HAS_BOOST_FLAT
        reporter.print_ratio("RATIO", name, "_vs_boost_flat", "boost_flat_sv", threads, keys, time);
#endif
    }
    bench::boost_flat_skipped();
    reporter.print_allocations();
}

template <class Body>
void register_variant(const char* name, Body body, bool reloading) {
    auto* b = benchmark::RegisterBenchmark(name, body);
    b->Arg(16)->Arg(1000)->Arg(100000)->Threads(1)->Threads(2)->UseRealTime()->MinTime(0.1)->Repetitions(5)->ReportAggregatesOnly(
        true);
    if (reloading) b->Setup(start_reloading)->Teardown(stop_reloading);
}

} // namespace

int main(int argc, char** argv) {
    // limit and roster interleaved, so that both see the same machine state.
    register_variant("limit_sv", [](benchmark::State& state) { run(state, limit_sv); }, false);
    register_variant("std_limit_string", [](benchmark::State& state) { run(state, std_limit_string); }, false);
#if ROSTER_BENCH_HAS_BOOST_FLAT
    register_variant("boost_flat_sv", [](benchmark::State& state) { run(state, boost_flat_sv); }, false);
#endif
    register_variant("hot_reload_sv", [](benchmark::State& state) { run(state, hot_reload_sv); }, false);
    register_variant("hot_reload_sv_reloading", [](benchmark::State& state) { run(state, hot_reload_sv); }, true);
    register_variant("hot_reload_snapshot_sv", held_snapshot, false);
    return bench::run_and_report(argc, argv, [&](const bench::median_reporter& reporter) {
        print_ratios(reporter);
        std::printf("\n# background replacements during the _reloading runs: %d\n", background.reloads());
    });
}
