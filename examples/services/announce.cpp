// examples/services/announce.cpp — the announcing half of the services demo:
// one instance of a service puts itself into etcd under a lease
// (roster::etcd::announcer), so that resolvers elsewhere see it appear,
// change and disappear.
//
//   announce <endpoints> <ttl-seconds> <service> <address> <weight>
//
// - Announces etcd key services/<service>/<address> = {"weight":<weight>}
//   under a lease of <ttl-seconds>, kept alive in the background. If this
//   process dies without shutting down, etcd deletes the key when the TTL
//   runs out.
// - Reads commands on standard input, one a line:
//     weight <n>   announce the new weight (the same key, a new value)
//     quit         shut down
// - Shuts down cleanly on "quit", at the end of its input, or on SIGTERM or
//   SIGINT: it revokes the lease, so the key disappears at once.
//
// <endpoints> is a comma-separated list (http://127.0.0.1:2379,...).
// Prints one line per step: announced, updated, withdrawn. Exit status 0
// after a clean shutdown, 1 when etcd refused or could not be reached, 2 for
// a usage error.
#include <roster/etcd.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <poll.h>
#include <unistd.h>

namespace {

constexpr std::string_view prefix = "services/";

/// The write end of the self-pipe the signal handler wakes the main loop with.
int signal_pipe_write = -1;

extern "C" void on_signal(int) {
    const char byte = 's';
    const int saved = errno;
    if (::write(signal_pipe_write, &byte, 1) < 0) {
        // nothing to do: the pipe is full, so the main loop wakes anyway
    }
    errno = saved;
}

std::vector<std::string> split_endpoints(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = list.find(',', start);
        out.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

/// A whole number in [low, high], or -1.
long parse_number(const std::string& text, long low, long high) {
    try {
        std::size_t used = 0;
        const long n = std::stol(text, &used);
        if (used == text.size() && n >= low && n <= high) return n;
    } catch (const std::exception&) {
    }
    return -1;
}

std::string weight_json(long weight) { return nlohmann::json{{"weight", weight}}.dump(); }

/// The lines of standard input, read with poll() so that a signal (through
/// the self-pipe) ends the wait as promptly as a line does.
class line_reader {
public:
    explicit line_reader(int wake_fd) : wake_fd_(wake_fd) {}

    enum class outcome { line, end, signalled };

    outcome next(std::string& line) {
        for (;;) {
            if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
                line = buffer_.substr(0, newline);
                buffer_.erase(0, newline + 1);
                return outcome::line;
            }
            if (eof_) {
                if (buffer_.empty()) return outcome::end;
                line = std::exchange(buffer_, {}); // a last line without its newline
                return outcome::line;
            }
            pollfd fds[2] = {{0, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue; // the handler wrote to the pipe: seen next time round
                return outcome::end;
            }
            if ((fds[1].revents & POLLIN) != 0) return outcome::signalled;
            if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                char chunk[4096];
                const ssize_t n = ::read(0, chunk, sizeof chunk);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) eof_ = true;
                else buffer_.append(chunk, static_cast<std::size_t>(n));
            }
        }
    }

private:
    int wake_fd_;
    std::string buffer_;
    bool eof_ = false;
};

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const long ttl = args.size() == 5 ? parse_number(args[1], 1, 3600) : -1;
    const long first_weight = args.size() == 5 ? parse_number(args[4], 0, 1'000'000) : -1;
    if (args.size() != 5 || ttl < 0 || first_weight < 0 || args[2].empty() || args[3].empty()) {
        std::fprintf(stderr, "usage: announce <endpoints> <ttl-seconds> <service> <address> <weight>\n");
        return 2;
    }

    // SIGTERM and SIGINT wake the main loop through a pipe; it then shuts
    // down like at the end of input (destructors run, the lease is revoked).
    int signal_pipe[2];
    if (::pipe(signal_pipe) != 0) {
        std::perror("announce: pipe");
        return 1;
    }
    signal_pipe_write = signal_pipe[1];
    struct sigaction action {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    roster::etcd::options opts;
    opts.endpoints = split_endpoints(args[0]);
    roster::etcd::announcer self{"announce", opts, std::string(prefix), std::chrono::seconds(ttl)};

    const std::string key = args[2] + "/" + args[3]; // payments/10.0.0.7:8443
    const std::string shown = std::string(prefix) + key;
    auto first = self.try_announce(key, weight_json(first_weight));
    if (!first) {
        std::fprintf(stderr, "announce: %s\n", first.error().message.c_str());
        return 1;
    }
    const auto status = self.status();
    std::printf("announced %s = %s (lease %lld, ttl %lld s)\n", shown.c_str(), weight_json(first_weight).c_str(),
                static_cast<long long>(status.lease), static_cast<long long>(status.ttl));
    std::fflush(stdout);

    line_reader input(signal_pipe[0]);
    std::string line;
    const char* why = "end of input";
    for (;;) {
        const auto got = input.next(line);
        if (got == line_reader::outcome::end) break;
        if (got == line_reader::outcome::signalled) {
            why = "signal";
            break;
        }
        if (line == "quit") {
            why = "quit";
            break;
        }
        if (line.empty()) continue;
        const long weight = line.rfind("weight ", 0) == 0 ? parse_number(line.substr(7), 0, 1'000'000) : -1;
        if (weight < 0) {
            std::fprintf(stderr, "announce: ignored \"%s\" (expected \"weight <n>\" or \"quit\")\n", line.c_str());
            continue;
        }
        auto again = self.try_announce(key, weight_json(weight));
        if (!again) {
            std::fprintf(stderr, "announce: %s\n", again.error().message.c_str());
            continue; // the previous value stays announced
        }
        std::printf("updated %s = %s (%s)\n", shown.c_str(), weight_json(weight).c_str(), roster::to_string(*again));
        std::fflush(stdout);
    }

    // Revoking the lease deletes every key announced under it in one step.
    auto done = self.try_shutdown();
    if (!done) {
        std::fprintf(stderr, "announce: %s\n", done.error().message.c_str());
        return 1;
    }
    std::printf("withdrawn %s (%s: lease %lld revoked)\n", shown.c_str(), why, static_cast<long long>(status.lease));
    std::fflush(stdout);
    return 0;
}
