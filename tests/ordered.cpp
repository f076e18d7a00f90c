// Tests for roster/ordered.hpp: the container behind storage::ordered.
#include "support/catch.hpp"

#include "roster/ordered.hpp"

#include "roster/registry.hpp"

#include <map>
#include <string>
#include <type_traits>
#include <vector>

TEST_CASE("ordered: storage::ordered keeps entries in a std::map with a transparent less", "[ordered]") {
    using sorted_registry = roster::registry<int, roster::storage::ordered>;
    static_assert(std::is_same_v<roster::storage::ordered::map<std::string, int>,
                                 std::map<std::string, int, std::less<>>>);
    sorted_registry sorted{"ordered.sorted"};
    sorted.add("c", 3);
    sorted.add("a", 1);
    sorted.add("b", 2);
    std::vector<std::string> seen;
    sorted.for_each([&](const std::string& key, int) { seen.push_back(key); });
    CHECK(seen == std::vector<std::string>{"a", "b", "c"});
    const std::string_view lookup = "b"; // heterogeneous: no std::string is built
    CHECK(sorted.get(lookup) == 2);
}
