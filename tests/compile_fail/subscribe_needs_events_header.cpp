// expect: subscribe\(\) needs #include <roster/events.hpp>
//
// The core registry compiles no event machinery unless asked: calling
// subscribe() with only roster/registry.hpp included says which header to add.

#include "roster/registry.hpp"

void subscribe_without_the_events_header() {
    roster::registry<int> numbers{"numbers"};
    auto sub = numbers.subscribe([](const auto&) {});
}
