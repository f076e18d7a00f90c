#include "support/catch.hpp"

#include "roster/roster.hpp"

// A second translation unit that includes the umbrella header and
// instantiates the same registry specialisations as tests/roster.cpp: any
// non-inline function or variable defined in a roster header would be
// defined twice and break the link, and the two TUs must agree on every
// inline definition.

#include <cstddef>
#include <string>

// Declared again, and called, in tests/roster.cpp.
namespace roster_odr {
std::size_t second_tu_use();
std::string second_tu_describe(const roster::source_location& where);
int second_tu_shared_value(const std::string& key);
} // namespace roster_odr

namespace roster_odr {

inline roster::registry<int>& shared_numbers() {
    static roster::registry<int> numbers{"odr-numbers"};
    return numbers;
}

std::size_t second_tu_use() {
    roster::registry<int> numbers{"second-tu"};
    (void)numbers.add("a", 1);
    roster::scoped_registration scoped = numbers.add("b", 2).handle();
    const roster::result<int> miss = numbers.try_at("c");
    const bool missed = !miss && miss.error().code == roster::errc::not_found &&
                        std::string(roster::to_string(miss.error().code)) == "not_found" &&
                        std::string(roster::to_string(roster::lifecycle::populated)) == "populated";
    scoped.reset();
    numbers.freeze();
    return missed ? numbers.size() : 0;
}

std::string second_tu_describe(const roster::source_location& where) {
    return roster::detail::describe(where);
}

int second_tu_shared_value(const std::string& key) {
    roster::registry<int>& numbers = shared_numbers();
    if (!numbers.contains(key))
        (void)numbers.add(key, static_cast<int>(key.size()));
    return numbers.at(key);
}

} // namespace roster_odr

TEST_CASE("odr: a second translation unit including roster.hpp links and runs", "[odr]") {
    CHECK(roster_odr::second_tu_use() == 1);
    CHECK(roster_odr::second_tu_shared_value("four") == 4);
}
