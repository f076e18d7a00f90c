// tests/codecs_test.cpp: the codecs, and a test that swaps one of them.
#include "codecs/codec.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>

TEST_CASE("Every codec is registered and decodes what it encodes") {
    roster::census(codec_registry(), {"hex", "reverse", "rot13"});
    for (const std::string& name : codec_registry().names()) {
        const auto codec = codec_registry().at(name);
        CHECK(codec->decode(codec->encode("Hello, roster")) == "Hello, roster");
    }
}

namespace {

/// A stand-in that records what it was asked to encode.
class recording_codec final : public codec {
public:
    std::string encode(std::string_view text) const override {
        last_text = text;
        return "recorded";
    }
    std::string decode(std::string_view text) const override { return std::string(text); }

    mutable std::string last_text;
};

} // namespace

TEST_CASE("A test replaces one codec for its own duration") {
    {
        // Installs a copy of the registry as the default one, under a name
        // of its own: the test changes the copy, and the real registry comes
        // back at the closing brace.
        roster::default_registry_override<codecs> override{roster::copy_of_current, "codecs (test copy)"};
        const auto recorder = std::make_shared<recording_codec>();
        override.get().remove("rot13");
        override.get().add("rot13", recorder);

        CHECK(encode("rot13", "Hello") == "recorded"); // the code under test finds the stand-in
        CHECK(recorder->last_text == "Hello");
        CHECK(encode("hex", "hi") == "6869"); // the other codecs are the real ones
    }
    CHECK(encode("rot13", "Hello") == "Uryyb"); // the real rot13 is back
}
