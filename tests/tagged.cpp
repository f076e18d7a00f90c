// Tests for roster/tagged.hpp: the tagged registry (entries keyed by name,
// carrying tags and a priority, selected by tag filters in chain order).
// Every query is checked on a registry that is not frozen (a scan under the
// read lock) and on one built from the same entries and frozen (the tag
// index), against a brute-force reference; then registration (malformed
// tags, keys, nulls, duplicates, freeze, handles), the core's policies,
// counters, catalog listing, events, explain(), and concurrency
// ([concurrency] cases are the ones the ThreadSanitizer build runs).
// Allocations are counted with support/allocations.hpp: a frozen
// for_each_matching() makes none, matching() only its result.
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/catalog.hpp"
#include "roster/counters.hpp"
#include "roster/events.hpp"
#include "roster/ordered.hpp"
#include "roster/tagged.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using plugins = roster::tagged_registry<int>;
namespace tags = roster::tags;

std::string line_text(unsigned line) { return fmt::format("tagged.cpp:{}", line); }

/// The keys of a query's answer, in order.
template <class Registry>
std::vector<std::string> keys_of(const Registry& reg, const roster::tag_filter& filter) {
    std::vector<std::string> out;
    for (const auto& e : reg.matching(filter)) out.push_back(e.key());
    return out;
}

/// The keys for_each_matching visits, in order.
template <class Registry>
std::vector<std::string> visited_keys(const Registry& reg, const roster::tag_filter& filter) {
    std::vector<std::string> out;
    const std::size_t calls = reg.for_each_matching(filter, [&](const roster::tagged_entry<int>& e) { out.push_back(e.key()); });
    CHECK(calls == out.size());
    return out;
}

/// One entry to register.
struct spec {
    std::string key;
    int value;
    std::vector<roster::tag> tags;
    int priority;
};

/// The same entries registered twice: `open` is never frozen (queries scan),
/// `frozen` is frozen (queries use the index).
template <class... Policies>
struct twin {
    roster::tagged_registry<int, Policies...> open;
    roster::tagged_registry<int, Policies...> frozen;

    twin(const std::string& name, const std::vector<spec>& specs) : open(name + ".open"), frozen(name + ".frozen") {
        for (const spec& s : specs) {
            open.add(s.key, s.value, s.tags, s.priority);
            frozen.add(s.key, s.value, s.tags, s.priority);
        }
        frozen.freeze();
    }

    /// Both answer `want`, by matching() and by for_each_matching().
    void expect(const roster::tag_filter& filter, const std::vector<std::string>& want) const {
        INFO("filter: " << filter.text());
        CHECK(keys_of(open, filter) == want);
        CHECK(keys_of(frozen, filter) == want);
        CHECK(visited_keys(open, filter) == want);
        CHECK(visited_keys(frozen, filter) == want);
    }
};

const std::vector<spec> middleware = {
    {"auth", 1, {"tier=auth", "http"}, 100},
    {"gzip", 2, {"http", "experimental", "codec=gzip"}, 0},
    {"log", 3, {"http", "tier=observability"}, 50},
    {"metrics", 4, {"tier=observability", "grpc"}, 50},
    {"brotli", 5, {"http", "codec=br"}, 0},
    {"retry", 6, {"grpc", "http", "experimental"}, 10},
};

} // namespace

// ===========================================================================
// Tags and filters

TEST_CASE("tag: a tag is written key=value or as a plain label, and the first '=' separates key from value",
          "[tagged][tag]") {
    const roster::tag pair("tier=auth");
    CHECK(pair.key() == "tier");
    CHECK(pair.value() == "auth");
    CHECK_FALSE(pair.is_label());
    CHECK(pair.text() == "tier=auth");
    const roster::tag label("experimental");
    CHECK(label.key() == "experimental");
    CHECK(label.value().empty());
    CHECK(label.is_label());
    const roster::tag two("tier", "auth");
    CHECK(two == pair);
    CHECK(roster::tag("experimental", "") == label);
    const roster::tag nested("url=a=b");
    CHECK(nested.key() == "url");
    CHECK(nested.value() == "a=b");
    CHECK(roster::tag(std::string("x=1")) == roster::tag(std::string_view("x=1")));
    CHECK(roster::tag("a") < roster::tag("b"));
}

TEST_CASE("tagged_entry: a default entry is empty and null; an entry is null when its value is",
          "[tagged][entry]") {
    using traits = roster::null_traits<roster::tagged_entry<std::shared_ptr<int>>>;
    const roster::tagged_entry<std::shared_ptr<int>> none;
    CHECK(none.empty());
    CHECK_FALSE(none.has("x"));
    CHECK(traits::is_null(none));
    CHECK(traits::is_null(roster::tagged_entry<std::shared_ptr<int>>("k", nullptr, {"x"}, 0)));
    const roster::tagged_entry<std::shared_ptr<int>> full("k", std::make_shared<int>(1), {"x"}, 0);
    CHECK_FALSE(traits::is_null(full));
    CHECK(full.has("x"));
    const roster::tagged_entry<int> a("k", 1, {"y", "x", "y"}, 2);
    CHECK(a == roster::tagged_entry<int>("k", 1, {"x", "y"}, 2));
    CHECK_FALSE(a == roster::tagged_entry<int>("k", 1, {"x"}, 2));
    CHECK_FALSE(a == roster::tagged_entry<int>("j", 1, {"x", "y"}, 2));
    CHECK_FALSE(a == roster::tagged_entry<int>());
    CHECK(roster::tagged_entry<int>() == roster::tagged_entry<int>());
}

