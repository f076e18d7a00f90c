// expect: Key must be hashable and equality-comparable for storage::hashed
// max-errors: 1
//
// A Key with std::hash but no operator== is refused in the same sentence:
// a hash table needs both.

#include "roster/registry.hpp"

#include <cstddef> // std::size_t

struct ticket {
    int id = 0;
};

template <>
struct std::hash<ticket> {
    std::size_t operator()(const ticket& t) const noexcept { return static_cast<std::size_t>(t.id); }
};

roster::basic_registry<ticket, int> tickets{"tickets"};

void use() { tickets.add(ticket{1}, 1); }
