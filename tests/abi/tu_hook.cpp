// Translation unit A: a user-defined ROSTER_THROW hook, defined before any
// roster header. It counts, then throws its own type instead of roster's
// exception. Its roster::registry<int> lives in roster::v<M>_<m>_e_h_..., so
// its inline functions (raise, raise_as, result<int>::value, at, ...) are
// distinct symbols from tu_default.cpp's.
#include "abi.hpp"

#include <string>

namespace roster_abi_test {

/// What the hook throws: not derived from anything roster or std defines.
struct hooked_error {
    std::string what;
};

namespace {
int hook_call_count = 0;
} // namespace

int hook_calls() { return hook_call_count; }

[[noreturn]] void throw_from_hook(const char* what) {
    ++hook_call_count;
    throw hooked_error{what};
}

} // namespace roster_abi_test

#define ROSTER_THROW(exception) ::roster_abi_test::throw_from_hook((exception).what())

#include "roster/registry.hpp"

namespace roster_abi_test {

observation miss_with_hook() {
    observation seen;
    seen.abi_namespace = ROSTER_ABI_NAMESPACE_STRING;
    seen.hook_calls_before = hook_calls();

    roster::registry<int> numbers{"abi-numbers"};
    (void)numbers.add("one", 1);
    try {
        (void)numbers.at("two");
        seen.caught = "nothing";
    } catch (const hooked_error& e) {
        seen.caught = "hook";
        seen.message = e.what;
    } catch (const roster::not_found_error& e) {
        seen.caught = "not_found_error";
        seen.message = e.what();
    } catch (...) {
        seen.caught = "other";
    }
    seen.hook_calls_after = hook_calls();
    return seen;
}

} // namespace roster_abi_test
