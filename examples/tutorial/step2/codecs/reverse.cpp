// codecs/reverse.cpp: "olleh" for "hello".
#include "codecs/codec.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace {

class reverse_codec final : public codec {
public:
    std::string encode(std::string_view text) const override { return {text.rbegin(), text.rend()}; }
    std::string decode(std::string_view text) const override { return encode(text); }
};

} // namespace

ROSTER_REGISTER(codec_registry(), "reverse", std::make_shared<reverse_codec>());
