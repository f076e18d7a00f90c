# roster_link_whole_archive(<target> [PRIVATE|PUBLIC|INTERFACE] <static-library>...)
#
# Links each <static-library> into <target> whole: every object file of the
# archive is kept, including files that nothing references and that exist
# only to register themselves at static initialisation (ROSTER_REGISTER).
# Without this the linker drops them and their registrations silently vanish.
#
#   add_library(codecs STATIC gzip.cpp zstd.cpp)            # self-registering files
#   add_executable(app main.cpp)
#   roster_link_whole_archive(app codecs)                   # PRIVATE by default
#
# <static-library> is a CMake target or a path to an archive. A target that is
# not a static library (SHARED, MODULE, OBJECT, INTERFACE) is linked normally:
# those never drop object files. The usage requirements of a library target
# (include directories, its own dependencies) propagate as with
# target_link_libraries().
#
# CMake >= 3.24: $<LINK_LIBRARY:WHOLE_ARCHIVE,lib> (GNU ld, gold, lld, Apple
# ld, MSVC). Older CMake: -Wl,--whole-archive ... -Wl,--no-whole-archive (GNU
# ld, gold, lld), -Wl,-force_load,<archive> (Apple), /WHOLEARCHIVE:<archive>
# (MSVC). Set ROSTER_WHOLE_ARCHIVE_FALLBACK=ON to use the fallback on any CMake.
#
# Pitfall: with CMake >= 3.24, a static library must not reach the same
# target both whole and normally (e.g. also through another library's
# target_link_libraries): CMake stops with "... specified with the features
# WHOLE_ARCHIVE and DEFAULT". Link it whole in one place only.
#
# Provided by find_package(roster) and by add_subdirectory(roster) /
# FetchContent alike. See docs/static-registration.md.

include_guard(GLOBAL)

function(roster_link_whole_archive target)
    if(NOT TARGET "${target}")
        message(FATAL_ERROR "roster_link_whole_archive: '${target}' is not a target")
    endif()
    set(scope PRIVATE)
    set(libs ${ARGN})
    list(LENGTH libs count)
    if(count GREATER 0)
        list(GET libs 0 first)
        if(first MATCHES "^(PRIVATE|PUBLIC|INTERFACE)$")
            set(scope "${first}")
            list(REMOVE_AT libs 0)
        endif()
    endif()
    if(NOT libs)
        message(FATAL_ERROR "roster_link_whole_archive(${target}): no static library given")
    endif()

    foreach(lib IN LISTS libs)
        set(is_archive FALSE)
        if(TARGET "${lib}")
            get_target_property(type "${lib}" TYPE)
            if(type STREQUAL "STATIC_LIBRARY")
                set(is_archive TRUE)
            endif()
        elseif(lib MATCHES "\\.(a|lib)$")
            set(is_archive TRUE)
        else()
            message(FATAL_ERROR
                "roster_link_whole_archive(${target}): '${lib}' is neither a target nor a static archive (.a/.lib)")
        endif()

        if(NOT is_archive)
            target_link_libraries("${target}" ${scope} "${lib}")
        elseif(CMAKE_VERSION VERSION_GREATER_EQUAL 3.24 AND NOT ROSTER_WHOLE_ARCHIVE_FALLBACK)
            target_link_libraries("${target}" ${scope} "$<LINK_LIBRARY:WHOLE_ARCHIVE,${lib}>")
        else()
            # The plain link gives the usage requirements, the build order and
            # the archive's own dependencies; the option below loads every member
            # first (one option per archive: CMake de-duplicates options).
            target_link_libraries("${target}" ${scope} "${lib}")
            set(file "${lib}")
            if(TARGET "${lib}")
                set(file "$<TARGET_FILE:${lib}>")
            endif()
            if(APPLE)
                target_link_options("${target}" ${scope} "LINKER:-force_load,${file}")
            elseif(MSVC)
                target_link_options("${target}" ${scope} "/WHOLEARCHIVE:${file}")
            else()
                target_link_options("${target}" ${scope} "-Wl,--whole-archive,${file},--no-whole-archive")
            endif()
        endif()
    endforeach()
endfunction()
