// Read-path benchmarks: roster against the limit and against what users
// write today, side by side in one run, reported as ratios.
//
//   limit                 unsynchronised std::unordered_map, value read in
//                         place, same transparent hasher as roster
//   shared_mutex_baseline unordered_map<std::string, V> under std::shared_mutex,
//                         key built as std::string from the caller's const char*,
//                         value returned by copy (what users write today)
//   c10_style             unlocked reads of unordered_map<std::string,
//                         std::function<V()>>, lookup by std::string, creator called
//   std_limit_string      the standard limit: std::unordered_map<std::string, V>::find
//                         with a pre-built std::string (std_limit_miss_string: misses)
//   boost_flat_sv         boost::unordered_flat_map, same hash function as the
//                         standard limit, looked up by std::string_view (where
//                         Boost >= 1.81 is found; see support/boost_flat.hpp)
//   roster_*              roster in each mode: mutable (shared_mutex), frozen,
//                         locking::none, locking::sharded; by std::string_view (sv) and
//                         const char* (cstr); factory create(), mutable and frozen
//
// Dimensions: 1, 2, 4 threads; 16, 1000, 100000 keys. Every thread walks its
// own shuffled list of keys. Allocations per lookup are counted (replaced
// operator new, per thread). After the run, one line per comparison:
//   RATIO <name> threads=<n> keys=<k> <value>
// where value = the roster variant's time per lookup / the limit's (or
// `<name>_vs_<baseline>`: / that baseline's), medians of the repetitions.
#include "roster/factory.hpp"
#include "roster/registry.hpp"

#include "support/boost_flat.hpp"
#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>


namespace {

using value_t = std::shared_ptr<const int>;
constexpr int max_threads = 4;

/// The keys, their spellings, and one shuffled visiting order per thread.
struct key_set {
    std::vector<std::string> keys;
    std::vector<const char*> cstrs;
    std::vector<std::string_view> views;
    std::vector<std::string> misses; // as long as the keys, none of them registered
    std::vector<std::vector<std::uint32_t>> orders;
};

/// Everything looked up, for one key count.
struct fixture {
    key_set ks;
    std::unordered_map<std::string, value_t, roster::detail::transparent_string_hash<std::string_view>,
                       std::equal_to<>>
        limit;
    std::unordered_map<std::string, value_t> baseline; // also the standard limit, read without its mutex
#if ROSTER_BENCH_HAS_BOOST_FLAT
    bench::boost_flat_map<value_t> boost_flat;
#endif
    mutable std::shared_mutex baseline_mutex;
    std::unordered_map<std::string, std::function<value_t()>> c10;
    roster::registry<value_t> mutable_reg{"bench.mutable"};
    roster::registry<value_t> frozen_reg{"bench.frozen"};
    roster::registry<value_t, roster::locking::none> unlocked_reg{"bench.unlocked"};
    roster::registry<value_t, roster::locking::sharded> sharded_reg{"bench.sharded"};
    roster::factory<int()> factory{"bench.factory"};
    roster::factory<int()> frozen_factory{"bench.frozen_factory"};

    explicit fixture(std::size_t n) {
        std::mt19937 rng(42);
        ks.keys.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "roster.bench.key.%08zu.%04x", i, static_cast<unsigned>(rng() & 0xffff));
            ks.keys.emplace_back(buffer); // 29 characters, beyond the small-string buffer
        }
        for (const auto& k : ks.keys) {
            ks.cstrs.push_back(k.c_str());
            ks.views.emplace_back(k);
            std::string miss = k;
            miss.replace(7, 5, "missx"); // "roster.missx.key...": same length, never registered
            ks.misses.push_back(std::move(miss));
        }
        for (int t = 0; t < max_threads; ++t) {
            std::vector<std::uint32_t> order(n);
            for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
            std::shuffle(order.begin(), order.end(), rng);
            ks.orders.push_back(std::move(order));
        }
        for (std::size_t i = 0; i < n; ++i) {
            auto value = std::make_shared<const int>(static_cast<int>(i));
            limit.emplace(ks.keys[i], value);
            baseline.emplace(ks.keys[i], value);
#if ROSTER_BENCH_HAS_BOOST_FLAT
            boost_flat.emplace(ks.keys[i], value);
#endif
            c10.emplace(ks.keys[i], [value] { return value; });
            mutable_reg.add(ks.keys[i], value);
            frozen_reg.add(ks.keys[i], value);
            unlocked_reg.add(ks.keys[i], value);
            sharded_reg.add(ks.keys[i], value);
            factory.add(ks.keys[i], [] { return 1; }); // captureless: copying it allocates nothing
            frozen_factory.add(ks.keys[i], [] { return 1; });
        }
        frozen_reg.freeze();
        frozen_factory.freeze();
    }
};