TEST_CASE("tag_filter: clauses sort and drop repeated tags, combine with &&, and print as text", "[tagged][filter]") {
    const auto f = tags::all_of({"b", "a", "b"}) && tags::any_of({"y", "x"}) && tags::none_of({"z", "z"}) &&
                   tags::has("c");
    REQUIRE(f.required().size() == 3);
    CHECK(f.required()[0].text() == "a");
    CHECK(f.required()[2].text() == "c");
    REQUIRE(f.alternatives().size() == 1);
    CHECK(f.alternatives()[0][0].text() == "x");
    CHECK(f.excluded().size() == 1);
    CHECK(f.text() == "all_of(a, b, c) && any_of(x, y) && none_of(z)");
    CHECK(tags::any().text() == "everything");
    CHECK(tags::any().matches_everything());
    CHECK_FALSE(f.matches_everything());
    const roster::tagged_entry<int> e("k", 1, {"a", "b", "c", "x"}, 0);
    CHECK(f.matches(e));
    CHECK_FALSE(f.matches(roster::tagged_entry<int>("k", 1, {"a", "b", "c", "x", "z"}, 0)));
    CHECK_FALSE(f.matches(roster::tagged_entry<int>("k", 1, {"a", "b", "c"}, 0)));
}

// ===========================================================================
// Lookups by key and entries

TEST_CASE("tagged_registry: an entry keeps its key, value, tags (sorted, repeats dropped) and priority; lookups by "
          "key are the core's",
          "[tagged][lookup]") {
    const unsigned created = __LINE__ + 1;
    plugins reg{"tagged.lookup"};
    const unsigned line = __LINE__ + 1;
    const auto added = reg.add("auth", 7, {"tier=auth", "http", "tier=auth"}, 100);
    CHECK(added.status() == roster::add_status::added);
    reg.add("plain", 8);
    for (int pass = 0; pass < 2; ++pass) {
        INFO((pass == 0 ? "before freeze()" : "after freeze()"));
        const auto e = reg.get("auth");
        REQUIRE(e.has_value());
        CHECK(e->key() == "auth");
        CHECK(e->value() == 7);
        CHECK(e->priority() == 100);
        REQUIRE(e->tags().size() == 2);
        CHECK(e->tags()[0].text() == "http");
        CHECK(e->tags()[1].text() == "tier=auth");
        CHECK(e->has("tier=auth"));
        CHECK_FALSE(e->has("tier"));
        CHECK(reg.get("plain")->tags().empty());
        CHECK(reg.get("plain")->priority() == 0);
        CHECK_FALSE(reg.get("nope").has_value());
        CHECK(reg.contains("auth"));
        CHECK_FALSE(reg.contains("nope"));
        CHECK(reg.visit("auth", [](const roster::tagged_entry<int>& x) { return x.value() * 2; }) == std::optional<int>(14));
        CHECK(reg.try_at("auth")->value() == 7);
        CHECK(reg.at("plain").value() == 8);
        CHECK(reg.location("auth")->line() == line);
        CHECK(reg.names() == std::vector<std::string>{"auth", "plain"});
        int priorities = 0;
        reg.for_each([&](const std::string& k, const roster::tagged_entry<int>& x) {
            CHECK(k == x.key());
            priorities += x.priority();
        });
        CHECK(priorities == 100);
        CHECK(reg.created_at().line() == created);
        CHECK(reg.size() == 2);
        CHECK_FALSE(reg.empty());
        reg.freeze();
    }
}

TEST_CASE("tagged_registry: a miss by key is not_found_error naming the key, the call site and the nearest keys",
          "[tagged][lookup][errors]") {
    plugins reg{"tagged.miss"};
    reg.add("auth", 1, {"http"});
    reg.add("audit", 2);
    const unsigned line = __LINE__ + 1;
    const auto missed = reg.try_at("auht");
    REQUIRE_FALSE(missed);
    CHECK(missed.error().code == roster::errc::not_found);
    CHECK_THAT(missed.error().message, Catch::Matchers::StartsWith("roster: registry \"tagged.miss\": no entry for key "
                                                                   "\"auht\" at "));
    CHECK_THAT(missed.error().message, roster_test::contains(line_text(line)));
    CHECK_THAT(missed.error().message, Catch::Matchers::EndsWith("; 2 registered, nearest: \"audit\", \"auth\""));
    CHECK_THROWS_AS(reg.at("auht"), roster::not_found_error);
}

// ===========================================================================
// Queries

