// tests/static_destruction/user.cpp -- a static object whose destructor uses
// the registries of registrations.cpp during static destruction (see
// shared.hpp). It prints what it found to stdout, one line per check, and
// ends the process with exit code 1 if a check failed.
#include "shared.hpp"

#include <cstdio>      // std::printf, std::fflush
#include <cstdlib>     // std::_Exit
#include <string>      // std::string
#include <string_view> // std::string_view
#include <thread>      // std::thread: a read from a thread started during exit

namespace static_destruction {
namespace {

int checks = 0;
int failures = 0;

void check(bool ok, const char* what) {
    ++checks;
    if (!ok)
        ++failures;
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
}

bool contains(std::string_view text, std::string_view piece) {
    return text.find(piece) != std::string_view::npos;
}

class late_user {
public:
    late_user() {
        note_constructed("user");
        // Using an object during construction makes it outlive this one:
        // local_hot()'s static is constructed before this constructor
        // completes, so it is destroyed after this destructor. (The default
        // registries are never destroyed at all.)
        (void)local_hot();
        auto& registry = roster::default_registry<codecs>();
        zstd_events_ = registry.subscribe([this](const auto& event) {
            if (event.kind == roster::change_kind::removed && event.key == "zstd")
                ++zstd_removed_;
        });
    }

    late_user(const late_user&) = delete;
    late_user& operator=(const late_user&) = delete;

    ~late_user() {
        const bool alive = registrations_first();
        std::printf("destructor: constructed %s, then %s; registrations.cpp's objects are %s\n",
                    constructed_count > 0 ? constructed[0] : "?",
                    constructed_count > 1 ? constructed[1] : "?",
                    alive ? "still alive" : "already destroyed");
        default_registry_checks(alive);
        frozen_registry_checks();
        local_hot_checks();
        global_hot_checks(alive);
        if (failures != 0) {
            std::printf("static destruction: %d of %d checks FAILED\n", failures, checks);
            std::fflush(stdout);
            std::_Exit(1);
        }
        std::printf("static destruction: all %d checks passed\n", checks);
        std::fflush(stdout);
    }

private:
    void default_registry_checks(bool alive) {
        auto& registry = roster::default_registry<codecs>();
        check(registry.get("gzip") == std::string("gzip codec"),
              "default registry: ROSTER_REGISTER's gzip is there");
        check(registry.get("from-main") == std::string("main"),
              "default registry: main()'s entry is there");
        if (alive) {
            check(registry.get("zstd") == std::string("zstd codec"),
                  "default registry: zstd still registered (its ROSTER_REGISTER_SCOPED object is "
                  "alive)");
            check(zstd_removed_ == 0, "default registry: no removal event yet");
        } else {
            check(
                !registry.contains("zstd"),
                "default registry: zstd removed (its ROSTER_REGISTER_SCOPED object was destroyed)");
            check(zstd_removed_ == 1, "default registry: this object heard zstd's removal event");
        }
        std::size_t seen = 0;
        registry.for_each([&](const std::string&, const std::string&) { ++seen; });
        check(seen == registry.size() && seen == registry.names().size(),
              "default registry: iterated");

        const auto late = registry.try_add("late", std::string("from a static destructor"));
        check(late.status() == roster::add_status::added,
              "default registry: add from a static destructor");
        check(registry.at("late") == "from a static destructor",
              "default registry: and look it up");

        const auto report = roster::catalog::instance().try_at("static_destruction.codecs");
        check(report.has_value() && report->entries.size() == registry.size(),
              "catalog: lists the default registry with every entry");
    }

    static void frozen_registry_checks() {
        auto& registry = roster::default_registry<frozen>();
        check(registry.frozen() && registry.get("k") == 1, "frozen default registry: readable");
        const auto refused = registry.try_add("late", 2);
        check(refused.status() == roster::add_status::refused &&
                  refused.error().code == roster::errc::frozen &&
                  contains(refused.error().message, "cannot add key \"late\"") &&
                  contains(refused.error().message, "the registry was frozen at") &&
                  contains(refused.error().message, "main.cpp:"),
              "frozen default registry: add refused, naming where main() froze it");
    }

    static void local_hot_checks() {
        hot_registry& hot = local_hot();
        check(hot.version() == 1 && hot.get("a") == std::string("main"),
              "function-local hot-reload registry: main()'s version 1 is read");
        check(hot.names().size() == 1 && hot.current()->get("a") == std::string("main"),
              "function-local hot-reload registry: names() and a held snapshot");
        const auto replaced = hot.try_replace_all({{"a", "main"}, {"b", "destructor"}});
        check(replaced.has_value() && *replaced == 2 && hot.get("b") == std::string("destructor"),
              "function-local hot-reload registry: replace_all from a static destructor publishes "
              "version 2");
        std::string read_by_thread;
        std::thread reader([&] { read_by_thread = hot.get("b").value_or("(missing)"); });
        reader.join();
        check(read_by_thread == "destructor",
              "function-local hot-reload registry: read by a thread started now");
        const auto refused = hot.try_replace_all({{"", "x"}});
        check(!refused.has_value() && refused.error().code == roster::errc::batch_refused &&
                  hot.version() == 2,
              "function-local hot-reload registry: a bad set is refused, nothing published");
    }

    static void global_hot_checks(bool alive) {
        if (!alive) {
            // C++ destroys in reverse order of construction: the namespace-scope
            // registry of registrations.cpp, constructed after this object, is
            // gone. Using it would be undefined behaviour whatever the registry.
            std::printf("skipped: namespace-scope hot-reload registry (destroyed before this "
                        "destructor)\n");
            return;
        }
        check(global_hot.get("global") == std::string("v1"),
              "namespace-scope hot-reload registry: read");
        const auto replaced = global_hot.try_replace_all({{"global", "v2"}});
        check(replaced.has_value() && global_hot.get("global") == std::string("v2"),
              "namespace-scope hot-reload registry: replaced from a static destructor");
    }

    roster::subscription zstd_events_;
    int zstd_removed_ = 0;
};

late_user the_user;

} // namespace
} // namespace static_destruction
