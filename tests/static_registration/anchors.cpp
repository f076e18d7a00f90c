// Part of the static library roster_sr_codecs: ONE anchor for the whole
// library. Keeping this file (ROSTER_USE_LINK_ANCHOR(sr_fixture_codecs) in the
// program) keeps gzip.cpp and zstd.cpp through their own anchors.
#include "roster/static_registration.hpp"

ROSTER_LINK_ANCHOR(sr_fixture_codecs);
ROSTER_USE_LINK_ANCHOR(sr_fixture_gzip);
ROSTER_USE_LINK_ANCHOR(sr_fixture_zstd);