TEST_CASE("tagged_registry: matching() answers in chain order, higher priority first, equal priorities by key, before "
          "and after freeze",
          "[tagged][query]") {
    const twin<> t("tagged.chain", middleware);
    t.expect(tags::has("http"), {"auth", "log", "retry", "brotli", "gzip"});
    t.expect(tags::any(), {"auth", "log", "metrics", "retry", "brotli", "gzip"});
    t.expect(tags::all_of({"http", "experimental"}), {"retry", "gzip"});
    t.expect(tags::has("http") && tags::none_of({"experimental"}), {"auth", "log", "brotli"});
    t.expect(tags::any_of({"tier=auth", "tier=observability"}), {"auth", "log", "metrics"});
    t.expect(tags::any_of({"n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "codec=br", "tier=auth", "n9"}),
             {"auth", "brotli"}); // a clause of more than 8 tags
    t.expect(tags::any_of({"codec=gzip", "codec=br"}) && tags::any_of({"experimental"}), {"gzip"});
    t.expect(tags::none_of({"http"}), {"metrics"});
    t.expect(tags::has("grpc") && tags::any_of({"codec=br", "tier=observability"}), {"metrics"});
}

TEST_CASE("tagged_registry: a tag no entry carries, an empty any_of clause, and contradictory clauses match nothing",
          "[tagged][query]") {
    const twin<> t("tagged.nothing", middleware);
    t.expect(tags::has("nobody"), {});
    t.expect(tags::has("http") && tags::has("nobody"), {});
    t.expect(tags::any_of({}), {});
    t.expect(tags::any_of({"nobody", "nothing"}), {});
    t.expect(tags::has("http") && tags::none_of({"http"}), {});
    t.expect(tags::has("tier"), {}); // a label is not a key with any value
    t.expect(tags::none_of({"nobody"}), {"auth", "log", "metrics", "retry", "brotli", "gzip"});
}

TEST_CASE("tagged_registry: under tie_break::registration, equal priorities are chained in registration order",
          "[tagged][query][policies]") {
    const std::vector<spec> specs = {
        {"zeta", 1, {"x"}, 0}, {"alpha", 2, {"x"}, 0}, {"mid", 3, {"x"}, 5}, {"beta", 4, {"x", "y"}, 0}};
    const twin<roster::tie_break::registration> by_registration("tagged.registration", specs);
    by_registration.expect(tags::has("x"), {"mid", "zeta", "alpha", "beta"});
    by_registration.expect(tags::any_of({"y", "x"}), {"mid", "zeta", "alpha", "beta"});
    const twin<> by_key("tagged.by_key", specs);
    by_key.expect(tags::has("x"), {"mid", "alpha", "beta", "zeta"});
    CHECK(by_registration.frozen.explain(tags::has("x")).order == "priority, then registration");
    CHECK(by_key.frozen.explain(tags::has("x")).order == "priority, then key");
}

TEST_CASE("tagged_registry: on random data, frozen and unfrozen registries give the answers of a brute-force scan",
          "[tagged][query][random]") {
    std::mt19937 rng(20261129); // fixed seed
    const std::vector<std::string> vocabulary = {"a", "b", "c", "d", "e", "f", "tier=1", "tier=2", "tier=3", "x=y"};
    const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    const auto some_tags = [&](std::size_t most) {
        std::vector<roster::tag> out;
        const std::size_t count = pick(most + 1);
        for (std::size_t i = 0; i < count; ++i) out.emplace_back(vocabulary[pick(vocabulary.size())]);
        return out;
    };
    std::vector<spec> specs;
    for (int i = 0; i < 300; ++i)
        specs.push_back(spec{fmt::format("k{:03}", pick(1000)) + std::to_string(i), i, some_tags(4),
                             static_cast<int>(pick(5)) - 2});
    const twin<> by_key("tagged.random.key", specs);
    const twin<roster::tie_break::registration> by_reg("tagged.random.registration", specs);

    std::size_t answered = 0; // filters that match something: the comparison is not vacuous
    for (int round = 0; round < 300; ++round) {
        roster::tag_filter filter;
        if (pick(2) == 0) filter = filter && tags::all_of(some_tags(2));
        for (std::size_t g = pick(3); g > 0; --g) // narrow clauses, and wide ones (over 8 tags: another merge)
            filter = filter && tags::any_of(some_tags(pick(3) == 0 ? 20 : 3));
        if (pick(2) == 0) filter = filter && tags::none_of(some_tags(2));
        // The reference: every entry tested, sorted by the chain order.
        std::vector<std::pair<const spec*, std::size_t>> want; // (entry, registration index)
        for (std::size_t i = 0; i < specs.size(); ++i)
            if (filter.matches(roster::tagged_entry<int>(specs[i].key, 0, specs[i].tags, 0))) want.emplace_back(&specs[i], i);
        std::vector<std::string> want_by_key, want_by_reg;
        auto sorted = want;
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
            return a.first->priority != b.first->priority ? a.first->priority > b.first->priority
                                                          : a.first->key < b.first->key;
        });
        for (const auto& w : sorted) want_by_key.push_back(w.first->key);
        std::stable_sort(want.begin(), want.end(),
                         [](const auto& a, const auto& b) { return a.first->priority > b.first->priority; });
        for (const auto& w : want) want_by_reg.push_back(w.first->key);
        by_key.expect(filter, want_by_key);
        by_reg.expect(filter, want_by_reg);
        if (!want_by_key.empty()) ++answered;
    }
    CHECK(answered > 100);
}

