// tests/no_exceptions.cpp -- roster built with -fno-exceptions.
//
// Not a Catch2 test: its own main(), compiled with -fno-exceptions (see
// tests/CMakeLists.txt), so it contains no exception-handling constructs at
// all. It checks
//   1. the non-raising paths (try_add, try_at, try_remove, handles, freeze)
//      work and report their errors in their results;
//   2. a raising path (add of a duplicate, at() of a missing key) prints
//      "roster: fatal error: <message>" to stderr and aborts. Each such path
//      runs in a fork()ed child whose stderr goes into a pipe; the parent
//      reads it and checks that the child died of SIGABRT.
// Prints a one-line summary; exits non-zero on any failure.
//
// Every raising member of every shape is checked the same way, one ctest
// per member, by tests/raising/raising.cpp (ctests raising.*).

#include "roster/registry.hpp"
#include "roster/counters.hpp"
#include "roster/catalog.hpp"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if ROSTER_HAS_EXCEPTIONS
#error "tests/no_exceptions.cpp must be compiled with -fno-exceptions"
#endif

namespace {

int checks_run = 0;
int checks_failed = 0;

void check(bool ok, const char* expression, int line) {
    ++checks_run;
    if (!ok) {
        ++checks_failed;
        std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, line, expression);
    }
}

#define NX_CHECK(...) check(static_cast<bool>(__VA_ARGS__), #__VA_ARGS__, __LINE__)

bool contains(std::string_view text, std::string_view piece) {
    return text.find(piece) != std::string_view::npos;
}

/// "file:line" as roster's messages spell a location in this file.
std::string here(long line) {
    return std::string(__FILE__) + ":" + std::to_string(line);
}

// ------------------------------------------------------------ the child

struct child_outcome {
    bool ran = false;        // pipe() and fork() worked
    bool signalled = false;  // WIFSIGNALED
    int signal = 0;          // WTERMSIG
    bool exited = false;     // WIFEXITED
    int exit_code = 0;       // WEXITSTATUS
    std::string stderr_text; // everything the child wrote to stderr
};

/// Runs `f` in a fork()ed child with its stderr redirected into a pipe, and
/// reports how the child ended and what it wrote. The child _exit(0)s if `f`
/// returns.
template <class F>
child_outcome run_in_child(F&& f) {
    child_outcome outcome;
    int fds[2];
    if (pipe(fds) != 0) {
        std::perror("pipe");
        return outcome;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("fork");
        close(fds[0]);
        close(fds[1]);
        return outcome;
    }
    if (pid == 0) {
        // Child: no core file for the expected abort; stderr into the pipe.
        const rlimit no_core{0, 0};
        (void)setrlimit(RLIMIT_CORE, &no_core);
        close(fds[0]);
        if (dup2(fds[1], STDERR_FILENO) < 0)
            _exit(98);
        close(fds[1]);
        std::forward<F>(f)();
        std::fflush(stderr);
        _exit(0);
    }
    close(fds[1]);
    char buffer[512];
    for (;;) {
        const ssize_t n = read(fds[0], buffer, sizeof buffer);
        if (n > 0) {
            outcome.stderr_text.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::perror("waitpid");
            return outcome;
        }
    }
    outcome.ran = true;
    outcome.signalled = WIFSIGNALED(status);
    outcome.signal = outcome.signalled ? WTERMSIG(status) : 0;
    outcome.exited = WIFEXITED(status);
    outcome.exit_code = outcome.exited ? WEXITSTATUS(status) : 0;
    return outcome;
}

void report_child(const child_outcome& outcome) {
    if (!outcome.signalled || outcome.signal != SIGABRT)
        std::fprintf(stderr, "  child: signalled=%d signal=%d exited=%d code=%d\n",
                     outcome.signalled ? 1 : 0, outcome.signal, outcome.exited ? 1 : 0,
                     outcome.exit_code);
    std::fprintf(stderr, "  child's stderr: [%s]\n", outcome.stderr_text.c_str());
}

