#include "support/catch.hpp"

#include "roster/policies.hpp"

#include "roster/factory.hpp"
#include "roster/registry.hpp"
#include "roster/versioned.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

namespace dup = roster::on_duplicate;
namespace nul = roster::on_null;
namespace lck = roster::locking;
namespace cat = roster::policy_category;
using roster::detail::select_policy_t;

/// Not a policy: has no roster_policy_category.
struct not_a_tag {};

/// A user-defined tag in an existing category is a policy too.
struct custom_locking {
    using roster_policy_category = cat::locking;
};

template <class Registry, class Duplicate, class Null, class Locking>
constexpr bool declares() {
    return std::is_same_v<typename Registry::duplicate_policy, Duplicate> &&
           std::is_same_v<typename Registry::null_policy, Null> &&
           std::is_same_v<typename Registry::locking_policy, Locking>;
}

} // namespace

TEST_CASE("policy: the concept accepts every tag roster defines", "[policies]") {
    static_assert(roster::policy<dup::throw_error>);
    static_assert(roster::policy<dup::return_error>);
    static_assert(roster::policy<dup::replace>);
    static_assert(roster::policy<dup::keep_first>);
    static_assert(roster::policy<dup::accept_if_equal>);
    static_assert(roster::policy<nul::reject>);
    static_assert(roster::policy<nul::allow>);
    static_assert(roster::policy<lck::shared_mutex>);
    static_assert(roster::policy<lck::none>);
    CHECK(roster::policy<dup::replace>);
    CHECK(roster::policy<lck::none>);
}

TEST_CASE("policy: the concept rejects types that are not tags", "[policies]") {
    static_assert(!roster::policy<int>);
    static_assert(!roster::policy<void>);
    static_assert(!roster::policy<std::string>);
    static_assert(!roster::policy<not_a_tag>);
    static_assert(!roster::policy<cat::on_duplicate>, "a category is not a tag");
    CHECK_FALSE(roster::policy<int>);
    CHECK_FALSE(roster::policy<not_a_tag>);
}

TEST_CASE("policy: a user type naming a category is accepted as a tag", "[policies]") {
    static_assert(roster::policy<custom_locking>);
    static_assert(std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, custom_locking>,
                                 custom_locking>);
    CHECK(roster::policy<custom_locking>);
}

TEST_CASE("policy: each tag names its own category", "[policies]") {
    static_assert(std::is_same_v<dup::throw_error::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::return_error::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::replace::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::keep_first::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<dup::accept_if_equal::roster_policy_category, cat::on_duplicate>);
    static_assert(std::is_same_v<nul::reject::roster_policy_category, cat::on_null>);
    static_assert(std::is_same_v<nul::allow::roster_policy_category, cat::on_null>);
    static_assert(std::is_same_v<lck::shared_mutex::roster_policy_category, cat::locking>);
    static_assert(std::is_same_v<lck::none::roster_policy_category, cat::locking>);
    CHECK(roster::detail::in_category<dup::replace, cat::on_duplicate>);
    CHECK_FALSE(roster::detail::in_category<dup::replace, cat::locking>);
    CHECK_FALSE(roster::detail::in_category<int, cat::locking>);
}

TEST_CASE("policy: tags are empty types", "[policies]") {
    static_assert(std::is_empty_v<dup::throw_error> && std::is_empty_v<dup::replace>);
    static_assert(std::is_empty_v<nul::allow> && std::is_empty_v<lck::none>);
    CHECK(sizeof(dup::replace) == 1);
}

TEST_CASE("select_policy_t: picks the default when no tag of the category is given", "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error>, dup::throw_error>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow, lck::none>,
                       dup::throw_error>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, dup::replace>, nul::reject>);
    static_assert(std::is_same_v<
                  select_policy_t<cat::locking, lck::shared_mutex, dup::keep_first, nul::allow>,
                  lck::shared_mutex>);
    CHECK(std::is_same_v<select_policy_t<cat::on_null, nul::reject, dup::replace, lck::none>,
                         nul::reject>);
}

