// The hot-reload read path against the limit, side by side in one run,
// reported as ratios.
//
//   limit_sv                  unsynchronised std::unordered_map, value read in
//                             place, same transparent hasher as roster
//   hot_reload_sv             roster::hot_reload_registry::visit by
//                             std::string_view: the per-thread cached
//                             snapshot checked against the atomic version
//   hot_reload_sv_reloading   the same while another thread replaces the
//                             whole set every 10 ms (each replacement makes
//                             every reader take the slow path once)
//   hot_reload_snapshot_sv    visit through a snapshot held by the reader
//                             (roster::hot_reload_registry::current())
//
// Dimensions: 1 and 2 threads; 16 and 1000 keys. Every thread walks its own
// shuffled list of keys. Allocations per lookup are counted (replaced
// operator new, per thread). After the run, one line per comparison:
//   RATIO <name> threads=<n> keys=<k> <value>
// where value = the variant's time per lookup / limit_sv's, medians of the
// repetitions, same run. Target: <= 1.15.
#include "roster/hot_reload.hpp"

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

// ----------------------------------------------------------- allocation count
namespace {
thread_local std::size_t thread_allocations = 0;
}
// g++ 12 cannot see that these two match once they are inlined into
// benchmark's registration code, and warns.
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
    ++thread_allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic pop
#endif

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
        for (std::size_t i = 0; i < n; ++i) limit.emplace(keys[i], std::make_shared<const int>(static_cast<int>(i)));
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
long hot_reload_sv(fixture& f, std::uint32_t i) {
    return f.hot.visit(f.views[i], [](const value_t& v) { return read_value(v); }).value_or(0);
}

/// Runs `lookup(fixture, index)` once per iteration over this thread's order.
template <class Lookup>
void run(benchmark::State& state, Lookup lookup) {
    fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
    const auto& order = f.orders[static_cast<std::size_t>(state.thread_index()) % f.orders.size()];
    std::size_t i = 0;
    long sink = 0;
    const std::size_t allocations_before = thread_allocations;
    for (auto _ : state) {
        sink += lookup(f, order[i]);
        if (++i == order.size()) i = 0;
    }
    benchmark::DoNotOptimize(sink);
    state.counters["allocs_per_lookup"] = benchmark::Counter(
        static_cast<double>(thread_allocations - allocations_before), benchmark::Counter::kAvgIterations);
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

/// Console output as usual, plus the medians kept for the RATIO lines.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median") continue;
            const std::string name = run.run_name.function_name;
            const long keys = std::strtol(run.run_name.args.c_str(), nullptr, 10);
            times_[{name, static_cast<int>(run.threads), keys}] = run.GetAdjustedRealTime();
            const auto allocs = run.counters.find("allocs_per_lookup");
            if (allocs != run.counters.end()) allocs_[{name, static_cast<int>(run.threads), keys}] = allocs->second.value;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    void print_ratios() const {
        std::printf("\n# hot-reload read path: time per lookup / limit_sv's, medians, same run (target <= 1.15)\n");
        for (const auto& [id, time] : times_) {
            const auto& [name, threads, keys] = id;
            if (name == "limit_sv") continue;
            const auto limit = times_.find({"limit_sv", threads, keys});
            if (limit != times_.end() && limit->second > 0)
                std::printf("RATIO %s threads=%d keys=%ld %.3f\n", name.c_str(), threads, keys, time / limit->second);
        }
        std::printf("\n# allocations per lookup\n");
        for (const auto& [id, allocs] : allocs_) {
            const auto& [name, threads, keys] = id;
            std::printf("ALLOCS %s threads=%d keys=%ld %.2f\n", name.c_str(), threads, keys, allocs);
        }
    }

private:
    using id_t = std::tuple<std::string, int, long>;
    std::map<id_t, double> times_;
    std::map<id_t, double> allocs_;
};

template <class Body>
void register_variant(const char* name, Body body, bool reloading) {
    auto* b = benchmark::RegisterBenchmark(name, body);
    b->Arg(16)->Arg(1000)->Threads(1)->Threads(2)->UseRealTime()->MinTime(0.1)->Repetitions(5)->ReportAggregatesOnly(
        true);
    if (reloading) b->Setup(start_reloading)->Teardown(stop_reloading);
}

} // namespace

int main(int argc, char** argv) {
    // limit and roster interleaved, so that both see the same machine state.
    register_variant("limit_sv", [](benchmark::State& state) { run(state, limit_sv); }, false);
    register_variant("hot_reload_sv", [](benchmark::State& state) { run(state, hot_reload_sv); }, false);
    register_variant("hot_reload_sv_reloading", [](benchmark::State& state) { run(state, hot_reload_sv); }, true);
    register_variant("hot_reload_snapshot_sv", held_snapshot, false);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    std::printf("\n# background replacements during the _reloading runs: %d\n", background.reloads());
    benchmark::Shutdown();
    return 0;
}
