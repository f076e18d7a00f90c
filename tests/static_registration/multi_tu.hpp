// Shared by tests/static_registration.cpp and the extra translation unit of
// roster_tests (second_tu.cpp): a domain that both files fill at static
// initialisation, and where each registration is.
#pragma once

#include "roster/static_registration.hpp"

#include <string_view> // std::string_view: the domain's name

namespace sr_multi_tu {

struct entries {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "multi-tu";
};

/// The lines of second_tu.cpp's two ROSTER_REGISTERs, and how many entries
/// the default registry held when its static initialiser read it.
int second_tu_line();
int third_line_of_second_tu();
int second_tu_saw_at_static_init();

} // namespace sr_multi_tu