TEST_CASE("tagged_registry: for_each_matching() stops when its callable returns false", "[tagged][query]") {
    const twin<> t("tagged.stop", middleware);
    for (const auto* reg : {&t.open, &t.frozen}) {
        std::vector<std::string> seen;
        const std::size_t calls = reg->for_each_matching(tags::has("http"), [&](const roster::tagged_entry<int>& e) {
            seen.push_back(e.key());
            return seen.size() < 2;
        });
        CHECK(calls == 2);
        CHECK(seen == std::vector<std::string>{"auth", "log"});
    }
}

TEST_CASE("tagged_registry: an answer taken before freeze() stays valid after its entry is removed",
          "[tagged][query][handles]") {
    plugins reg{"tagged.lifetime"};
    auto handle = reg.add("a", 1, {"x"}).handle();
    const auto answer = reg.matching(tags::has("x"));
    REQUIRE(answer.size() == 1);
    CHECK(handle.remove());
    CHECK(reg.matching(tags::has("x")).empty());
    CHECK(answer[0].value() == 1);
    CHECK(answer[0].key() == "a");
}

// ===========================================================================
// explain()

TEST_CASE("tagged_registry: explain() lists matching entries in chain order, then the others with the clause that "
          "excludes them",
          "[tagged][explain]") {
    const twin<> t("tagged.explain", middleware);
    const auto filter = tags::has("http") && tags::any_of({"tier=auth", "codec=br", "codec=gzip"}) &&
                        tags::none_of({"experimental"});
    for (const auto* reg : {&t.open, &t.frozen}) {
        const auto e = reg->explain(filter);
        CHECK(e.filter == "all_of(http) && any_of(codec=br, codec=gzip, tier=auth) && none_of(experimental)");
        CHECK(e.matched == 2);
        REQUIRE(e.candidates.size() == 6);
        CHECK(e.candidates[0].key == "auth");
        CHECK(e.candidates[0].matches);
        CHECK(e.candidates[0].position == 0);
        CHECK(e.candidates[0].priority == 100);
        CHECK(e.candidates[0].tags == "http, tier=auth");
        CHECK(e.candidates[1].key == "brotli");
        CHECK(e.candidates[1].position == 1);
        CHECK(e.candidates[2].key == "gzip");
        CHECK(e.candidates[2].why == "has experimental (none_of)");
        CHECK(e.candidates[3].key == "log");
        CHECK(e.candidates[3].why == "has none of codec=br, codec=gzip, tier=auth (any_of)");
        CHECK(e.candidates[4].key == "metrics");
        CHECK(e.candidates[4].why == "lacks http (all_of)");
        CHECK(e.candidates[5].key == "retry");
        CHECK_FALSE(e.candidates[5].matches);
        std::vector<std::string> matched;
        for (const auto& c : e.candidates)
            if (c.matches) matched.push_back(c.key);
        CHECK(matched == keys_of(*reg, filter));
        const std::string text = e.text();
        CHECK_THAT(text, Catch::Matchers::StartsWith(
                             "all_of(http) && any_of(codec=br, codec=gzip, tier=auth) && none_of(experimental): 2 of 6 "
                             "entries match, in chain order (priority, then key)\n  1. auth [http, tier=auth] priority "
                             "100 (added at "));
        CHECK_THAT(text, roster_test::contains("\n  - metrics [grpc, tier=observability] priority 50 (added at "));
        CHECK_THAT(text, roster_test::contains("): lacks http (all_of)"));
    }
}

// ===========================================================================
// Registration

TEST_CASE("tagged_registry: a malformed tag is refused with invalid_key_error naming the key, the tag and the call "
          "site",
          "[tagged][registration][errors]") {
    plugins reg{"tagged.bad_tags"};
    reg.add("kept", 1, {"x"});
    int events = 0;
    const auto subscription = reg.subscribe([&](const plugins::event_type&) { ++events; });
    // `where` defaults to the caller's line, as a member's would
    const auto refused = [&](std::vector<roster::tag> bad, unsigned line,
                             roster::source_location where = roster::source_location::current()) {
        const auto r = reg.try_add("plugin", 2, std::move(bad), 0, where);
        REQUIRE(r.status() == roster::add_status::refused);
        CHECK(r.error().code == roster::errc::invalid_key);
        CHECK_THAT(r.error().message, roster_test::contains(line_text(line)));
        return r.error().message;
    };
    const std::string prefix = "roster: registry \"tagged.bad_tags\": invalid key \"plugin\" at ";
    std::string m = refused({"ok", ""}, __LINE__);
    CHECK_THAT(m, Catch::Matchers::StartsWith(prefix));
    CHECK_THAT(m, Catch::Matchers::EndsWith(": a tag is empty"));
    m = refused({"=auth"}, __LINE__);
    CHECK_THAT(m, Catch::Matchers::EndsWith(": tag \"=auth\" has an empty key"));
    m = refused({"tier="}, __LINE__);
    CHECK_THAT(m, Catch::Matchers::EndsWith(
                      ": tag \"tier=\" has an empty value (write the label \"tier\" for a tag with no value)"));
    m = refused({"tier=a\tb"}, __LINE__);
    CHECK_THAT(m, Catch::Matchers::EndsWith(": tag \"tier=a\\tb\" contains a control character"));
    m = refused({roster::tag("ti\x7f", "x")}, __LINE__);
    CHECK_THAT(m, Catch::Matchers::EndsWith(": tag \"ti\\x7f=x\" contains a control character"));
    CHECK_THROWS_AS(reg.add("plugin", 2, {"=x"}), roster::invalid_key_error);
    CHECK(reg.size() == 1);
    CHECK_FALSE(reg.contains("plugin"));
    CHECK(events == 0);
    CHECK(keys_of(reg, tags::any()) == std::vector<std::string>{"kept"});
}

