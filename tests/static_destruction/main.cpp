// tests/static_destruction/main.cpp -- checks that the two files were
// initialised in the order this program's link order gives (argv[1]:
// "registrations,user" or "user,registrations"), then uses every registry
// once, from this thread and from another, so that both threads' snapshot
// caches hold hot-reload snapshots when the process exits. The checks run
// in user.cpp's static destructor, after main() returns.
#include "shared.hpp"

#include <cstdio> // std::printf, std::fprintf
#include <string> // std::string
#include <thread> // std::thread

int main(int argc, char** argv) {
    using namespace static_destruction;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s registrations,user | user,registrations\n",
                     argc > 0 ? argv[0] : "program");
        return 2;
    }
    const std::string order =
        constructed_count == 2 ? std::string(constructed[0]) + "," + constructed[1] : "?";
    std::printf("constructed: %s\n", order.c_str());
    if (order != argv[1]) {
        std::fprintf(
            stderr,
            "static_destruction: the files were initialised in the order %s, expected %s: the "
            "link order did not give the initialisation order this program is for\n",
            order.c_str(), argv[1]);
        return 1;
    }

    auto& codec_registry = roster::default_registry<codecs>();
    codec_registry.add("from-main", std::string("main"));
    auto& frozen_registry = roster::default_registry<frozen>();
    frozen_registry.add("k", 1);
    (void)frozen_registry.freeze();

    local_hot().replace_all({{"a", "main"}});
    bool ok = local_hot().get("a") == std::string("main") &&
              global_hot.get("global") == std::string("v1");
    std::thread reader(
        [&] { ok = ok && local_hot().contains("a") && global_hot.contains("global"); });
    reader.join();
    if (!ok) {
        std::fprintf(stderr, "static_destruction: main() could not read the registries\n");
        return 1;
    }
    std::printf("main: returning; the checks run during static destruction\n");
    return 0;
}
