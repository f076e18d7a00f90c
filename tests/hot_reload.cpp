// Tests for roster/hot_reload.hpp: whole-set replacement, versions, held
// snapshots, the per-thread snapshot cache (and letting go of it), the diff
// events of a replacement, and readers racing many replacements.
// [concurrency] cases are run by the ThreadSanitizer build.
#include "support/catch.hpp"

#include "roster/hot_reload.hpp"
#include "roster/counters.hpp"

#include "roster/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using int_hot = roster::hot_reload_registry<int>;
using roster::change_kind;

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Every entry of a held snapshot.
std::map<std::string, int> contents(const int_hot::snapshot& snap) {
    std::map<std::string, int> out;
    snap->for_each([&](const std::string& key, int value) { out.emplace(key, value); });
    return out;
}

/// What a listener saw, as text: "kind key previous->current @version".
std::string describe(const int_hot::event_type& e) {
    return fmt::format("{} {} {}->{} @{}", roster::to_string(e.kind), e.key.value_or("-"),
                       e.previous ? std::to_string(*e.previous) : "-", e.current ? std::to_string(*e.current) : "-",
                       e.version);
}

} // namespace

// ===========================================================================
// Replacing and reading

TEST_CASE("hot reload: a new registry is empty at version 0", "[hot_reload]") {
    int_hot reg{"fresh"};
    CHECK(reg.version() == 0);
    CHECK(reg.empty());
    CHECK(reg.current().version() == 0);
    CHECK_FALSE(reg.get("anything").has_value());
    CHECK(reg.name() == "fresh");
}

TEST_CASE("hot reload: replace_all publishes the whole set as the next version", "[hot_reload]") {
    int_hot reg{"config"};
    const unsigned line = __LINE__ + 1;
    CHECK(reg.replace_all({{"a", 1}, {"b", 2}}) == 1);
    CHECK(reg.version() == 1);
    CHECK(reg.get("a") == 1);
    CHECK(reg.at("b") == 2);
    CHECK(reg.size() == 2);
    REQUIRE(reg.location("a").has_value());
    CHECK(reg.location("a")->line() == line);
    const std::map<std::string, int> next{{"b", 20}, {"c", 30}};
    CHECK(reg.replace_all(next) == 2); // any range of pairs
    CHECK_FALSE(reg.contains("a"));    // the old set is gone as a whole
    CHECK(reg.get("b") == 20);
    CHECK(reg.names() == std::vector<std::string>{"b", "c"});
    CHECK(reg.visit("c", [](int v) { return v + 1; }) == 31);
    const auto miss = reg.try_at("a");
    REQUIRE_FALSE(miss);
    CHECK(miss.error().code == roster::errc::not_found);
    CHECK(contains_text(miss.error().message, "registry \"config\""));
}

TEST_CASE("hot reload: an invalid set is refused as a whole, listing every problem, and nothing is published",
          "[hot_reload]") {
    roster::hot_reload_registry<std::shared_ptr<int>> reg{"strict"};
    reg.replace_all({{"keep", std::make_shared<int>(1)}});
    std::vector<std::pair<std::string, std::shared_ptr<int>>> bad{
        {"fine", std::make_shared<int>(2)},
        {"", std::make_shared<int>(3)},
        {"null", nullptr},
        {"twice", std::make_shared<int>(4)},
        {"twice", std::make_shared<int>(5)},
    };
    const auto outcome = reg.try_replace_all(bad);
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::batch_refused);
    const std::string& message = outcome.error().message;
    CHECK(contains_text(message, "refused the replacement set of 5 entries"));
    CHECK(contains_text(message, "3 problems, nothing was applied"));
    CHECK(contains_text(message, "invalid key \"\""));
    CHECK(contains_text(message, "for key \"null\""));
    CHECK(contains_text(message, "duplicate key \"twice\""));
    CHECK(reg.version() == 1);
    CHECK(reg.names() == std::vector<std::string>{"keep"});
    CHECK_THROWS_AS(reg.replace_all(bad), roster::batch_error);
    CHECK(bad.size() == 5); // an lvalue set is copied, not moved from
    CHECK(bad[0].second != nullptr);
}

