// The domain of roster_sr_duplicate_aborts (duplicate_a.cpp, duplicate_b.cpp).
#pragma once

#include "roster/static_registration.hpp"

#include <string_view> // std::string_view: the domain's name

namespace sr_duplicate {
struct handlers {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "duplicate.handlers";
};
} // namespace sr_duplicate
