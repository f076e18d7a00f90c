// roster_sr_duplicate_aborts: two files register the same key at static
// initialisation. The program must print one message naming the key and
// both files, then abort (expect_abort.cmake checks that), never reach main.
#include "duplicate.hpp"

#include <cstdio>

ROSTER_REGISTER(roster::default_registry<sr_duplicate::handlers>(), "same", 1);

int main() {
    std::puts("main() reached: the duplicate was not refused");
    return 0;
}
