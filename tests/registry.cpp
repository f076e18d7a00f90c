// Tests for roster/registry.hpp: the core registry, its policies, handles,
// lifecycle, messages, heterogeneous lookup and concurrency ([concurrency]
// cases are the ones the ThreadSanitizer build runs).
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/registry.hpp"
#include "roster/ordered.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Allocation counting: support/allocations.cpp replaces the global operator
// new for this test binary; only allocations made on a thread while its
// counter is armed are counted.
using roster_test::allocation_counter;

// ---------------------------------------------------------------------------
namespace {

using int_registry = roster::registry<int>;

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string line_text(unsigned line) { return fmt::format(":{}", line); }

struct codec {
    virtual ~codec() = default;
    virtual std::string encode(std::string_view in) const = 0;
};
struct upper_codec final : codec {
    std::string encode(std::string_view in) const override {
        std::string out(in);
        for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        return out;
    }
};

/// Counts copies, to prove that visit() does not copy.
struct copy_counter {
    static inline int copies = 0;
    int value = 0;
    explicit copy_counter(int v) : value(v) {}
    copy_counter(const copy_counter& other) : value(other.value) { ++copies; }
    copy_counter(copy_counter&&) noexcept = default;
    copy_counter& operator=(const copy_counter&) = default;
    copy_counter& operator=(copy_counter&&) noexcept = default;
};

/// A key fmt cannot format.
struct opaque_key {
    int id = 0;
    friend bool operator==(const opaque_key&, const opaque_key&) = default;
};
struct opaque_hash {
    std::size_t operator()(const opaque_key& k) const noexcept { return std::hash<int>{}(k.id); }
};

/// A value whose operator== throws on demand (for exception safety).
struct moody {
    int value = 0;
    static inline bool throw_on_compare = false;
    friend bool operator==(const moody& a, const moody& b) {
        if (throw_on_compare) throw std::runtime_error("moody comparison");
        return a.value == b.value;
    }
};

} // namespace

template <>
struct std::hash<opaque_key> : opaque_hash {};

// ===========================================================================
// Adding and looking up

TEST_CASE("registry: an added value can be looked up by std::string, std::string_view and const char*",
          "[registry]") {
    int_registry reg{"numbers"};
    reg.add("one", 1);
    const std::string key = "one";
    const std::string_view view = "one";
    const char* pointer = "one";
    CHECK(reg.get(key) == 1);
    CHECK(reg.get(view) == 1);
    CHECK(reg.get(pointer) == 1);
    CHECK(reg.get("two") == std::nullopt);
    CHECK(reg.contains("one"));
    CHECK_FALSE(reg.contains("two"));
    CHECK(reg.at("one") == 1);
}

TEST_CASE("registry: size, empty, name and names() describe the registry and names() is a sorted copy",
          "[registry]") {
    int_registry reg{"letters"};
    CHECK(reg.empty());
    CHECK(reg.size() == 0);
    CHECK(reg.name() == "letters");
    reg.add("charlie", 3);
    reg.add("alpha", 1);
    reg.add("bravo", 2);
    CHECK_FALSE(reg.empty());
    CHECK(reg.size() == 3);
    std::vector<std::string> names = reg.names();
    CHECK(names == std::vector<std::string>{"alpha", "bravo", "charlie"});
    names.clear(); // a copy: the registry is untouched
    CHECK(reg.size() == 3);
}

TEST_CASE("registry: a default-constructed registry is named after its key and value types", "[registry]") {
    roster::basic_registry<int, double> reg;
    CHECK(contains_text(reg.name(), "int"));
    CHECK(contains_text(reg.name(), "double"));
}

TEST_CASE("registry: every entry records the source location of the add call", "[registry]") {
    int_registry reg{"located"};
    const unsigned line = __LINE__ + 1;
    reg.add("here", 1);
    const auto where = reg.location("here");
    REQUIRE(where.has_value());
    CHECK(where->line() == line);
    CHECK(contains_text(where->file_name(), "registry.cpp"));
    CHECK_FALSE(reg.location("elsewhere").has_value());
}

TEST_CASE("registry: visit reads the value in place without copying it", "[registry]") {
    roster::registry<copy_counter> reg{"counted"};
    reg.add("seven", copy_counter{7});
    copy_counter::copies = 0;
    const auto doubled = reg.visit("seven", [](const copy_counter& c) { return c.value * 2; });
    CHECK(doubled == 14);
    bool seen = false;
    CHECK(reg.visit("seven", [&](const copy_counter& c) { seen = (c.value == 7); }));
    CHECK(seen);
    CHECK(copy_counter::copies == 0);
    CHECK_FALSE(reg.visit("eight", [](const copy_counter& c) { return c.value; }).has_value());
    CHECK_FALSE(reg.visit("eight", [](const copy_counter&) {}));
}

TEST_CASE("registry: for_each visits every entry, with its source location when asked", "[registry]") {
    int_registry reg{"sum"};
    reg.add("a", 1);
    reg.add("b", 2);
    reg.add("c", 3);
    int sum = 0;
    reg.for_each([&](const std::string&, int v) { sum += v; });
    CHECK(sum == 6);
    int located = 0;
    reg.for_each([&](const std::string&, int, const roster::source_location& where) {
        if (contains_text(where.file_name(), "registry.cpp")) ++located;
    });
    CHECK(located == 3);
}

TEST_CASE("registry: keys of any hashable type work, and fmt-formattable keys appear in messages", "[registry]") {
    roster::basic_registry<int, std::string> reg{"by-id"};
    reg.add(42, "answer");
    CHECK(reg.get(42) == "answer");
    const auto miss = reg.try_at(41);
    REQUIRE_FALSE(miss);
    CHECK(contains_text(miss.error().message, "no entry for key 41"));
    CHECK(contains_text(miss.error().message, "nearest: 42"));
}

