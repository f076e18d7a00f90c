// expect: accept_if_equal needs a Value with operator==
//
// on_duplicate::accept_if_equal compares the new value with the registered
// one, so it needs an equality-comparable Value; one without operator== is
// refused when the registry type is instantiated, before add() is ever used.

#include "roster/registry.hpp"

struct no_equality {
    int value = 0;
};

roster::registry<no_equality, roster::on_duplicate::accept_if_equal> accept_if_equal_registry{
    "accept_if_equal"};
