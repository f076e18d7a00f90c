// What the dlopen() suite's hosts and plugins share (tests/dlopen/CMakeLists.txt):
// the registry types, the table of host registries a host hands to a plugin,
// and the C entry points every plugin exports.
//
// The host owns every registry here; a plugin only adds to them, subscribes
// to them or to the catalog, and must leave nothing behind that needs its
// code once it is unloaded.
#pragma once

#include "roster/catalog.hpp"
#include "roster/events.hpp"
#include "roster/hot_reload.hpp"
#include "roster/static_registration.hpp"

#include <string>      // std::string: values
#include <string_view> // std::string_view: the domain's name

#if defined(__GNUC__) || defined(__clang__)
#    define DL_EXPORT __attribute__((visibility("default")))
#else
#    define DL_EXPORT
#endif

namespace dl_api {

/// A default registry the host uses (so the host's copy is the one every
/// module binds to, given ENABLE_EXPORTS).
struct default_entries {
    using registry_type = roster::registry<std::string>;
    static constexpr std::string_view name = "dlopen.default";
};

/// An explicit host registry, reached through the table below.
using explicit_registry = roster::registry<std::string>;
/// The registries a plugin subscribes to first. Their Value type (long) is
/// one the host never instantiates events for before the plugin does.
using core_registry = roster::registry<long>;
using hot_registry = roster::hot_reload_registry<long>;
/// Listed registries (in roster::catalog).
using listed_registry = roster::registry<std::string, roster::listing::listed>;
using listed_hot_registry = roster::hot_reload_registry<std::string, roster::listing::listed>;
/// The listed registry a plugin owns (dlopen.catalog). The host never
/// instantiates this type, so the plugin's own code lists it and, when the
/// host listens to the catalog, creates its event hub.
using plugin_listed_registry = roster::registry<int, roster::listing::listed>;

/// What a host hands to dl_plugin_start(): null members are not used.
struct host_registries {
    explicit_registry* explicit_entries = nullptr;
    core_registry* core = nullptr;
    hot_registry* hot = nullptr;
};

} // namespace dl_api

// Every plugin exports these three functions:
//   int  dl_plugin_start(dl_api::host_registries*)  registers / subscribes; 0 on success
//   long dl_plugin_events()                          events (or entries) the plugin has seen
//   void dl_plugin_stop()                            unsubscribes (the plugin's statics are
//                                                    destroyed by dlclose(), unless it is pinned)
extern "C" {
using dl_start_fn = int (*)(dl_api::host_registries*);
using dl_events_fn = long (*)();
using dl_stop_fn = void (*)();
}
