// Linked into roster_sr_link_anchor only: keeps the library's anchor file,
// which keeps gzip.cpp and zstd.cpp -- without any change to the link flags.
#include "roster/static_registration.hpp"

ROSTER_USE_LINK_ANCHOR(sr_fixture_codecs);
