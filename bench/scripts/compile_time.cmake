cmake_minimum_required(VERSION 3.23)
# cmake [-DCXX=<compiler>] [-DINCLUDE_DIR=<include>] [-DWORK_DIR=<dir>] [-DRUNS=<n>]
#       [-DSTANDARD=<20|23>] [-DEXTRA_INCLUDES=<dir;dir>] [-DFMT_HEADER=<fmt/core.h|fmt/format.h>]
#       [-DJSON_INCLUDES=<dir;dir>] [-DOUTPUT=<file>] -P compile_time.cmake
#
# Compile time of including each public roster header against a FIXED
# baseline: the translation unit a hand-written registry (an unordered_map
# behind a shared_mutex, with a sorted list of names, messages through
# fmt::format) would include:
#   <unordered_map> <shared_mutex> <string> <string_view> <optional> <vector>
#   <algorithm> and the {fmt} header that declares fmt::format on the {fmt}
#   found: <fmt/core.h> before {fmt} 11, <fmt/format.h> from {fmt} 11 on.
# The baseline does not depend on what roster includes, so a new include in
# roster shows up as a larger ratio.
#
# Public headers: include/roster/*.hpp and include/roster/*/*.hpp, except
# roster/detail/; roster/json.hpp only when JSON_INCLUDES (nlohmann/json's
# include directories) is given. For each one, a TU with only that header and
# the baseline TU are compiled RUNS times, alternating (which of the two goes
# first alternates too), with the same command line:
#   <CXX> -std=c++<STANDARD> -O0 -I<INCLUDE_DIR> <EXTRA_INCLUDES> <JSON_INCLUDES> -c
# and the medians are compared:
#   RATIO compile_include_<name>_vs_handwritten threads=1 keys=0 <header time / baseline time>
# <name>: the path below include/roster/ without .hpp, '/' -> '_' (roster.hpp,
# the umbrella, is "roster"). A header that does not compile on its own stops
# the script (FATAL_ERROR naming it).
#
# EXTRA_INCLUDES: {fmt}'s include directory when it is not on the compiler's
# default path. FMT_HEADER: which {fmt} header the baseline includes; when not
# given, decided from FMT_VERSION as the compiler sees it with the flags above.
#
# Standalone, from the repository root (Debian's fmt and nlohmann/json in /usr/include):
#   cmake -DRUNS=3 -DJSON_INCLUDES=/usr/include -DWORK_DIR=/tmp/roster_ct \
#         -DOUTPUT=/tmp/roster_ct/compile_time.txt -P bench/scripts/compile_time.cmake

include("${CMAKE_CURRENT_LIST_DIR}/common.cmake") # median, format_ratio

# --- arguments and defaults
if(NOT CXX)
    find_program(CXX NAMES g++ c++ REQUIRED)
endif()
if(NOT INCLUDE_DIR)
    get_filename_component(INCLUDE_DIR "${CMAKE_CURRENT_LIST_DIR}/../../include" ABSOLUTE)
endif()
if(NOT WORK_DIR)
    set(WORK_DIR "${CMAKE_CURRENT_BINARY_DIR}/compile_time") # -P: the current directory
endif()
if(NOT RUNS)
    set(RUNS 7)
endif()
if(NOT STANDARD)
    set(STANDARD 20)
endif()
if(NOT RUNS MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "RUNS must be a positive integer, not '${RUNS}'")
endif()
if(NOT EXISTS "${INCLUDE_DIR}/roster")
    message(FATAL_ERROR "INCLUDE_DIR=${INCLUDE_DIR} has no roster/ directory")
endif()
if(OUTPUT)
    file(REMOVE "${OUTPUT}") # no stale RATIO lines for summary.cmake if this run fails
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")

set(flags -std=c++${STANDARD} -O0 "-I${INCLUDE_DIR}")
foreach(dir IN LISTS EXTRA_INCLUDES JSON_INCLUDES)
    if(dir)
        list(APPEND flags "-I${dir}")
    endif()
endforeach()
list(REMOVE_DUPLICATES flags) # e.g. fmt's and nlohmann/json's are both /usr/include
list(JOIN flags " " flags_text)

# --- helpers

