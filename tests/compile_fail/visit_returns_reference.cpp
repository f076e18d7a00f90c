// expect: must return a value, not a reference
//
// visit() runs its callable under the read lock; a reference returned from it
// would outlive the lock (and perhaps the entry), so it is refused.

#include "roster/registry.hpp"

#include <string>

int visit_returns_reference() {
    roster::registry<std::string> names{"names"};
    const auto length =
        names.visit("k", [](const std::string& value) -> const std::string& { return value; });
    return length ? 1 : 0;
}
