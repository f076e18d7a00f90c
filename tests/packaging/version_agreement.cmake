# cmake -DVERSION_HEADER=<include/roster/version.hpp> -DCHANGELOG=<CHANGELOG.md>
#       -DCMAKE_VERSION_CONFIGURED=<PROJECT_VERSION> [-DCONFIG_VERSION_FILE=<roster-config-version.cmake>]
#       -P version_agreement.cmake
#
# Fails, naming every version it read, unless these agree:
#   - ROSTER_VERSION_MAJOR/MINOR/PATCH in include/roster/version.hpp;
#   - the version CMake configured: project()'s PROJECT_VERSION and, when
#     given, PACKAGE_VERSION in the generated roster-config-version.cmake
#     (stale after an edit of version.hpp until the build re-configures);
#   - the newest released section of CHANGELOG.md, `## [X.Y.Z] - YYYY-MM-DD`
#     (Keep a Changelog 1.1.0), which must follow an `## [Unreleased]` section.

foreach(_var IN ITEMS VERSION_HEADER CHANGELOG CMAKE_VERSION_CONFIGURED)
    if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
        message(FATAL_ERROR "version_agreement.cmake: pass -D${_var}=...")
    endif()
endforeach()

set(_problems "")

# --- include/roster/version.hpp ----------------------------------------------------
set(_header_version "(unreadable)")
if(EXISTS "${VERSION_HEADER}")
    file(STRINGS "${VERSION_HEADER}" _lines
         REGEX "^[ \t]*#[ \t]*define[ \t]+ROSTER_VERSION_(MAJOR|MINOR|PATCH)[ \t]+[0-9]+")
    set(_parts "")
    foreach(_part IN ITEMS MAJOR MINOR PATCH)
        if(_lines MATCHES "ROSTER_VERSION_${_part}[ \t]+([0-9]+)")
            list(APPEND _parts "${CMAKE_MATCH_1}")
        else()
            string(APPEND _problems "\n  ${VERSION_HEADER} has no '#define ROSTER_VERSION_${_part} <number>'")
        endif()
    endforeach()
    list(LENGTH _parts _n)
    if(_n EQUAL 3)
        list(JOIN _parts "." _header_version)
    endif()
else()
    string(APPEND _problems "\n  ${VERSION_HEADER} does not exist")
endif()

# --- the configured CMake package version ----------------------------------------
set(_package_version "")
if(CONFIG_VERSION_FILE)
    set(_package_version "(unreadable)")
    if(EXISTS "${CONFIG_VERSION_FILE}")
        file(STRINGS "${CONFIG_VERSION_FILE}" _lines REGEX "^set\\(PACKAGE_VERSION \"")
        if(_lines MATCHES "^set\\(PACKAGE_VERSION \"([^\"]*)\"\\)")
            set(_package_version "${CMAKE_MATCH_1}")
        endif()
    endif()
endif()

# --- CHANGELOG.md -------------------------------------------------------------------
set(_changelog_version "(none)")
if(EXISTS "${CHANGELOG}")
    file(STRINGS "${CHANGELOG}" _headings REGEX "^## ")
    set(_seen_unreleased FALSE)
    foreach(_h IN LISTS _headings)
        if(_h MATCHES "^## \\[[Uu]nreleased\\][ \t]*$")
            set(_seen_unreleased TRUE)
        elseif(_h MATCHES "^## \\[([0-9]+\\.[0-9]+\\.[0-9]+)\\] - [0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][ \t]*$")
            set(_changelog_version "${CMAKE_MATCH_1}")
            if(NOT _seen_unreleased)
                string(APPEND _problems "\n  ${CHANGELOG}: no '## [Unreleased]' section before '${_h}'")
            endif()
            break()
        else()
            string(APPEND _problems "\n  ${CHANGELOG}: '${_h}' is neither '## [Unreleased]' nor '## [X.Y.Z] - YYYY-MM-DD'")
            break()
        endif()
    endforeach()
    if(_changelog_version STREQUAL "(none)")
        string(APPEND _problems "\n  ${CHANGELOG} has no released section '## [X.Y.Z] - YYYY-MM-DD'")
    endif()
else()
    string(APPEND _problems "\n  ${CHANGELOG} does not exist")
endif()

# --- agreement ----------------------------------------------------------------------
set(_summary
    "\n  include/roster/version.hpp:       ${_header_version}"
    "\n  CMake project() version:          ${CMAKE_VERSION_CONFIGURED}")
if(CONFIG_VERSION_FILE)
    list(APPEND _summary "\n  roster-config-version.cmake:      ${_package_version}")
endif()
list(APPEND _summary "\n  CHANGELOG.md newest release:      ${_changelog_version}")
string(JOIN "" _summary ${_summary})

set(_agree TRUE)
foreach(_v IN ITEMS "${CMAKE_VERSION_CONFIGURED}" "${_changelog_version}")
    if(NOT _v STREQUAL _header_version)
        set(_agree FALSE)
    endif()
endforeach()
if(CONFIG_VERSION_FILE AND NOT _package_version STREQUAL _header_version)
    set(_agree FALSE)
endif()

if(_problems OR NOT _agree)
    set(_hint "")
    if(NOT _agree)
        set(_hint "\nThe version is set in include/roster/version.hpp only: re-configure (or build) "
                  "after changing it, and give CHANGELOG.md a '## [X.Y.Z] - YYYY-MM-DD' section for it.")
        string(JOIN "" _hint ${_hint})
    endif()
    message(FATAL_ERROR "roster: the versions disagree or cannot be read:${_problems}${_summary}${_hint}")
endif()
message(STATUS "roster: the versions agree:${_summary}")
