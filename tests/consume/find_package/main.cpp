// Minimal consumer of roster: returns 0 iff the registry works.
#include <roster/roster.hpp>
#include <roster/version.hpp>

#ifdef ROSTER_CONSUME_STATIC_REGISTRATION
#    include "domain.hpp"
#endif

#ifdef ROSTER_EXPECTED_VERSION_MAJOR
static_assert(ROSTER_VERSION_MAJOR == ROSTER_EXPECTED_VERSION_MAJOR &&
                  ROSTER_VERSION_MINOR == ROSTER_EXPECTED_VERSION_MINOR &&
                  ROSTER_VERSION_PATCH == ROSTER_EXPECTED_VERSION_PATCH,
              "the CMake package version must match include/roster/version.hpp");
#endif

int main() {
    roster::registry<int> r{"consume"};
    static_cast<void>(r.add("answer", 42));
#ifdef ROSTER_CONSUME_STATIC_REGISTRATION
    // Registered by a static library linked with roster_link_whole_archive().
    if (!roster::try_census(roster::default_registry<consume_domain>(), {"from-static-lib"})) return 2;
#endif
    return r.get("answer").value_or(0) == 42 ? 0 : 1;
}