TEST_CASE("registry: a key fmt cannot format is named by its type in messages", "[registry]") {
    roster::basic_registry<opaque_key, int> reg{"opaque"};
    reg.add(opaque_key{1}, 1);
    const auto dup = reg.try_add(opaque_key{1}, 2);
    REQUIRE(dup.status() == roster::add_status::refused);
    CHECK(contains_text(dup.error().message, "<key of type"));
    CHECK(contains_text(dup.error().message, "opaque_key"));
}

TEST_CASE("registry: move-only values can be added, visited and removed", "[registry]") {
    roster::registry<std::unique_ptr<codec>> reg{"owned"};
    reg.add("upper", std::make_unique<upper_codec>());
    CHECK(reg.visit("upper", [](const std::unique_ptr<codec>& c) { return c->encode("abc"); }) == "ABC");
    const auto dup = reg.try_add("upper", std::make_unique<upper_codec>());
    REQUIRE(dup.status() == roster::add_status::refused);
    REQUIRE(dup.existing().has_value());
    CHECK_FALSE(dup.existing()->value.has_value()); // cannot copy a unique_ptr
    std::unique_ptr<codec> removed = reg.remove("upper");
    REQUIRE(removed != nullptr);
    CHECK(removed->encode("x") == "X");
    CHECK(reg.empty());
}

// ===========================================================================
// Duplicate policies

TEST_CASE("on_duplicate::throw_error: a duplicate throws a message naming the registry, the key and both "
          "source locations, and the first entry stays",
          "[registry][duplicates]") {
    int_registry reg{"codecs"};
    const unsigned first_line = __LINE__ + 1;
    reg.add("gzip", 1);
    unsigned second_line = 0;
    std::string message;
    try {
        second_line = __LINE__ + 1;
        reg.add("gzip", 2);
    } catch (const roster::duplicate_key_error& e) {
        message = e.what();
        CHECK(e.code() == roster::errc::duplicate_key);
    }
    CHECK(contains_text(message, "registry \"codecs\""));
    CHECK(contains_text(message, "\"gzip\""));
    CHECK(contains_text(message, line_text(first_line)));
    CHECK(contains_text(message, line_text(second_line)));
    CHECK(reg.get("gzip") == 1);
    CHECK(reg.size() == 1);
}

TEST_CASE("try_add: a duplicate returns the existing entry and where it was added, so get-or-add is one call",
          "[registry][duplicates]") {
    roster::registry<std::shared_ptr<codec>> reg{"codecs"};
    const auto original = std::make_shared<upper_codec>();
    const unsigned line = __LINE__ + 1;
    reg.add("upper", original);

    const auto candidate = std::make_shared<upper_codec>();
    auto outcome = reg.try_add("upper", candidate);
    REQUIRE(outcome.status() == roster::add_status::refused);
    CHECK_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::duplicate_key);
    REQUIRE(outcome.existing().has_value());
    CHECK(outcome.existing()->where.line() == line);
    const std::shared_ptr<codec> in_use = outcome ? candidate : *outcome.existing()->value;
    CHECK(in_use == original);
    CHECK_FALSE(outcome.handle().active());
}

TEST_CASE("on_duplicate::return_error: add returns a duplicate instead of throwing, but still throws other errors",
          "[registry][duplicates]") {
    roster::registry<int, roster::on_duplicate::return_error> reg{"soft"};
    reg.add("x", 1);
    auto outcome = reg.add("x", 2);
    CHECK(outcome.status() == roster::add_status::refused);
    CHECK(outcome.error().code == roster::errc::duplicate_key);
    REQUIRE(outcome.existing().has_value());
    CHECK(outcome.existing()->value == 1);
    CHECK(reg.get("x") == 1);
    CHECK_THROWS_AS(reg.add("", 3), roster::invalid_key_error);
}

TEST_CASE("on_duplicate::replace: the last value wins and the replacement is reported with the previous entry",
          "[registry][duplicates]") {
    roster::registry<int, roster::on_duplicate::replace> reg{"last-wins"};
    const unsigned first_line = __LINE__ + 1;
    auto first = reg.add("x", 1).handle();
    const unsigned second_line = __LINE__ + 1;
    auto outcome = reg.add("x", 2);
    CHECK(outcome.status() == roster::add_status::replaced);
    CHECK(outcome);
    REQUIRE(outcome.existing().has_value());
    CHECK(outcome.existing()->value == 1);
    CHECK(outcome.existing()->where.line() == first_line);
    CHECK(reg.get("x") == 2);
    CHECK(reg.location("x")->line() == second_line);
    CHECK(reg.size() == 1);
    // The first handle no longer owns the entry: it must not remove the replacement.
    CHECK_FALSE(first.remove());
    CHECK(reg.get("x") == 2);
    CHECK(outcome.handle().remove());
    CHECK_FALSE(reg.contains("x"));
}

TEST_CASE("on_duplicate::keep_first: the first value stays and the ignored duplicate is reported",
          "[registry][duplicates]") {
    roster::registry<int, roster::on_duplicate::keep_first> reg{"first-wins"};
    reg.add("x", 1);
    auto outcome = reg.add("x", 2);
    CHECK(outcome.status() == roster::add_status::kept_existing);
    CHECK_FALSE(outcome);
    REQUIRE(outcome.existing().has_value());
    CHECK(outcome.existing()->value == 1);
    CHECK(reg.get("x") == 1);
}

TEST_CASE("on_duplicate::accept_if_equal: an equal duplicate is accepted, a different one refused",
          "[registry][duplicates]") {
    roster::registry<std::string, roster::on_duplicate::accept_if_equal> reg{"same-or-fail"};
    reg.add("greeting", "hello");
    auto same = reg.add("greeting", "hello");
    CHECK(same.status() == roster::add_status::kept_existing);
    CHECK_THROWS_AS(reg.add("greeting", "bonjour"), roster::duplicate_key_error);
    CHECK(reg.get("greeting") == "hello");
    CHECK(reg.size() == 1);
}

