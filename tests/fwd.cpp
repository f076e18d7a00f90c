#include "support/catch.hpp"

#include "roster/fwd.hpp"

// Everything up to the next roster #include sees only roster/fwd.hpp: it must
// be enough to name the registry and result types in declarations, the way a
// header that only passes registries around would.

#include <cstddef>
#include <string>

namespace fwd_test {
namespace {

std::size_t add_three(roster::registry<int>& registry);
std::size_t count_of(const roster::registry<std::string>& registry);
roster::result<int> lookup(const roster::registry<int>& registry, const std::string& key);
bool is_not_found(const roster::error_info& info);
roster::errc code_of(const roster::error& e);

/// A class that holds a registry by reference and a handle, both declared
/// only.
struct plugin_host {
    roster::registry<int>& registry;
    roster::scoped_registration* keep = nullptr;
    std::size_t size() const;
};

} // namespace
} // namespace fwd_test

#include "roster/registry.hpp"

#include <type_traits>

namespace fwd_test {
namespace {

std::size_t add_three(roster::registry<int>& registry) {
    (void)registry.add("one", 1);
    (void)registry.add("two", 2);
    (void)registry.add("three", 3);
    return registry.size();
}

std::size_t count_of(const roster::registry<std::string>& registry) {
    return registry.size();
}

roster::result<int> lookup(const roster::registry<int>& registry, const std::string& key) {
    return registry.try_at(key);
}

bool is_not_found(const roster::error_info& info) {
    return info.code == roster::errc::not_found;
}

roster::errc code_of(const roster::error& e) {
    return e.code();
}

std::size_t plugin_host::size() const {
    return registry.size();
}

} // namespace
} // namespace fwd_test

TEST_CASE("fwd: the registry alias declared in fwd.hpp is the one registry.hpp defines", "[fwd]") {
    static_assert(std::is_same_v<roster::registry<int>, roster::basic_registry<std::string, int>>);
    static_assert(std::is_same_v<roster::registry<int>::key_type, std::string>);
    CHECK(std::is_same_v<roster::registry<int>::value_type, int>);
}

TEST_CASE("fwd: a function declared with only fwd.hpp takes and uses a registry once it is defined",
          "[fwd]") {
    roster::registry<int> numbers{"numbers"};
    CHECK(fwd_test::add_three(numbers) == 3);
    CHECK(numbers.get("two") == 2);
    roster::registry<std::string> names{"names"};
    CHECK(fwd_test::count_of(names) == 0);
}

TEST_CASE("fwd: result, error_info, errc and error declared in fwd.hpp are the complete types",
          "[fwd]") {
    roster::registry<int> numbers{"numbers"};
    (void)numbers.add("one", 1);
    const roster::result<int> hit = fwd_test::lookup(numbers, "one");
    REQUIRE(hit.has_value());
    CHECK(hit.value() == 1);
    const roster::result<int> miss = fwd_test::lookup(numbers, "uno");
    REQUIRE_FALSE(miss.has_value());
    CHECK(fwd_test::is_not_found(miss.error()));
    CHECK(fwd_test::code_of(roster::frozen_error("m")) == roster::errc::frozen);
}

TEST_CASE("fwd: a class holding a registry by reference, declared with fwd.hpp, works", "[fwd]") {
    roster::registry<int> numbers{"numbers"};
    roster::scoped_registration keep = numbers.add("scoped", 1).handle();
    fwd_test::plugin_host host{numbers, &keep};
    CHECK(host.size() == 1);
    host.keep->reset();
    CHECK(host.size() == 0);
}
