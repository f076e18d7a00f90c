// examples/plugins/main.cpp — a plugin-style program: codecs register
// themselves at static initialisation from
//   - files of the program itself (main.cpp, reverse.cpp),
//   - a static library (builtin/), kept whole by roster_link_whole_archive(),
//   - a shared-library plugin (plugin/rot13.cpp), loaded with dlopen() and
//     unloaded with dlclose(), which removes its entry again.
// A census checks the built-in set before anything uses it. Returns 0 when
// every step behaved as documented (ctest runs it as `example.plugins`, with
// the plugin's path as argument).
#include "codec.hpp"

#include <dlfcn.h> // dlopen, dlclose, dlerror

#include <cstdio>      // std::printf
#include <exception>   // std::exception
#include <memory>      // std::make_shared
#include <string>      // std::string
#include <string_view> // std::string_view

namespace {

class identity_codec final : public codecs_example::codec {
public:
    std::string encode(std::string_view text) const override { return std::string(text); }
    std::string decode(std::string_view text) const override { return std::string(text); }
};

ROSTER_REGISTER(codecs_example::codec_registry(), "identity", std::make_shared<identity_codec>());

std::string_view base_name(std::string_view path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

void list(const codecs_example::codecs::registry_type& codecs) {
    for (const std::string& name : codecs.names()) {
        const auto where = codecs.location(name);
        std::printf("  %-8s registered at %s:%u\n", name.c_str(), std::string(base_name(where->file_name())).c_str(),
                    static_cast<unsigned>(where->line()));
    }
}

/// Encodes and decodes `text` with the codec `name`; false if it is missing
/// or does not round-trip.
bool round_trip(const codecs_example::codecs::registry_type& codecs, const std::string& name, std::string_view text) {
    const auto codec = codecs.get(name); // a shared_ptr copy: drop it before its plugin is unloaded
    if (!codec) return false;
    const std::string encoded = (*codec)->encode(text);
    const bool ok = (*codec)->decode(encoded) == text;
    std::printf("  %-8s \"%s\" -> \"%s\"%s\n", name.c_str(), std::string(text).c_str(), encoded.c_str(),
                ok ? "" : "  (does NOT decode back!)");
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    auto& codecs = codecs_example::codec_registry();
    bool ok = true;

    std::printf("Before main(), %zu codecs registered themselves in registry \"%s\":\n", codecs.size(),
                codecs.name().c_str());
    list(codecs);

    // Fail loudly, naming every missing codec, if a link dropped the library.
    try {
        roster::census(codecs, {"identity", "reverse", "rle", "caesar3", "caesar7"});
        std::puts("Census: every built-in codec is registered (builtin/ survived the link).");
    } catch (const std::exception& e) {
        std::printf("Census failed:\n  %s\n", e.what());
        return 1;
    }

    std::puts("Round trips:");
    for (const std::string& name : codecs.names()) ok = round_trip(codecs, name, "Hello, registry") && ok;

    if (argc < 2) {
        std::puts("(no plugin path given: skipping the plugin)");
        return ok ? 0 : 1;
    }

    std::printf("Loading the plugin %s\n", std::string(base_name(argv[1])).c_str());
    void* plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (plugin == nullptr) {
        std::printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    std::printf("With the plugin loaded, %zu codecs:\n", codecs.size());
    list(codecs);
    ok = round_trip(codecs, "rot13", "Hello, registry") && ok;

    std::puts("Unloading the plugin: its static storage is destroyed, removing its entry");
    dlclose(plugin);
    const bool gone = !codecs.contains("rot13");
    std::printf("After dlclose, %zu codecs; rot13 %s\n", codecs.size(), gone ? "is gone" : "is STILL registered");
    list(codecs);
    return ok && gone ? 0 : 1;
}
