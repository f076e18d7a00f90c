// The only file of a static library: nothing references it, it registers
// itself. It reaches the registry only if roster_link_whole_archive() works.
#include "domain.hpp"

ROSTER_REGISTER(roster::default_registry<consume_domain>(), "from-static-lib", 7);
