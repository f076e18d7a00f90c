// codecs/codec.hpp: what a codec is, and the registry every codec joins.
#pragma once

#include <roster/static_registration.hpp>

#include <memory>
#include <string>
#include <string_view>

/// A reversible text transformation.
class codec {
public:
    virtual ~codec() = default;
    virtual std::string encode(std::string_view text) const = 0;
    virtual std::string decode(std::string_view text) const = 0;
};

/// The domain: a tag type that names the program's one codec registry.
struct codecs {
    using registry_type = roster::registry<std::shared_ptr<const codec>>;
    static constexpr std::string_view name = "codecs";
};

/// The codec registry: created on first use (from any file, even before
/// main), never destroyed.
inline codecs::registry_type& codec_registry() { return roster::default_registry<codecs>(); }

/// Encodes `text` with the codec registered as `name`. A miss throws
/// roster::not_found_error naming `where`, the caller's line.
inline std::string encode(std::string_view name, std::string_view text,
                          roster::source_location where = roster::source_location::current()) {
    return codec_registry().at(name, where)->encode(text);
}
