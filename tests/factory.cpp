// Tests for roster/factory.hpp: the factory registry (create / try_create),
// its products, its errors (unknown key, the factory's own exception, null
// products), the on_null::probe policy, the policies and verbs it inherits
// from the core, callbacks into the registry, heterogeneous lookup and
// concurrency ([concurrency] cases are the ones the ThreadSanitizer build runs).
#include "support/catch.hpp"

#include "roster/factory.hpp"
#include "roster/ordered.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string line_text(unsigned line) { return fmt::format("factory.cpp:{}", line); }

struct config {
    std::string dsn;
    int pool = 0;
};

struct store {
    virtual ~store() = default;
    virtual std::string describe() const = 0;
};
struct sql_store final : store {
    explicit sql_store(const config& c) : cfg(c) {}
    std::string describe() const override { return fmt::format("sql {} x{}", cfg.dsn, cfg.pool); }
    config cfg;
};
struct memory_store final : store {
    std::string describe() const override { return "memory"; }
};

using store_factory = roster::factory<std::unique_ptr<store>(const config&)>;

std::unique_ptr<store> make_sql(const config& c) { return std::make_unique<sql_store>(c); }
std::unique_ptr<store> make_memory(const config&) { return std::make_unique<memory_store>(); }

/// An exception type of the user's, with a payload, to prove it arrives unchanged.
struct dsn_error : std::runtime_error {
    explicit dsn_error(int c) : std::runtime_error("bad dsn"), code(c) {}
    int code;
};

/// A constructor that counts its own copies.
struct counted_constructor {
    static inline int copies = 0;
    counted_constructor() = default;
    counted_constructor(const counted_constructor&) { ++copies; }
    counted_constructor(counted_constructor&&) noexcept = default;
    counted_constructor& operator=(const counted_constructor&) = default;
    counted_constructor& operator=(counted_constructor&&) noexcept = default;
    ~counted_constructor() = default;
    int operator()(int x) const { return x + 1; }
};

// Keys whose every allocation is counted: a lookup that built a temporary
// key would allocate through this allocator. Single-threaded use only.
std::size_t key_allocations = 0;
template <class T>
struct counting_allocator {
    using value_type = T;
    counting_allocator() = default;
    template <class U>
    counting_allocator(const counting_allocator<U>&) noexcept {} // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) {
        ++key_allocations;
        return std::allocator<T>{}.allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    friend bool operator==(const counting_allocator&, const counting_allocator&) = default;
};
using counted_key = std::basic_string<char, std::char_traits<char>, counting_allocator<char>>;

} // namespace

// ===========================================================================
// Types

TEST_CASE("factory: is the core registry of std::function constructors, with its product and signature as types",
          "[factory]") {
    using F = roster::factory<std::unique_ptr<store>(const config&, int)>;
    STATIC_REQUIRE(std::is_base_of_v<roster::registry<std::function<std::unique_ptr<store>(const config&, int)>>, F>);
    STATIC_REQUIRE(std::is_same_v<F::product_type, std::unique_ptr<store>>);
    STATIC_REQUIRE(std::is_same_v<F::signature, std::unique_ptr<store>(const config&, int)>);
    STATIC_REQUIRE(std::is_same_v<F::constructor_type, std::function<std::unique_ptr<store>(const config&, int)>>);
    STATIC_REQUIRE(std::is_same_v<F::value_type, F::constructor_type>);
    STATIC_REQUIRE(std::is_same_v<F::key_type, std::string>);
    STATIC_REQUIRE(std::is_same_v<F::lookup_type, std::string_view>);
    STATIC_REQUIRE(std::is_same_v<F::null_policy, roster::on_null::reject>);
    STATIC_REQUIRE(std::is_same_v<roster::basic_factory<int, long(), roster::on_null::probe>::null_policy,
                                  roster::on_null::probe>);
    STATIC_REQUIRE(!std::is_copy_constructible_v<F>);
    // create() takes the key as a string_view, the declared arguments, then the call site.
    STATIC_REQUIRE(std::is_same_v<decltype(&F::create),
                                  std::unique_ptr<store> (F::*)(std::string_view, const config&, int,
                                                                roster::source_location) const>);
}

