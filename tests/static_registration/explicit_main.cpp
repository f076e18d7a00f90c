// The explicit path: the program calls the library's registration function
// into a registry it owns. No static initialisation is involved, so a plain
// link of the static library is enough.
#include "expect.hpp"
#include "fixture.hpp"

#include <cstdio>

using sr_expect::expect;

int main() {
    sr_fixture::codecs::registry_type codecs{"explicit.codecs"};
    sr_fixture::register_codecs(codecs);
    const roster::result<void> census = roster::try_census(codecs, {"gzip", "zstd", "zstd-dict"});
    expect(census.has_value(), "register_codecs() registered every codec");
    if (!census) std::printf("%s\n", census.error().message.c_str());
    // The self-registering files were not linked (nothing references them):
    // the explicit path did not depend on them.
    expect(sr_fixture::default_codecs().empty(), "the default registry stayed empty (no static init involved)");
    return sr_expect::exit_code();
}
