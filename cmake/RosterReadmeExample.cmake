# roster_add_readme_example(<README.md>)
#
# Extracts the code block that follows the marker line
#
#     <!-- readme-example -->
#     ```cpp
#     ... code ...
#     ```
#
# from README.md into ${CMAKE_CURRENT_BINARY_DIR}/readme_example.cpp, builds it
# as the executable `readme_example` and registers the ctest `readme_example`
# (label `example`). Configure fails if the marker or the block is missing, and
# re-runs whenever README.md changes.

include_guard(GLOBAL)

function(roster_add_readme_example readme)
    set(marker "<!-- readme-example -->")

    if(NOT EXISTS "${readme}")
        message(FATAL_ERROR "roster: ${readme} not found; it must contain the README example "
                            "(a line '${marker}' followed by a ```cpp code block)")
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${readme}")

    file(READ "${readme}" text)
    string(REPLACE "\r\n" "\n" text "${text}")

    string(FIND "${text}" "${marker}" marker_pos)
    if(marker_pos EQUAL -1)
        message(FATAL_ERROR
            "roster: ${readme} has no README example marker.\n"
            "Put a line '${marker}' directly above the ```cpp code block that should be "
            "compiled and run as the `readme_example` test.")
    endif()

    # Skip to the line after the marker.
    string(SUBSTRING "${text}" ${marker_pos} -1 rest)
    string(FIND "${rest}" "\n" nl)
    if(nl EQUAL -1)
        message(FATAL_ERROR "roster: ${readme}: nothing after '${marker}'")
    endif()
    math(EXPR skip "${nl} + 1")
    string(SUBSTRING "${rest}" ${skip} -1 rest)

    # The very next line must open a ```cpp fence.
    string(FIND "${rest}" "\n" nl)
    if(nl EQUAL -1)
        message(FATAL_ERROR "roster: ${readme}: the line after '${marker}' must be ```cpp")
    endif()
    string(SUBSTRING "${rest}" 0 ${nl} fence)
    string(STRIP "${fence}" fence)
    if(NOT fence STREQUAL "```cpp")
        message(FATAL_ERROR
            "roster: ${readme}: the line after '${marker}' must be exactly ```cpp "
            "(found: '${fence}')")
    endif()
    math(EXPR skip "${nl} + 1")
    string(SUBSTRING "${rest}" ${skip} -1 code)

    # The code runs up to the closing ``` at the start of a line.
    if(code MATCHES "^```")
        message(FATAL_ERROR "roster: ${readme}: the README example code block is empty")
    endif()
    string(FIND "${code}" "\n```" close)
    if(close EQUAL -1)
        message(FATAL_ERROR "roster: ${readme}: the README example ```cpp block is not closed")
    endif()
    string(SUBSTRING "${code}" 0 ${close} code)

    # Line number (1-based) of the first code line, so diagnostics point at README.md.
    string(LENGTH "${text}" text_len)
    string(LENGTH "${rest}" rest_len)
    math(EXPR code_offset "${text_len} - ${rest_len} + ${skip}")
    string(SUBSTRING "${text}" 0 ${code_offset} before)
    string(REGEX REPLACE "[^\n]" "" newlines "${before}")
    string(LENGTH "${newlines}" first_line)
    math(EXPR first_line "${first_line} + 1")

    set(out "${CMAKE_CURRENT_BINARY_DIR}/readme_example.cpp")
    file(WRITE "${out}.tmp"
        "// Generated from ${readme} by CMake -- do not edit.\n"
        "#line ${first_line} \"${readme}\"\n"
        "${code}\n")
    # Only touch the real file when the code changed (no needless rebuilds).
    file(COPY_FILE "${out}.tmp" "${out}" ONLY_IF_DIFFERENT)
    file(REMOVE "${out}.tmp")

    add_executable(readme_example "${out}")
    target_link_libraries(readme_example PRIVATE roster::roster roster_warnings)
    add_test(NAME readme_example COMMAND readme_example)
    set_tests_properties(readme_example PROPERTIES LABELS example)
endfunction()
