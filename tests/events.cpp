// Tests for roster/events.hpp on the core registry: subscribe(), the events
// each mutation produces and their payloads, delivery order, re-entrant and
// throwing listeners, and subscription handles. [concurrency] cases are run
// by the ThreadSanitizer build.
#include "support/catch.hpp"

#include "roster/events.hpp"
#include "roster/registry.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using int_registry = roster::registry<int>;
using int_event = int_registry::event_type;
using roster::change_kind;

/// What a listener saw, in a form that compares easily.
struct seen {
    change_kind kind;
    std::string key;
    std::optional<int> previous;
    std::optional<int> current;
    friend bool operator==(const seen&, const seen&) = default;
};

std::ostream& operator<<(std::ostream& out, const seen& s) {
    out << roster::to_string(s.kind) << ' ' << s.key << ' '
        << (s.previous ? std::to_string(*s.previous) : std::string("-")) << ' '
        << (s.current ? std::to_string(*s.current) : std::string("-"));
    return out;
}

seen record(const int_event& e) { return seen{e.kind, e.key.value_or("<none>"), e.previous, e.current}; }

/// A listener that appends what it sees (single-threaded tests).
struct recorder {
    std::vector<seen> events;
    auto listener() {
        return [this](const int_event& e) { events.push_back(record(e)); };
    }
};

} // namespace

// ===========================================================================
// What each mutation reports

TEST_CASE("events: add, replace and remove are delivered in mutation order as added, changed and removed with "
          "their values",
          "[events]") {
    roster::registry<int, roster::on_duplicate::replace> reg{"events"};
    recorder log;
    const auto sub = reg.subscribe(log.listener());
    reg.add("a", 1);
    reg.add("b", 2);
    reg.add("a", 10); // replace
    CHECK(reg.remove("b") == 2);
    const std::vector<seen> expected{
        {change_kind::added, "a", std::nullopt, 1},
        {change_kind::added, "b", std::nullopt, 2},
        {change_kind::changed, "a", 1, 10},
        {change_kind::removed, "b", 2, std::nullopt},
    };
    CHECK(log.events == expected);
}

TEST_CASE("events: an event says where the change was made and carries version 0 on a core registry", "[events]") {
    int_registry reg{"located"};
    std::vector<unsigned> lines;
    std::vector<std::uint64_t> versions;
    const auto sub = reg.subscribe([&](const int_event& e) {
        lines.push_back(static_cast<unsigned>(e.where.line()));
        versions.push_back(e.version);
    });
    const unsigned add_line = __LINE__ + 1;
    reg.add("a", 1);
    const unsigned remove_line = __LINE__ + 1;
    (void)reg.remove("a");
    CHECK(lines == std::vector<unsigned>{add_line, remove_line});
    CHECK(versions == std::vector<std::uint64_t>{0, 0});
}

TEST_CASE("events: during a removed event the old value is still readable although the registry no longer has it",
          "[events]") {
    roster::registry<std::shared_ptr<const std::string>> reg{"owned"};
    std::weak_ptr<const std::string> watch;
    {
        auto value = std::make_shared<const std::string>("still here");
        watch = value;
        reg.add("k", std::move(value));
    }
    std::string read_during_event;
    bool registry_had_it = true;
    const auto sub = reg.subscribe([&](const auto& e) {
        if (e.kind != change_kind::removed) return;
        registry_had_it = reg.contains(*e.key); // a listener may read the registry
        read_during_event = **e.previous;
    });
    CHECK(*reg.remove("k") == "still here"); // the returned value is dropped at once
    CHECK(read_during_event == "still here");
    CHECK_FALSE(registry_had_it);
    CHECK(watch.expired()); // the event let go of its copy after delivery
}

TEST_CASE("events: handle removal reports removed; refused adds and kept duplicates report nothing", "[events]") {
    roster::registry<int, roster::on_duplicate::keep_first> reg{"quiet"};
    recorder log;
    const auto sub = reg.subscribe(log.listener());
    auto handle = reg.add("a", 1).handle();
    reg.add("a", 2);                              // kept_existing: no change, no event
    CHECK_THROWS_AS(reg.add("", 3), roster::invalid_key_error); // refused: no event
    CHECK(handle.remove());
    const std::vector<seen> expected{
        {change_kind::added, "a", std::nullopt, 1},
        {change_kind::removed, "a", 1, std::nullopt},
    };
    CHECK(log.events == expected);
}

