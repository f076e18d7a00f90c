// expect: subscribe\(\) needs a copyable Value
//
// Change events carry their own copies of the values they report (so that a
// removed value stays readable during its event), so subscribing to a
// registry of move-only values is refused with a sentence saying why.

#include "roster/events.hpp"
#include "roster/registry.hpp"

#include <memory>

void subscribe_to_move_only_values() {
    roster::registry<std::unique_ptr<int>> owned{"owned"};
    auto sub = owned.subscribe([](const auto&) {});
}
