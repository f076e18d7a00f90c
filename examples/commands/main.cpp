// examples/commands/main.cpp — a command-line program with nested
// subcommands (`commands users list -v`, `commands config remote add x`).
// Each file registers its own commands into one hierarchical registry before
// main() (users.cpp, config.cpp, and "version"/"help" here); main() freezes
// it, dispatches the words of the command line by longest registered prefix,
// and prints a sorted help tree for `commands help` (or an unknown command).
//
//   $ commands users list -v    # runs "users.list" with {"-v"}
//   $ commands help             # the tree, intermediate nodes included
#include "commands.hpp"

#include <cstddef>     // std::size_t
#include <cstdio>      // std::printf
#include <string>      // std::string
#include <string_view> // std::string_view

namespace {

using commands_example::arguments;
using commands_example::command;

int version(const arguments&) {
    std::printf("commands 1.0\n");
    return 0;
}

int help(const arguments&);

ROSTER_REGISTER(commands_example::command_tree(), "version", command{"print the version", version});
ROSTER_REGISTER(commands_example::command_tree(), "help", command{"print this tree", help});

/// The help tree: every node below the root in tree order, indented by
/// depth; intermediate nodes (no command of their own) have no summary.
int help(const arguments&) {
    const auto& tree = commands_example::command_tree();
    std::printf("usage: commands <command> [<subcommand>...] [args]\n");
    tree.visit_descendants(
        "",
        [&](std::string_view id, const command* cmd) {
            std::size_t depth = 0;
            std::size_t last = 0;
            for (std::size_t i = 0; i < id.size(); ++i)
                if (id[i] == tree.separator()) {
                    ++depth;
                    last = i + 1;
                }
            const std::string name(id.substr(last));
            if (cmd == nullptr) // an intermediate node: no command of its own
                std::printf("%*s%s\n", static_cast<int>(2 + 2 * depth), "", name.c_str());
            else
                std::printf("%*s%-*s%s\n", static_cast<int>(2 + 2 * depth), "", static_cast<int>(16 - 2 * depth),
                            name.c_str(), cmd->summary);
        },
        roster::tree_nodes::with_intermediate);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    auto& tree = commands_example::command_tree();
    tree.freeze(); // every file has registered: dispatch is lock-free from here on

    const arguments words(argv + 1, argv + argc);
    if (words.empty()) return help({});
    const auto found = tree.longest_prefix(words);
    if (!found) {
        std::printf("unknown command \"%s\"\n", words[0].c_str());
        help({});
        return 2;
    }
    const arguments rest(words.begin() + static_cast<std::ptrdiff_t>(found->consumed), words.end());
    // A word that names no subcommand, under a node whose subcommands it
    // does not match ("users remove"), is an argument of the deepest command.
    return found->value.run(rest);
}