TEST_CASE("select_policy_t: picks the given tag whatever its position", "[policies]") {
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::replace>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::replace,
                                                 nul::allow, lck::none>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow,
                                                 dup::replace, lck::none>,
                                 dup::replace>);
    static_assert(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, nul::allow,
                                                 lck::none, dup::replace>,
                                 dup::replace>);
    static_assert(
        std::is_same_v<
            select_policy_t<cat::on_null, nul::reject, lck::none, dup::keep_first, nul::allow>,
            nul::allow>);
    static_assert(
        std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, lck::none, nul::allow>,
                       lck::none>);
    CHECK(std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, nul::allow, lck::none>,
                         lck::none>);
}

TEST_CASE("select_policy_t: an explicitly given default is picked like any other tag",
          "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, nul::reject>, nul::reject>);
    static_assert(
        std::is_same_v<select_policy_t<cat::locking, lck::shared_mutex, lck::shared_mutex>,
                       lck::shared_mutex>);
    CHECK(std::is_same_v<select_policy_t<cat::on_duplicate, dup::throw_error, dup::throw_error>,
                         dup::throw_error>);
}

TEST_CASE("select_policy_t: ignores arguments that are not tags", "[policies]") {
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, int, not_a_tag>, nul::reject>);
    static_assert(
        std::is_same_v<select_policy_t<cat::on_null, nul::reject, int, nul::allow>, nul::allow>);
    CHECK(std::is_same_v<select_policy_t<cat::on_null, nul::reject, not_a_tag, nul::allow>,
                         nul::allow>);
}

TEST_CASE("count_in_category: counts the tags of one category", "[policies]") {
    using roster::detail::count_in_category;
    static_assert(count_in_category<cat::on_duplicate> == 0);
    static_assert(count_in_category<cat::on_duplicate, nul::allow, lck::none> == 0);
    static_assert(count_in_category<cat::on_duplicate, dup::replace, nul::allow> == 1);
    static_assert(count_in_category<cat::on_duplicate, dup::replace, nul::allow, dup::keep_first> ==
                  2);
    static_assert(count_in_category<cat::locking, int, lck::none, not_a_tag> == 1);
    CHECK(count_in_category<cat::on_null, nul::allow, nul::reject, dup::replace> == 2);
}

TEST_CASE("basic_registry: with no tags declares the defaults", "[policies]") {
    using reg = roster::registry<int>;
    static_assert(declares<reg, dup::throw_error, nul::reject, lck::shared_mutex>());
    CHECK(declares<reg, dup::throw_error, nul::reject, lck::shared_mutex>());
}

TEST_CASE("basic_registry: declares a single given tag and defaults the rest", "[policies]") {
    static_assert(declares<roster::registry<int, dup::replace>, dup::replace, nul::reject,
                           lck::shared_mutex>());
    static_assert(declares<roster::registry<int*, nul::allow>, dup::throw_error, nul::allow,
                           lck::shared_mutex>());
    static_assert(
        declares<roster::registry<int, lck::none>, dup::throw_error, nul::reject, lck::none>());
    CHECK(declares<roster::registry<int, dup::keep_first>, dup::keep_first, nul::reject,
                   lck::shared_mutex>());
}

TEST_CASE("basic_registry: declares the selected policies whatever order the tags are given in",
          "[policies]") {
    using expected_dup = dup::keep_first;
    using expected_null = nul::allow;
    using expected_lock = lck::none;
    static_assert(declares<roster::registry<int*, dup::keep_first, nul::allow, lck::none>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, dup::keep_first, lck::none, nul::allow>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, nul::allow, dup::keep_first, lck::none>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, nul::allow, lck::none, dup::keep_first>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, lck::none, dup::keep_first, nul::allow>,
                           expected_dup, expected_null, expected_lock>());
    static_assert(declares<roster::registry<int*, lck::none, nul::allow, dup::keep_first>,
                           expected_dup, expected_null, expected_lock>());
    CHECK(declares<roster::registry<int*, lck::none, nul::allow, dup::keep_first>, expected_dup,
                   expected_null, expected_lock>());
}

