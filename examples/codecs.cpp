// examples/codecs.cpp — a first tour of roster: a registry of text codecs.
//
// Shows: add, lookup by a name held in a `const char*`, names(), a duplicate
// refused (with both source locations), get-or-add with try_add + existing(),
// removal through a registration handle, a miss with the nearest names, and
// freeze() refusing a late registration. Returns 0 when every step behaved as
// documented (ctest runs it as `example.codecs`).
#include <roster/registry.hpp>

#include <cctype>      // std::toupper
#include <cstdio>      // std::printf
#include <memory>      // std::shared_ptr, std::make_shared
#include <string>      // std::string
#include <string_view> // std::string_view

namespace {

// --- the things we register ---------------------------------------------------

/// A stateless, shareable text transformation.
struct codec {
    virtual ~codec() = default;
    virtual std::string encode(std::string_view text) const = 0;
};

struct identity_codec final : codec {
    std::string encode(std::string_view text) const override { return std::string(text); }
};

struct rot13_codec final : codec {
    std::string encode(std::string_view text) const override {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z')
                c = static_cast<char>('A' + (c - 'A' + 13) % 26);
        }
        return out;
    }
};

struct reverse_codec final : codec {
    std::string encode(std::string_view text) const override {
        return std::string(text.rbegin(), text.rend());
    }
};

struct upper_codec final : codec {
    std::string encode(std::string_view text) const override {
        std::string out(text);
        for (char& c : out)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return out;
    }
};

} // namespace

// Values are shared_ptr<const codec>: cheap to copy out of the registry (get()
// returns a copy), immutable, and an empty one is refused as null at add().
using codec_ptr = std::shared_ptr<const codec>;
// Keys are std::string; lookups take std::string_view. Default policies:
// duplicates throw, nulls are refused, every member is thread-safe.
using codec_registry = roster::registry<codec_ptr>;

// Explicit registration: one function per library, called from main. Unlike a
// static self-registering object, no linker can drop it.
static void register_builtin_codecs(codec_registry& codecs) {
    codecs.add("identity", std::make_shared<identity_codec>()); // records this file:line
    codecs.add("rot13", std::make_shared<rot13_codec>());
    codecs.add("reverse", std::make_shared<reverse_codec>());
}

// Get-or-add in one locked call (no check-then-add race): try_add never throws
// a roster error; on a duplicate its existing() carries the entry already
// registered and where it was added.
static codec_ptr get_or_add(codec_registry& codecs, const std::string& name, codec_ptr candidate) {
    auto outcome = codecs.try_add(name, candidate);
    if (outcome)
        return candidate; // we added it
    if (outcome.existing()) {
        std::printf("get-or-add \"%s\": already added at line %u, reusing that one\n", name.c_str(),
                    static_cast<unsigned>(outcome.existing()->where.line()));
        return *outcome.existing()->value;
    }
    roster::raise(outcome.error()); // refused for another reason (invalid key, frozen): throw it
}

// The example doubles as a test: report and count anything unexpected.
static int failures = 0;
static void expect(bool ok, const char* what) {
    if (!ok) {
        std::printf("UNEXPECTED: %s\n", what);
        ++failures;
    }
}

int main() {
    codec_registry codecs{"codecs"}; // the name appears in every message
    register_builtin_codecs(codecs);

    // A plugin's codec: keep the handle add() returns to unregister it later.
    codec_registry::registration upper =
        codecs.add("upper", std::make_shared<upper_codec>()).handle();

    // names() is a sorted copy; the registry itself never escapes.
    std::printf("registered (%zu):", codecs.size());
    for (const std::string& name : codecs.names())
        std::printf(" %s", name.c_str());
    std::printf("\n");

    // Look each codec up by a name held in a const char* (no std::string is built).
    const char* const wanted[] = {"identity", "rot13", "reverse", "upper"};
    const std::string_view message = "Hello, roster!";
    for (const char* name : wanted) {
        if (const auto c = codecs.get(name))
            std::printf("%-8s -> %s\n", name, (*c)->encode(message).c_str());
        else
            expect(false, "a registered codec was not found");
    }

    // A second registration under a taken key is refused; the message names
    // the registry, the key, and both places that added it.
    try {
        codecs.add("rot13", std::make_shared<rot13_codec>());
        expect(false, "the duplicate was accepted");
    } catch (const roster::duplicate_key_error& e) {
        std::printf("refused (errc %d): %s\n", static_cast<int>(e.code()), e.what());
    }

    // Get-or-add: "reverse" exists, so we get the registered instance back.
    const codec_ptr reverse = get_or_add(codecs, "reverse", std::make_shared<reverse_codec>());
    expect(reverse == codecs.get("reverse"), "get-or-add returned another instance");

    // The plugin goes away: its handle removes exactly the entry it added.
    expect(upper.remove(), "the handle did not remove its entry");
    std::printf("removed \"upper\" via its handle; contains(\"upper\") = %s\n",
                codecs.contains("upper") ? "true" : "false");

    // A miss: try_at returns the error instead of throwing; the message lists
    // the nearest registered names.
    const auto missing = codecs.try_at("rot31");
    expect(!missing, "a miss returned a value");
    if (!missing)
        std::printf("miss: %s\n", missing.error().message.c_str());

    // Startup is over: freeze. Reads are now lock-free, mutations refused.
    codecs.freeze();
    std::printf("state: %s\n", roster::to_string(codecs.state()));
    try {
        codecs.add("late", std::make_shared<identity_codec>());
        expect(false, "a registration after freeze() was accepted");
    } catch (const roster::frozen_error& e) {
        std::printf("refused: %s\n", e.what());
    }

    return failures == 0 ? 0 : 1;
}
