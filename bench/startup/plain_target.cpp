#include "plain_target.hpp"

std::unordered_map<std::string, int>& startup_map() {
    static auto* map = new std::unordered_map<std::string, int>(); // never destroyed
    return *map;
}

std::size_t startup_entries() { return startup_map().size(); }
