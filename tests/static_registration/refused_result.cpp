// roster_sr_refused_aborts: a registry whose policy returns duplicates
// instead of throwing (on_duplicate::return_error). ROSTER_REGISTER must be
// just as loud: print the refusal and abort before main.
#include "roster/static_registration.hpp"

#include <cstdio>

namespace {

using quiet_registry = roster::registry<int, roster::on_duplicate::return_error>;

quiet_registry& quiet() {
    static auto* const registry = new quiet_registry{"refused.quiet"}; // never destroyed
    return *registry;
}

ROSTER_REGISTER(quiet(), "twice", 1);
ROSTER_REGISTER(quiet(), "twice", 2);

} // namespace

int main() {
    std::puts("main() reached: the refused add result was ignored");
    return 0;
}
