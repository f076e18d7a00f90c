// Tests for roster/static_registration.hpp: default registries, the override
// guard, ROSTER_REGISTER, pinned definition sites, the census and the link
// anchors. What needs real linking (static libraries, aborts at static init,
// dlopen) is in tests/static_registration/, one program per outcome;
// second_tu.cpp there is a translation unit of this binary.
#include "support/catch.hpp"

#include "roster/factory.hpp"
#include "roster/static_registration.hpp"
#include "roster/versioned.hpp"
#include "static_registration/multi_tu.hpp"

#include <barrier>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

// ---------------------------------------------------------------------------
// Domains and registrations made at static initialisation by this file.

namespace sr_test {

struct numbers {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "sr.numbers";
};

struct unnamed_domain {
    using registry_type = roster::registry<int>;
};

struct concurrent_domain {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "sr.concurrent";
};

/// A domain pinned to one definition site (ROSTER_DEFINE_DEFAULT_REGISTRY below).
struct pinned {
    using registry_type = roster::registry<int>;
    static constexpr std::string_view name = "sr.pinned";
    ROSTER_DECLARE_DEFAULT_REGISTRY();
};

/// A registry shape whose add takes more arguments (like a versioned one):
/// add(name, version, value, where).
class versions {
public:
    struct entry {
        int value;
        roster::source_location where;
    };
    void add(const std::string& name, int version, int value, roster::source_location where) {
        entries_[name + "@" + std::to_string(version)] = entry{value, where};
    }
    std::optional<entry> find(const std::string& key) const {
        const auto it = entries_.find(key);
        if (it == entries_.end()) return std::nullopt;
        return it->second;
    }

private:
    std::map<std::string, entry> entries_;
};

/// A factory registry as a domain's default registry.
struct shape {
    virtual ~shape() = default;
    virtual int sides() const = 0;
};
struct polygon final : shape {
    explicit polygon(int n) : n_(n) {}
    int sides() const override { return n_; }
    int n_;
};
struct shapes {
    using registry_type = roster::factory<std::unique_ptr<shape>(int)>;
    static constexpr std::string_view name = "sr.shapes";
};

/// A versioned registry as a domain's default registry: add(name, version, value).
struct protocols {
    using registry_type = roster::versioned_registry<int, std::string>;
    static constexpr std::string_view name = "sr.protocols";
};

versions& version_table() {
    static auto* const table = new versions(); // never destroyed
    return *table;
}

} // namespace sr_test

ROSTER_DEFINE_DEFAULT_REGISTRY(sr_test::pinned);

// The global namespace, twice in a row (unique names), ...
ROSTER_REGISTER(roster::default_registry<sr_test::numbers>(), "global.one", 1); constexpr int global_one_line = __LINE__;
ROSTER_REGISTER(roster::default_registry<sr_test::numbers>(), "global.two", 2);

// ... a named and a nested namespace ...
namespace sr_test {
ROSTER_REGISTER(roster::default_registry<numbers>(), "named", 3);
ROSTER_REGISTER(roster::default_registry<shapes>(), "polygon", [](int n) { return std::make_unique<polygon>(n); });
ROSTER_REGISTER(roster::default_registry<protocols>(), "wire", 1, "wire v1");
ROSTER_REGISTER(roster::default_registry<protocols>(), "wire", 2, "wire v2"); constexpr int wire_v2_line = __LINE__;
namespace inner::deeper {
ROSTER_REGISTER(roster::default_registry<numbers>(), "nested", 4);
ROSTER_REGISTER(version_table(), "gzip", 2, 20); constexpr int versioned_line = __LINE__;
} // namespace inner::deeper
} // namespace sr_test

// ... and an anonymous one, multi-line.
namespace {
ROSTER_REGISTER(roster::default_registry<sr_test::numbers>(),
                "anonymous",
                5);
ROSTER_REGISTER(roster::default_registry<sr_test::pinned>(), "pinned.static", 6);
ROSTER_REGISTER(roster::default_registry<sr_multi_tu::entries>(), "first", 1); constexpr int first_tu_line = __LINE__;
} // namespace