const fixture& fixture_for(std::size_t n) {
    static std::mutex mutex;
    static std::map<std::size_t, std::unique_ptr<fixture>> fixtures;
    const std::lock_guard lock(mutex);
    auto& slot = fixtures[n];
    if (!slot) slot = std::make_unique<fixture>(n);
    return *slot;
}

/// Runs `lookup(fixture, index)` once per iteration over this thread's order.
template <class Lookup>
void run(benchmark::State& state, Lookup lookup) {
    const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
    const auto& order = f.ks.orders[static_cast<std::size_t>(state.thread_index()) % f.ks.orders.size()];
    bench::run_lookups(state, order, [&](std::uint32_t index) { return lookup(f, index); });
}

int read_value(const value_t& v) { return *v; }

// --------------------------------------------------------------- the lookups
long limit_sv(const fixture& f, std::uint32_t i) {
    const auto it = f.limit.find(f.ks.views[i]);
    return it == f.limit.end() ? 0 : read_value(it->second);
}
/// The standard limit: std::unordered_map<std::string, V>::find with a
/// pre-built std::string (std::hash<std::string>), value read in place.
long std_limit_string(const fixture& f, std::uint32_t i) {
    const auto it = f.baseline.find(f.ks.keys[i]);
    return it == f.baseline.end() ? 0 : read_value(it->second);
}
long std_limit_miss_string(const fixture& f, std::uint32_t i) {
    const auto it = f.baseline.find(f.ks.misses[i]);
    return it == f.baseline.end() ? 0 : read_value(it->second);
}
#if ROSTER_BENCH_HAS_BOOST_FLAT
long boost_flat_sv(const fixture& f, std::uint32_t i) {
    const auto it = f.boost_flat.find(f.ks.views[i]);
    return it == f.boost_flat.end() ? 0 : read_value(it->second);
}
#endif
long shared_mutex_baseline_cstr(const fixture& f, std::uint32_t i) {
    const std::string key(f.ks.cstrs[i]); // what users write: a std::string from the caller's char*
    value_t copy;
    {
        const std::shared_lock lock(f.baseline_mutex);
        const auto it = f.baseline.find(key);
        if (it == f.baseline.end()) return 0;
        copy = it->second;
    }
    return read_value(copy);
}
long c10_style_cstr(const fixture& f, std::uint32_t i) {
    const std::string key(f.ks.cstrs[i]);
    const auto it = f.c10.find(key);
    return it == f.c10.end() ? 0 : read_value(it->second());
}
template <class Registry, class Key>
long roster_visit(const Registry& reg, Key key) {
    return reg.visit(key, [](const value_t& v) { return read_value(v); }).value_or(0);
}
long roster_mutable_sv(const fixture& f, std::uint32_t i) { return roster_visit(f.mutable_reg, f.ks.views[i]); }
long roster_mutable_cstr(const fixture& f, std::uint32_t i) { return roster_visit(f.mutable_reg, f.ks.cstrs[i]); }
long roster_frozen_sv(const fixture& f, std::uint32_t i) { return roster_visit(f.frozen_reg, f.ks.views[i]); }
long roster_frozen_miss_sv(const fixture& f, std::uint32_t i) {
    return roster_visit(f.frozen_reg, std::string_view(f.ks.misses[i]));
}
long roster_frozen_cstr(const fixture& f, std::uint32_t i) { return roster_visit(f.frozen_reg, f.ks.cstrs[i]); }
long roster_unlocked_sv(const fixture& f, std::uint32_t i) { return roster_visit(f.unlocked_reg, f.ks.views[i]); }
long roster_sharded_sv(const fixture& f, std::uint32_t i) { return roster_visit(f.sharded_reg, f.ks.views[i]); }
long roster_factory_create_sv(const fixture& f, std::uint32_t i) { return f.factory.create(f.ks.views[i]); }
long roster_frozen_factory_create_sv(const fixture& f, std::uint32_t i) {
    return f.frozen_factory.create(f.ks.views[i]);
}
long roster_mutable_get_sv(const fixture& f, std::uint32_t i) {
    const auto copy = f.mutable_reg.get(f.ks.views[i]);
    return copy ? read_value(*copy) : 0;
}

struct variant {
    const char* name;
    long (*lookup)(const fixture&, std::uint32_t);
};
constexpr variant variants[] = {
    {"limit_sv", limit_sv},
    {"std_limit_string", std_limit_string},
    {"std_limit_miss_string", std_limit_miss_string},
#if ROSTER_BENCH_HAS_BOOST_FLAT
    {"boost_flat_sv", boost_flat_sv},
#endif
    {"shared_mutex_baseline_cstr", shared_mutex_baseline_cstr},
    {"c10_style_cstr", c10_style_cstr},
    {"roster_mutable_sv", roster_mutable_sv},
    {"roster_mutable_cstr", roster_mutable_cstr},
    {"roster_mutable_get_sv", roster_mutable_get_sv},
    {"roster_frozen_sv", roster_frozen_sv},
    {"roster_frozen_miss_sv", roster_frozen_miss_sv},
    {"roster_frozen_cstr", roster_frozen_cstr},
    {"roster_unlocked_sv", roster_unlocked_sv},
    {"roster_sharded_sv", roster_sharded_sv},
    {"roster_factory_create_sv", roster_factory_create_sv},
    {"roster_frozen_factory_create_sv", roster_frozen_factory_create_sv},
};