TEST_CASE("on_null::probe: is a policy tag of the on_null category", "[factory][policies]") {
    STATIC_REQUIRE(roster::policy<roster::on_null::probe>);
    STATIC_REQUIRE(std::is_same_v<roster::on_null::probe::roster_policy_category, roster::policy_category::on_null>);
}

TEST_CASE("factory: a default-constructed factory is named after its key type and signature", "[factory]") {
    roster::factory<int(double)> f;
    CHECK(contains_text(f.name(), "basic_factory"));
    CHECK(contains_text(f.name(), "double"));
}

// ===========================================================================
// create

TEST_CASE("factory: create builds a fresh product from runtime arguments each call", "[factory]") {
    roster::factory<std::string(const std::string&, int)> greetings{"greetings"};
    int calls = 0;
    greetings.add("repeat", [&calls](const std::string& word, int times) {
        ++calls;
        std::string out;
        for (int i = 0; i < times; ++i) out += word;
        return out;
    });
    CHECK(greetings.create("repeat", "ab", 3) == "ababab");
    CHECK(greetings.create("repeat", "x", 1) == "x");
    CHECK(calls == 2);
}

TEST_CASE("factory: unique_ptr products are distinct objects built from the given configuration", "[factory]") {
    store_factory stores{"stores"};
    stores.add("sql", make_sql);
    stores.add("memory", make_memory);
    std::unique_ptr<store> first = stores.create("sql", config{"db://one", 4});
    std::unique_ptr<store> second = stores.create("sql", config{"db://two", 1});
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first.get() != second.get());
    CHECK(first->describe() == "sql db://one x4");
    CHECK(second->describe() == "sql db://two x1");
    CHECK(stores.create("memory", config{})->describe() == "memory");
}

TEST_CASE("factory: shared_ptr products are fresh, not cached: each is owned only by its caller", "[factory]") {
    roster::factory<std::shared_ptr<const config>(int)> configs{"configs"};
    configs.add("pool", [](int n) { return std::make_shared<const config>(config{"pool", n}); });
    const auto a = configs.create("pool", 2);
    const auto b = configs.create("pool", 3);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a != b);
    CHECK(a.use_count() == 1);
    CHECK(a->pool == 2);
    CHECK(b->pool == 3);
}

TEST_CASE("factory: arguments are forwarded: move-only by value, and references refer to the caller's objects",
          "[factory]") {
    roster::factory<std::unique_ptr<int>(std::unique_ptr<int>)> passthrough{"passthrough"};
    passthrough.add("same", [](std::unique_ptr<int> p) { return p; });
    auto input = std::make_unique<int>(7);
    const int* address = input.get();
    const std::unique_ptr<int> output = passthrough.create("same", std::move(input));
    CHECK(output.get() == address); // moved through, never copied
    CHECK_FALSE(input);             // NOLINT(bugprone-use-after-move): the argument was moved from

    roster::factory<int(std::vector<int>&, std::string&&)> appender{"appender"};
    appender.add("push", [](std::vector<int>& out, std::string&& text) {
        out.push_back(static_cast<int>(text.size()));
        const std::string taken = std::move(text);
        return static_cast<int>(out.size());
    });
    std::vector<int> sizes;
    std::string text = "four";
    CHECK(appender.create("push", sizes, std::move(text)) == 1);
    CHECK(sizes == std::vector<int>{4}); // the caller's vector was written through the reference
    CHECK(text.empty());                 // NOLINT(bugprone-use-after-move): moved from by the constructor
}

