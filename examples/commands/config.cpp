// examples/commands/config.cpp — the `config` subcommands. "config" itself is
// NOT registered: it is an intermediate node of the tree, which the help tree
// shows (tree_nodes::with_intermediate) and dispatch never lands on.
#include "commands.hpp"

#include <cstdio> // std::printf

namespace {

using commands_example::arguments;

int config_get(const arguments& args) {
    std::printf("%s = %s\n", args.empty() ? "(all)" : args[0].c_str(), args.empty() ? "..." : "42");
    return 0;
}

int config_set(const arguments& args) {
    if (args.size() != 2) {
        std::printf("config set: needs a key and a value\n");
        return 2;
    }
    std::printf("set %s to %s\n", args[0].c_str(), args[1].c_str());
    return 0;
}

int config_remote_add(const arguments& args) {
    std::printf("remote %s added\n", args.empty() ? "origin" : args[0].c_str());
    return 0;
}

ROSTER_REGISTER(commands_example::command_tree(), "config.get", commands_example::command{"print a setting", config_get});
ROSTER_REGISTER(commands_example::command_tree(), "config.set", commands_example::command{"change a setting", config_set});
ROSTER_REGISTER(commands_example::command_tree(), "config.remote.add",
                commands_example::command{"add a remote", config_remote_add});

} // namespace