TEST_CASE("on_duplicate::accept_if_equal: a throwing operator== leaves the registry unchanged and unlocked",
          "[registry][duplicates][exception-safety]") {
    roster::registry<moody, roster::on_duplicate::accept_if_equal> reg{"moody"};
    reg.add("m", moody{1});
    moody::throw_on_compare = true;
    CHECK_THROWS_AS(reg.add("m", moody{1}), std::runtime_error);
    moody::throw_on_compare = false;
    CHECK(reg.size() == 1);
    CHECK(reg.get("m")->value == 1);
    reg.add("n", moody{2}); // would deadlock if the lock had been left held
    CHECK(reg.size() == 2);
}

// ===========================================================================
// Nulls and keys

TEST_CASE("on_null::reject: a null smart pointer is refused and the registry stays as it was", "[registry][null]") {
    roster::registry<std::shared_ptr<codec>> reg{"codecs"};
    CHECK_THROWS_AS(reg.add("none", nullptr), roster::null_value_error);
    const std::shared_ptr<upper_codec> null_derived;
    const auto outcome = reg.try_add("typed-null", null_derived);
    REQUIRE(outcome.status() == roster::add_status::refused);
    CHECK(outcome.error().code == roster::errc::null_value);
    CHECK(contains_text(outcome.error().message, "\"typed-null\""));
    CHECK(contains_text(outcome.error().message, "registry \"codecs\""));
    CHECK(reg.empty());
}

TEST_CASE("on_null::reject: an empty std::function and a null function pointer are refused", "[registry][null]") {
    roster::registry<std::function<int()>> functions{"functions"};
    int (*null_fn)() = nullptr;
    CHECK_THROWS_AS(functions.add("empty", std::function<int()>{}), roster::null_value_error);
    CHECK_THROWS_AS(functions.add("from-null-pointer", null_fn), roster::null_value_error);
    CHECK(functions.empty());

    roster::registry<int (*)()> pointers{"pointers"};
    CHECK_THROWS_AS(pointers.add("null", nullptr), roster::null_value_error);
    CHECK(pointers.empty());
}

TEST_CASE("on_null::allow: null values are stored like any other", "[registry][null]") {
    roster::registry<std::shared_ptr<codec>, roster::on_null::allow> reg{"nullable"};
    reg.add("none", nullptr);
    CHECK(reg.contains("none"));
    CHECK(reg.get("none") == std::shared_ptr<codec>{});
}

TEST_CASE("registry: empty keys and keys with control characters are refused, registry unchanged",
          "[registry][keys]") {
    int_registry reg{"keys"};
    reg.add("fine", 1);
    CHECK_THROWS_AS(reg.add("", 1), roster::invalid_key_error);
    const auto outcome = reg.try_add("bad\nkey", 1);
    REQUIRE(outcome.status() == roster::add_status::refused);
    CHECK(outcome.error().code == roster::errc::invalid_key);
    CHECK(contains_text(outcome.error().message, "control character"));
    CHECK(contains_text(outcome.error().message, "\"bad\\nkey\"")); // escaped in the message
    CHECK(reg.names() == std::vector<std::string>{"fine"});
}

// ===========================================================================
// Misses

TEST_CASE("registry: a miss names the registry, the key, the lookup site and the nearest registered names",
          "[registry][miss]") {
    int_registry reg{"codecs"};
    for (const char* name : {"gzip", "zstd", "brotli", "lz4", "snappy"}) reg.add(name, 1);
    std::string message;
    const unsigned line = __LINE__ + 2;
    try {
        (void)reg.at("gzp");
    } catch (const roster::not_found_error& e) {
        message = e.what();
    }
    CHECK(contains_text(message, "registry \"codecs\""));
    CHECK(contains_text(message, "\"gzp\""));
    CHECK(contains_text(message, line_text(line)));
    CHECK(contains_text(message, "5 registered, nearest: \"gzip\""));
    CHECK_FALSE(contains_text(message, "snappy")); // only the three nearest
}

TEST_CASE("registry: the nearest-name search of a miss does bounded work, however long the keys",
          "[registry][miss]") {
    // A 40 KB key missing against a 40 KB key once took seconds under the
    // read lock (a full edit distance); the search compares the first 256
    // bytes within a band of 16.
    using limits = roster::detail::nearest_limits;
    const std::string long_key(40000, 'a');
    std::string other = long_key;
    other.back() = 'b';
    roster::detail::nearest_names nearest(long_key);
    nearest.offer(other);
    nearest.offer(std::string(40000, 'z'));
    CHECK(nearest.cells() <= 2 * limits::compared_bytes * (2 * limits::max_distance + 1));
    // Equal over the compared bytes: the nearest, named in full (escaped).
    CHECK(contains_text(nearest.suffix(), "2 registered, nearest: \"aaaa"));

    // Many keys: at most compared_keys are compared, all are counted.
    roster::detail::nearest_names many("key-5");
    for (int i = 0; i < 20000; ++i) many.offer("key-" + std::to_string(i));
    CHECK(many.cells() <= limits::compared_keys * limits::compared_bytes * (2 * limits::max_distance + 1));
    CHECK(contains_text(many.suffix(), "20000 registered, nearest: \"key-5\""));
}

TEST_CASE("registry: near names are found within the distance bound and far ones rank after them, alphabetically",
          "[registry][miss]") {
    std::size_t cells = 0;
    CHECK(roster::detail::edit_distance<std::string_view>("kitten", "sitting", cells) == 3);
    CHECK(roster::detail::edit_distance<std::string_view>("", "abc", cells) == 3);
    CHECK(roster::detail::edit_distance<std::string_view>("flaw", "lawn", cells) == 2);
    CHECK(roster::detail::edit_distance<std::string_view>("abc", "abc", cells) == 0);
    const std::size_t far = roster::detail::nearest_limits::max_distance + 1;
    CHECK(roster::detail::edit_distance<std::string_view>("a", std::string(30, 'b'), cells) == far);
    CHECK(roster::detail::edit_distance<std::string_view>(std::string(20, 'a'), std::string(20, 'b'), cells) == far);
    CHECK(roster::detail::edit_distance<std::string_view>(std::string(17, 'a'), std::string(16, 'b'), cells) == far);
    CHECK(roster::detail::edit_distance<std::string_view>(std::string(16, 'a'), std::string(16, 'b'), cells) == 16);

    int_registry reg{"far"};
    for (const char* name : {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "gzip"}) reg.add(name, 1);
    const auto outcome = reg.try_at("gzipp");
    REQUIRE_FALSE(outcome);
    CHECK(contains_text(outcome.error().message,
                        "3 registered, nearest: \"gzip\", \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\", "
                        "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\""));
}