TEST_CASE("hot reload: the registry's duplicate policy applies within a replacement set", "[hot_reload]") {
    roster::hot_reload_registry<int, roster::on_duplicate::replace> reg{"last-wins"};
    reg.replace_all({{"k", 1}, {"k", 2}});
    CHECK(reg.get("k") == 2);
}

TEST_CASE("hot reload: a held snapshot keeps answering from its version after replacements", "[hot_reload]") {
    int_hot reg{"held"};
    reg.replace_all({{"a", 1}, {"b", 2}});
    const int_hot::snapshot snap = reg.current();
    reg.replace_all({{"c", 3}});
    reg.replace_all({{"d", 4}});
    CHECK(snap.version() == 1);
    CHECK(contents(snap) == std::map<std::string, int>{{"a", 1}, {"b", 2}});
    CHECK(snap->get("a") == 1);
    CHECK_FALSE(snap->contains("c"));
    CHECK((*snap).size() == 2);
    CHECK(snap.registry().frozen());
    CHECK(reg.current().version() == 3);
    CHECK(contents(reg.current()) == std::map<std::string, int>{{"d", 4}});
}

TEST_CASE("hot reload: update edits a copy of the current set, rebuild builds a fresh one", "[hot_reload]") {
    int_hot reg{"edited"};
    reg.replace_all({{"a", 1}, {"b", 2}});
    const unsigned line = __LINE__ + 3;
    const std::uint64_t updated = reg.update([](int_hot::snapshot_registry& next) {
        (void)next.remove("a");
        next.add("c", 3);
    });
    CHECK(updated == 2);
    CHECK(contents(reg.current()) == std::map<std::string, int>{{"b", 2}, {"c", 3}});
    CHECK(reg.location("c")->line() == line); // the builder's own add location
    CHECK(reg.rebuild([](auto& next) { next.add("z", 26); }) == 3);
    CHECK(contents(reg.current()) == std::map<std::string, int>{{"z", 26}});
}

TEST_CASE("hot reload: a throwing builder publishes nothing", "[hot_reload]") {
    int_hot reg{"failed-build"};
    reg.replace_all({{"a", 1}});
    CHECK_THROWS_AS(reg.update([](auto& next) {
        next.add("b", 2);
        next.add("b", 3); // duplicate_key_error
    }),
                    roster::duplicate_key_error);
    CHECK_THROWS_AS(reg.rebuild([](auto&) { throw std::runtime_error("config unreadable"); }), std::runtime_error);
    CHECK(reg.version() == 1);
    CHECK(contents(reg.current()) == std::map<std::string, int>{{"a", 1}});
}

TEST_CASE("hot reload: an rvalue set is moved into the snapshot", "[hot_reload]") {
    roster::hot_reload_registry<std::unique_ptr<int>> reg{"owned"};
    std::vector<std::pair<std::string, std::unique_ptr<int>>> next;
    next.emplace_back("a", std::make_unique<int>(7));
    reg.replace_all(std::move(next));
    CHECK(reg.visit("a", [](const std::unique_ptr<int>& p) { return *p; }) == 7);
}

// ===========================================================================
// The per-thread cache

TEST_CASE("hot reload: a thread's cached snapshot keeps an old value alive until its next read or a release",
          "[hot_reload][memory]") {
    roster::hot_reload_registry<std::shared_ptr<int>> reg{"cached"};
    std::weak_ptr<int> old_value;
    {
        auto value = std::make_shared<int>(1);
        old_value = value;
        reg.replace_all({{"k", std::move(value)}});
    }
    CHECK(reg.get("k").has_value()); // this thread now caches version 1
    reg.replace_all({{"k", std::make_shared<int>(2)}});
    CHECK_FALSE(old_value.expired()); // only this thread's cache holds version 1
    reg.release_cached_snapshot();
    CHECK(old_value.expired());

    std::weak_ptr<int> second;
    {
        auto value = std::make_shared<int>(3);
        second = value;
        reg.replace_all({{"k", std::move(value)}});
    }
    CHECK(**reg.get("k") == 3);
    reg.replace_all({{"k", std::make_shared<int>(4)}});
    CHECK_FALSE(second.expired());
    CHECK(**reg.get("k") == 4); // the next read lets go of the old snapshot
    CHECK(second.expired());

    std::weak_ptr<int> third;
    {
        auto value = std::make_shared<int>(5);
        third = value;
        reg.replace_all({{"k", std::move(value)}});
    }
    (void)reg.get("k");
    reg.replace_all({});
    CHECK_FALSE(third.expired());
    roster::release_thread_snapshots(); // every registry's, on this thread
    CHECK(third.expired());
}

