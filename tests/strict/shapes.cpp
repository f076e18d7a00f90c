// tests/strict/shapes.cpp — the hot-reload registry, the staged registry,
// static registration into default registries (three value kinds each), the
// scoped registry (instances and factories given as a function pointer, a
// std::function and a lambda), the Prometheus export of a listed hot-reload
// registry, and the handler, hierarchical, sniffing and tagged registries.
// Built by tests/strict/run.sh with every strict warning as an error;
// returns nonzero if a check fails.
#include <roster/catalog.hpp>
#include <roster/counters.hpp>
#include <roster/events.hpp>
#include <roster/handler.hpp>
#include <roster/hierarchical.hpp>
#include <roster/hot_reload.hpp>
#include <roster/html.hpp>
#include <roster/lifecycle.hpp>
#include <roster/prometheus.hpp>
#include <roster/registry.hpp>
#include <roster/scoped.hpp>
#include <roster/sniffing.hpp>
#include <roster/static_registration.hpp>
#include <roster/tagged.hpp>

#include "common.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ------------------------------------------------------ static registration

namespace strict_domains {

struct fn_ptr_codecs {
    using registry_type = roster::registry<strict::fn_ptr>;
    static constexpr std::string_view name = "static.fn_ptr";
};
struct shared_codecs {
    using registry_type = roster::registry<strict::shared, roster::listing::listed, roster::counters::per_key>;
    static constexpr std::string_view name = "static.shared";
};
struct function_codecs {   // no name: named after the tag type
    using registry_type = roster::registry<strict::function>;
};

} // namespace strict_domains

ROSTER_REGISTER(roster::default_registry<strict_domains::fn_ptr_codecs>(), "plus1", &strict::plus1);
ROSTER_REGISTER(roster::default_registry<strict_domains::shared_codecs>(), "plus2",
                std::make_shared<const strict::adder>(2));
ROSTER_REGISTER(roster::default_registry<strict_domains::function_codecs>(), "plus3",
                strict::function{&strict::plus3});

namespace {
ROSTER_REGISTER(roster::default_registry<strict_domains::fn_ptr_codecs>(), "plus2", &strict::plus2);
ROSTER_REGISTER_SCOPED(roster::default_registry<strict_domains::function_codecs>(), "scoped",
                       strict::function{&strict::plus1});
} // namespace

