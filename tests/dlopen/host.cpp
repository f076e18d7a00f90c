// The dlopen() suite's host: `host <scenario> <plugin.so>` loads the plugin,
// lets it register or subscribe, unloads it, then keeps using its registries
// and finally destroys them. Exits 0 when every check holds; a crash (the
// registry reaching code of the unloaded plugin) fails the ctest.
//
// Built twice (CMakeLists.txt): roster_dl_host exports its symbols
// (ENABLE_EXPORTS: plugins bind to the host's default registry and catalog),
// roster_dl_host_private does not (plugins use their own copy of every
// template they instantiate, as most plugins do).
//
// Scenarios:
//   register        (a) the plugin registers into the default registry and an
//                   explicit one; dlclose() unmaps it and removes its entries
//   subscribe_core  (b) the plugin is the first subscriber of a core registry
//   subscribe_hot   (b) ... of a hot-reload registry
//   subscribe_both  (b) both, with a plugin built with hidden visibility
//   subscribe_then_destroy
//                   (b) both; after the unload the host only mutates them
//                   (nobody listens) and destroys them
//   host_first      the host subscribes first: the plugin's subscription does
//                   not keep it loaded
//   catalog         (c) the plugin subscribes to the catalog and lists a
//                   registry of its own
#include "api.hpp"
#include "static_registration/expect.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sr_expect::expect;

ROSTER_REGISTER(roster::default_registry<dl_api::default_entries>(), "host.builtin", "host");

struct plugin {
    void* handle = nullptr;
    dl_start_fn start = nullptr;
    dl_events_fn events = nullptr;
    dl_stop_fn stop = nullptr;
};

template <class Function>
Function symbol(void* handle, const char* name) {
    return reinterpret_cast<Function>(dlsym(handle, name));
}

plugin load(const char* path) {
    plugin p;
    p.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    expect(p.handle != nullptr, std::string("dlopen ") + path + (p.handle ? "" : std::string(": ") + dlerror()));
    if (p.handle == nullptr) return p;
    p.start = symbol<dl_start_fn>(p.handle, "dl_plugin_start");
    p.events = symbol<dl_events_fn>(p.handle, "dl_plugin_events");
    p.stop = symbol<dl_stop_fn>(p.handle, "dl_plugin_stop");
    expect(p.start && p.events && p.stop, "the plugin exports dl_plugin_start, dl_plugin_events, dl_plugin_stop");
    return p;
}

/// Whether the object at `path` is still loaded (dlopen with RTLD_NOLOAD
/// finds it; the reference it takes is given back).
bool still_loaded(const char* path) {
    void* handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (handle != nullptr) dlclose(handle);
    return handle != nullptr;
}

void unload(plugin& p) {
    expect(dlclose(p.handle) == 0, "dlclose");
    p = plugin{};
}

bool from_file(const std::optional<roster::source_location>& where, std::string_view file) {
    return where && std::string_view(where->file_name()).find(file) != std::string_view::npos;
}

// --- (a) registering -----------------------------------------------------------

void run_register(const char* path) {
    auto& defaults = roster::default_registry<dl_api::default_entries>();
    dl_api::explicit_registry explicit_entries{"dlopen.explicit"};
    explicit_entries.add("host.own", "host");
    for (int round = 1; round <= 2; ++round) {
        const std::string r = "round " + std::to_string(round) + ": ";
        plugin p = load(path);
        if (p.handle == nullptr) return;
        expect(from_file(defaults.location("plugin.default"), "plugin_register.cpp"),
               r + "loading registered the plugin's entry into the host's default registry");
        dl_api::host_registries host;
        host.explicit_entries = &explicit_entries;
        expect(p.start(&host) == 0, r + "dl_plugin_start");
        expect(from_file(explicit_entries.location("plugin.one"), "plugin_register.cpp") &&
                   explicit_entries.contains("plugin.two"),
               r + "the plugin registered into the explicit registry");
        p.stop();
        unload(p);
        expect(!still_loaded(path), r + "dlclose() unmapped the plugin (nothing pins a plugin that only registers)");
        expect(!defaults.contains("plugin.default") && defaults.contains("host.builtin"),
               r + "the default registry lost exactly the plugin's entry");
        expect(explicit_entries.names() == std::vector<std::string>{"host.own"},
               r + "the explicit registry lost exactly the plugin's entries");
    }
    // The host keeps using both registries.
    explicit_entries.add("host.later", "later");
    expect(explicit_entries.get("host.later") == "later" && explicit_entries.remove("host.own") == "host",
           "after the unloads the explicit registry still adds, reads and removes");
    defaults.add("host.later", "later");
    expect(defaults.size() == 2, "and so does the default registry");
    expect(defaults.remove("host.later") == "later", "a default registry entry added after the unloads is removed");
}

// --- (b) subscribing -------------------------------------------------------------

/// The host's own listener, added after the plugin is gone: it must hear
/// every later change through the hub the plugin's code created.
struct host_listener {
    long heard = 0;
};