// ------------------------------------------------------ non-raising paths

void try_add_reports_every_outcome() {
    roster::registry<int> codecs{"codecs"};

    const long first_line = __LINE__ + 1;
    auto added = codecs.try_add("gzip", 1);
    NX_CHECK(added.status() == roster::add_status::added);
    NX_CHECK(static_cast<bool>(added));
    NX_CHECK(added.handle().active());
    NX_CHECK(codecs.size() == 1);
    NX_CHECK(codecs.get("gzip") == 1);
    NX_CHECK(codecs.state() == roster::lifecycle::populated);

    const long second_line = __LINE__ + 1;
    const auto duplicate = codecs.try_add("gzip", 2);
    NX_CHECK(duplicate.status() == roster::add_status::refused);
    NX_CHECK(!static_cast<bool>(duplicate));
    NX_CHECK(duplicate.error().code == roster::errc::duplicate_key);
    NX_CHECK(contains(duplicate.error().message, "registry \"codecs\""));
    NX_CHECK(contains(duplicate.error().message, "duplicate key \"gzip\""));
    NX_CHECK(contains(duplicate.error().message, "added at " + here(second_line)));
    NX_CHECK(contains(duplicate.error().message, "already added at " + here(first_line)));
    NX_CHECK(duplicate.existing().has_value() && duplicate.existing()->value == 1);
    NX_CHECK(codecs.get("gzip") == 1); // unchanged
    NX_CHECK(codecs.size() == 1);

    const auto empty_key = codecs.try_add("", 3);
    NX_CHECK(empty_key.status() == roster::add_status::refused);
    NX_CHECK(empty_key.error().code == roster::errc::invalid_key);
    NX_CHECK(contains(empty_key.error().message, "empty"));

    const auto control_key = codecs.try_add("bad\nkey", 3);
    NX_CHECK(control_key.status() == roster::add_status::refused);
    NX_CHECK(control_key.error().code == roster::errc::invalid_key);
    NX_CHECK(codecs.size() == 1);
}

void try_add_refuses_a_null_value() {
    roster::registry<std::shared_ptr<int>> pointers{"pointers"};
    const auto null = pointers.try_add("p", nullptr);
    NX_CHECK(null.status() == roster::add_status::refused);
    NX_CHECK(null.error().code == roster::errc::null_value);
    NX_CHECK(contains(null.error().message, "registry \"pointers\""));
    NX_CHECK(contains(null.error().message, "\"p\""));
    NX_CHECK(pointers.empty());

    const auto real = pointers.try_add("p", std::make_shared<int>(4));
    NX_CHECK(real.status() == roster::add_status::added);
    NX_CHECK(pointers.size() == 1);
}

void try_at_reports_a_miss() {
    roster::registry<int> codecs{"codecs"};
    (void)codecs.try_add("gzip", 1);
    (void)codecs.try_add("zstd", 2);

    const roster::result<int> hit = codecs.try_at("zstd");
    NX_CHECK(hit.has_value() && *hit == 2);

    const roster::result<int> miss = codecs.try_at("gzp");
    NX_CHECK(!miss.has_value());
    NX_CHECK(miss.error().code == roster::errc::not_found);
    NX_CHECK(contains(miss.error().message, "no entry for key \"gzp\""));
    NX_CHECK(contains(miss.error().message, "nearest: \"gzip\""));
    NX_CHECK(miss.value_or(-1) == -1);

    roster::registry<int> empty{"empty"};
    const roster::result<int> nothing = empty.try_at("x");
    NX_CHECK(!nothing && contains(nothing.error().message, "the registry is empty"));
}