TEST_CASE("hot reload: a thread's cache is let go of when the thread exits", "[hot_reload][memory][concurrency]") {
    roster::hot_reload_registry<std::shared_ptr<int>> reg{"exiting"};
    std::weak_ptr<int> old_value;
    {
        auto value = std::make_shared<int>(1);
        old_value = value;
        reg.replace_all({{"k", std::move(value)}});
    }
    std::thread reader([&] { (void)reg.get("k"); });
    reader.join();
    reg.replace_all({});
    CHECK(old_value.expired());
}

TEST_CASE("hot reload: a value being visited stays valid when the callback replaces the set and reads again",
          "[hot_reload][memory]") {
    roster::hot_reload_registry<std::string> reg{"nested"};
    reg.replace_all({{"a", std::string(100, 'a')}, {"b", "bee"}});
    (void)reg.get("a"); // cache version 1
    std::string seen_after;
    std::optional<std::string> nested;
    reg.visit("a", [&](const std::string& value) {
        reg.replace_all({{"b", "new bee"}});
        nested = reg.get("b"); // a nested read of the new version must not free `value`
        seen_after = value;    // ASan would catch a use-after-free here
    });
    CHECK(seen_after == std::string(100, 'a'));
    CHECK(nested == "new bee");
    CHECK(reg.get("b") == "new bee"); // and the next read sees the new version
}

TEST_CASE("hot reload: a thread reading more registries than its cache holds still reads each correctly",
          "[hot_reload][memory]") {
    std::vector<std::unique_ptr<int_hot>> registries;
    for (int i = 0; i < 12; ++i) {
        registries.push_back(std::make_unique<int_hot>(fmt::format("r{}", i)));
        registries.back()->replace_all({{"id", i}});
    }
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 12; ++i) CHECK(registries[static_cast<std::size_t>(i)]->get("id") == i);
        registries[static_cast<std::size_t>(round)]->replace_all({{"id", 100 + round}});
        CHECK(registries[static_cast<std::size_t>(round)]->get("id") == 100 + round);
        registries[static_cast<std::size_t>(round)]->replace_all({{"id", round}});
    }
}

TEST_CASE("hot reload: a registry built where a destroyed one lived never sees that one's cached snapshot",
          "[hot_reload][memory][concurrency]") {
    std::optional<int_hot> slot;
    slot.emplace("first");
    slot->replace_all({{"old", 1}});
    // Another thread caches version 1 of the first registry...
    std::mutex step;
    std::condition_variable turn;
    int phase = 0;
    std::optional<int> seen_new;
    bool saw_old = true;
    std::thread reader([&] {
        std::unique_lock lock(step);
        (void)slot->get("old");
        phase = 1;
        turn.notify_all();
        turn.wait(lock, [&] { return phase == 2; });
        // ...then reads a different registry at the same address, also at version 1.
        saw_old = slot->contains("old");
        seen_new = slot->get("new");
    });
    {
        std::unique_lock lock(step);
        turn.wait(lock, [&] { return phase == 1; });
        slot.reset();
        slot.emplace("second"); // same storage, same address
        slot->replace_all({{"new", 2}});
        REQUIRE(slot->version() == 1);
        phase = 2;
        turn.notify_all();
    }
    reader.join();
    CHECK_FALSE(saw_old);
    CHECK(seen_new == 2);
}

// ===========================================================================
// Events

