// Tests for roster/lifecycle.hpp: batches committed all or nothing
// (basic_registry::commit / try_commit) and the staged registry (pending →
// finalized, the readiness latch, not_ready errors). [concurrency] cases are
// run by the ThreadSanitizer build.
#include "support/catch.hpp"

#include "roster/lifecycle.hpp"
#include "roster/ordered.hpp"
#include "roster/registry.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using int_registry = roster::registry<int>;
using int_batch = roster::batch<int_registry>;

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string line_text(unsigned line) { return fmt::format(":{}", line); }

/// Every entry of a registry, read under one lock.
template <class Registry>
std::map<std::string, int> contents(const Registry& reg) {
    std::map<std::string, int> out;
    reg.for_each([&](const std::string& key, int value) { out.emplace(key, value); });
    return out;
}

/// A key whose hash, == and < count their calls and throw on the
/// `countdown`-th one (0: never), to inject a failure at every step.
struct fragile_key {
    int id = 0;
    static inline int countdown = 0;
    static void tick() {
        if (countdown > 0 && --countdown == 0) throw std::runtime_error("fragile key");
    }
    friend bool operator==(const fragile_key& a, const fragile_key& b) {
        tick();
        return a.id == b.id;
    }
    friend bool operator<(const fragile_key& a, const fragile_key& b) {
        tick();
        return a.id < b.id;
    }
};

} // namespace

template <>
struct std::hash<fragile_key> {
    std::size_t operator()(const fragile_key& key) const {
        fragile_key::tick();
        return std::hash<int>{}(key.id);
    }
};

namespace {

/// Commits a batch of three new keys and one replacement into a registry of
/// two keys (under on_duplicate::replace), with the k-th hash/==/< call throwing, for k = 1, 2, ... until
/// the commit goes through. Every failed commit must leave the registry as
/// it was and tell no listener anything. Returns how many commits failed.
template <class Registry>
int failed_commits_left_nothing_behind() {
    int failures = 0;
    for (int k = 1; k < 500; ++k) {
        fragile_key::countdown = 0;
        Registry reg{"fragile"};
        reg.add(fragile_key{0}, 0);
        reg.add(fragile_key{4}, 4);
        std::size_t heard = 0;
        auto subscription = reg.subscribe([&](const auto&) { ++heard; });
        roster::batch<Registry> pending;
        pending.add(fragile_key{1}, 1).add(fragile_key{2}, 2).add(fragile_key{4}, 40).add(fragile_key{3}, 3);
        bool threw = false;
        bool committed = false;
        fragile_key::countdown = k;
        try {
            committed = static_cast<bool>(reg.try_commit(std::move(pending)));
        } catch (const std::runtime_error&) {
            threw = true;
        }
        fragile_key::countdown = 0;
        if (!threw) {
            REQUIRE(committed);
            CHECK(reg.size() == 5);
            CHECK(reg.get(fragile_key{4}) == 40);
            CHECK(heard == 4);
            return failures;
        }
        ++failures;
        INFO("the " << k << "th call of the key's hash, == or < threw");
        CHECK(reg.size() == 2);
        CHECK(reg.get(fragile_key{0}) == 0);
        CHECK(reg.get(fragile_key{4}) == 4);
        for (const int id : {1, 2, 3}) CHECK_FALSE(reg.contains(fragile_key{id}));
        CHECK(heard == 0);
    }
    FAIL("the commit never went through");
    return failures;
}

} // namespace

// ===========================================================================
// Batches

TEST_CASE("batch: a valid batch is committed as a whole and the report says what it did", "[lifecycle][batch]") {
    int_registry reg{"batched"};
    reg.add("existing", 0);
    int_batch b;
    const unsigned line = __LINE__ + 1;
    b.add("a", 1).add("b", 2).add("c", 3);
    CHECK(b.size() == 3);
    const roster::commit_report report = reg.commit(std::move(b));
    CHECK(report.added == 3);
    CHECK(report.replaced == 0);
    CHECK(report.unchanged == 0);
    CHECK(contents(reg) == std::map<std::string, int>{{"existing", 0}, {"a", 1}, {"b", 2}, {"c", 3}});
    REQUIRE(reg.location("b").has_value());
    CHECK(reg.location("b")->line() == line); // each entry keeps where batch::add was called
}