namespace {

using strict::call;
using strict::make;

template <class Domain, class V, bool Listed = false>
void test_static(std::string_view key, int k) {
    auto& reg = roster::default_registry<Domain>();
    STRICT_CHECK(&reg == &roster::default_registry<Domain>());   // one per program
    std::optional<V> got = reg.get(key);
    STRICT_CHECK(got.has_value() && call(*got, 0) == k);
    roster::result<V> miss = reg.try_at("absent");
    STRICT_CHECK(!miss && miss.error().code == roster::errc::not_found);
    std::optional<roster::source_location> where = reg.location(key);
    STRICT_CHECK(where.has_value() && strict::contains_text(where->file_name(), "shapes.cpp"));

    const std::vector<std::string> expected{std::string(key)};
    roster::census(reg, expected);   // aborts with a message naming what is missing
    if constexpr (!Listed) {   // unnamed overrides reuse the domain's name: refused for a listed domain
        roster::default_registry_override<Domain> empty;
        STRICT_CHECK(roster::default_registry<Domain>().empty());
        roster::default_registry<Domain>().add("test-only", make<V>(1));
        roster::default_registry_override<Domain> snap{roster::copy_of_current};
        STRICT_CHECK(roster::default_registry<Domain>().contains("test-only"));
    }
    {
        roster::default_registry_override<Domain> empty{roster::fresh_registry, "override.empty"};
        STRICT_CHECK(roster::default_registry<Domain>().empty());
        roster::default_registry<Domain>().add("test-only", make<V>(1));
    }
    {
        roster::default_registry_override<Domain> snap{roster::copy_of_current, "override.copy"};
        STRICT_CHECK(roster::default_registry<Domain>().contains(key));
        STRICT_CHECK(&snap.get() == &roster::default_registry<Domain>());
        (void)roster::default_registry<Domain>().remove(key);
    }
    STRICT_CHECK(!roster::default_registry<Domain>().contains("test-only"));
    STRICT_CHECK(roster::default_registry<Domain>().contains(key));
}

void test_static_registration() {
    test_static<strict_domains::fn_ptr_codecs, strict::fn_ptr>("plus1", 1);
    test_static<strict_domains::fn_ptr_codecs, strict::fn_ptr>("plus2", 2);
    test_static<strict_domains::shared_codecs, strict::shared, true>("plus2", 2);
    test_static<strict_domains::function_codecs, strict::function>("plus3", 3);
    STRICT_CHECK(roster::default_registry<strict_domains::function_codecs>().contains("scoped"));
    STRICT_CHECK(roster::default_registry<strict_domains::shared_codecs>().name() == "static.shared");
    STRICT_CHECK(roster::catalog::instance().contains("static.shared"));
    // counters::per_key of a listed default registry, in the Prometheus export
    const std::string text = roster::to_prometheus();
    STRICT_CHECK(strict::contains_text(text, "roster_key_lookups_total{registry=\"static.shared\",key=\"plus2\",outcome=\"hit\"}"));
    STRICT_CHECK(strict::contains_text(text, "roster_untracked_key_misses_total{registry=\"static.shared\"} 0"));
    // ... and in the HTML page
    const std::string page = roster::catalog_html();
    STRICT_CHECK(strict::contains_text(page, ">static.shared</a>"));
}

// --------------------------------------------------------------- hot reload

template <class V>
void test_hot_reload() {
    using registry_type = roster::hot_reload_registry<V, roster::counters::per_registry, roster::listing::listed>;
    const std::string name = strict::name_of<V>("hot");
    registry_type reg{name};
    STRICT_CHECK(reg.version() == 0 && reg.empty());

    std::size_t events = 0;
    roster::subscription sub = reg.subscribe([&](const typename registry_type::event_type& event) {
        if (event.kind != roster::change_kind::unchanged) ++events;
    });

    std::uint64_t v1 = reg.replace_all({{"a", make<V>(1)}, {"b", make<V>(2)}});
    STRICT_CHECK(v1 == 1 && reg.size() == 2);
    STRICT_CHECK(events == 2);

    std::vector<std::pair<std::string, V>> next{{"b", make<V>(2)}, {"c", make<V>(3)}};
    std::uint64_t v2 = reg.replace_all(next);
    STRICT_CHECK(v2 == 2 && reg.version() == 2);

    std::map<std::string, V> refused_set{{"", make<V>(1)}, {"d", V{}}};
    roster::result<std::uint64_t> refused = reg.try_replace_all(refused_set);
    STRICT_CHECK(!refused && refused.error().code == roster::errc::batch_refused);
    STRICT_CHECK(reg.version() == 2);

    std::optional<V> got = reg.get("c");
    STRICT_CHECK(got.has_value() && call(*got, 0) == 3);
    STRICT_CHECK(!reg.get("a").has_value());
    std::optional<int> visited = reg.visit("b", [](const V& v) { return call(v, 1); });
    STRICT_CHECK(visited == 3);
    STRICT_CHECK(call(reg.at("b"), 0) == 2);
    roster::result<V> miss = reg.try_at("bb");
    STRICT_CHECK(!miss && miss.error().code == roster::errc::not_found);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, reg.at("bb"));
    STRICT_CHECK(reg.contains("b") && !reg.contains("a"));
    STRICT_CHECK(reg.location("b").has_value());
    STRICT_CHECK((reg.names() == std::vector<std::string>{"b", "c"}));
    int sum = 0;
    reg.for_each([&](const std::string&, const V& v) { sum += call(v, 0); });
    STRICT_CHECK(sum == 5);

    typename registry_type::snapshot snap = reg.current();
    STRICT_CHECK(snap.version() == 2 && snap->size() == 2);
    std::uint64_t v3 = reg.update([](typename registry_type::snapshot_registry& set) {
        set.add("d", make<V>(1));
        (void)set.remove("c");
    });
    STRICT_CHECK(v3 == 3 && reg.contains("d") && !reg.contains("c"));
    STRICT_CHECK(snap->contains("c"));   // the held snapshot did not change
    std::uint64_t v4 = reg.rebuild([](typename registry_type::snapshot_registry& set) { set.add("e", make<V>(2)); });
    STRICT_CHECK(v4 == 4 && reg.size() == 1);

