# roster_fmt_from_source(<dir>)
#
# Developer builds only (ROSTER_FMT_SOURCE_DIR, top-level project): builds
# {fmt} from a source tree that has include/fmt/ and src/format.cc, src/os.cc
# (e.g. a copy of fmt 12.2.1's include/ and src/ without its CMakeLists.txt) as an
# ordinary static library -- not header-only: FMT_HEADER_ONLY is never
# defined -- and provides it as fmt::fmt, the name find_package(fmt) gives.
#
# The library (target roster_fmt) is never installed or exported; the
# top-level CMakeLists.txt skips roster's install/export rules in such a build.
# Its headers are SYSTEM includes, as an installed {fmt}'s are, so roster's
# -Werror warning flags apply to roster's code, not to {fmt}'s.

include_guard(GLOBAL)

function(roster_fmt_from_source dir)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
    foreach(required IN ITEMS include/fmt/base.h include/fmt/format.h src/format.cc src/os.cc)
        if(NOT EXISTS "${dir}/${required}")
            message(FATAL_ERROR
                "roster: ROSTER_FMT_SOURCE_DIR=${dir}: ${required} not found "
                "(expected a {fmt} source tree with include/ and src/)")
        endif()
    endforeach()
    if(TARGET fmt::fmt)
        message(FATAL_ERROR "roster: ROSTER_FMT_SOURCE_DIR is set but a target fmt::fmt already exists")
    endif()

    # FMT_VERSION is MMmmpp, e.g. 120201 for 12.2.1.
    file(STRINGS "${dir}/include/fmt/base.h" version_line REGEX "^#define FMT_VERSION [0-9]+")
    if(NOT version_line MATCHES "FMT_VERSION ([0-9]+)")
        message(FATAL_ERROR "roster: no '#define FMT_VERSION' in ${dir}/include/fmt/base.h")
    endif()
    math(EXPR major "${CMAKE_MATCH_1} / 10000")
    math(EXPR minor "${CMAKE_MATCH_1} % 10000 / 100")
    math(EXPR patch "${CMAKE_MATCH_1} % 100")

    add_library(roster_fmt STATIC "${dir}/src/format.cc" "${dir}/src/os.cc")
    add_library(fmt::fmt ALIAS roster_fmt)
    target_include_directories(roster_fmt SYSTEM PUBLIC "${dir}/include")
    target_compile_features(roster_fmt PUBLIC cxx_std_11)
    # The dlopen() fixtures (tests/static_registration) link it into shared objects.
    set_target_properties(roster_fmt PROPERTIES
        POSITION_INDEPENDENT_CODE ON
        OUTPUT_NAME roster_fmt)
    message(STATUS "roster: {fmt} ${major}.${minor}.${patch} built from ${dir} (static library, target fmt::fmt)")
endfunction()
