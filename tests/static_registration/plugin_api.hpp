// What the dlopen() fixture's host and plugin share
// (tests/static_registration/CMakeLists.txt):
//   exported_entries  a header-only default registry: one instance across the
//                     dlopen boundary because the host exports its symbols
//                     (ENABLE_EXPORTS, -rdynamic) and the plugin binds to them;
//   pinned_entries    a default registry pinned to ONE definition site, the
//                     shared library roster_sr_pinned (built with hidden
//                     visibility), that host and plugin both link.
#pragma once

#include "roster/static_registration.hpp"

#include <string>      // std::string: the values
#include <string_view> // std::string_view: the domains' names

#if defined(__GNUC__) || defined(__clang__)
#    define SR_EXPORT __attribute__((visibility("default")))
#else
#    define SR_EXPORT
#endif

namespace sr_plugin {

struct exported_entries {
    using registry_type = roster::registry<std::string>;
    static constexpr std::string_view name = "plugin.exported";
};

struct pinned_entries {
    using registry_type = roster::registry<std::string>;
    static constexpr std::string_view name = "plugin.pinned";
    ROSTER_DECLARE_DEFAULT_REGISTRY(SR_EXPORT); // defined in pinned.cpp only
};

} // namespace sr_plugin

// Exported by the plugin: the addresses of the default registries it sees.
extern "C" {
using sr_registry_address = const void* (*)();
}