    const roster::lookup_counts counts = reg.lookups();
    STRICT_CHECK(counts.hits == 3 && counts.misses == 3);   // get, visit, at; get, try_at, at
    roster::registry_report report = reg.report();
    STRICT_CHECK(report.name == name && report.entries.size() == 1 && report.lookups.has_value());
    STRICT_CHECK(roster::catalog::instance().contains(name));
    const std::string text = roster::to_prometheus();
    STRICT_CHECK(strict::contains_text(text, "roster_registry_entries{registry=\"" + name + "\"} 1"));
    STRICT_CHECK(strict::contains_text(text, "roster_lookups_total{registry=\"" + name + "\",outcome=\"miss\"}"));
    reg.release_cached_snapshot();
    roster::release_thread_snapshots();

    // the default policies (no counters, unlisted), keyed by int
    roster::basic_hot_reload_registry<int, V> plain{strict::name_of<V>("hot.plain")};
    plain.replace_all({{1, make<V>(1)}, {2, make<V>(2)}});
    STRICT_CHECK(plain.version() == 1 && call(plain.at(2), 0) == 2);
    roster::result<V> plain_miss = plain.try_at(3);
    STRICT_CHECK(!plain_miss && plain_miss.error().code == roster::errc::not_found);
}

// ------------------------------------------------------------------- staged

template <class V>
void test_staged() {
    using registry_type = roster::registry<V>;
    roster::staged_registry<registry_type> staged{strict::name_of<V>("staged")};
    std::size_t events = 0;
    roster::subscription sub = staged.subscribe([&](const typename registry_type::event_type&) { ++events; });

    staged.add("one", make<V>(1));
    roster::result<void> added = staged.try_add("two", make<V>(2));
    STRICT_CHECK(added.has_value());
    STRICT_CHECK(staged.pending() == 2 && !staged.ready());
    STRICT_CHECK(staged.state() == roster::readiness::pending);
    STRICT_CHECK_THROWS_AS(roster::not_ready_error, staged.at("one"));
    roster::result<V> early = staged.try_at("one");
    STRICT_CHECK(!early && early.error().code == roster::errc::not_ready);
    roster::result<void> timeout = staged.wait_ready_for(std::chrono::milliseconds(1));
    STRICT_CHECK(!timeout && timeout.error().code == roster::errc::not_ready);

    roster::commit_report report = staged.finalize();
    STRICT_CHECK(report.added == 2 && staged.ready() && events == 2);
    STRICT_CHECK(staged.wait_ready().has_value());
    STRICT_CHECK(call(staged.at("two"), 0) == 2);
    std::optional<V> got = staged.get("one");
    STRICT_CHECK(got.has_value() && call(*got, 0) == 1);
    roster::result<V> miss = staged.try_at("three");
    STRICT_CHECK(!miss && miss.error().code == roster::errc::not_found);
    STRICT_CHECK(staged.contains("one") && staged.size() == 2);
    STRICT_CHECK((staged.names() == std::vector<std::string>{"one", "two"}));
    std::optional<int> visited = staged.visit("one", [](const V& v) { return call(v, 1); });
    STRICT_CHECK(visited == 2);
    STRICT_CHECK(staged.registry().frozen());
    roster::result<void> late = staged.try_add("late", make<V>(3));
    STRICT_CHECK(!late && late.error().code == roster::errc::frozen);

    roster::staged_registry<registry_type> failing{strict::name_of<V>("staged.failing")};
    failing.add("", make<V>(1));
    roster::result<roster::commit_report> failed = failing.try_finalize();
    STRICT_CHECK(!failed && failed.error().code == roster::errc::batch_refused);
    STRICT_CHECK(failing.state() == roster::readiness::failed);
}

// ------------------------------------------------------------------- scoped

struct greeting {
    greeting() = default;
    explicit greeting(std::string text) : text_(std::move(text)) {}
    greeting(const greeting&) = delete;
    greeting& operator=(const greeting&) = delete;
    virtual ~greeting() = default;
    virtual std::string text() const { return text_; }

private:
    std::string text_ = "hello";
};

struct french_greeting final : greeting {
    std::string text() const override { return "bonjour"; }
};

