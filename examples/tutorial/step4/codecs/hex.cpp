// codecs/hex.cpp: two hexadecimal digits per byte, "hi" -> "6869".
#include "codecs/codec.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace {

class hex_codec final : public codec {
public:
    std::string encode(std::string_view text) const override {
        static constexpr std::string_view digits = "0123456789abcdef";
        std::string out;
        for (const char c : text) {
            const unsigned byte = static_cast<unsigned char>(c);
            out += digits[byte >> 4];
            out += digits[byte & 0xfu];
        }
        return out;
    }
    std::string decode(std::string_view text) const override {
        std::string out;
        for (std::size_t i = 0; i + 1 < text.size(); i += 2)
            out += static_cast<char>(value(text[i]) * 16 + value(text[i + 1]));
        return out;
    }

private:
    static int value(char digit) { return digit <= '9' ? digit - '0' : digit - 'a' + 10; }
};

} // namespace

ROSTER_REGISTER(codec_registry(), "hex", std::make_shared<hex_codec>());