TEST_CASE("registry: messages quote the registry's name and the key with escapes, so a name cannot forge a line",
          "[registry][messages]") {
    int_registry reg{"evil\nname \"x\" \\ \xe2\x80\xae"}; // a line feed, quotes, a backslash, U+202E (bidi override)
    reg.add("k", 1);
    const auto refused = reg.try_add("k", 2);
    REQUIRE_FALSE(refused);
    const std::string& message = refused.error().message;
    CHECK(contains_text(message, R"(roster: registry "evil\nname \"x\" \\ \u{202e}": duplicate key "k")"));
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("registry: distinct keys always read differently in messages and reports (the escaping is injective)",
          "[registry][messages]") {
    // {fmt}'s {:?} showed the invalid byte 0x85 and the code point U+0085 both as \x85.
    using roster::detail::describe_key;
    CHECK(describe_key(std::string("\x85")) == R"("\x85")");
    CHECK(describe_key(std::string("\xc2\x85")) == R"("\u{85}")");
    CHECK(describe_key(std::string("\\x85")) == R"("\\x85")");
    CHECK(describe_key(std::string("caf\xc3\xa9 \t\x01\x7f")) == "\"caf\xc3\xa9 \\t\\x01\\x7f\"");
    CHECK(describe_key(std::string("\xef\xbb\xbf\xe2\x80\x8b")) == R"("\u{feff}\u{200b}")");
    int_registry reg{"injective"};
    for (const char* key : {"\x85", "\xc2\x85", "\\x85"}) reg.add(key, 1);
    std::vector<std::string> shown;
    for (const auto& entry : reg.report().entries) shown.push_back(entry.key);
    std::sort(shown.begin(), shown.end());
    CHECK(std::adjacent_find(shown.begin(), shown.end()) == shown.end());
    CHECK(shown.size() == 3);
}

TEST_CASE("registry: a miss in an empty registry says the registry is empty", "[registry][miss]") {
    const int_registry reg{"nothing"};
    const auto outcome = reg.try_at("anything");
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::not_found);
    CHECK(contains_text(outcome.error().message, "the registry is empty"));
    CHECK_THROWS_AS(outcome.value(), roster::not_found_error);
}

// ===========================================================================
// Removal and handles

TEST_CASE("registry: remove by key returns the value; an unknown key is a not_found error", "[registry][remove]") {
    int_registry reg{"removable"};
    reg.add("a", 1);
    CHECK(reg.remove("a") == 1);
    CHECK_FALSE(reg.contains("a"));
    CHECK_THROWS_AS(reg.remove("a"), roster::not_found_error);
    const auto outcome = reg.try_remove("a");
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == roster::errc::not_found);
}

TEST_CASE("registration: a handle removes exactly the entry it added and never a later re-registration",
          "[registry][handle]") {
    int_registry reg{"handles"};
    auto first = reg.add("k", 1).handle();
    REQUIRE(first.active());
    CHECK(first.key() == "k");
    CHECK(reg.remove("k") == 1);
    reg.add("k", 2); // re-registration under the same key
    CHECK_FALSE(first.remove());
    CHECK(reg.get("k") == 2);

    auto second = reg.try_add("other", 3).handle();
    CHECK(second.remove());
    CHECK_FALSE(second.active());
    CHECK_FALSE(reg.contains("other"));
    CHECK_FALSE(second.remove()); // a second call is harmless
}

TEST_CASE("registration: handles are move-only and destroying one does not remove its entry", "[registry][handle]") {
    static_assert(!std::is_copy_constructible_v<int_registry::registration>);
    static_assert(!std::is_copy_assignable_v<int_registry::registration>);
    static_assert(std::is_nothrow_move_constructible_v<int_registry::registration>);
    int_registry reg{"handles"};
    { auto handle = reg.add("kept", 1).handle(); }
    CHECK(reg.contains("kept"));

    auto moved_from = reg.add("moved", 2).handle();
    auto moved_to = std::move(moved_from);
    CHECK_FALSE(moved_from.active()); // NOLINT(bugprone-use-after-move): checking the moved-from state
    CHECK(moved_to.active());
    CHECK(moved_to.remove());
    CHECK_FALSE(reg.contains("moved"));

    auto released = reg.add("released", 3).handle();
    released.release();
    CHECK_FALSE(released.remove());
    CHECK(reg.contains("released"));
}

TEST_CASE("scoped_registration: removes its entry when destroyed", "[registry][handle]") {
    int_registry reg{"scoped"};
    roster::basic_registry<int, int> other{"other"};
    {
        std::vector<roster::scoped_registration> plugin;
        plugin.emplace_back(reg.add("plugin.a", 1).handle());
        plugin.emplace_back(other.add(7, 7).handle()); // any registry type
        CHECK(plugin.front().active());
        CHECK(reg.contains("plugin.a"));
        CHECK(other.contains(7));
    }
    CHECK_FALSE(reg.contains("plugin.a"));
    CHECK_FALSE(other.contains(7));

    roster::scoped_registration kept = reg.add("kept", 2).handle();
    kept.release();
    CHECK(reg.contains("kept"));
}