/// The RATIO, REF and ALLOCS lines, from the medians of the run.
void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# roster read path: time per lookup / baseline's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name.rfind("roster_", 0) != 0) continue;
        reporter.print_ratio("RATIO", name, "", "limit_sv", threads, keys, time);
        reporter.print_ratio("RATIO", name, "_vs_shared_mutex", "shared_mutex_baseline_cstr", threads, keys, time);
        reporter.print_ratio("RATIO", name, "_vs_c10", "c10_style_cstr", threads, keys, time);
        reporter.print_ratio("RATIO", name, "_vs_std_limit", "std_limit_string", threads, keys, time);
#if ROSTER_BENCH_HAS_BOOST_FLAT
        reporter.print_ratio("RATIO", name, "_vs_boost_flat", "boost_flat_sv", threads, keys, time);
#endif
    }
    std::printf("\n# baselines: time per lookup / the limit's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name.rfind("roster_", 0) == 0 || name == "limit_sv") continue;
        reporter.print_ratio("REF", name, "", "limit_sv", threads, keys, time);
    }
    std::printf("\n# misses: a key of the same length that is not registered, time / a hit's\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "roster_frozen_miss_sv")
            reporter.print_ratio("RATIO", name, "_vs_hit", "roster_frozen_sv", threads, keys, time);
        if (name == "std_limit_miss_string")
            reporter.print_ratio("REF", name, "_vs_hit", "std_limit_string", threads, keys, time);
    }
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name == "boost_flat_sv") reporter.print_ratio("REF", name, "_vs_std_limit", "std_limit_string", threads, keys, time);
    }
    bench::boost_flat_skipped();
    reporter.print_allocations();
}

/// Bytes per entry held by a std::unordered_map<std::string, V> and by a
/// roster registry, mutable and frozen, with `n` 29-character keys (the
/// values share one object: only the containers are counted). Printed as
/// MEMORY lines and a RATIO of frozen to unordered_map.
void print_memory(std::size_t n) {
    const fixture& f = fixture_for(n);
    const value_t value = std::make_shared<const int>(1);
    const auto held = [&](auto build) {
        const long long before = bench::thread_live_bytes;
        auto container = build();
        const long long after = bench::thread_live_bytes;
        return static_cast<double>(after - before) / static_cast<double>(n);
    };
    const double map_bytes = held([&] {
        auto map = std::make_unique<std::unordered_map<std::string, value_t>>();
        for (const auto& k : f.ks.keys) map->emplace(k, value);
        return map;
    });
    const auto registry_bytes = [&](bool frozen) {
        return held([&] {
            auto reg = std::make_unique<roster::registry<value_t>>("bench.memory");
            for (const auto& k : f.ks.keys) reg->add(k, value);
            if (frozen) reg->freeze();
            return reg;
        });
    };
    const double mutable_bytes = registry_bytes(false);
    const double frozen_bytes = registry_bytes(true);
    if (map_bytes <= 0) return; // no usable sizes on this platform
    std::printf("MEMORY unordered_map keys=%zu bytes_per_entry=%.1f\n", n, map_bytes);
    std::printf("MEMORY roster_mutable keys=%zu bytes_per_entry=%.1f\n", n, mutable_bytes);
    std::printf("MEMORY roster_frozen keys=%zu bytes_per_entry=%.1f\n", n, frozen_bytes);
    std::printf("RATIO memory_frozen_vs_unordered_map threads=1 keys=%zu %.3f\n", n, frozen_bytes / map_bytes);
    std::printf("RATIO memory_frozen_vs_mutable threads=1 keys=%zu %.3f\n", n, frozen_bytes / mutable_bytes);
}

} // namespace

int main(int argc, char** argv) {
    for (const variant& v : variants) {
        benchmark::RegisterBenchmark(v.name, [lookup = v.lookup](benchmark::State& state) { run(state, lookup); })
            ->Arg(16)
            ->Arg(1000)
            ->Arg(100000)
            ->Threads(1)
            ->Threads(2)
            ->Threads(4)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(3)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, [](const bench::median_reporter& reporter) {
        print_ratios(reporter);
        std::printf("\n# memory: bytes per entry (keys and container; values shared)\n");
        for (const std::size_t n : {std::size_t{16}, std::size_t{1000}, std::size_t{100000}}) print_memory(n);
    });
}
