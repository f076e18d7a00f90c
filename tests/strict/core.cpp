// tests/strict/core.cpp — the core registry, the factory and the versioned
// registry, each instantiated with the three value kinds of common.hpp
// (a function pointer, std::shared_ptr, std::function) and driven through
// their common members, including the miss paths. Built by tests/strict/run.sh
// with every strict warning as an error; returns nonzero if a check fails.
#include <roster/catalog.hpp>
#include <roster/counters.hpp>
#include <roster/events.hpp>
#include <roster/factory.hpp>
#include <roster/ordered.hpp>
#include <roster/lifecycle.hpp>
#include <roster/policies.hpp>
#include <roster/prometheus.hpp>
#include <roster/registry.hpp>
#include <roster/versioned.hpp>

#include "common.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using strict::call;
using strict::make;

// ------------------------------------------------------------------ registry

template <class V, class... Policies>
void test_registry() {
    using registry_type = roster::registry<V, Policies...>;
    registry_type reg{strict::name_of<V>("core")};
    STRICT_CHECK(reg.name() == strict::name_of<V>("core"));
    STRICT_CHECK(reg.empty());
    STRICT_CHECK(reg.state() == roster::lifecycle::empty);

    // subscribe: every later change, delivered before the mutating call returns (one thread)
    std::size_t added_events = 0;
    std::size_t removed_events = 0;
    roster::subscription sub = reg.subscribe([&](const typename registry_type::event_type& event) {
        if (event.kind == roster::change_kind::added) ++added_events;
        if (event.kind == roster::change_kind::removed) ++removed_events;
    });
    STRICT_CHECK(sub.active());

    // add / try_add
    auto first = reg.add("one", make<V>(1));
    STRICT_CHECK(first.status() == roster::add_status::added);
    STRICT_CHECK(static_cast<bool>(first));
    auto second = reg.try_add("two", make<V>(2));
    STRICT_CHECK(static_cast<bool>(second));
    auto duplicate = reg.try_add("one", make<V>(3));
    STRICT_CHECK(!duplicate);
    STRICT_CHECK(duplicate.status() == roster::add_status::refused);
    STRICT_CHECK(duplicate.error().code == roster::errc::duplicate_key);
    STRICT_CHECK(duplicate.existing().has_value());
    STRICT_CHECK(call(*duplicate.existing()->value, 10) == 11);
    STRICT_CHECK_THROWS_AS(roster::duplicate_key_error, reg.add("one", make<V>(3)));
    auto bad_key = reg.try_add("", make<V>(1));
    STRICT_CHECK(bad_key.error().code == roster::errc::invalid_key);
    auto null_value = reg.try_add("null", V{});
    STRICT_CHECK(null_value.error().code == roster::errc::null_value);
    STRICT_CHECK(added_events == 2);

    // get / visit
    std::optional<V> got = reg.get("one");
    STRICT_CHECK(got.has_value() && call(*got, 1) == 2);
    STRICT_CHECK(!reg.get("nope").has_value());
    const std::string key = "two";
    std::optional<int> visited = reg.visit(key, [](const V& v) { return call(v, 40); });
    STRICT_CHECK(visited == 42);
    bool seen = reg.visit(std::string_view{"one"}, [](const V&) {});
    STRICT_CHECK(seen);
    STRICT_CHECK(!reg.visit("nope", [](const V&) {}));

    // at / try_at, hit and miss
    STRICT_CHECK(call(reg.at("two"), 0) == 2);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, reg.at("twoo"));
    roster::result<V> hit = reg.try_at("one");
    STRICT_CHECK(hit.has_value() && call(hit.value(), 0) == 1);
    roster::result<V> miss = reg.try_at("twoo");
    STRICT_CHECK(!miss);
    STRICT_CHECK(miss.error().code == roster::errc::not_found);
    STRICT_CHECK(strict::contains_text(miss.error().message, "nearest"));

    // contains / location / names / for_each / size
    STRICT_CHECK(reg.contains("one") && !reg.contains("three"));
    std::optional<roster::source_location> where = reg.location("one");
    STRICT_CHECK(where.has_value() && where->line() > 0);
    STRICT_CHECK(!reg.location("nope").has_value());
    STRICT_CHECK((reg.names() == std::vector<std::string>{"one", "two"}));
    int sum = 0;
    reg.for_each([&](const std::string&, const V& v) { sum += call(v, 0); });
    STRICT_CHECK(sum == 3);
    std::size_t with_where = 0;
    reg.for_each([&](const std::string&, const V&, const roster::source_location& w) {
        if (w.line() > 0) ++with_where;
    });
    STRICT_CHECK(with_where == 2);
    STRICT_CHECK(reg.size() == 2);
    STRICT_CHECK(reg.state() == roster::lifecycle::populated);

    // handles
    auto handle = reg.add("temp", make<V>(3)).handle();
    STRICT_CHECK(handle.active() && handle.key() == "temp");
    STRICT_CHECK(handle.remove());
    STRICT_CHECK(!handle.active() && !reg.contains("temp"));
    {
        roster::scoped_registration scoped = reg.add("scoped", make<V>(3)).handle();
        STRICT_CHECK(scoped.active() && reg.contains("scoped"));
    }
    STRICT_CHECK(!reg.contains("scoped"));

    // remove / try_remove, hit and miss
    reg.add("gone", make<V>(3));
    V removed = reg.remove("gone");
    STRICT_CHECK(call(removed, 0) == 3);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, reg.remove("gone"));
    roster::result<V> not_removed = reg.try_remove("gone");
    STRICT_CHECK(!not_removed && not_removed.error().code == roster::errc::not_found);
    STRICT_CHECK(added_events == 5 && removed_events == 3);

    // batch + commit: all or nothing
    roster::batch<registry_type> good;
    good.add("b1", make<V>(1)).add("b2", make<V>(2));
    STRICT_CHECK(good.size() == 2);
    roster::commit_report committed = reg.commit(std::move(good));
    STRICT_CHECK(committed.added == 2 && committed.replaced == 0);
    STRICT_CHECK(reg.contains("b1") && reg.contains("b2"));
    roster::batch<registry_type> bad;
    bad.add("b3", make<V>(3)).add("", make<V>(1)).add("one", make<V>(1));
    roster::result<roster::commit_report> refused = reg.try_commit(std::move(bad));
    STRICT_CHECK(!refused && refused.error().code == roster::errc::batch_refused);
    STRICT_CHECK(!reg.contains("b3"));

    // report
    roster::registry_report report = reg.report();
    STRICT_CHECK(report.name == reg.name());
    STRICT_CHECK(report.entries.size() == 4);
    STRICT_CHECK(report.state == roster::lifecycle::populated);

    // freeze: a frozen registry is a range
    STRICT_CHECK(!reg.try_entries());
    std::size_t iterated = 0;
    for (const auto& [entry_key, entry_value] : reg.freeze())
        iterated += entry_key.size() > 0 && static_cast<bool>(entry_value) ? 1U : 0U;
    STRICT_CHECK(iterated == reg.size() && reg.entries().size() == reg.size());
    STRICT_CHECK(reg.frozen() && reg.frozen_at().has_value());
    STRICT_CHECK(reg.state() == roster::lifecycle::frozen);
    auto late = reg.try_add("late", make<V>(1));
    STRICT_CHECK(!late && late.error().code == roster::errc::frozen);
    STRICT_CHECK_THROWS_AS(roster::frozen_error, reg.remove("one"));
    STRICT_CHECK(call(reg.at("one"), 1) == 2);   // reads still work, lock-free
    STRICT_CHECK(reg.report().frozen_at.has_value());

    // the named copy
    registry_type copy{reg, strict::name_of<V>("core.copy")};
    STRICT_CHECK(copy.size() == reg.size() && !copy.frozen());
}

