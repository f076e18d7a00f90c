// roster/etcd.hpp against a real etcd, in one run (tests/support/etcd_cluster.hpp
// starts a 1-member cluster on 127.0.0.1 with free ports and a temporary data
// directory, and removes it at the end). Without an etcd binary ($ROSTER_ETCD,
// else `etcd` on PATH) it prints one "skipped" line and exits 0.
//
// 1. Propagation latency, put -> visible in another process: a forked child
//    process runs a roster::etcd::mirror of "lat/"; this process writes 1,000
//    updates of one key with a roster::etcd::client (its own connection),
//    one at a time, each timed from just before the put until the child's
//    mirror shows the new value (the child waits with wait_for_revision and
//    confirms with visit, then stamps the time). Both sides read
//    std::chrono::steady_clock (CLOCK_MONOTONIC, one clock for every process
//    on Linux); the child reports its stamps over a pipe. 10 unmeasured
//    updates first warm the connections up.
//      LATENCY put->visible process=child updates=1000 p50_us=<> p99_us=<> max_us=<>
// 2. Initial sync: 10,000 keys under "sync/" (written in transactions of 128
//    puts), then a mirror constructed until wait_synced returns, 5 times.
//      SYNC initial keys=10000 runs=5 median_ms=<> min_ms=<> keys_per_s=<>
//    (keys_per_s from the median.)
// 3. The mirror's local read path against the limit, Google Benchmark, same
//    run, 1,000 keys (the same keys and values in all three), 1 and 2 threads:
//      limit_str         unsynchronised std::unordered_map<std::string, V>::find
//                        with a pre-built std::string, value read in place
//      hot_reload_visit  roster::hot_reload_registry<V>::visit
//      mirror_visit      roster::etcd::mirror<V>::visit (its watch and
//                        heartbeat threads running, etcd idle)
//    then, as in bench/hot_reload.cpp, from the medians of the repetitions:
//      RATIO <name> threads=<n> keys=<k> <time per lookup / limit_str's>
//      RATIO mirror_visit_vs_hot_reload threads=<n> keys=<k> <mirror / hot_reload>
//    (the mirror is a hot-reload registry: its ratio should be the hot-reload
//    registry's, and the _vs_hot_reload ratio about 1).
#include "roster/etcd.hpp"
#include "roster/hot_reload.hpp"

#include "support/harness.hpp"

// GCC 12 at -O3 sees a false -Wrestrict in the helper's std::string
// concatenations (GCC bug 105329); the tests build it at -O2.
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "../tests/support/etcd_cluster.hpp"
#if defined(__GNUC__) && !defined(__clang__)
#    pragma GCC diagnostic pop
#endif

#include <benchmark/benchmark.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using value_t = std::shared_ptr<const int>;
using mirror_t = roster::etcd::mirror<value_t>;
using clock_type = std::chrono::steady_clock;

/// The mirrors' decoder: the value is a decimal int.
std::optional<value_t> decode_int(const roster::etcd::key_value& kv) {
    int n = 0;
    const char* first = kv.value.data();
    const char* last = first + kv.value.size();
    const auto [end, ec] = std::from_chars(first, last, n);
    if (ec != std::errc{} || end != last) return std::nullopt;
    return std::make_shared<const int>(n);
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

/// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto n = sorted.size();
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted[rank - 1];
}

/// Writes `pairs` (full key, value) in transactions of up to 128 puts
/// (etcd's default --max-txn-ops). @returns the revision of the last one.
std::int64_t put_all(roster::etcd::client& etcd, const std::vector<std::pair<std::string, std::string>>& pairs) {
    constexpr std::size_t per_txn = 128;
    std::int64_t revision = 0;
    for (std::size_t first = 0; first < pairs.size(); first += per_txn) {
        nlohmann::json ops = nlohmann::json::array();
        const std::size_t last = std::min(pairs.size(), first + per_txn);
        for (std::size_t i = first; i < last; ++i)
            ops.push_back({{"request_put",
                            {{"key", roster::etcd::detail::base64_encode(pairs[i].first)},
                             {"value", roster::etcd::detail::base64_encode(pairs[i].second)}}}});
        auto reply = etcd.try_call("/v3/kv/txn", nlohmann::json{{"success", std::move(ops)}}, "write",
                                   pairs[first].first, roster::source_location::current());
        revision = roster::etcd::detail::header_revision(reply.value());
    }
    return revision;
}

// ------------------------------------------------- 1. propagation latency

constexpr int latency_warmup = 10;
constexpr int latency_updates = 1000;

/// Writes all of `text` to `fd`.
bool write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