TEST_CASE("registry: removed and replaced values are destroyed outside the lock, so their destructor may read "
          "the registry",
          "[registry][remove]") {
    using registry_t = roster::registry<std::shared_ptr<int>, roster::on_duplicate::replace>;
    registry_t reg{"reentrant"};
    std::size_t seen_size = 99;
    auto make = [&](int v) {
        return std::shared_ptr<int>(new int(v), [&](int* p) {
            seen_size = reg.size(); // would deadlock if called under the write lock
            delete p;
        });
    };
    auto handle = reg.add("a", make(1)).handle();
    { auto replaced = reg.add("a", make(2)); } // the previous value dies with the result
    CHECK(seen_size == 1);
    seen_size = 99;
    CHECK(std::move(reg.add("b", make(3))).handle().remove());
    CHECK(seen_size == 1);
}

// ===========================================================================
// Lifecycle

TEST_CASE("registry: the lifecycle goes empty, populated, frozen", "[registry][lifecycle]") {
    int_registry reg{"life"};
    CHECK(reg.state() == roster::lifecycle::empty);
    reg.add("a", 1);
    CHECK(reg.state() == roster::lifecycle::populated);
    CHECK_FALSE(reg.frozen());
    CHECK_FALSE(reg.frozen_at().has_value());
    reg.freeze();
    CHECK(reg.state() == roster::lifecycle::frozen);
    CHECK(std::string(roster::to_string(reg.state())) == "frozen");
}

TEST_CASE("registry: after freeze every mutation is refused with the freeze site, and reads still work",
          "[registry][lifecycle]") {
    int_registry reg{"frozen"};
    auto handle = reg.add("a", 1).handle();
    const unsigned freeze_line = __LINE__ + 1;
    reg.freeze();
    reg.freeze(); // idempotent: the first site is kept
    REQUIRE(reg.frozen_at().has_value());
    CHECK(reg.frozen_at()->line() == freeze_line);

    std::string message;
    try {
        reg.add("b", 2);
    } catch (const roster::frozen_error& e) {
        message = e.what();
    }
    CHECK(contains_text(message, "registry \"frozen\""));
    CHECK(contains_text(message, "\"b\""));
    CHECK(contains_text(message, line_text(freeze_line)));

    CHECK(reg.try_add("b", 2).error().code == roster::errc::frozen);
    CHECK_THROWS_AS(reg.remove("a"), roster::frozen_error);
    CHECK(reg.try_remove("a").error().code == roster::errc::frozen);
    CHECK_THROWS_AS(handle.remove(), roster::frozen_error);
    CHECK(handle.active()); // refused, so the handle still owns the entry
    CHECK(reg.get("a") == 1);
    CHECK(reg.names() == std::vector<std::string>{"a"});
    CHECK(reg.size() == 1);
}

TEST_CASE("locking::none: a single-threaded registry behaves the same", "[registry][lifecycle]") {
    roster::registry<int, roster::locking::none> reg{"unlocked"};
    reg.add("a", 1);
    CHECK_THROWS_AS(reg.add("a", 2), roster::duplicate_key_error);
    reg.freeze();
    CHECK_THROWS_AS(reg.add("b", 2), roster::frozen_error);
    CHECK(reg.get("a") == 1);
}

// ===========================================================================
// Heterogeneous lookup allocates nothing

TEST_CASE("registry: lookups by std::string_view and const char* allocate nothing", "[registry][allocation]") {
    int_registry reg{"allocation"};
    const char* long_key = "a.key.well.beyond.the.small.string.buffer";
    reg.add(long_key, 1);
    reg.add("another.long.key.beyond.the.small.buffer", 2);
    const std::string_view view = long_key;
    int found = 0;
    std::size_t counted = 0;
    {
        const allocation_counter counter;
        found += reg.get(view).value_or(0);
        found += reg.get(long_key).value_or(0);
        found += reg.contains(view) ? 1 : 0;
        found += reg.contains(long_key) ? 1 : 0;
        found += reg.visit(long_key, [](int v) { return v; }).value_or(0);
        found += reg.get("missing.key.also.beyond.the.small.buffer").value_or(0);
        counted = counter.count();
    }
    CHECK(found == 5);
    CHECK(counted == 0);

    // The counter does see allocations: a temporary std::string does allocate.
    std::size_t baseline = 0;
    {
        const allocation_counter counter;
        found += reg.get(std::string(long_key)).value_or(0);
        baseline = counter.count();
    }
    CHECK(baseline > 0);
}

TEST_CASE("registry: a frozen registry is read without allocating", "[registry][allocation]") {
    int_registry reg{"frozen-allocation"};
    reg.add("a.key.well.beyond.the.small.string.buffer", 1);
    reg.freeze();
    std::size_t counted = 0;
    int found = 0;
    {
        const allocation_counter counter;
        found = reg.get("a.key.well.beyond.the.small.string.buffer").value_or(0);
        counted = counter.count();
    }
    CHECK(found == 1);
    CHECK(counted == 0);
}

// ===========================================================================
// The five invariants (docs/registry.md, "The five invariants")

TEST_CASE("invariant 1: at most one entry per key; a duplicate never appends", "[registry][invariants]") {
    roster::registry<int, roster::on_duplicate::keep_first> keep{"keep"};
    roster::registry<int, roster::on_duplicate::replace> replace{"replace"};
    int_registry strict{"strict"};
    for (int i = 0; i < 3; ++i) {
        keep.add("k", i);
        replace.add("k", i);
        (void)strict.try_add("k", i);
    }
    CHECK(keep.size() == 1);
    CHECK(replace.size() == 1);
    CHECK(strict.size() == 1);
    CHECK(keep.names().size() == 1);
}

TEST_CASE("invariant 2: no null value ever enters the registry", "[registry][invariants]") {
    roster::registry<codec*> reg{"raw"};
    upper_codec real;
    reg.add("real", &real);
    codec* null_codec = static_cast<upper_codec*>(nullptr); // the typed-null trap
    CHECK_THROWS_AS(reg.add("typed-null", null_codec), roster::null_value_error);
    bool any_null = false;
    reg.for_each([&](const std::string&, codec* c) { any_null = any_null || c == nullptr; });
    CHECK_FALSE(any_null);
    CHECK(reg.size() == 1);
}