// on_duplicate::replace, counters::per_registry, listing::listed (with the
// catalog and the Prometheus export), storage::ordered, locking::none
template <class V>
void test_policies() {
    using registry_type = roster::registry<V, roster::on_duplicate::replace, roster::counters::per_registry,
                                           roster::listing::listed>;
    const std::string name = strict::name_of<V>("listed");
    std::vector<std::string> log;   // the registration log, for this registry only
    roster::catalog_subscription log_subscription =
        roster::catalog::instance().subscribe([&](const roster::registration_event& event) {
            if (event.registry == name) log.push_back(std::string(roster::to_string(event.kind)) + " " + event.key);
        });
    STRICT_CHECK(log_subscription.active());
    {
        registry_type reg{name};
        auto& catalog = roster::catalog::instance();
        STRICT_CHECK(catalog.contains(name));
        STRICT_CHECK_THROWS_AS(roster::duplicate_key_error, registry_type{name});   // names are unique

        reg.add("k", make<V>(1));
        auto replaced = reg.add("k", make<V>(2));
        STRICT_CHECK(replaced.status() == roster::add_status::replaced);
        STRICT_CHECK(replaced.existing().has_value() && call(*replaced.existing()->value, 0) == 1);
        STRICT_CHECK(call(reg.at("k"), 0) == 2);

        (void)reg.get("k");
        (void)reg.get("missing");
        (void)reg.try_at("missing");
        roster::lookup_counts counts = reg.lookups();
        STRICT_CHECK(counts.hits == 2 && counts.misses == 2);

        std::optional<roster::registry_report> listed = catalog.get(name);
        STRICT_CHECK(listed.has_value() && listed->entries.size() == 1);
        STRICT_CHECK(listed->lookups.has_value() && listed->lookups->hits == 2);
        roster::result<roster::registry_report> listed_miss = catalog.try_at(name + "x");
        STRICT_CHECK(!listed_miss && listed_miss.error().code == roster::errc::not_found);

        const std::string text = roster::to_prometheus();
        STRICT_CHECK(strict::contains_text(text, "roster_lookups_total{registry=\"" + name + "\",outcome=\"hit\"} 2"));
        STRICT_CHECK(strict::contains_text(text, "roster_registry_entries{registry=\"" + name + "\"} 1"));
        STRICT_CHECK(strict::contains_text(roster::prometheus_content_type, "text/plain"));
    }
    STRICT_CHECK(!roster::catalog::instance().contains(name));
    STRICT_CHECK((log == std::vector<std::string>{"added \"k\"", "changed \"k\""}));

    roster::basic_registry<std::string, V, roster::storage::ordered, roster::locking::none,
                           roster::on_duplicate::keep_first, roster::counters::per_key>
        ordered{strict::name_of<V>("ordered")};
    ordered.add("b", make<V>(2));
    ordered.add("a", make<V>(1));
    auto kept = ordered.add("a", make<V>(3));
    STRICT_CHECK(kept.status() == roster::add_status::kept_existing);
    std::string order;
    ordered.for_each([&](const std::string& k, const V&) { order += k; });
    STRICT_CHECK(order == "ab");
    (void)ordered.get("a");
    (void)ordered.get("zz");
    roster::registry_report report = ordered.report();
    STRICT_CHECK(report.entries.size() == 2 && report.entries[0].hits == std::optional<std::uint64_t>{1});
    STRICT_CHECK(report.missed_keys.size() == 1);

    roster::registry<V, roster::locking::sharded, roster::on_duplicate::return_error> sharded{
        strict::name_of<V>("sharded")};
    sharded.add("a", make<V>(1));
    auto soft = sharded.add("a", make<V>(2));   // returned, not thrown
    STRICT_CHECK(soft.status() == roster::add_status::refused);
    STRICT_CHECK(call(*sharded.get("a"), 0) == 1);
}

