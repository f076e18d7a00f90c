// Stress cases for the concurrent paths the per-header [concurrency] cases do
// not reach: every case runs four threads for a fixed wall time (a deadline,
// not an iteration count: about 0.3 s, under ThreadSanitizer too) and checks
// that what the threads read is always something that was written, and that
// the counts add up at the end. All are tagged [concurrency], which the
// ThreadSanitizer build runs (`roster_tests "[concurrency]"`).
//
// What each adds to the existing cases:
// - core: writers adding and removing (by handle and by key) racing readers,
//   under every locking policy (shared_mutex, sharded) and both storages;
// - factory: constructors replaced (on_duplicate::replace) while created from;
// - versioned: versions removed while others are added and negotiated;
// - hot_reload: snapshots held across many replacements and released on
//   another thread than the one that took them;
// - staged: registrations racing finalize(), readers polling for readiness;
// - scoped: grandchild scopes made on several threads, under sharded locking,
//   while their parent and the root are registered into;
// - tagged, hierarchical, sniffing: removals racing readers (only additions
//   race them elsewhere); handler: writers racing to add conflicting patterns;
// - catalog: subscribers coming and going while listed registries are
//   created, mutated and destroyed (and subscribing while one is being
//   destroyed: it once handed them its freed event hub);
// - events: listeners subscribing and unsubscribing while others mutate.
#include "roster/catalog.hpp"
#include "roster/counters.hpp"
#include "roster/events.hpp"
#include "roster/factory.hpp"
#include "roster/handler.hpp"
#include "roster/hierarchical.hpp"
#include "roster/hot_reload.hpp"
#include "roster/lifecycle.hpp"
#include "roster/ordered.hpp"
#include "roster/registry.hpp"
#include "roster/scoped.hpp"
#include "roster/sniffing.hpp"
#include "roster/tagged.hpp"
#include "roster/versioned.hpp"

#include "support/catch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

/// How long each case runs.
constexpr std::chrono::milliseconds run_time{300};

/// What a worker of run_for() is given: whether to go on.
class stress_run {
public:
    bool running() const noexcept { return !stop_.load(std::memory_order_acquire); }

private:
    friend void run_for(std::chrono::milliseconds, const std::vector<std::function<void(const stress_run&)>>&);
    std::atomic<bool> stop_{false};
};

/// Runs each worker on its own thread for `duration` of wall time: a worker
/// loops while run.running(); then they are all joined.
void run_for(std::chrono::milliseconds duration, const std::vector<std::function<void(const stress_run&)>>& workers) {
    stress_run run;
    std::vector<std::thread> threads;
    threads.reserve(workers.size());
    for (const auto& worker : workers) threads.emplace_back([&run, &worker] { worker(run); });
    std::this_thread::sleep_for(duration);
    run.stop_.store(true, std::memory_order_release);
    for (std::thread& thread : threads) thread.join();
}

