// expect: takes no locking:: policy
//
// A hot-reload registry is always synchronised (per-thread snapshots for
// readers, a writer mutex for replacements); a locking:: tag would suggest
// otherwise and is refused.

#include "roster/hot_reload.hpp"

roster::hot_reload_registry<int, roster::locking::none> unlocked{"unlocked"};
