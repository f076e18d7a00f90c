// examples/plugins/builtin/caesar.cpp — part of the STATIC library
// roster_example_plugins_builtin, registering two codecs from one file.
#include "../codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace {

/// Shifts letters by Shift places.
template <int Shift>
class caesar_codec final : public codecs_example::codec {
public:
    std::string encode(std::string_view text) const override { return shift(text, Shift); }
    std::string decode(std::string_view text) const override { return shift(text, 26 - Shift); }

private:
    static std::string shift(std::string_view text, int by) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + by) % 26);
            else if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + by) % 26);
        }
        return out;
    }
};

ROSTER_REGISTER(codecs_example::codec_registry(), "caesar3", std::make_shared<caesar_codec<3>>());
ROSTER_REGISTER(codecs_example::codec_registry(), "caesar7", std::make_shared<caesar_codec<7>>());

} // namespace