struct renderer {
    explicit renderer(std::shared_ptr<greeting> g) : greeting_(std::move(g)) {}
    std::string render() const { return "<" + greeting_->text() + ">"; }

private:
    std::shared_ptr<greeting> greeting_;
};

struct counter_service {
    int value = 7;
};

struct customer {
    std::string name;
    bool vip = false;
};

struct french_customer : customer {
    using roster_context = roster::context_type<french_customer, customer>;
};

struct greeting_props {   // not default-constructible: a factory taking it is skipped by lookups without props
    explicit greeting_props(std::string t) : text(std::move(t)) {}
    std::string text;
};

std::shared_ptr<greeting> make_howdy() { return std::make_shared<greeting>("howdy"); }

void test_scoped() {
    roster::scoped_registry app{"app"};
    // a factory as a function pointer, as a std::function, as a lambda; instances
    std::shared_ptr<greeting> (*const pointer_factory)() = &make_howdy;
    const std::uint64_t n1 = app.add_factory(pointer_factory);
    const std::function<std::shared_ptr<greeting>()> function_factory = [] {
        return std::shared_ptr<greeting>(std::make_shared<french_greeting>());
    };
    const std::uint64_t n2 = app.add_factory<greeting>(function_factory, roster::for_context<french_customer>);
    app.add_factory<greeting>([](const greeting_props& p) { return std::make_shared<greeting>(p.text); });
    app.add<greeting>(std::make_shared<greeting>("vip"),
                      roster::when<customer>([](const customer& c) { return c.vip; }, 10, "vip"));
    app.add_factory([](const roster::scoped_registry::resolver& r) {
        return std::make_shared<renderer>(r.get<greeting>());
    });
    app.add_factory(roster::construct<counter_service>, roster::lifetime::shared);
    STRICT_CHECK(n1 == 1 && n2 == 2 && app.size() == 6);
    auto null_instance = app.try_add(std::shared_ptr<greeting>{});
    STRICT_CHECK(!null_instance && null_instance.error().code == roster::errc::null_value);
    app.freeze();
    STRICT_CHECK(app.frozen() && app.frozen_at().has_value());
    STRICT_CHECK_THROWS_AS(roster::frozen_error, app.add(std::make_shared<greeting>()));

    STRICT_CHECK(app.get<greeting>()->text() == "howdy");
    french_customer marie;
    marie.name = "marie";
    STRICT_CHECK(app.get<greeting>(marie)->text() == "bonjour");
    customer vip{"vic", true};
    STRICT_CHECK(app.get<greeting>(vip)->text() == "vip");
    STRICT_CHECK(app.get<greeting>(roster::props{greeting_props{"salut"}})->text() == "salut");
    STRICT_CHECK(app.get<counter_service>() == app.get<counter_service>());   // shared: built once
    STRICT_CHECK(app.contains<greeting>() && !app.contains<customer>());
    roster::result<std::shared_ptr<customer>> miss = app.try_get<customer>();
    STRICT_CHECK(!miss && miss.error().code == roster::errc::not_found);
    STRICT_CHECK_THROWS_AS(roster::not_found_error, app.get<customer>());

    // a child per request, bound to its context, with request-local registrations
    auto request = app.child(marie, "request");
    request.add(std::make_shared<greeting>("local"));
    STRICT_CHECK(request.get<greeting>()->text() == "local");
    STRICT_CHECK(request.get<renderer>()->render() == "<local>");   // dependencies resolved through the child
    auto grandchild = request.child();
    STRICT_CHECK(grandchild.get<greeting>()->text() == "local");

    roster::explanation why = request.explain<greeting>();
    STRICT_CHECK(why.found() && why.winner() != nullptr);
    STRICT_CHECK(why.winner()->outcome == roster::verdict::chosen);
    STRICT_CHECK(strict::contains_text(why.to_string(), "explain kind"));
    roster::explanation root_why = app.explain<greeting>(marie);
    STRICT_CHECK(root_why.found() && root_why.candidates.size() == 4);
    STRICT_CHECK(!app.explain<customer>().found());

    // built on the core: report, counters, catalog listing
    roster::basic_scoped_registry<roster::counters::per_key, roster::listing::listed> listed{"strict-scoped"};
    listed.add_factory(pointer_factory);
    auto listed_child = listed.child("request");
    STRICT_CHECK(listed_child.get<greeting>()->text() == "howdy");
    STRICT_CHECK(!listed_child.try_get<customer>());
    STRICT_CHECK(listed.lookups().hits == 1 && listed_child.lookups().misses == 1);
    const roster::registry_report listed_report = roster::catalog::instance().at("strict-scoped");
    STRICT_CHECK(listed_report.entries.size() == 1 && listed_report.lookups.has_value());
    STRICT_CHECK(listed_report.entries[0].hits == std::optional<std::uint64_t>(1));
}

