// tests/raising/raising.cpp -- every raising member of every shape, built
// with -fno-exceptions: each must print "roster: fatal error: <message>" to
// stderr and abort.
//
// Not a Catch2 test: its own main(), compiled with -fno-exceptions. It runs
// ONE case, named by argv[1]:
//
//   roster_raising <case>     sets the case up with members that do not
//                             raise, prints "raising now" to stdout, then
//                             calls the raising member. Expected: SIGABRT,
//                             with the message on stderr. If the member
//                             returns, the program says so and exits 1.
//   roster_raising --list     prints every case name, one per line.
//
// tests/raising/CMakeLists.txt registers one ctest per case that runs it
// through expect_sigabrt.cmake, which checks the signal (SIGABRT, not an
// exit code), the "roster: fatal error: " prefix, and the message fragments
// the case must show (registry name, key, this file's line).
//
// Exit codes other than the abort: 1 the member returned, 2 unknown case or
// bad usage, 3 the setup before the raising call went wrong.

#include "roster/catalog.hpp"
#include "roster/factory.hpp"
#include "roster/handler.hpp"
#include "roster/hierarchical.hpp"
#include "roster/hot_reload.hpp"
#include "roster/lifecycle.hpp"
#include "roster/registry.hpp"
#include "roster/scoped.hpp"
#include "roster/sniffing.hpp"
#include "roster/static_registration.hpp"
#include "roster/tagged.hpp"
#include "roster/versioned.hpp"

#include <cstdio>     // std::printf, std::fprintf, std::fflush
#include <cstdlib>    // std::exit
#include <cstring>    // std::strcmp
#include <functional> // std::function: an empty factory constructor
#include <memory>     // std::shared_ptr, std::unique_ptr
#include <string>     // std::string
#include <utility>    // std::pair
#include <vector>     // std::vector: a hot-reload replacement set

#if ROSTER_HAS_EXCEPTIONS
#error "tests/raising/raising.cpp must be compiled with -fno-exceptions"
#endif

namespace {

/// Stops the case with exit code 3 when its setup did not go as planned, so
/// that a setup failure is never mistaken for the abort under test.
void setup(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "raising: setup failed: %s\n", what);
        std::exit(3);
    }
}

/// Marks the point after which only the raising call runs.
void raising_now() {
    std::printf("raising now\n");
    std::fflush(stdout);
}

int handler_one() {
    return 1;
}
int handler_two() {
    return 2;
}

struct Greeting {
    virtual ~Greeting() = default;
};
struct Farewell {};

/// A domain for the census case (its default registry is never destroyed).
struct census_codecs {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "raising.census";
};

// ------------------------------------------------------------ core registry

void registry_add_duplicate() {
    roster::registry<int> reg{"raising.core"};
    setup(reg.try_add("gzip", 1).status() == roster::add_status::added, "first add");
    raising_now();
    (void)reg.add("gzip", 2);
}

void registry_add_null() {
    roster::registry<std::shared_ptr<int>> reg{"raising.pointers"};
    raising_now();
    (void)reg.add("p", nullptr);
}

void registry_add_invalid_key() {
    roster::registry<int> reg{"raising.core"};
    raising_now();
    (void)reg.add("bad\nkey", 1);
}

void registry_add_after_freeze() {
    roster::registry<int> reg{"raising.core"};
    (void)reg.freeze();
    raising_now();
    (void)reg.add("late", 1);
}

