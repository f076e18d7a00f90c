# Private flags for roster's own tests, examples and benchmarks.
#
#   roster_warnings    warnings (+ -Werror unless ROSTER_WARNINGS_AS_ERRORS=OFF);
#                      also carries roster_sanitizers.
#   roster_sanitizers  -fsanitize=${ROSTER_SANITIZE} when that cache variable is set.
#
# Neither target is installed or exported, and nothing is ever added to the
# `roster` target itself: consumers get only cxx_std_20 and fmt::fmt.

include_guard(GLOBAL)

add_library(roster_sanitizers INTERFACE)
if(ROSTER_SANITIZE)
    if(MSVC)
        message(FATAL_ERROR "roster: ROSTER_SANITIZE is only supported with GCC/Clang")
    endif()
    target_compile_options(roster_sanitizers INTERFACE
        "-fsanitize=${ROSTER_SANITIZE}"
        -fno-omit-frame-pointer
        -fno-sanitize-recover=all)
    target_link_options(roster_sanitizers INTERFACE "-fsanitize=${ROSTER_SANITIZE}")
    message(STATUS "roster: sanitizers for tests/examples/benchmarks: ${ROSTER_SANITIZE}")
endif()

add_library(roster_warnings INTERFACE)
if(MSVC)
    target_compile_options(roster_warnings INTERFACE /W4 /permissive- /utf-8
        $<$<BOOL:${ROSTER_WARNINGS_AS_ERRORS}>:/WX>)
else()
    target_compile_options(roster_warnings INTERFACE
        -Wall -Wextra -Wpedantic -Wconversion -Wshadow
        $<$<BOOL:${ROSTER_WARNINGS_AS_ERRORS}>:-Werror>)
endif()
target_link_libraries(roster_warnings INTERFACE roster_sanitizers)