/// The child process: mirrors "lat/", says "ready", then for each update
/// 1..total waits until its mirror shows it and reports "<value> <ns>".
[[noreturn]] void latency_child(const roster::etcd::options& opts, int out, int total) {
    int code = 0;
    try {
        mirror_t m("bench.latency", opts, "lat/", decode_int);
        m.wait_synced(10s);
        if (!write_all(out, "ready\n")) ::_exit(3);
        for (int i = 1; i <= total; ++i) {
            const auto deadline = clock_type::now() + 10s;
            std::int64_t revision = m.status().revision;
            std::int64_t seen_at = 0;
            for (;;) {
                int seen = 0;
                m.visit("k", [&](const value_t& v) { seen = *v; });
                if (seen == i) {
                    seen_at = now_ns();
                    break;
                }
                if (seen > i || clock_type::now() > deadline) {
                    write_all(out, "lost " + std::to_string(i) + " " + std::to_string(seen) + "\n");
                    ::_exit(4);
                }
                // Read before the visit: an update published after it wakes this at once.
                m.wait_for_revision(revision + 1, 100ms);
                revision = m.status().revision;
            }
            if (!write_all(out, std::to_string(i) + " " + std::to_string(seen_at) + "\n")) ::_exit(3);
        }
    } catch (const std::exception& e) {
        write_all(out, std::string("error ") + e.what() + "\n");
        code = 2;
    }
    ::close(out);
    ::_exit(code); // never the parent's destructors (the etcd cluster) nor its stdio buffers
}

/// Forks the child, writes the updates, prints the LATENCY line.
/// @returns false (having said why) on failure.
bool measure_latency(const roster_test::etcd_cluster& cluster) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        std::printf("error: pipe failed\n");
        return false;
    }
    std::fflush(stdout); // the child must not inherit unwritten output
    std::fflush(stderr);
    const int total = latency_warmup + latency_updates;
    // Forked while this process is single-threaded: the child starts clean.
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::printf("error: fork failed\n");
        return false;
    }
    if (pid == 0) {
        ::close(pipe_fds[0]);
        latency_child(cluster.options(), pipe_fds[1], total);
    }
    ::close(pipe_fds[1]);
    std::FILE* from_child = ::fdopen(pipe_fds[0], "r");
    auto read_line = [&] {
        char buffer[256];
        if (std::fgets(buffer, sizeof buffer, from_child) == nullptr) return std::string("<eof>");
        std::string line = buffer;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        return line;
    };
    auto finish = [&](bool ok) {
        std::fclose(from_child);
        int status = 0;
        if (!ok) ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    };

    if (const auto ready = read_line(); ready != "ready") {
        std::printf("error: the latency child process said \"%s\"\n", ready.c_str());
        return finish(false);
    }
    roster::etcd::client writer(cluster.options(), "bench.writer"); // its own connection
    std::vector<double> micros;
    micros.reserve(latency_updates);
    for (int i = 1; i <= total; ++i) {
        const std::string value = std::to_string(i);
        const std::int64_t before = now_ns();
        if (auto put = writer.try_put("lat/k", value); !put) {
            std::printf("error: %s\n", put.error().message.c_str());
            return finish(false);
        }
        const std::string line = read_line();
        const auto space = line.find(' ');
        if (space == std::string::npos || line.substr(0, space) != value) {
            std::printf("error: the latency child process said \"%s\" (expected update %d)\n", line.c_str(), i);
            return finish(false);
        }
        const std::int64_t seen = std::strtoll(line.c_str() + space + 1, nullptr, 10);
        if (i > latency_warmup) micros.push_back(static_cast<double>(seen - before) / 1000.0);
    }
    if (!finish(true)) {
        std::printf("error: the latency child process failed\n");
        return false;
    }
    std::sort(micros.begin(), micros.end());
    double sum = 0;
    for (double m : micros) sum += m;
    std::printf("\n# propagation latency, put (roster::etcd::client, this process) -> visible in a mirror in a "
                "forked child process; 1-member etcd on 127.0.0.1, one update in flight\n");
    std::printf("LATENCY put->visible process=child updates=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
                micros.size(), percentile(micros, 50), percentile(micros, 99), micros.back(),
                sum / static_cast<double>(micros.size()));
    std::fflush(stdout);
    return true;
}

// ------------------------------------------------------ 2. initial sync

constexpr int sync_keys = 10000;
constexpr int sync_runs = 5;