TEST_CASE("basic_registry: declares two given tags in either order and defaults the third",
          "[policies]") {
    static_assert(declares<roster::registry<int, dup::return_error, lck::none>, dup::return_error,
                           nul::reject, lck::none>());
    static_assert(declares<roster::registry<int, lck::none, dup::return_error>, dup::return_error,
                           nul::reject, lck::none>());
    static_assert(declares<roster::basic_registry<int, int, nul::allow, dup::accept_if_equal>,
                           dup::accept_if_equal, nul::allow, lck::shared_mutex>());
    static_assert(declares<roster::basic_registry<int, int, dup::accept_if_equal, nul::allow>,
                           dup::accept_if_equal, nul::allow, lck::shared_mutex>());
    CHECK(declares<roster::registry<int, lck::none, dup::return_error>, dup::return_error,
                   nul::reject, lck::none>());
}

TEST_CASE("basic_registry: the order of tags does not matter to its behaviour", "[policies]") {
    // Same tags, two orders: both behave as on_duplicate::replace.
    roster::registry<int, dup::replace, lck::none> first{"first"};
    roster::registry<int, lck::none, dup::replace> second{"second"};
    REQUIRE(first.add("k", 1));
    REQUIRE(second.add("k", 1));
    CHECK(first.add("k", 2).status() == roster::add_status::replaced);
    CHECK(second.add("k", 2).status() == roster::add_status::replaced);
    CHECK(first.get("k") == 2);
    CHECK(second.get("k") == 2);
}

// The counters:: policies are tested in tests/counters.cpp, with their machinery.

// --- what each storage policy asks of a registry's Key ----------------------------

namespace {
template <class T>
struct other_allocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = other_allocator<U>;
    };
    other_allocator() = default;
    template <class U>
    other_allocator(const other_allocator<U>&) noexcept {}
};
struct point_key {
    int x = 0;
    bool operator==(const point_key&) const = default;
};
struct hashed_without_equality {
    int id = 0;
};
struct ordered_only {
    int rank = 0;
    bool operator<(const ordered_only& other) const { return rank < other.rank; }
};
} // namespace

template <>
struct std::hash<hashed_without_equality> {
    std::size_t operator()(const hashed_without_equality& k) const noexcept { return static_cast<std::size_t>(k.id); }
};

TEST_CASE("hashable_key: holds for strings and integers, not for a type without std::hash or without ==",
          "[policies][concepts]") {
    STATIC_REQUIRE(roster::hashable_key<std::string>);
    STATIC_REQUIRE(roster::hashable_key<int>);
    STATIC_REQUIRE_FALSE(roster::hashable_key<point_key>);
    STATIC_REQUIRE_FALSE(roster::hashable_key<hashed_without_equality>);
    STATIC_REQUIRE_FALSE(roster::hashable_key<ordered_only>);
}

TEST_CASE("hashable_key: holds for a std::basic_string with any allocator, hashed through its view",
          "[policies][concepts]") {
    STATIC_REQUIRE(roster::hashable_key<std::basic_string<char, std::char_traits<char>, other_allocator<char>>>);
    STATIC_REQUIRE(roster::hashable_key<std::wstring>);
}

TEST_CASE("ordered_key: holds for a type with <, not for one without", "[policies][concepts]") {
    STATIC_REQUIRE(roster::ordered_key<int>);
    STATIC_REQUIRE(roster::ordered_key<std::string>);
    STATIC_REQUIRE(roster::ordered_key<ordered_only>);
    STATIC_REQUIRE_FALSE(roster::ordered_key<point_key>);
}
