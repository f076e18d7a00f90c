// Tests for roster/catalog.hpp: the process-wide catalog of listed
// registries, registry reports, catalog subscribers and log_registrations.
// Every registry here has a name no other test uses: the catalog refuses two
// live listed registries with one name.
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/catalog.hpp"

#include "roster/factory.hpp"
#include "roster/registry.hpp"
#include "roster/versioned.hpp"

#include <algorithm> // std::find, std::is_sorted
#include <atomic>    // the concurrency test's stop flag
#include <cstdio>    // std::tmpfile: log_registrations output
#include <fmt/format.h>
#include <memory>    // std::unique_ptr: a move-only value
#include <new>       // std::bad_alloc: injected allocation failures
#include <mutex>     // guards what listeners record
#include <optional>  // std::optional
#include <string>    // std::string
#include <thread>    // std::thread
#include <vector>    // std::vector

namespace {

using listed_registry = roster::registry<int, roster::listing::listed>;

/// Everything written to `file` so far.
std::string contents(std::FILE* file) {
    std::string text;
    std::rewind(file);
    char buffer[256];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
    return text;
}

/// A catalog subscriber that records what it hears.
struct recorder {
    std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
    std::shared_ptr<std::vector<roster::registration_event>> events =
        std::make_shared<std::vector<roster::registration_event>>();
    void operator()(const roster::registration_event& event) const {
        std::lock_guard lock(*mutex);
        events->push_back(event);
    }
    /// The events about `registry` (other tests' registries may be listed too).
    std::vector<roster::registration_event> about(const std::string& registry) const {
        std::lock_guard lock(*mutex);
        std::vector<roster::registration_event> out;
        for (const auto& e : *events)
            if (e.registry == registry) out.push_back(e);
        return out;
    }
};

} // namespace

TEST_CASE("catalog: a listed registry is listed from construction to destruction", "[catalog]") {
    auto& catalog = roster::catalog::instance();
    REQUIRE_FALSE(catalog.contains("catalog.lifetime"));
    {
        listed_registry reg{"catalog.lifetime"};
        CHECK(catalog.contains("catalog.lifetime"));
        const auto names = catalog.names();
        CHECK(std::find(names.begin(), names.end(), "catalog.lifetime") != names.end());
        CHECK(std::is_sorted(names.begin(), names.end()));
    }
    CHECK_FALSE(catalog.contains("catalog.lifetime"));
    CHECK_FALSE(catalog.get("catalog.lifetime").has_value());
}

TEST_CASE("catalog: an unlisted registry is never in the catalog", "[catalog]") {
    const std::size_t before = roster::catalog::instance().size();
    roster::registry<int> reg{"catalog.unlisted"};
    reg.add("a", 1);
    CHECK_FALSE(roster::catalog::instance().contains("catalog.unlisted"));
    CHECK(roster::catalog::instance().size() == before);
}

TEST_CASE("catalog: a second live registry under a listed name is refused naming both construction sites",
          "[catalog][errors]") {
    listed_registry first{"catalog.duplicate"};
    first.add("kept", 1);
    const int line = __LINE__ + 2;
    try {
        listed_registry second{"catalog.duplicate"};
        FAIL("the second registry was listed");
    } catch (const roster::duplicate_key_error& e) {
        const std::string what = e.what();
        CHECK_THAT(what, roster_test::contains("\"catalog.duplicate\" is already listed"));
        CHECK_THAT(what, roster_test::contains("catalog.cpp:" + std::to_string(line)));
        CHECK_THAT(what, roster_test::contains("catalog.cpp:" + std::to_string(line - 4)));
    }
    // The first one is untouched, and still the one listed.
    const auto report = roster::catalog::instance().at("catalog.duplicate");
    REQUIRE(report.entries.size() == 1);
    CHECK(report.entries[0].key == "\"kept\"");
}

