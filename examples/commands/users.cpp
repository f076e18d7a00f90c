// examples/commands/users.cpp — the `users` subcommands, registered from this
// file at static initialisation. "users" itself is registered too: it runs
// when no subcommand follows.
#include "commands.hpp"

#include <cstdio> // std::printf

namespace {

using commands_example::arguments;

int users(const arguments&) {
    std::printf("users: 2 users (try `users list`)\n");
    return 0;
}

int users_list(const arguments& args) {
    const bool verbose = !args.empty() && args[0] == "-v";
    std::printf("alice%s\nbob%s\n", verbose ? " (admin)" : "", verbose ? " (member)" : "");
    return 0;
}

int users_add(const arguments& args) {
    if (args.empty()) {
        std::printf("users add: which user?\n");
        return 2;
    }
    std::printf("added user %s\n", args[0].c_str());
    return 0;
}

ROSTER_REGISTER(commands_example::command_tree(), "users", commands_example::command{"manage users", users});
ROSTER_REGISTER(commands_example::command_tree(), "users.list",
                commands_example::command{"list the users (-v: with roles)", users_list});
ROSTER_REGISTER(commands_example::command_tree(), "users.add", commands_example::command{"add a user", users_add});

} // namespace