// Link anchors: defined and used in named namespaces of this file.
namespace sr_test::anchors {
ROSTER_LINK_ANCHOR(sr_test_anchor);
} // namespace sr_test::anchors
namespace sr_test::users {
ROSTER_USE_LINK_ANCHOR(sr_test_anchor);
ROSTER_USE_LINK_ANCHOR(sr_test_anchor); // twice is fine
} // namespace sr_test::users

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

} // namespace

// ---------------------------------------------------------------------------
// ROSTER_REGISTER

TEST_CASE("ROSTER_REGISTER: registrations in the global, a named, a nested and an anonymous namespace, "
          "several per file, are all in the registry before main",
          "[static_registration]") {
    const auto& numbers = roster::default_registry<sr_test::numbers>();
    CHECK(numbers.get("global.one") == 1);
    CHECK(numbers.get("global.two") == 2);
    CHECK(numbers.get("named") == 3);
    CHECK(numbers.get("nested") == 4);
    CHECK(numbers.get("anonymous") == 5);
}

TEST_CASE("ROSTER_REGISTER: records the file and line of the macro, not a line inside roster",
          "[static_registration]") {
    const auto where = roster::default_registry<sr_test::numbers>().location("global.one");
    REQUIRE(where.has_value());
    CHECK(ends_with(where->file_name(), "static_registration.cpp"));
    CHECK(where->line() == static_cast<unsigned>(global_one_line));
    CHECK(std::string_view(where->function_name()).empty()); // namespace scope: no function
}

TEST_CASE("ROSTER_REGISTER: an invocation spread over several lines records a line of the invocation",
          "[static_registration]") {
    const auto where = roster::default_registry<sr_test::numbers>().location("anonymous");
    REQUIRE(where.has_value());
    CHECK(ends_with(where->file_name(), "static_registration.cpp"));
    const auto other = roster::default_registry<sr_test::numbers>().location("nested");
    REQUIRE(other.has_value());
    CHECK(where->line() > other->line());
}

TEST_CASE("ROSTER_REGISTER: passes every argument on, so shapes whose add takes more parameters work",
          "[static_registration]") {
    const auto entry = sr_test::version_table().find("gzip@2");
    REQUIRE(entry.has_value());
    CHECK(entry->value == 20);
    CHECK(entry->where.line() == static_cast<unsigned>(sr_test::inner::deeper::versioned_line));
    CHECK(ends_with(entry->where.file_name(), "static_registration.cpp"));
}

TEST_CASE("ROSTER_REGISTER: a factory registry can be a domain's default registry, filled at static init",
          "[static_registration]") {
    auto& shapes = roster::default_registry<sr_test::shapes>();
    CHECK(shapes.name() == "sr.shapes");
    const std::unique_ptr<sr_test::shape> made = shapes.create("polygon", 5);
    REQUIRE(made != nullptr);
    CHECK(made->sides() == 5);
    CHECK(ends_with(shapes.location("polygon")->file_name(), "static_registration.cpp"));
}

TEST_CASE("ROSTER_REGISTER: a versioned registry is filled through add(name, version, value), and the census "
          "checks its names",
          "[static_registration]") {
    const auto& protocols = roster::default_registry<sr_test::protocols>();
    CHECK(protocols.latest("wire") == "wire v2");
    CHECK(protocols.versions("wire") == std::vector<int>{1, 2});
    const auto where = protocols.location("wire", 2);
    REQUIRE(where.has_value());
    CHECK(where->line() == static_cast<unsigned>(sr_test::wire_v2_line));
    CHECK(roster::try_census(protocols, std::vector<std::string_view>{"wire"}).has_value());
    const roster::result<void> missing = roster::try_census(protocols, std::vector<std::string_view>{"wire", "grpc"});
    REQUIRE_FALSE(missing.has_value());
    CHECK(contains(missing.error().message, "registry \"sr.protocols\""));
    CHECK(contains(missing.error().message, "1 of 2 expected keys is missing: \"grpc\""));
}

