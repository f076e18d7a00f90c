// roster/source_location.hpp — where something happened in the source.
//
// Gives roster::source_location: std::source_location where the standard
// library has it, otherwise a class with the same members built on the
// compiler builtins (__builtin_FILE, __builtin_LINE, ...), which g++ and clang
// evaluate at the caller's site when used as default arguments.
//
// Guarantees: trivially copyable, never allocates, every member noexcept;
// file_name() and function_name() point to static storage.
#pragma once

#include "roster/config.hpp"

#include <cstdint> // std::uint_least32_t

#if ROSTER_HAS_SOURCE_LOCATION
#    include <source_location> // std::source_location
#endif

ROSTER_BEGIN_NAMESPACE

#if ROSTER_HAS_SOURCE_LOCATION

/// Where an entry was added, a lookup missed, or a registry was frozen.
using source_location = std::source_location;

#else

/// Fallback with std::source_location's interface, for standard libraries
/// that lack <source_location> (e.g. clang 14 with libstdc++ 12).
class source_location {
public:
    /// The location of the call site when used as a default argument.
    static constexpr source_location current(const char* file = __builtin_FILE(),
                                             const char* function = __builtin_FUNCTION(),
                                             std::uint_least32_t line = __builtin_LINE(),
                                             std::uint_least32_t column = __builtin_COLUMN()) noexcept {
        source_location loc;
        loc.file_ = file;
        loc.function_ = function;
        loc.line_ = line;
        loc.column_ = column;
        return loc;
    }

    constexpr source_location() noexcept = default;

    /// The source file's name, as the compiler spelled it.
    constexpr const char* file_name() const noexcept { return file_; }
    /// The enclosing function's name ("" outside any function).
    constexpr const char* function_name() const noexcept { return function_; }
    /// The line, 1-based; 0 when unknown.
    constexpr std::uint_least32_t line() const noexcept { return line_; }
    /// The column, 1-based; 0 when unknown.
    constexpr std::uint_least32_t column() const noexcept { return column_; }

private:
    const char* file_ = "";
    const char* function_ = "";
    std::uint_least32_t line_ = 0;
    std::uint_least32_t column_ = 0;
};

#endif

ROSTER_END_NAMESPACE // namespace roster
