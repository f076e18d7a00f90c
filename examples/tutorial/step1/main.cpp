// main.cpp: step 1, a program that builds against roster and {fmt}.
#include <roster/registry.hpp>

#include <fmt/core.h>

#include <string>

int main() {
    roster::registry<std::string> greetings{"greetings"}; // std::string keys and values
    greetings.add("en", "Hello");
    greetings.add("fr", "Bonjour");
    greetings.freeze(); // read-only from now on

    fmt::print("{}, roster! ({} greetings registered)\n", *greetings.get("fr"), greetings.size());
}
