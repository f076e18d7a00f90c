// expect: storage::ordered needs #include <roster/ordered.hpp>
//
// The core includes no <map>: storage::ordered names the header that holds
// its container.

#include "roster/registry.hpp"

void order_without_the_ordered_header() {
    roster::registry<int, roster::storage::ordered> sorted{"sorted"};
    (void)sorted.get("one");
}