TEST_CASE("hot reload events: each diff case is reported by key, in key order, with the new version",
          "[hot_reload][events]") {
    int_hot reg{"diffed"};
    std::vector<std::string> heard;
    const auto sub = reg.subscribe([&](const int_hot::event_type& e) { heard.push_back(describe(e)); });

    SECTION("added only") {
        reg.replace_all({{"b", 2}, {"a", 1}});
        CHECK(heard == std::vector<std::string>{"added a -->1 @1", "added b -->2 @1"});
    }
    SECTION("removed only") {
        reg.replace_all({{"a", 1}, {"b", 2}});
        heard.clear();
        reg.replace_all({{"a", 1}});
        CHECK(heard == std::vector<std::string>{"removed b 2->- @2"});
    }
    SECTION("changed only") {
        reg.replace_all({{"a", 1}, {"b", 2}});
        heard.clear();
        reg.replace_all({{"a", 10}, {"b", 2}});
        CHECK(heard == std::vector<std::string>{"changed a 1->10 @2"});
    }
    SECTION("everything at once, in key order") {
        reg.replace_all({{"a", 1}, {"b", 2}, {"c", 3}});
        heard.clear();
        reg.replace_all({{"b", 20}, {"c", 3}, {"d", 4}});
        CHECK(heard == std::vector<std::string>{"removed a 1->- @2", "changed b 2->20 @2", "added d -->4 @2"});
    }
    SECTION("nothing differs: one unchanged event, and the version still advances") {
        reg.replace_all({{"a", 1}});
        heard.clear();
        CHECK(reg.replace_all({{"a", 1}}) == 2);
        CHECK(heard == std::vector<std::string>{"unchanged - -->- @2"});
    }
    SECTION("empty to empty is unchanged") {
        reg.replace_all({});
        CHECK(heard == std::vector<std::string>{"unchanged - -->- @1"});
    }
    SECTION("a refused set reports nothing") {
        CHECK_FALSE(reg.try_replace_all({{"", 1}}));
        CHECK(heard.empty());
    }
}

TEST_CASE("hot reload events: a removed entry's value is readable during its event", "[hot_reload][events]") {
    roster::hot_reload_registry<std::shared_ptr<const std::string>> reg{"removing"};
    reg.replace_all({{"k", std::make_shared<const std::string>("old text")}});
    std::string read;
    bool registry_had_it = true;
    const auto sub = reg.subscribe([&](const auto& e) {
        if (e.kind != change_kind::removed) return;
        read = **e.previous;
        registry_had_it = reg.contains(*e.key);
    });
    reg.replace_all({});
    CHECK(read == "old text");
    CHECK_FALSE(registry_had_it);
}

TEST_CASE("hot reload events: a listener may replace the set; that replacement's events follow the current ones",
          "[hot_reload][events]") {
    int_hot reg{"reentrant"};
    std::vector<std::string> heard;
    const auto sub = reg.subscribe([&](const int_hot::event_type& e) {
        heard.push_back(describe(e));
        if (e.kind == change_kind::added && *e.key == "a") reg.replace_all({{"b", 2}}); // no deadlock
    });
    reg.replace_all({{"a", 1}, {"z", 26}});
    CHECK(heard == std::vector<std::string>{"added a -->1 @1", "added z -->26 @1", "removed a 1->- @2",
                                            "added b -->2 @2", "removed z 26->- @2"});
    CHECK(reg.version() == 2);
}

TEST_CASE("hot reload events: a throwing listener does not stop the others nor the replacement",
          "[hot_reload][events]") {
    int_hot reg{"throwing"};
    int errors = 0;
    const auto thrower = reg.subscribe([](const int_hot::event_type&) { throw std::runtime_error("boom"); },
                                       [&](const int_hot::event_type&, std::exception_ptr) { ++errors; });
    std::vector<std::string> heard;
    const auto bystander = reg.subscribe([&](const int_hot::event_type& e) { heard.push_back(describe(e)); });
    CHECK(reg.replace_all({{"a", 1}, {"b", 2}}) == 1);
    CHECK(errors == 2);
    CHECK(heard.size() == 2);
    CHECK(reg.get("b") == 2);
}

