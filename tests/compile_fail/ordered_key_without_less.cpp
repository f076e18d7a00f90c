// expect: Key must have < for storage::ordered
// max-errors: 1
//
// storage::ordered keeps keys sorted, so its Key needs operator<: one without
// is refused by the roster::ordered_key check in one sentence.

#include "roster/ordered.hpp"
#include "roster/registry.hpp"

struct colour {
    int rgb = 0;
    bool operator==(const colour&) const = default;
};

roster::basic_registry<colour, int, roster::storage::ordered> colours{"colours"};

void use() { colours.add(colour{0xff0000}, 1); }
