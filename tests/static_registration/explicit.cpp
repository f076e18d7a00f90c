// Part of the static library roster_sr_codecs: the explicit path, which
// needs no static initialisation. A program that calls register_codecs()
// references this file, so the linker keeps it.
#include "fixture.hpp"

namespace sr_fixture {

void register_codecs(codecs::registry_type& registry) {
    registry.add("gzip", "deflate in a gzip wrapper");
    registry.add("zstd", "zstandard");
    registry.add("zstd-dict", "zstandard with a dictionary");
}

} // namespace sr_fixture
