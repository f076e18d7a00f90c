# bench/scripts/common.cmake — helpers shared by the benchmark scripts.

# median(<list variable> <out variable>): the median of a list of integers.
function(median list_var out_var)
    set(values ${${list_var}})
    list(SORT values COMPARE NATURAL)
    list(LENGTH values n)
    math(EXPR mid "${n} / 2")
    list(GET values ${mid} value)
    set(${out_var} ${value} PARENT_SCOPE)
endfunction()

# format_ratio(<numerator> <denominator> <out variable>): num / den with three
# decimals, in integer arithmetic.
function(format_ratio num den out_var)
    math(EXPR milli "(${num} * 1000 + ${den} / 2) / ${den}")
    math(EXPR whole "${milli} / 1000")
    math(EXPR frac "${milli} % 1000")
    string(LENGTH "${frac}" len)
    if(len EQUAL 1)
        set(frac "00${frac}")
    elseif(len EQUAL 2)
        set(frac "0${frac}")
    endif()
    set(${out_var} "${whole}.${frac}" PARENT_SCOPE)
endfunction()
