// roster/detail/type_name.hpp — a readable name for a type, without RTTI.
// Internal: used in messages when a key is not formattable and in default
// registry names.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <string_view> // std::string_view

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// The compiler's spelling of T, e.g. "std::__cxx11::basic_string<char>".
/// Best effort: "unknown type" on compilers it cannot parse.
template <class T>
constexpr std::string_view type_name() noexcept {
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

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