TEST_CASE("events: a subscriber hears only mutations made after it subscribed, listeners in subscription order",
          "[events]") {
    int_registry reg{"late"};
    reg.add("before", 0);
    std::vector<std::string> order;
    const auto first = reg.subscribe([&](const int_event& e) { order.push_back("first:" + *e.key); });
    reg.add("middle", 1);
    const auto second = reg.subscribe([&](const int_event& e) { order.push_back("second:" + *e.key); });
    reg.add("after", 2);
    CHECK(order == std::vector<std::string>{"first:middle", "first:after", "second:after"});
}

// ===========================================================================
// Subscriptions

TEST_CASE("subscription: destroying or resetting the handle unsubscribes; release keeps the listener", "[events]") {
    int_registry reg{"handles"};
    int a = 0;
    int b = 0;
    int c = 0;
    {
        const auto scoped = reg.subscribe([&](const int_event&) { ++a; });
        reg.add("x", 1);
    }
    auto reset_me = reg.subscribe([&](const int_event&) { ++b; });
    CHECK(reset_me.active());
    reg.add("y", 2);
    reset_me.reset();
    CHECK_FALSE(reset_me.active());
    reg.subscribe([&](const int_event&) { ++c; }).release(); // stays for the registry's lifetime
    reg.add("z", 3);
    CHECK(a == 1);
    CHECK(b == 1);
    CHECK(c == 1);
}

TEST_CASE("subscription: moving a handle moves the listener; assigning over a handle unsubscribes its listener",
          "[events]") {
    int_registry reg{"moves"};
    int a = 0;
    int b = 0;
    roster::subscription held = reg.subscribe([&](const int_event&) { ++a; });
    roster::subscription moved = std::move(held);
    CHECK_FALSE(held.active()); // NOLINT(bugprone-use-after-move): a moved-from handle is empty
    CHECK(moved.active());
    reg.add("x", 1);
    moved = reg.subscribe([&](const int_event&) { ++b; });
    reg.add("y", 2);
    CHECK(a == 1);
    CHECK(b == 1);
}

TEST_CASE("subscription: a handle that outlives its registry is inactive and harmless", "[events]") {
    roster::subscription sub;
    {
        int_registry reg{"short-lived"};
        sub = reg.subscribe([](const int_event&) {});
        CHECK(sub.active());
    }
    CHECK_FALSE(sub.active());
    sub.reset(); // no registry to talk to: nothing happens
    CHECK_FALSE(sub.active());
}

TEST_CASE("subscription: a listener may unsubscribe itself from inside its own call", "[events]") {
    int_registry reg{"one-shot"};
    int calls = 0;
    roster::subscription sub;
    sub = reg.subscribe([&](const int_event&) {
        ++calls;
        sub.reset(); // returns at once: does not wait for itself
    });
    reg.add("a", 1);
    reg.add("b", 2);
    CHECK(calls == 1);
    CHECK_FALSE(sub.active());
}

// ===========================================================================
// Re-entrant and throwing listeners

TEST_CASE("events: a listener may mutate the registry; its events come after the current one reached every "
          "listener, in order",
          "[events]") {
    int_registry reg{"reentrant"};
    std::vector<std::string> order;
    const auto first = reg.subscribe([&](const int_event& e) {
        order.push_back(fmt::format("first:{}:{}", roster::to_string(e.kind), *e.key));
        if (e.kind == change_kind::added && *e.key == "a") {
            reg.add("b", 2);              // re-entrant mutation: no deadlock
            order.push_back("first:added b returned");
            CHECK(reg.get("b") == 2);     // already applied, event not yet delivered
            (void)reg.remove("a");        // and another one
        }
    });
    const auto second = reg.subscribe([&](const int_event& e) {
        order.push_back(fmt::format("second:{}:{}", roster::to_string(e.kind), *e.key));
    });
    reg.add("a", 1);
    const std::vector<std::string> expected{
        "first:added:a", "first:added b returned", "second:added:a", // "a" reaches everyone first
        "first:added:b",   "second:added:b",                         // then the re-entrant ones, in order
        "first:removed:a", "second:removed:a",
    };
    CHECK(order == expected);
    CHECK(reg.names() == std::vector<std::string>{"b"});
}