TEST_CASE("factory: try_create returns the product on success", "[factory]") {
    store_factory stores{"stores"};
    stores.add("sql", make_sql);
    roster::result<std::unique_ptr<store>> made = stores.try_create("sql", config{"db://x", 2});
    REQUIRE(made);
    REQUIRE(*made);
    CHECK((*made)->describe() == "sql db://x x2");
    CHECK(std::move(made).value()->describe() == "sql db://x x2");
}

TEST_CASE("factory: non-string keys work, looked up by const Key&", "[factory]") {
    roster::basic_factory<int, std::string(char), roster::storage::ordered> by_number{"by-number"};
    by_number.add(3, [](char c) { return std::string(3, c); });
    by_number.add(10, [](char c) { return std::string(10, c); });
    CHECK(by_number.create(3, 'z') == "zzz");
    const auto miss = by_number.try_create(4, 'z');
    REQUIRE_FALSE(miss);
    CHECK(miss.error().code == roster::errc::not_found);
    CHECK(contains_text(miss.error().message, "no entry for key 4"));
    CHECK(contains_text(miss.error().message, "nearest: 3, 10"));
}

// ===========================================================================
// Unknown keys

TEST_CASE("factory: an unknown key is not_found naming the key, the create call and the nearest names",
          "[factory][errors]") {
    store_factory stores{"stores"};
    stores.add("sql", make_sql);
    stores.add("sqlite", make_sql);
    stores.add("memory", make_memory);

    const unsigned line = __LINE__ + 1;
    const auto missed = stores.try_create("sqll", config{});
    REQUIRE_FALSE(missed);
    CHECK(missed.error().code == roster::errc::not_found);
    CHECK_FALSE(missed.error().cause);
    const std::string& message = missed.error().message;
    CHECK(contains_text(message, "registry \"stores\""));
    CHECK(contains_text(message, "no entry for key \"sqll\""));
    CHECK(contains_text(message, line_text(line)));
    CHECK(contains_text(message, "3 registered, nearest: \"sql\", \"sqlite\", \"memory\""));
    CHECK_THROWS_AS(missed.value(), roster::not_found_error);

    try {
        (void)stores.create("sqll", config{});
        FAIL("create of an unknown key did not throw");
    } catch (const roster::not_found_error& e) {
        CHECK(e.code() == roster::errc::not_found);
        CHECK(contains_text(e.what(), "no entry for key \"sqll\""));
        CHECK(contains_text(e.what(), "nearest: \"sql\""));
    }
}

TEST_CASE("factory: create reports the line it was called from, or the location passed explicitly",
          "[factory][errors]") {
    store_factory stores{"stores"};
    const unsigned line = __LINE__ + 2;
    try {
        (void)stores.create("none", config{});
        FAIL("create of an unknown key did not throw");
    } catch (const roster::not_found_error& e) {
        CHECK(contains_text(e.what(), line_text(line)));
        CHECK(contains_text(e.what(), "the registry is empty"));
    }
    const roster::source_location elsewhere = roster::source_location::current();
    const auto missed = stores.try_create("none", config{}, elsewhere);
    REQUIRE_FALSE(missed);
    CHECK(contains_text(missed.error().message, line_text(elsewhere.line())));
}

// ===========================================================================
// The factory's own failures

TEST_CASE("factory: create lets the factory's own exception propagate unchanged", "[factory][errors]") {
    roster::factory<int(int)> parsers{"parsers"};
    parsers.add("strict", [](int code) -> int { throw dsn_error(code); });
    try {
        (void)parsers.create("strict", 42);
        FAIL("the factory's exception did not propagate");
    } catch (const roster::error&) {
        FAIL("the factory's exception was wrapped in a roster error");
    } catch (const dsn_error& e) {
        CHECK(e.code == 42);
        CHECK(std::string(e.what()) == "bad dsn");
    }
}