TEST_CASE("batch: a batch with problems commits nothing, and its error lists every problem with its location",
          "[lifecycle][batch]") {
    roster::registry<std::shared_ptr<int>> reg{"strict"};
    reg.add("taken", std::make_shared<int>(0));
    roster::batch<roster::registry<std::shared_ptr<int>>> b;
    b.add("fine", std::make_shared<int>(1));
    const unsigned empty_line = __LINE__ + 1;
    b.add("", std::make_shared<int>(2));
    const unsigned null_line = __LINE__ + 1;
    b.add("null", nullptr);
    const unsigned twice_first = __LINE__ + 1;
    b.add("twice", std::make_shared<int>(3));
    const unsigned twice_second = __LINE__ + 1;
    b.add("twice", std::make_shared<int>(4));
    const unsigned taken_line = __LINE__ + 1;
    b.add("taken", std::make_shared<int>(5));
    b.add("also fine", std::make_shared<int>(6));

    const auto outcome = reg.try_commit(std::move(b));
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::batch_refused);
    const std::string& message = outcome.error().message;
    CHECK(contains_text(message, "registry \"strict\": refused a batch of 7 entries"));
    CHECK(contains_text(message, "4 problems, nothing was applied"));
    CHECK(contains_text(message, "invalid key \"\" at"));
    CHECK(contains_text(message, line_text(empty_line)));
    CHECK(contains_text(message, "for key \"null\""));
    CHECK(contains_text(message, line_text(null_line)));
    CHECK(contains_text(message, "duplicate key \"twice\""));
    CHECK(contains_text(message, line_text(twice_first)));
    CHECK(contains_text(message, line_text(twice_second)));
    CHECK(contains_text(message, "duplicate key \"taken\""));
    CHECK(contains_text(message, line_text(taken_line)));
    // Nothing at all was applied: not even the valid items.
    CHECK(reg.names() == std::vector<std::string>{"taken"});
    CHECK(*reg.at("taken") == 0);
}

TEST_CASE("batch: commit() raises the refusal as batch_error and leaves the registry unchanged", "[lifecycle][batch]") {
    int_registry reg{"raising"};
    reg.add("a", 1);
    int_batch b;
    b.add("b", 2).add("a", 3);
    CHECK_THROWS_AS(reg.commit(std::move(b)), roster::batch_error);
    CHECK(contents(reg) == std::map<std::string, int>{{"a", 1}});
}

TEST_CASE("batch: duplicates follow the registry's policy as if each item were added in order", "[lifecycle][batch]") {
    SECTION("replace: the last value wins, within the batch and over the registry") {
        roster::registry<int, roster::on_duplicate::replace> reg{"last-wins"};
        reg.add("old", 0);
        roster::batch<roster::registry<int, roster::on_duplicate::replace>> b;
        b.add("k", 1).add("k", 2).add("old", 10);
        const auto report = reg.commit(std::move(b));
        CHECK(report.added == 1);
        CHECK(report.replaced == 1);
        CHECK(report.unchanged == 1);
        CHECK(reg.get("k") == 2);
        CHECK(reg.get("old") == 10);
    }
    SECTION("keep_first: the first value stays, within the batch and over the registry") {
        roster::registry<int, roster::on_duplicate::keep_first> reg{"first-wins"};
        reg.add("old", 0);
        roster::batch<roster::registry<int, roster::on_duplicate::keep_first>> b;
        b.add("k", 1).add("k", 2).add("old", 10);
        const auto report = reg.commit(std::move(b));
        CHECK(report.added == 1);
        CHECK(report.replaced == 0);
        CHECK(report.unchanged == 2);
        CHECK(reg.get("k") == 1);
        CHECK(reg.get("old") == 0);
    }
    SECTION("accept_if_equal: equal duplicates pass, a different one refuses the whole batch") {
        roster::registry<int, roster::on_duplicate::accept_if_equal> reg{"equal"};
        reg.add("old", 0);
        using batch_t = roster::batch<roster::registry<int, roster::on_duplicate::accept_if_equal>>;
        batch_t same;
        same.add("k", 1).add("k", 1).add("old", 0);
        CHECK(reg.commit(std::move(same)).unchanged == 2);
        batch_t different;
        different.add("n", 5).add("old", 1);
        const auto refused = reg.try_commit(std::move(different));
        REQUIRE_FALSE(refused);
        CHECK(contains_text(refused.error().message, "duplicate key \"old\""));
        CHECK_FALSE(reg.contains("n"));
    }
}