TEST_CASE("events: a throwing listener neither corrupts the registry nor stops the other listeners; its error "
          "handler gets the exception and the event",
          "[events]") {
    int_registry reg{"throwing"};
    std::vector<std::string> reported;
    const auto thrower = reg.subscribe(
        [](const int_event& e) {
            if (*e.key == "bad") throw std::runtime_error("listener failed on bad");
        },
        [&](const int_event& e, std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::runtime_error& thrown) {
                reported.push_back(fmt::format("{}:{}", *e.key, thrown.what()));
            }
        });
    std::vector<std::string> heard;
    const auto bystander = reg.subscribe([&](const int_event& e) { heard.push_back(*e.key); });
    reg.add("good", 1);
    CHECK_NOTHROW(reg.add("bad", 2)); // the mutation itself succeeded
    reg.add("after", 3);
    CHECK(reported == std::vector<std::string>{"bad:listener failed on bad"});
    CHECK(heard == std::vector<std::string>{"good", "bad", "after"});
    CHECK(reg.get("bad") == 2);
    CHECK(reg.size() == 3);
}

TEST_CASE("events: an error handler that throws is ignored and delivery goes on", "[events]") {
    int_registry reg{"double-fault"};
    int heard = 0;
    const auto thrower = reg.subscribe([](const int_event&) { throw 42; },
                                       [](const int_event&, std::exception_ptr) { throw std::logic_error("no"); });
    const auto bystander = reg.subscribe([&](const int_event&) { ++heard; });
    CHECK_NOTHROW(reg.add("a", 1));
    CHECK_NOTHROW(reg.add("b", 2));
    CHECK(heard == 2);
}

namespace {
/// Counts copies, to prove that nobody listening means no event is built.
struct counted {
    static inline int copies = 0;
    int value = 0;
    explicit counted(int v) : value(v) {}
    counted(const counted& other) : value(other.value) { ++copies; }
    counted(counted&&) noexcept = default;
    counted& operator=(const counted&) = default;
    counted& operator=(counted&&) noexcept = default;
    ~counted() = default;
};
} // namespace

TEST_CASE("events: with nobody subscribed a mutation builds no event (copies nothing)", "[events]") {
    roster::registry<counted> reg{"unobserved"};
    counted::copies = 0;
    reg.add("a", counted{1});
    (void)reg.remove("a");
    CHECK(counted::copies == 0);
    {
        const auto sub = reg.subscribe([](const auto&) {});
        reg.add("b", counted{2});
        CHECK(counted::copies == 1); // the added event's copy
    }
    counted::copies = 0;
    reg.add("c", counted{3});
    CHECK(counted::copies == 0); // unsubscribed: back to no copies
}

// ===========================================================================
// Concurrency

TEST_CASE("events: mutations on several threads are each delivered exactly once, one listener call at a time",
          "[events][concurrency]") {
    int_registry reg{"busy"};
    std::atomic<int> in_listener{0};
    std::atomic<int> overlaps{0};
    std::mutex seen_mutex;
    std::vector<std::string> added;
    std::vector<std::string> removed;
    const auto sub = reg.subscribe([&](const int_event& e) {
        if (in_listener.fetch_add(1) != 0) overlaps.fetch_add(1);
        {
            const std::lock_guard lock(seen_mutex);
            (e.kind == change_kind::added ? added : removed).push_back(*e.key);
        }
        in_listener.fetch_sub(1);
    });
    constexpr int threads = 4;
    constexpr int per_thread = 100;
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string key = fmt::format("t{}.{}", t, i);
                reg.add(key, i);
                if (i % 2 == 0) (void)reg.remove(key);
            }
        });
    }
    for (auto& w : writers) w.join();
    // Once every writer returned, everything is delivered: a writer that found another thread
    // delivering left its events to it, and that thread returns only with the queue empty.
    CHECK(overlaps.load() == 0);
    const std::lock_guard lock(seen_mutex);
    CHECK(added.size() == static_cast<std::size_t>(threads * per_thread));
    CHECK(removed.size() == static_cast<std::size_t>(threads * per_thread / 2));
    CHECK(reg.size() == static_cast<std::size_t>(threads * per_thread / 2));
}

