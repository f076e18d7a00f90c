// Consumer of roster built without CMake, by run.sh:
//   c++ -std=c++20 $(pkg-config --cflags roster) main.cpp $(pkg-config --libs roster)
// (plus -DROSTER_EXPECTED_VERSION_*). Returns 0 iff the registry works. Its
// miss message prints an int key with {fmt}'s compiled library
// (fmt::vformat): the program links only if `--libs` brought -lfmt.
#include <roster/registry.hpp>
#include <roster/version.hpp>

#include <cstdio>
#include <string>

#ifdef ROSTER_EXPECTED_VERSION_MAJOR
static_assert(ROSTER_VERSION_MAJOR == ROSTER_EXPECTED_VERSION_MAJOR &&
                  ROSTER_VERSION_MINOR == ROSTER_EXPECTED_VERSION_MINOR &&
                  ROSTER_VERSION_PATCH == ROSTER_EXPECTED_VERSION_PATCH,
              "the pkg-config version must match include/roster/version.hpp");
#endif

int main() {
    roster::basic_registry<int, int> r{"consume"};
    static_cast<void>(r.add(1, 42));
    const auto miss = r.try_at(2);
    if (miss) return 1;
    const std::string& message = miss.error().message;
    std::puts(message.c_str());
    if (message.find("no entry for key 2") == std::string::npos) return 2;
    return r.get(1).value_or(0) == 42 ? 0 : 3;
}