TEST_CASE("tagged_registry: a malformed key, a null value, a duplicate key and an add after freeze are refused in the "
          "core's words",
          "[tagged][registration][errors]") {
    roster::tagged_registry<std::shared_ptr<int>> reg{"tagged.refusals"};
    const unsigned first = __LINE__ + 1;
    reg.add("a", std::make_shared<int>(1), {"x"});

    const unsigned key_line = __LINE__ + 1;
    const auto bad_key = reg.try_add("", std::make_shared<int>(2), {"x"});
    CHECK(bad_key.error().code == roster::errc::invalid_key);
    CHECK_THAT(bad_key.error().message,
               Catch::Matchers::StartsWith("roster: registry \"tagged.refusals\": invalid key \"\" at "));
    CHECK_THAT(bad_key.error().message, roster_test::contains(line_text(key_line)));
    CHECK_THAT(bad_key.error().message, Catch::Matchers::EndsWith(": key is empty"));
    const auto control = reg.try_add("a\nb", std::make_shared<int>(2), {""}); // the key is checked first
    CHECK_THAT(control.error().message, Catch::Matchers::EndsWith(": key contains a control character"));

    const unsigned null_line = __LINE__ + 1;
    const auto null = reg.try_add("n", nullptr, {"x"});
    CHECK(null.error().code == roster::errc::null_value);
    CHECK_THAT(null.error().message,
               Catch::Matchers::StartsWith("roster: registry \"tagged.refusals\": refused a value of type "));
    CHECK_THAT(null.error().message, roster_test::contains("for key \"n\" at "));
    CHECK_THAT(null.error().message, roster_test::contains(line_text(null_line)));
    CHECK_THAT(null.error().message, Catch::Matchers::EndsWith(": the value is null"));
    CHECK_THROWS_AS(reg.add("n", nullptr), roster::null_value_error);

    const unsigned dup_line = __LINE__ + 1;
    const auto dup = reg.try_add("a", std::make_shared<int>(3), {"y"}, 9);
    CHECK(dup.error().code == roster::errc::duplicate_key);
    CHECK_THAT(dup.error().message, Catch::Matchers::StartsWith("roster: registry \"tagged.refusals\": duplicate key "
                                                                "\"a\": added at "));
    CHECK_THAT(dup.error().message, roster_test::contains(line_text(dup_line) + " (in "));
    CHECK_THAT(dup.error().message, roster_test::contains("but already added at "));
    CHECK_THAT(dup.error().message, roster_test::contains(line_text(first)));
    REQUIRE(dup.existing().has_value());
    REQUIRE(dup.existing()->value.has_value());
    CHECK(*dup.existing()->value->value() == 1);
    CHECK_THROWS_AS(reg.add("a", std::make_shared<int>(3)), roster::duplicate_key_error);

    const unsigned freeze_line = __LINE__ + 1;
    reg.freeze();
    reg.freeze(); // idempotent
    CHECK(reg.frozen_at()->line() == freeze_line);
    CHECK(reg.state() == roster::lifecycle::frozen);
    const unsigned late_line = __LINE__ + 1;
    const auto late = reg.try_add("late", std::make_shared<int>(4), {"x"});
    CHECK(late.error().code == roster::errc::frozen);
    CHECK_THAT(late.error().message, Catch::Matchers::StartsWith("roster: registry \"tagged.refusals\": cannot add key "
                                                                 "\"late\" at "));
    CHECK_THAT(late.error().message, roster_test::contains(line_text(late_line)));
    CHECK_THAT(late.error().message, roster_test::contains(": the registry was frozen at "));
    CHECK_THAT(late.error().message, roster_test::contains(line_text(freeze_line)));
    CHECK_THROWS_AS(reg.add("late", std::make_shared<int>(4)), roster::frozen_error);
    CHECK_THROWS_AS(reg.remove("a"), roster::frozen_error);
    CHECK(reg.size() == 1);
    REQUIRE(reg.matching(tags::has("x")).size() == 1);
    CHECK(*reg.matching(tags::has("x"))[0].value() == 1);
}

