// abi.mixed_configurations: two translation units built with different roster
// configurations (tu_hook.cpp: a user-defined ROSTER_THROW; tu_default.cpp:
// the default) both instantiate roster::registry<int> and call at() on a
// missing key. Each must see its OWN configuration: the hook runs (and its
// exception arrives) only for tu_hook.cpp, roster::not_found_error only for
// tu_default.cpp.
//
// Without the ABI-tagged inline namespace (roster/config.hpp) both TUs would
// define roster::registry<int>::at, roster::raise, ... under the same mangled
// names; the linker keeps one of each, and one TU runs the other's
// configuration (most visibly at -O0, where nothing is inlined).
//
// main.cpp includes no roster header: it only compares what the TUs report.
#include "abi.hpp"

#include <cstdio>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const char* what, const roster_abi_test::observation& seen) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr,
                 "FAILED: %s\n  abi namespace: %s\n  caught: %s\n  message: %s\n  hook calls: %d -> %d\n",
                 what, seen.abi_namespace.c_str(), seen.caught.c_str(), seen.message.c_str(),
                 seen.hook_calls_before, seen.hook_calls_after);
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

} // namespace

int main() {
    using roster_abi_test::observation;

    // Default first, then hook, then default again: the order cannot matter.
    const observation d1 = roster_abi_test::miss_with_default();
    const observation h = roster_abi_test::miss_with_hook();
    const observation d2 = roster_abi_test::miss_with_default();

    for (const observation* d : {&d1, &d2}) {
        check(d->caught == "not_found_error", "tu_default: at() on a missing key throws roster::not_found_error", *d);
        check(d->hook_calls_after == d->hook_calls_before, "tu_default: the other TU's ROSTER_THROW hook did not run",
              *d);
        check(contains(d->message, "\"two\""), "tu_default: the message names the missing key", *d);
    }
    check(h.caught == "hook", "tu_hook: at() on a missing key goes through its ROSTER_THROW hook", h);
    check(h.hook_calls_after == h.hook_calls_before + 1, "tu_hook: the hook ran exactly once", h);
    check(contains(h.message, "\"two\""), "tu_hook: the hook received roster's message", h);

    // The tag itself: different, and spelling the configuration letter.
    check(h.abi_namespace != d1.abi_namespace, "the two TUs have different ROSTER_ABI_NAMESPACE names", h);
    check(contains(h.abi_namespace, "_h_"), "tu_hook's ROSTER_ABI_NAMESPACE has the user-hook letter `h`", h);
    check(contains(d1.abi_namespace, "_d_"), "tu_default's ROSTER_ABI_NAMESPACE has the default-hook letter `d`", d1);

    std::printf("tu_hook:    %s, caught %s\ntu_default: %s, caught %s\n", h.abi_namespace.c_str(), h.caught.c_str(),
                d1.abi_namespace.c_str(), d1.caught.c_str());
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("abi.mixed_configurations: OK\n");
    return 0;
}
