// diagnostics.cpp: GET /debug/registry with cpp-httplib and roster/json.hpp.
#include "diagnostics.hpp"

#include <roster/json.hpp> // roster::catalog_json

#include <fmt/core.h>
#include <httplib.h>

#include <pthread.h> // pthread_sigmask, pthread_kill
#include <signal.h>  // sigset_t, sigwait

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

int serve_diagnostics(int port) {
    httplib::Server server;
    server.Get("/debug/registry", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(roster::catalog_json().dump(2) + "\n", "application/json");
    });
    // Loopback only: the endpoint shows the program's insides.
    if (port == 0) port = server.bind_to_any_port("127.0.0.1");
    else if (!server.bind_to_port("127.0.0.1", port)) port = -1;
    if (port <= 0) {
        fmt::print(stderr, "codec_tool: cannot listen on 127.0.0.1\n");
        return 1;
    }

    // Ctrl-C and SIGTERM stop the server cleanly: every thread blocks them,
    // and one thread waits for them (a signal handler could not call stop()).
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::atomic<bool> done{false};
    std::thread stopper([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        while (!server.is_running() && !done) // a stop() before listening starts would be lost
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        server.stop();
    });

    fmt::print("serving http://127.0.0.1:{}/debug/registry until Ctrl-C\n", port);
    std::fflush(stdout);
    const bool served = server.listen_after_bind();
    done = true;
    pthread_kill(stopper.native_handle(), SIGTERM); // wakes the stopper if no signal came
    stopper.join();
    return served ? 0 : 1;
}