TEST_CASE("ROSTER_REGISTER: two translation units fill one default registry before main, each entry located "
          "in its own file",
          "[static_registration]") {
    const auto& entries = roster::default_registry<sr_multi_tu::entries>();
    CHECK(entries.names() == std::vector<std::string>{"first", "second", "third"});
    const auto first = entries.location("first");
    const auto second = entries.location("second");
    const auto third = entries.location("third");
    REQUIRE((first && second && third));
    CHECK(ends_with(first->file_name(), "static_registration.cpp"));
    CHECK(first->line() == static_cast<unsigned>(first_tu_line));
    CHECK(ends_with(second->file_name(), "second_tu.cpp"));
    CHECK(second->line() == static_cast<unsigned>(sr_multi_tu::second_tu_line()));
    CHECK(ends_with(third->file_name(), "second_tu.cpp"));
    CHECK(third->line() == static_cast<unsigned>(sr_multi_tu::third_line_of_second_tu()));
    // second_tu.cpp read the registry from its own static initialiser, right
    // after registering twice: it saw at least its own two entries, whatever
    // the order between the files.
    CHECK(sr_multi_tu::second_tu_saw_at_static_init() >= 2);
}

TEST_CASE("ROSTER_REGISTER_SCOPED's object removes exactly its entry by handle when destroyed, "
          "leaving a later re-registration alone",
          "[static_registration]") {
    roster::default_registry_override<sr_test::numbers> isolated;
    auto& numbers = roster::default_registry<sr_test::numbers>();
    {
        const roster::detail::static_registration<true> scoped(
            [](const roster::source_location& where) {
                return roster::default_registry<sr_test::numbers>().add("plugin", 7, where);
            },
            roster::source_location::current());
        CHECK(numbers.get("plugin") == 7);
    }
    CHECK_FALSE(numbers.contains("plugin"));

    std::optional<roster::detail::static_registration<true>> scoped;
    scoped.emplace([](const roster::source_location& where) { return roster::default_registry<sr_test::numbers>().add("plugin", 8, where); },
                   roster::source_location::current());
    (void)numbers.remove("plugin");
    numbers.add("plugin", 9);
    scoped.reset();
    CHECK(numbers.get("plugin") == 9);
}

TEST_CASE("ROSTER_REGISTER's object keeps no handle: the entry stays after it is destroyed",
          "[static_registration]") {
    roster::default_registry_override<sr_test::numbers> isolated;
    {
        const roster::detail::static_registration<false> once(
            [](const roster::source_location& where) {
                return roster::default_registry<sr_test::numbers>().add("kept", 1, where);
            },
            roster::source_location::current());
    }
    CHECK(roster::default_registry<sr_test::numbers>().get("kept") == 1);
    static_assert(std::is_empty_v<roster::detail::no_handle>);
}

// ---------------------------------------------------------------------------
// default_registry

TEST_CASE("default_registry: every call returns the same registry, named after the domain",
          "[static_registration]") {
    auto& first = roster::default_registry<sr_test::numbers>();
    auto& second = roster::default_registry<sr_test::numbers>();
    CHECK(&first == &second);
    CHECK(first.name() == "sr.numbers");
    static_assert(std::is_same_v<decltype(roster::default_registry<sr_test::numbers>()), roster::registry<int>&>);
    // Nothing to tear down at exit: the slot is trivially destructible, the registry leaked.
    static_assert(std::is_trivially_destructible_v<roster::default_registry_slot<roster::registry<int>>>);
}

