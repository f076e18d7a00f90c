// tests/raising/throw_hook.cpp -- roster built with a user-defined ROSTER_THROW.
//
// The hook is defined before any roster header, as docs/errors.md asks. It
// does one of two things, chosen at run time:
//
//   roster_throw_hook throws          the hook throws the application's own
//                                     exception type, app::error, carrying
//                                     roster's message, code and exception
//                                     type. Every check runs in this process;
//                                     exit code 0 when all pass, 1 otherwise.
//   roster_throw_hook returns <case>  the hook writes one line to stderr and
//                                     RETURNS. roster must not go on with a
//                                     value it does not have: it calls
//                                     std::abort(). Expected: SIGABRT after
//                                     exactly one hook call (tests/raising/
//                                     CMakeLists.txt runs each case through
//                                     expect.cmake). If the raising member
//                                     returns, the program says so and exits 1.
//   roster_throw_hook --list          the cases of `returns`, one per line.

#include <cstdio>    // std::fprintf, std::fflush, std::printf
#include <stdexcept> // std::runtime_error: app::error's base
#include <string>    // std::string
#include <typeinfo>  // std::type_info: which roster exception was raised

namespace app {

/// How the hook behaves; set by main() from argv[1].
enum class hook_mode { throws, returns };
inline hook_mode mode = hook_mode::throws;
/// How many times the hook ran.
inline int hook_calls = 0;

/// The application's own exception: roster's errors arrive as this type.
class error : public std::runtime_error {
public:
    error(const char* message, int code, const std::type_info& raised)
        : std::runtime_error(message)
        , code_(code)
        , raised_(&raised) {}
    /// roster's error code, as an int (roster's types are not declared yet).
    int code() const noexcept { return code_; }
    /// The type of the exception roster raised (and the hook replaced).
    const std::type_info& raised() const noexcept { return *raised_; }

private:
    int code_;
    const std::type_info* raised_;
};

/// The ROSTER_THROW hook. Generic: roster's exception types are declared
/// after this, by roster/error.hpp.
template <class Exception>
void on_roster_error(const Exception& e) {
    ++hook_calls;
    if (mode == hook_mode::throws)
        throw error(e.what(), static_cast<int>(e.code()), typeid(Exception));
    std::fprintf(stderr, "app: ROSTER_THROW hook call %d returned: %s\n", hook_calls, e.what());
    std::fflush(stderr);
}

} // namespace app

#define ROSTER_THROW(exception) ::app::on_roster_error(exception)

#include "roster/factory.hpp"
#include "roster/hierarchical.hpp"
#include "roster/hot_reload.hpp"
#include "roster/lifecycle.hpp"
#include "roster/registry.hpp"
#include "roster/scoped.hpp"

#include <cstring>     // std::strcmp
#include <memory>      // std::shared_ptr, std::unique_ptr
#include <string_view> // std::string_view
#include <utility>     // std::pair
#include <vector>      // std::vector: a hot-reload replacement set

static_assert(ROSTER_HAS_EXCEPTIONS == 1, "the throwing hook needs exceptions");

namespace {

int checks = 0;
int failures = 0;

void check(bool ok, const char* what, int line) {
    ++checks;
    if (!ok) {
        ++failures;
        std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, line, what);
    }
}
#define HOOK_CHECK(...) check(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__, __LINE__)

/// Runs `raising`, which must raise through the hook exactly once; checks
/// that app::error arrives (never a roster::error), with `expected_message`,
/// `expected_code` and Expected as the type roster raised.
template <class Expected, class F>
void expect_app_error(F&& raising, roster::errc expected_code, const std::string& expected_message,
                      const char* what) {
    const int calls_before = app::hook_calls;
    bool caught = false;
    try {
        raising();
    } catch (const roster::error& e) {
        std::fprintf(stderr, "%s: roster::error arrived, not app::error: %s\n", what, e.what());
    } catch (const app::error& e) {
        caught = true;
        const bool same_message = e.what() == expected_message;
        if (!same_message)
            std::fprintf(stderr, "%s: message\n  [%s]\nexpected\n  [%s]\n", what, e.what(),
                         expected_message.c_str());
        check(same_message, what, __LINE__);
        check(e.code() == static_cast<int>(expected_code), what, __LINE__);
        check(e.raised() == typeid(Expected), what, __LINE__);
    }
    check(caught, what, __LINE__);
    check(app::hook_calls == calls_before + 1, what, __LINE__);
}

