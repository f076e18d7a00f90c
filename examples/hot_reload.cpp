// examples/hot_reload.cpp — a routing table read from configuration and
// reloaded while worker threads keep serving requests from it.
//
// - The routes live in a roster::hot_reload_registry: each reload replaces the
//   whole set at once; workers never see half of one configuration and half
//   of another.
// - A configuration with a mistake (here: a route defined twice, an empty
//   route) is refused as a whole, with every problem listed, and the running
//   set stays in service.
// - A listener logs each reload as a diff: added / removed / changed routes,
//   or "unchanged".
// - Each worker checks what it serves: every route of a held snapshot comes
//   from the same configuration generation, and generations never go back.
//
// Runs in well under a second; exits 0 when every check held.
#include <roster/hot_reload.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

/// What a route resolves to. Shared, immutable: workers may keep one while
/// the table is replaced.
struct handler {
    std::string target;  // e.g. "static:index.html"
    int generation = 0;  // which configuration it came from
    friend bool operator==(const handler& a, const handler& b) { return a.target == b.target; }
};
using handler_ptr = std::shared_ptr<const handler>;

/// Compares handlers by what they do, so that a reload that keeps a route
/// as it was reports it as unchanged (shared_ptrs would compare addresses).
struct route_value {
    handler_ptr h;
    friend bool operator==(const route_value& a, const route_value& b) { return *a.h == *b.h; }
};

using route_table = roster::hot_reload_registry<route_value>;

/// Parses "route = target" lines ('#' starts a comment) into table entries.
std::vector<std::pair<std::string, route_value>> parse(std::string_view text, int generation) {
    std::vector<std::pair<std::string, route_value>> routes;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        auto trim = [](std::string s) {
            const auto first = s.find_first_not_of(' ');
            const auto last = s.find_last_not_of(' ');
            return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
        };
        routes.emplace_back(trim(line.substr(0, eq)),
                            route_value{std::make_shared<const handler>(handler{trim(line.substr(eq + 1)), generation})});
    }
    return routes;
}

// Three configurations the "operator" edits in turn, and one broken edit.
constexpr std::string_view config_a = R"(# generation A
/           = static:index.html
/api/users  = proxy:users-v1
/api/orders = proxy:orders-v1
/health     = builtin:ok
)";
constexpr std::string_view config_b = R"(# generation B: users moved to v2, orders retired, search added
/           = static:index.html
/api/users  = proxy:users-v2
/api/search = proxy:search-v1
/health     = builtin:ok
)";
constexpr std::string_view config_broken = R"(# a bad edit: a route twice and an empty route
/           = static:index.html
/api/users  = proxy:users-v3
/api/users  = proxy:users-v4
            = proxy:nowhere
)";

} // namespace

int main() {
    route_table routes{"routes"};

    // Log every reload as a diff. Delivered outside the table's locks, in order.
    const auto log = routes.subscribe([](const route_table::event_type& e) {
        switch (e.kind) {
        case roster::change_kind::added:
            std::printf("  v%llu + %-12s -> %s\n", static_cast<unsigned long long>(e.version), e.key->c_str(),
                        e.current->h->target.c_str());
            break;
        case roster::change_kind::removed:
            std::printf("  v%llu - %-12s (was %s)\n", static_cast<unsigned long long>(e.version), e.key->c_str(),
                        e.previous->h->target.c_str());
            break;
        case roster::change_kind::changed:
            std::printf("  v%llu ~ %-12s %s -> %s\n", static_cast<unsigned long long>(e.version), e.key->c_str(),
                        e.previous->h->target.c_str(), e.current->h->target.c_str());
            break;
        case roster::change_kind::unchanged:
            std::printf("  v%llu   (configuration unchanged)\n", static_cast<unsigned long long>(e.version));
            break;
        }
    });

    std::printf("loading generation 0\n");
    routes.replace_all(parse(config_a, 0));

    // Workers serve requests while the main thread reloads.
    std::atomic<bool> stop{false};
    std::atomic<int> problems{0};
    std::atomic<long> served{0};
    const std::vector<std::string> requests{"/", "/api/users", "/api/orders", "/api/search", "/health", "/nope"};
    std::vector<std::thread> workers;
    for (int w = 0; w < 3; ++w) {
        workers.emplace_back([&, w] {
            std::uint64_t last_version = 0;
            std::size_t next = static_cast<std::size_t>(w);
            while (!stop.load(std::memory_order_acquire)) {
                // One request: the fast path, no lock (the thread's cached snapshot).
                const std::string& path = requests[next++ % requests.size()];
                routes.visit(path, [&](const route_value& r) {
                    if (r.h->target.empty()) problems.fetch_add(1);
                });
                // A page that needs several routes: hold one snapshot so they agree.
                const auto snap = routes.current();
                if (snap.version() < last_version) problems.fetch_add(1); // never backwards
                last_version = snap.version();
                int generation = -1;
                snap->for_each([&](const std::string&, const route_value& r) {
                    if (generation == -1) generation = r.h->generation;
                    else if (r.h->generation != generation) problems.fetch_add(1); // never a mix
                });
                served.fetch_add(1, std::memory_order_relaxed);
            }
            roster::release_thread_snapshots(); // an idle worker keeps no old table alive
        });
    }

    // The operator edits the configuration a few times.
    const std::string_view edits[] = {config_b, config_a, config_broken, config_a, config_b, config_b};
    int generation = 1;
    for (const std::string_view text : edits) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::printf("reloading generation %d\n", generation);
        const auto outcome = routes.try_replace_all(parse(text, generation));
        if (!outcome) {
            std::printf("  refused, still serving v%llu:\n%s\n", static_cast<unsigned long long>(routes.version()),
                        outcome.error().message.c_str());
        }
        ++generation;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.store(true, std::memory_order_release);
    for (auto& t : workers) t.join();

    const bool ok = problems.load() == 0 && served.load() > 0 && routes.version() == 6 &&
                    routes.get("/api/users")->h->target == "proxy:users-v2";
    std::printf("served %ld requests across %llu versions; %d problems -> %s\n", served.load(),
                static_cast<unsigned long long>(routes.version()), problems.load(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