TEST_CASE("factory: try_create reports a throwing factory as factory_failed, keeping its exception as the cause",
          "[factory][errors]") {
    roster::factory<int(int)> parsers{"parsers"};
    const unsigned added_line = __LINE__ + 1;
    parsers.add("strict", [](int code) -> int { throw dsn_error(code); });

    const unsigned line = __LINE__ + 1;
    const roster::result<int> failed = parsers.try_create("strict", 42);
    REQUIRE_FALSE(failed);
    const roster::error_info& error = failed.error();
    CHECK(error.code == roster::errc::factory_failed);
    CHECK(contains_text(error.message, "roster: registry \"parsers\": create of key \"strict\" at "));
    CHECK(contains_text(error.message, line_text(line)));
    CHECK(contains_text(error.message, "failed: the factory added at "));
    CHECK(contains_text(error.message, line_text(added_line)));
    CHECK(contains_text(error.message, "threw: bad dsn"));

    REQUIRE(error.cause);
    try {
        std::rethrow_exception(error.cause);
    } catch (const dsn_error& e) {
        CHECK(e.code == 42);
    } catch (...) {
        FAIL("the cause is not the factory's own exception");
    }
    // value() and raise() rethrow the original exception, not a factory_error.
    CHECK_THROWS_AS(failed.value(), dsn_error);
    CHECK_THROWS_AS(roster::raise(error), dsn_error);
}

TEST_CASE("factory: try_create keeps an exception that is not a std::exception as the cause too",
          "[factory][errors]") {
    roster::factory<int()> odd{"odd"};
    odd.add("int-thrower", []() -> int { throw 7; });
    const auto failed = odd.try_create("int-thrower");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == roster::errc::factory_failed);
    CHECK(contains_text(failed.error().message, "threw an exception that is not a std::exception"));
    REQUIRE(failed.error().cause);
    CHECK_THROWS_AS(failed.value(), int);
}

TEST_CASE("factory: a null product at create is factory_failed, thrown as factory_error or returned",
          "[factory][errors]") {
    store_factory stores{"stores"};
    const unsigned added_line = __LINE__ + 1;
    stores.add("broken", [](const config&) { return std::unique_ptr<store>(); });

    const unsigned line = __LINE__ + 1;
    const auto failed = stores.try_create("broken", config{});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == roster::errc::factory_failed);
    CHECK_FALSE(failed.error().cause);
    CHECK(contains_text(failed.error().message, "create of key \"broken\" at "));
    CHECK(contains_text(failed.error().message, line_text(line)));
    CHECK(contains_text(failed.error().message, line_text(added_line)));
    CHECK(contains_text(failed.error().message, "produced a null std::unique_ptr<"));
    CHECK_THROWS_AS(failed.value(), roster::factory_error);

    try {
        (void)stores.create("broken", config{});
        FAIL("a null product was returned");
    } catch (const roster::factory_error& e) {
        CHECK(e.code() == roster::errc::factory_failed);
        CHECK(contains_text(e.what(), "produced a null"));
    }

    roster::factory<std::shared_ptr<int>()> shared{"shared"};
    shared.add("empty", [] { return std::shared_ptr<int>(); });
    CHECK_THROWS_AS(shared.create("empty"), roster::factory_error);
}

TEST_CASE("factory: under on_null::allow a null product is handed back and an empty constructor is factory_failed",
          "[factory][errors]") {
    roster::factory<std::unique_ptr<int>(), roster::on_null::allow> lenient{"lenient"};
    STATIC_REQUIRE_FALSE(decltype(lenient)::refuses_null_products);
    lenient.add("none", [] { return std::unique_ptr<int>(); });
    lenient.add("empty", std::function<std::unique_ptr<int>()>());
    CHECK(lenient.create("none") == nullptr);
    const auto result = lenient.try_create("none");
    REQUIRE(result);
    CHECK(*result == nullptr);

    const auto empty = lenient.try_create("empty");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == roster::errc::factory_failed);
    CHECK(contains_text(empty.error().message, "is empty"));
    CHECK_THROWS_AS(lenient.create("empty"), roster::factory_error);
}

