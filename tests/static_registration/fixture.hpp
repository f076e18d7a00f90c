// The domain shared by the static-library fixtures of
// tests/static_registration/CMakeLists.txt: a default registry of codec
// descriptions, filled at static initialisation by the files of the static
// library `roster_sr_codecs` (gzip.cpp, zstd.cpp) -- if the link keeps them.
#pragma once

#include "roster/static_registration.hpp"

#include <string>      // std::string: the values
#include <string_view> // std::string_view: the domain's name

namespace sr_fixture {

struct codecs {
    using registry_type = roster::registry<std::string>;
    static constexpr std::string_view name = "fixture.codecs";
};

inline codecs::registry_type& default_codecs() { return roster::default_registry<codecs>(); }

/// The library's explicit registration function (explicit.cpp): adds the
/// same codecs to `registry` without any static initialisation.
void register_codecs(codecs::registry_type& registry);

} // namespace sr_fixture