void try_remove_returns_the_value_or_a_miss() {
    roster::registry<std::string> names{"names"};
    (void)names.try_add("a", std::string("alpha"));

    roster::result<std::string> removed = names.try_remove("a");
    NX_CHECK(removed.has_value() && *removed == "alpha");
    NX_CHECK(names.empty());
    NX_CHECK(names.state() == roster::lifecycle::empty);

    const roster::result<std::string> again = names.try_remove("a");
    NX_CHECK(!again.has_value());
    NX_CHECK(again.error().code == roster::errc::not_found);
}

void freeze_makes_try_add_and_try_remove_refuse() {
    roster::registry<int> codecs{"codecs"};
    (void)codecs.try_add("gzip", 1);
    const long freeze_line = __LINE__ + 1;
    codecs.freeze();
    NX_CHECK(codecs.frozen());
    NX_CHECK(codecs.state() == roster::lifecycle::frozen);

    const auto late = codecs.try_add("zstd", 2);
    NX_CHECK(late.status() == roster::add_status::refused);
    NX_CHECK(late.error().code == roster::errc::frozen);
    NX_CHECK(contains(late.error().message, "frozen at " + here(freeze_line)));
    NX_CHECK(!codecs.contains("zstd"));

    const roster::result<int> removal = codecs.try_remove("gzip");
    NX_CHECK(!removal.has_value());
    NX_CHECK(removal.error().code == roster::errc::frozen);
    NX_CHECK(codecs.get("gzip") == 1); // reads still work, lock-free
}

void registration_handle_try_remove() {
    roster::registry<int> codecs{"codecs"};
    auto handle = codecs.try_add("gzip", 1).handle();
    NX_CHECK(handle.active());
    NX_CHECK(handle.key() == "gzip");

    const roster::result<bool> first = handle.try_remove();
    NX_CHECK(first.has_value() && *first == true);
    NX_CHECK(!handle.active());
    NX_CHECK(!codecs.contains("gzip"));

    const roster::result<bool> second = handle.try_remove();
    NX_CHECK(second.has_value() && *second == false);

    // Frozen: the removal is refused and the handle stays active.
    auto kept = codecs.try_add("zstd", 2).handle();
    codecs.freeze();
    const roster::result<bool> refused = kept.try_remove();
    NX_CHECK(!refused.has_value());
    NX_CHECK(refused.error().code == roster::errc::frozen);
    NX_CHECK(kept.active());
    NX_CHECK(codecs.contains("zstd"));
}

void scoped_registration_removes_without_exceptions() {
    roster::registry<int> codecs{"codecs"};
    {
        roster::scoped_registration scoped = codecs.try_add("gzip", 1).handle();
        NX_CHECK(scoped.active());
        NX_CHECK(codecs.contains("gzip"));
    }
    NX_CHECK(!codecs.contains("gzip"));

    // On a frozen registry the quiet removal keeps the entry (no abort).
    {
        roster::scoped_registration scoped = codecs.try_add("zstd", 2).handle();
        codecs.freeze();
    }
    NX_CHECK(codecs.contains("zstd"));
}

// ---------------------------------------------------------- raising paths

void duplicate_add_prints_the_message_and_aborts() {
    roster::registry<int> plugins{"plugins"};
    const long first_line = __LINE__ + 1;
    const auto first = plugins.try_add("dup", 1);
    NX_CHECK(first.status() == roster::add_status::added);

    const long second_line = __LINE__ + 1;
    const child_outcome outcome = run_in_child([&] { (void)plugins.add("dup", 2); });

    const std::string& text = outcome.stderr_text;
    const std::string expected_head =
        "roster: fatal error: roster: registry \"plugins\": duplicate key \"dup\": added at " +
        here(second_line);
    const bool ok_ran = outcome.ran;
    const bool ok_abort = outcome.signalled && outcome.signal == SIGABRT;
    const bool ok_head = text.rfind(expected_head, 0) == 0; // at the very start
    const bool ok_existing = contains(text, "but already added at " + here(first_line));
    const bool ok_newline = !text.empty() && text.back() == '\n';
    NX_CHECK(ok_ran);
    NX_CHECK(ok_abort);
    NX_CHECK(ok_head);
    NX_CHECK(ok_existing);
    NX_CHECK(ok_newline);
    if (!(ok_ran && ok_abort && ok_head && ok_existing && ok_newline))
        report_child(outcome);

    NX_CHECK(plugins.get("dup") == 1); // the parent's registry is untouched
}

