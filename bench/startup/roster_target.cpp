#include "roster_target.hpp"

roster::registry<int>& startup_registry() {
    static auto* registry = new roster::registry<int>("bench.startup"); // never destroyed
    return *registry;
}

std::size_t startup_entries() { return startup_registry().size(); }
