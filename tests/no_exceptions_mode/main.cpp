// tests/no_exceptions_mode/main.cpp — roster built with ROSTER_NO_EXCEPTIONS
// by a compiler that has exceptions. roster raises nothing, but a listener
// may still throw: the event hub catches its exception and hands it to the
// subscription's error handler (or writes a line to stderr), as it does with
// exceptions on. It once terminated the process (the delivery is noexcept
// and the catch was compiled only when roster raised exceptions itself).
// Own main(): returns nonzero when a check fails.
#define ROSTER_NO_EXCEPTIONS
#include <roster/events.hpp>
#include <roster/registry.hpp>

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string_view>

static_assert(ROSTER_HAS_EXCEPTIONS == 0, "ROSTER_NO_EXCEPTIONS: roster raises nothing");

namespace {
int failures = 0;
void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}
} // namespace

int main() {
    check(std::string_view(ROSTER_ABI_NAMESPACE_STRING).find("_c_") != std::string_view::npos,
          "the ABI tag says exceptions are caught only (c)");
    roster::registry<int> reg{"no_exceptions_mode"};
    int heard = 0;
    int handled = 0;
    auto loud = reg.subscribe(
        [&](const auto&) {
            ++heard;
            throw std::runtime_error("listener failed");
        },
        [&](const auto&, std::exception_ptr thrown) {
            try {
                std::rethrow_exception(thrown);
            } catch (const std::runtime_error& e) {
                if (std::string_view(e.what()) == "listener failed") ++handled;
            }
        });
    auto quiet = reg.subscribe([](const auto&) { throw 42; }); // the default handler writes a line
    reg.add("a", 1);
    reg.add("b", 2);
    check(heard == 2, "the throwing listener heard both adds");
    check(handled == 2, "its error handler got both exceptions");
    check(reg.size() == 2, "the registry kept both entries");
    // roster's own errors are returned, not raised, in this mode.
    const auto refused = reg.try_add("a", 3);
    check(!refused && refused.error().code == roster::errc::duplicate_key, "a duplicate is refused, not raised");
    if (failures == 0) std::puts("no_exceptions_mode: all checks passed");
    return failures == 0 ? 0 : 1;
}
