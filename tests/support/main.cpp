// Catch2's main(), compiled once (object library roster_catch_main) and linked
// into roster_tests. CATCH_CONFIG_RUNNER + our own main() works unchanged with
// Catch2 v3 too (there the define is ignored and Catch::Session comes from the
// compiled Catch2::Catch2 library).
#define CATCH_CONFIG_RUNNER
#include "support/catch.hpp"

int main(int argc, char* argv[]) {
    return Catch::Session().run(argc, argv);
}