TEST_CASE("default_registry: a domain without a name is named after its type, and domains never share a "
          "registry",
          "[static_registration]") {
    const auto& unnamed = roster::default_registry<sr_test::unnamed_domain>();
    CHECK(contains(unnamed.name(), "unnamed_domain"));
    CHECK(static_cast<const void*>(&unnamed) !=
          static_cast<const void*>(&roster::default_registry<sr_test::numbers>()));
}

TEST_CASE("default_registry: a domain needs a registry_type constructible from a name",
          "[static_registration]") {
    static_assert(roster::registry_domain<sr_test::numbers>);
    static_assert(!roster::registry_domain<int>);
    struct no_type {};
    static_assert(!roster::registry_domain<no_type>);
    struct not_constructible {
        using registry_type = sr_test::versions;
    };
    static_assert(!roster::registry_domain<not_constructible>);
    CHECK(roster::registry_domain<sr_test::pinned>);
}

TEST_CASE("default_registry: the first calls, from many threads at once, create exactly one registry",
          "[static_registration][concurrency]") {
    constexpr int threads = 8;
    std::vector<const void*> seen(threads, nullptr);
    std::barrier start(threads);
    {
        std::vector<std::jthread> workers;
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back([&, i] {
                start.arrive_and_wait();
                auto& registry = roster::default_registry<sr_test::concurrent_domain>();
                registry.add("thread." + std::to_string(i), i);
                seen[static_cast<std::size_t>(i)] = &registry;
            });
        }
    }
    for (const void* address : seen) CHECK(address == &roster::default_registry<sr_test::concurrent_domain>());
    CHECK(roster::default_registry<sr_test::concurrent_domain>().size() == static_cast<std::size_t>(threads));
}

// ---------------------------------------------------------------------------
// default_registry_override

TEST_CASE("default_registry_override: the registry it creates is recorded as constructed on the override's line",
          "[static_registration]") {
    {
        const auto line = __LINE__ + 1;
        roster::default_registry_override<sr_test::numbers> fresh;
        CHECK(fresh.get().created_at().line() == line);
        CHECK(std::string_view(fresh.get().created_at().file_name()).find("static_registration.cpp") !=
              std::string_view::npos);
    }
    {
        const auto line = __LINE__ + 1;
        roster::default_registry_override<sr_test::numbers> copy{roster::copy_of_current, "sr.numbers (copy)"};
        CHECK(copy.get().created_at().line() == line);
        CHECK(copy.get().name() == "sr.numbers (copy)");
    }
}

TEST_CASE("default_registry_override: installs a fresh, empty registry and puts the original back, untouched, "
          "when destroyed",
          "[static_registration]") {
    auto& original = roster::default_registry<sr_test::numbers>();
    const std::size_t before = original.size();
    REQUIRE(before >= 5);
    {
        roster::default_registry_override<sr_test::numbers> fresh;
        auto& current = roster::default_registry<sr_test::numbers>();
        CHECK(&current == &fresh.get());
        CHECK(&fresh.previous() == &original);
        CHECK(&current != &original);
        CHECK(current.empty());
        CHECK(current.name() == "sr.numbers");
        current.add("global.one", 100); // no duplicate: a different registry
        current.freeze();
    }
    CHECK(&roster::default_registry<sr_test::numbers>() == &original);
    CHECK(original.size() == before);
    CHECK(original.get("global.one") == 1);
    CHECK_FALSE(original.frozen());
}

TEST_CASE("default_registry_override: a fresh registry can be given its own name", "[static_registration]") {
    roster::default_registry_override<sr_test::numbers> fresh{roster::fresh_registry, "test.numbers"};
    CHECK(roster::default_registry<sr_test::numbers>().name() == "test.numbers");
}