TEST_CASE("factory: a factory's failure leaves the registry unchanged", "[factory][errors]") {
    roster::factory<int(int)> parsers{"parsers"};
    parsers.add("strict", [](int code) -> int { throw dsn_error(code); });
    parsers.add("ok", [](int code) { return code; });
    (void)parsers.try_create("strict", 1);
    CHECK_THROWS_AS(parsers.create("strict", 1), dsn_error);
    CHECK(parsers.size() == 2);
    CHECK(parsers.names() == std::vector<std::string>{"ok", "strict"});
    CHECK(parsers.create("ok", 5) == 5);
}

// ===========================================================================
// Registration: null constructors and on_null::probe

TEST_CASE("factory: a null constructor is refused at add: an empty std::function or a null function pointer",
          "[factory][null]") {
    store_factory stores{"stores"};
    CHECK_THROWS_AS(stores.add("empty", store_factory::constructor_type()), roster::null_value_error);
    std::unique_ptr<store> (*null_function)(const config&) = nullptr;
    auto refused = stores.try_add("null-pointer", null_function);
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(contains_text(refused.error().message, "the value is null"));
    CHECK(stores.empty());
}

TEST_CASE("on_null::probe: calls the constructor once at registration and refuses one producing a null product",
          "[factory][null][probe]") {
    roster::factory<std::unique_ptr<store>(const config&), roster::on_null::probe> stores{"probed"};
    int calls = 0;
    const unsigned line = __LINE__ + 1;
    auto refused = stores.try_add("nil", [&calls](const config&) {
        ++calls;
        return std::unique_ptr<store>();
    });
    CHECK(calls == 1);
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(contains_text(refused.error().message, "registry \"probed\""));
    CHECK(contains_text(refused.error().message, "for key \"nil\" at "));
    CHECK(contains_text(refused.error().message, line_text(line)));
    CHECK(contains_text(refused.error().message, "the constructor produced a null product when probed"));
    CHECK(stores.empty());
    CHECK_FALSE(stores.contains("nil"));

    CHECK_THROWS_AS(stores.add("nil", [](const config&) { return std::unique_ptr<store>(); }),
                    roster::null_value_error);
    CHECK(stores.empty());
}

TEST_CASE("on_null::probe: accepts a good constructor after calling it once with value-initialised arguments",
          "[factory][null][probe]") {
    roster::factory<std::unique_ptr<store>(const config&, int, std::unique_ptr<int>), roster::on_null::probe> stores{
        "probed"};
    std::vector<std::string> seen;
    stores.add("sql", [&seen](const config& c, int n, std::unique_ptr<int> p) -> std::unique_ptr<store> {
        seen.push_back(fmt::format("{}|{}|{}|{}", c.dsn, c.pool, n, p ? "set" : "null"));
        return std::make_unique<sql_store>(c);
    });
    CHECK(seen == std::vector<std::string>{"|0|0|null"}); // the probe: config{}, int{}, unique_ptr{}
    CHECK(stores.contains("sql"));
    CHECK(stores.create("sql", config{"db://p", 3}, 5, std::make_unique<int>(1))->describe() == "sql db://p x3");
    CHECK(seen.size() == 2);
    CHECK(seen.back() == "db://p|3|5|set");
}

TEST_CASE("on_null::probe: a refused constructor leaves the entry already under its key in place",
          "[factory][null][probe]") {
    roster::factory<std::shared_ptr<int>(int), roster::on_null::probe, roster::on_duplicate::replace> numbers{"numbers"};
    numbers.add("k", [](int n) { return std::make_shared<int>(n + 1); });
    auto refused = numbers.try_add("k", [](int) { return std::shared_ptr<int>(); });
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(numbers.size() == 1);
    CHECK(*numbers.create("k", 1) == 2); // still the first constructor
}

