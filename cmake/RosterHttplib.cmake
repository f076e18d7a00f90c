# cmake/RosterHttplib.cmake — finds cpp-httplib for the examples that serve
# HTTP (examples/diagnostics, examples/router). Sets _roster_httplib to a
# target to link, or leaves it empty when cpp-httplib is not found.
#
# Its own CMake package where it was installed from upstream
# (httplib::httplib); else pkg-config (Debian ships only cpp-httplib.pc, with
# the -D options its compiled library was built with: the header must see the
# same ones); else, without pkg-config, the header, the library and the -D
# options read from that .pc file.
set(_roster_httplib "")
find_package(httplib CONFIG QUIET)
if(TARGET roster_httplib) # made below by an earlier include
    set(_roster_httplib roster_httplib)
elseif(TARGET httplib::httplib)
    set(_roster_httplib httplib::httplib)
else()
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
        pkg_check_modules(ROSTER_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
        if(ROSTER_HTTPLIB_FOUND)
            set(_roster_httplib PkgConfig::ROSTER_HTTPLIB)
        endif()
    endif()
    if(NOT _roster_httplib)
        find_path(ROSTER_HTTPLIB_INCLUDE_DIR httplib.h)
        find_library(ROSTER_HTTPLIB_LIBRARY cpp-httplib)
        if(ROSTER_HTTPLIB_INCLUDE_DIR AND ROSTER_HTTPLIB_LIBRARY)
            get_filename_component(_roster_httplib_libdir "${ROSTER_HTTPLIB_LIBRARY}" DIRECTORY)
            find_file(ROSTER_HTTPLIB_PC cpp-httplib.pc
                HINTS "${_roster_httplib_libdir}/pkgconfig" "${ROSTER_HTTPLIB_INCLUDE_DIR}/../share/pkgconfig"
                NO_DEFAULT_PATH)
            if(ROSTER_HTTPLIB_PC)
                file(STRINGS "${ROSTER_HTTPLIB_PC}" _roster_httplib_cflags REGEX "^Cflags:")
                string(REGEX MATCHALL "-D[A-Za-z_][A-Za-z0-9_]*(=[^ \t]*)?" _roster_httplib_defines
                       "${_roster_httplib_cflags}")
                list(TRANSFORM _roster_httplib_defines REPLACE "^-D" "")
                add_library(roster_httplib INTERFACE)
                target_include_directories(roster_httplib SYSTEM INTERFACE "${ROSTER_HTTPLIB_INCLUDE_DIR}")
                target_compile_definitions(roster_httplib INTERFACE ${_roster_httplib_defines})
                target_link_libraries(roster_httplib INTERFACE "${ROSTER_HTTPLIB_LIBRARY}")
                set(_roster_httplib roster_httplib)
            endif()
        endif()
    endif()
endif()