struct Greeting {
    virtual ~Greeting() = default;
};
struct Database {};

// ------------------------------------------------------------ throws mode

int run_throwing_checks() {
    const roster::source_location here = roster::source_location::current();

    roster::registry<int> reg{"hook.core"};
    reg.add("gzip", 1);
    expect_app_error<roster::not_found_error>(
        [&] { (void)reg.at("gzp", here); }, roster::errc::not_found,
        reg.try_at("gzp", here).error().message, "at() of a missing key");
    expect_app_error<roster::duplicate_key_error>(
        [&] { (void)reg.add("gzip", 2, here); }, roster::errc::duplicate_key,
        reg.try_add("gzip", 2, here).error().message, "add() of a duplicate");
    HOOK_CHECK(reg.get("gzip") == 1 && reg.size() == 1); // strong guarantee: nothing changed
    const roster::result<int> missed = reg.try_at("nothing", here);
    expect_app_error<roster::not_found_error>([&] { (void)missed.value(); },
                                              roster::errc::not_found, missed.error().message,
                                              "result::value() on an error");
    expect_app_error<roster::error>(
        [] {
            roster::raise({static_cast<roster::errc>(99), "newer"});
        },
        static_cast<roster::errc>(99), "newer", "raise() of a code this roster does not know");

    roster::factory<std::shared_ptr<int>()> makers{"hook.factory"};
    makers.add("nil", [] { return std::shared_ptr<int>(); });
    expect_app_error<roster::factory_error>(
        [&] { (void)makers.create("nil", here); }, roster::errc::factory_failed,
        makers.try_create("nil", here).error().message, "factory create() of a null product");
    // A factory's own exception is not roster's: it passes unchanged, and the
    // hook is not called (result::value() rethrows the cause as it was).
    makers.add("throws", []() -> std::shared_ptr<int> { throw std::logic_error("no disk"); });
    const int calls_before = app::hook_calls;
    bool own_exception = false;
    try {
        (void)makers.create("throws");
    } catch (const std::logic_error& e) {
        own_exception = std::string_view(e.what()) == "no disk";
    }
    HOOK_CHECK(own_exception);
    own_exception = false;
    const auto failed = makers.try_create("throws");
    try {
        (void)failed.value();
    } catch (const std::logic_error& e) {
        own_exception = std::string_view(e.what()) == "no disk";
    }
    HOOK_CHECK(own_exception);
    HOOK_CHECK(app::hook_calls == calls_before);

    roster::hot_reload_registry<int> hot{"hook.hot"};
    hot.replace_all({{"a", 1}});
    const std::vector<std::pair<std::string, int>> bad{{"b", 2}, {"", 3}};
    expect_app_error<roster::batch_error>(
        [&] { (void)hot.replace_all(bad, here); }, roster::errc::batch_refused,
        hot.try_replace_all(bad, here).error().message, "hot-reload replace_all() of a bad set");
    HOOK_CHECK(hot.version() == 1 && hot.get("a") == 1 && !hot.contains("b")); // nothing published

    roster::staged_registry<roster::registry<int>> staged{"hook.staged"};
    staged.add("gzip", 1);
    expect_app_error<roster::not_ready_error>(
        [&] { (void)staged.at("gzip", here); }, roster::errc::not_ready,
        staged.try_at("gzip", here).error().message, "staged at() before finalize()");

    // A constructor that raises: the object is never constructed.
    expect_app_error<roster::invalid_key_error>(
        [&] {
            roster::hierarchical_registry<int> bad_separator{"hook.tree", 'x', here};
        },
        roster::errc::invalid_key,
        "roster: registry \"hook.tree\": invalid key \"x\" at " + std::string(here.file_name()) +
            ":" + std::to_string(here.line()) + " (in " + here.function_name() +
            "): the separator must be a printable ASCII character that is not a letter or a digit",
        "hierarchical_registry's constructor with a bad separator");

    // A factory that looks up a missing dependency: get() lets the factory's
    // exception (here the hook's app::error) through unchanged.
    roster::scoped_registry app_scope{"hook.scoped"};
    app_scope.add_factory<Greeting>([](const roster::scoped_registry::resolver& through) {
        (void)through.get<Database>();
        return std::make_shared<Greeting>();
    });
    bool dependency_miss = false;
    try {
        (void)app_scope.get<Greeting>();
    } catch (const app::error& e) {
        dependency_miss =
            e.raised() == typeid(roster::not_found_error) &&
            std::string_view(e.what()).find("no entry for key") != std::string_view::npos;
    }
    HOOK_CHECK(dependency_miss);

    std::printf("throw_hook throws: %d checks, %d failed, %d hook calls\n", checks, failures,
                app::hook_calls);
    return failures == 0 ? 0 : 1;
}