# time_compile(<source> <what> <out variable>): microseconds to compile <source>;
# FATAL_ERROR naming <what> if it does not compile.
function(time_compile source what out_var)
    string(TIMESTAMP begin "%s%f")
    execute_process(COMMAND "${CXX}" ${flags} -c "${source}" -o "${source}.o"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    string(TIMESTAMP end "%s%f")
    if(NOT rc EQUAL 0)
        message("${out}${err}") # verbatim: FATAL_ERROR would re-wrap the compiler's lines
        message(FATAL_ERROR "compile_time: ${what} does not compile on its own: "
                            "${CXX} ${flags_text} -c ${source}")
    endif()
    math(EXPR us "${end} - ${begin}")
    set(${out_var} ${us} PARENT_SCOPE)
endfunction()

# preprocessed_lines(<source> <what> <out variable>): lines of `<CXX> -E` output.
# Also warms the file cache before the first timed compile.
function(preprocessed_lines source what out_var)
    execute_process(COMMAND "${CXX}" ${flags} -E "${source}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message("${err}")
        message(FATAL_ERROR "compile_time: ${what} does not preprocess on its own: "
                            "${CXX} ${flags_text} -E ${source}")
    endif()
    string(LENGTH "${text}" with)
    string(REPLACE "\n" "" text "${text}")
    string(LENGTH "${text}" without)
    math(EXPR lines "${with} - ${without}")
    set(${out_var} ${lines} PARENT_SCOPE)
endfunction()

# ms_text(<microseconds> <out variable>): "123.4"
function(ms_text us out_var)
    math(EXPR tenths "(${us} + 50) / 100")
    math(EXPR whole "${tenths} / 10")
    math(EXPR frac "${tenths} % 10")
    set(${out_var} "${whole}.${frac}" PARENT_SCOPE)
endfunction()

# pad(<text> <width> <out variable> [RIGHT]): <text> padded with spaces to <width>.
function(pad text width out_var)
    string(LENGTH "${text}" len)
    set(result "${text}")
    if(len LESS width)
        math(EXPR n "${width} - ${len}")
        string(REPEAT " " ${n} spaces)
        if("RIGHT" IN_LIST ARGN)
            set(result "${spaces}${text}")
        else()
            set(result "${text}${spaces}")
        endif()
    endif()
    set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

# --- the {fmt} header that declares fmt::format on the {fmt} found
if(NOT FMT_HEADER)
    # {fmt} 11+ defines FMT_VERSION in <fmt/base.h>, which its <fmt/core.h> includes.
    set(probe "${WORK_DIR}/fmt_version.cpp")
    file(WRITE "${probe}" "#include <fmt/core.h>\nroster_fmt_version FMT_VERSION\n")
    execute_process(COMMAND "${CXX}" ${flags} -E -P "${probe}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT text MATCHES "roster_fmt_version ([0-9]+)")
        message(FATAL_ERROR "compile_time: cannot read FMT_VERSION from <fmt/core.h> "
                            "(${CXX} ${flags_text}); pass -DEXTRA_INCLUDES=<fmt include dir> "
                            "or -DFMT_HEADER=fmt/core.h|fmt/format.h\n${err}")
    endif()
    set(fmt_version "${CMAKE_MATCH_1}")
    if(fmt_version GREATER_EQUAL 110000)
        set(FMT_HEADER "fmt/format.h")
    else()
        set(FMT_HEADER "fmt/core.h")
    endif()
    set(fmt_how "FMT_VERSION ${fmt_version}")
else()
    set(fmt_how "given")
endif()

# --- the fixed baseline
set(baseline_headers unordered_map shared_mutex string string_view optional vector algorithm "${FMT_HEADER}")
set(baseline_text "// compile_time.cmake: what a hand-written registry with sorted names includes\n")
foreach(h IN LISTS baseline_headers)
    string(APPEND baseline_text "#include <${h}>\n")
endforeach()
set(baseline_tu "${WORK_DIR}/handwritten.cpp")
file(WRITE "${baseline_tu}" "${baseline_text}")
preprocessed_lines("${baseline_tu}" "the handwritten baseline TU" baseline_lines)

# --- the public headers
file(GLOB headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/roster/*.hpp" "${INCLUDE_DIR}/roster/*/*.hpp")
list(FILTER headers EXCLUDE REGEX "^roster/detail/")
set(skipped "")
if(NOT JSON_INCLUDES)
    if("roster/json.hpp" IN_LIST headers)
        list(REMOVE_ITEM headers "roster/json.hpp")
        set(skipped " (roster/json.hpp skipped: no JSON_INCLUDES, nlohmann/json not found)")
    endif()
endif()
list(SORT headers)
list(LENGTH headers n_headers)
if(n_headers EQUAL 0)
    message(FATAL_ERROR "compile_time: no public headers under ${INCLUDE_DIR}/roster")
endif()

# Two headers must not give the same RATIO name (roster/a_b.hpp and roster/a/b.hpp).
set(names "")
foreach(header IN LISTS headers)
    string(REGEX REPLACE "^roster/(.*)\\.hpp$" "\\1" name "${header}")
    string(REPLACE "/" "_" name "${name}")
    if(name IN_LIST names)
        message(FATAL_ERROR "compile_time: two public headers give the RATIO name compile_include_${name}_vs_handwritten")
    endif()
    list(APPEND names "${name}")
endforeach()

list(JOIN baseline_headers "> <" baseline_list)
set(report "compile time of including each public roster header against a fixed, hand-written baseline\n")
string(APPEND report "  compiler: ${CXX} ${flags_text} -c; median of ${RUNS} alternating runs\n")
string(APPEND report "  baseline (handwritten.cpp, ${baseline_lines} preprocessed lines): <${baseline_list}> ({fmt} header: ${fmt_how})\n")
string(APPEND report "  ${n_headers} headers${skipped}\n\n")

set(w_header 36)
set(w_num 10)
pad("header" ${w_header} c1)
pad("ms" ${w_num} c2 RIGHT)
pad("base ms" ${w_num} c3 RIGHT)
pad("ratio" 8 c4 RIGHT)
pad("lines" ${w_num} c5 RIGHT)
pad("base lines" 11 c6 RIGHT)
string(APPEND report "  ${c1}${c2}${c3}${c4}${c5}${c6}\n")

set(ratios "")
set(all_base_times "")
set(index 0)
foreach(header IN LISTS headers)
    math(EXPR index "${index} + 1")
    string(REGEX REPLACE "^roster/(.*)\\.hpp$" "\\1" name "${header}")
    string(REPLACE "/" "_" name "${name}")
    message(STATUS "compile_time: [${index}/${n_headers}] ${header}")

    set(header_tu "${WORK_DIR}/include_${name}.cpp")
    file(WRITE "${header_tu}" "#include <${header}>\n")
    preprocessed_lines("${header_tu}" "${header}" header_lines)

    set(header_times "")
    set(base_times "")
    foreach(run RANGE 1 ${RUNS})
        math(EXPR odd "${run} % 2")
        if(odd)
            time_compile("${header_tu}" "${header}" t)
            list(APPEND header_times ${t})
            time_compile("${baseline_tu}" "the handwritten baseline TU" t)
            list(APPEND base_times ${t})
        else()
            time_compile("${baseline_tu}" "the handwritten baseline TU" t)
            list(APPEND base_times ${t})
            time_compile("${header_tu}" "${header}" t)
            list(APPEND header_times ${t})
        endif()
    endforeach()
    list(APPEND all_base_times ${base_times})
    median(header_times header_us)
    median(base_times base_us)
    format_ratio(${header_us} ${base_us} ratio)
    ms_text(${header_us} header_ms)
    ms_text(${base_us} base_ms)

    pad("${header}" ${w_header} c1)
    pad("${header_ms}" ${w_num} c2 RIGHT)
    pad("${base_ms}" ${w_num} c3 RIGHT)
    pad("${ratio}" 8 c4 RIGHT)
    pad("${header_lines}" ${w_num} c5 RIGHT)
    pad("${baseline_lines}" 11 c6 RIGHT)
    string(APPEND report "  ${c1}${c2}${c3}${c4}${c5}${c6}\n")
    string(APPEND ratios "RATIO compile_include_${name}_vs_handwritten threads=1 keys=0 ${ratio}\n")
endforeach()
# The baseline never changes: its spread over the whole run shows how noisy the machine was.
median(all_base_times all_base_us)
list(SORT all_base_times COMPARE NATURAL)
list(GET all_base_times 0 min_base_us)
list(GET all_base_times -1 max_base_us)
list(LENGTH all_base_times n_base)
ms_text(${all_base_us} all_base_ms)
ms_text(${min_base_us} min_base_ms)
ms_text(${max_base_us} max_base_ms)
set(noisy "")
math(EXPR max2 "${max_base_us} * 2")
math(EXPR min3 "${min_base_us} * 3")
if(max2 GREATER min3)
    set(noisy " -- max/min above 1.5: a busy machine, re-run before trusting the ratios")
endif()
string(APPEND report "\n  baseline over all ${n_base} compiles: median ${all_base_ms} ms, "
                     "min ${min_base_ms}, max ${max_base_ms}${noisy}\n\n")

if(OUTPUT)
    file(WRITE "${OUTPUT}" "${report}${ratios}")
endif()
message("${report}${ratios}")
