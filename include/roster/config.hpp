// roster/config.hpp — compiler checks and configuration macros.
//
// Every configuration macro has the same shape: if you define it before
// including any roster header, your definition is used; otherwise roster
// detects a default.
//
//   ROSTER_NO_EXCEPTIONS       define to build without exceptions even where
//                              the compiler has them (detected: -fno-exceptions).
//   ROSTER_HAS_EXCEPTIONS      0 or 1; derived from the above: whether roster
//                              raises its errors. A listener that throws is
//                              caught wherever the compiler has exceptions,
//                              even under ROSTER_NO_EXCEPTIONS.
//   ROSTER_HAS_SOURCE_LOCATION 0 or 1; 1 where <source_location> works
//                              (clang 14 with libstdc++ 12 lacks it).
//   ROSTER_HAS_EXPECTED        0 or 1; 1 where std::expected exists (C++23).
//   ROSTER_THROW(exception)    how roster raises an error; see roster/error.hpp.
//
// ABI tag. Every roster name lives in an inline namespace whose name encodes
// the library version and the settings above that change what roster's
// inline functions do or what its types hold (exceptions on or off, a
// user-defined ROSTER_THROW, std::source_location available, std::expected
// available): roster::v0_1_e_d_s_x, for instance. Users never spell it
// (roster::registry<T> finds it), but the linker does: two translation units
// built with different settings get different symbols instead of silently
// sharing one definition (an ODR violation). The same technique as
// nlohmann/json's `NLOHMANN_JSON_NAMESPACE` (https://json.nlohmann.me/api/macros/nlohmann_json_namespace/).
//   ROSTER_ABI_NAMESPACE       the inline namespace's name (read-only).
//   ROSTER_BEGIN_NAMESPACE / ROSTER_END_NAMESPACE   open and close
//                              `namespace roster` with it, in roster's headers.
#pragma once

#if !defined(__cplusplus) || (__cplusplus < 202002L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 202002L))
#    error "roster needs C++20 or later: compile with -std=c++20 (CMake: cxx_std_20)."
#endif

#include <version> // feature-test macros (__cpp_lib_*)

#ifndef ROSTER_HAS_EXCEPTIONS
#    if defined(ROSTER_NO_EXCEPTIONS)
#        define ROSTER_HAS_EXCEPTIONS 0
#    elif defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#        define ROSTER_HAS_EXCEPTIONS 1
#    else
#        define ROSTER_HAS_EXCEPTIONS 0
#    endif
#endif

// Whether the compiler has exceptions, whatever ROSTER_NO_EXCEPTIONS says:
// user code that roster calls (listeners) may throw even when roster itself
// raises nothing, and roster then still catches it where it promises to.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#    define ROSTER_DETAIL_CAN_CATCH 1
#else
#    define ROSTER_DETAIL_CAN_CATCH 0
#endif

#ifndef ROSTER_HAS_SOURCE_LOCATION
#    if defined(__cpp_lib_source_location) && __cpp_lib_source_location >= 201907L
#        define ROSTER_HAS_SOURCE_LOCATION 1
#    else
#        define ROSTER_HAS_SOURCE_LOCATION 0
#    endif
#endif

#ifndef ROSTER_HAS_EXPECTED
#    if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#        define ROSTER_HAS_EXPECTED 1
#    else
#        define ROSTER_HAS_EXPECTED 0
#    endif
#endif

#include "roster/version.hpp" // ROSTER_VERSION_MAJOR, ROSTER_VERSION_MINOR: the ABI tag

// Each setting's letter in the ABI tag.
#if ROSTER_HAS_EXCEPTIONS
#    define ROSTER_DETAIL_ABI_EXCEPTIONS e // exceptions
#elif ROSTER_DETAIL_CAN_CATCH
#    define ROSTER_DETAIL_ABI_EXCEPTIONS c // ROSTER_NO_EXCEPTIONS, but the compiler has them (listeners' are caught)
#else
#    define ROSTER_DETAIL_ABI_EXCEPTIONS n // no exceptions
#endif
#ifdef ROSTER_THROW
#    define ROSTER_DETAIL_ABI_THROW h // a user-defined ROSTER_THROW hook
#else
#    define ROSTER_DETAIL_ABI_THROW d // the default ROSTER_THROW
#endif
#if ROSTER_HAS_SOURCE_LOCATION
#    define ROSTER_DETAIL_ABI_LOCATION s // std::source_location
#else
#    define ROSTER_DETAIL_ABI_LOCATION b // the builtin fallback
#endif
#if ROSTER_HAS_EXPECTED
#    define ROSTER_DETAIL_ABI_EXPECTED x // std::expected conversions
#else
#    define ROSTER_DETAIL_ABI_EXPECTED o // none
#endif

#define ROSTER_DETAIL_ABI_CONCAT_IMPL(major, minor, e, t, l, x) v##major##_##minor##_##e##_##t##_##l##_##x
#define ROSTER_DETAIL_ABI_CONCAT(major, minor, e, t, l, x) ROSTER_DETAIL_ABI_CONCAT_IMPL(major, minor, e, t, l, x)

#define ROSTER_ABI_NAMESPACE                                                                                         \
    ROSTER_DETAIL_ABI_CONCAT(ROSTER_VERSION_MAJOR, ROSTER_VERSION_MINOR, ROSTER_DETAIL_ABI_EXCEPTIONS,              \
                             ROSTER_DETAIL_ABI_THROW, ROSTER_DETAIL_ABI_LOCATION, ROSTER_DETAIL_ABI_EXPECTED)

#define ROSTER_DETAIL_STRINGIFY_IMPL(x) #x
#define ROSTER_DETAIL_STRINGIFY(x) ROSTER_DETAIL_STRINGIFY_IMPL(x)
/// The ABI namespace's name as a string literal, e.g. "v0_1_e_d_s_x".
#define ROSTER_ABI_NAMESPACE_STRING ROSTER_DETAIL_STRINGIFY(ROSTER_ABI_NAMESPACE)

#define ROSTER_BEGIN_NAMESPACE                                                                                       \
    namespace roster {                                                                                               \
    inline namespace ROSTER_ABI_NAMESPACE {
#define ROSTER_END_NAMESPACE                                                                                         \
    }                                                                                                                \
    }
