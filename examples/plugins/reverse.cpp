// examples/plugins/reverse.cpp — a codec registered by a file of the program
// itself: nothing references this file, its static initialiser registers it.
#include "codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace {

class reverse_codec final : public codecs_example::codec {
public:
    std::string encode(std::string_view text) const override { return {text.rbegin(), text.rend()}; }
    std::string decode(std::string_view text) const override { return encode(text); }
};

ROSTER_REGISTER(codecs_example::codec_registry(), "reverse", std::make_shared<reverse_codec>());

} // namespace