TEST_CASE("on_null::probe: refuses a constructor that throws when probed, naming its exception",
          "[factory][null][probe]") {
    roster::factory<std::unique_ptr<store>(const config&), roster::on_null::probe> stores{"probed"};
    auto refused = stores.try_add("picky", [](const config& c) -> std::unique_ptr<store> {
        if (c.dsn.empty()) throw std::invalid_argument("empty dsn");
        return std::make_unique<sql_store>(c);
    });
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(contains_text(refused.error().message,
                        "the constructor threw when probed with value-initialised arguments: empty dsn"));
    CHECK(stores.empty());
}

TEST_CASE("on_null::probe: refuses an empty constructor without calling anything, and accepts value products",
          "[factory][null][probe]") {
    roster::factory<int(int), roster::on_null::probe> numbers{"numbers"};
    auto refused = numbers.try_add("empty", std::function<int(int)>());
    CHECK(refused.status() == roster::add_status::refused);
    CHECK(contains_text(refused.error().message, "the value is null"));
    int calls = 0;
    numbers.add("double", [&calls](int n) {
        ++calls;
        return n * 2;
    });
    CHECK(calls == 1);
    CHECK(numbers.create("double", 4) == 8);
    CHECK(calls == 2);
}

TEST_CASE("on_null::probe: a null product at create is still factory_failed", "[factory][null][probe]") {
    roster::factory<std::unique_ptr<int>(int), roster::on_null::probe> numbers{"numbers"};
    // Passes the probe (0 -> non-null) but produces null for negative input.
    numbers.add("positive", [](int n) { return n < 0 ? std::unique_ptr<int>() : std::make_unique<int>(n); });
    CHECK(*numbers.create("positive", 3) == 3);
    const auto failed = numbers.try_create("positive", -1);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == roster::errc::factory_failed);
}

// ===========================================================================
// What the factory inherits from the core

TEST_CASE("factory: duplicate policies apply to constructors: throw_error, replace and keep_first",
          "[factory][policies]") {
    roster::factory<int()> strict{"strict"};
    strict.add("k", [] { return 1; });
    CHECK_THROWS_AS(strict.add("k", [] { return 2; }), roster::duplicate_key_error);
    CHECK(strict.create("k") == 1);

    roster::factory<int(), roster::on_duplicate::replace> last{"last"};
    last.add("k", [] { return 1; });
    auto replaced = last.add("k", [] { return 2; });
    CHECK(replaced.status() == roster::add_status::replaced);
    REQUIRE(replaced.existing());
    REQUIRE(replaced.existing()->value);
    CHECK((*replaced.existing()->value)() == 1); // the previous constructor is handed back
    CHECK(last.create("k") == 2);

    roster::factory<int(), roster::on_duplicate::keep_first> first{"first"};
    first.add("k", [] { return 1; });
    CHECK(first.add("k", [] { return 2; }).status() == roster::add_status::kept_existing);
    CHECK(first.create("k") == 1);
}

TEST_CASE("factory: the core's verbs work unchanged: names, contains, location, get, remove, handles",
          "[factory]") {
    store_factory stores{"stores"};
    const unsigned line = __LINE__ + 1;
    auto handle = stores.add("sql", make_sql).handle();
    stores.add("memory", make_memory);
    CHECK(stores.names() == std::vector<std::string>{"memory", "sql"});
    CHECK(stores.contains("sql"));
    REQUIRE(stores.location("sql"));
    CHECK(stores.location("sql")->line() == line);
    const auto constructor = stores.get("memory");
    REQUIRE(constructor);
    CHECK((*constructor)(config{})->describe() == "memory");

    CHECK(handle.remove());
    CHECK_FALSE(stores.contains("sql"));
    const auto removed = stores.remove("memory");
    CHECK(removed(config{})->describe() == "memory");
    CHECK(stores.state() == roster::lifecycle::empty);
    CHECK_THROWS_AS(stores.create("memory", config{}), roster::not_found_error);
}