// ------------------------------------------------------------------- factory

// A factory whose product is the value kind itself: create("plus", k) builds
// a V computing x + k.
template <class V>
void test_factory() {
    using factory_type = roster::factory<V(int), roster::counters::per_registry>;
    factory_type factory{strict::name_of<V>("factory")};
    factory.add("make", [](int k) { return make<V>(k); });
    auto tried = factory.try_add("null", [](int) { return V{}; });   // a constructor producing null products
    STRICT_CHECK(static_cast<bool>(tried));
    factory.add("throws", [](int) -> V { throw std::runtime_error("no"); });
    STRICT_CHECK(factory.contains("make") && factory.size() == 3);
    STRICT_CHECK((factory.names() == std::vector<std::string>{"make", "null", "throws"}));

    V made = factory.create("make", 2);
    STRICT_CHECK(call(made, 1) == 3);
    roster::result<V> try_made = factory.try_create("make", 3);
    STRICT_CHECK(try_made.has_value() && call(*try_made, 1) == 4);
    roster::result<V> unknown = factory.try_create("mak", 1);
    STRICT_CHECK(!unknown && unknown.error().code == roster::errc::not_found);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, factory.create("mak", 1));
    roster::result<V> null_product = factory.try_create("null", 1);
    STRICT_CHECK(!null_product && null_product.error().code == roster::errc::factory_failed);
    STRICT_CHECK_THROWS_AS(roster::factory_error, factory.create("null", 1));
    roster::result<V> failed = factory.try_create("throws", 1);
    STRICT_CHECK(!failed && failed.error().code == roster::errc::factory_failed && failed.error().cause);
    STRICT_CHECK_THROWS_AS(std::runtime_error, factory.create("throws", 1));

    // the registry members, on constructors
    std::optional<typename factory_type::constructor_type> ctor = factory.get("make");
    STRICT_CHECK(ctor.has_value() && call((*ctor)(1), 1) == 2);
    roster::result<typename factory_type::constructor_type> ctor_miss = factory.try_at("nope");
    STRICT_CHECK(!ctor_miss);
    STRICT_CHECK(factory.location("make").has_value());
    STRICT_CHECK(factory.try_remove("null").has_value());
    STRICT_CHECK(factory.lookups().hits >= 2);
    factory.freeze();
    STRICT_CHECK(call(factory.create("make", 1), 1) == 2);   // frozen: calls in place

    roster::factory<V(int), roster::on_null::probe> probed{strict::name_of<V>("probed")};
    auto refused = probed.try_add("null", [](int) { return V{}; });
    STRICT_CHECK(!refused && refused.error().code == roster::errc::null_value);
    probed.add("make", [](int k) { return make<V>(k == 0 ? 1 : k); });
    STRICT_CHECK(probed.size() == 1);
}

