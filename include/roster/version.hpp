// roster/version.hpp — the library's version, the one source of truth.
//
// CMake reads ROSTER_VERSION_MAJOR/MINOR/PATCH from this file; nothing else
// states the version. ROSTER_VERSION is major * 10000 + minor * 100 + patch.
#pragma once

#define ROSTER_VERSION_MAJOR 0
#define ROSTER_VERSION_MINOR 1
#define ROSTER_VERSION_PATCH 0

#define ROSTER_VERSION (ROSTER_VERSION_MAJOR * 10000 + ROSTER_VERSION_MINOR * 100 + ROSTER_VERSION_PATCH)
