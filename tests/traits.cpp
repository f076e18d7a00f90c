#include "support/catch.hpp"

#include "roster/traits.hpp"

#include "roster/error.hpp"
#include "roster/registry.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace {

template <class T>
bool is_null(const T& value) {
    static_assert(noexcept(roster::null_traits<T>::is_null(value)),
                  "the default null_traits is noexcept");
    return roster::null_traits<T>::is_null(value);
}

std::string_view validate(const std::string& key) {
    return roster::key_traits<std::string>::validate(key);
}

struct base_a {
    int a = 1;
};
struct base_b {
    int b = 2;
};
// Two bases, so converting a derived* to base_b* adjusts the address: the
// conversion of a null pointer must still give a null pointer.
struct derived : base_a, base_b {
    int d = 3;
};

struct widget {
    int field = 0;
    int method() const { return field; }
};

int forty_two() {
    return 42;
}
long forty_two_long() {
    return 42L;
}

/// A handle that the default null_traits cannot see as null (it has no
/// `== nullptr`); only the specialisation below knows that fd < 0 is null.
struct file_handle {
    int fd = -1;
    bool valid() const noexcept { return fd >= 0; }
};

/// Converts implicitly from const char* and compares with ==, so
/// `value == nullptr` compiles by building a name_like from a null pointer:
/// such a type must not be probed with nullptr (nor treated as null).
struct name_like {
    name_like(const char* text)
        : length(std::string_view(text).size()) {} // NOLINT(google-explicit-constructor)
    friend bool operator==(const name_like&, const name_like&) = default;
    std::size_t length = 0;
};

/// A user pointer-like class: tests as bool and compares with nullptr, so
/// the default null_traits recognises it without a specialisation.
class maybe_widget {
public:
    maybe_widget() = default;
    explicit maybe_widget(widget* target) noexcept
        : target_(target) {}
    explicit operator bool() const noexcept { return target_ != nullptr; }
    friend bool operator==(const maybe_widget& w, std::nullptr_t) noexcept {
        return w.target_ == nullptr;
    }

private:
    widget* target_ = nullptr;
};

/// A key type with a reserved value, refused by the key_traits
/// specialisation below.
struct user_id {
    unsigned value = 0;
    friend bool operator==(const user_id&, const user_id&) = default;
};

} // namespace

template <>
struct roster::null_traits<file_handle> {
    static bool is_null(const file_handle& handle) noexcept { return !handle.valid(); }
};

template <>
struct roster::key_traits<user_id> {
    static std::string_view validate(const user_id& id) noexcept {
        return id.value == 0 ? std::string_view("id 0 is reserved") : std::string_view{};
    }
};

template <>
struct std::hash<user_id> {
    std::size_t operator()(const user_id& id) const noexcept {
        return std::hash<unsigned>{}(id.value);
    }
};

// ------------------------------------------------------------ null_traits

TEST_CASE("null_traits: treats a null raw pointer as null", "[traits]") {
    int* const null_pointer = nullptr;
    const int* const null_const_pointer = nullptr;
    void* const null_void_pointer = nullptr;
    CHECK(is_null(null_pointer));
    CHECK(is_null(null_const_pointer));
    CHECK(is_null(null_void_pointer));
}

TEST_CASE("null_traits: treats a non-null raw pointer as not null", "[traits]") {
    int x = 0;
    int* const pointer = &x;
    const char* const text = "";
    CHECK_FALSE(is_null(pointer));
    CHECK_FALSE(is_null(text));
}

TEST_CASE("null_traits: treats a null Derived* converted to Base* as null", "[traits]") {
    derived* const null_derived = nullptr;
    base_b* const as_second_base = null_derived;
    base_a* const as_first_base = null_derived;
    CHECK(is_null(as_second_base));
    CHECK(is_null(as_first_base));
}

TEST_CASE("null_traits: treats a non-null Derived* converted to Base* as not null", "[traits]") {
    derived object;
    base_b* const as_second_base = &object;
    CHECK_FALSE(is_null(as_second_base));
    CHECK(as_second_base->b == 2);
}