TEST_CASE("default_registry_override: copy_of_current snapshots the default registry, and every change made "
          "meanwhile is undone on destruction",
          "[static_registration]") {
    auto& original = roster::default_registry<sr_test::numbers>();
    const std::vector<std::string> names_before = original.names();
    const auto where_before = original.location("named");
    REQUIRE(where_before.has_value());
    {
        roster::default_registry_override<sr_test::numbers> snapshot{roster::copy_of_current};
        auto& copy = roster::default_registry<sr_test::numbers>();
        CHECK(&copy != &original);
        CHECK(copy.name() == original.name());
        CHECK(copy.names() == names_before);
        const auto where_copied = copy.location("named");
        REQUIRE(where_copied.has_value());
        CHECK(where_copied->line() == where_before->line()); // source locations are copied too
        (void)copy.remove("named");
        copy.add("temporary", 42);
        CHECK_FALSE(copy.contains("named"));
    }
    CHECK(&roster::default_registry<sr_test::numbers>() == &original);
    CHECK(original.names() == names_before);
    CHECK_FALSE(original.contains("temporary"));

    roster::default_registry_override<sr_test::numbers> renamed{roster::copy_of_current, "snapshot"};
    CHECK(roster::default_registry<sr_test::numbers>().name() == "snapshot");
    CHECK(roster::default_registry<sr_test::numbers>().get("named") == 3);
}

TEST_CASE("default_registry_override: installs a registry of yours, and overrides nest", "[static_registration]") {
    auto& original = roster::default_registry<sr_test::numbers>();
    roster::registry<int> mine{"mine"};
    mine.add("only-mine", 1);
    {
        roster::default_registry_override<sr_test::numbers> outer{mine};
        CHECK(&roster::default_registry<sr_test::numbers>() == &mine);
        {
            roster::default_registry_override<sr_test::numbers> inner;
            CHECK(&inner.previous() == &mine);
            CHECK(roster::default_registry<sr_test::numbers>().empty());
        }
        CHECK(&roster::default_registry<sr_test::numbers>() == &mine);
        roster::default_registry<sr_test::numbers>().add("added-through-default", 2);
    }
    CHECK(&roster::default_registry<sr_test::numbers>() == &original);
    CHECK(mine.size() == 2); // yours is not destroyed, and keeps what was added
    CHECK_FALSE(original.contains("added-through-default"));
    static_assert(!std::is_copy_constructible_v<roster::default_registry_override<sr_test::numbers>>);
    static_assert(!std::is_move_constructible_v<roster::default_registry_override<sr_test::numbers>>);
}

// ---------------------------------------------------------------------------
// Pinned definition sites

TEST_CASE("ROSTER_DEFINE_DEFAULT_REGISTRY: a pinned domain's default registry is the one its definition site "
          "owns, filled at static init and overridable",
          "[static_registration]") {
    auto& pinned = roster::default_registry<sr_test::pinned>();
    CHECK(&pinned == &sr_test::pinned::roster_default_registry_slot().get());
    CHECK(pinned.name() == "sr.pinned");
    CHECK(pinned.get("pinned.static") == 6);
    {
        roster::default_registry_override<sr_test::pinned> fresh;
        CHECK(&roster::default_registry<sr_test::pinned>() == &fresh.get());
        CHECK(&sr_test::pinned::roster_default_registry_slot().get() == &fresh.get());
    }
    CHECK(&roster::default_registry<sr_test::pinned>() == &pinned);
}

// ---------------------------------------------------------------------------
// census

TEST_CASE("census: passes when every expected key is registered", "[static_registration][census]") {
    roster::registry<int> codecs{"codecs"};
    codecs.add("gzip", 1);
    codecs.add("zstd", 2);
    CHECK(roster::try_census(codecs, {"gzip", "zstd"}).has_value());
    CHECK(roster::try_census(codecs, {}).has_value());
    CHECK_NOTHROW(roster::census(codecs, {"zstd"}));
    const std::vector<std::string> expected{"gzip", "zstd"};
    CHECK(roster::try_census(codecs, expected).has_value());
}

