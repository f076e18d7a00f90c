// The plugin of dlopen.subscribe_*: subscribes to the host's registries (a
// core registry, a hot-reload registry), counts the events it hears, and
// unsubscribes in dl_plugin_stop(), before the host unloads it.
//
// When its subscribe() is the first one on a registry, the code that creates
// the registry's event hub is this plugin's (unless the host exports its own
// copy of that code and the plugin binds to it): the hub's virtual functions,
// and its shared_ptr control block's, are the plugin's. roster then keeps the
// plugin mapped after dlclose(), so that the host can keep using and finally
// destroy the registry. Built twice: with default visibility, and with
// -fvisibility=hidden (the plugin then always uses its own copy).
#include "api.hpp"

namespace {
long seen = 0; // the host mutates on one thread: no synchronisation needed
roster::subscription core_subscription;
roster::subscription hot_subscription;
} // namespace

extern "C" DL_EXPORT int dl_plugin_start(dl_api::host_registries* host) {
    if (host == nullptr || (host->core == nullptr && host->hot == nullptr)) return 1;
    if (host->core != nullptr)
        core_subscription = host->core->subscribe([](const dl_api::core_registry::event_type&) { ++seen; });
    if (host->hot != nullptr)
        hot_subscription = host->hot->subscribe([](const dl_api::hot_registry::event_type&) { ++seen; });
    return 0;
}

extern "C" DL_EXPORT long dl_plugin_events() { return seen; }

extern "C" DL_EXPORT void dl_plugin_stop() {
    core_subscription.reset();
    hot_subscription.reset();
}
