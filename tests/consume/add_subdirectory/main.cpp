// Minimal consumer of roster: returns 0 iff the registry works.
#include <roster/roster.hpp>
#include <roster/version.hpp>

#ifdef ROSTER_EXPECTED_VERSION_MAJOR
static_assert(ROSTER_VERSION_MAJOR == ROSTER_EXPECTED_VERSION_MAJOR &&
                  ROSTER_VERSION_MINOR == ROSTER_EXPECTED_VERSION_MINOR &&
                  ROSTER_VERSION_PATCH == ROSTER_EXPECTED_VERSION_PATCH,
              "the CMake package version must match include/roster/version.hpp");
#endif

int main() {
    roster::registry<int> r{"consume"};
    static_cast<void>(r.add("answer", 42));
    return r.get("answer").value_or(0) == 42 ? 0 : 1;
}
