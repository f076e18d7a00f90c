// Translation unit B: roster's default configuration (ROSTER_THROW is
// `throw exception`). The same roster::registry<int> specialisation as
// tu_hook.cpp, in roster::v<M>_<m>_e_d_...
#include "abi.hpp"

#include "roster/registry.hpp"

#include <string>

namespace roster_abi_test {

observation miss_with_default() {
    observation seen;
    seen.abi_namespace = ROSTER_ABI_NAMESPACE_STRING;
    seen.hook_calls_before = hook_calls();

    roster::registry<int> numbers{"abi-numbers"};
    (void)numbers.add("one", 1);
    try {
        (void)numbers.at("two");
        seen.caught = "nothing";
    } catch (const roster::not_found_error& e) {
        seen.caught = "not_found_error";
        seen.message = e.what();
    } catch (...) { // tu_hook.cpp's hooked_error, were its definitions used here
        seen.caught = "other";
    }
    seen.hook_calls_after = hook_calls();
    return seen;
}

} // namespace roster_abi_test
