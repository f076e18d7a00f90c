#!/usr/bin/env bash
# examples/commands/check.sh — ctest `example.commands`.
#
# Usage: check.sh <commands>
#
# Runs the commands example with several command lines and checks its output
# and exit status: dispatch by longest registered prefix (the words after it
# are the command's arguments), an intermediate node that is not a command,
# an unknown command, and the sorted help tree.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 <commands>" >&2
    exit 2
fi
program=$1
checks=0

fail() {
    echo "check.sh: FAILED: $*" >&2
    exit 1
}

# expect <status> <expected output> -- <args...>
expect() {
    local want_status=$1 want_output=$2
    shift 3
    local output status=0
    output=$("$program" "$@") || status=$?
    [[ $status == "$want_status" ]] || fail "commands $*: exit status $status, expected $want_status"
    [[ $output == "$want_output" ]] || fail "commands $*: output
$output
expected
$want_output"
    checks=$((checks + 1))
}

expect 0 "commands 1.0" -- version
expect 0 $'alice\nbob' -- users list
expect 0 $'alice (admin)\nbob (member)' -- users list -v
expect 0 "users: 2 users (try \`users list\`)" -- users
expect 0 "users: 2 users (try \`users list\`)" -- users remove bob # no users.remove: "users" runs
expect 0 "added user carol" -- users add carol
expect 2 "users add: which user?" -- users add
expect 0 "key = 42" -- config get key
expect 0 "set a to b" -- config set a b
expect 0 "remote upstream added" -- config remote add upstream

help=$'usage: commands <command> [<subcommand>...] [args]
  config
    get           print a setting
    remote
      add         add a remote
    set           change a setting
  help            print this tree
  users           manage users
    add           add a user
    list          list the users (-v: with roles)
  version         print the version'
expect 0 "$help" -- help
expect 0 "$help" --
expect 2 $'unknown command "config"\n'"$help" -- config  # an intermediate node is not a command
expect 2 $'unknown command "deploy"\n'"$help" -- deploy now

echo "check.sh: OK: $checks command lines answered as expected"