/// A value that names the writer, the key and the round that wrote it.
constexpr long encode(int writer, int key, long round) { return (writer * 100L + key) * 1'000'000'000L + round; }
constexpr int writer_of(long value) { return static_cast<int>(value / 1'000'000'000L / 100L); }
constexpr int key_of(long value) { return static_cast<int>(value / 1'000'000'000L % 100L); }
constexpr long round_of(long value) { return value % 1'000'000'000L; }

std::string key_name(int writer, int key) { return fmt::format("w{}.k{}", writer, key); }

template <int N>
int numbered() {
    return N;
}

} // namespace

// ===========================================================================
// The core registry, with every locking policy

TEMPLATE_TEST_CASE("stress: core registry writers add and remove through handles and by key while readers read; every "
                   "value read is one that was written",
                   "[stress][registry][concurrency]", roster::registry<long>,
                   (roster::registry<long, roster::locking::sharded>),
                   (roster::registry<long, roster::storage::ordered>),
                   (roster::registry<long, roster::locking::sharded, roster::storage::ordered, roster::counters::per_key>)) {
    using registry_type = TestType;
    constexpr bool counted = !std::is_same_v<typename registry_type::counters_policy, roster::counters::none>;
    constexpr int writers = 2;
    constexpr int keys = 8;
    registry_type reg{"stress.core"};
    for (int k = 0; k < keys; ++k) reg.add(fmt::format("stable.{}", k), encode(9, k, 0));
    std::array<std::atomic<long>, writers> published{}; // the round each writer is writing
    std::atomic<long> adds{0};
    std::atomic<long> removes{0};
    std::atomic<long> counted_lookups{0};
    std::atomic<long> reads{0};
    std::atomic<int> wrong{0};

    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < writers; ++w) {
        workers.emplace_back([&, w](const stress_run& run) {
            for (long round = 1; run.running(); ++round) {
                published[static_cast<std::size_t>(w)].store(round, std::memory_order_release);
                std::vector<typename registry_type::registration> handles;
                for (int k = 0; k < keys; ++k) {
                    handles.push_back(reg.add(key_name(w, k), encode(w, k, round)).handle());
                    adds.fetch_add(1, std::memory_order_relaxed);
                }
                for (int k = 0; k < keys; ++k) {
                    // Half through the handle, half by key: each removes exactly what was added.
                    if (k % 2 == 0) {
                        if (!handles[static_cast<std::size_t>(k)].remove()) wrong.fetch_add(1);
                    } else if (reg.remove(key_name(w, k)) != encode(w, k, round)) {
                        wrong.fetch_add(1);
                    }
                    removes.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&, r](const stress_run& run) {
            long local_counted = 0;
            for (int i = 0; run.running(); ++i) {
                const int w = (i + r) % writers;
                const int k = i % keys;
                const auto check = [&](long value) {
                    // Read, then load the writer's round: the round read can't be ahead of it.
                    const long done = published[static_cast<std::size_t>(w)].load(std::memory_order_acquire);
                    if (writer_of(value) != w || key_of(value) != k || round_of(value) > done) wrong.fetch_add(1);
                };
                if (const auto value = reg.get(key_name(w, k))) check(*value);
                (void)reg.visit(key_name(w, (k + 1) % keys), [&](long value) {
                    if (writer_of(value) != w || key_of(value) != (k + 1) % keys) wrong.fetch_add(1);
                });
                local_counted += 2;
                if (reg.get(fmt::format("stable.{}", k)) != encode(9, k, 0)) wrong.fetch_add(1);
                ++local_counted;
                if (i % 16 == 0) {
                    std::size_t entries = 0;
                    reg.for_each([&](const std::string& key, long value) {
                        ++entries;
                        const std::string expected = writer_of(value) == 9
                                                         ? fmt::format("stable.{}", key_of(value))
                                                         : key_name(writer_of(value), key_of(value));
                        if (key != expected) wrong.fetch_add(1);
                    });
                    const std::size_t size = reg.size();
                    if (entries < keys || entries > keys * (writers + 1) || size < keys || size > keys * (writers + 1))
                        wrong.fetch_add(1);
                }
                reads.fetch_add(1, std::memory_order_relaxed);
            }
            counted_lookups.fetch_add(local_counted);
        });
    }
    run_for(run_time, workers);

    CHECK(wrong.load() == 0);
    CHECK(adds.load() == removes.load());
    CHECK(adds.load() >= keys * writers);
    CHECK(reads.load() > 0);
    CHECK(reg.size() == static_cast<std::size_t>(keys)); // only the stable entries are left
    if constexpr (counted) {
        const roster::lookup_counts counts = reg.lookups();
        CHECK(static_cast<long>(counts.hits + counts.misses) == counted_lookups.load());
    }
}

// ===========================================================================
// Factory

namespace {
struct product {
    long generation;
    std::string text;
    int argument;
};
} // namespace

TEST_CASE("stress: factory constructors are replaced while other threads create from them; every product is whole and "
          "from a registered generation",
          "[stress][factory][concurrency]") {
    roster::factory<std::shared_ptr<const product>(int), roster::on_duplicate::replace> factory{"stress.factory"};
    std::atomic<long> generations{0}; // the highest generation handed to a replacer
    const auto constructor_of = [](long generation) {
        // The captured state must stay alive while a copy of the constructor runs.
        auto text = std::make_shared<const std::string>(fmt::format("generation {:010}", generation));
        return [generation, text](int argument) {
            return std::make_shared<const product>(product{generation, *text, argument});
        };
    };
    factory.add("k", constructor_of(0));
    std::atomic<long> created{0};
    std::atomic<long> replaced{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int t = 0; t < 2; ++t) {
        workers.emplace_back([&](const stress_run& run) {
            while (run.running()) {
                const long generation = generations.fetch_add(1) + 1;
                if (factory.add("k", constructor_of(generation)).status() != roster::add_status::replaced)
                    wrong.fetch_add(1);
                replaced.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (int t = 0; t < 2; ++t) {
        workers.emplace_back([&, t](const stress_run& run) {
            for (int i = 0; run.running(); ++i) {
                const int argument = t * 1'000'000 + i;
                const auto made = factory.create("k", argument);
                const long issued = generations.load();
                if (!made || made->argument != argument || made->generation > issued ||
                    made->text != fmt::format("generation {:010}", made->generation))
                    wrong.fetch_add(1);
                created.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(created.load() > 0);
    CHECK(replaced.load() == generations.load());
    CHECK(factory.size() == 1);
}

// ===========================================================================
// Versioned

TEST_CASE("stress: versions are removed while others are added and negotiated; every answer is a registered version "
          "with its own value",
          "[stress][versioned][concurrency]") {
    roster::versioned_registry<int, long> reg{"stress.versioned"};
    reg.add("proto", 0, 0); // never removed: latest() always has an answer
    std::atomic<long> added{0};
    std::atomic<long> removed{0};
    std::atomic<long> reads{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < 2; ++w) {
        // Writer w owns the versions congruent to w + 1 modulo 2, in 1..64.
        workers.emplace_back([&, w](const stress_run& run) {
            while (run.running()) {
                for (int v = w + 1; v <= 64; v += 2) {
                    reg.add("proto", v, v * 10L);
                    added.fetch_add(1, std::memory_order_relaxed);
                }
                for (int v = w + 1; v <= 64; v += 2) {
                    if (reg.remove("proto", v) != v * 10L) wrong.fetch_add(1);
                    removed.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    const std::vector<int> acceptable{0, 5, 17, 40, 63, 64};
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&](const stress_run& run) {
            while (run.running()) {
                const long latest = reg.latest("proto");
                if (latest % 10 != 0 || latest < 0 || latest > 640) wrong.fetch_add(1);
                const auto picked = reg.try_negotiate("proto", acceptable);
                if (!picked || picked->value != picked->version * 10L ||
                    std::find(acceptable.begin(), acceptable.end(), picked->version) == acceptable.end())
                    wrong.fetch_add(1);
                const auto versions = reg.versions("proto");
                if (versions.empty() || versions.front() != 0 || !std::is_sorted(versions.begin(), versions.end()))
                    wrong.fetch_add(1);
                reads.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(added.load() == removed.load());
    CHECK(reg.versions("proto") == std::vector<int>{0});
}

// ===========================================================================
// Hot reload

namespace {
struct stamp {
    std::uint64_t version;
    std::size_t index;
    std::string text;
};
std::string stamp_text(std::uint64_t version, std::size_t index) {
    return fmt::format("version {:010} entry {:03} (longer than a small string)", version, index);
}
std::size_t stamp_set_size(std::uint64_t version) { return 3 + static_cast<std::size_t>(version % 5); }
} // namespace

TEST_CASE("stress: hot-reload snapshots held across many replacements, and released on another thread, stay whole",
          "[stress][hot_reload][concurrency]") {
    using registry_type = roster::hot_reload_registry<std::shared_ptr<const stamp>>;
    registry_type reg{"stress.hot_reload"};
    std::mutex held_mutex;
    std::deque<registry_type::snapshot> held; // taken by the readers, checked and released by the checker
    std::atomic<long> checked{0};
    std::atomic<long> taken{0};
    std::atomic<int> wrong{0};
    const auto whole = [](const registry_type::snapshot& snap) {
        const std::uint64_t v = snap.version();
        if (v == 0) return snap.empty();
        if (snap.size() != stamp_set_size(v)) return false;
        for (std::size_t i = 0; i < stamp_set_size(v); ++i) {
            const auto value = snap->get(fmt::format("k{}", i));
            if (!value || (*value)->version != v || (*value)->index != i || (*value)->text != stamp_text(v, i))
                return false;
        }
        return true;
    };
    std::vector<std::function<void(const stress_run&)>> workers;
    workers.emplace_back([&](const stress_run& run) { // the writer
        for (std::uint64_t v = 1; run.running(); ++v) {
            std::vector<std::pair<std::string, std::shared_ptr<const stamp>>> next;
            for (std::size_t i = 0; i < stamp_set_size(v); ++i)
                next.emplace_back(fmt::format("k{}", i), std::make_shared<const stamp>(stamp{v, i, stamp_text(v, i)}));
            if (reg.replace_all(std::move(next)) != v) wrong.fetch_add(1);
        }
    });
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&](const stress_run& run) { // readers: take snapshots, keep some
            std::uint64_t last = 0;
            for (int i = 0; run.running(); ++i) {
                registry_type::snapshot snap = reg.current();
                if (snap.version() < last || !whole(snap)) wrong.fetch_add(1);
                last = snap.version();
                const bool found = reg.visit("k0", [&](const std::shared_ptr<const stamp>& s) {
                    if (s->text != stamp_text(s->version, s->index) || s->index != 0) wrong.fetch_add(1);
                });
                if (!found && last != 0) wrong.fetch_add(1); // k0 is in every set
                if (i % 8 == 0) {
                    const std::lock_guard lock(held_mutex);
                    held.push_back(std::move(snap));
                    taken.fetch_add(1, std::memory_order_relaxed);
                }
            }
            roster::release_thread_snapshots();
        });
    }
    // Checks the oldest held snapshots, all but the newest `keep`, and releases them.
    const auto check_some = [&](std::size_t keep) {
        std::deque<registry_type::snapshot> mine;
        {
            const std::lock_guard lock(held_mutex);
            while (held.size() > keep) {
                mine.push_back(std::move(held.front()));
                held.pop_front();
            }
        }
        for (const auto& snap : mine) {
            if (!whole(snap)) wrong.fetch_add(1);
            checked.fetch_add(1, std::memory_order_relaxed);
        }
    };
    workers.emplace_back([&](const stress_run& run) { // the checker: on another thread, much later
        while (run.running()) {
            check_some(16); // the newest 16 stay held while more replacements happen
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    run_for(run_time, workers);
    check_some(0); // what the readers held last
    CHECK(wrong.load() == 0);
    CHECK(taken.load() > 0);
    CHECK(checked.load() == taken.load());
    CHECK(held.empty());
    CHECK(whole(reg.current()));
}

// ===========================================================================
// Staged registry

TEST_CASE("stress: staged registrations race finalize(); readers see not-ready until then, and then every "
          "registration made before it",
          "[stress][lifecycle][staged][concurrency]") {
    using staged = roster::staged_registry<roster::registry<long>>;
    const auto deadline = std::chrono::steady_clock::now() + run_time;
    long rounds = 0;
    long total_added = 0;
    int wrong = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        ++rounds;
        staged reg{"stress.staged"};
        std::array<long, 2> accepted{}; // registrations each adder got in; written by that adder only
        std::atomic<long> attempts{0};
        std::atomic<int> round_wrong{0};
        std::vector<std::thread> threads;
        for (int a = 0; a < 2; ++a) {
            threads.emplace_back([&, a] {
                for (long i = 0;; ++i) {
                    attempts.fetch_add(1, std::memory_order_relaxed);
                    const roster::result<void> added = reg.try_add(key_name(a, 0) + "." + std::to_string(i), encode(a, 0, i));
                    if (!added) {
                        if (added.error().code != roster::errc::frozen) round_wrong.fetch_add(1);
                        break; // finalize() ran: every later add is refused too
                    }
                    accepted[static_cast<std::size_t>(a)] = i + 1;
                }
            });
        }
        threads.emplace_back([&] { // a reader polling before and after
            for (;;) {
                const auto registry = reg.try_registry();
                if (!registry) {
                    if (registry.error().code != roster::errc::not_ready) round_wrong.fetch_add(1);
                    // ready() may have turned true since: then a hit or a miss, never another error
                    const roster::result<long> at = reg.try_at("w0.k0.0");
                    if (!at && at.error().code != roster::errc::not_ready && at.error().code != roster::errc::not_found)
                        round_wrong.fetch_add(1);
                    std::this_thread::yield();
                    continue;
                }
                // Each adder's accepted registrations are a prefix 0..n-1 of its keys.
                for (int a = 0; a < 2; ++a) {
                    long n = 0;
                    while (registry->get().contains(key_name(a, 0) + "." + std::to_string(n))) ++n;
                    for (long i = n; i < n + 4; ++i)
                        if (registry->get().contains(key_name(a, 0) + "." + std::to_string(i))) round_wrong.fetch_add(1);
                }
                if (!registry->get().frozen()) round_wrong.fetch_add(1);
                break;
            }
        });
        threads.emplace_back([&] { // a waiter
            if (!reg.wait_ready() || !reg.ready()) round_wrong.fetch_add(1);
        });
        while (attempts.load(std::memory_order_relaxed) < 64) std::this_thread::yield(); // finalize while they add
        const roster::result<roster::commit_report> outcome = reg.try_finalize();
        for (std::thread& thread : threads) thread.join();
        if (!outcome) ++wrong;
        wrong += round_wrong.load();
        const long accepted_here = accepted[0] + accepted[1];
        if (reg.registry().size() != static_cast<std::size_t>(accepted_here)) ++wrong;
        if (reg.pending() != 0) ++wrong;
        total_added += accepted_here;
    }
    CHECK(wrong == 0);
    CHECK(rounds > 1);
    CHECK(total_added > 0);
}

// ===========================================================================
// Scoped registry

namespace {
struct stress_text {
    std::string text;
};
struct stress_number {
    long value;
};
struct stress_absent {}; // never registered
} // namespace

TEST_CASE("stress: grandchild scopes made on several threads read through their parent and the root while both are "
          "registered into (sharded locking)",
          "[stress][scoped][concurrency]") {
    using scoped = roster::basic_scoped_registry<roster::locking::sharded>;
    scoped root{"stress.scoped"};
    root.add(std::make_shared<stress_text>(stress_text{"root 0"}));
    scoped parent = root.child("parent");
    parent.add(std::make_shared<stress_number>(stress_number{0}));
    std::atomic<long> root_adds{1};
    std::atomic<long> parent_adds{1};
    std::atomic<long> lookups{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    workers.emplace_back([&](const stress_run& run) {
        for (long i = 1; run.running(); ++i) {
            root.add(std::make_shared<stress_text>(stress_text{fmt::format("root {}", i)}));
            root_adds.fetch_add(1);
            std::this_thread::yield();
        }
    });
    workers.emplace_back([&](const stress_run& run) {
        for (long i = 1; run.running(); ++i) {
            parent.add(std::make_shared<stress_number>(stress_number{i}));
            parent_adds.fetch_add(1);
            std::this_thread::yield();
        }
    });
    for (int t = 0; t < 2; ++t) {
        workers.emplace_back([&, t](const stress_run& run) {
            long last_number = 0;
            for (int i = 0; run.running(); ++i) {
                auto grandchild = parent.child(fmt::format("request {}.{}", t, i));
                if (i % 2 == 0) grandchild.add(std::make_shared<stress_text>(stress_text{"local"}));
                const std::string text = grandchild.get<stress_text>()->text;
                if (i % 2 == 0 ? text != "local" : text.rfind("root ", 0) != 0) wrong.fetch_add(1);
                const long number = grandchild.get<stress_number>()->value;
                if (number < last_number || number > parent_adds.load()) wrong.fetch_add(1); // the newest wins
                last_number = number;
                if (!grandchild.contains<stress_number>() || grandchild.contains<stress_absent>()) wrong.fetch_add(1);
                lookups.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(lookups.load() > 0);
    CHECK(root.size() == static_cast<std::size_t>(root_adds.load()));
    CHECK(parent.size() == static_cast<std::size_t>(parent_adds.load()));
    CHECK(parent.get<stress_number>()->value == parent_adds.load() - 1);
}

// ===========================================================================
// Tagged, hierarchical and sniffing registries: removals racing readers

TEST_CASE("stress: tagged entries are added and removed while readers query by tags; every entry read is whole",
          "[stress][tagged][concurrency]") {
    namespace tags = roster::tags;
    roster::tagged_registry<long> reg{"stress.tagged"};
    for (int k = 0; k < 4; ++k) reg.add(fmt::format("stable.{}", k), encode(9, k, 0), {"stable", "any"}, 100);
    std::atomic<long> adds{0};
    std::atomic<long> removes{0};
    std::atomic<long> queries{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < 2; ++w) {
        workers.emplace_back([&, w](const stress_run& run) {
            const std::string mine = fmt::format("writer={}", w);
            for (long round = 1; run.running(); ++round) {
                for (int k = 0; k < 6; ++k) {
                    reg.add(key_name(w, k), encode(w, k, round), {"any", mine}, k);
                    adds.fetch_add(1, std::memory_order_relaxed);
                }
                for (int k = 0; k < 6; ++k) {
                    if (reg.remove(key_name(w, k)).value() != encode(w, k, round)) wrong.fetch_add(1);
                    removes.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&, r](const stress_run& run) {
            const std::string theirs = fmt::format("writer={}", r);
            while (run.running()) {
                const auto all = reg.matching(tags::has("any"));
                std::size_t stable = 0;
                for (std::size_t i = 0; i < all.size(); ++i) {
                    const auto& e = all[i];
                    const long v = e.value();
                    if (writer_of(v) == 9) {
                        ++stable;
                        if (e.key() != fmt::format("stable.{}", key_of(v)) || !e.has("stable")) wrong.fetch_add(1);
                    } else if (e.key() != key_name(writer_of(v), key_of(v)) || e.priority() != key_of(v) ||
                               !e.has(fmt::format("writer={}", writer_of(v)))) {
                        wrong.fetch_add(1);
                    }
                    if (i > 0 && all[i - 1].priority() < e.priority()) wrong.fetch_add(1); // higher priority first
                }
                if (stable != 4) wrong.fetch_add(1);
                reg.for_each_matching(tags::has(theirs) && tags::none_of({"stable"}), [&](const auto& e) {
                    if (writer_of(e.value()) != r) wrong.fetch_add(1);
                });
                queries.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(queries.load() > 0);
    CHECK(adds.load() == removes.load());
    CHECK(reg.size() == 4);
    CHECK(reg.matching(tags::has("any")).size() == 4);
}

TEST_CASE("stress: hierarchical IDs are added and removed while readers walk the tree; every ID read is registered "
          "with its own value",
          "[stress][hierarchical][concurrency]") {
    roster::hierarchical_registry<long> reg{"stress.hierarchical"};
    reg.add("root", 0);
    reg.add("root.stable", encode(9, 0, 0));
    std::atomic<long> adds{0};
    std::atomic<long> removes{0};
    std::atomic<long> queries{0};
    std::atomic<int> wrong{0};
    const auto id_of = [](int w, int k) { return fmt::format("root.w{}.n{}", w, k); };
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < 2; ++w) {
        workers.emplace_back([&, w](const stress_run& run) {
            for (long round = 1; run.running(); ++round) {
                reg.add(fmt::format("root.w{}", w), encode(w, 99, round));
                for (int k = 0; k < 6; ++k) reg.add(id_of(w, k), encode(w, k, round));
                adds.fetch_add(7, std::memory_order_relaxed);
                for (int k = 5; k >= 0; --k)
                    if (reg.remove(id_of(w, k)) != encode(w, k, round)) wrong.fetch_add(1);
                if (reg.remove(fmt::format("root.w{}", w)) != encode(w, 99, round)) wrong.fetch_add(1);
                removes.fetch_add(7, std::memory_order_relaxed);
            }
        });
    }
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&, r](const stress_run& run) {
            while (run.running()) {
                const auto kids = reg.children("root");
                for (std::size_t i = 1; i < kids.size(); ++i)
                    if (!(kids[i - 1] < kids[i])) wrong.fetch_add(1);
                for (const std::string& id : reg.descendants(fmt::format("root.w{}", r))) {
                    if (id.rfind(fmt::format("root.w{}.n", r), 0) != 0) wrong.fetch_add(1);
                    if (const auto v = reg.get(id); v && (writer_of(*v) != r || id != id_of(r, key_of(*v))))
                        wrong.fetch_add(1); // may be gone already; never someone else's
                }
                const auto m = reg.longest_prefix({"root", fmt::format("w{}", r), "n3", "extra"});
                if (!m || (m->id != "root" && m->id != fmt::format("root.w{}", r) && m->id != id_of(r, 3)))
                    wrong.fetch_add(1);
                if (reg.get("root.stable") != encode(9, 0, 0)) wrong.fetch_add(1);
                queries.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(queries.load() > 0);
    CHECK(adds.load() == removes.load());
    CHECK(reg.names() == std::vector<std::string>{"root", "root.stable"});
}

TEST_CASE("stress: sniffing formats are added and removed while readers match; a match always names the format whose "
          "magic the input carries",
          "[stress][sniffing][concurrency]") {
    using decoder = int (*)();
    roster::sniffing_registry<decoder> reg{"stress.sniffing"};
    reg.add("stable", "STABLE", &numbered<1>);
    std::atomic<long> adds{0};
    std::atomic<long> removes{0};
    std::atomic<long> matches{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < 2; ++w) {
        workers.emplace_back([&, w](const stress_run& run) {
            while (run.running()) {
                for (int k = 0; k < 6; ++k) {
                    reg.add(fmt::format("w{}.f{}", w, k), fmt::format("M{}{}", w, k), w == 0 ? &numbered<2> : &numbered<3>);
                    adds.fetch_add(1, std::memory_order_relaxed);
                }
                for (int k = 0; k < 6; ++k) {
                    (void)reg.remove(fmt::format("w{}.f{}", w, k));
                    removes.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&, r](const stress_run& run) {
            for (int i = 0; run.running(); ++i) {
                const int w = (i + r) % 2;
                const int k = i % 6;
                const std::string input = fmt::format("M{}{}-payload", w, k);
                const auto m = reg.match(input);
                if (m && (m.name() != fmt::format("w{}.f{}", w, k) || m.handler()() != w + 2)) wrong.fetch_add(1);
                const auto stable = reg.match(std::string("STABLE and more"));
                if (!stable || stable.name() != "stable" || stable.handler()() != 1) wrong.fetch_add(1);
                matches.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(matches.load() > 0);
    CHECK(adds.load() == removes.load());
    CHECK(reg.names() == std::vector<std::string>{"stable"});
}

// ===========================================================================
// Handler registry: writers racing to add conflicting patterns

TEST_CASE("stress: handler writers race to add patterns that conflict; exactly one of each pair is added and readers "
          "only ever see that one",
          "[stress][handler][concurrency]") {
    using handler_fn = int (*)();
    roster::handler_registry<handler_fn> reg{"stress.handler"};
    reg.add("/stable/{id}", &numbered<1>);
    constexpr int pairs = 20'000;
    std::vector<std::atomic<int>> winner(pairs); // 0: none yet, else the winner's handler number
    std::atomic<int> tried{0};                   // attempts made; the racers go in step, pair by pair
    std::array<std::atomic<int>, 2> finished{};  // pairs each racer has tried
    std::atomic<long> added{0};
    std::atomic<long> conflicts{0};
    std::atomic<long> reads{0};
    std::atomic<int> wrong{0};
    const auto racer = [&](int which, const char* wildcard, handler_fn handler, int number) {
        return [&, which, wildcard, handler, number](const stress_run& run) {
            for (int k = 0; k < pairs && run.running(); ++k) {
                // "/r/<k>/{a}" and "/r/<k>/{b}" match the same requests: only one may be registered.
                const auto outcome = reg.try_add(fmt::format("/r/{}/{{{}}}", k, wildcard), handler);
                if (outcome.status() == roster::add_status::added) {
                    int none = 0;
                    if (!winner[static_cast<std::size_t>(k)].compare_exchange_strong(none, number)) wrong.fetch_add(1);
                    added.fetch_add(1, std::memory_order_relaxed);
                } else if (outcome.error().code == roster::errc::conflict) {
                    conflicts.fetch_add(1, std::memory_order_relaxed);
                } else {
                    wrong.fetch_add(1);
                }
                finished[static_cast<std::size_t>(which)].store(k + 1);
                tried.fetch_add(1);
                while (tried.load() < 2 * (k + 1) && run.running()) std::this_thread::yield(); // wait for the other
            }
        };
    };
    std::vector<std::function<void(const stress_run&)>> workers;
    workers.emplace_back(racer(0, "a", &numbered<2>, 2));
    workers.emplace_back(racer(1, "b", &numbered<3>, 3));
    for (int r = 0; r < 2; ++r) {
        workers.emplace_back([&, r](const stress_run& run) {
            std::vector<int> seen(pairs, 0);
            for (int i = 0; run.running(); ++i) {
                const int frontier = std::max(1, finished[static_cast<std::size_t>(r)].load());
                const int k = (i * 7 + r) % frontier; // pairs already contested or being contested
                const auto m = reg.match("GET", "example.com", fmt::format("/r/{}/x", k));
                if (m) {
                    const int number = m.handler()();
                    const std::string expected = fmt::format("/r/{}/{{{}}}", k, number == 2 ? "a" : "b");
                    if ((number != 2 && number != 3) || m.pattern() != expected) wrong.fetch_add(1);
                    int& first = seen[static_cast<std::size_t>(k)];
                    if (first != 0 && first != number) wrong.fetch_add(1); // the winner never changes
                    first = number;
                } else if (seen[static_cast<std::size_t>(k)] != 0) {
                    wrong.fetch_add(1); // a pattern once seen never disappears
                }
                const auto stable = reg.match("GET", "", "/stable/7");
                if (!stable || stable.handler()() != 1 || stable.value("id") != "7") wrong.fetch_add(1);
                reads.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(reads.load() > 0);
    // Every pair both racers tried has exactly one winner, and one refusal.
    const int both = std::min(finished[0].load(), finished[1].load());
    CHECK(both > 0);
    long winners = 0;
    for (int k = 0; k < both; ++k)
        if (winner[static_cast<std::size_t>(k)].load() != 0) ++winners;
    CHECK(winners == both);
    CHECK(added.load() + conflicts.load() == finished[0].load() + finished[1].load());
    CHECK(added.load() <= std::max(finished[0].load(), finished[1].load()));
    CHECK(reg.size() == static_cast<std::size_t>(1 + added.load()));
}

// ===========================================================================
// Catalog: subscribers coming and going while listed registries churn

TEST_CASE("stress: catalog subscribers come and go while listed registries are created, mutated and destroyed; each "
          "hears one registry's adds in order and nothing after it left",
          "[stress][catalog][events][concurrency]") {
    using listed = roster::registry<long, roster::listing::listed>;
    using listed_hot = roster::hot_reload_registry<long, roster::listing::listed>;
    std::atomic<long> registries{0};
    std::atomic<long> subscriptions{0};
    std::atomic<long> heard_total{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int c = 0; c < 2; ++c) {
        workers.emplace_back([&, c](const stress_run& run) { // churn: listed registries live briefly
            for (long i = 0; run.running(); ++i) {
                const std::string name = fmt::format("stress.catalog.{}.{}", c, i % 5);
                if (i % 3 == 0) {
                    listed_hot reg{name};
                    reg.replace_all({{"a", i}});
                    reg.replace_all({{"a", i}, {"b", i}});
                } else {
                    listed reg{name};
                    for (int k = 0; k < 4; ++k) reg.add(fmt::format("k{}", k), i);
                    (void)reg.remove("k0");
                    if (i % 2 == 0) reg.freeze();
                }
                registries.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (int s = 0; s < 2; ++s) {
        workers.emplace_back([&](const stress_run& run) { // subscribers: subscribe, listen a little, leave
            while (run.running()) {
                struct state {
                    std::mutex mutex;
                    std::map<std::string, std::string> last_key; // per registry: the last key added
                    bool closed = false;
                    long heard = 0;
                };
                auto heard = std::make_shared<state>();
                auto sub = roster::catalog::instance().subscribe([heard, &wrong](const roster::registration_event& e) {
                    const std::lock_guard lock(heard->mutex);
                    if (heard->closed) wrong.fetch_add(1); // called after reset() returned
                    ++heard->heard;
                    if (e.registry.rfind("stress.catalog.", 0) != 0 || e.replayed) return;
                    if (e.kind == roster::change_kind::added) {
                        // One registry's adds arrive in the order made: k0 k1 k2 k3, or a then b.
                        std::string& last = heard->last_key[e.registry];
                        if (!last.empty() && e.key != "\"k0\"" && e.key != "\"a\"" && !(last < e.key)) wrong.fetch_add(1);
                        last = e.key;
                    }
                });
                std::this_thread::sleep_for(std::chrono::microseconds(500));
                sub.reset();
                {
                    const std::lock_guard lock(heard->mutex);
                    heard->closed = true;
                    heard_total.fetch_add(heard->heard, std::memory_order_relaxed);
                }
                subscriptions.fetch_add(1, std::memory_order_relaxed);
                (void)roster::catalog::instance().snapshot();
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(registries.load() > 0);
    CHECK(subscriptions.load() > 0);
    CHECK(heard_total.load() > 0);
    for (const std::string& name : roster::catalog::instance().names()) CHECK(name.rfind("stress.catalog.", 0) != 0);
}

TEST_CASE("stress: catalog subscribers subscribe while listed registries are being destroyed; none reaches a "
          "destroyed registry's event hub",
          "[stress][catalog][events][concurrency]") {
    // A listed registry used to detach its event hub before leaving the
    // catalog: a catalog subscriber subscribing in between used the freed hub.
    using listed = roster::registry<long, roster::listing::listed>;
    std::atomic<long> registries{0};
    std::atomic<long> subscriptions{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int c = 0; c < 2; ++c) {
        workers.emplace_back([&, c](const stress_run& run) {
            for (long i = 0; run.running(); ++i) {
                listed reg{fmt::format("stress.catalog.leaving.{}.{}", c, i % 3)};
                if (i % 2 == 0) reg.add("k", i);
                registries.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (int s = 0; s < 2; ++s) {
        workers.emplace_back([&](const stress_run& run) {
            while (run.running()) {
                auto sub = roster::catalog::instance().subscribe([&wrong](const roster::registration_event& e) {
                    if (e.registry.rfind("stress.catalog.leaving.", 0) == 0 && e.key != "\"k\"") wrong.fetch_add(1);
                });
                subscriptions.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(registries.load() > 0);
    CHECK(subscriptions.load() > 0);
    for (const std::string& name : roster::catalog::instance().names())
        CHECK(name.rfind("stress.catalog.leaving.", 0) != 0);
}

// ===========================================================================
// Events: subscribing and unsubscribing while others mutate

TEST_CASE("stress: listeners subscribe and unsubscribe while other threads mutate; each hears a gapless run of every "
          "writer's changes and nothing after reset() returned",
          "[stress][events][concurrency]") {
    roster::registry<long> reg{"stress.events"};
    constexpr int writers = 2;
    std::atomic<long> mutations{0};
    std::atomic<long> sessions{0};
    std::atomic<long> heard_total{0};
    std::atomic<int> wrong{0};
    std::vector<std::function<void(const stress_run&)>> workers;
    for (int w = 0; w < writers; ++w) {
        workers.emplace_back([&, w](const stress_run& run) {
            for (long round = 1; run.running(); ++round) {
                reg.add(key_name(w, 0), encode(w, 0, round));
                if (reg.remove(key_name(w, 0)) != encode(w, 0, round)) wrong.fetch_add(1);
                mutations.fetch_add(2, std::memory_order_relaxed);
            }
        });
    }
    for (int l = 0; l < 2; ++l) {
        workers.emplace_back([&](const stress_run& run) {
            while (run.running()) {
                struct state {
                    std::array<long, writers> last_round{}; // per writer: the round of the last event heard
                    std::array<bool, writers> last_added{}; // ...and whether it was the add
                    std::atomic<bool> closed{false};
                    long heard = 0;
                };
                auto heard = std::make_shared<state>(); // one listener call at a time: no lock needed
                auto sub = reg.subscribe([heard, &wrong](const roster::registry<long>::event_type& e) {
                    if (heard->closed.load()) wrong.fetch_add(1); // called after reset() returned
                    ++heard->heard;
                    const long value = e.kind == roster::change_kind::added ? *e.current : *e.previous;
                    const auto w = static_cast<std::size_t>(writer_of(value));
                    const long round = round_of(value);
                    const bool added = e.kind == roster::change_kind::added;
                    long& last = heard->last_round[w];
                    // After the first event of a writer: its add then its remove, round after round, no gap.
                    if (last != 0) {
                        const bool next = heard->last_added[w] ? (!added && round == last) : (added && round == last + 1);
                        if (!next) wrong.fetch_add(1);
                    }
                    last = round;
                    heard->last_added[w] = added;
                });
                std::this_thread::sleep_for(std::chrono::microseconds(300));
                sub.reset();
                heard->closed.store(true);
                heard_total.fetch_add(heard->heard, std::memory_order_relaxed);
                sessions.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    run_for(run_time, workers);
    CHECK(wrong.load() == 0);
    CHECK(mutations.load() > 0);
    CHECK(sessions.load() > 0);
    CHECK(heard_total.load() > 0);
    CHECK(reg.empty());
}
