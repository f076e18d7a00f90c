// examples/plugins/codec.hpp — what every part of the plugins example shares:
// the codec interface and the `codecs` domain, whose default registry the
// program's files, the static library builtin/ and the dlopen()ed plugin/ all
// register into.
#pragma once

#include <roster/static_registration.hpp>

#include <memory>      // std::shared_ptr: the registered values
#include <string>      // std::string: encoded text
#include <string_view> // std::string_view: input text, the domain's name

namespace codecs_example {

/// A reversible text transformation.
class codec {
public:
    virtual ~codec() = default;
    virtual std::string encode(std::string_view text) const = 0;
    virtual std::string decode(std::string_view text) const = 0;
};

/// The domain: roster::default_registry<codecs>() is THE codec registry of
/// the process (the program exports its symbols, so the plugin binds to it).
struct codecs {
    using registry_type = roster::registry<std::shared_ptr<const codec>>;
    static constexpr std::string_view name = "codecs";
};

inline codecs::registry_type& codec_registry() { return roster::default_registry<codecs>(); }

} // namespace codecs_example