TEST_CASE("factory: a named copy holds the same constructors and is independent", "[factory]") {
    roster::factory<int(int)> original{"original"};
    original.add("inc", [](int n) { return n + 1; });
    roster::factory<int(int)> copy(original, "copy");
    CHECK(copy.name() == "copy");
    CHECK(copy.create("inc", 1) == 2);
    (void)original.remove("inc");
    CHECK(copy.contains("inc"));
}

TEST_CASE("factory: after freeze, adds are refused and create still builds products", "[factory][lifecycle]") {
    store_factory stores{"stores"};
    stores.add("sql", make_sql);
    stores.freeze();
    CHECK(stores.state() == roster::lifecycle::frozen);
    CHECK_THROWS_AS(stores.add("memory", make_memory), roster::frozen_error);
    CHECK_THROWS_AS(stores.remove("sql"), roster::frozen_error);
    CHECK(stores.create("sql", config{"db://f", 1})->describe() == "sql db://f x1");
    CHECK(stores.try_create("sql", config{"db://f", 2}).value()->describe() == "sql db://f x2");
    const auto missed = stores.try_create("memory", config{});
    REQUIRE_FALSE(missed);
    CHECK(missed.error().code == roster::errc::not_found);
}

TEST_CASE("factory: create copies the constructor out of the lock once before freeze and calls it in place after",
          "[factory][lifecycle]") {
    roster::factory<int(int)> counted{"counted"};
    counted.add("plus-one", counted_constructor{});
    counted_constructor::copies = 0;
    CHECK(counted.create("plus-one", 1) == 2);
    CHECK(counted.try_create("plus-one", 2).value() == 3);
    CHECK(counted_constructor::copies == 2); // one copy per call

    counted.freeze();
    counted_constructor::copies = 0;
    CHECK(counted.create("plus-one", 3) == 4);
    CHECK(counted.try_create("plus-one", 4).value() == 5);
    CHECK(counted_constructor::copies == 0); // frozen: called in place
}

// ===========================================================================
// Callbacks into the registry: the constructor runs outside the lock

TEST_CASE("factory: a factory may create another product from the same registry", "[factory][reentrancy]") {
    roster::factory<std::vector<int>(int)> parts{"parts"};
    parts.add("leaf", [](int n) { return std::vector<int>{n}; });
    parts.add("pair", [&parts](int n) {
        std::vector<int> out = parts.create("leaf", n);
        const std::vector<int> second = parts.create("leaf", n + 1);
        out.insert(out.end(), second.begin(), second.end());
        return out;
    });
    CHECK(parts.create("pair", 1) == std::vector<int>{1, 2});
    parts.freeze();
    CHECK(parts.create("pair", 5) == std::vector<int>{5, 6});
    CHECK(parts.try_create("pair", 7).value() == std::vector<int>{7, 8});
}

TEST_CASE("factory: a factory may even add to its own registry (no lock is held while it runs)",
          "[factory][reentrancy]") {
    roster::factory<int(int)> lazy{"lazy"};
    lazy.add("installer", [&lazy](int n) {
        // Would deadlock if create() held the registry's lock during the call.
        if (!lazy.contains("installed")) lazy.add("installed", [](int m) { return m * 10; });
        return n;
    });
    CHECK(lazy.create("installer", 3) == 3);
    CHECK(lazy.contains("installed"));
    CHECK(lazy.create("installed", 2) == 20);
}

TEST_CASE("factory: a nested failure inside a factory is the outer factory's failure, cause preserved",
          "[factory][reentrancy][errors]") {
    roster::factory<int()> chain{"chain"};
    chain.add("outer", [&chain] { return chain.create("missing-inner") + 1; });
    const auto failed = chain.try_create("outer");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == roster::errc::factory_failed);
    CHECK(contains_text(failed.error().message, "threw: roster: registry \"chain\": no entry for key \"missing-inner\""));
    CHECK_THROWS_AS(failed.value(), roster::not_found_error);
}

