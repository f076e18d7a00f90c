// The fixture programs' one assertion: prints "ok  : what" or "FAIL: what"
// and counts failures; main() returns sr_expect::exit_code().
#pragma once

#include <cstdio> // std::printf
#include <string> // std::string

namespace sr_expect {

inline int& failures() {
    static int count = 0;
    return count;
}

inline void expect(bool ok, const std::string& what) {
    std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures();
}

/// 0 when every expectation held, 1 otherwise.
inline int exit_code() { return failures() == 0 ? 0 : 1; }

} // namespace sr_expect
