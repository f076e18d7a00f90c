// The second registration of "same" (see duplicate_a.cpp).
#include "duplicate.hpp"

namespace {
ROSTER_REGISTER(roster::default_registry<sr_duplicate::handlers>(), "same", 2);
} // namespace
