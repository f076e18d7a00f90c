// bench/support/harness.hpp — what every roster benchmark executable shares:
// a per-thread allocation counter (replacing the global operator new, so
// include this header from exactly one translation unit per executable), and
// a console reporter that keeps the median of each benchmark's repetitions
// for the RATIO lines printed after the run.
#pragma once

#include <benchmark/benchmark.h>

#if defined(__GLIBC__) || __has_include(<malloc.h>)
#    include <malloc.h> // malloc_usable_size (glibc): live bytes
#endif

#include <cstddef> // std::size_t
#include <cstdio>  // std::printf
#include <cstdlib> // std::malloc, std::free, std::strtol
#include <map>     // the medians
#include <new>     // std::bad_alloc
#include <string>  // benchmark names
#include <tuple>   // (name, threads, keys)
#include <vector>  // Run lists

namespace bench {
/// Allocations made by this thread (operator new calls) so far.
inline thread_local std::size_t thread_allocations = 0;
/// Bytes this thread holds from operator new (allocated minus freed, by the
/// allocator's usable size; glibc only, else stays 0).
inline thread_local long long thread_live_bytes = 0;

/// The usable size of a block from malloc (0 where unknown).
inline std::size_t usable_size(void* p) noexcept {
#if defined(__GLIBC__)
    return malloc_usable_size(p);
#else
    (void)p;
    return 0;
#endif
}
} // namespace bench

// g++ 12 cannot see that these two match once they are inlined into
// benchmark's registration code, and warns.
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
    ++bench::thread_allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        bench::thread_live_bytes += static_cast<long long>(bench::usable_size(p));
        return p;
    }
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    if (p != nullptr) bench::thread_live_bytes -= static_cast<long long>(bench::usable_size(p));
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic pop
#endif

namespace bench {

/// The timed loop every read-path benchmark shares: one `lookup(index)` per
/// iteration, walking `order` round and round, and the allocations it made
/// per lookup as the "allocs_per_lookup" counter.
template <class Order, class Lookup>
void run_lookups(benchmark::State& state, const Order& order, Lookup&& lookup) {
    std::size_t i = 0;
    long sink = 0;
    const std::size_t allocations_before = thread_allocations;
    for (auto _ : state) {
        sink += lookup(order[i]);
        if (++i == order.size()) i = 0;
    }
    benchmark::DoNotOptimize(sink);
    state.counters["allocs_per_lookup"] = benchmark::Counter(
        static_cast<double>(thread_allocations - allocations_before), benchmark::Counter::kAvgIterations);
}

/// Console output as usual, plus the median time (and allocations per
/// lookup, from the "allocs_per_lookup" counter) of every
/// (benchmark, threads, first argument) for the RATIO lines.
class median_reporter : public benchmark::ConsoleReporter {
public:
    using id_t = std::tuple<std::string, int, long>; // name, threads, keys

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median") continue;
            const id_t id{run.run_name.function_name, static_cast<int>(run.threads),
                          std::strtol(run.run_name.args.c_str(), nullptr, 10)};
            times_[id] = run.GetAdjustedRealTime();
            const auto allocs = run.counters.find("allocs_per_lookup");
            if (allocs != run.counters.end()) allocs_[id] = allocs->second.value;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    /// Median time per operation of every run, by (name, threads, keys).
    const std::map<id_t, double>& times() const noexcept { return times_; }

    /// Prints `<tag> <name><suffix> threads=<n> keys=<k> <time / baseline's time>`.
    void print_ratio(const char* tag, const std::string& name, const char* suffix, const std::string& baseline,
                     int threads, long keys, double time) const {
        const auto it = times_.find({baseline, threads, keys});
        if (it == times_.end() || it->second <= 0) return;
        std::printf("%s %s%s threads=%d keys=%ld %.3f\n", tag, name.c_str(), suffix, threads, keys, time / it->second);
    }

    /// Prints `ALLOCS <name> threads=<n> keys=<k> <allocations per lookup>`.
    void print_allocations() const {
        std::printf("\n# allocations per lookup\n");
        for (const auto& [id, allocs] : allocs_) {
            const auto& [name, threads, keys] = id;
            std::printf("ALLOCS %s threads=%d keys=%ld %.2f\n", name.c_str(), threads, keys, allocs);
        }
    }

private:
    std::map<id_t, double> times_;
    std::map<id_t, double> allocs_;
};

/// Every benchmark executable's main() after registering its benchmarks:
/// parses the command line, runs them through a median_reporter, then calls
/// `after(reporter)` to print the RATIO lines. Returns main()'s status.
template <class After>
int run_and_report(int argc, char** argv, After&& after) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    after(static_cast<const median_reporter&>(reporter));
    benchmark::Shutdown();
    return 0;
}

} // namespace bench
