// tests/abi: what each translation unit observed, in types that do not come
// from roster (main.cpp includes no roster header, so it has no configuration
// of its own to compare against).
#pragma once

#include <string>

namespace roster_abi_test {

/// What registry<int>::at() on a missing key did in one translation unit.
struct observation {
    std::string abi_namespace; ///< ROSTER_ABI_NAMESPACE as that TU saw it, stringified
    std::string caught;        ///< "hook" (tu_hook's exception), "not_found_error", or "other"
    std::string message;       ///< what the caught exception said
    int hook_calls_before = 0; ///< hook_calls() before the lookup
    int hook_calls_after = 0;  ///< hook_calls() after it
};

/// Times tu_hook.cpp's ROSTER_THROW hook ran (defined in tu_hook.cpp).
int hook_calls();

/// tu_hook.cpp: ROSTER_THROW is user-defined (ABI tag letter `h`).
observation miss_with_hook();
/// tu_default.cpp: the default ROSTER_THROW (ABI tag letter `d`).
observation miss_with_default();

} // namespace roster_abi_test