// ----------------------------------------------------------------- versioned

template <class V>
void test_versioned() {
    using registry_type = roster::versioned_registry<int, V, roster::counters::per_registry>;
    registry_type reg{strict::name_of<V>("versioned")};
    reg.add("codec", 1, make<V>(1));
    reg.add("codec", 3, make<V>(3));
    auto second = reg.try_add("codec", 2, make<V>(2));
    STRICT_CHECK(static_cast<bool>(second));
    auto dup = reg.try_add("codec", 2, make<V>(1));
    STRICT_CHECK(!dup && dup.error().code == roster::errc::duplicate_key);
    reg.add("other", 7, make<V>(1));

    STRICT_CHECK(call(reg.latest("codec"), 0) == 3);
    STRICT_CHECK(reg.latest_version("codec") == 3);
    STRICT_CHECK(!reg.try_latest("codex"));
    STRICT_CHECK((reg.versions("codec") == std::vector<int>{1, 2, 3}));
    auto [version, value] = reg.negotiate("codec", {2, 4});
    STRICT_CHECK(version == 2 && call(value, 0) == 2);
    STRICT_CHECK(reg.negotiate_version("codec", {1, 3}) == 3);
    auto none = reg.try_negotiate("codec", {4, 5});
    STRICT_CHECK(!none && none.error().code == roster::errc::no_common_version);
    STRICT_CHECK_THROWS_AS(roster::no_common_version_error, reg.negotiate("codec", {9}));

    std::optional<V> pinned = reg.get("codec", 1);
    STRICT_CHECK(pinned.has_value() && call(*pinned, 0) == 1);
    STRICT_CHECK(!reg.get("codec", 9).has_value());
    STRICT_CHECK(call(reg.at("codec", 2), 0) == 2);
    roster::result<V> miss = reg.try_at("codec", 9);
    STRICT_CHECK(!miss && miss.error().code == roster::errc::not_found);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, reg.at("codex", 1));
    std::optional<int> visited = reg.visit("codec", 3, [](const V& v) { return call(v, 1); });
    STRICT_CHECK(visited == 4);
    STRICT_CHECK(reg.contains("codec") && reg.contains("codec", 1) && !reg.contains("codec", 9));
    STRICT_CHECK(reg.location("codec", 1).has_value());
    STRICT_CHECK((reg.names() == std::vector<std::string>{"codec", "other"}));
    std::size_t entries = 0;
    reg.for_each([&](const typename registry_type::key_type& k, const V&) {
        if (!k.name.empty()) ++entries;
    });
    STRICT_CHECK(entries == 4 && reg.size() == 4);

    auto handle = reg.add("temp", 1, make<V>(1)).handle();
    STRICT_CHECK(handle.remove() && !reg.contains("temp"));
    V removed = reg.remove("other", 7);
    STRICT_CHECK(call(removed, 0) == 1);
    STRICT_CHECK(!reg.try_remove("other", 7));

    roster::registry_report report = reg.report();
    STRICT_CHECK(report.entries.size() == 3 && report.lookups.has_value());
    reg.freeze();
    STRICT_CHECK(reg.frozen() && !reg.try_add("codec", 4, make<V>(1)));
    STRICT_CHECK(call(reg.latest("codec"), 0) == 3);
}

template <class V>
void test_all() {
    test_registry<V>();
    test_policies<V>();
    test_factory<V>();
    test_versioned<V>();
}

} // namespace

int main() {
    try {
        test_all<strict::fn_ptr>();
        test_all<strict::shared>();
        test_all<strict::function>();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "core: unexpected exception: %s\n", e.what());
        return 1;
    }
    return strict::finish("core");
}
