// roster/config.hpp — compiler checks and configuration macros.
//
// Every configuration macro has the same shape: if you define it before
// including any roster header, your definition is used; otherwise roster
// detects a default.
//
//   ROSTER_NO_EXCEPTIONS       define to build without exceptions even where
//                              the compiler has them (detected: -fno-exceptions).
//   ROSTER_HAS_EXCEPTIONS      0 or 1; derived from the above.
//   ROSTER_HAS_SOURCE_LOCATION 0 or 1; 1 where <source_location> works
//                              (clang 14 with libstdc++ 12 lacks it).
//   ROSTER_HAS_EXPECTED        0 or 1; 1 where std::expected exists (C++23).
//   ROSTER_THROW(exception)    how roster raises an error; see roster/error.hpp.
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