// The handler registry: patterns, conflicts, dispatch before and after
// freeze, the 405 and redirect results, explain, counters and events.
template <class V>
void test_handler() {
    using registry_type = roster::handler_registry<V, roster::counters::per_key, roster::listing::listed>;
    registry_type routes{strict::name_of<V>("handlers")};
    std::size_t heard = 0;
    auto subscription = routes.subscribe([&heard](const typename registry_type::event_type& e) {
        if (e.kind == roster::change_kind::added) ++heard;
    });
    STRICT_CHECK(routes.add("GET /items/{id}", strict::make<V>(1)).status() == roster::add_status::added);
    STRICT_CHECK(routes.add("GET /items/special", strict::make<V>(2)).status() == roster::add_status::added);
    STRICT_CHECK(routes.add("/files/", strict::make<V>(3)).status() == roster::add_status::added);
    STRICT_CHECK_THROWS_AS(roster::conflict_error, routes.add("GET /items/{other}", strict::make<V>(1)));
    STRICT_CHECK_THROWS_AS(roster::invalid_key_error, routes.add("GET /items/{", strict::make<V>(1)));
    STRICT_CHECK(routes.try_add("GET /items/{x}", strict::make<V>(1)).status() == roster::add_status::refused);
    STRICT_CHECK(heard == 3 && routes.size() == 3);
    for (int pass = 0; pass < 2; ++pass) {
        const auto hit = routes.match("GET", "example.com:80", "/items/42");
        STRICT_CHECK(hit && strict::call(hit.handler(), 10) == 11 && hit.value("id") == "42" && hit.size() == 1);
        STRICT_CHECK(hit.pattern() == "GET /items/{id}");
        const auto special = routes.match("HEAD", "example.com", "/items/special");
        STRICT_CHECK(special && strict::call(special.handler(), 10) == 12);
        const auto not_allowed = routes.match("DELETE", "example.com", "/items/42");
        STRICT_CHECK(not_allowed.status() == roster::route_status::method_not_allowed &&
                     not_allowed.allow_header() == "GET, HEAD");
        const auto redirect = routes.match("GET", "example.com", "/files");
        STRICT_CHECK(redirect.status() == roster::route_status::redirect && redirect.location() == "/files/");
        STRICT_CHECK(routes.match("GET", "example.com", "/nothing").status() == roster::route_status::not_found);
        const roster::route_explanation why = routes.explain("GET", "example.com", "/items/special");
        STRICT_CHECK(!why.candidates.empty() && why.candidates.front().chosen &&
                     strict::contains_text(why.text(), "GET /items/special"));
        routes.freeze();
    }
    STRICT_CHECK(routes.lookups().hits == 4 && routes.lookups().misses == 4);
    STRICT_CHECK_THROWS_AS(roster::frozen_error, routes.add("GET /late", strict::make<V>(1)));
}

// ------------------------------------------------------------ hierarchical