TEST_CASE("null_traits: treats a null function pointer as null", "[traits]") {
    int (*const null_function)() = nullptr;
    CHECK(is_null(null_function));
}

TEST_CASE("null_traits: treats a non-null function pointer as not null", "[traits]") {
    int (*const function)() = &forty_two;
    CHECK_FALSE(is_null(function));
    CHECK(function() == 42);
}

TEST_CASE("null_traits: treats a null member pointer as null", "[traits]") {
    int widget::*const null_field = nullptr;
    int (widget::*const null_method)() const = nullptr;
    CHECK(is_null(null_field));
    CHECK(is_null(null_method));
}

TEST_CASE("null_traits: treats a non-null member pointer as not null", "[traits]") {
    int widget::*const field = &widget::field;
    int (widget::*const method)() const = &widget::method;
    CHECK_FALSE(is_null(field));
    CHECK_FALSE(is_null(method));
}

TEST_CASE("null_traits: treats an empty unique_ptr and an empty shared_ptr as null", "[traits]") {
    CHECK(is_null(std::unique_ptr<int>{}));
    CHECK(is_null(std::unique_ptr<int[]>{}));
    CHECK(is_null(std::shared_ptr<int>{}));
    CHECK(is_null(std::shared_ptr<const base_a>{}));
}

TEST_CASE("null_traits: treats a unique_ptr and a shared_ptr that own an object as not null",
          "[traits]") {
    CHECK_FALSE(is_null(std::make_unique<int>(1)));
    CHECK_FALSE(is_null(std::make_shared<int>(1)));
}

TEST_CASE(
    "null_traits: treats a shared_ptr made by the aliasing constructor around nullptr as null",
    "[traits]") {
    const std::shared_ptr<int> owner = std::make_shared<int>(1);
    const std::shared_ptr<int> alias(owner, static_cast<int*>(nullptr));
    // It owns something (shares owner's control block) but points nowhere:
    // a use_count() or owner_before() based test would miss it.
    REQUIRE(alias.use_count() == 2);
    CHECK(is_null(alias));
}

TEST_CASE("null_traits: treats a shared_ptr made by the aliasing constructor around an object as "
          "not null",
          "[traits]") {
    static int object = 5;
    const std::shared_ptr<int> alias(std::shared_ptr<int>{},
                                     &object); // owns nothing, points somewhere
    REQUIRE(alias.use_count() == 0);
    CHECK_FALSE(is_null(alias));
}

TEST_CASE("null_traits: treats an empty std::function as null", "[traits]") {
    CHECK(is_null(std::function<int()>{}));
    CHECK(is_null(std::function<void(int)>(nullptr)));
}

TEST_CASE("null_traits: treats a std::function holding a callable as not null", "[traits]") {
    CHECK_FALSE(is_null(std::function<int()>([] { return 1; })));
    CHECK_FALSE(is_null(std::function<int()>(&forty_two)));
}

TEST_CASE("null_traits: treats a std::function built from a null function pointer as null",
          "[traits]") {
    int (*const null_function)() = nullptr;
    const std::function<int()> wrapped = null_function;
    CHECK(is_null(wrapped));
}

TEST_CASE("null_traits: treats a std::function built from a null member pointer as null",
          "[traits]") {
    int (widget::*const null_method)() const = nullptr;
    const std::function<int(const widget&)> wrapped = null_method;
    CHECK(is_null(wrapped));
}

TEST_CASE(
    "null_traits: treats a std::function<int()> built from an empty std::function<long()> as null",
    "[traits]") {
    const std::function<long()> empty;
    const std::function<int()> converted = empty;
    CHECK(is_null(converted));
}

TEST_CASE("null_traits: treats a std::function<int()> built from a non-empty std::function<long()> "
          "as not null",
          "[traits]") {
    const std::function<long()> full = &forty_two_long;
    const std::function<int()> converted = full;
    CHECK_FALSE(is_null(converted));
    CHECK(converted() == 42);
}

