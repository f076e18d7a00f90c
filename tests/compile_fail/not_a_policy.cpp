// expect: every argument after Value must be a policy tag
//
// An argument after Value that is not a policy tag (here: int, a type with no
// roster_policy_category) is refused by basic_registry's static_assert.

#include "roster/registry.hpp"

roster::registry<int, int> not_a_policy_registry{"not_a_policy"};
