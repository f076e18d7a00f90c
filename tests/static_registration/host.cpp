// The dlopen() fixture's host: loads the plugin given as argv[1] twice, and
// checks that its entries appear in the host's default registries (one
// instance across the boundary) and disappear again when it is unloaded.
// Exits 0 when every check holds.
#include "expect.hpp"
#include "plugin_api.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

using sr_expect::expect;

ROSTER_REGISTER(roster::default_registry<sr_plugin::exported_entries>(), "host.builtin", "host");
ROSTER_REGISTER(roster::default_registry<sr_plugin::pinned_entries>(), "host.builtin", "host");

auto& exported() { return roster::default_registry<sr_plugin::exported_entries>(); }
auto& pinned() { return roster::default_registry<sr_plugin::pinned_entries>(); }

bool from_plugin(const roster::registry<std::string>& registry, std::string_view key) {
    const auto where = registry.location(key);
    return where && std::string_view(where->file_name()).find("plugin.cpp") != std::string_view::npos;
}

const void* call(void* plugin, const char* symbol) {
    const auto function = reinterpret_cast<sr_registry_address>(dlsym(plugin, symbol));
    return function ? function() : nullptr;
}

void round_trip(const char* path, int round) {
    const std::string r = "round " + std::to_string(round) + ": ";
    void* plugin = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    expect(plugin != nullptr, r + "dlopen " + path + (plugin ? "" : std::string(": ") + dlerror()));
    if (plugin == nullptr) return;

    expect(call(plugin, "sr_plugin_exported_registry") == &exported(),
           r + "the plugin sees the host's exported_entries registry (one instance)");
    expect(call(plugin, "sr_plugin_pinned_registry") == &pinned(),
           r + "the plugin sees the pinned_entries registry of roster_sr_pinned (one instance)");
    expect(from_plugin(exported(), "plugin.alpha") && from_plugin(exported(), "plugin.beta"),
           r + "after dlopen the plugin's entries are registered, located in plugin.cpp");
    expect(from_plugin(pinned(), "plugin.pinned"), r + "and its entry in the pinned registry too");
    std::printf("%sloaded: %zu exported entries, %zu pinned entries\n", r.c_str(), exported().size(),
                pinned().size());

    expect(dlclose(plugin) == 0, r + "dlclose");
    expect(dlopen(path, RTLD_NOW | RTLD_NOLOAD) == nullptr,
           r + "the plugin is really unloaded (not kept by a unique symbol: see the docs)");
    expect(!exported().contains("plugin.alpha") && !exported().contains("plugin.beta") &&
               !pinned().contains("plugin.pinned"),
           r + "after dlclose the plugin's entries are gone");
    expect(exported().contains("host.builtin") && pinned().contains("host.builtin"),
           r + "and the host's own entries are still there");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::printf("usage: %s <plugin.so>\n", argv[0]);
        return 2;
    }
    expect(exported().size() == 1 && pinned().size() == 1, "before dlopen only the host's entries exist");
    round_trip(argv[1], 1);
    round_trip(argv[1], 2); // loading again registers again: nothing was left behind
    return sr_expect::exit_code();
}