// ===========================================================================
// Concurrency

namespace {

/// A value whose parts must agree: any mix of versions or a torn write shows.
struct stamped {
    std::uint64_t version = 0;
    std::size_t index = 0;
    std::string text; // "<version>:<index>", long enough to live on the heap
};

std::string stamp(std::uint64_t version, std::size_t index) {
    return fmt::format("version {:08} entry {:04} padding to leave the small buffer", version, index);
}

/// The size of the set published as `version`.
std::size_t set_size(std::uint64_t version) { return 5 + static_cast<std::size_t>(version % 7); }

} // namespace

TEST_CASE("hot reload: readers on several threads during many replacements only ever see complete snapshots, and "
          "versions never go backwards",
          "[hot_reload][concurrency]") {
    roster::hot_reload_registry<std::shared_ptr<const stamped>> reg{"raced"};
    constexpr std::uint64_t replacements = 300;
    std::atomic<bool> done{false};
    std::atomic<int> incomplete{0};
    std::atomic<int> mixed{0};
    std::atomic<int> backwards{0};
    std::atomic<long> snapshots_checked{0};
    std::atomic<int> started{0};

    auto reader = [&](int which) {
        std::uint64_t last_version = 0;
        std::uint64_t last_value_version = 0;
        started.fetch_add(1);
        do {
            // 1. A held snapshot: complete, all from one version.
            const auto snap = reg.current();
            const std::uint64_t v = snap.version();
            if (v < last_version) backwards.fetch_add(1);
            last_version = v;
            if (v != 0) {
                const std::size_t expected = set_size(v);
                if (snap->size() != expected) incomplete.fetch_add(1);
                for (std::size_t i = 0; i < expected; ++i) {
                    const auto value = snap->get(fmt::format("k{}", i));
                    if (!value) {
                        incomplete.fetch_add(1);
                        continue;
                    }
                    if ((*value)->version != v || (*value)->index != i || (*value)->text != stamp(v, i))
                        mixed.fetch_add(1);
                }
                snapshots_checked.fetch_add(1);
            }
            // 2. The per-thread fast path: every value whole, its version never behind the last one seen.
            const bool found = reg.visit(which == 0 ? "k0" : "k3", [&](const std::shared_ptr<const stamped>& s) {
                if (s->text != stamp(s->version, s->index)) mixed.fetch_add(1);
                if (s->version < last_value_version) backwards.fetch_add(1);
                last_value_version = s->version;
            });
            (void)found;
            // 3. for_each walks one snapshot: every entry from the same version.
            std::uint64_t first_version = 0;
            std::size_t walked = 0;
            reg.for_each([&](const std::string&, const std::shared_ptr<const stamped>& s) {
                if (walked++ == 0) first_version = s->version;
                else if (s->version != first_version) mixed.fetch_add(1);
            });
            if (walked != 0 && walked != set_size(first_version)) incomplete.fetch_add(1);
        } while (!done.load(std::memory_order_acquire));
        roster::release_thread_snapshots();
    };

    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) readers.emplace_back(reader, r);
    while (started.load() < 3) std::this_thread::yield();
    long checked_before = 0;
    for (std::uint64_t v = 1; v <= replacements; ++v) {
        std::vector<std::pair<std::string, std::shared_ptr<const stamped>>> next;
        for (std::size_t i = 0; i < set_size(v); ++i)
            next.emplace_back(fmt::format("k{}", i), std::make_shared<const stamped>(stamped{v, i, stamp(v, i)}));
        REQUIRE(reg.replace_all(std::move(next)) == v);
        if (v % 20 == 1) { // make sure the readers really read between replacements, even on two cores
            while (snapshots_checked.load() < checked_before + 3) std::this_thread::yield();
            checked_before = snapshots_checked.load();
        }
    }
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();
    CHECK(incomplete.load() == 0);
    CHECK(mixed.load() == 0);
    CHECK(backwards.load() == 0);
    CHECK(snapshots_checked.load() >= 45); // 15 waits for 3 more each
    CHECK(reg.version() == replacements);
}

