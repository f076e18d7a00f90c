# cmake/RosterCPack.cmake — packages roster with CPack: a Debian package
# `roster-dev` (Architecture: all, Depends: libfmt-dev) whose contents are
# exactly what `cmake --install` installs, under /usr.
#
#   cmake -S . -B build -DROSTER_BUILD_TESTS=OFF -DROSTER_BUILD_EXAMPLES=OFF
#   cmake --build build
#   cd build && cpack -G DEB          # -> roster-dev_<version>_all.deb
#
# CPack's DEB generator writes the archive itself: it needs neither dpkg nor
# fakeroot (files are owned by root:root in the package). Included from the
# top-level CMakeLists.txt only when roster is the top-level project and its
# install rules exist: a project that adds roster with add_subdirectory() or
# FetchContent keeps its own CPack configuration.
#
# Cache variables:
#   ROSTER_PACKAGE_MAINTAINER  the Maintainer field ("Name <email>")
#   ROSTER_PACKAGE_HOMEPAGE    the Homepage field; empty: no Homepage field

include_guard(GLOBAL)

set(ROSTER_PACKAGE_MAINTAINER "The roster authors" CACHE STRING
    "Maintainer of roster's Debian package (cpack -G DEB), as \"Name <email>\"")
set(ROSTER_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}" CACHE STRING
    "Homepage of roster's Debian package (cpack -G DEB); empty for none")
mark_as_advanced(ROSTER_PACKAGE_MAINTAINER ROSTER_PACKAGE_HOMEPAGE)

# --- generic -------------------------------------------------------------------
if(NOT DEFINED CPACK_GENERATOR)
    set(CPACK_GENERATOR "DEB")
endif()
set(CPACK_PACKAGE_NAME "roster")
set(CPACK_PACKAGE_VENDOR "The roster authors")
set(CPACK_PACKAGE_CONTACT "${ROSTER_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} (header-only library)")
# The Debian long description (lines of at most 80 columns; CPack indents
# them and turns an empty line into " .").
set(CPACK_PACKAGE_DESCRIPTION
"roster maps names to things (codecs, drivers, handlers, formats) so that
code can find an implementation it never named. Duplicates follow a declared
policy and every error names the registry, the key and the source locations
involved.

Shapes: the core registry with duplicate, null, locking and storage
policies; factories; versioned registries; registration at
static-initialisation time that survives static libraries and dlopen;
hot-reload registries with change events and all-or-nothing batches; scoped,
handler (HTTP route patterns), tagged, hierarchical and sniffing (magic
bytes) registries; lookup counters, a catalog of live registries, JSON and
Prometheus exports.

This package contains the headers, the CMake package (find_package(roster))
and the pkg-config file (pkg-config roster). roster/json.hpp also needs
nlohmann-json3-dev.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_CHECKSUM "SHA256")
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/out/" "/CMakeUserPresets\\\\.json$")

# --- Debian ----------------------------------------------------------------------
set(CPACK_DEBIAN_PACKAGE_NAME "roster-dev")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")            # roster-dev_<version>_all.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "all")         # headers and CMake/pkg-config files only
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libfmt-dev")       # roster::roster links fmt::fmt
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nlohmann-json3-dev")
set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ROSTER_PACKAGE_MAINTAINER}")
if(ROSTER_PACKAGE_HOMEPAGE)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${ROSTER_PACKAGE_HOMEPAGE}")
endif()
# Nothing to scan: no shared objects or executables are installed.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

include(CPack)
