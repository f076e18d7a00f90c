# ctest driver: runs a program, then checks how it ended and what it wrote.
#
#   cmake -DPROGRAM=<exe> [-DARGS=<arg>;...] -DOUTCOME=abort|success
#         [-DSTDOUT=<regex>;...] [-DSTDERR=<regex>;...] [-DREJECT=<regex>;...]
#         -P expect.cmake
#
# OUTCOME abort:   the program must be killed by SIGABRT. An exit code (even
#                  134, what a shell reports for an abort) or another signal
#                  fails.
# OUTCOME success: the program must exit with code 0.
# STDOUT, STDERR:  every regex must match that stream.
# REJECT:          no regex may match either stream.
# Regexes are CMake regexes (no \n: `.` matches a newline too); `;` separates
# them, so write `.` where a message has a semicolon.
cmake_minimum_required(VERSION 3.23)

foreach(var IN ITEMS PROGRAM OUTCOME)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "expect.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT OUTCOME MATCHES "^(abort|success)$")
    message(FATAL_ERROR "expect.cmake: OUTCOME must be abort or success, not '${OUTCOME}'")
endif()

execute_process(COMMAND "${PROGRAM}" ${ARGS}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${PROGRAM} ${ARGS}: ended with '${result}'\n"
        "--- stdout ---\n${out}--- stderr ---\n${err}--------------")

set(problems "")
if(OUTCOME STREQUAL "abort")
    # How CMake (kwsys) reports a child killed by SIGABRT.
    if(NOT result MATCHES "^(Subprocess|Child) aborted$")
        string(APPEND problems "\n  it ended with '${result}', but it must be killed by SIGABRT")
    endif()
elseif(NOT result STREQUAL "0")
    string(APPEND problems "\n  it ended with '${result}', but it must exit with code 0")
endif()
foreach(regex IN LISTS STDOUT)
    if(NOT out MATCHES "${regex}")
        string(APPEND problems "\n  stdout does not match '${regex}'")
    endif()
endforeach()
foreach(regex IN LISTS STDERR)
    if(NOT err MATCHES "${regex}")
        string(APPEND problems "\n  stderr does not match '${regex}'")
    endif()
endforeach()
foreach(regex IN LISTS REJECT)
    if(out MATCHES "${regex}" OR err MATCHES "${regex}")
        string(APPEND problems "\n  the output matches '${regex}', which it must not")
    endif()
endforeach()
if(problems)
    message(FATAL_ERROR "expect.cmake: ${PROGRAM} ${ARGS}:${problems}")
endif()
message(STATUS "expect.cmake: ${PROGRAM} ${ARGS}: ended as expected (${OUTCOME}), with the expected output")
