// examples/plugins/plugin/rot13.cpp — a shared-library plugin (CMake MODULE),
// loaded at run time with dlopen(). Its static initialiser registers "rot13"
// into the PROGRAM's codec registry; ROSTER_REGISTER_SCOPED keeps the handle in
// this file's static storage, so dlclose() removes exactly that entry again
// before the plugin's code is unmapped.
#include "../codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace {

class rot13_codec final : public codecs_example::codec {
public:
    std::string encode(std::string_view text) const override {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
        }
        return out;
    }
    std::string decode(std::string_view text) const override { return encode(text); }
};

ROSTER_REGISTER_SCOPED(codecs_example::codec_registry(), "rot13", std::make_shared<rot13_codec>());

} // namespace
