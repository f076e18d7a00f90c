// tests/static_destruction/registrations.cpp -- registrations made at static
// initialisation, and the two hot-reload registries (see shared.hpp).
#include "shared.hpp"

#include <cstdio>  // std::fprintf
#include <cstdlib> // std::abort

namespace static_destruction {

// Stays registered for good.
ROSTER_REGISTER(roster::default_registry<codecs>(), "gzip", std::string("gzip codec"));
// Removed again when this file's static objects are destroyed.
ROSTER_REGISTER_SCOPED(roster::default_registry<codecs>(), "zstd", std::string("zstd codec"));

hot_registry global_hot{"static_destruction.global_hot"};

hot_registry& local_hot() {
    static hot_registry instance{"static_destruction.local_hot"};
    return instance;
}

namespace {

struct marker {
    marker() {
        note_constructed("registrations");
        // global_hot is defined above in this file: already constructed.
        if (!global_hot.try_replace_all({{"global", "v1"}})) {
            std::fprintf(stderr, "static_destruction: global_hot refused its first set\n");
            std::abort();
        }
    }
} const the_marker;

} // namespace
} // namespace static_destruction
