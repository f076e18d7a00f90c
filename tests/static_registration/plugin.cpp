// The MODULE library roster_sr_plugin, loaded by host.cpp with dlopen(). Its
// static registrations add entries to the HOST's default registries when it
// is loaded, and remove exactly those entries (by handle) when it is
// unloaded: ROSTER_REGISTER_SCOPED keeps each handle in this file's static
// storage, which dlclose() destroys.
#include "plugin_api.hpp"

ROSTER_REGISTER_SCOPED(roster::default_registry<sr_plugin::exported_entries>(), "plugin.alpha", "alpha");

namespace sr_plugin::nested {
ROSTER_REGISTER_SCOPED(roster::default_registry<exported_entries>(), "plugin.beta", "beta");
} // namespace sr_plugin::nested

namespace {
ROSTER_REGISTER_SCOPED(roster::default_registry<sr_plugin::pinned_entries>(), "plugin.pinned", "pinned");
} // namespace

// A static that only the plugin defines, of an inline function (external
// linkage): g++ makes it an STB_GNU_UNIQUE symbol, and glibc never unloads a
// library that provides one -- dlclose() would do nothing and the entries
// above would stay. CMakeLists.txt builds the plugin with -fno-gnu-unique;
// the host checks that dlclose() really unloads it. (A default registry of a
// domain the host never uses would be such a static too -- and leaked at
// every unload: register into domains the host or a shared library owns.)
namespace sr_plugin::only_here {
inline int& loads() {
    static int count = 0;
    return count;
}
[[maybe_unused]] const int loaded = ++loads();
} // namespace sr_plugin::only_here

extern "C" SR_EXPORT const void* sr_plugin_exported_registry() {
    return &roster::default_registry<sr_plugin::exported_entries>();
}

extern "C" SR_EXPORT const void* sr_plugin_pinned_registry() {
    return &roster::default_registry<sr_plugin::pinned_entries>();
}
