// Startup benchmark driver: measures the time spent in dynamic
// initialisation, from a constructor that runs before every default-priority
// static initialiser (priority 101) to the first line of main(), and prints
// `<nanoseconds> <entries>`. Linked with generated translation units that
// each register entries at static-init time (roster) or insert them into a
// plain std::unordered_map (plain); see bench/CMakeLists.txt.
#include <chrono>
#include <cstddef>
#include <cstdio>

std::size_t startup_entries(); // defined by roster_target.cpp or plain_target.cpp

namespace {
std::chrono::steady_clock::time_point startup_begin; // trivially initialised: no dynamic init
}

__attribute__((constructor(101))) static void roster_bench_startup_begin() {
    startup_begin = std::chrono::steady_clock::now();
}

int main() {
    const auto elapsed = std::chrono::steady_clock::now() - startup_begin;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    std::printf("%lld %zu\n", static_cast<long long>(ns), startup_entries());
    return 0;
}
