// Startup benchmark, roster flavour: each generated line adds one entry to a
// roster registry at static-init time (recording its source location).
#pragma once
#include "roster/registry.hpp"

roster::registry<int>& startup_registry();

#define ROSTER_BENCH_ADD(id, key, value) const bool id = (startup_registry().add(key, value), true);
