// Second translation unit of roster_tests: registers at static init from a
// named and from an anonymous namespace, and its own static initialiser reads
// the default registry (safe whatever the initialisation order between files).
#include "multi_tu.hpp"

namespace sr_multi_tu {
ROSTER_REGISTER(roster::default_registry<entries>(), "second", 2); constexpr int second_line = __LINE__;
int second_tu_line() { return second_line; }
} // namespace sr_multi_tu

namespace {
ROSTER_REGISTER(roster::default_registry<sr_multi_tu::entries>(), "third", 3); constexpr int third_line = __LINE__;
const int saw = static_cast<int>(roster::default_registry<sr_multi_tu::entries>().size());
} // namespace

int sr_multi_tu::third_line_of_second_tu() { return third_line; }
int sr_multi_tu::second_tu_saw_at_static_init() { return saw; }
