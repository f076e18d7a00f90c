// roster/scoped/explain.hpp — what explain() returns: why each registration of a kind won or lost.
//
// Gives: roster::registration_kind, roster::context_tier, roster::verdict,
// roster::explained_candidate, roster::explanation (to_string()).
// Part of the scoped registry (roster/scoped.hpp, docs/scoped.md); include
// roster/scoped.hpp rather than this file.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/format.hpp"
#include "roster/detail/messages.hpp"
#include "roster/source_location.hpp"

#include <cstdint>     // std::uint64_t: registration numbers
#include <vector>      // std::vector: candidates
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v, std::conditional_t, ...
#include <utility>     // std::move, std::forward

ROSTER_BEGIN_NAMESPACE

// ===================================================================== explain

/// What a registration holds.
enum class registration_kind {
    instance,       ///< a ready object ("singleton"), add()
    factory,        ///< a fresh product per lookup, add_factory()
    shared_factory, ///< built once, cached by its scope, add_factory(..., lifetime::shared)
};

/// "instance", "factory" or "shared factory".
constexpr const char* to_string(registration_kind what) noexcept {
    switch (what) {
    case registration_kind::instance: return "instance";
    case registration_kind::factory: return "factory";
    case registration_kind::shared_factory: return "shared factory";
    }
    return "unknown";
}

/// How well a registration's constraint matches a lookup's context, best first.
enum class context_tier {
    exact,         ///< for_context<T> and the context is a T exactly
    base,          ///< for_context<T> and the context declares T as a base (ranked by distance)
    predicate,     ///< when(...) and the predicate holds (ranked by rank)
    unconstrained, ///< no constraint
};

/// "exact context", "base context", "predicate" or "unconstrained".
constexpr const char* to_string(context_tier tier) noexcept {
    switch (tier) {
    case context_tier::exact: return "exact context";
    case context_tier::base: return "base context";
    case context_tier::predicate: return "predicate";
    case context_tier::unconstrained: return "unconstrained";
    }
    return "unknown";
}

/// What explain() says of a candidate.
enum class verdict {
    chosen,    ///< the lookup returns it
    outranked, ///< matches, in the winner's scope, but loses on precedence
    shadowed,  ///< matches, but in a scope farther than the winner's
    skipped,   ///< does not match this lookup
};

/// "chosen", "outranked", "shadowed" or "skipped".
constexpr const char* to_string(verdict outcome) noexcept {
    switch (outcome) {
    case verdict::chosen: return "chosen";
    case verdict::outranked: return "outranked";
    case verdict::shadowed: return "shadowed";
    case verdict::skipped: return "skipped";
    }
    return "unknown";
}

/// One registration of the kind looked up, as explain() judged it.
struct explained_candidate {
    /// The verdict: chosen, outranked, shadowed or skipped.
    verdict outcome{};
    /// Why: for `chosen`, the rule that beat the runner-up; for `outranked`,
    /// the rule the winner beat it by; for `skipped`, why it does not match.
    std::string reason;
    /// The name of the scope holding it.
    std::string scope;
    /// How far up that scope is from the scope asked (0: the scope asked).
    std::size_t scope_distance = 0;
    /// Its number in its scope (1 = the first registered there; newer is larger).
    std::uint64_t number = 0;
    /// What it holds: an instance, a factory or a shared factory.
    registration_kind what{};
    /// The implementation's type name (an instance's static type, a factory's product).
    std::string implementation;
    /// Its constraint, described ("for context FrenchCustomer").
    std::string condition;
    /// Whether it matches the lookup; the three fields after it are
    /// meaningful only when it does.
    bool matches = false;
    /// How well its constraint matches the lookup's context.
    context_tier tier{};
    /// Inheritance distance from the context type (tier base), else 0.
    std::size_t distance = 0;
    /// The predicate's rank (tier predicate), else 0.
    int rank = 0;
    /// Where it was registered.
    source_location where{};
};

/// What a lookup would do, and why: explain()'s result.
struct explanation {
    /// The name of the scope asked.
    std::string registry;
    /// The kind looked up (its type name).
    std::string kind;
    /// The type name of the context the lookup used, or "none".
    std::string context;
    /// The type name of the props the lookup gave, or "none".
    std::string props;
    /// Every scope the lookup searches, nearest first.
    std::vector<std::string> searched;
    /// Every registration of the kind in those scopes, in precedence order:
    /// the winner, the rest of its scope, farther scopes' matches, then those
    /// that do not match (nearest scope first, newest first).
    std::vector<explained_candidate> candidates;
    /// Where explain() was called.
    source_location where{};

    /// Whether the lookup finds something.
    bool found() const noexcept { return !candidates.empty() && candidates.front().outcome == verdict::chosen; }
    /// The winner, or nullptr.
    const explained_candidate* winner() const noexcept { return found() ? &candidates.front() : nullptr; }

    /// The explanation as text, one numbered line per candidate. (A
    /// template only so that including the header compiles no fmt::format
    /// call until it is used; call it as `e.to_string()`.)
    template <class = void>
    std::string to_string() const {
        std::string list;
        for (std::size_t i = 0; i < searched.size(); ++i) list += fmt::format("{}{}", i == 0 ? "" : ", ", detail::quoted(searched[i]));
        std::string text = fmt::format(
            "roster: registry {}: explain kind {} at {}\n  context: {}; props: {}; scopes searched: {}", detail::quoted(registry),
            detail::quoted(kind), detail::describe(where), context, props, list);
        std::size_t index = 0;
        for (const explained_candidate& c : candidates) {
            text += fmt::format("\n  {}. {:<9} {} #{} {} {}, {}", ++index, roster::to_string(c.outcome), detail::quoted(c.scope),
                                c.number, roster::to_string(c.what), c.implementation, c.condition);
            if (c.matches && c.tier != context_tier::unconstrained) {
                text += fmt::format(" [{}", roster::to_string(c.tier));
                if (c.tier == context_tier::base) text += fmt::format(", distance {}", c.distance);
                text += "]";
            }
            text += fmt::format(", added at {}: {}", detail::describe(c.where), c.reason);
        }
        if (candidates.empty()) text += "\n  no registration of this kind in any scope searched";
        if (!found()) text += "\n  nothing matches: get() throws not_found_error";
        return text;
    }
};


ROSTER_END_NAMESPACE // namespace roster