bool measure_sync(const roster_test::etcd_cluster& cluster) {
    roster::etcd::client etcd(cluster.options(), "bench.setup");
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(sync_keys);
    for (int i = 0; i < sync_keys; ++i) {
        char key[64];
        std::snprintf(key, sizeof key, "sync/service.%05d.instance", i);
        pairs.emplace_back(key, std::to_string(i));
    }
    const auto setup_start = clock_type::now();
    put_all(etcd, pairs);
    const double setup_ms = ms_since(setup_start);

    std::vector<double> times;
    for (int run = 0; run < sync_runs; ++run) {
        const auto start = clock_type::now();
        auto m = std::make_unique<mirror_t>("bench.sync", cluster.options(), "sync/", decode_int);
        m->wait_synced(30s);
        times.push_back(ms_since(start));
        if (m->size() != static_cast<std::size_t>(sync_keys)) {
            std::printf("error: the mirror holds %zu keys, not %d\n", m->size(), sync_keys);
            return false;
        }
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("\n# initial sync: mirror constructed until wait_synced returns (%d keys written in %.0f ms, "
                "transactions of 128 puts)\n",
                sync_keys, setup_ms);
    std::printf("SYNC initial keys=%d runs=%d median_ms=%.1f min_ms=%.1f keys_per_s=%.0f\n", sync_keys, sync_runs,
                median, times.front(), static_cast<double>(sync_keys) / (median / 1000.0));
    std::fflush(stdout);
    return true;
}

// ------------------------------------------------------ 3. the read path

constexpr int max_threads = 2;
constexpr long read_keys = 1000;

/// The same keys and values, in the limit, a hot-reload registry and a mirror.
struct fixture {
    std::vector<std::string> keys;
    std::vector<std::vector<std::uint32_t>> orders;
    std::unordered_map<std::string, value_t> limit;
    roster::hot_reload_registry<value_t> hot{"bench.distributed.hot_reload"};
    std::unique_ptr<mirror_t> mirror;

    fixture(const roster_test::etcd_cluster& cluster, std::size_t n) {
        std::mt19937 rng(42);
        keys.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "roster.bench.key.%08zu.%04x", i, static_cast<unsigned>(rng() & 0xffff));
            keys.emplace_back(buffer); // 29 characters, beyond the small-string buffer
        }
        for (int t = 0; t < max_threads; ++t) {
            std::vector<std::uint32_t> order(n);
            for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
            std::shuffle(order.begin(), order.end(), rng);
            orders.push_back(std::move(order));
        }
        std::vector<std::pair<std::string, value_t>> set;
        std::vector<std::pair<std::string, std::string>> pairs;
        for (std::size_t i = 0; i < n; ++i) {
            limit.emplace(keys[i], std::make_shared<const int>(static_cast<int>(i)));
            set.emplace_back(keys[i], std::make_shared<const int>(static_cast<int>(i)));
            pairs.emplace_back("read/" + keys[i], std::to_string(i));
        }
        hot.replace_all(std::move(set));

        roster::etcd::client etcd(cluster.options(), "bench.setup");
        const std::int64_t written = put_all(etcd, pairs);
        auto opts = cluster.options();
        opts.heartbeat = 1000ms; // the default: one linearizable read a second in the background
        mirror = std::make_unique<mirror_t>("bench.distributed.mirror", std::move(opts), "read/", decode_int);
        mirror->wait_synced(30s);
        if (!mirror->wait_for_revision(written, 30s) || mirror->size() != n)
            throw std::runtime_error("the read-path mirror did not get every key");
    }
};

fixture* the_fixture = nullptr;

int read_value(const value_t& v) { return *v; }

long limit_str(fixture& f, std::uint32_t i) {
    const auto it = f.limit.find(f.keys[i]);
    return it == f.limit.end() ? 0 : read_value(it->second);
}
long hot_reload_visit(fixture& f, std::uint32_t i) {
    return f.hot.visit(f.keys[i], [](const value_t& v) { return read_value(v); }).value_or(0);
}
long mirror_visit(fixture& f, std::uint32_t i) {
    return f.mirror->visit(f.keys[i], [](const value_t& v) { return read_value(v); }).value_or(0);
}

template <class Lookup>
void run(benchmark::State& state, Lookup lookup) {
    fixture& f = *the_fixture;
    const auto& order = f.orders[static_cast<std::size_t>(state.thread_index()) % f.orders.size()];
    bench::run_lookups(state, order, [&](std::uint32_t index) { return lookup(f, index); });
    roster::release_thread_snapshots(); // an idle benchmark thread keeps no old set alive
}

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# the mirror's read path: time per lookup / limit_str's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        if (name != "limit_str") reporter.print_ratio("RATIO", name, "", "limit_str", threads, keys, time);
        if (name == "mirror_visit")
            reporter.print_ratio("RATIO", name, "_vs_hot_reload", "hot_reload_visit", threads, keys, time);
    }
    reporter.print_allocations();
}

template <class Body>
void register_variant(const char* name, Body body) {
    benchmark::RegisterBenchmark(name, body)
        ->Arg(read_keys)
        ->Threads(1)
        ->Threads(max_threads)
        ->UseRealTime()
        ->MinTime(0.1)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
}

} // namespace

int main(int argc, char** argv) {
    if (roster_test::etcd_binary().empty()) {
        std::printf("skipped: etcd not found (Debian: etcd-server)\n");
        return 0;
    }
    try {
        roster_test::etcd_cluster cluster; // one member
        std::printf("# etcd: 1 member at %s\n", cluster.endpoints().front().c_str());
        if (!measure_latency(cluster)) return 1;
        if (!measure_sync(cluster)) return 1;

        fixture f(cluster, static_cast<std::size_t>(read_keys));
        the_fixture = &f;
        // limit and roster interleaved, so that all see the same machine state.
        register_variant("limit_str", [](benchmark::State& state) { run(state, limit_str); });
        register_variant("hot_reload_visit", [](benchmark::State& state) { run(state, hot_reload_visit); });
        register_variant("mirror_visit", [](benchmark::State& state) { run(state, mirror_visit); });
        std::printf("\n");
        std::fflush(stdout);
        const int rc = bench::run_and_report(argc, argv, print_ratios);
        the_fixture = nullptr;
        return rc;
    } catch (const std::exception& e) {
        std::printf("error: %s\n", e.what());
        return 1;
    }
}
