// examples/plugins/builtin/rle.cpp — part of the STATIC library
// roster_example_plugins_builtin. Nothing references this file: without
// roster_link_whole_archive() in CMakeLists.txt the linker would drop it,
// and "rle" would silently be missing (the program's census would say so).
#include "../codec.hpp"

#include <cctype>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace codecs_example::builtin {
namespace {

/// Run-length encoding of letters: "aaab" -> "3a1b".
class rle_codec final : public codec {
public:
    std::string encode(std::string_view text) const override {
        std::string out;
        for (std::size_t i = 0; i < text.size();) {
            std::size_t run = 1;
            while (i + run < text.size() && text[i + run] == text[i] && run < 9) ++run;
            out += static_cast<char>('0' + run);
            out += text[i];
            i += run;
        }
        return out;
    }
    std::string decode(std::string_view text) const override {
        std::string out;
        for (std::size_t i = 0; i + 1 < text.size(); i += 2)
            out.append(static_cast<std::size_t>(text[i] - '0'), text[i + 1]);
        return out;
    }
};

} // namespace

ROSTER_REGISTER(codec_registry(), "rle", std::make_shared<rle_codec>());

} // namespace codecs_example::builtin
