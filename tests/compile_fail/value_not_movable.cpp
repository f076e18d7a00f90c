// expect: Value must be a non-const, move-constructible object type
// max-errors: 1
//
// A registry moves its values in and out (add, replace, remove): a
// non-movable Value such as std::mutex is refused by the roster::registry_value
// check in one sentence that says how to hold one (through a pointer).

#include "roster/registry.hpp"

#include <mutex> // std::mutex

roster::registry<std::mutex> locks{"locks"};

bool use() { return locks.contains("a"); }
