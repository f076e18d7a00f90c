# ctest driver for tests/compile_fail/*.cpp (run with cmake -P).
#
#   -DBUILD_DIR=<build tree> -DTARGET=<object library> -DCONFIG=<config> -DSOURCE=<file.cpp>
#
# Passes iff building TARGET fails, and -- when the first line of SOURCE is
# `// expect: <regex>` -- the build output matches <regex> (CMake regex syntax),
# and -- when the second line is `// max-errors: <n>` -- the compiler reported
# at most <n> errors (" error:" in its output): a misuse must fail with its
# one sentence, not pages of the standard library's.

foreach(var IN ITEMS BUILD_DIR TARGET SOURCE)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "RosterCompileFail.cmake: -D${var}=... is required")
    endif()
endforeach()

set(expect "")
file(READ "${SOURCE}" head LIMIT 4096)
string(REGEX MATCH "^[^\r\n]*" first_line "${head}")
if(first_line MATCHES "^[ \t]*//[ \t]*expect:[ \t]*(.*[^ \t])[ \t]*$")
    set(expect "${CMAKE_MATCH_1}")
endif()
set(max_errors "")
string(REGEX MATCH "^[^\r\n]*\r?\n[^\r\n]*" first_two "${head}")
if(first_two MATCHES "\n[ \t]*//[ \t]*max-errors:[ \t]*([0-9]+)")
    set(max_errors "${CMAKE_MATCH_1}")
endif()

# Deterministic, ASCII diagnostics (no locale-dependent quotes, no colours).
set(ENV{LC_ALL} C)
set(ENV{LANG} C)
set(ENV{CLICOLOR_FORCE} 0)

set(config_args "")
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()
execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}" ${config_args}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)

if(result EQUAL 0)
    message("${output}")
    message(FATAL_ERROR "${SOURCE} compiled, but it must not.")
endif()
if(expect STREQUAL "")
    message(STATUS "${SOURCE} failed to compile, as expected (no '// expect:' line).")
elseif(output MATCHES "${expect}")
    message(STATUS "${SOURCE} failed to compile, output matches '${expect}'.")
    if(NOT max_errors STREQUAL "")
        string(REGEX MATCHALL " error:" errors "${output}")
        list(LENGTH errors error_count)
        if(error_count GREATER max_errors)
            message("${output}")
            message(FATAL_ERROR
                "${SOURCE} failed for the expected reason, but with ${error_count} errors "
                "(at most ${max_errors} allowed): the sentence is buried.")
        endif()
        message(STATUS "${error_count} error(s), at most ${max_errors} allowed.")
    endif()
else()
    message("${output}")
    message(FATAL_ERROR
        "${SOURCE} failed to compile, but not for the expected reason: "
        "the build output (above) does not match '${expect}'.")
endif()
