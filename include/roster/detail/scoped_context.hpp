// roster/detail/scoped_context.hpp — the run-time picture of context types
// that roster/scoped.hpp needs: one constant descriptor per context type
// (its name and its declared direct bases, with the casts to them), and its
// resolution order (every declared ancestor, nearest first). Internal.
//
// C++ has no run-time reflection of base classes, so a context type declares
// its direct bases (roster::context_type in roster/scoped.hpp); everything
// here is derived from those declarations.
//
// Guarantees: descriptors are constant-initialised (usable from any static
// initialiser, never destroyed); a type's resolution order is computed once,
// on first use, thread-safely (a function-local static), and never changes.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include "roster/detail/type_name.hpp"

#include <array>       // std::array: a descriptor's direct bases
#include <cstddef>     // std::size_t
#include <string_view> // std::string_view: type names
#include <utility>     // std::move
#include <vector>      // std::vector: the resolution order, cast paths

ROSTER_BEGIN_NAMESPACE
namespace detail {

struct context_descriptor;

/// Converts a pointer to a context object into a pointer to one of its
/// direct declared bases (a static_cast, so base-class offsets are honoured).
using context_upcast = const void* (*)(const void*) noexcept;

/// One declared direct base of a context type.
struct context_base_link {
    const context_descriptor* base;
    context_upcast upcast;
};

/// One entry of a context type's resolution order.
struct context_ancestor {
    const context_descriptor* type;
    /// Inheritance distance: 0 for the type itself, 1 for a direct base, ...
    std::size_t distance;
    /// The casts from the context type to this ancestor, in order.
    std::vector<context_upcast> path;
};

/// What roster knows about a context type at run time. One per type; its
/// address is the type's identity.
struct context_descriptor {
    std::string_view name;
    const context_base_link* bases;
    std::size_t base_count;
    /// The resolution order: the type itself first, then its declared
    /// ancestors breadth first — by inheritance distance, and at equal
    /// distance in the order the bases were declared. A base reached twice
    /// (a diamond) appears once, at its nearest position.
    const std::vector<context_ancestor>& (*ancestry)();
};

/// Breadth-first walk of the declared bases of `self`. (A template only so
/// that its body is compiled where it is used: the include cost.)
template <class = void>
std::vector<context_ancestor> build_context_ancestry(const context_descriptor* self) {
    std::vector<context_ancestor> order;
    order.push_back(context_ancestor{self, 0, {}});
    for (std::size_t i = 0; i < order.size(); ++i) {
        const context_descriptor* const current = order[i].type;
        const std::size_t distance = order[i].distance;
        for (std::size_t b = 0; b < current->base_count; ++b) {
            const context_base_link& link = current->bases[b];
            bool seen = false;
            for (const context_ancestor& known : order) seen = seen || known.type == link.base;
            if (seen) continue;
            std::vector<context_upcast> path = order[i].path; // copied before push_back may reallocate
            path.push_back(link.upcast);
            order.push_back(context_ancestor{link.base, distance + 1, std::move(path)});
        }
    }
    return order;
}

/// `static_cast<const Base*>(static_cast<const Derived*>(p))`.
template <class Derived, class Base>
const void* context_upcast_to(const void* object) noexcept {
    return static_cast<const Base*>(static_cast<const Derived*>(object));
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
