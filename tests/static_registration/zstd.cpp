// Part of the static library roster_sr_codecs: registers itself at static
// initialisation, and nothing else references this file.
#include "fixture.hpp"

ROSTER_LINK_ANCHOR(sr_fixture_zstd);

namespace {
ROSTER_REGISTER(sr_fixture::default_codecs(), "zstd", "zstandard");
ROSTER_REGISTER(sr_fixture::default_codecs(), "zstd-dict", "zstandard with a dictionary");
} // namespace