void missing_at_prints_the_message_and_aborts() {
    roster::registry<int> plugins{"plugins"};
    (void)plugins.try_add("alpha", 1);

    const long at_line = __LINE__ + 1;
    const child_outcome outcome = run_in_child([&] { (void)plugins.at("alpah"); });

    const std::string& text = outcome.stderr_text;
    const bool ok_abort = outcome.ran && outcome.signalled && outcome.signal == SIGABRT;
    const bool ok_head =
        text.rfind(
            "roster: fatal error: roster: registry \"plugins\": no entry for key \"alpah\" at " +
                here(at_line),
            0) == 0;
    const bool ok_nearest = contains(text, "nearest: \"alpha\"");
    NX_CHECK(ok_abort);
    NX_CHECK(ok_head);
    NX_CHECK(ok_nearest);
    if (!(ok_abort && ok_head && ok_nearest))
        report_child(outcome);
}

void result_value_on_an_error_aborts() {
    const child_outcome outcome = run_in_child([] {
        const roster::result<int> failed =
            roster::error_info{roster::errc::frozen, "frozen for the test"};
        (void)failed.value();
    });
    const bool ok_abort = outcome.ran && outcome.signalled && outcome.signal == SIGABRT;
    const bool ok_text = outcome.stderr_text == "roster: fatal error: frozen for the test\n";
    NX_CHECK(ok_abort);
    NX_CHECK(ok_text);
    if (!(ok_abort && ok_text))
        report_child(outcome);
}

void a_path_that_does_not_raise_does_not_abort() {
    // The harness itself: a child that raises nothing exits normally.
    const child_outcome outcome = run_in_child([] {
        roster::registry<int> fine{"fine"};
        (void)fine.add("k", 1);
    });
    NX_CHECK(outcome.ran && outcome.exited && outcome.exit_code == 0);
    NX_CHECK(outcome.stderr_text.empty());
}

void a_listed_registry_under_a_taken_name_prints_the_message_and_aborts() {
    using listed = roster::registry<int, roster::listing::listed, roster::counters::per_key>;
    listed first{"listed"};
    (void)first.try_add("k", 1);
    (void)first.get("k");
    (void)first.get("nope");
    NX_CHECK(first.lookups().hits == 1 && first.lookups().misses == 1);
    NX_CHECK(roster::catalog::instance().try_at("listed").has_value());
    NX_CHECK(!roster::catalog::instance().try_at("lsted").has_value());

    const child_outcome outcome = run_in_child([] { listed second{"listed"}; });
    const bool ok_abort = outcome.ran && outcome.signalled && outcome.signal == SIGABRT;
    const bool ok_text = contains(outcome.stderr_text, "a registry called \"listed\" is already listed");
    NX_CHECK(ok_abort);
    NX_CHECK(ok_text);
    if (!(ok_abort && ok_text))
        report_child(outcome);
}

} // namespace

int main() {
    try_add_reports_every_outcome();
    try_add_refuses_a_null_value();
    try_at_reports_a_miss();
    try_remove_returns_the_value_or_a_miss();
    freeze_makes_try_add_and_try_remove_refuse();
    registration_handle_try_remove();
    scoped_registration_removes_without_exceptions();
    duplicate_add_prints_the_message_and_aborts();
    missing_at_prints_the_message_and_aborts();
    result_value_on_an_error_aborts();
    a_path_that_does_not_raise_does_not_abort();
    a_listed_registry_under_a_taken_name_prints_the_message_and_aborts();

    std::printf("no_exceptions: %d checks, %d failed\n", checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