TEST_CASE("null_traits: never treats an int as null, not even 0", "[traits]") {
    CHECK_FALSE(is_null(0));
    CHECK_FALSE(is_null(1));
    CHECK_FALSE(is_null(0L));
}

TEST_CASE("null_traits: never treats a std::string as null, not even an empty one", "[traits]") {
    CHECK_FALSE(is_null(std::string{}));
    CHECK_FALSE(is_null(std::string("gzip")));
}

TEST_CASE("null_traits: never treats a std::string_view as null, and never builds one from nullptr",
          "[traits]") {
    // Before C++23, `view == nullptr` compiles by converting nullptr to a
    // std::string_view (strlen of a null pointer): the default must not try.
    CHECK_FALSE(is_null(std::string_view("gzip")));
    CHECK_FALSE(is_null(std::string_view{}));
}

TEST_CASE("null_traits: never treats a class that merely converts from const char* as null",
          "[traits]") {
    // The trap: `value == nullptr` compiles for it (via name_like(nullptr)).
    static_assert(requires(const name_like& n) { n == nullptr; });
    CHECK(name_like("ab") == name_like("xy"));
    CHECK_FALSE(is_null(name_like("gzip")));
    CHECK_FALSE(is_null(name_like("")));
}

TEST_CASE(
    "null_traits: treats a user pointer-like class that tests as bool and equals nullptr as null",
    "[traits]") {
    widget target;
    CHECK(is_null(maybe_widget{}));
    CHECK_FALSE(is_null(maybe_widget{&target}));
}

TEST_CASE("null_traits: treats std::nullptr_t itself as null", "[traits]") {
    CHECK(is_null(nullptr));
}

TEST_CASE("null_traits: the default is usable in constant expressions", "[traits]") {
    constexpr int* null_pointer = nullptr;
    static_assert(roster::null_traits<int*>::is_null(null_pointer));
    static_assert(!roster::null_traits<int>::is_null(0));
    static_assert(roster::nullable_value<int>);
    static_assert(roster::nullable_value<std::string>);
    static_assert(roster::nullable_value<std::function<void()>>);
    CHECK(roster::null_traits<int*>::is_null(null_pointer));
}

TEST_CASE("null_traits: a user specialisation decides what is null", "[traits]") {
    static_assert(roster::nullable_value<file_handle>);
    CHECK(roster::null_traits<file_handle>::is_null(file_handle{}));
    CHECK_FALSE(roster::null_traits<file_handle>::is_null(file_handle{3}));
}

TEST_CASE("null_traits: a registry honours a user specialisation and refuses a null handle",
          "[traits]") {
    roster::registry<file_handle> files{"files"};
    CHECK_THROWS_AS(files.add("log", file_handle{}), roster::null_value_error);
    CHECK(files.empty());
    CHECK_FALSE(files.contains("log"));

    const auto refused = files.try_add("log", file_handle{-2});
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(refused.error().message.find("\"files\"") != std::string::npos);
    CHECK(refused.error().message.find("\"log\"") != std::string::npos);
    CHECK(files.empty());
}

TEST_CASE("null_traits: a registry honours a user specialisation and accepts a valid handle",
          "[traits]") {
    roster::registry<file_handle> files{"files"};
    const auto added = files.add("log", file_handle{3});
    CHECK(added.status() == roster::add_status::added);
    REQUIRE(files.get("log").has_value());
    CHECK(files.get("log")->fd == 3);
}

// ------------------------------------------------------------- key_traits

TEST_CASE("key_traits: refuses an empty std::string key with a reason", "[traits]") {
    CHECK_FALSE(validate(std::string{}).empty());
    CHECK(validate(std::string{}).find("empty") != std::string_view::npos);
}

TEST_CASE("key_traits: refuses a std::string key containing a control character", "[traits]") {
    CHECK_FALSE(validate("line\nbreak").empty());
    CHECK_FALSE(validate("tab\there").empty());
    CHECK_FALSE(validate("\x01start").empty());
    CHECK_FALSE(validate("end\x1f").empty());
    CHECK_FALSE(validate("del\x7f").empty());
    CHECK_FALSE(validate("\r").empty());
    CHECK_FALSE(validate(std::string("nul\0inside", 10)).empty());
    CHECK(validate("line\nbreak").find("control") != std::string_view::npos);
}

