// expect: counters::per_registry and counters::per_key need #include <roster/counters.hpp>
//
// counters::none compiles no counting code; the counting policies name the
// header that holds their machinery.

#include "roster/registry.hpp"

void count_without_the_counters_header() {
    roster::registry<int, roster::counters::per_registry> numbers{"numbers"};
    (void)numbers.get("one");
}
