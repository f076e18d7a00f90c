# Runs Doxygen for roster_docs (cmake -P): -DDOXYGEN=<exe> -DDOXYFILE=<file> -DLOG=<warnings log>.
# Fails, printing every warning and their count, when Doxygen reports any.
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" RESULT_VARIABLE result)
set(warnings "")
if(EXISTS "${LOG}")
    file(READ "${LOG}" warnings)
endif()
string(REGEX MATCHALL "(warning|error):" _hits "${warnings}")
list(LENGTH _hits count)
if(NOT result EQUAL 0 OR count GREATER 0)
    # Doxygen wrote the pages anyway: remove the build's output so that the
    # next build runs it again instead of finding it up to date.
    get_filename_component(_out "${LOG}" DIRECTORY)
    file(REMOVE "${_out}/html/index.html")
    message("${warnings}")
    message(FATAL_ERROR "roster_docs: Doxygen reported ${count} warning(s) (exit status ${result}); "
                        "every public member needs a /// comment (see the list above).")
endif()
message(STATUS "roster_docs: no Doxygen warnings")
