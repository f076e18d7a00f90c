// The plugin of dlopen.register: registers into the host's registries and
// takes every entry away again when it is unloaded.
// - At load time, into the host's default registry (ROSTER_REGISTER_SCOPED:
//   the handle lives in this file's static storage).
// - dl_plugin_start(), into the host's explicit registry: the handles go to a
//   static vector, which dlclose() destroys.
// It never subscribes, so nothing keeps it loaded: dlclose() unmaps it.
#include "api.hpp"

#include <vector>

ROSTER_REGISTER_SCOPED(roster::default_registry<dl_api::default_entries>(), "plugin.default", "from the plugin");

namespace {
std::vector<roster::scoped_registration> explicit_entries; // destroyed by dlclose(): removes the entries
long added = 0;
} // namespace

extern "C" DL_EXPORT int dl_plugin_start(dl_api::host_registries* host) {
    if (host == nullptr || host->explicit_entries == nullptr) return 1;
    explicit_entries.emplace_back(host->explicit_entries->add("plugin.one", "one").handle());
    explicit_entries.emplace_back(host->explicit_entries->add("plugin.two", "two").handle());
    added += 2;
    return 0;
}

extern "C" DL_EXPORT long dl_plugin_events() { return added; }

extern "C" DL_EXPORT void dl_plugin_stop() {} // its entries go when dlclose() destroys its statics