TEST_CASE("census: one not_found error names the registry, the call site, every missing key, what is "
          "registered, and the static-library fixes",
          "[static_registration][census]") {
    roster::registry<int> codecs{"codecs"};
    codecs.add("identity", 0);
    const int line = __LINE__ + 1;
    const roster::result<void> outcome = roster::try_census(codecs, {"gzip", "identity", "zstd"});
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().code == roster::errc::not_found);
    const std::string& message = outcome.error().message;
    CHECK(contains(message, "roster: registry \"codecs\": census at "));
    CHECK(contains(message, "static_registration.cpp:" + std::to_string(line)));
    CHECK(contains(message, "2 of 3 expected keys are missing: \"gzip\", \"zstd\" (1 registered: \"identity\")"));
    CHECK(contains(message, "roster_link_whole_archive()"));
    CHECK(contains(message, "ROSTER_LINK_ANCHOR(name)"));
    CHECK(contains(message, "ROSTER_USE_LINK_ANCHOR(name)"));
    CHECK(contains(message, "explicit registration function"));
}

TEST_CASE("census: a single missing key is worded in the singular, and an empty registry says so",
          "[static_registration][census]") {
    roster::registry<int> codecs{"codecs"};
    const roster::result<void> outcome = roster::try_census(codecs, {"gzip"});
    REQUIRE_FALSE(outcome.has_value());
    CHECK(contains(outcome.error().message, "1 of 1 expected key is missing: \"gzip\" (the registry is empty)"));
}

TEST_CASE("census: lists at most ten registered names", "[static_registration][census]") {
    roster::registry<int> codecs{"codecs"};
    for (int i = 0; i < 12; ++i) codecs.add("codec" + std::to_string(10 + i), i);
    const roster::result<void> outcome = roster::try_census(codecs, {"gzip"});
    REQUIRE_FALSE(outcome.has_value());
    CHECK(contains(outcome.error().message, "12 registered: \"codec10\", "));
    CHECK(contains(outcome.error().message, "\"codec19\", ... (2 more)"));
    CHECK_FALSE(contains(outcome.error().message, "\"codec20\""));
}

TEST_CASE("census: census() throws the same error as not_found_error", "[static_registration][census]") {
    roster::registry<int> codecs{"codecs"};
    codecs.add("gzip", 1);
    CHECK_THROWS_MATCHES(roster::census(codecs, {"gzip", "lz4"}), roster::not_found_error,
                         Catch::Matchers::Predicate<roster::not_found_error>([](const roster::not_found_error& e) {
                             return contains(e.what(), "1 of 2 expected keys is missing: \"lz4\"") &&
                                    e.code() == roster::errc::not_found;
                         }));
    const std::vector<std::string> expected{"lz4"};
    CHECK_THROWS_AS(roster::census(codecs, expected), roster::not_found_error);
}

TEST_CASE("census: works with non-string keys and with the default registry", "[static_registration][census]") {
    roster::basic_registry<int, std::string> by_id{"by-id"};
    by_id.add(7, "seven");
    const roster::result<void> outcome = roster::try_census(by_id, {7, 8});
    REQUIRE_FALSE(outcome.has_value());
    CHECK(contains(outcome.error().message, "1 of 2 expected keys is missing: 8 (1 registered: 7)"));
    CHECK(roster::try_census(roster::default_registry<sr_test::numbers>(), {"global.one", "nested"}).has_value());
}

// ---------------------------------------------------------------------------
// Link anchors (what they do for a static library: tests/static_registration/)

TEST_CASE("ROSTER_LINK_ANCHOR defines an extern \"C\" anchor that ROSTER_USE_LINK_ANCHOR references from any "
          "namespace",
          "[static_registration]") {
    CHECK(sr_test::anchors::roster_link_anchor_sr_test_anchor() == 1);
    static_assert(noexcept(sr_test::users::roster_link_anchor_sr_test_anchor()));
}
