// examples/commands/commands.hpp — what every file of the commands example
// shares: a command (a summary for the help tree and a function), and the
// `commands` domain, whose default registry, a roster::hierarchical_registry,
// each file registers its subcommands into ("users.list", "config.get").
#pragma once

#include <roster/hierarchical.hpp>
#include <roster/static_registration.hpp>

#include <string>      // std::string: the arguments
#include <string_view> // std::string_view: the domain's name
#include <vector>      // std::vector: the arguments

namespace commands_example {

/// What a command receives: the words after its own (`app users list -v`
/// gives {"-v"} to "users.list").
using arguments = std::vector<std::string>;

/// One command: a line for the help tree, and what it does (returns the
/// program's exit status).
struct command {
    const char* summary;
    int (*run)(const arguments& args);
};

/// The domain: roster::default_registry<commands>() is THE command tree of
/// the program, filled before main() by ROSTER_REGISTER in each file.
struct commands {
    using registry_type = roster::hierarchical_registry<command>;
    static constexpr std::string_view name = "commands";
};

inline commands::registry_type& command_tree() { return roster::default_registry<commands>(); }

} // namespace commands_example