TEST_CASE("tagged_registry: try_add never throws a roster error: every refusal is in its result",
          "[tagged][registration]") {
    roster::tagged_registry<std::shared_ptr<int>> reg{"tagged.try_add"};
    reg.add("a", std::make_shared<int>(1));
    std::optional<decltype(reg)::add_result> bad_tag, bad_key, null, duplicate, frozen;
    CHECK_NOTHROW(bad_tag.emplace(reg.try_add("b", std::make_shared<int>(1), {"="})));
    CHECK_NOTHROW(bad_key.emplace(reg.try_add("", std::make_shared<int>(1))));
    CHECK_NOTHROW(null.emplace(reg.try_add("c", nullptr)));
    CHECK_NOTHROW(duplicate.emplace(reg.try_add("a", std::make_shared<int>(2))));
    reg.freeze();
    CHECK_NOTHROW(frozen.emplace(reg.try_add("d", std::make_shared<int>(1))));
    CHECK(bad_tag->error().code == roster::errc::invalid_key);
    CHECK(bad_key->error().code == roster::errc::invalid_key);
    CHECK(null->error().code == roster::errc::null_value);
    CHECK(duplicate->error().code == roster::errc::duplicate_key);
    CHECK(frozen->error().code == roster::errc::frozen);
    CHECK(reg.size() == 1);
}

TEST_CASE("tagged_registry: the handle from add() and remove() take an entry out of every query before freeze",
          "[tagged][registration][handles]") {
    plugins reg{"tagged.handles"};
    auto handle = reg.add("a", 1, {"x"}, 5).handle();
    reg.add("b", 2, {"x"});
    reg.add("c", 3, {"x", "y"});
    CHECK(keys_of(reg, tags::has("x")) == std::vector<std::string>{"a", "b", "c"});
    REQUIRE(handle.active());
    CHECK(handle.key() == "a");
    CHECK(handle.remove());
    CHECK(keys_of(reg, tags::has("x")) == std::vector<std::string>{"b", "c"});
    CHECK(reg.remove("c").value() == 3);
    CHECK_FALSE(reg.try_remove("c"));
    CHECK(keys_of(reg, tags::has("y")).empty());
    auto second = reg.add("d", 4, {"y"}).handle();
    reg.freeze();
    CHECK_THROWS_AS(second.remove(), roster::frozen_error);
    CHECK(keys_of(reg, tags::any_of({"x", "y"})) == std::vector<std::string>{"b", "d"});
}

// ===========================================================================
// Policies

TEST_CASE("tagged_registry: under on_duplicate::replace a new registration replaces the entry's value, tags and "
          "priority",
          "[tagged][policies]") {
    roster::tagged_registry<int, roster::on_duplicate::replace> reg{"tagged.replace"};
    reg.add("a", 1, {"x"}, 10);
    reg.add("b", 2, {"x"}, 5);
    const auto replaced = reg.add("a", 3, {"x", "y"}, 0);
    CHECK(replaced.status() == roster::add_status::replaced);
    REQUIRE(replaced.existing().has_value());
    CHECK(replaced.existing()->value->priority() == 10);
    for (int pass = 0; pass < 2; ++pass) {
        CHECK(keys_of(reg, tags::has("x")) == std::vector<std::string>{"b", "a"});
        CHECK(keys_of(reg, tags::has("y")) == std::vector<std::string>{"a"});
        CHECK(reg.get("a")->value() == 3);
        reg.freeze();
    }
    // under tie_break::registration, a replacement is a new registration
    roster::tagged_registry<int, roster::on_duplicate::replace, roster::tie_break::registration> by_reg{
        "tagged.replace.registration"};
    by_reg.add("a", 1, {"x"});
    by_reg.add("b", 2, {"x"});
    by_reg.add("a", 3, {"x"});
    CHECK(keys_of(by_reg, tags::has("x")) == std::vector<std::string>{"b", "a"});
    by_reg.freeze();
    CHECK(keys_of(by_reg, tags::has("x")) == std::vector<std::string>{"b", "a"});
}

TEST_CASE("tagged_registry: keep_first keeps the first entry; accept_if_equal accepts only the same value, tags and "
          "priority",
          "[tagged][policies]") {
    roster::tagged_registry<int, roster::on_duplicate::keep_first> first{"tagged.keep_first"};
    first.add("a", 1, {"x"});
    CHECK(first.add("a", 2, {"y"}).status() == roster::add_status::kept_existing);
    CHECK(keys_of(first, tags::has("y")).empty());
    CHECK(first.get("a")->value() == 1);

    roster::tagged_registry<int, roster::on_duplicate::accept_if_equal> equal{"tagged.accept_if_equal"};
    equal.add("a", 1, {"y", "x"}, 3);
    CHECK(equal.add("a", 1, {"x", "y", "x"}, 3).status() == roster::add_status::kept_existing);
    CHECK_THROWS_AS(equal.add("a", 1, {"x"}, 3), roster::duplicate_key_error);
    CHECK_THROWS_AS(equal.add("a", 1, {"x", "y"}, 4), roster::duplicate_key_error);
    CHECK_THROWS_AS(equal.add("a", 2, {"x", "y"}, 3), roster::duplicate_key_error);
}

