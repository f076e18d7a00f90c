// The program of the static-library fixtures, linked with roster_sr_codecs
// in several ways (tests/static_registration/CMakeLists.txt):
//   roster_link_whole_archive (and its pre-3.24 fallback), the link anchor,
//   the library made shared and kept under -Wl,--as-needed by the anchor:
//       run with `all`: every codec must be registered before main;
//   a plain target_link_libraries, or the shared library without the anchor
//   under -Wl,--as-needed:
//       run with `missing`: the linker dropped gzip.cpp and zstd.cpp (or the
//       whole shared library), and the census must say so in one error
//       naming every missing key.
// Exits 0 when the outcome is the expected one.
#include "expect.hpp"
#include "fixture.hpp"

#include <cstdio>
#include <string>
#include <string_view>

namespace {

ROSTER_REGISTER(sr_fixture::default_codecs(), "identity", "no compression"); // this program's own

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

using sr_expect::expect;

int main(int argc, char** argv) {
    const std::string_view mode = argc > 1 ? argv[1] : "";
    const auto& codecs = sr_fixture::default_codecs();
    std::printf("registry \"%s\" has %zu entries before any call into the library\n", codecs.name().c_str(),
                codecs.size());

    const roster::result<void> census = roster::try_census(codecs, {"identity", "gzip", "zstd", "zstd-dict"});
    if (mode == "all") {
        expect(census.has_value(), "the census finds every codec");
        if (!census) std::printf("%s\n", census.error().message.c_str());
        const auto where = codecs.location("gzip");
        expect(where && contains(where->file_name(), "gzip.cpp"), "gzip was registered from gzip.cpp");
    } else if (mode == "missing") {
        expect(!census.has_value(), "the census fails");
        const std::string& message = census.error().message;
        std::printf("census error: %s\n", message.c_str());
        expect(census.error().code == roster::errc::not_found, "with errc::not_found");
        expect(contains(message, "registry \"fixture.codecs\""), "naming the registry");
        expect(contains(message, "3 of 4 expected keys are missing: \"gzip\", \"zstd\", \"zstd-dict\""),
               "naming every missing key, once, in order");
        expect(contains(message, "1 registered: \"identity\""), "listing what is registered");
        expect(contains(message, "census_main.cpp"), "naming the census call site");
        expect(contains(message, "roster_link_whole_archive") && contains(message, "ROSTER_LINK_ANCHOR"),
               "pointing at the static-library fixes");
        bool thrown = false;
        try {
            roster::census(codecs, {"identity", "gzip"});
        } catch (const roster::not_found_error& e) {
            thrown = contains(e.what(), "1 of 2 expected keys is missing: \"gzip\"");
        }
        expect(thrown, "census() throws not_found_error with the same kind of message");
    } else {
        std::printf("usage: %s all|missing\n", argv[0]);
        return 2;
    }
    return sr_expect::exit_code();
}
