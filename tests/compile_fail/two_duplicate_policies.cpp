// expect: more than one on_duplicate:: policy
//
// Two tags of the same category (here two on_duplicate:: policies) are
// refused, whatever the other tags.

#include "roster/registry.hpp"

roster::registry<int, roster::on_duplicate::replace, roster::locking::none,
                 roster::on_duplicate::keep_first>
    two_duplicate_policies_registry{"two_duplicate_policies"};
