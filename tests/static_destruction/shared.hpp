// tests/static_destruction/shared.hpp -- what the three translation units of
// the static-destruction programs share.
//
//   registrations.cpp  registers into a default registry (ROSTER_REGISTER and
//                      ROSTER_REGISTER_SCOPED) and defines two hot-reload
//                      registries: one at namespace scope, one a
//                      function-local static behind local_hot();
//   user.cpp           a namespace-scope object whose DESTRUCTOR looks
//                      them up, iterates them and registers into them;
//   main.cpp           checks the order in which the two files were
//                      initialised (the link order) and uses everything once.
//
// Two programs link the same three objects, registrations.o and user.o in
// opposite orders, so the destructor runs once before and once after the
// objects of registrations.cpp are destroyed.
#pragma once

#include "roster/catalog.hpp" // listing::listed: the codecs domain is listed
#include "roster/events.hpp"
#include "roster/hot_reload.hpp"
#include "roster/registry.hpp"
#include "roster/static_registration.hpp"

#include <string>      // std::string: the values
#include <string_view> // std::string_view: domain names

namespace static_destruction {

/// A default registry, listed in the catalog: never destroyed.
struct codecs {
    using registry_type = roster::registry<std::string, roster::listing::listed>;
    static constexpr std::string_view name = "static_destruction.codecs";
};

/// A default registry that main() freezes.
struct frozen {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "static_destruction.frozen";
};

using hot_registry = roster::hot_reload_registry<std::string>;

/// A function-local static of registrations.cpp, built on first use.
hot_registry& local_hot();

/// A namespace-scope object of registrations.cpp.
extern hot_registry global_hot;

/// The order in which the files' static objects were constructed:
/// constant-initialised and trivially destructible, so it is readable at
/// any time, even during static destruction.
inline constinit const char* constructed[4]{};
inline constinit int constructed_count = 0;

inline void note_constructed(const char* who) noexcept {
    if (constructed_count < 4)
        constructed[constructed_count++] = who;
}

/// Whether registrations.cpp's objects were constructed before user.cpp's:
/// then they are destroyed after them, so user.cpp's destructor still sees
/// them.
inline bool registrations_first() noexcept {
    return constructed_count == 2 && std::string_view(constructed[0]) == "registrations";
}

} // namespace static_destruction
