// roster/detail/type_name.hpp — a readable name for a type, without RTTI.
// Internal: used in messages when a key is not formattable and in default
// registry names.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <cstddef>     // std::size_t
#include <string_view> // std::string_view

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// The compiler's spelling of T, e.g. "std::__cxx11::basic_string<char>",
/// ABI namespace included. Best effort: "unknown type" on compilers it
/// cannot parse.
template <class T>
constexpr std::string_view raw_type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
    std::string_view pretty = __PRETTY_FUNCTION__;
    const std::string_view marker = "T = ";
#elif defined(_MSC_VER)
    std::string_view pretty = __FUNCSIG__;
    const std::string_view marker = "type_name<";
#else
    std::string_view pretty = "";
    const std::string_view marker = "T = ";
#endif
    const auto start = pretty.find(marker);
    if (start == std::string_view::npos) return "unknown type";
    pretty.remove_prefix(start + marker.size());
#if defined(_MSC_VER) && !defined(__clang__)
    const auto end = pretty.rfind(">(void)");
#else
    const auto end = pretty.find_first_of(";]");
#endif
    return end == std::string_view::npos ? pretty : pretty.substr(0, end);
}

/// raw_type_name<T>() without roster's ABI namespace ("roster::v0_1_e_d_s_x::registry"
/// reads "roster::registry"), built once at compile time.
template <class T>
struct readable_type_name {
    static constexpr std::string_view raw = raw_type_name<T>();
    static constexpr std::string_view tag = ROSTER_ABI_NAMESPACE_STRING "::";
    static constexpr std::size_t size = [] {
        std::size_t n = 0;
        for (std::size_t i = 0; i < raw.size();) {
            if (raw.substr(i, tag.size()) == tag) {
                i += tag.size();
            } else {
                ++i;
                ++n;
            }
        }
        return n;
    }();
    struct buffer {
        char text[size + 1];
    };
    static constexpr buffer value = [] {
        buffer out{};
        std::size_t n = 0;
        for (std::size_t i = 0; i < raw.size();) {
            if (raw.substr(i, tag.size()) == tag) i += tag.size();
            else out.text[n++] = raw[i++];
        }
        out.text[n] = '\0';
        return out;
    }();
};

/// A readable name for T, e.g. "std::__cxx11::basic_string<char>" or
/// "roster::versioned_key<std::__cxx11::basic_string<char>, int>" (roster's
/// ABI namespace left out).
template <class T>
constexpr std::string_view type_name() noexcept {
    return std::string_view(readable_type_name<T>::value.text, readable_type_name<T>::size);
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