TEST_CASE("key_traits: accepts an ordinary std::string key", "[traits]") {
    CHECK(validate("gzip").empty());
    CHECK(validate("a").empty());
    CHECK(validate("with space").empty());
    CHECK(validate("punctuation: ~!@#$%^&*()_+{}|<>?").empty());
    CHECK(validate("caf\xc3\xa9").empty()); // UTF-8 bytes above 0x7f are not control characters
}

TEST_CASE("key_traits: accepts every int key", "[traits]") {
    CHECK(roster::key_traits<int>::validate(0).empty());
    CHECK(roster::key_traits<int>::validate(-1).empty());
    CHECK(roster::key_traits<int>::validate(1 << 30).empty());
    static_assert(roster::validated_key<int>);
}

TEST_CASE("key_traits: the defaults are usable in constant expressions and noexcept", "[traits]") {
    static_assert(roster::key_traits<std::string>::validate("gzip").empty());
    static_assert(!roster::key_traits<std::string>::validate("").empty());
    static_assert(roster::key_traits<int>::validate(0).empty());
    static_assert(noexcept(roster::key_traits<std::string>::validate("x")));
    static_assert(roster::validated_key<std::string>);
    CHECK(roster::key_traits<std::string>::validate("").size() > 0);
}

TEST_CASE("key_traits: a user specialisation decides which keys are valid", "[traits]") {
    static_assert(roster::validated_key<user_id>);
    CHECK_FALSE(roster::key_traits<user_id>::validate(user_id{0}).empty());
    CHECK(roster::key_traits<user_id>::validate(user_id{7}).empty());
}

TEST_CASE(
    "key_traits: a registry honours a user specialisation and refuses a reserved key, unchanged",
    "[traits]") {
    roster::basic_registry<user_id, int> ids{"ids"};
    REQUIRE(ids.add(user_id{7}, 70));

    CHECK_THROWS_AS(ids.add(user_id{0}, 1), roster::invalid_key_error);
    CHECK(ids.size() == 1);
    CHECK_FALSE(ids.contains(user_id{0}));
    CHECK(ids.get(user_id{7}) == 70);

    const auto refused = ids.try_add(user_id{0}, 2);
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::invalid_key);
    CHECK(refused.error().message.find("id 0 is reserved") != std::string::npos);
    CHECK(refused.error().message.find("\"ids\"") != std::string::npos);
    CHECK(ids.size() == 1);
    CHECK_FALSE(ids.contains(user_id{0}));
}

TEST_CASE("key_traits: a registry honours a user specialisation and accepts a valid key",
          "[traits]") {
    roster::basic_registry<user_id, int> ids{"ids"};
    const auto added = ids.add(user_id{7}, 70);
    CHECK(added.status() == roster::add_status::added);
    CHECK(ids.get(user_id{7}) == 70);
}

// --- what a registry asks of its Value -------------------------------------------

namespace {
struct not_movable {
    not_movable() = default;
    not_movable(const not_movable&) = delete;
    not_movable& operator=(const not_movable&) = delete;
};
} // namespace

TEST_CASE("registry_value: holds for movable object types, not for const, reference, array or non-movable ones",
          "[traits][concepts]") {
    STATIC_REQUIRE(roster::registry_value<int>);
    STATIC_REQUIRE(roster::registry_value<std::unique_ptr<int>>);
    STATIC_REQUIRE(roster::registry_value<std::function<void()>>);
    STATIC_REQUIRE_FALSE(roster::registry_value<const int>);
    STATIC_REQUIRE_FALSE(roster::registry_value<int&>);
    STATIC_REQUIRE_FALSE(roster::registry_value<int[3]>);
    STATIC_REQUIRE_FALSE(roster::registry_value<void()>);
    STATIC_REQUIRE_FALSE(roster::registry_value<not_movable>);
}