// ----------------------------------------------------------- returns mode

void raising_now() {
    std::printf("raising now\n");
    std::fflush(stdout);
}

void registry_at_miss() {
    roster::registry<int> reg{"hook.core"};
    reg.add("gzip", 1);
    raising_now();
    const int value = reg.at("gzp");
    std::printf("continued after at(): %d\n", value);
}

void registry_add_duplicate() {
    roster::registry<int> reg{"hook.core"};
    reg.add("gzip", 1);
    raising_now();
    (void)reg.add("gzip", 2);
    std::printf("continued after add(): %zu entries\n", reg.size());
}

void result_value_of_an_error() {
    const roster::result<std::string> missed =
        roster::error_info{roster::errc::not_found, "hook: nothing here"};
    raising_now();
    const std::string& value = missed.value();
    std::printf("continued after value(): %s\n", value.c_str());
}

void factory_create_null_product() {
    roster::factory<std::shared_ptr<int>()> makers{"hook.factory"};
    makers.add("nil", [] { return std::shared_ptr<int>(); });
    raising_now();
    const std::shared_ptr<int> product = makers.create("nil");
    std::printf("continued after create(): %d\n", *product);
}

void hot_reload_replace_all_refused() {
    roster::hot_reload_registry<int> hot{"hook.hot"};
    raising_now();
    const auto version = hot.replace_all({{"", 1}});
    std::printf("continued after replace_all(): version %llu\n",
                static_cast<unsigned long long>(version));
}

void staged_at_before_finalize() {
    roster::staged_registry<roster::registry<int>> staged{"hook.staged"};
    staged.add("gzip", 1);
    raising_now();
    const int value = staged.at("gzip");
    std::printf("continued after at(): %d\n", value);
}

void hierarchical_bad_separator() {
    raising_now();
    roster::hierarchical_registry<int> tree{"hook.tree", 'x'};
    std::printf("continued after the constructor: separator %c\n", tree.separator());
}

struct returning_case {
    const char* name;
    void (*run)();
};

constexpr returning_case returning_cases[] = {
    {"registry.at_miss", registry_at_miss},
    {"registry.add_duplicate", registry_add_duplicate},
    {"result.value_of_an_error", result_value_of_an_error},
    {"factory.create_null_product", factory_create_null_product},
    {"hot_reload.replace_all_refused", hot_reload_replace_all_refused},
    {"staged.at_before_finalize", staged_at_before_finalize},
    {"hierarchical.bad_separator", hierarchical_bad_separator},
};

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "throws") == 0)
        return run_throwing_checks();
    if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
        for (const returning_case& c : returning_cases)
            std::printf("%s\n", c.name);
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "returns") == 0) {
        app::mode = app::hook_mode::returns;
        for (const returning_case& c : returning_cases) {
            if (std::strcmp(argv[2], c.name) != 0)
                continue;
            c.run();
            std::fflush(stdout);
            std::fprintf(
                stderr,
                "throw_hook: case %s returned: roster did not abort after the hook returned\n",
                c.name);
            return 1;
        }
        std::fprintf(stderr, "throw_hook: unknown case \"%s\" (--list lists them)\n", argv[2]);
        return 2;
    }
    std::fprintf(stderr, "usage: %s throws | returns <case> | --list\n",
                 argc > 0 ? argv[0] : "roster_throw_hook");
    return 2;
}
