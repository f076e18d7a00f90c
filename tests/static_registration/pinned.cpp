// The shared library roster_sr_pinned: the one definition site of
// sr_plugin::pinned_entries' default registry.
#include "plugin_api.hpp"

ROSTER_DEFINE_DEFAULT_REGISTRY(sr_plugin::pinned_entries);
