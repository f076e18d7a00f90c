// The other process of tests/etcd.cpp's two-process tests: announces one key
// under a lease and follows commands on standard input.
//
//   roster_etcd_announce <endpoints,comma-separated> <prefix> <ttl-seconds> <key> <value>
//   stdin:  "set <value>"  announce a new value      -> prints "ok <status>"
//           "quit"         shut down cleanly (revokes the lease) and exit 0
//   stdout: "announced" once the first announcement is in etcd.
// Killed with SIGKILL by the kill -9 test.
#include <roster/etcd.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s endpoints prefix ttl key value\n", argv[0]);
        return 2;
    }
    roster::etcd::options opts;
    opts.endpoints.clear();
    std::string list = argv[1];
    for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = list.find(',', start);
        opts.endpoints.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    opts.heartbeat = std::chrono::milliseconds(300);
    roster::etcd::announcer self("announce-tool", opts, argv[2], std::chrono::seconds(std::stoi(argv[3])));
    const std::string key = argv[4];
    auto first = self.try_announce(key, argv[5]);
    if (!first) {
        std::fprintf(stderr, "%s\n", first.error().message.c_str());
        return 1;
    }
    std::printf("announced\n");
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.rfind("set ", 0) == 0) {
            auto again = self.try_announce(key, line.substr(4));
            std::printf("%s\n", again ? roster::to_string(*again) : again.error().message.c_str());
            std::fflush(stdout);
        } else if (line == "quit") {
            break;
        }
    }
    return self.try_shutdown() ? 0 : 1;
}