TEST_CASE("catalog: a name freed by a destroyed registry can be listed again", "[catalog]") {
    { listed_registry first{"catalog.reuse"}; }
    listed_registry second{"catalog.reuse"};
    CHECK(roster::catalog::instance().contains("catalog.reuse"));
}

TEST_CASE("catalog: a report gives types, creation site, state and every entry sorted with where it was added",
          "[catalog]") {
    const int created = __LINE__ + 1;
    listed_registry reg{"catalog.report"};
    auto report = roster::catalog::instance().at("catalog.report");
    CHECK(report.name == "catalog.report");
    CHECK(report.key_type == roster::detail::type_name<std::string>());
    CHECK(report.value_type == "int");
    CHECK(report.created_at.line() == static_cast<unsigned>(created));
    CHECK(report.state == roster::lifecycle::empty);
    CHECK(report.entries.empty());
    CHECK_FALSE(report.lookups.has_value()); // no counters:: policy

    const int added = __LINE__ + 1;
    reg.add("zeta", 26);
    reg.add("alpha", 1);
    report = roster::catalog::instance().at("catalog.report");
    CHECK(report.state == roster::lifecycle::populated);
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"alpha\"");
    CHECK(report.entries[1].key == "\"zeta\"");
    CHECK(report.entries[1].where.line() == static_cast<unsigned>(added));
    CHECK_FALSE(report.entries[0].hits.has_value());

    const int frozen = __LINE__ + 1;
    reg.freeze();
    report = reg.report(); // the same report, straight from the registry
    CHECK(report.state == roster::lifecycle::frozen);
    REQUIRE(report.frozen_at.has_value());
    CHECK(report.frozen_at->line() == static_cast<unsigned>(frozen));
}

TEST_CASE("catalog: at() of an unknown name names the nearest listed registries", "[catalog][errors]") {
    listed_registry reg{"catalog.nearest.codecs"};
    const auto missed = roster::catalog::instance().try_at("catalog.nearest.codec");
    REQUIRE_FALSE(missed.has_value());
    CHECK(missed.error().code == roster::errc::not_found);
    CHECK_THAT(missed.error().message, roster_test::contains("\"catalog.nearest.codec\""));
    CHECK_THAT(missed.error().message, roster_test::contains("catalog.nearest.codecs"));
    CHECK_THROWS_AS(roster::catalog::instance().at("catalog.nearest.codec"), roster::not_found_error);
}

TEST_CASE("catalog: snapshot() reports every listed registry sorted by name", "[catalog]") {
    listed_registry b{"catalog.snapshot.b"};
    listed_registry a{"catalog.snapshot.a"};
    a.add("x", 1);
    const auto all = roster::catalog::instance().snapshot();
    std::vector<std::string> names;
    for (const auto& r : all) names.push_back(r.name);
    CHECK(std::is_sorted(names.begin(), names.end()));
    const auto it = std::find(names.begin(), names.end(), "catalog.snapshot.a");
    REQUIRE(it != names.end());
    REQUIRE(std::next(it) != names.end());
    CHECK(*std::next(it) == "catalog.snapshot.b");
    CHECK(all[static_cast<std::size_t>(it - names.begin())].entries.size() == 1);
}

TEST_CASE("catalog: factories and versioned registries are listed and reported like the core", "[catalog]") {
    roster::factory<int(), roster::listing::listed> makers{"catalog.factory"};
    makers.add("one", [] { return 1; });
    roster::versioned_registry<int, int, roster::listing::listed> versions{"catalog.versioned"};
    versions.add("codec", 2, 20);
    const auto factory_report = roster::catalog::instance().at("catalog.factory");
    REQUIRE(factory_report.entries.size() == 1);
    CHECK(factory_report.entries[0].key == "\"one\"");
    const auto versioned_report = roster::catalog::instance().at("catalog.versioned");
    REQUIRE(versioned_report.entries.size() == 1);
    CHECK_THAT(versioned_report.entries[0].key, roster_test::contains("codec"));
    CHECK_THAT(versioned_report.entries[0].key, roster_test::contains("2"));
}