TEST_CASE("batch: a commit to a frozen registry is refused, naming where it was frozen", "[lifecycle][batch]") {
    int_registry reg{"frozen"};
    const unsigned frozen_line = __LINE__ + 1;
    reg.freeze();
    int_batch b;
    b.add("a", 1);
    const auto outcome = reg.try_commit(std::move(b));
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::batch_refused);
    CHECK(contains_text(outcome.error().message, "the registry was frozen at"));
    CHECK(contains_text(outcome.error().message, line_text(frozen_line)));
    CHECK(reg.empty());
}

TEST_CASE("batch: an empty batch commits nothing and succeeds", "[lifecycle][batch]") {
    int_registry reg{"empty"};
    const auto report = reg.commit(int_batch{});
    CHECK(report.added + report.replaced + report.unchanged == 0);
    CHECK(reg.empty());
}

TEST_CASE("batch: listeners hear one event per changed key, in the order of each key's first item, and nothing "
          "for a refused batch",
          "[lifecycle][batch][events]") {
    roster::registry<int, roster::on_duplicate::replace> reg{"observed"};
    reg.add("old", 0);
    std::vector<std::string> heard;
    const auto sub = reg.subscribe([&](const auto& e) {
        heard.push_back(fmt::format("{} {} {}->{}", roster::to_string(e.kind), *e.key,
                                    e.previous ? std::to_string(*e.previous) : "-",
                                    e.current ? std::to_string(*e.current) : "-"));
    });
    roster::batch<roster::registry<int, roster::on_duplicate::replace>> b;
    b.add("z", 1).add("old", 5).add("a", 2).add("z", 3);
    (void)reg.commit(std::move(b));
    CHECK(heard == std::vector<std::string>{"added z -->3", "changed old 0->5", "added a -->2"});
    heard.clear();
    roster::batch<roster::registry<int, roster::on_duplicate::replace>> bad;
    bad.add("fine", 1).add("", 2);
    CHECK_FALSE(reg.try_commit(std::move(bad)));
    CHECK(heard.empty());
}

TEST_CASE("batch: a key whose hash or == throws at any step leaves the registry as it was, with no event",
          "[lifecycle][batch]") {
    // The apply step inserts nodes, hashing and comparing keys again: a throw
    // there once left the earlier keys of the batch registered.
    CHECK(failed_commits_left_nothing_behind<roster::basic_registry<fragile_key, int, roster::on_duplicate::replace>>() > 10);
}

TEST_CASE("batch: a key whose < throws at any step leaves an ordered registry as it was, with no event",
          "[lifecycle][batch]") {
    CHECK(failed_commits_left_nothing_behind<
              roster::basic_registry<fragile_key, int, roster::storage::ordered, roster::on_duplicate::replace>>() > 10);
}

TEST_CASE("batch: readers never see part of a batch", "[lifecycle][batch][concurrency]") {
    int_registry reg{"atomic-batches"};
    constexpr int batches = 60;
    constexpr int per_batch = 8;
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::atomic<long> checks{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!done.load(std::memory_order_acquire)) {
                std::map<int, int> per_batch_count;
                reg.for_each([&](const std::string&, int value) { ++per_batch_count[value]; }); // one read lock
                for (const auto& [batch_number, count] : per_batch_count)
                    if (count != per_batch) torn.fetch_add(1);
                checks.fetch_add(1);
            }
        });
    }
    long checks_before = 0;
    for (int n = 0; n < batches; ++n) {
        int_batch b;
        for (int i = 0; i < per_batch; ++i) b.add(fmt::format("b{}.{}", n, i), n);
        (void)reg.commit(std::move(b));
        if (n % 10 == 0) { // make sure the readers really read between commits, even on two cores
            while (checks.load() < checks_before + 2) std::this_thread::yield();
            checks_before = checks.load();
        }
    }
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();
    CHECK(torn.load() == 0);
    CHECK(checks.load() >= 12); // 6 waits for 2 more each
    CHECK(reg.size() == static_cast<std::size_t>(batches * per_batch));
}

