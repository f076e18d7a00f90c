// expect: takes counters::per_registry but not counters::per_key
//
// A hot-reload registry's entries live in snapshots rebuilt on every
// replacement, so per-entry hit counts would be lost; only the outer,
// per-registry counters are offered, and per_key is refused when the type is
// instantiated.

#include "roster/hot_reload.hpp"

roster::hot_reload_registry<int, roster::counters::per_key> refused{"refused"};
