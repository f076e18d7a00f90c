// diagnostics.hpp: the program's registries over HTTP.
#pragma once

/// Serves GET /debug/registry (every listed registry, as JSON) on
/// 127.0.0.1:`port` (0: a port the system picks) until SIGINT or SIGTERM.
/// Call it before starting any other thread. Returns main()'s exit status.
int serve_diagnostics(int port);
