// main.cpp: step 2, a tool that finds codecs it never names.
//
//   codec_tool                 lists the codecs and where each was registered
//   codec_tool NAME TEXT       prints TEXT encoded with the codec NAME
#include "codecs/codec.hpp"

#include <fmt/core.h>

#include <exception>
#include <string>

int main(int argc, char** argv) {
    try {
        // Every codec registered itself before main(). Check that none was
        // lost on the way (one error names every missing codec), then freeze:
        // read-only from now on, and lookups take no lock.
        roster::census(codec_registry(), {"hex", "reverse", "rot13"});
        codec_registry().freeze();

        if (argc == 3) {
            fmt::print("{}\n", encode(argv[1], argv[2]));
            return 0;
        }
        fmt::print("{} codecs:\n", codec_registry().size());
        for (const std::string& name : codec_registry().names()) {
            const roster::source_location where = *codec_registry().location(name);
            fmt::print("  {:<8} registered at {}:{}\n", name, where.file_name(), where.line());
        }
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "codec_tool: {}\n", e.what());
        return 1;
    }
}