// ===========================================================================
// The staged registry

TEST_CASE("staged: a lookup before finalize fails with not_ready, naming the key and saying to call finalize()",
          "[lifecycle][staged]") {
    roster::staged_registry<int_registry> reg{"codecs"};
    reg.add("gzip", 1);
    CHECK(reg.state() == roster::readiness::pending);
    CHECK_FALSE(reg.ready());
    CHECK(reg.pending() == 1);
    const unsigned line = __LINE__ + 1;
    const auto early = reg.try_at("gzip");
    REQUIRE_FALSE(early);
    CHECK(early.error().code == roster::errc::not_ready);
    CHECK(contains_text(early.error().message, "registry \"codecs\": cannot look up key \"gzip\""));
    CHECK(contains_text(early.error().message, line_text(line)));
    CHECK(contains_text(early.error().message, "has not been initialized (1 registration pending)"));
    CHECK(contains_text(early.error().message, "call finalize()"));
    CHECK_THROWS_AS(reg.get("gzip"), roster::not_ready_error);
    CHECK_THROWS_AS(reg.contains("gzip"), roster::not_ready_error);
    CHECK_THROWS_AS(reg.registry(), roster::not_ready_error);
    CHECK_THROWS_AS(reg.visit("gzip", [](int) {}), roster::not_ready_error);
}

TEST_CASE("staged: finalize commits every pending registration, freezes the registry and opens the latch",
          "[lifecycle][staged]") {
    roster::staged_registry<int_registry> reg{"startup"};
    reg.add("a", 1);
    reg.add("b", 2);
    const unsigned finalize_line = __LINE__ + 1;
    const auto report = reg.finalize();
    CHECK(report.added == 2);
    CHECK(reg.ready());
    CHECK(reg.state() == roster::readiness::ready);
    CHECK(reg.pending() == 0);
    CHECK(reg.at("a") == 1);
    CHECK(reg.get("b") == 2);
    CHECK(reg.contains("b"));
    CHECK(reg.names() == std::vector<std::string>{"a", "b"});
    CHECK(reg.registry().frozen());
    CHECK(reg.wait_ready());
    // Late registrations are refused, naming where finalize ran.
    const auto late = reg.try_add("c", 3);
    REQUIRE_FALSE(late);
    CHECK(late.error().code == roster::errc::frozen);
    CHECK(contains_text(late.error().message, line_text(finalize_line)));
    CHECK_THROWS_AS(reg.add("c", 3), roster::frozen_error);
    // finalize runs once: a second call returns the first outcome.
    CHECK(reg.finalize().added == 2);
    CHECK(reg.size() == 2);
}

TEST_CASE("staged: a refused finalize lists every problem, commits nothing and fails for good", "[lifecycle][staged]") {
    roster::staged_registry<int_registry> reg{"broken"};
    reg.add("a", 1);
    reg.add("a", 2);
    reg.add("", 3);
    const auto outcome = reg.try_finalize();
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::batch_refused);
    CHECK(contains_text(outcome.error().message, "2 problems"));
    CHECK(reg.state() == roster::readiness::failed);
    const auto waited = reg.wait_ready();
    REQUIRE_FALSE(waited);
    CHECK(waited.error() == outcome.error());
    const auto lookup = reg.try_at("a");
    REQUIRE_FALSE(lookup);
    CHECK(lookup.error().code == roster::errc::not_ready);
    CHECK(contains_text(lookup.error().message, "never became ready"));
    CHECK_THROWS_AS(reg.finalize(), roster::batch_error); // the same outcome again
}

