// examples/diagnostics/main.cpp — a diagnostics endpoint for a program's
// registries: a small HTTP server (cpp-httplib) that serves the catalog of
// listed registries as
//   GET /debug/registry   JSON (roster/json.hpp), application/json
//   GET /metrics          Prometheus text format 0.0.4 (roster/prometheus.hpp)
// bound to 127.0.0.1 only, on a port the OS picks.
//
// Usage: diagnostics [PORT_FILE]
//   Writes the port to PORT_FILE (atomically: the file appears complete) or,
//   without one, prints it on stdout. Serves until SIGTERM or SIGINT, then
//   stops cleanly and exits 0. ctest `example.diagnostics` runs it through
//   check.sh, which fetches both endpoints with curl and checks them with
//   diagnostics_check (check.cpp).
#include <roster/json.hpp>
#include <roster/counters.hpp>
#include <roster/catalog.hpp>
#include <roster/prometheus.hpp>
#include <roster/registry.hpp>

#include <httplib.h>         // httplib::Server
#include <nlohmann/json.hpp> // nlohmann::json::error_handler_t

#include <pthread.h> // pthread_sigmask, pthread_kill
#include <signal.h>  // sigset_t, sigwait, SIGTERM, SIGINT

#include <atomic>      // std::atomic<bool>
#include <chrono>      // std::chrono::milliseconds
#include <cstdio>      // std::printf, std::fprintf, std::FILE, std::rename
#include <string>      // std::string
#include <string_view> // std::string_view
#include <thread>      // std::thread, std::this_thread::sleep_for

namespace {

// --- what the program registers -------------------------------------------------

using codec_fn = std::string (*)(std::string_view);

std::string identity(std::string_view text) { return std::string(text); }
std::string rot13(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
    }
    return out;
}
std::string gzip_stub(std::string_view text) { return "gz:" + std::string(text); }

/// Listed (in roster::catalog, so the endpoints see them) and counted.
using codec_registry = roster::registry<codec_fn, roster::listing::listed, roster::counters::per_key>;
using driver_registry = roster::registry<std::string, roster::listing::listed, roster::counters::per_registry>;
using status_registry =
    roster::basic_registry<int, std::string, roster::listing::listed, roster::counters::per_key>;

/// Writes `port` to `path` through a temporary file and a rename, so that a
/// reader never sees a partial file.
bool write_port_file(const std::string& path, int port) {
    const std::string temporary = path + ".tmp";
    std::FILE* file = std::fopen(temporary.c_str(), "w");
    if (file == nullptr) return false;
    const bool written = std::fprintf(file, "%d\n", port) > 0;
    const bool closed = std::fclose(file) == 0;
    return written && closed && std::rename(temporary.c_str(), path.c_str()) == 0;
}

} // namespace

int main(int argc, char** argv) {
    // Block the stop signals before any thread exists: every thread (the
    // server's pool included) inherits the mask, and only the stopper thread
    // takes them, with sigwait(). No async-signal-safety concerns anywhere.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
        std::fprintf(stderr, "diagnostics: cannot block SIGINT/SIGTERM\n");
        return 1;
    }

    // The registries, with some traffic so that the counters say something.
    codec_registry codecs{"codecs"};
    codecs.add("identity", &identity);
    codecs.add("rot13", &rot13);
    codecs.add("gzip", &gzip_stub);
    codecs.freeze(); // the full set is known: read-only, lock-free from now on

    driver_registry drivers{"drivers"};
    drivers.add("sqlite", "file:app.db");
    drivers.add("postgres", "postgresql://localhost/app");

    status_registry status_texts{"status_texts"};
    status_texts.add(200, "OK");
    status_texts.add(404, "Not Found");

    for (const char* name : {"gzip", "gzip", "gzip", "rot13", "zstd", "zstd", "brotli"}) {
        if (const auto codec = codecs.get(name)) (void)(*codec)("hello");
    }
    (void)drivers.get("sqlite");
    (void)drivers.get("sqlite");
    (void)drivers.get("mysql");
    (void)status_texts.get(200);
    (void)status_texts.get(500);

    // The server: two read-only endpoints, loopback only.
    httplib::Server server;
    server.Get("/debug/registry", [](const httplib::Request&, httplib::Response& response) {
        // error_handler_t::replace: a name that is not valid UTF-8 cannot make dump() throw.
        response.set_content(roster::catalog_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                                 "\n",
                             "application/json");
    });
    server.Get("/metrics", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(roster::to_prometheus(), std::string(roster::prometheus_content_type));
    });

    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        std::fprintf(stderr, "diagnostics: cannot bind a port on 127.0.0.1\n");
        return 1;
    }

    // The stopper: waits for SIGINT/SIGTERM, then stops the server once it
    // is listening (stop() before listen_after_bind() has started would be lost).
    std::atomic<bool> listen_returned{false};
    std::thread stopper([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        while (!server.is_running() && !listen_returned.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (!listen_returned.load()) server.stop();
    });

    if (argc >= 2) {
        if (!write_port_file(argv[1], port)) {
            std::fprintf(stderr, "diagnostics: cannot write the port to %s\n", argv[1]);
            pthread_kill(stopper.native_handle(), SIGTERM);
            stopper.join();
            return 1;
        }
    } else {
        std::printf("%d\n", port);
    }
    std::printf("diagnostics: serving http://127.0.0.1:%d/debug/registry and /metrics until SIGTERM or SIGINT\n",
                port);
    std::fflush(stdout);

    const bool listened = server.listen_after_bind();
    listen_returned.store(true);
    // If listening ended on its own, wake the stopper (it is waiting in
    // sigwait); if a signal ended it, this one stays pending and is dropped.
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();

    if (!listened) {
        std::fprintf(stderr, "diagnostics: the server failed\n");
        return 1;
    }
    std::printf("diagnostics: stopped\n");
    return 0;
}
