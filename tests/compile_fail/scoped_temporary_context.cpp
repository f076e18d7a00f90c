// expect: a temporary context would dangle
//
// A scope borrows the context it is bound to; binding a temporary would leave
// the child pointing at a destroyed object once the full expression ends, so
// roster::scope_context refuses it (pass a std::shared_ptr instead).

#include "roster/scoped.hpp"

#include <string>

namespace {
struct customer {
    std::string name;
};
} // namespace

int scoped_temporary_context() {
    const roster::scoped_registry app{"app"};
    const auto request = app.child(customer{"mary"});
    return static_cast<int>(request.depth());
}
