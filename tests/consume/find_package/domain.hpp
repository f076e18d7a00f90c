// The default registry the consumer's static library registers into.
#pragma once
#include <roster/static_registration.hpp>

#include <string_view>

struct consume_domain {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "consume";
};