// ===========================================================================
// Heterogeneous lookup

TEST_CASE("factory: create and try_create by const char* and std::string_view build no key to look up",
          "[factory][allocation]") {
    roster::basic_factory<counted_key, int(int)> doubling{"heterogeneous"};
    const char* long_key = "a.key.well.beyond.the.small.string.buffer";
    doubling.add(counted_key(long_key), [](int n) { return n * 2; });
    STATIC_REQUIRE(std::is_same_v<decltype(doubling)::lookup_type, std::string_view>);

    key_allocations = 0;
    int total = 0;
    total += doubling.create(long_key, 1);
    total += doubling.create(std::string_view(long_key), 2);
    total += doubling.try_create(long_key, 3).value();
    total += doubling.try_create("a.missing.key.also.beyond.the.small.buffer", 4).value_or(0);
    doubling.freeze();
    total += doubling.create(long_key, 5);
    const std::size_t during_lookups = key_allocations;
    CHECK(total == 2 + 4 + 6 + 10);
    CHECK(during_lookups == 0);

    // The counter does see a key being built.
    key_allocations = 0;
    {
        const counted_key temporary(long_key);
        total += static_cast<int>(temporary.size());
    }
    CHECK(key_allocations > 0);
}

// ===========================================================================
// Concurrency

TEST_CASE("factory: threads create while another thread adds and removes other keys", "[factory][concurrency]") {
    roster::factory<std::shared_ptr<const config>(int)> configs{"busy"};
    std::atomic<int> calls{0};
    configs.add("stable", [&calls](int n) {
        calls.fetch_add(1, std::memory_order_relaxed);
        return std::make_shared<const config>(config{"stable", n});
    });
    constexpr int creators = 4;
    constexpr int rounds = 500;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < creators; ++t) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < rounds; ++i) {
                const int n = t * rounds + i;
                const auto made = configs.create("stable", n);
                if (!made || made->pool != n || made->dsn != "stable") wrong.fetch_add(1);
                const auto churn = configs.try_create("churn", n); // present or not, never torn
                if (churn) {
                    if (!*churn || (*churn)->dsn != "churn" || (*churn)->pool != n) wrong.fetch_add(1);
                } else if (churn.error().code != roster::errc::not_found) {
                    wrong.fetch_add(1);
                }
            }
        });
    }
    std::thread writer([&] {
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < rounds; ++i) {
            configs.add("churn", [](int n) { return std::make_shared<const config>(config{"churn", n}); });
            configs.add(fmt::format("other.{}", i), [](int n) { return std::make_shared<const config>(config{"o", n}); });
            (void)configs.remove("churn");
        }
    });
    go.store(true);
    for (auto& t : threads) t.join();
    writer.join();
    CHECK(wrong.load() == 0);
    CHECK(calls.load() == creators * rounds);
    CHECK(configs.size() == static_cast<std::size_t>(1 + rounds));
    CHECK_FALSE(configs.contains("churn"));
}

TEST_CASE("factory: once frozen, threads call the stored constructors in place concurrently",
          "[factory][concurrency]") {
    roster::factory<std::unique_ptr<int>(int)> numbers{"frozen-busy"};
    std::atomic<int> calls{0};
    numbers.add("square", [&calls](int n) {
        calls.fetch_add(1, std::memory_order_relaxed);
        return std::make_unique<int>(n * n);
    });
    numbers.freeze();
    constexpr int creators = 4;
    constexpr int rounds = 500;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < creators; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < rounds; ++i) {
                const auto made = numbers.try_create("square", i);
                if (!made || !*made || **made != i * i) wrong.fetch_add(1);
                if (numbers.try_create("absent", i)) wrong.fetch_add(1);
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong.load() == 0);
    CHECK(calls.load() == creators * rounds);
}
