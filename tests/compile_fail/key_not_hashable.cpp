// expect: Key must be hashable and equality-comparable for storage::hashed
// max-errors: 1
//
// The default storage is a hash table: a Key without std::hash is refused by
// the roster::hashable_key check when the registry type is instantiated, in
// one sentence that names the concept and the two ways out, not in pages of
// the standard library's errors about std::unordered_map.

#include "roster/registry.hpp"

struct point {
    int x = 0;
    int y = 0;
    bool operator==(const point&) const = default;
};

roster::basic_registry<point, int> by_point{"by_point"};

int use() {
    by_point.add(point{1, 2}, 3);
    return by_point.get(point{1, 2}).value_or(0);
}