TEST_CASE("invariant 3: consumers never get mutable access to the stored entries", "[registry][invariants]") {
    static_assert(std::is_same_v<decltype(std::declval<const int_registry&>().get("k")), std::optional<int>>);
    static_assert(std::is_same_v<decltype(std::declval<const int_registry&>().names()), std::vector<std::string>>);
    int_registry reg{"sealed"};
    reg.add("k", 1);
    auto copy = reg.get("k");
    *copy = 2;
    auto names = reg.names();
    names.emplace_back("intruder");
    CHECK(reg.get("k") == 1);
    CHECK(reg.size() == 1);
    // visit hands out a const reference only.
    reg.visit("k", [](auto& value) { static_assert(std::is_const_v<std::remove_reference_t<decltype(value)>>); });
}

namespace {
int_registry& static_init_registry() {
    static int_registry reg{"static-init"};
    return reg;
}
const bool static_registration = [] {
    static_init_registry().add("registered-before-main", 1);
    return true;
}();
} // namespace

TEST_CASE("invariant 4: registrations made by static initialisers are complete before main reads them",
          "[registry][invariants]") {
    CHECK(static_registration);
    CHECK(static_init_registry().get("registered-before-main") == 1);
}

TEST_CASE("invariant 5: every read and write is synchronised (readers and writers race under TSan)",
          "[registry][invariants][concurrency]") {
    int_registry reg{"raced"};
    std::atomic<bool> stop{false};
    std::atomic<long> hits{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                if (reg.get("k0")) hits.fetch_add(1, std::memory_order_relaxed);
                (void)reg.contains("k1");
                (void)reg.visit("k2", [](int v) { return v + 1; });
                (void)reg.names();
                (void)reg.size();
                reg.for_each([](const std::string&, int) {});
            }
        });
    }
    for (int round = 0; round < 200; ++round) {
        for (int k = 0; k < 4; ++k) reg.add(fmt::format("k{}", k), round);
        for (int k = 0; k < 4; ++k) (void)reg.remove(fmt::format("k{}", k));
    }
    stop.store(true);
    for (auto& t : readers) t.join();
    CHECK(reg.empty());
    CHECK(hits.load() >= 0);
}

// ===========================================================================
// Concurrency

TEST_CASE("registry: concurrent writers of distinct keys and concurrent readers all see a consistent registry",
          "[registry][concurrency]") {
    int_registry reg{"busy"};
    constexpr int writers = 4;
    constexpr int per_writer = 250;
    std::atomic<bool> done{false};
    std::atomic<int> bad_reads{0};
    std::thread reader([&] {
        while (!done.load(std::memory_order_acquire)) {
            const auto names = reg.names();
            for (const auto& name : names) {
                // Each value equals its key's number; a removed key just misses.
                const auto value = reg.get(name);
                if (value && fmt::format("w{}", *value / per_writer) + fmt::format(".{}", *value % per_writer) != name)
                    bad_reads.fetch_add(1);
            }
        }
    });
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            for (int i = 0; i < per_writer; ++i) reg.add(fmt::format("w{}.{}", w, i), w * per_writer + i);
        });
    }
    for (auto& t : threads) t.join();
    done.store(true, std::memory_order_release);
    reader.join();
    CHECK(bad_reads.load() == 0);
    CHECK(reg.size() == static_cast<std::size_t>(writers * per_writer));
}

TEST_CASE("registry: when many threads try_add one key, exactly one adds and the others see its entry",
          "[registry][concurrency]") {
    int_registry reg{"race-to-add"};
    constexpr int contenders = 8;
    std::barrier start(contenders);
    std::atomic<int> added{0};
    std::atomic<int> refused_with_existing{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < contenders; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            auto outcome = reg.try_add("only", t);
            if (outcome) added.fetch_add(1);
            else if (outcome.existing() && outcome.existing()->value == reg.get("only")) refused_with_existing.fetch_add(1);
        });
    }
    for (auto& t : threads) t.join();
    CHECK(added.load() == 1);
    CHECK(refused_with_existing.load() == contenders - 1);
}

TEST_CASE("registry: a value being visited stays alive while another thread removes its entry",
          "[registry][concurrency]") {
    roster::registry<std::shared_ptr<std::string>> reg{"visited"};
    reg.add("v", std::make_shared<std::string>("alive"));
    std::atomic<bool> inside{false};
    std::atomic<bool> removed{false};
    std::string seen_after_remove_started;
    std::thread visitor([&] {
        reg.visit("v", [&](const std::shared_ptr<std::string>& s) {
            inside.store(true);
            // Give the remover time to block on the lock; the value must stay intact.
            for (int i = 0; i < 50 && !removed.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            seen_after_remove_started = *s;
        });
    });
    while (!inside.load()) std::this_thread::yield();
    std::thread remover([&] {
        (void)reg.remove("v");
        removed.store(true);
    });
    visitor.join();
    remover.join();
    CHECK(seen_after_remove_started == "alive");
    CHECK_FALSE(reg.contains("v"));
}

TEST_CASE("registry: freezing while readers read is safe, and frozen reads need no lock", "[registry][concurrency]") {
    int_registry reg{"freezing"};
    for (int i = 0; i < 64; ++i) reg.add(fmt::format("k{}", i), i);
    std::atomic<bool> stop{false};
    std::atomic<long> sum{0};
    std::atomic<long> wrong{0}; // a lookup that missed or found another value (before, during or after the
                                // frozen read table is built)
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            long local = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                for (int i = 0; i < 64; i += 7) {
                    const int found = reg.get(fmt::format("k{}", i)).value_or(-1);
                    if (found != i) wrong.fetch_add(1);
                    local += found;
                }
            }
            sum.fetch_add(local);
        });
    }
    reg.freeze();
    CHECK_THROWS_AS(reg.add("late", 1), roster::frozen_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.store(true);
    for (auto& t : readers) t.join();
    CHECK(sum.load() > 0);
    CHECK(wrong.load() == 0);
    CHECK(reg.size() == 64);
}

