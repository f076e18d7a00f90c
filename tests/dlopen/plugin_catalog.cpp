// The plugin of dlopen.catalog: subscribes to the process's catalog, lists a
// registry of its own, and subscribes to another registry of its own.
// - dl_plugin_start() subscribes to roster::catalog (it hears the host's listed
//   registries, replayed, then live); the subscription lives in this file's
//   static storage, so dlclose() unsubscribes it.
// - `listed`, a listed registry on the heap, owned by this file's static
//   storage, is created at load time and destroyed by dlclose(). When the
//   host already listens to the catalog, listing it subscribes the host's
//   listener to it, and this plugin's code creates its event hub; that does
//   not keep the plugin loaded (the catalog's subscriptions never do).
// - `unlisted`, a registry in this file's static storage that
//   dl_plugin_start() subscribes to first: this plugin's code creates its
//   event hub, but the registry dies with the plugin, so the plugin is not
//   kept loaded.
#include "api.hpp"

#include <memory>

namespace {
long seen = 0;
const auto listed = std::make_unique<dl_api::plugin_listed_registry>("dlopen.plugin_own");
const bool filled = [] {
    listed->add("own.alpha", 1);
    return true;
}();
roster::registry<int> unlisted{"dlopen.plugin_unlisted"};
long unlisted_events = 0;
roster::subscription unlisted_subscription;          // destroyed by dlclose() before `unlisted`
roster::catalog_subscription catalog_subscription;   // destroyed by dlclose(): unsubscribes
} // namespace

extern "C" DL_EXPORT int dl_plugin_start(dl_api::host_registries*) {
    if (!filled) return 1;
    unlisted_subscription = unlisted.subscribe([](const roster::registry<int>::event_type&) { ++unlisted_events; });
    unlisted.add("x", 1);
    if (unlisted_events != 1) return 2;
    catalog_subscription = roster::catalog::instance().subscribe([](const roster::registration_event&) { ++seen; });
    return 0;
}

extern "C" DL_EXPORT long dl_plugin_events() { return seen; }

extern "C" DL_EXPORT void dl_plugin_stop() {} // dlclose() unsubscribes everything
