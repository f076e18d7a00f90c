// codecs/rot13.cpp: every letter moved 13 places along the alphabet.
#include "codecs/codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace {

class rot13_codec final : public codec {
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

} // namespace

ROSTER_REGISTER(codec_registry(), "rot13", std::make_shared<rot13_codec>());