TEST_CASE("catalog: subscribe() first replays the entries registered before it, then reports changes live",
          "[catalog][events]") {
    listed_registry reg{"catalog.subscribe"};
    const int before = __LINE__ + 1;
    reg.add("early", 1);
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    CHECK(subscription.active());
    {
        const auto events = heard.about("catalog.subscribe");
        REQUIRE(events.size() == 1);
        CHECK(events[0].kind == roster::change_kind::added);
        CHECK(events[0].key == "\"early\"");
        CHECK(events[0].replayed);
        CHECK(events[0].where.line() == static_cast<unsigned>(before));
    }
    const int added = __LINE__ + 1;
    auto handle = reg.add("late", 2).handle();
    const int removed = __LINE__ + 1;
    reg.remove("early");
    const auto events = heard.about("catalog.subscribe");
    REQUIRE(events.size() == 3);
    CHECK(events[1].kind == roster::change_kind::added);
    CHECK(events[1].key == "\"late\"");
    CHECK_FALSE(events[1].replayed);
    CHECK(events[1].where.line() == static_cast<unsigned>(added));
    CHECK(events[2].kind == roster::change_kind::removed);
    CHECK(events[2].key == "\"early\"");
    CHECK(events[2].where.line() == static_cast<unsigned>(removed));
}

TEST_CASE("catalog: a registry created after subscribe() reports to the subscriber too", "[catalog][events]") {
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    listed_registry reg{"catalog.subscribe.later"};
    reg.add("k", 1);
    const auto events = heard.about("catalog.subscribe.later");
    REQUIRE(events.size() == 1);
    CHECK(events[0].key == "\"k\"");
    CHECK_FALSE(events[0].replayed);
}

TEST_CASE("catalog: after the subscription is reset, nothing more is reported", "[catalog][events]") {
    listed_registry reg{"catalog.unsubscribe"};
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    reg.add("heard", 1);
    subscription.reset();
    CHECK_FALSE(subscription.active());
    reg.add("unheard", 2);
    listed_registry later{"catalog.unsubscribe.later"};
    later.add("unheard", 3);
    const auto events = heard.about("catalog.unsubscribe");
    REQUIRE(events.size() == 1);
    CHECK(events[0].key == "\"heard\"");
    CHECK(heard.about("catalog.unsubscribe.later").empty());
}

TEST_CASE("catalog: registries of move-only values are replayed but send no live events", "[catalog][events]") {
    roster::registry<std::unique_ptr<int>, roster::listing::listed> reg{"catalog.move_only"};
    reg.add("before", std::make_unique<int>(1));
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    reg.add("after", std::make_unique<int>(2));
    const auto events = heard.about("catalog.move_only");
    REQUIRE(events.size() == 1);
    CHECK(events[0].key == "\"before\"");
    CHECK(events[0].replayed);
    CHECK(reg.report().entries.size() == 2);
}

TEST_CASE("log_registrations: writes one line per event naming the registry, the key and the location",
          "[catalog][events]") {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
    REQUIRE(file != nullptr);
    listed_registry reg{"catalog.log"};
    reg.add("replayed", 1);
    auto subscription = roster::catalog::instance().subscribe(roster::log_registrations(file.get()));
    const int line = __LINE__ + 1;
    reg.add("gzip", 2);
    subscription.reset();
    const std::string text = contents(file.get());
    CHECK_THAT(text, roster_test::contains("roster: registry \"catalog.log\": added \"replayed\" at"));
    CHECK_THAT(text, roster_test::contains("(registered before subscribing)"));
    CHECK_THAT(text, roster_test::contains("roster: registry \"catalog.log\": added \"gzip\" at"));
    CHECK_THAT(text, roster_test::contains("catalog.cpp:" + std::to_string(line)));
    std::size_t lines_about_it = 0;
    for (std::size_t at = text.find("\"catalog.log\""); at != std::string::npos;
         at = text.find("\"catalog.log\"", at + 1))
        ++lines_about_it;
    CHECK(lines_about_it == 2);
}

