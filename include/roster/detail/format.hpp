// roster/detail/format.hpp — the one place roster includes {fmt}. Internal.
//
// {fmt} 9 and 10 declare fmt::format in <fmt/core.h>; from {fmt} 11 on,
// <fmt/core.h> is a compatibility header without fmt::format, which lives in
// <fmt/format.h>. roster includes the lightest header that has it on the
// version it finds (FMT_VERSION comes from <fmt/core.h>, which every version
// has).
#pragma once

#include <fmt/core.h> // FMT_VERSION; fmt::format up to {fmt} 10

#if FMT_VERSION >= 110000
#    include <fmt/format.h> // fmt::format, fmt::formatter from {fmt} 11 on
#endif