TEST_CASE("hot reload: replacements from several threads get distinct versions and their events arrive in version "
          "order",
          "[hot_reload][events][concurrency]") {
    int_hot reg{"writers"};
    std::mutex heard_mutex;
    std::vector<std::uint64_t> versions;
    const auto sub = reg.subscribe([&](const int_hot::event_type& e) {
        const std::lock_guard lock(heard_mutex);
        versions.push_back(e.version);
    });
    std::mutex results_mutex;
    std::vector<std::uint64_t> published;
    std::vector<std::thread> writers;
    for (int t = 0; t < 3; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                const std::uint64_t v = reg.replace_all({{fmt::format("w{}", t), i}});
                const std::lock_guard lock(results_mutex);
                published.push_back(v);
            }
        });
    }
    std::thread reader([&] {
        std::uint64_t last = 0;
        for (int i = 0; i < 2000; ++i) {
            const std::uint64_t now = reg.current().version();
            if (now < last) FAIL_CHECK("a version went backwards");
            last = now;
        }
    });
    for (auto& w : writers) w.join();
    reader.join();
    std::sort(published.begin(), published.end());
    for (std::size_t i = 0; i < published.size(); ++i) CHECK(published[i] == i + 1);
    const std::lock_guard lock(heard_mutex);
    REQUIRE_FALSE(versions.empty());
    bool ordered = true;
    for (std::size_t i = 1; i < versions.size(); ++i) ordered = ordered && versions[i - 1] <= versions[i];
    CHECK(ordered);
    CHECK(versions.back() == 120);
}

TEST_CASE("hot reload: updates from several threads are serialised and none is lost", "[hot_reload][concurrency]") {
    int_hot reg{"counter"};
    reg.replace_all({{"count", 0}});
    std::vector<std::thread> updaters;
    for (int t = 0; t < 3; ++t) {
        updaters.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                reg.update([](int_hot::snapshot_registry& next) {
                    const int count = next.at("count");
                    (void)next.remove("count");
                    next.add("count", count + 1);
                });
            }
        });
    }
    std::thread reader([&] {
        int last = 0;
        for (int i = 0; i < 500; ++i) {
            const int now = reg.get("count").value_or(-1);
            if (now < last) FAIL_CHECK("the count went backwards");
            last = now;
        }
    });
    for (auto& t : updaters) t.join();
    reader.join();
    CHECK(reg.get("count") == 150);
    CHECK(reg.version() == 151);
}

TEST_CASE("hot_reload: a miss names the registry, the key, the lookup site and the nearest registered keys",
          "[hot_reload][errors]") {
    int_hot reg{"hot.nearest"};
    reg.replace_all({{"gzip", 1}, {"zstd", 2}, {"brotli", 3}});
    const int line = __LINE__ + 1;
    const auto missed = reg.try_at("gzp");
    REQUIRE_FALSE(missed.has_value());
    CHECK(missed.error().code == roster::errc::not_found);
    const std::string& message = missed.error().message;
    CHECK_THAT(message, roster_test::contains("\"hot.nearest\""));
    CHECK_THAT(message, roster_test::contains("\"gzp\""));
    CHECK_THAT(message, roster_test::contains("hot_reload.cpp:" + std::to_string(line)));
    CHECK_THAT(message, roster_test::contains("nearest: \"gzip\""));
    CHECK_THROWS_AS(reg.at("gzp"), roster::not_found_error);
}