TEST_CASE("registration: racing removals through a handle and by key remove the entry exactly once",
          "[registry][concurrency]") {
    for (int round = 0; round < 50; ++round) {
        int_registry reg{"racing-removal"};
        auto handle = reg.add("k", round).handle();
        std::atomic<int> removals{0};
        std::thread by_handle([&] {
            if (handle.remove()) removals.fetch_add(1);
        });
        std::thread by_key([&] {
            if (reg.try_remove("k")) removals.fetch_add(1);
        });
        by_handle.join();
        by_key.join();
        CHECK(removals.load() == 1);
        CHECK(reg.empty());
    }
}

// ===========================================================================
// Storage and copies

TEST_CASE("storage::ordered: for_each visits entries in key order and lookups stay heterogeneous",
          "[registry][storage]") {
    roster::registry<int, roster::storage::ordered> reg{"ordered"};
    for (const char* name : {"delta", "alpha", "charlie", "bravo"})
        reg.add(name, static_cast<int>(std::string_view(name).size()));
    std::vector<std::string> seen;
    reg.for_each([&](const std::string& key, int) { seen.push_back(key); });
    CHECK(seen == std::vector<std::string>{"alpha", "bravo", "charlie", "delta"});
    const std::string_view view = "charlie";
    CHECK(reg.get(view) == 7);
    CHECK_THROWS_AS(reg.add("alpha", 0), roster::duplicate_key_error);
    CHECK(reg.remove("alpha") == 5);
    const auto miss = reg.try_at("alpah");
    REQUIRE_FALSE(miss);
    CHECK(contains_text(miss.error().message, "3 registered")); // alpha is gone
    CHECK(reg.size() == 3);
}

TEST_CASE("registry: a named copy holds the same entries and locations but is independent of the original",
          "[registry][copy]") {
    int_registry original{"original"};
    const unsigned line = __LINE__ + 1;
    auto handle = original.add("a", 1).handle();
    original.add("b", 2);
    original.freeze();

    int_registry copy{original, "copy"};
    CHECK(copy.name() == "copy");
    CHECK(copy.names() == original.names());
    CHECK(copy.location("a")->line() == line);
    CHECK_FALSE(copy.frozen());
    copy.add("c", 3); // the copy is mutable
    CHECK(copy.remove("a") == 1);
    CHECK(original.get("a") == 1);
    CHECK_FALSE(original.contains("c"));
}

TEST_CASE("on_null: a refused value's message carries the policy's reason", "[registry][null]") {
    roster::registry<std::shared_ptr<int>> reg{"reasons"};
    const auto outcome = reg.try_add("p", nullptr);
    REQUIRE(outcome.status() == roster::add_status::refused);
    CHECK(contains_text(outcome.error().message, "the value is null"));
    CHECK(contains_text(outcome.error().message, "std::shared_ptr<int>"));
}

TEST_CASE("locking::sharded: readers and writers race safely and every write is seen (under TSan)",
          "[registry][concurrency]") {
    roster::registry<int, roster::locking::sharded> reg{"sharded"};
    std::atomic<bool> stop{false};
    std::atomic<long> torn{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                // "a" and "b" are always written together with equal values
                // under one registry lock each; a reader sees each whole.
                const auto a = reg.get("a");
                if (a && *a < 0) torn.fetch_add(1);
                (void)reg.visit("b", [](int v) { return v; });
                (void)reg.size();
            }
        });
    }
    for (int round = 0; round < 300; ++round) {
        reg.add("a", round);
        reg.add("b", round);
        CHECK(reg.remove("a") == round);
        CHECK(reg.remove("b") == round);
    }
    reg.add("final", 1);
    stop.store(true);
    for (auto& t : readers) t.join();
    CHECK(torn.load() == 0);
    CHECK(reg.names() == std::vector<std::string>{"final"});
    reg.freeze();
    CHECK_THROWS_AS(reg.add("late", 2), roster::frozen_error);
}

// --- entries(): a frozen registry is a range -------------------------------------

TEST_CASE("entries: a frozen registry iterates as [key, value] pairs, each entry once", "[registry][range]") {
    roster::registry<int> reg{"numbers"};
    reg.add("one", 1);
    reg.add("two", 2);
    reg.add("three", 3);
    const auto view = reg.freeze();
    std::vector<std::pair<std::string, int>> seen;
    for (const auto& [key, value] : view) seen.emplace_back(key, value);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::pair<std::string, int>>{{"one", 1}, {"three", 3}, {"two", 2}});
    CHECK(view.size() == 3);
    CHECK_FALSE(view.empty());
}

TEST_CASE("entries: the range models the standard range concepts and works with the ranges algorithms",
          "[registry][range]") {
    using view_type = roster::registry<int>::entries_view;
    STATIC_REQUIRE(std::ranges::forward_range<view_type>);
    STATIC_REQUIRE(std::ranges::sized_range<view_type>);
    STATIC_REQUIRE(std::forward_iterator<view_type::iterator>);
    STATIC_REQUIRE(std::same_as<std::ranges::range_value_t<view_type>, roster::frozen_entry<std::string, int>>);

    roster::registry<int> reg{"numbers"};
    reg.add("a", 10);
    reg.add("b", 20);
    reg.add("c", 30);
    reg.freeze();
    const auto view = reg.entries();
    CHECK(std::ranges::count_if(view, [](const auto& e) { return e.value() >= 20; }) == 2);
    const auto found = std::ranges::find(view, std::string_view("b"), [](const auto& e) { return std::string_view(e.key()); });
    REQUIRE(found != view.end());
    CHECK((*found).value() == 20);
    CHECK(std::ranges::distance(view) == 3);
}

TEST_CASE("entries: each entry gives where it was added", "[registry][range]") {
    roster::registry<int> reg{"numbers"};
    const auto line = __LINE__ + 1;
    reg.add("here", 1);
    for (const auto& entry : reg.freeze()) {
        CHECK(entry.key() == "here");
        CHECK(entry.where().line() == line);
    }
}