TEST_CASE("staged: wait_ready_for gives up with not_ready when nobody finalizes", "[lifecycle][staged]") {
    roster::staged_registry<int_registry> reg{"idle"};
    reg.add("a", 1);
    const auto started = std::chrono::steady_clock::now();
    const auto waited = reg.wait_ready_for(std::chrono::milliseconds(20));
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(20));
    REQUIRE_FALSE(waited);
    CHECK(waited.error().code == roster::errc::not_ready);
    CHECK(contains_text(waited.error().message, "after waiting 20 ms"));
    (void)reg.finalize();
    CHECK(reg.wait_ready_for(std::chrono::milliseconds(0)));
}

TEST_CASE("staged: a subscriber in the pending phase hears finalize's commit as added events",
          "[lifecycle][staged][events]") {
    roster::staged_registry<int_registry> reg{"announced"};
    std::vector<std::string> heard;
    bool ready_during_event = true;
    const auto sub = reg.subscribe([&](const auto& e) {
        heard.push_back(*e.key);
        ready_during_event = reg.ready();
    });
    reg.add("x", 1);
    reg.add("y", 2);
    CHECK(heard.empty()); // pending registrations are not visible yet
    (void)reg.finalize();
    CHECK(heard == std::vector<std::string>{"x", "y"});
    CHECK_FALSE(ready_during_event); // documented: the latch opens after the commit's events
}

TEST_CASE("staged: consumers waiting on several threads wake when finalize runs and see the complete registry",
          "[lifecycle][staged][concurrency]") {
    roster::staged_registry<int_registry> reg{"latch"};
    constexpr int keys = 20;
    std::atomic<int> complete{0};
    std::vector<std::thread> consumers;
    for (int c = 0; c < 3; ++c) {
        consumers.emplace_back([&] {
            if (!reg.wait_ready()) return;
            if (reg.size() == static_cast<std::size_t>(keys) && reg.at("k0") == 0 && reg.at("k19") == 19)
                complete.fetch_add(1);
        });
    }
    std::vector<std::thread> producers;
    for (int p = 0; p < 2; ++p) {
        producers.emplace_back([&, p] {
            for (int i = p; i < keys; i += 2) reg.add(fmt::format("k{}", i), i);
        });
    }
    for (auto& t : producers) t.join();
    (void)reg.finalize();
    for (auto& t : consumers) t.join();
    CHECK(complete.load() == 3);
}

TEST_CASE("staged: concurrent finalize calls run it once and all get its outcome", "[lifecycle][staged][concurrency]") {
    roster::staged_registry<int_registry> reg{"once"};
    for (int i = 0; i < 10; ++i) reg.add(fmt::format("k{}", i), i);
    std::atomic<int> added_total{0};
    std::vector<std::thread> finalizers;
    for (int t = 0; t < 4; ++t) {
        finalizers.emplace_back([&] {
            const auto outcome = reg.try_finalize();
            if (outcome) added_total.fetch_add(static_cast<int>(outcome->added));
        });
    }
    for (auto& t : finalizers) t.join();
    CHECK(added_total.load() == 40); // every caller saw the single commit of 10
    CHECK(reg.size() == 10);
}

// ===========================================================================
// The error codes this header adds

TEST_CASE("errc: not_ready (8) and batch_refused (9) have stable numbers, names and exception types",
          "[lifecycle][error]") {
    CHECK(static_cast<int>(roster::errc::not_ready) == 8);
    CHECK(static_cast<int>(roster::errc::batch_refused) == 9);
    CHECK(std::string_view(roster::to_string(roster::errc::not_ready)) == "not_ready");
    CHECK(std::string_view(roster::to_string(roster::errc::batch_refused)) == "batch_refused");
    try {
        roster::raise(roster::error_info{roster::errc::not_ready, "too early"});
    } catch (const roster::not_ready_error& e) {
        CHECK(e.code() == roster::errc::not_ready);
        CHECK(std::string_view(e.what()) == "too early");
    }
    try {
        roster::raise(roster::error_info{roster::errc::batch_refused, "refused"});
    } catch (const roster::batch_error& e) {
        CHECK(e.code() == roster::errc::batch_refused);
        CHECK(std::string_view(e.what()) == "refused");
    }
    CHECK_THROWS_AS(roster::raise(roster::error_info{roster::errc::not_ready, "x"}), roster::error);
    CHECK_THROWS_AS(roster::raise(roster::error_info{roster::errc::batch_refused, "x"}), roster::batch_error);
}
