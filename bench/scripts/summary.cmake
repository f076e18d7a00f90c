cmake_minimum_required(VERSION 3.23)
# cmake -DRESULTS=<dir> -P summary.cmake
# Prints every RATIO (and SCALING) line found in the result files, sorted: the bench
# preset's last output, for tools to read.
file(GLOB files "${RESULTS}/*.txt")
set(lines "")
foreach(f IN LISTS files)
    file(STRINGS "${f}" found REGEX "^(RATIO|SCALING) ")
    list(APPEND lines ${found})
endforeach()
list(SORT lines)
list(LENGTH lines count)
if(count EQUAL 0)
    message(FATAL_ERROR "no RATIO lines in ${RESULTS}: did the benchmarks run?")
endif()
string(REPLACE ";" "\n" text "${lines}")
message("\n# RATIO <name> threads=<n> keys=<k> <roster time / baseline time>: ${count} lines\n${text}")
