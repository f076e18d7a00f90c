// expect: inherits the .using roster_context
//
// A context type that derives from a declared context type but does not
// declare its own place in the hierarchy would silently look like its base to
// every lookup (and skip a level of inheritance distance); roster refuses it.

#include "roster/scoped.hpp"

#include <memory>
#include <string>

namespace {
struct customer {
    std::string name;
};
struct french_customer : customer {
    using roster_context = roster::context_type<french_customer, customer>;
};
struct vip_french_customer : french_customer {}; // no roster_context of its own
struct greeting {};
} // namespace

bool scoped_inherited_context_declaration() {
    roster::scoped_registry app{"app"};
    app.add(std::make_shared<greeting>(), roster::for_context<french_customer>);
    const vip_french_customer vip{};
    return app.contains<greeting>(vip);
}