TEST_CASE("tagged_registry: on_null::allow stores null values; on_duplicate::return_error returns duplicates without "
          "throwing",
          "[tagged][policies]") {
    roster::tagged_registry<std::shared_ptr<int>, roster::on_null::allow, roster::on_duplicate::return_error> reg{
        "tagged.allow_null"};
    CHECK(reg.add("n", nullptr, {"x"}).status() == roster::add_status::added);
    const auto dup = reg.add("n", nullptr, {"x"});
    CHECK(dup.status() == roster::add_status::refused);
    CHECK(dup.error().code == roster::errc::duplicate_key);
    REQUIRE(reg.matching(tags::has("x")).size() == 1);
    CHECK(reg.matching(tags::has("x"))[0].value() == nullptr);
}

TEST_CASE("tagged_registry: locking::none and storage::ordered answer as the default registry does",
          "[tagged][policies]") {
    const twin<roster::locking::none> unlocked("tagged.unlocked", middleware);
    const twin<roster::storage::ordered> ordered("tagged.ordered", middleware);
    const twin<> plain("tagged.plain", middleware);
    for (const auto& filter : {tags::has("http"), tags::any_of({"grpc", "codec=br"}), tags::none_of({"http"}), tags::any()}) {
        const auto want = keys_of(plain.frozen, filter);
        unlocked.expect(filter, want);
        ordered.expect(filter, want);
    }
    CHECK(ordered.open.names() == plain.open.names());
}

TEST_CASE("tagged_registry: counters::per_key counts lookups by key, not tag queries", "[tagged][policies][counters]") {
    roster::tagged_registry<int, roster::counters::per_key> reg{"tagged.counters"};
    reg.add("a", 1, {"x"});
    reg.add("b", 2, {"x"});
    for (int pass = 0; pass < 2; ++pass) {
        (void)reg.get("a");
        (void)reg.get("zzz");
        (void)reg.matching(tags::has("x"));
        (void)reg.for_each_matching(tags::has("x"), [](const auto&) {});
        (void)reg.explain(tags::has("x"));
        reg.freeze();
    }
    CHECK(reg.lookups().hits == 2);
    CHECK(reg.lookups().misses == 2);
    const auto report = reg.report();
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"a\"");
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(2));
    CHECK(report.entries[1].hits == std::optional<std::uint64_t>(0));
}

TEST_CASE("tagged_registry: listing::listed puts the registry and its keys in the catalog", "[tagged][catalog]") {
    auto& catalog = roster::catalog::instance();
    REQUIRE_FALSE(catalog.contains("tagged.listed"));
    {
        roster::tagged_registry<int, roster::listing::listed> reg{"tagged.listed"};
        reg.add("b", 1, {"x"});
        reg.add("a", 2, {"y"}, 4);
        CHECK(catalog.contains("tagged.listed"));
        const auto report = catalog.at("tagged.listed");
        REQUIRE(report.entries.size() == 2);
        CHECK(report.entries[0].key == "\"a\"");
        CHECK(report.entries[1].key == "\"b\"");
        reg.freeze();
        CHECK(catalog.at("tagged.listed").state == roster::lifecycle::frozen);
    }
    CHECK_FALSE(catalog.contains("tagged.listed"));
}

TEST_CASE("tagged_registry: subscribe() hears each entry added, replaced and removed, with its tags and priority",
          "[tagged][events]") {
    roster::tagged_registry<int, roster::on_duplicate::replace> reg{"tagged.events"};
    std::vector<std::string> heard;
    const auto subscription = reg.subscribe([&](const decltype(reg)::event_type& e) {
        std::string text = std::string(roster::to_string(e.kind)) + " " + e.key.value_or("<none>");
        if (e.current) {
            text += " ->";
            for (const auto& t : e.current->tags()) text += " " + t.text();
            text += " @" + std::to_string(e.current->priority());
        }
        heard.push_back(text);
    });
    auto handle = reg.add("a", 1, {"y", "x"}, 3).handle();
    (void)reg.try_add("b", 2, {"="}); // refused: nothing heard
    reg.add("a", 2, {"z"}, 1);
    CHECK(reg.remove("a").value() == 2);
    REQUIRE(heard.size() == 3);
    CHECK(heard[0] == "added a -> x y @3");
    CHECK(heard[1] == "changed a -> z @1");
    CHECK(heard[2] == "removed a");
}

// ===========================================================================
// Concurrency

