// Part of the static library roster_sr_codecs: registers itself at static
// initialisation, and nothing else references this file.
#include "fixture.hpp"

namespace sr_fixture::gzip {
ROSTER_LINK_ANCHOR(sr_fixture_gzip);
ROSTER_REGISTER(default_codecs(), "gzip", "deflate in a gzip wrapper");
} // namespace sr_fixture::gzip