TEST_CASE("log_registrations: the registry's name is quoted and escaped, so every event is one line",
          "[catalog][events]") {
    const std::string line = roster::detail::registration_line(
        roster::registration_event{roster::change_kind::added, "log\nforged \"line\"", "\"k\"", {}, false});
    CHECK(line.rfind(R"(roster: registry "log\nforged \"line\"": added "k" at )", 0) == 0);
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
}

TEST_CASE("log_registrations: the same lines from one registry's own subscribe(), listed or not",
          "[catalog][events]") {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
    REQUIRE(file != nullptr);
    roster::registry<int> reg{"catalog.log.one"};
    auto subscription = reg.subscribe(roster::log_registrations(reg, file.get()));
    const int line = __LINE__ + 1;
    reg.add("deflate", 1);
    reg.remove("deflate");
    const std::string text = contents(file.get());
    CHECK_THAT(text, roster_test::contains("roster: registry \"catalog.log.one\": added \"deflate\" at"));
    CHECK_THAT(text, roster_test::contains("catalog.cpp:" + std::to_string(line)));
    CHECK_THAT(text, roster_test::contains("roster: registry \"catalog.log.one\": removed \"deflate\" at"));
}

TEST_CASE("catalog: snapshots, subscribers and lookups are safe while listed registries are created and destroyed "
          "on other threads",
          "[catalog][concurrency]") {
    std::atomic<bool> stop{false};
    std::atomic<int> created{0};
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    std::vector<std::thread> churn;
    for (int t = 0; t < 2; ++t) {
        churn.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                listed_registry reg{"catalog.churn." + std::to_string(t) + "." + std::to_string(i % 7)};
                reg.add("a", i);
                reg.add("b", i);
                (void)reg.get("a");
                if (i % 2 == 0) reg.freeze();
                ++created;
            }
        });
    }
    std::thread reader([&] {
        while (!stop.load()) {
            for (const auto& report : roster::catalog::instance().snapshot()) {
                CHECK(!report.name.empty());
                CHECK(report.entries.size() <= 2);
            }
            (void)roster::catalog::instance().names();
            (void)roster::catalog::instance().get("catalog.churn.0.3");
        }
    });
    for (auto& t : churn) t.join();
    stop = true;
    reader.join();
    CHECK(created.load() == 400);
    subscription.reset();
    // Every registry is gone again, and every live event named one of them.
    for (const auto& name : roster::catalog::instance().names()) CHECK(name.rfind("catalog.churn.", 0) != 0);
    std::lock_guard lock(*heard.mutex);
    std::size_t churn_events = 0;
    for (const auto& e : *heard.events)
        if (e.registry.rfind("catalog.churn.", 0) == 0) ++churn_events;
    CHECK(churn_events == 800); // two adds per registry; nothing was removed
}

TEST_CASE("catalog: one subscriber never runs on two threads at once, though each registry delivers on its own "
          "thread",
          "[catalog][events][concurrency]") {
    listed_registry left{"catalog.serial.left"};
    listed_registry right{"catalog.serial.right"};
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    std::size_t calls = 0; // written only by the subscriber: a race here is what TSan would report
    auto subscription = roster::catalog::instance().subscribe([&](const roster::registration_event& event) {
        if (event.registry.rfind("catalog.serial.", 0) != 0) return;
        if (inside.fetch_add(1) != 0) ++overlaps;
        ++calls;
        std::this_thread::yield(); // widen the window in which a second thread could come in
        inside.fetch_sub(1);
    });
    std::thread a([&] {
        for (int i = 0; i < 200; ++i) left.add("l" + std::to_string(i), i);
    });
    std::thread b([&] {
        for (int i = 0; i < 200; ++i) right.add("r" + std::to_string(i), i);
    });
    a.join();
    b.join();
    subscription.reset();
    CHECK(overlaps.load() == 0);
    CHECK(calls == 400); // every event delivered, by whichever thread was delivering
}