void registry_at_miss() {
    roster::registry<int> reg{"raising.core"};
    setup(reg.try_add("gzip", 1).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.at("gzp");
}

void registry_remove_miss() {
    roster::registry<int> reg{"raising.core"};
    setup(reg.try_add("gzip", 1).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.remove("zstd");
}

void registry_remove_frozen() {
    roster::registry<int> reg{"raising.core"};
    setup(reg.try_add("gzip", 1).status() == roster::add_status::added, "add");
    (void)reg.freeze();
    raising_now();
    (void)reg.remove("gzip");
}

void registry_handle_remove_frozen() {
    roster::registry<int> reg{"raising.core"};
    auto handle = reg.try_add("gzip", 1).handle();
    setup(handle.active(), "add");
    (void)reg.freeze();
    raising_now();
    (void)handle.remove();
}

void registry_commit_refused() {
    using int_registry = roster::registry<int>;
    int_registry reg{"raising.batch"};
    setup(reg.try_add("taken", 1).status() == roster::add_status::added, "add");
    roster::batch<int_registry> pending;
    pending.add("fresh", 2).add("taken", 3);
    raising_now();
    (void)reg.commit(std::move(pending));
}

void registry_entries_unfrozen() {
    roster::registry<int> reg{"raising.core"};
    raising_now();
    (void)reg.entries();
}

void result_value_of_an_error() {
    roster::registry<int> reg{"raising.core"};
    const roster::result<int> missed = reg.try_at("nothing");
    setup(!missed.has_value(), "try_at misses");
    raising_now();
    (void)missed.value();
}

void raise_an_unknown_code() {
    raising_now();
    roster::raise(roster::error_info{static_cast<roster::errc>(99), "a code from a newer roster"});
}

// ------------------------------------------------------------------ catalog

void catalog_listed_name_taken() {
    using listed = roster::registry<int, roster::listing::listed>;
    listed first{"raising.listed"};
    raising_now();
    listed second{"raising.listed"};
}

void catalog_at_miss() {
    using listed = roster::registry<int, roster::listing::listed>;
    listed first{"raising.listed"};
    raising_now();
    (void)roster::catalog::instance().at("raising.lsted");
}

// ------------------------------------------------------------------ factory

void factory_create_miss() {
    roster::factory<std::unique_ptr<int>()> makers{"raising.factory"};
    setup(makers.try_add("one", [] { return std::make_unique<int>(1); }).status() ==
              roster::add_status::added,
          "add");
    raising_now();
    (void)makers.create("onw");
}

void factory_create_null_product() {
    roster::factory<std::shared_ptr<int>()> makers{"raising.factory"};
    setup(makers.try_add("nil", [] { return std::shared_ptr<int>(); }).status() ==
              roster::add_status::added,
          "add");
    raising_now();
    (void)makers.create("nil");
}

void factory_create_empty_constructor() {
    roster::factory<std::unique_ptr<int>(), roster::on_null::allow> makers{"raising.lenient"};
    setup(makers.try_add("empty", std::function<std::unique_ptr<int>()>()).status() ==
              roster::add_status::added,
          "add");
    raising_now();
    (void)makers.create("empty");
}

// ---------------------------------------------------------------- versioned

void versioned_at_miss() {
    roster::versioned_registry<int, int> reg{"raising.versions"};
    setup(reg.try_add("codec", 1, 10).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.at("codec", 2);
}

void versioned_latest_miss() {
    roster::versioned_registry<int, int> reg{"raising.versions"};
    setup(reg.try_add("codec", 1, 10).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.latest("codex");
}

void versioned_negotiate_none() {
    roster::versioned_registry<int, int> reg{"raising.versions"};
    setup(reg.try_add("handshake", 1, 10).status() == roster::add_status::added, "add 1");
    setup(reg.try_add("handshake", 2, 20).status() == roster::add_status::added, "add 2");
    raising_now();
    (void)reg.negotiate("handshake", {7, 5});
}

void versioned_negotiate_version_none() {
    roster::versioned_registry<int, int> reg{"raising.versions"};
    setup(reg.try_add("handshake", 1, 10).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.negotiate_version("handshake", {9});
}

void versioned_add_duplicate() {
    roster::versioned_registry<int, int> reg{"raising.versions"};
    setup(reg.try_add("codec", 1, 10).status() == roster::add_status::added, "add");
    raising_now();
    (void)reg.add("codec", 1, 11);
}

// --------------------------------------------------------------- hot reload

void hot_reload_replace_all_refused() {
    roster::hot_reload_registry<int> reg{"raising.hot"};
    setup(reg.try_replace_all({{"a", 1}}).has_value(), "first set");
    const std::vector<std::pair<std::string, int>> next{{"b", 2}, {"", 3}, {"b", 4}};
    raising_now();
    (void)reg.replace_all(next);
}

void hot_reload_at_miss() {
    roster::hot_reload_registry<int> reg{"raising.hot"};
    setup(reg.try_replace_all({{"gzip", 1}}).has_value(), "first set");
    raising_now();
    (void)reg.at("gzp");
}

void hot_reload_rebuild_refused() {
    roster::hot_reload_registry<int> reg{"raising.hot"};
    raising_now();
    (void)reg.rebuild([](auto& next) { (void)next.add("", 1); });
}

// ------------------------------------------------------- staged / lifecycle

using staged_ints = roster::staged_registry<roster::registry<int>>;

void staged_at_before_finalize() {
    staged_ints reg{"raising.staged"};
    setup(reg.try_add("gzip", 1).has_value(), "add");
    raising_now();
    (void)reg.at("gzip");
}

void staged_get_before_finalize() {
    staged_ints reg{"raising.staged"};
    setup(reg.try_add("gzip", 1).has_value(), "add");
    raising_now();
    (void)reg.get("gzip");
}

void staged_registry_before_finalize() {
    staged_ints reg{"raising.staged"};
    raising_now();
    (void)reg.registry();
}

void staged_add_after_finalize() {
    staged_ints reg{"raising.staged"};
    setup(reg.try_finalize().has_value(), "finalize");
    raising_now();
    reg.add("late", 1);
}

void staged_finalize_refused() {
    staged_ints reg{"raising.staged"};
    setup(reg.try_add("twice", 1).has_value(), "add 1");
    setup(reg.try_add("twice", 2).has_value(), "add 2");
    raising_now();
    (void)reg.finalize();
}

void staged_at_after_refused_finalize() {
    staged_ints reg{"raising.staged"};
    setup(reg.try_add("", 1).has_value(), "add");
    setup(!reg.try_finalize().has_value(), "finalize refuses");
    raising_now();
    (void)reg.at("x");
}

// ------------------------------------------------------------------- scoped

void scoped_get_miss() {
    roster::scoped_registry app{"raising.scoped"};
    setup(static_cast<bool>(app.try_add(std::make_shared<Greeting>())), "add");
    raising_now();
    (void)app.get<Farewell>();
}

void scoped_get_null_product() {
    roster::scoped_registry app{"raising.scoped"};
    setup(static_cast<bool>(
              app.try_add_factory<Greeting>([] { return std::shared_ptr<Greeting>(); })),
          "add");
    raising_now();
    (void)app.get<Greeting>();
}

void scoped_add_null() {
    roster::scoped_registry app{"raising.scoped"};
    raising_now();
    (void)app.add(std::shared_ptr<Greeting>());
}

void scoped_add_after_freeze() {
    roster::scoped_registry app{"raising.scoped"};
    app.freeze();
    raising_now();
    (void)app.add(std::make_shared<Greeting>());
}

// ------------------------------------------------------------------ handler

void handler_add_conflict() {
    roster::handler_registry<int (*)()> routes{"raising.routes"};
    setup(routes.try_add("GET /a/{x}", &handler_one).status() == roster::add_status::added, "add");
    raising_now();
    (void)routes.add("GET /a/{y}", &handler_two);
}

void handler_add_malformed() {
    roster::handler_registry<int (*)()> routes{"raising.routes"};
    raising_now();
    (void)routes.add("GET /a/{x", &handler_one);
}

void handler_add_duplicate() {
    roster::handler_registry<int (*)()> routes{"raising.routes"};
    setup(routes.try_add("/a", &handler_one).status() == roster::add_status::added, "add");
    raising_now();
    (void)routes.add("/a", &handler_two);
}

// ------------------------------------------------------------------- tagged

void tagged_at_miss() {
    roster::tagged_registry<int> plugins{"raising.tagged"};
    setup(plugins.try_add("auth", 1, {"http"}).status() == roster::add_status::added, "add");
    raising_now();
    (void)plugins.at("auht");
}

void tagged_add_bad_tag() {
    roster::tagged_registry<int> plugins{"raising.tagged"};
    raising_now();
    (void)plugins.add("plugin", 1, {"=x"});
}

void tagged_add_duplicate() {
    roster::tagged_registry<int> plugins{"raising.tagged"};
    setup(plugins.try_add("auth", 1).status() == roster::add_status::added, "add");
    raising_now();
    (void)plugins.add("auth", 2);
}

// ------------------------------------------------------------- hierarchical

void hierarchical_add_malformed_id() {
    roster::hierarchical_registry<int> ids{"raising.tree"};
    raising_now();
    (void)ids.add("a..b", 1);
}

void hierarchical_bad_separator() {
    raising_now();
    roster::hierarchical_registry<int> ids{"raising.tree", 'x'};
}

void hierarchical_at_miss() {
    roster::hierarchical_registry<int> ids{"raising.tree"};
    setup(ids.try_add("a.b", 1).status() == roster::add_status::added, "add");
    raising_now();
    (void)ids.at("a.c");
}

// ---------------------------------------------------------------- sniffing

void sniffing_add_conflict() {
    roster::sniffing_registry<int (*)()> formats{"raising.sniff"};
    setup(formats.try_add("gif", "GIF87a", &handler_one).status() == roster::add_status::added,
          "add");
    raising_now();
    (void)formats.add("gif-copy", "GIF87a", &handler_two);
}

void sniffing_add_empty_pattern() {
    roster::sniffing_registry<int (*)()> formats{"raising.sniff"};
    raising_now();
    (void)formats.add("empty", "", &handler_one);
}

// ------------------------------------------------------ static registration

void static_registration_census_missing() {
    auto& codecs = roster::default_registry<census_codecs>();
    setup(codecs.try_add("gzip", 1).status() == roster::add_status::added, "add");
    raising_now();
    roster::census(codecs, {"gzip", "lz4", "zstd"});
}

// ----------------------------------------------------------------- the table

struct raising_case {
    const char* name;
    void (*run)();
};

// The ctest names are raising.<name>; tests/raising/CMakeLists.txt lists the
// same names with the message each must print (the test raising.cases checks
// that the two lists agree).
constexpr raising_case cases[] = {
    {"registry.add_duplicate", registry_add_duplicate},
    {"registry.add_null", registry_add_null},
    {"registry.add_invalid_key", registry_add_invalid_key},
    {"registry.add_after_freeze", registry_add_after_freeze},
    {"registry.at_miss", registry_at_miss},
    {"registry.remove_miss", registry_remove_miss},
    {"registry.remove_frozen", registry_remove_frozen},
    {"registry.handle_remove_frozen", registry_handle_remove_frozen},
    {"registry.commit_refused", registry_commit_refused},
    {"registry.entries_unfrozen", registry_entries_unfrozen},
    {"result.value_of_an_error", result_value_of_an_error},
    {"raise.unknown_code", raise_an_unknown_code},
    {"catalog.listed_name_taken", catalog_listed_name_taken},
    {"catalog.at_miss", catalog_at_miss},
    {"factory.create_miss", factory_create_miss},
    {"factory.create_null_product", factory_create_null_product},
    {"factory.create_empty_constructor", factory_create_empty_constructor},
    {"versioned.at_miss", versioned_at_miss},
    {"versioned.latest_miss", versioned_latest_miss},
    {"versioned.negotiate_none", versioned_negotiate_none},
    {"versioned.negotiate_version_none", versioned_negotiate_version_none},
    {"versioned.add_duplicate", versioned_add_duplicate},
    {"hot_reload.replace_all_refused", hot_reload_replace_all_refused},
    {"hot_reload.at_miss", hot_reload_at_miss},
    {"hot_reload.rebuild_refused", hot_reload_rebuild_refused},
    {"staged.at_before_finalize", staged_at_before_finalize},
    {"staged.get_before_finalize", staged_get_before_finalize},
    {"staged.registry_before_finalize", staged_registry_before_finalize},
    {"staged.add_after_finalize", staged_add_after_finalize},
    {"staged.finalize_refused", staged_finalize_refused},
    {"staged.at_after_refused_finalize", staged_at_after_refused_finalize},
    {"scoped.get_miss", scoped_get_miss},
    {"scoped.get_null_product", scoped_get_null_product},
    {"scoped.add_null", scoped_add_null},
    {"scoped.add_after_freeze", scoped_add_after_freeze},
    {"handler.add_conflict", handler_add_conflict},
    {"handler.add_malformed", handler_add_malformed},
    {"handler.add_duplicate", handler_add_duplicate},
    {"tagged.at_miss", tagged_at_miss},
    {"tagged.add_bad_tag", tagged_add_bad_tag},
    {"tagged.add_duplicate", tagged_add_duplicate},
    {"hierarchical.add_malformed_id", hierarchical_add_malformed_id},
    {"hierarchical.bad_separator", hierarchical_bad_separator},
    {"hierarchical.at_miss", hierarchical_at_miss},
    {"sniffing.add_conflict", sniffing_add_conflict},
    {"sniffing.add_empty_pattern", sniffing_add_empty_pattern},
    {"static_registration.census_missing", static_registration_census_missing},
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <case> | --list\n", argc > 0 ? argv[0] : "roster_raising");
        return 2;
    }
    if (std::strcmp(argv[1], "--list") == 0) {
        for (const raising_case& c : cases)
            std::printf("%s\n", c.name);
        return 0;
    }
    for (const raising_case& c : cases) {
        if (std::strcmp(argv[1], c.name) != 0)
            continue;
        c.run();
        std::fflush(stdout);
        std::fprintf(stderr, "raising: case %s returned: its raising member did not abort\n",
                     c.name);
        return 1;
    }
    std::fprintf(stderr, "raising: unknown case \"%s\" (--list lists them)\n", argv[1]);
    return 2;
}
