// examples/diagnostics/main.cpp — a diagnostics endpoint for a program's
// registries: a small HTTP server (cpp-httplib) that serves the catalog of
// listed registries as
//   GET /debug/registry        HTML to a browser, JSON to everything else:
//                              HTML when the request's Accept header prefers
//                              text/html to application/json, else JSON
//                              (curl sends */*: JSON); with Vary: Accept
//   GET /debug/registry.html   HTML (roster/html.hpp), text/html; charset=utf-8
//   GET /debug/registry.json   JSON (roster/json.hpp), application/json
//   GET /metrics               Prometheus text format 0.0.4 (roster/prometheus.hpp)
// bound to 127.0.0.1 only, on a port the OS picks.
//
// Usage: diagnostics [PORT_FILE]
//   Writes the port to PORT_FILE (atomically: the file appears complete) or,
//   without one, prints it on stdout. Serves until SIGTERM or SIGINT, then
//   stops cleanly and exits 0. ctest `example.diagnostics` runs it through
//   check.sh, which fetches the endpoints with curl and checks them with
//   diagnostics_check (check.cpp); ctest `example.diagnostics_browser` runs
//   it through browser.sh, which loads the page in headless Chromium.
#include <roster/json.hpp>
#include <roster/counters.hpp>
#include <roster/catalog.hpp>
#include <roster/html.hpp>
#include <roster/prometheus.hpp>
#include <roster/registry.hpp>

#include <httplib.h>         // httplib::Server
#include <nlohmann/json.hpp> // nlohmann::json::error_handler_t

#include "../common/accept.hpp" // examples::prefers
#include "../common/serve.hpp"  // examples::block_stop_signals, examples::serve

#include <cstdio>      // std::fprintf
#include <string>      // std::string
#include <string_view> // std::string_view

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

} // namespace

int main(int argc, char** argv) {
    // Block the stop signals before any thread exists (examples/common/serve.hpp).
    sigset_t stop_signals;
    if (!examples::block_stop_signals(stop_signals)) {
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

    // The server: read-only endpoints, loopback only.
    const auto serve_json = [](httplib::Response& response) {
        // error_handler_t::replace: a name that is not valid UTF-8 cannot make dump() throw.
        response.set_content(roster::catalog_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                                 "\n",
                             "application/json");
    };
    const auto serve_html = [](httplib::Response& response) {
        response.set_content(roster::catalog_html(), std::string(roster::html_content_type));
    };
    httplib::Server server;
    // Every endpoint is a GET without a body, yet cpp-httplib 0.11 reads a
    // request's body into memory before routing it, with no limit by default
    // and none at all on a chunked one: a client could make the server hold
    // gigabytes (ctest example.diagnostics_hostile sends such bodies). Refuse
    // a Content-Length over 64 KiB (413; cpp-httplib skips the body), and any
    // chunked body before it is read (413, and the connection is closed: what
    // follows on it would be the unread body).
    server.set_payload_max_length(64 * 1024);
    server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
        if (!request.has_header("Transfer-Encoding")) return httplib::Server::HandlerResponse::Unhandled;
        response.status = 413;
        response.set_header("Connection", "close");
        response.set_content("chunked request bodies are not accepted\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });
    server.Get("/debug/registry", [&](const httplib::Request& request, httplib::Response& response) {
        // One URL, two representations: caches must key on Accept.
        response.set_header("Vary", "Accept");
        if (examples::prefers(request.get_header_value("Accept"), "text/html", "application/json"))
            serve_html(response);
        else
            serve_json(response);
    });
    server.Get(R"(/debug/registry\.html)", [&](const httplib::Request&, httplib::Response& response) {
        serve_html(response);
    });
    server.Get(R"(/debug/registry\.json)", [&](const httplib::Request&, httplib::Response& response) {
        serve_json(response);
    });
    server.Get("/metrics", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(roster::to_prometheus(), std::string(roster::prometheus_content_type));
    });

    return examples::serve(server, stop_signals, argc >= 2 ? argv[1] : nullptr, "diagnostics");
}