template <class V>
void test_hierarchical() {
    using registry_type = roster::hierarchical_registry<V, roster::counters::per_key, roster::listing::listed>;
    registry_type tree{strict::name_of<V>("hierarchical")};
    std::size_t heard = 0;
    auto subscription = tree.subscribe([&heard](const typename registry_type::event_type& e) {
        if (e.kind == roster::change_kind::added) ++heard;
    });
    STRICT_CHECK(tree.add("users", strict::make<V>(1)).status() == roster::add_status::added);
    STRICT_CHECK(tree.add("users.list", strict::make<V>(2)).status() == roster::add_status::added);
    STRICT_CHECK(tree.add("config.remote.add", strict::make<V>(3)).status() == roster::add_status::added);
    STRICT_CHECK_THROWS_AS(roster::invalid_key_error, tree.add("users..x", strict::make<V>(1)));
    STRICT_CHECK(tree.try_add("", strict::make<V>(1)).status() == roster::add_status::refused);
    STRICT_CHECK(heard == 3 && tree.size() == 3);
    for (int pass = 0; pass < 2; ++pass) {
        STRICT_CHECK(tree.children("") == std::vector<std::string>{"users"});
        STRICT_CHECK(tree.children("", roster::tree_nodes::with_intermediate) ==
                     std::vector<std::string>{"config", "users"});
        STRICT_CHECK(tree.descendants("config") == std::vector<std::string>{"config.remote.add"});
        const std::vector<std::string> words{"users", "list", "-v"};
        const auto m = tree.longest_prefix(words);
        STRICT_CHECK(m && m->id == "users.list" && m->consumed == 2 && strict::call(m->value, 10) == 12);
        STRICT_CHECK(!tree.longest_prefix({"config", "x"}));
        int seen = 0;
        STRICT_CHECK(tree.visit_children("config.remote", [&seen](std::string_view, const V* v) {
            seen = v != nullptr ? strict::call(*v, 1) : -1;
        }) == 1);
        STRICT_CHECK(seen == 4);
        STRICT_CHECK(tree.visit_longest_prefix(std::string_view("config.remote.add.x"),
                                               [](std::string_view, const V& v, std::size_t n) {
                                                   return strict::call(v, 0) + static_cast<int>(n);
                                               }) == std::optional<int>(6));
        STRICT_CHECK(strict::contains_text(tree.explain({"users", "list"}), "answer: users.list"));
        tree.freeze();
    }
    STRICT_CHECK(tree.lookups().hits == 4 && tree.lookups().misses == 2);
    STRICT_CHECK_THROWS_AS(roster::frozen_error, tree.add("late", strict::make<V>(1)));
}

// ---------------------------------------------------------------- sniffing

// The sniffing registry: patterns with wildcards and offsets, precedence,
// equivalent and empty patterns refused, allowlists, short inputs, a stream,
// explain, counters, events, before and after freeze.
template <class V>
void test_sniffing() {
    using registry_type = roster::sniffing_registry<V, roster::counters::per_key, roster::listing::listed>;
    registry_type formats{strict::name_of<V>("sniffing")};
    std::size_t heard = 0;
    auto subscription = formats.subscribe([&heard](const typename registry_type::event_type& e) {
        if (e.kind == roster::change_kind::added) ++heard;
    });
    STRICT_CHECK(formats.add("riff", "RIFF", strict::make<V>(1)).status() == roster::add_status::added);
    STRICT_CHECK(formats.add("webp", {"RIFF????WEBP"}, strict::make<V>(2), 1).status() == roster::add_status::added);
    STRICT_CHECK(formats.add("tar", roster::magic_pattern(257, "ustar"), strict::make<V>(3)).status() ==
                 roster::add_status::added);
    STRICT_CHECK_THROWS_AS(roster::conflict_error, formats.add("riff2", "RIFF", strict::make<V>(1)));
    STRICT_CHECK_THROWS_AS(roster::invalid_key_error, formats.add("any", "????", strict::make<V>(1)));
    STRICT_CHECK(formats.try_add("bad", "\\q", strict::make<V>(1)).status() == roster::add_status::refused);
    STRICT_CHECK(heard == 3 && formats.size() == 3 && formats.required_peek() == 262);
    const std::string webp = std::string("RIFF\x10\0\0\0WEBPVP8 ", 16);
    for (int pass = 0; pass < 2; ++pass) {
        const auto hit = formats.match(webp);
        STRICT_CHECK(hit && hit.name() == "webp" && strict::call(hit.handler(), 10) == 12);
        const auto allowed = formats.match(webp, {"riff"});
        STRICT_CHECK(allowed && allowed.name() == "riff" && strict::call(allowed.handler(), 10) == 11);
        STRICT_CHECK(formats.match(std::string_view("RIFF")).undecided() == 2);
        STRICT_CHECK(!formats.match(std::string_view("nothing")));
        std::istringstream in(webp);
        STRICT_CHECK(formats.match(in).name() == "webp" && in.tellg() == std::streampos(0));
        const roster::sniff_explanation why = formats.explain(std::string_view("RIFF"));
        STRICT_CHECK(why.candidates.size() == 3 && strict::contains_text(why.text(), "undecided"));
        formats.freeze();
    }
    STRICT_CHECK(formats.lookups().hits == 8 && formats.lookups().misses == 2);
    STRICT_CHECK_THROWS_AS(roster::frozen_error, formats.add("late", "LATE", strict::make<V>(1)));
}

