// expect: a lifetime::shared factory cannot take props
//
// A shared instance is built once, so the props of later lookups could never
// reach it: a shared factory that takes props is refused at compile time.

#include "roster/scoped.hpp"

#include <memory>
#include <string>

namespace {
struct greeting {
    std::string text;
};
struct greeting_props {
    std::string text;
};
} // namespace

void scoped_shared_factory_with_props() {
    roster::scoped_registry app{"app"};
    app.add_factory([](const greeting_props& p) { return std::make_shared<greeting>(greeting{p.text}); },
                    roster::lifetime::shared);
}
