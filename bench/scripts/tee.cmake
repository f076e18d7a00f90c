cmake_minimum_required(VERSION 3.23)
# cmake -DCOMMAND=<exe> -DOUTPUT=<file> -P tee.cmake
# Runs COMMAND, shows its output, and keeps a copy in OUTPUT.
execute_process(COMMAND "${COMMAND}" OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
file(WRITE "${OUTPUT}" "${out}")
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${COMMAND} failed (${rc}): ${err}")
endif()