// ------------------------------------------------------------------ tagged

// The tagged registry: tags, filters, chain order before and after freeze,
// the visitor form, explain, counters, events and the tie_break policy.
template <class V>
void test_tagged() {
    using registry_type = roster::tagged_registry<V, roster::counters::per_key, roster::listing::listed>;
    registry_type chain{strict::name_of<V>("tagged")};
    std::size_t heard = 0;
    auto subscription = chain.subscribe([&heard](const typename registry_type::event_type& e) {
        if (e.kind == roster::change_kind::added) ++heard;
    });
    STRICT_CHECK(chain.add("auth", strict::make<V>(1), {"tier=auth", "http"}, 100).status() == roster::add_status::added);
    STRICT_CHECK(chain.add("gzip", strict::make<V>(2), {"http", "experimental"}).status() == roster::add_status::added);
    STRICT_CHECK(chain.add("log", strict::make<V>(3), {"http"}, 5).status() == roster::add_status::added);
    STRICT_CHECK_THROWS_AS(roster::invalid_key_error, chain.add("bad", strict::make<V>(1), {"=x"}));
    STRICT_CHECK_THROWS_AS(roster::duplicate_key_error, chain.add("auth", strict::make<V>(1)));
    STRICT_CHECK(chain.try_add("bad", strict::make<V>(1), {"tier="}).status() == roster::add_status::refused);
    STRICT_CHECK(heard == 3 && chain.size() == 3);
    const roster::tag_filter filter = roster::tags::has("http") && roster::tags::none_of({"experimental"});
    for (int pass = 0; pass < 2; ++pass) {
        const auto found = chain.matching(filter);
        STRICT_CHECK(found.size() == 2 && found[0].key() == "auth" && found[1].key() == "log");
        STRICT_CHECK(strict::call(found[0].value(), 10) == 11 && found[0].priority() == 100);
        int sum = 0;
        const std::size_t calls = chain.for_each_matching(roster::tags::any_of({"experimental", "tier=auth"}),
                                                          [&sum](const roster::tagged_entry<V>& e) {
                                                              sum += strict::call(e.value(), 0);
                                                          });
        STRICT_CHECK(calls == 2 && sum == 3);
        const roster::tag_explanation why = chain.explain(filter);
        STRICT_CHECK(why.matched == 2 && strict::contains_text(why.text(), "has experimental (none_of)"));
        STRICT_CHECK(chain.get("gzip").has_value() && !chain.get("nope").has_value());
        chain.freeze();
    }
    STRICT_CHECK(chain.lookups().hits == 2 && chain.lookups().misses == 2);
    STRICT_CHECK_THROWS_AS(roster::frozen_error, chain.add("late", strict::make<V>(1)));
    roster::tagged_registry<V, roster::tie_break::registration, roster::locking::none> ordered{
        strict::name_of<V>("tagged.registration")};
    ordered.add("b", strict::make<V>(1), {"x"});
    ordered.add("a", strict::make<V>(2), {"x"});
    ordered.freeze();
    STRICT_CHECK(ordered.matching(roster::tags::has("x")).front().key() == "b");
}
// in main(): test_tagged<strict::fn_ptr>(); test_tagged<strict::shared>(); test_tagged<strict::function>();

template <class V>
void test_all() {
    test_hot_reload<V>();
    test_staged<V>();
    test_handler<V>();
    test_hierarchical<V>();
    test_sniffing<V>();
    test_tagged<V>();
}

} // namespace

int main() {
    try {
        test_static_registration();
        test_all<strict::fn_ptr>();
        test_all<strict::shared>();
        test_all<strict::function>();
        test_scoped();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "shapes: unexpected exception: %s\n", e.what());
        return 1;
    }
    return strict::finish("shapes");
}