TEST_CASE("catalog: a subscriber's events from one registry arrive in mutation order, even when another thread "
          "delivers them",
          "[catalog][events][concurrency]") {
    listed_registry left{"catalog.order.left"};
    listed_registry right{"catalog.order.right"};
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    std::thread a([&] {
        for (int i = 0; i < 100; ++i) left.add(fmt::format("{:03}", i), i);
    });
    std::thread b([&] {
        for (int i = 0; i < 100; ++i) right.add(fmt::format("{:03}", i), i);
    });
    a.join();
    b.join();
    subscription.reset();
    for (const char* name : {"catalog.order.left", "catalog.order.right"}) {
        const auto events = heard.about(name);
        REQUIRE(events.size() == 100);
        for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].key == fmt::format("\"{:03}\"", i));
    }
}

TEST_CASE("catalog: a registry whose listing fails for lack of memory is not left in the catalog",
          "[catalog][errors]") {
    // A subscriber exists, so listing a newcomer also subscribes it to that
    // subscriber: a step that allocates after the name is reserved.
    recorder heard;
    auto subscription = roster::catalog::instance().subscribe(heard);
    int failures = 0;
    for (std::size_t nth = 1; nth < 1000; ++nth) {
        std::optional<listed_registry> reg;
        bool threw = false;
        {
            roster_test::allocation_failure fail(nth);
            try {
                reg.emplace("catalog.enrol.no_memory");
            } catch (const std::bad_alloc&) {
                threw = true;
            }
        }
        if (!threw) {
            REQUIRE(reg.has_value());
            CHECK(roster::catalog::instance().contains("catalog.enrol.no_memory"));
            reg->add("k", 1); // and the newcomer reports to the subscriber
            CHECK(heard.about("catalog.enrol.no_memory").size() == 1);
            break;
        }
        ++failures;
        INFO("allocation " << nth << " failed");
        CHECK_FALSE(roster::catalog::instance().contains("catalog.enrol.no_memory"));
        for (const auto& report : roster::catalog::instance().snapshot()) CHECK(report.name != "catalog.enrol.no_memory");
    }
    CHECK(failures > 2);
}

TEST_CASE("catalog: a subscribe() that fails for lack of memory leaves no subscriber behind", "[catalog][errors]") {
    listed_registry one{"catalog.subscribe.no_memory.1"};
    listed_registry two{"catalog.subscribe.no_memory.2"};
    one.add("a", 1);
    two.add("b", 2);
    int failures = 0;
    for (std::size_t nth = 1; nth < 1000; ++nth) {
        auto calls = std::make_shared<std::atomic<int>>(0);
        std::optional<roster::catalog_subscription> subscription;
        bool threw = false;
        {
            roster_test::allocation_failure fail(nth);
            try {
                subscription.emplace(roster::catalog::instance().subscribe(
                    [calls](const roster::registration_event&) { ++*calls; }));
            } catch (const std::bad_alloc&) {
                threw = true;
            }
        }
        if (!threw) {
            REQUIRE(subscription.has_value());
            const int before = calls->load();
            one.add("live" + std::to_string(nth), 3);
            CHECK(calls->load() == before + 1);
            break;
        }
        ++failures;
        INFO("allocation " << nth << " failed");
        const int before = calls->load();
        one.add("after" + std::to_string(nth), 3);
        two.add("after" + std::to_string(nth), 3);
        listed_registry later{"catalog.subscribe.no_memory.later"}; // listed after the failure
        later.add("after", 3);
        CHECK(calls->load() == before); // the failed subscriber hears nothing more
    }
    CHECK(failures > 2);
}
