# roster API reference (Doxygen): target roster_docs, built by the `docs`
# workflow preset (cmake --workflow --preset docs) when ROSTER_BUILD_DOCS is ON.
#
# The reference is generated from the `///` comments in include/roster/ into
# <build>/reference/html/index.html. Doxygen runs with WARN_AS_ERROR, so an
# undocumented public member (or a malformed doc comment) fails the build; the
# warnings are printed and kept in <build>/reference/warnings.log.
# Needs Doxygen (Debian: apt-get install doxygen).

find_package(Doxygen REQUIRED)

set(ROSTER_DOCS_OUTPUT_DIR "${PROJECT_BINARY_DIR}/reference")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${PROJECT_BINARY_DIR}/Doxyfile" @ONLY)

file(GLOB_RECURSE _roster_docs_inputs CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/include/roster/*.hpp")
add_custom_command(
    OUTPUT "${ROSTER_DOCS_OUTPUT_DIR}/html/index.html"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${ROSTER_DOCS_OUTPUT_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E remove -f "${ROSTER_DOCS_OUTPUT_DIR}/warnings.log"
    COMMAND "${CMAKE_COMMAND}"
            "-DDOXYGEN=${DOXYGEN_EXECUTABLE}"
            "-DDOXYFILE=${PROJECT_BINARY_DIR}/Doxyfile"
            "-DLOG=${ROSTER_DOCS_OUTPUT_DIR}/warnings.log"
            -P "${PROJECT_SOURCE_DIR}/cmake/RosterRunDoxygen.cmake"
    DEPENDS ${_roster_docs_inputs}
            "${PROJECT_SOURCE_DIR}/docs/reference.md"
            "${PROJECT_SOURCE_DIR}/docs/Doxyfile.in"
            "${PROJECT_SOURCE_DIR}/cmake/RosterRunDoxygen.cmake"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "Doxygen: roster API reference -> ${ROSTER_DOCS_OUTPUT_DIR}/html/index.html"
    VERBATIM)
add_custom_target(roster_docs ALL DEPENDS "${ROSTER_DOCS_OUTPUT_DIR}/html/index.html")
