// examples/common/serve.hpp — what the HTTP examples (diagnostics, router)
// share: serve a cpp-httplib server on 127.0.0.1, on a port the OS picks,
// until SIGTERM or SIGINT, and tell a test script the port through a file.
#pragma once

#include <httplib.h> // httplib::Server

#include <pthread.h>    // pthread_sigmask, pthread_kill
#include <signal.h>     // sigset_t, sigwait, SIGTERM, SIGINT
#include <sys/socket.h> // listen, SOMAXCONN

#include <atomic>  // std::atomic<bool>
#include <chrono>  // std::chrono::milliseconds
#include <cstdio>  // std::printf, std::fprintf, std::FILE, std::rename
#include <string>  // std::string
#include <thread>  // std::thread, std::this_thread::sleep_for

namespace examples {

/// Writes `port` to `path` through a temporary file and a rename, so that a
/// reader never sees a partial file.
inline bool write_port_file(const std::string& path, int port) {
    const std::string temporary = path + ".tmp";
    std::FILE* file = std::fopen(temporary.c_str(), "w");
    if (file == nullptr) return false;
    const bool written = std::fprintf(file, "%d\n", port) > 0;
    const bool closed = std::fclose(file) == 0;
    return written && closed && std::rename(temporary.c_str(), path.c_str()) == 0;
}

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts from
/// now on. Call it first in main(), before any thread exists: only the
/// stopper thread of serve() takes them, with sigwait().
inline bool block_stop_signals(sigset_t& stop_signals) {
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    return pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) == 0;
}

/// Binds `server` to 127.0.0.1 on a port the OS picks, writes the port to
/// `port_file` (or prints it when null), serves until SIGTERM or SIGINT and
/// stops cleanly. `stop_signals`: from block_stop_signals(). `program` names
/// the program in its messages. Returns main()'s exit status.
inline int serve(httplib::Server& server, const sigset_t& stop_signals, const char* port_file, const char* program) {
    // cpp-httplib 0.11 listens with a hard-coded backlog of 5 connections
    // (later versions have CPPHTTPLIB_LISTEN_BACKLOG): a burst of connections
    // overflows it while the accept loop waits for a CPU, and the kernel then
    // drops SYNs that clients retry only after a second or more. Remember the
    // listening socket (the socket-options hook sees it before it is bound)
    // and listen() on it again with the system's maximum, which Linux and the
    // BSDs allow on a listening socket to change its backlog.
    socket_t listening = INVALID_SOCKET;
    server.set_socket_options([&listening](socket_t socket) {
        httplib::default_socket_options(socket);
        listening = socket;
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        std::fprintf(stderr, "%s: cannot bind a port on 127.0.0.1\n", program);
        return 1;
    }
    if (listening == INVALID_SOCKET || ::listen(listening, SOMAXCONN) != 0) {
        std::fprintf(stderr, "%s: cannot raise the listen backlog\n", program);
        return 1;
    }

    // The stopper: waits for SIGINT/SIGTERM, then stops the server once it
    // is listening (stop() before listen_after_bind() has started would be lost).
    // listen_returned: listening is over, or will never start; nothing to stop.
    std::atomic<bool> listen_returned{false};
    std::thread stopper([&] {
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        while (!server.is_running() && !listen_returned.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (!listen_returned.load()) server.stop();
    });

    if (port_file != nullptr) {
        if (!write_port_file(port_file, port)) {
            std::fprintf(stderr, "%s: cannot write the port to %s\n", program, port_file);
            // The server will never run: without this the stopper would wait for it forever.
            listen_returned.store(true);
            pthread_kill(stopper.native_handle(), SIGTERM);
            stopper.join();
            return 1;
        }
    } else {
        std::printf("%d\n", port);
    }
    std::printf("%s: serving http://127.0.0.1:%d until SIGTERM or SIGINT\n", program, port);
    std::fflush(stdout);

    const bool listened = server.listen_after_bind();
    listen_returned.store(true);
    // If listening ended on its own, wake the stopper (it is waiting in
    // sigwait); if a signal ended it, this one stays pending and is dropped.
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();

    if (!listened) {
        std::fprintf(stderr, "%s: the server failed\n", program);
        return 1;
    }
    std::printf("%s: stopped\n", program);
    return 0;
}

} // namespace examples