TEST_CASE("entries: under storage::ordered the range is in key order", "[registry][range]") {
    roster::basic_registry<int, std::string, roster::storage::ordered> reg{"ordered"};
    for (int k : {5, 1, 4, 2, 3}) reg.add(k, std::to_string(k));
    std::vector<int> keys;
    for (const auto& [key, value] : reg.freeze()) {
        CHECK(value == std::to_string(key));
        keys.push_back(key);
    }
    CHECK(keys == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("entries: a registry that is not frozen refuses to give a range, naming the call site",
          "[registry][range]") {
    roster::registry<int> reg{"unfrozen"};
    reg.add("a", 1);
    const auto line = __LINE__ + 1;
    const auto view = reg.try_entries();
    REQUIRE_FALSE(view);
    CHECK(view.error().code == roster::errc::not_ready);
    const std::string& message = view.error().message;
    CHECK(message.find("registry \"unfrozen\": cannot iterate its entries") != std::string::npos);
    CHECK(message.find("registry.cpp:" + std::to_string(line)) != std::string::npos);
    CHECK(message.find("call freeze() first") != std::string::npos);
    CHECK_THROWS_AS(reg.entries(), roster::not_ready_error);
    reg.freeze();
    CHECK(reg.try_entries());
    CHECK(reg.entries().size() == 1);
}

TEST_CASE("entries: iterating a frozen registry allocates nothing", "[registry][range]") {
    roster::registry<std::string> reg{"strings"};
    for (int i = 0; i < 100; ++i) reg.add("key" + std::to_string(i), std::string(40, 'x'));
    const auto view = reg.freeze();
    std::size_t bytes = 0;
    allocation_counter counter;
    for (const auto& [key, value] : view) bytes += key.size() + value.size();
    CHECK(counter.count() == 0);
    CHECK(bytes > 4000);
}

TEST_CASE("entries: many threads iterate a frozen registry at once", "[registry][range][concurrency]") {
    roster::registry<int> reg{"shared"};
    for (int i = 0; i < 200; ++i) reg.add("k" + std::to_string(i), i);
    reg.freeze();
    std::atomic<long> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            long sum = 0;
            for (int round = 0; round < 50; ++round) {
                for (const auto& [key, value] : reg.entries()) sum += value;
            }
            total += sum;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(total.load() == 4L * 50 * (199 * 200 / 2));
}

// ------------------------------------------------- the frozen read table

namespace {

/// Every key of `keys` and of `misses` answered by `reg` as (found, value, line).
template <class Registry, class Key>
std::vector<std::tuple<bool, int, std::uint_least32_t>> answers(const Registry& reg, const std::vector<Key>& keys,
                                                                 const std::vector<Key>& misses) {
    std::vector<std::tuple<bool, int, std::uint_least32_t>> out;
    for (const std::vector<Key>* list : {&keys, &misses}) {
        for (const Key& k : *list) {
            const auto value = reg.get(k);
            const auto where = reg.location(k);
            const bool visited = reg.visit(k, [](int) {});
            const bool found = reg.contains(k);
            CHECK(value.has_value() == found);
            CHECK(where.has_value() == found);
            CHECK(visited == found);
            CHECK(reg.try_at(k).has_value() == found);
            out.emplace_back(found, value.value_or(-1), where ? where->line() : 0);
        }
    }
    return out;
}

} // namespace

TEST_CASE("registry: once frozen, every lookup answers as before freeze(): each key found with its value and site, "
          "keys one byte away and of every length missed",
          "[registry][freeze]") {
    roster::registry<int> reg{"registry.frozen_table"};
    std::vector<std::string> keys;
    std::vector<std::string> misses;
    for (int i = 0; i < 1500; ++i) {
        const std::size_t length = 1 + static_cast<std::size_t>(i) % 40; // 1..40: both sides of every word boundary
        std::string key = fmt::format("{:0>{}}", i, length);
        if (key.size() > length) key = key.substr(key.size() - length);
        if (reg.contains(key)) continue;
        reg.add(key, i);
        keys.push_back(key);
        std::string near = key;
        near[static_cast<std::size_t>(i) % near.size()] = 'x'; // one byte away, somewhere in the key
        misses.push_back(near);
        misses.push_back(key + "0");
        misses.push_back(key.substr(0, key.size() - 1));
    }
    std::erase_if(misses, [&](const std::string& m) { return m.empty() || std::ranges::find(keys, m) != keys.end(); });
    REQUIRE(keys.size() > 1000);
    const auto before = answers(reg, keys, misses);
    reg.freeze();
    const auto after = answers(reg, keys, misses);
    CHECK(after == before);
    CHECK(std::count_if(after.begin(), after.end(), [](const auto& a) { return std::get<0>(a); }) ==
          static_cast<std::ptrdiff_t>(keys.size()));
}

TEST_CASE("registry: a frozen registry with integer keys finds them all, even keys whose hashes differ only in "
          "their high bits (std::hash<int> is the identity)",
          "[registry][freeze]") {
    roster::basic_registry<long long, int> reg{"registry.frozen_ints"};
    std::vector<long long> keys;
    std::vector<long long> misses;
    for (int i = 0; i < 512; ++i) {
        keys.push_back(static_cast<long long>(i) << 40);
        misses.push_back((static_cast<long long>(i) << 40) + 1);
        reg.add(keys.back(), i);
    }
    const auto before = answers(reg, keys, misses);
    reg.freeze();
    CHECK(answers(reg, keys, misses) == before);
}

TEST_CASE("registry: an empty frozen registry misses every key", "[registry][freeze]") {
    roster::registry<int> reg{"registry.frozen_empty"};
    reg.freeze();
    CHECK_FALSE(reg.contains("a"));
    CHECK_FALSE(reg.get("").has_value());
    CHECK_FALSE(reg.visit("anything at all, longer than a word", [](int) {}));
}
