// Startup benchmark, baseline flavour: each generated line inserts one entry
// into a plain std::unordered_map<std::string, int> at static-init time.
#pragma once
#include <string>
#include <unordered_map>

std::unordered_map<std::string, int>& startup_map();

#define ROSTER_BENCH_ADD(id, key, value) const bool id = (startup_map().emplace(key, value), true);