TEST_CASE("hot_reload: listing::listed and counters::per_registry belong to the outer registry and survive "
          "replacements",
          "[hot_reload][catalog][counters]") {
    using listed_hot = roster::hot_reload_registry<int, roster::listing::listed, roster::counters::per_registry>;
    static_assert(std::is_same_v<listed_hot::snapshot_registry::counters_policy, roster::counters::none>);
    static_assert(std::is_same_v<listed_hot::snapshot_registry::listing_policy, roster::listing::unlisted>);
    const int created = __LINE__ + 1;
    listed_hot reg{"hot.listed"};
    CHECK(roster::catalog::instance().contains("hot.listed"));
    reg.replace_all({{"a", 1}, {"b", 2}});
    (void)reg.get("a");
    (void)reg.get("zz");
    reg.replace_all({{"a", 10}, {"c", 3}});
    CHECK(reg.visit("c", [](int) {}));
    CHECK_FALSE(reg.try_at("b").has_value());
    CHECK(reg.lookups().hits == 2);
    CHECK(reg.lookups().misses == 2);

    const auto report = roster::catalog::instance().at("hot.listed");
    CHECK(report.name == "hot.listed");
    CHECK(report.created_at.line() == static_cast<unsigned>(created));
    CHECK(report.state == roster::lifecycle::populated);
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"a\"");
    CHECK(report.entries[1].key == "\"c\"");
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 2);
    CHECK(report.lookups->misses == 2);
}

TEST_CASE("hot_reload: a listed registry's replacements reach catalog subscribers", "[hot_reload][catalog]") {
    roster::hot_reload_registry<int, roster::listing::listed> reg{"hot.listed.events"};
    std::vector<std::string> heard;
    auto subscription = roster::catalog::instance().subscribe([&](const roster::registration_event& e) {
        if (e.registry == "hot.listed.events") heard.push_back(std::string(roster::to_string(e.kind)) + " " + e.key);
    });
    reg.replace_all({{"a", 1}});
    reg.replace_all({{"b", 2}});
    // One replacement's events come sorted by key.
    CHECK(heard == std::vector<std::string>{"added \"a\"", "removed \"a\"", "added \"b\""});
}

TEST_CASE("hot_reload: counted lookups, replacements and catalog reports run concurrently and every lookup is "
          "counted",
          "[hot_reload][counters][concurrency]") {
    roster::hot_reload_registry<int, roster::listing::listed, roster::counters::per_registry> reg{"hot.concurrent"};
    reg.replace_all({{"a", 1}});
    constexpr int rounds = 2000;
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&reg] {
            for (int i = 0; i < rounds; ++i) (void)reg.get(i % 2 == 0 ? "a" : "missing");
        });
    }
    for (int i = 0; i < 50; ++i) {
        reg.replace_all({{"a", i}, {"b", i}});
        (void)roster::catalog::instance().get("hot.concurrent");
    }
    for (auto& r : readers) r.join();
    CHECK(reg.lookups().hits == rounds);
    CHECK(reg.lookups().misses == rounds);
}

TEST_CASE("hot_reload: a held snapshot is a range of its entries, unchanged by later replacements",
          "[hot_reload][range]") {
    roster::hot_reload_registry<int> reg{"ranged"};
    reg.replace_all({{"a", 1}, {"b", 2}});
    const auto held = reg.current();
    STATIC_REQUIRE(std::ranges::forward_range<const decltype(held)>);
    STATIC_REQUIRE(std::ranges::sized_range<const decltype(held)>);
    reg.replace_all({{"c", 3}});

    std::vector<std::pair<std::string, int>> seen;
    for (const auto& [key, value] : held) seen.emplace_back(key, value);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}});
    CHECK(held.size() == 2);
    CHECK(std::ranges::count_if(reg.current(), [](const auto& e) { return e.key() == "c"; }) == 1);
}

TEST_CASE("hot_reload: iterating snapshots while the set is replaced sees each version whole",
          "[hot_reload][range][concurrency]") {
    roster::hot_reload_registry<int> reg{"ranged_concurrent"};
    reg.replace_all({{"x", 0}, {"y", 0}});
    std::atomic<bool> stop{false};
    std::atomic<int> torn{0};
    std::thread writer([&] {
        for (int v = 1; v <= 200; ++v) reg.replace_all({{"x", v}, {"y", v}});
        stop = true;
    });
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                int first = -1;
                for (const auto& [key, value] : reg.current()) {
                    if (first < 0) first = value;
                    else if (value != first) ++torn;
                }
            }
        });
    }
    writer.join();
    for (auto& r : readers) r.join();
    CHECK(torn.load() == 0);
}