void run_subscribe(const char* path, bool core_too, bool hot_too, bool host_listens) {
    {
        dl_api::core_registry core{"dlopen.core"};
        dl_api::hot_registry hot{"dlopen.hot"};
        core.add("before", 1);
        plugin p = load(path);
        if (p.handle == nullptr) return;
        dl_api::host_registries host;
        if (core_too) host.core = &core;
        if (hot_too) host.hot = &hot;
        expect(p.start(&host) == 0, "dl_plugin_start: the plugin subscribed first");
        long expected = 0;
        if (core_too) {
            core.add("a", 1);
            (void)core.remove("before");
            expected += 2;
        }
        if (hot_too) {
            hot.replace_all({{"a", 1L}, {"b", 2L}}); // two `added` events
            expected += 2;
        }
        expect(p.events() == expected, "the plugin heard " + std::to_string(expected) + " events, got " +
                                           std::to_string(p.events()));
        p.stop();
        unload(p);
        expect(still_loaded(path), "dlclose() left the plugin mapped: its code created the registries' event hubs");
        std::puts("the plugin is unloaded; the host keeps using its registries");
        // Mutations with nobody listening...
        core.add("after", 2);
        hot.replace_all({{"c", 3L}});
        if (host_listens) { // ...then listeners of the host's own, through the hubs the plugin created
            host_listener mine;
            {
                auto core_sub = core.subscribe([&](const dl_api::core_registry::event_type&) { ++mine.heard; });
                auto hot_sub = hot.subscribe([&](const dl_api::hot_registry::event_type&) { ++mine.heard; });
                core.add("heard", 3);
                hot.replace_all({{"c", 4L}}); // one `changed` event
            }
            core.add("unheard", 4);
            expect(mine.heard == 2, "a host listener subscribed after the unload heard its 2 events, got " +
                                        std::to_string(mine.heard));
            expect(core.size() == 4 && hot.size() == 1, "the registries hold what the host put there");
        }
        std::puts("destroying the registries");
    }
    std::puts("the registries are destroyed");
}

void run_host_first(const char* path) {
    {
        dl_api::core_registry core{"dlopen.host_first"};
        long heard = 0;
        // The host's own code creates the hub; the subscription may go, the hub stays.
        auto mine = core.subscribe([&](const dl_api::core_registry::event_type&) { ++heard; });
        plugin p = load(path);
        if (p.handle == nullptr) return;
        dl_api::host_registries host;
        host.core = &core;
        expect(p.start(&host) == 0, "dl_plugin_start: the plugin subscribed second");
        core.add("a", 1);
        expect(p.events() == 1 && heard == 1, "the plugin and the host each heard the event");
        p.stop();
        unload(p);
        expect(!still_loaded(path), "dlclose() unmapped the plugin: the hub is the host's");
        core.add("b", 2);
        expect(heard == 2, "the host's listener still hears changes");
    }
    std::puts("the registry is destroyed");
}

// --- (c) the catalog ---------------------------------------------------------------

void run_catalog(const char* path) {
    auto& catalog = roster::catalog::instance();
    {
        dl_api::listed_registry names{"dlopen.listed"};
        dl_api::listed_hot_registry hot{"dlopen.listed_hot"};
        names.add("host.a", "a");
        hot.replace_all({{"host.h", std::string("h")}});
        std::map<std::string, int> heard; // registry name -> events the host's catalog listener heard
        auto mine = catalog.subscribe([&](const roster::registration_event& e) { ++heard[e.registry]; });
        expect(heard["dlopen.listed"] == 1 && heard["dlopen.listed_hot"] == 1,
               "the host's catalog subscriber heard the replayed entries");

        plugin p = load(path);
        if (p.handle == nullptr) return;
        expect(catalog.contains("dlopen.plugin_own") && heard["dlopen.plugin_own"] == 1,
               "the plugin's own listed registry is in the catalog, and the host heard its entry");
        expect(p.start(nullptr) == 0, "dl_plugin_start: the plugin subscribed to the catalog");
        expect(p.events() == 3, "the plugin heard the 3 entries already registered, got " + std::to_string(p.events()));
        names.add("host.b", "b");
        hot.replace_all({{"host.h", std::string("h")}, {"host.i", std::string("i")}}); // added host.i
        expect(p.events() == 5, "and 2 live ones, got " + std::to_string(p.events()));
        p.stop();
        unload(p);
        expect(!still_loaded(path), "dlclose() unmapped the plugin (its registries and subscriptions died with it)");
        expect(!catalog.contains("dlopen.plugin_own"), "the plugin's registry left the catalog");

        names.add("host.c", "c");
        hot.replace_all({{"host.j", std::string("j")}}); // removed host.h, host.i; added host.j
        expect(heard["dlopen.listed"] == 3 && heard["dlopen.listed_hot"] == 5,
               "the host's catalog subscriber still hears every change");
        {
            dl_api::listed_registry later{"dlopen.later"};
            later.add("x", "x");
            expect(catalog.snapshot().size() == 3, "a snapshot lists the host's 3 registries");
        }
        expect(heard["dlopen.later"] == 1, "a registry listed after the unload reaches the host's subscriber");
        std::puts("destroying the registries");
    }
    expect(catalog.size() == 0, "every registry left the catalog");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::printf("usage: %s register|subscribe_core|subscribe_hot|subscribe_both|subscribe_then_destroy|host_first|catalog <plugin.so>\n",
                    argv[0]);
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IONBF, 0); // every line is out before a crash
    const std::string_view scenario = argv[1];
    const char* path = argv[2];
    if (scenario == "register") run_register(path);
    else if (scenario == "subscribe_core") run_subscribe(path, true, false, true);
    else if (scenario == "subscribe_hot") run_subscribe(path, false, true, true);
    else if (scenario == "subscribe_both") run_subscribe(path, true, true, true);
    else if (scenario == "subscribe_then_destroy") run_subscribe(path, true, true, false);
    else if (scenario == "host_first") run_host_first(path);
    else if (scenario == "catalog") run_catalog(path);
    else {
        std::printf("unknown scenario %s\n", argv[1]);
        return 2;
    }
    std::printf("%s: done\n", argv[1]);
    return sr_expect::exit_code();
}