TEST_CASE("tagged_registry: threads query while another adds entries, and never see a half-added one",
          "[tagged][concurrency]") {
    plugins reg{"tagged.concurrent.add"};
    reg.add("stable", 0, {"always", "tier=core"}, 1000);
    constexpr int readers = 4;
    constexpr int rounds = 400;
    constexpr int added = 150;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            std::size_t seen = 0;
            for (int i = 0; i < rounds; ++i) {
                const auto all = reg.matching(tags::has("always"));
                if (all.empty() || all.front().key() != "stable") ++wrong;
                if (all.size() < seen) ++wrong; // entries are only added
                seen = all.size();
                for (std::size_t k = 1; k < all.size(); ++k) {
                    // every added entry has its tags and priority from the start; chain order holds
                    if (!all[k].has("w") || all[k].priority() > all[k - 1].priority()) ++wrong;
                }
                std::size_t visited = 0;
                reg.for_each_matching(tags::has("w") && tags::none_of({"tier=core"}), [&](const auto& e) {
                    if (e.value() <= 0) ++wrong;
                    ++visited;
                });
                if (visited + 1 < seen) ++wrong; // at least what was seen before
                std::this_thread::yield(); // leave the writer a gap (readers may be preferred)
            }
        });
    }
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 1; k <= added; ++k)
            if (reg.try_add("w" + std::to_string(k), k, {"always", "w"}, k % 7).status() != roster::add_status::added)
                ++wrong;
    });
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(reg.matching(tags::has("w")).size() == static_cast<std::size_t>(added));
}

TEST_CASE("tagged_registry: threads query while others freeze it and add to it; the index holds exactly what was "
          "added",
          "[tagged][concurrency][freeze]") {
    plugins reg{"tagged.concurrent.freeze"};
    for (int k = 0; k < 20; ++k) reg.add("base" + std::to_string(k), k, {"base", k % 2 == 0 ? "even" : "odd"}, k % 3);
    constexpr int readers = 4;
    constexpr int after_freeze = 200;
    constexpr long limit = 2'000'000;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::atomic<long> queries{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            int frozen_rounds = 0;
            for (long i = 0; frozen_rounds < after_freeze && i < limit; ++i) {
                const bool was_frozen = reg.frozen();
                const auto even = reg.matching(tags::has("base") && tags::none_of({"odd"}));
                if (even.size() != 10) ++wrong;
                for (std::size_t k = 1; k < even.size(); ++k)
                    if (even[k].priority() > even[k - 1].priority() ||
                        (even[k].priority() == even[k - 1].priority() && even[k].key() < even[k - 1].key()))
                        ++wrong;
                std::size_t n = 0;
                reg.for_each_matching(tags::any_of({"even", "odd"}), [&](const auto&) { ++n; });
                if (n != 20) ++wrong;
                queries.fetch_add(1, std::memory_order_relaxed);
                if (was_frozen) ++frozen_rounds;
                std::this_thread::sleep_for(std::chrono::microseconds(20));
            }
            if (frozen_rounds < after_freeze) ++wrong;
        });
    }
    std::vector<int> added_ok;
    std::vector<int> refused_frozen;
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        const auto attempt = [&](int k) {
            const auto r = reg.try_add("late" + std::to_string(k), k, {"late"}, k % 5);
            if (r.status() == roster::add_status::added) added_ok.push_back(k);
            else if (r.error().code == roster::errc::frozen) refused_frozen.push_back(k);
            else ++wrong;
        };
        int k = 0;
        for (; k < 400 && refused_frozen.empty(); ++k) attempt(k);
        while (!reg.frozen()) std::this_thread::yield();
        for (const int end = k + 20; k < end; ++k) attempt(k);
    });
    for (int f = 0; f < 2; ++f) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            while (queries.load(std::memory_order_relaxed) < readers * 50L) std::this_thread::yield();
            reg.freeze();
        });
    }
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(reg.frozen());
    CHECK(refused_frozen.size() >= 20);
    const auto late = reg.matching(tags::has("late"));
    CHECK(late.size() == added_ok.size());
    std::vector<std::string> want;
    for (const int k : added_ok) want.push_back("late" + std::to_string(k));
    std::vector<std::string> got;
    for (const auto& e : late) got.push_back(e.key());
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    CHECK(got == want);
}

TEST_CASE("tagged_registry: a frozen query allocates only its result, and the visitor form nothing",
          "[tagged][query]") {
    plugins reg{"tagged.allocations"};
    for (int i = 0; i < 50; ++i)
        reg.add("p" + std::to_string(i), i, {i % 2 == 0 ? "tier=auth" : "tier=db", i % 3 == 0 ? "http" : "grpc"}, i % 5);
    reg.freeze();
    const roster::tag_filter filter = tags::all_of({"tier=auth"}) && tags::any_of({"http", "grpc"}) && tags::none_of({"x"});
    std::size_t visited = 0;
    std::size_t matched = 0;
    std::size_t visitor_allocations = 0;
    std::size_t query_allocations = 0;
    {
        const roster_test::allocation_counter counter;
        visited = reg.for_each_matching(filter, [](const roster::tagged_entry<int>&) {});
        visitor_allocations = counter.count();
        matched = reg.matching(filter).size();
        query_allocations = counter.count() - visitor_allocations;
    }
    CHECK(visited == 25);
    CHECK(matched == 25);
    CHECK(visitor_allocations == 0);
    CHECK(query_allocations == 1); // the result vector, reserved once
}
