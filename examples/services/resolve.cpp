// examples/services/resolve.cpp — the resolving half of the services demo:
// a local, always-readable copy of every announced service instance,
// mirrored from etcd (roster::etcd::mirror) and decoded from JSON, with a
// line printed for each change.
//
//   resolve <endpoints> [<events> [<timeout-seconds>]]
//
// - Mirrors etcd prefix services/ into a registry of `service` values, keyed
//   "<service>/<address>" (etcd key services/payments/10.0.0.7:8443 is key
//   payments/10.0.0.7:8443). Values are JSON objects {"weight": <n>},
//   decoded with nlohmann::json; a malformed value is refused (the decoder
//   throws) and reported on a "refused" line, never dropped silently.
// - Prints "watching ..." once etcd's prefix was read, then one line per
//   change event:
//     added payments/10.0.0.7:8443 weight=3
//     changed payments/10.0.0.7:8443 weight=5 (was 3)
//     removed payments/10.0.0.7:8443
// - Exits after <events> events (default 3) or <timeout-seconds> (default
//   30), or on SIGTERM or SIGINT, printing the mirror's status first:
//   revision, connected, staleness.
//
// <endpoints> is a comma-separated list (http://127.0.0.1:2379,...).
// Exit status 0 when the events arrived, 1 on a timeout or when etcd could
// not be read, 2 for a usage error.
#include <roster/etcd.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view prefix = "services/";

/// One announced instance of a service.
struct service {
    std::string address; // from the key: payments/10.0.0.7:8443 -> 10.0.0.7:8443
    int weight = 0;      // from the JSON value
    friend bool operator==(const service&, const service&) = default; // "changed" only when it differs
};

/// etcd's bytes to a service; throws (a refusal) on anything malformed.
service decode_service(const roster::etcd::key_value& kv) {
    const auto slash = kv.key.find('/', prefix.size());
    if (slash == std::string::npos || slash + 1 == kv.key.size())
        throw std::invalid_argument("the key is not services/<service>/<address>");
    const nlohmann::json value = nlohmann::json::parse(kv.value); // throws on malformed JSON
    if (!value.is_object()) throw std::invalid_argument("the value is not a JSON object");
    const nlohmann::json& weight = value.at("weight"); // throws when absent
    if (!weight.is_number_integer()) throw std::invalid_argument("\"weight\" is not a whole number");
    const auto w = weight.get<std::int64_t>();
    if (w < 0 || w > 1'000'000) throw std::out_of_range("\"weight\" is out of range [0, 1000000]");
    return {kv.key.substr(slash + 1), static_cast<int>(w)};
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

volatile std::sig_atomic_t signalled = 0;
extern "C" void on_signal(int) { signalled = 1; }

/// "0.123": milliseconds as seconds.
std::string seconds(std::chrono::milliseconds ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms.count() / 1000),
                  static_cast<long long>(ms.count() % 1000));
    return text;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const long wanted = args.size() >= 2 ? parse_number(args[1], 1, 1'000'000) : 3;
    const long timeout_s = args.size() >= 3 ? parse_number(args[2], 1, 86'400) : 30;
    if (args.empty() || args.size() > 3 || wanted < 0 || timeout_s < 0) {
        std::fprintf(stderr, "usage: resolve <endpoints> [<events> [<timeout-seconds>]]\n");
        return 2;
    }
    struct sigaction action {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    // Listeners and the refusal handler run on the mirror's watch thread;
    // main waits for them here.
    std::mutex mutex;
    std::condition_variable heard;
    long events = 0;
    auto print = [&](const std::string& line) {
        const std::lock_guard lock(mutex);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };

    roster::etcd::options opts;
    opts.endpoints = split_endpoints(args[0]);
    roster::etcd::mirror<service> services{"services", opts, std::string(prefix), decode_service,
                                           [&](const roster::etcd::refusal& r) { print("refused " + r.key + ": " + r.message); }};

    auto subscription = services.subscribe([&](const roster::etcd::mirror<service>::event_type& e) {
        if (e.kind == roster::change_kind::unchanged) return; // a watch response that changed nothing
        std::string line = std::string(roster::to_string(e.kind)) + " " + *e.key;
        if (e.current) line += " weight=" + std::to_string(e.current->weight);
        if (e.kind == roster::change_kind::changed) line += " (was " + std::to_string(e.previous->weight) + ")";
        print(line);
        {
            const std::lock_guard lock(mutex);
            ++events;
        }
        heard.notify_all();
    });

    // Waiting for the first read: what the prefix held before is the
    // starting set (printed as a count); the events are what changes after.
    auto synced = services.try_wait_synced(std::chrono::seconds(timeout_s));
    if (!synced) {
        std::fprintf(stderr, "resolve: %s\n", synced.error().message.c_str());
        return 1;
    }
    print("watching " + std::string(prefix) + " on " + services.status().endpoint + " at revision " +
          std::to_string(*synced) + " (" + std::to_string(services.size()) + " entries)");

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    bool complete = false;
    {
        std::unique_lock lock(mutex);
        for (;;) {
            complete = events >= wanted;
            if (complete || signalled != 0 || std::chrono::steady_clock::now() >= deadline) break;
            heard.wait_for(lock, std::chrono::milliseconds(100)); // short: a signal is noticed promptly
        }
    }
    subscription.reset(); // no event after this line

    const auto s = services.status();
    std::printf("status: revision %lld, connected %s, staleness %s s, reconnects %llu, refused %zu, entries %zu\n",
                static_cast<long long>(s.revision), s.connected ? "yes" : "no", seconds(s.staleness).c_str(),
                static_cast<unsigned long long>(s.reconnects), s.refused, services.size());
    if (!complete) {
        const std::lock_guard lock(mutex);
        std::fprintf(stderr, "resolve: %s after %ld of %ld events\n", signalled != 0 ? "stopped by a signal" : "timed out",
                     events, wanted);
        return 1;
    }
    return 0;
}