TEST_CASE("events: per key, events arrive in the order the mutations were made, whatever thread delivers them",
          "[events][concurrency]") {
    int_registry reg{"ordered"};
    std::mutex seen_mutex;
    std::vector<std::vector<int>> per_thread(3);
    const auto sub = reg.subscribe([&](const int_event& e) {
        if (e.kind != change_kind::added) return;
        const std::lock_guard lock(seen_mutex);
        per_thread[static_cast<std::size_t>(e.key->at(1) - '0')].push_back(*e.current);
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 3; ++t) {
        writers.emplace_back([&, t] {
            const std::string key = fmt::format("t{}", t);
            for (int i = 0; i < 200; ++i) {
                reg.add(key, i);
                (void)reg.remove(key);
            }
        });
    }
    for (auto& w : writers) w.join();
    const std::lock_guard lock(seen_mutex);
    for (const auto& values : per_thread) {
        REQUIRE(values.size() == 200);
        for (std::size_t i = 0; i < values.size(); ++i) CHECK(values[i] == static_cast<int>(i));
    }
}

TEST_CASE("subscription: reset() on another thread waits until the running listener has returned",
          "[events][concurrency]") {
    int_registry reg{"waiting"};
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    std::atomic<int> calls{0};
    auto sub = reg.subscribe([&](const int_event&) {
        calls.fetch_add(1);
        entered.store(true);
        while (!release.load()) std::this_thread::yield();
        finished.store(true);
    });
    std::thread mutator([&] { reg.add("a", 1); });
    while (!entered.load()) std::this_thread::yield();
    std::atomic<bool> reset_returned{false};
    bool finished_when_reset_returned = false;
    std::thread unsubscriber([&] {
        sub.reset();
        finished_when_reset_returned = finished.load();
        reset_returned.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(reset_returned.load()); // still waiting for the listener
    release.store(true);
    unsubscriber.join();
    mutator.join();
    CHECK(finished_when_reset_returned);
    reg.add("b", 2);
    CHECK(calls.load() == 1); // never called again

}

TEST_CASE("events: listeners that read and mutate the registry from several threads never deadlock",
          "[events][concurrency]") {
    int_registry reg{"tangled"};
    std::atomic<int> echoes{0};
    const auto sub = reg.subscribe([&](const int_event& e) {
        (void)reg.size();
        if (e.kind == change_kind::added && e.key->rfind("echo.", 0) != 0) {
            reg.add("echo." + *e.key, *e.current); // re-entrant, possibly on another thread's delivery
            echoes.fetch_add(1);
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 3; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) reg.add(fmt::format("t{}.{}", t, i), i);
        });
    }
    for (auto& w : writers) w.join();
    // Every writer returned: the thread that drained delivered everything queued, echoes included.
    CHECK(echoes.load() == 150);
    CHECK(reg.size() == 300);
}

TEST_CASE("events: subscribing while another thread mutates yields exactly the later mutations, in order",
          "[events][concurrency]") {
    int_registry reg{"joining"};
    constexpr int total = 400;
    std::atomic<int> added_so_far{0};
    std::atomic<bool> subscribed{false};
    std::thread writer([&] {
        for (int i = 0; i < total; ++i) {
            if (i == total / 2)
                while (!subscribed.load()) std::this_thread::yield(); // leave some mutations for after it
            reg.add(fmt::format("k{}", i), i);
            added_so_far.store(i + 1);
        }
    });
    while (added_so_far.load() < total / 4) std::this_thread::yield();
    std::vector<int> heard; // written only by the delivering thread, read after join
    std::mutex heard_mutex;
    const auto sub = reg.subscribe([&](const int_event& e) {
        const std::lock_guard lock(heard_mutex);
        heard.push_back(*e.current);
    });
    const int registered_before = static_cast<int>(reg.size()); // no later than the subscription took effect
    subscribed.store(true);
    writer.join();
    const std::lock_guard lock(heard_mutex);
    REQUIRE_FALSE(heard.empty());
    CHECK(heard.back() == total - 1);
    for (std::size_t i = 1; i < heard.size(); ++i) CHECK(heard[i] == heard[i - 1] + 1); // contiguous, in order
    CHECK(heard.front() <= registered_before);  // nothing missed after subscribing...
    CHECK(heard.front() >= total / 4);          // ...and nothing from before it
}

TEST_CASE("events: a listener may destroy the registry it listens to; the other listeners still get the event",
          "[events]") {
    // It once freed the event hub while its delivery was running (a
    // use-after-free that the ASan build reports).
    auto reg = std::make_unique<roster::registry<int>>("events.self_destroying");
    int first = 0;
    int second = 0;
    auto destroyer = reg->subscribe([&](const auto& event) {
        ++first;
        if (event.kind == roster::change_kind::removed) reg.reset();
    });
    auto bystander = reg->subscribe([&](const auto&) { ++second; });
    reg->add("k", 1);
    (void)reg->try_remove("k"); // returns normally; the registry is gone
    CHECK(reg == nullptr);
    CHECK(first == 2);
    CHECK(second == 2); // the removal reached the listener after the destroyer too
    destroyer.reset();  // unsubscribing from a registry that is gone does nothing
    bystander.reset();
    CHECK_FALSE(destroyer.active());
}
