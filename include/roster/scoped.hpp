// roster/scoped.hpp — roster::basic_scoped_registry: scopes chained to a
// parent and bound to a context, answering "the best implementation of this
// kind for this situation" (the hopscotch registry, in C++), and its alias
// roster::scoped_registry.
//
//   roster::scoped_registry app{"app"};                                // at startup
//   app.add_factory<Greeting>(roster::construct<Greeting>);            // the default
//   app.add_factory<Greeting>(roster::construct<FrenchGreeting>,       // for French customers
//                             roster::for_context<FrenchCustomer>);
//   app.freeze();                                                      // reads now lock-free
//
//   auto request = app.child(customer, "request 42");                  // per request: cheap
//   std::shared_ptr<Greeting> g = request.get<Greeting>();             // the best match for `customer`
//   std::puts(request.explain<Greeting>().to_string().c_str());        // and why
//
// Kinds are C++ types: a registration files an implementation under a kind
// (AnotherGreeting as a kind of Greeting) and a lookup of that kind returns a
// std::shared_ptr<Kind>. A registration is a ready instance ("singleton") or
// a factory, fresh (one product per lookup) or shared (built lazily, once,
// and cached). It may be constrained to a context type — matching that type
// and every type that declares it as a base (roster::context_type) — or to a
// predicate with a declared rank.
//
// Precedence (deterministic; docs/scoped.md lists where hopscotch differs):
//   1. the nearest scope with a match: the scope asked, then its parent, ...;
//   2. in that scope, by constraint: exact context type > nearest declared
//      base (by inheritance distance, then base declaration order; never by
//      registration order) > predicate (higher rank first) > unconstrained;
//   3. at the same tier, an instance beats a factory;
//   4. then the newest registration.
//   Props given at a lookup skip every instance; a factory is a candidate
//   only if it takes props of exactly the type given (or, with none given,
//   takes no props or props it can value-initialise).
//
// Guarantees
// - Thread safety (default locking::shared_mutex): every member may be called
//   concurrently. A lookup takes, in turn, the read lock of each scope it
//   searches — except a scope that is frozen or has never had a
//   registration, which it reads with one acquire load and no lock.
//   Registration takes the scope's write lock. child(), name(), parent(),
//   context() never lock. With locking::none nothing is synchronised.
// - Factories run outside every scope lock. A fresh factory runs in the
//   requesting scope with the lookup's context (a factory registered in a
//   parent resolves its dependencies through the child that asked). A shared
//   instance is built in, owned by and cached in the scope that holds its
//   registration, with that scope's context, exactly once even under
//   concurrent first use (a per-registration mutex; others wait); a factory
//   that throws caches nothing and the next lookup tries again.
// - Exception safety: a refused or failed registration changes nothing.
//   get() lets a factory's own exception propagate unchanged; try_get()
//   returns it as errc::factory_failed with the exception as the cause.
// - A dependency cycle (a factory needing, on the same thread, a kind whose
//   registration is already being built) is reported as factory_failed, not
//   a deadlock or a stack overflow.
// - Messages name the scope, the kind, the context, the scopes searched, and
//   where things were registered and looked up.
//
// Non-guarantees and warnings
// - @warning A parent must outlive its children; a context passed by
//   reference (borrowed) must outlive the scope bound to it and every lookup
//   that uses it. Pass a std::shared_ptr to share ownership instead.
// - @warning Predicates run under the read lock of the scope holding them:
//   they must not register into that scope. Factories must not keep the
//   resolver they are given.
// - @warning Like a frozen roster::factory, concurrent lookups call the SAME
//   stored factory concurrently: it must be safe to call concurrently.
// - The context's type is the static type it was bound with: roster cannot
//   see a dynamic type (bind a FrenchCustomer as a FrenchCustomer, not
//   through a Customer reference).
// - Registrations are never removed: the unit of undo is the scope (register
//   into a child and let it go).
// - Kind and context identities are addresses of inline variables: one per
//   program, except across shared libraries built with hidden visibility.
//
// Complexity: a lookup is, per scope searched, one hash of the kind's
// identity plus one pass over that kind's registrations in that scope
// (constrained ones scan the context type's resolution order, usually a few
// entries). child() allocates nothing unless given a name longer than the
// small-string buffer. A miss or explain() is O(all registrations searched)
// and allocates its text.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/scoped_context.hpp"
#include "roster/detail/storage.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/factory.hpp"
#include "roster/policies.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include "roster/detail/format.hpp" // {fmt}: fmt::format: messages, explain()

#include <algorithm>     // std::stable_sort, std::find
#include <array>         // std::array: a context type's declared bases
#include <atomic>        // std::atomic<bool>: frozen, populated, built flags
#include <cstddef>       // std::size_t
#include <cstdint>       // std::uint64_t: registration numbers
#include <exception>     // std::exception, std::current_exception: a factory's own exception
#include <functional>    // std::function, std::invoke: stored factories and predicates
#include <memory>        // std::shared_ptr, std::unique_ptr, std::make_shared
#include <mutex>         // std::mutex, std::unique_lock, std::lock_guard
#include <optional>      // std::optional
#include <shared_mutex>  // std::shared_lock
#include <string>        // std::string: names, messages
#include <string_view>   // std::string_view: type names
#include <type_traits>   // std::is_convertible_v, std::conditional_t, ...
#include <unordered_map> // the registrations of a scope, by kind
#include <utility>       // std::move, std::forward
#include <vector>        // registrations of a kind, explain() rows

ROSTER_BEGIN_NAMESPACE

template <class... Policies>
class basic_scoped_registry;
template <class Registry>
class basic_resolver;
class scope_context;

// ===================================================================== contexts

/// Declares a context type and its direct bases, for roster's inheritance
/// distance (C++ cannot list a class's bases at run time):
///
///   struct FrenchCustomer : Customer {
///       using roster_context = roster::context_type<FrenchCustomer, Customer>;
///   };
///
/// `Self` must be the declaring type itself (a class that inherits the
/// declaration of its base without declaring its own is a static_assert, so
/// that no type silently takes its base's place), and every `Base` a public,
/// unambiguous base class of it. Types without a declaration are contexts
/// with no bases. For types you cannot edit, specialise roster::context_traits.
template <class Self, class... Bases>
struct context_type {
    using self = Self;
};

namespace detail {
template <class T, class = void>
struct declared_context {
    using type = context_type<T>;
};
template <class T>
struct declared_context<T, std::void_t<typename T::roster_context>> {
    using type = typename T::roster_context;
};
} // namespace detail

/// The customisation point behind context_type: `type` is the declaration
/// of T (by default T's member `roster_context`, else `context_type<T>`, no
/// bases). Specialise it for types you cannot edit:
///
///   template <> struct roster::context_traits<legacy_user> {
///       using type = roster::context_type<legacy_user, legacy_person>;
///   };
template <class T>
struct context_traits {
    using type = typename detail::declared_context<T>::type;
};

namespace detail {

template <class T>
struct context_info;

/// Checks T's declaration and builds its descriptor.
template <class T, class Declaration>
struct context_info_of {
    static_assert(dependent_false<Declaration>,
                  "roster::context_traits<T>::type must be roster::context_type<T, Bases...>");
};

template <class T, class Self, class... Bases>
struct context_info_of<T, context_type<Self, Bases...>> {
    static_assert(std::is_same_v<Self, T>,
                  "roster: this context type inherits the `using roster_context = roster::context_type<Base, ...>` "
                  "declaration of one of its bases; declare its own, `using roster_context = "
                  "roster::context_type<ThisType, DirectBases...>;`, so that lookups see its place in the hierarchy");
    static_assert((std::is_class_v<Bases> && ...) && (std::is_base_of_v<Bases, T> && ...),
                  "roster::context_type<T, Bases...>: every Base must be a base class of T");
    static_assert((std::is_convertible_v<const T*, const Bases*> && ...),
                  "roster::context_type<T, Bases...>: every Base must be a public, unambiguous base of T");
    static_assert(((!std::is_same_v<Bases, T>) && ...), "roster::context_type<T, Bases...>: T cannot be its own base");

    static constexpr std::array<context_base_link, sizeof...(Bases)> links{
        {context_base_link{&context_info<Bases>::descriptor, &context_upcast_to<T, Bases>}...}};

    static const std::vector<context_ancestor>& ancestry() {
        static const std::vector<context_ancestor> order = build_context_ancestry(&context_info<T>::descriptor);
        return order;
    }

    static constexpr context_descriptor descriptor{type_name<T>(), links.data(), links.size(), &ancestry};
};

/// The checked descriptor of context type T (cv-unqualified).
template <class T>
struct context_info : context_info_of<T, typename context_traits<T>::type> {};

template <class T>
inline constexpr bool is_shared_ptr = false;
template <class T>
inline constexpr bool is_shared_ptr<std::shared_ptr<T>> = true;

template <class T>
inline constexpr bool is_props = false;

/// What scope_context may borrow by reference.
template <class T>
concept borrowable_context = std::is_object_v<T> && !std::is_pointer_v<T> && !std::is_array_v<T> &&
                             !is_shared_ptr<T> && !is_props<T> && !std::is_same_v<T, scope_context> &&
                             !std::is_same_v<T, source_location> && !std::is_convertible_v<const T&, std::string_view>;

/// What a lookup accepts as its context: anything scope_context borrows
/// (temporaries too: the lookup ends before they do), a std::shared_ptr, or
/// a scope_context.
template <class C>
concept lookup_context = borrowable_context<C> || is_shared_ptr<C> || std::is_same_v<C, scope_context>;

/// An identity (its address) and a printable name for a type: kinds and props.
struct type_tag {
    std::string_view name;
};
template <class T>
inline constexpr type_tag type_tag_of{type_name<T>()};

} // namespace detail

/// The context a scope is bound to, or a lookup passes: any object, with the
/// static type it was given as, held by reference (borrowed) or shared.
///
///   scope_context a{customer};                                // borrows: customer must outlive its users
///   scope_context b{std::make_shared<FrenchCustomer>("marie")}; // shares ownership
///   scope_context none;                                       // empty
///
/// Implicit, so `app.child(customer)` reads naturally. Binding a temporary
/// is refused at compile time (it would dangle): pass a std::shared_ptr.
/// (Lookups take their context argument directly, temporaries included: it
/// only has to live for the call.) Strings, raw pointers and source
/// locations are not contexts (so that `child("name")` names a scope). An
/// empty context given to child() or to a lookup means "none given": the
/// scope's own is used.
///
/// Thread safety: an immutable value; copying one that shares ownership
/// copies a std::shared_ptr.
class scope_context {
public:
    /// No context.
    scope_context() noexcept = default;

    /// Borrows `object`, as its static type T. @warning `object` must outlive
    /// this context, every copy of it, and every scope bound to it.
    template <class T>
        requires detail::borrowable_context<T>
    scope_context(const T& object) noexcept // NOLINT(google-explicit-constructor)
        : object_(std::addressof(object)), type_(&detail::context_info<std::remove_cv_t<T>>::descriptor) {}

    /// Refused: a temporary context would dangle.
    template <class T>
        requires(!std::is_lvalue_reference_v<T> && detail::borrowable_context<std::remove_cvref_t<T>>)
    scope_context(T&&) { // NOLINT(google-explicit-constructor)
        static_assert(detail::dependent_false<T>,
                      "roster::scope_context: a temporary context would dangle once the full expression ends; pass "
                      "an object that outlives the scope (it is borrowed), or a std::shared_ptr (std::make_shared<T>(...)) "
                      "to share ownership");
    }

    /// Shares ownership of `object` (an empty pointer gives no context), as
    /// the static type T.
    template <class T>
    scope_context(std::shared_ptr<T> object) noexcept // NOLINT(google-explicit-constructor)
        : object_(object.get()),
          type_(object ? &detail::context_info<std::remove_cv_t<T>>::descriptor : nullptr),
          owner_(std::move(object)) {}

    /// Whether there is a context.
    bool has_value() const noexcept { return type_ != nullptr; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The context's type name (as bound), or "none".
    std::string_view type_name() const noexcept { return type_ != nullptr ? type_->name : std::string_view("none"); }

    /// Whether the context is a T: T itself or a type that declares T as a
    /// (direct or indirect) base through roster::context_type.
    template <class T>
    bool is() const {
        return find(&detail::context_info<std::remove_cv_t<T>>::descriptor) != nullptr;
    }

    /// The context as a `const T*` when it is a T (see is()), else nullptr.
    /// The first use of a context type computes its resolution order once.
    template <class T>
    const T* as() const {
        const detail::context_ancestor* found = find(&detail::context_info<std::remove_cv_t<T>>::descriptor);
        if (found == nullptr) return nullptr;
        const void* object = object_;
        for (const detail::context_upcast cast : found->path) object = cast(object);
        return static_cast<const T*>(object);
    }

    /// Whether the context is held by shared ownership (false: borrowed or none).
    bool owning() const noexcept { return owner_ != nullptr; }

private:
    template <class...>
    friend class basic_scoped_registry;

    struct borrow_tag {};
    template <class T>
    scope_context(borrow_tag, const T& object) noexcept
        : object_(std::addressof(object)), type_(&detail::context_info<std::remove_cv_t<T>>::descriptor) {}

    /// A lookup's context argument as a scope_context: the argument itself,
    /// or a borrowing view of it (no reference count is touched).
    template <class C>
    static decltype(auto) for_lookup(const C& argument) noexcept {
        if constexpr (std::is_same_v<C, scope_context>) {
            return static_cast<const scope_context&>(argument);
        } else if constexpr (detail::is_shared_ptr<C>) {
            return argument ? scope_context(borrow_tag{}, *argument) : scope_context();
        } else {
            return scope_context(borrow_tag{}, argument);
        }
    }

    /// The entry of `target` in this context type's resolution order, or null.
    const detail::context_ancestor* find(const detail::context_descriptor* target) const {
        if (type_ == nullptr) return nullptr;
        for (const detail::context_ancestor& ancestor : type_->ancestry())
            if (ancestor.type == target) return &ancestor;
        return nullptr;
    }

    const void* object_ = nullptr;
    const detail::context_descriptor* type_ = nullptr;
    std::shared_ptr<const void> owner_;
};

// ====================================================== registration options

/// Constrains a registration to lookups whose context is a T (T itself:
/// tier "exact context"; a type declaring T as a base: tier "base context",
/// ranked by inheritance distance). Pass it where a roster::constraint is taken.
template <class T>
struct for_context_t {};
/// `roster::for_context<FrenchCustomer>`: see for_context_t.
template <class T>
inline constexpr for_context_t<T> for_context{};

/// What a registration is constrained by.
enum class constraint_kind {
    none,      ///< unconstrained: matches every lookup
    context,   ///< for_context<T>: the lookup's context is a T
    predicate, ///< when(...): a predicate on the lookup's context, with a rank
};

namespace detail {
struct predicate_tag {};
} // namespace detail

/// A registration's constraint: none (the default), a context type
/// (for_context<T>) or a predicate with a rank (roster::when). A regular,
/// copyable value.
class constraint {
public:
    /// Unconstrained.
    constraint() = default;

    /// For context type T (implicit from roster::for_context<T>).
    template <class T>
    constraint(for_context_t<T>) noexcept // NOLINT(google-explicit-constructor)
        : kind_(constraint_kind::context), type_(&detail::context_info<std::remove_cv_t<T>>::descriptor) {}

    /// Used by roster::when; call that instead.
    constraint(detail::predicate_tag, const detail::context_descriptor* on,
               std::function<bool(const scope_context&)> predicate, int rank, std::string label)
        : kind_(constraint_kind::predicate), type_(on), predicate_(std::move(predicate)), rank_(rank),
          label_(std::move(label)) {}

    /// none, context or predicate.
    constraint_kind kind() const noexcept { return kind_; }
    /// The context type (for_context), the predicate's context type (a typed
    /// when<T>), or "" (none, untyped predicate).
    std::string_view context_type() const noexcept { return type_ != nullptr ? type_->name : std::string_view(); }
    /// A predicate's rank (higher wins); 0 otherwise.
    int rank() const noexcept { return rank_; }
    /// A predicate's label, as given to when(); may be empty.
    const std::string& label() const noexcept { return label_; }

    /// "unconstrained", "for context FrenchCustomer", `when "vip" on Customer (rank 5)`.
    std::string describe() const {
        switch (kind_) {
        case constraint_kind::none: return "unconstrained";
        case constraint_kind::context: return fmt::format("for context {}", type_->name);
        case constraint_kind::predicate: break;
        }
        std::string what = label_.empty() ? std::string("when a predicate") : fmt::format("when {:?}", label_);
        if (type_ != nullptr) what += fmt::format(" on {}", type_->name);
        return what + fmt::format(" (rank {})", rank_);
    }

private:
    template <class...>
    friend class basic_scoped_registry;

    constraint_kind kind_ = constraint_kind::none;
    const detail::context_descriptor* type_ = nullptr;
    std::function<bool(const scope_context&)> predicate_;
    int rank_ = 0;
    std::string label_;
};

/// A predicate constraint with a declared rank (higher ranks win among
/// matching predicates). Untyped (T = void): `predicate(const
/// roster::scope_context&) -> bool`, called for every lookup, with an empty
/// context when there is none. Typed: `roster::when<Customer>(predicate, rank)`
/// takes `const Customer&` and matches only when the context is a Customer
/// (roster::scope_context::is).
///
/// @param label names the predicate in explain() and messages.
/// @warning the predicate runs under the read lock of the scope holding the
/// registration, possibly on many threads at once: it must be thread safe
/// and must not register into that scope. Its exceptions propagate out of
/// the lookup (get and try_get alike).
template <class T = void, class Predicate>
constraint when(Predicate predicate, int rank, std::string label = {}) {
    if constexpr (std::is_void_v<T>) {
        static_assert(std::is_invocable_r_v<bool, const Predicate&, const scope_context&>,
                      "roster::when(predicate, rank): the predicate must be callable as "
                      "bool(const roster::scope_context&); for a typed one, write roster::when<ContextType>(...)");
        return constraint(detail::predicate_tag{}, nullptr, std::function<bool(const scope_context&)>(std::move(predicate)),
                          rank, std::move(label));
    } else {
        static_assert(std::is_invocable_r_v<bool, const Predicate&, const T&>,
                      "roster::when<T>(predicate, rank): the predicate must be callable as bool(const T&)");
        std::function<bool(const scope_context&)> typed = [p = std::move(predicate)](const scope_context& context) {
            const T* object = context.template as<T>();
            return object != nullptr && static_cast<bool>(std::invoke(p, *object));
        };
        return constraint(detail::predicate_tag{}, &detail::context_info<std::remove_cv_t<T>>::descriptor,
                          std::move(typed), rank, std::move(label));
    }
}

/// How long a factory's product lives.
namespace lifetime {
/// A new product for every lookup (the default).
struct fresh_t {
    explicit constexpr fresh_t() = default;
};
/// Built by the first lookup that needs it, then cached and owned by the
/// scope holding the registration; every later lookup gets the same object.
struct shared_t {
    explicit constexpr shared_t() = default;
};
inline constexpr fresh_t fresh{};
inline constexpr shared_t shared{};
} // namespace lifetime

namespace detail {
template <class L>
inline constexpr bool is_lifetime = std::is_same_v<L, lifetime::fresh_t> || std::is_same_v<L, lifetime::shared_t>;
} // namespace detail

/// Runtime arguments for a lookup ("props", after hopscotch), passed on to
/// the factory as `const P&`: `scope.get<Greeting>(roster::props{greeting_props{"Bonjour"}})`.
/// A lookup with props skips every instance, and considers only factories
/// that take props of exactly type P.
template <class P>
class props {
    static_assert(std::is_object_v<P> && !std::is_const_v<P> && !std::is_array_v<P>,
                  "roster::props<P>: P must be a non-const object type");

public:
    /// Holds `value`.
    explicit props(P value) : value_(std::move(value)) {}
    /// The value passed to the factory.
    const P& value() const noexcept { return value_; }

private:
    P value_;
};
template <class P>
props(P) -> props<P>;

namespace detail {
template <class P>
inline constexpr bool is_props<props<P>> = true;
} // namespace detail

/// A factory that default-constructs T: `scope.add_factory<Greeting>(roster::construct<AnotherGreeting>)`
/// is hopscotch's `registry.register(AnotherGreeting, kind=Greeting)`.
template <class T>
struct construct_t {
    static_assert(std::is_default_constructible_v<T>, "roster::construct<T>: T must be default-constructible");
    /// `std::make_shared<T>()`.
    std::shared_ptr<T> operator()() const { return std::make_shared<T>(); }
};
/// See construct_t.
template <class T>
inline constexpr construct_t<T> construct{};

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
    verdict outcome{};
    /// Why: for `chosen`, the rule that beat the runner-up; for `outranked`,
    /// the rule the winner beat it by; for `skipped`, why it does not match.
    std::string reason;
    /// The scope holding it, and how far up it is (0: the scope asked).
    std::string scope;
    std::size_t scope_distance = 0;
    /// Its number in its scope (1 = the first registered there; newer is larger).
    std::uint64_t number = 0;
    registration_kind what{};
    /// The implementation's type name (an instance's static type, a factory's product).
    std::string implementation;
    /// Its constraint, described ("for context FrenchCustomer").
    std::string condition;
    /// Whether it matches the lookup; the three fields after it are
    /// meaningful only when it does.
    bool matches = false;
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
    /// The scope asked, the kind, the context used ("none") and the props
    /// type ("none").
    std::string registry;
    std::string kind;
    std::string context;
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

    /// The explanation as text, one numbered line per candidate.
    std::string to_string() const {
        std::string list;
        for (std::size_t i = 0; i < searched.size(); ++i) list += fmt::format("{}{:?}", i == 0 ? "" : ", ", searched[i]);
        std::string text = fmt::format(
            "roster: registry {:?}: explain kind {:?} at {}\n  context: {}; props: {}; scopes searched: {}", registry,
            kind, detail::describe(where), context, props, list);
        std::size_t index = 0;
        for (const explained_candidate& c : candidates) {
            text += fmt::format("\n  {}. {:<9} {:?} #{} {} {}, {}", ++index, roster::to_string(c.outcome), c.scope,
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

// ==================================================================== resolver

/// What a factory is given: lookups through the scope that runs it, with the
/// context of the lookup that asked (a fresh factory: the requesting scope
/// and the lookup's context; a shared one: the scope holding it and that
/// scope's context). A factory may take it as its first parameter:
///
///   app.add_factory<Renderer>([](const roster::scoped_registry::resolver& r) {
///       return std::make_shared<Renderer>(r.get<Greeting>());   // through the child that asked
///   });
///
/// @warning valid only while the factory runs: never keep it.
template <class Registry>
class basic_resolver {
public:
    /// As Registry::get, through this scope with this context.
    template <class Kind>
    std::shared_ptr<Kind> get(source_location where = source_location::current()) const {
        return scope_->template find<Kind, false>(typename Registry::request{context_, nullptr, nullptr}, where).value();
    }
    /// As Registry::get with props.
    template <class Kind, class P>
    std::shared_ptr<Kind> get(const props<P>& given, source_location where = source_location::current()) const {
        return scope_
            ->template find<Kind, false>(
                typename Registry::request{context_, &given.value(), &detail::type_tag_of<P>}, where)
            .value();
    }
    /// As Registry::try_get, through this scope with this context.
    template <class Kind>
    result<std::shared_ptr<Kind>> try_get(source_location where = source_location::current()) const {
        return scope_->template find<Kind, true>(typename Registry::request{context_, nullptr, nullptr}, where);
    }
    /// As Registry::try_get with props.
    template <class Kind, class P>
    result<std::shared_ptr<Kind>> try_get(const props<P>& given,
                                          source_location where = source_location::current()) const {
        return scope_->template find<Kind, true>(
            typename Registry::request{context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// As Registry::contains, with this context.
    template <class Kind>
    bool contains() const {
        return scope_->template contains<Kind>(*context_);
    }
    /// The context of the lookup that runs the factory (may be empty).
    const scope_context& context() const noexcept { return *context_; }
    /// `context().as<T>()`.
    template <class T>
    const T* context_as() const {
        return context_->template as<T>();
    }
    /// The scope lookups go through.
    const Registry& scope() const noexcept { return *scope_; }

private:
    friend Registry;
    basic_resolver(const Registry& scope, const scope_context& context) noexcept : scope_(&scope), context_(&context) {}

    const Registry* scope_;
    const scope_context* context_;
};

// ============================================================ the registry

namespace detail {

template <class F>
concept deducible_signature = requires(F& f) { std::function{f}; };

template <class F>
struct function_signature;
template <class R, class... A>
struct function_signature<std::function<R(A...)>> {
    using type = R(A...);
};

/// A factory's product: std::shared_ptr<T>, std::unique_ptr<T> or a T.
template <class R>
struct product_traits {
    using element = R;
    static std::shared_ptr<R> share(R&& value) { return std::make_shared<R>(std::move(value)); }
};
template <class T>
struct product_traits<std::shared_ptr<T>> {
    using element = T;
    static std::shared_ptr<T> share(std::shared_ptr<T>&& value) noexcept { return std::move(value); }
};
template <class T, class D>
struct product_traits<std::unique_ptr<T, D>> {
    using element = T;
    static std::shared_ptr<T> share(std::unique_ptr<T, D>&& value) { return std::shared_ptr<T>(std::move(value)); }
};

/// The shapes of factory roster accepts: (), (resolver), (props), (resolver, props).
template <class Signature, class Resolver>
struct factory_shape {
    static constexpr bool valid = false;
    using product = void;
    using props_type = void;
    static constexpr bool takes_resolver = false;
};
template <class R, class Resolver>
struct factory_shape<R(), Resolver> {
    static constexpr bool valid = true;
    using product = std::remove_cvref_t<R>;
    using props_type = void;
    static constexpr bool takes_resolver = false;
};
template <class R, class A, class Resolver>
struct factory_shape<R(A), Resolver> {
    static constexpr bool takes_resolver = std::is_same_v<std::remove_cvref_t<A>, Resolver>;
    static constexpr bool valid = takes_resolver || std::is_invocable_v<void (*)(A), const std::remove_cvref_t<A>&>;
    using product = std::remove_cvref_t<R>;
    using props_type = std::conditional_t<takes_resolver, void, std::remove_cvref_t<A>>;
};
template <class R, class A, class B, class Resolver>
struct factory_shape<R(A, B), Resolver> {
    static constexpr bool takes_resolver = true;
    static constexpr bool valid = std::is_same_v<std::remove_cvref_t<A>, Resolver> &&
                                  std::is_invocable_v<void (*)(B), const std::remove_cvref_t<B>&>;
    using product = std::remove_cvref_t<R>;
    using props_type = std::remove_cvref_t<B>;
};

template <class T>
inline constexpr bool is_std_function = false;
template <class S>
inline constexpr bool is_std_function<std::function<S>> = true;

/// The registrations being built on this thread, innermost last: how a
/// dependency cycle is told from recursion that terminates.
struct building_frame {
    const void* registration;
    std::string_view kind;
};
inline std::vector<building_frame>& building_stack() {
    thread_local std::vector<building_frame> stack;
    return stack;
}
inline bool is_building(const void* registration) {
    for (const building_frame& frame : building_stack())
        if (frame.registration == registration) return true;
    return false;
}
/// `"A" -> "B" -> "A"`: the cycle that building `registration` again would close.
inline std::string building_cycle(const void* registration, std::string_view kind) {
    std::string chain;
    bool in_cycle = false;
    for (const building_frame& frame : building_stack()) {
        in_cycle = in_cycle || frame.registration == registration;
        if (in_cycle) chain += fmt::format("{:?} -> ", frame.kind);
    }
    return chain + fmt::format("{:?}", kind);
}
/// Marks a registration as being built on this thread for its lifetime.
class building_guard {
public:
    building_guard(const void* registration, std::string_view kind) {
        building_stack().push_back(building_frame{registration, kind});
    }
    building_guard(const building_guard&) = delete;
    building_guard& operator=(const building_guard&) = delete;
    ~building_guard() { building_stack().pop_back(); }
};

} // namespace detail

/// Scopes chained to a parent and bound to a context, holding registrations
/// of implementations for kinds (C++ types). See the file comment for the
/// precedence rules and guarantees, and docs/scoped.md.
///
/// @tparam Policies at most one locking:: policy (shared_mutex, the
///         default; sharded; none). Every scope of a chain has the same type.
///
/// A scope is neither copyable nor movable; child() returns one by value
/// (guaranteed copy elision): `auto request = app.child(customer);`.
template <class... Policies>
class basic_scoped_registry {
    static_assert((policy<Policies> && ...),
                  "roster::basic_scoped_registry<Policies...>: every argument must be a policy tag such as "
                  "roster::locking::none");
    static_assert((detail::in_category<Policies, policy_category::locking> && ...),
                  "roster::basic_scoped_registry takes only a locking:: policy (duplicates are its point, nulls "
                  "are always refused, and it has no keys to store)");
    static_assert(detail::count_in_category<policy_category::locking, Policies...> <= 1,
                  "roster::basic_scoped_registry: more than one locking:: policy given");

public:
    using locking_policy = detail::select_policy_t<policy_category::locking, locking::shared_mutex, Policies...>;
    /// What factories are given to resolve their dependencies.
    using resolver = basic_resolver<basic_scoped_registry>;

    /// A root scope called `name` (used in every message), bound to
    /// `context` (none by default). Not thread safe (nothing else can use it yet).
    explicit basic_scoped_registry(std::string name = "scoped_registry", scope_context context = {})
        : name_(std::move(name)), context_(std::move(context)) {}

    basic_scoped_registry(const basic_scoped_registry&) = delete;
    basic_scoped_registry& operator=(const basic_scoped_registry&) = delete;
    basic_scoped_registry(basic_scoped_registry&&) = delete;
    basic_scoped_registry& operator=(basic_scoped_registry&&) = delete;
    ~basic_scoped_registry() = default;

    // ----------------------------------------------------------------- scopes

    /// A child scope called "child", inheriting this scope's context. Lookups
    /// in the child search it, then this scope and its ancestors.
    /// @warning this scope must outlive the child.
    /// Thread safe, lock-free, allocates nothing.
    basic_scoped_registry child() const { return basic_scoped_registry(child_tag{}, *this, context_, std::string()); }

    /// A child scope called `name` (used in its messages), inheriting this
    /// scope's context. Thread safe, lock-free; allocates only if `name` does.
    basic_scoped_registry child(std::string name) const {
        return basic_scoped_registry(child_tag{}, *this, context_, std::move(name));
    }

    /// A child scope called "child", bound to `context` (an empty one
    /// inherits this scope's). `app.child(customer)` borrows `customer`;
    /// `app.child(std::make_shared<FrenchCustomer>(...))` shares it.
    /// @warning this scope, and a borrowed context, must outlive the child.
    /// Thread safe, lock-free, allocates nothing.
    basic_scoped_registry child(scope_context context) const { return child(std::move(context), std::string()); }

    /// A child scope called `name`, bound to `context` (an empty one
    /// inherits this scope's). Thread safe, lock-free; allocates only if
    /// `name` does.
    basic_scoped_registry child(scope_context context, std::string name) const {
        if (!context) context = context_;
        return basic_scoped_registry(child_tag{}, *this, std::move(context), std::move(name));
    }

    /// The scope's name, as given; "child" for a child created without one
    /// (or with an empty one). Lock-free.
    const std::string& name() const noexcept {
        if (!name_.empty()) return name_;
        return parent_ != nullptr ? unnamed(0) : unnamed(1);
    }
    /// The parent scope, or nullptr for a root. Lock-free.
    const basic_scoped_registry* parent() const noexcept { return parent_; }
    /// 0 for a root, 1 for its children, ... Lock-free.
    std::size_t depth() const noexcept { return depth_; }
    /// The scope's context: its own, or inherited from its parent; may be
    /// empty. Lock-free.
    const scope_context& context() const noexcept { return context_; }

    // ------------------------------------------------------------ instances

    /// Registers a ready instance of `Kind` ("singleton"): lookups that pick
    /// it return this very object. Kind defaults to Impl.
    ///
    /// @param instance an Impl publicly derived from Kind (or Kind itself).
    /// @param condition none (default), for_context<T> or when(...).
    /// @returns the registration's number in this scope (1, 2, ...: its age).
    /// @throws null_value_error for an empty pointer; frozen_error after freeze().
    /// Strong guarantee. Takes the write lock. Amortised O(1).
    template <class Kind = void, class Impl>
    std::uint64_t add(std::shared_ptr<Impl> instance, source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), constraint{}, where).value();
    }
    /// add() with a constraint.
    template <class Kind = void, class Impl>
    std::uint64_t add(std::shared_ptr<Impl> instance, constraint condition,
                      source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), std::move(condition), where).value();
    }
    /// add() returning its refusal (errc::null_value, errc::frozen) instead
    /// of raising it. May propagate std::bad_alloc.
    template <class Kind = void, class Impl>
    [[nodiscard]] result<std::uint64_t> try_add(std::shared_ptr<Impl> instance,
                                                source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), constraint{}, where);
    }
    /// try_add() with a constraint.
    template <class Kind = void, class Impl>
    [[nodiscard]] result<std::uint64_t> try_add(std::shared_ptr<Impl> instance, constraint condition,
                                                source_location where = source_location::current()) {
        using kind_type = std::conditional_t<std::is_void_v<Kind>, Impl, Kind>;
        check_kind<kind_type>();
        static_assert(std::is_convertible_v<Impl*, kind_type*>,
                      "roster: add<Kind>(std::shared_ptr<Impl>): Impl must be Kind or publicly derived from it");
        if (const std::string_view reason = on_null::reject::refusal(instance); !reason.empty()) {
            return detail::null_message(name(), detail::describe_key(detail::type_name<kind_type>()),
                                        detail::type_name<std::shared_ptr<Impl>>(), reason, where);
        }
        auto made = std::make_unique<record>();
        made->what = registration_kind::instance;
        made->implementation = detail::type_name<Impl>();
        made->condition = std::move(condition);
        made->where = where;
        made->instance = std::static_pointer_cast<void>(std::shared_ptr<kind_type>(std::move(instance)));
        return insert(kind_id<kind_type>(), detail::type_name<kind_type>(), std::move(made), where);
    }

    // ------------------------------------------------------------ factories

    /// Registers a factory for `Kind`, run by lookups that pick it — in the
    /// requesting scope, with the lookup's context (fresh, the default), or
    /// once, in this scope (lifetime::shared).
    ///
    /// @param make a function, function pointer or callable with one
    ///        non-template operator(), taking (), (const resolver&),
    ///        (const Props&) or (const resolver&, const Props&), and returning
    ///        a std::shared_ptr<T>, std::unique_ptr<T> or a T, where T is Kind
    ///        or publicly derived from it. Kind defaults to T. A factory that
    ///        takes props is called with the lookup's props, or with a
    ///        value-initialised Props when the lookup gives none (if Props is
    ///        default-constructible; otherwise it needs props).
    /// @param condition none (default), for_context<T> or when(...).
    /// @param lifetime lifetime::fresh (default) or lifetime::shared (which
    ///        cannot take props: a static_assert).
    /// @returns the registration's number in this scope.
    /// @throws null_value_error for a null function pointer or an empty
    ///         std::function; frozen_error after freeze().
    /// Strong guarantee. Takes the write lock. Amortised O(1).
    template <class Kind = void, class Factory>
    std::uint64_t add_factory(Factory make, source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), constraint{}, where).value();
    }
    /// add_factory() with a constraint.
    template <class Kind = void, class Factory>
    std::uint64_t add_factory(Factory make, constraint condition, source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), std::move(condition), where).value();
    }
    /// add_factory() with a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    std::uint64_t add_factory(Factory make, Lifetime, source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make), constraint{},
                                                                                    where)
            .value();
    }
    /// add_factory() with a constraint and a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    std::uint64_t add_factory(Factory make, constraint condition, Lifetime,
                              source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make),
                                                                                    std::move(condition), where)
            .value();
    }
    /// add_factory() returning its refusal instead of raising it.
    template <class Kind = void, class Factory>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), constraint{}, where);
    }
    /// try_add_factory() with a constraint.
    template <class Kind = void, class Factory>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, constraint condition,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), std::move(condition), where);
    }
    /// try_add_factory() with a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, Lifetime,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make), constraint{},
                                                                                    where);
    }
    /// try_add_factory() with a constraint and a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, constraint condition, Lifetime,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make),
                                                                                    std::move(condition), where);
    }

    // --------------------------------------------------------------- lookups
    //
    // Every lookup takes, optionally, a context for this call instead of the
    // scope's (`Context`: any object — borrowed for the call, so a temporary
    // is fine —, a std::shared_ptr, or a roster::scope_context; an empty one
    // means the scope's), and props (roster::props<P>).

    /// The best implementation of `Kind` for this scope's context (see the
    /// precedence rules): an instance, a fresh factory's new product (built
    /// through this scope), or a shared instance (built once by its scope).
    ///
    /// @returns a non-null std::shared_ptr<Kind>.
    /// @throws not_found_error when nothing matches (naming the scope, the
    ///         kind, `where`, the context, the scopes searched, and why each
    ///         registration of the kind did not apply, or the nearest
    ///         registered kinds); whatever the factory throws, unchanged;
    ///         factory_error for a null product or a dependency cycle.
    /// Thread safe. Complexity: see the file comment; an instance costs no
    /// allocation.
    template <class Kind>
    std::shared_ptr<Kind> get(source_location where = source_location::current()) const {
        return find<Kind, false>(request{&context_, nullptr, nullptr}, where).value();
    }
    /// get() with `context` instead of the scope's, for this call (a fresh
    /// factory and its dependencies see it too).
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    std::shared_ptr<Kind> get(const Context& context, source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return find<Kind, false>(request{&effective(given), nullptr, nullptr}, where).value();
    }
    /// get() with props: instances are skipped, and only factories taking a
    /// `P` are candidates; the props reach the factory as `const P&`.
    template <class Kind, class P>
    std::shared_ptr<Kind> get(const props<P>& given, source_location where = source_location::current()) const {
        return find<Kind, false>(request{&context_, &given.value(), &detail::type_tag_of<P>}, where).value();
    }
    /// get() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    std::shared_ptr<Kind> get(const Context& context, const props<P>& given,
                              source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return find<Kind, false>(request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where)
            .value();
    }

    /// get() returning every failure instead of raising it: errc::not_found
    /// (the same message), errc::factory_failed when the factory threw (its
    /// exception is error().cause: `.value()` rethrows it unchanged),
    /// produced a null pointer, or closed a dependency cycle. A predicate's
    /// exception still propagates; so may std::bad_alloc.
    template <class Kind>
    result<std::shared_ptr<Kind>> try_get(source_location where = source_location::current()) const {
        return find<Kind, true>(request{&context_, nullptr, nullptr}, where);
    }
    /// try_get() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    result<std::shared_ptr<Kind>> try_get(const Context& context,
                                          source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return find<Kind, true>(request{&effective(given), nullptr, nullptr}, where);
    }
    /// try_get() with props.
    template <class Kind, class P>
    result<std::shared_ptr<Kind>> try_get(const props<P>& given,
                                          source_location where = source_location::current()) const {
        return find<Kind, true>(request{&context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// try_get() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    result<std::shared_ptr<Kind>> try_get(const Context& context, const props<P>& given,
                                          source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return find<Kind, true>(request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where);
    }

    /// Whether get<Kind>() would find a registration (nothing is built;
    /// predicates run). Never throws a roster error. Thread safe.
    template <class Kind>
    bool contains() const {
        return select(kind_id<Kind>(), request{&context_, nullptr, nullptr}).found != nullptr;
    }
    /// contains() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    bool contains(const Context& context) const {
        const scope_context& given = scope_context::for_lookup(context);
        return select(kind_id<Kind>(), request{&effective(given), nullptr, nullptr}).found != nullptr;
    }

    /// What get<Kind>() would return, and why: every registration of Kind in
    /// the scopes searched, in precedence order, each with its verdict and
    /// reason (see roster::explanation; to_string() prints it). Builds
    /// nothing; runs the predicates. Never throws a roster error. Thread
    /// safe. O(registrations of Kind in the scopes searched), plus their text.
    template <class Kind>
    explanation explain(source_location where = source_location::current()) const {
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(), request{&context_, nullptr, nullptr},
                               where);
    }
    /// explain() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    explanation explain(const Context& context, source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&effective(given), nullptr, nullptr}, where);
    }
    /// explain() with props.
    template <class Kind, class P>
    explanation explain(const props<P>& given, source_location where = source_location::current()) const {
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// explain() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    explanation explain(const Context& context, const props<P>& given,
                        source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where);
    }

    /// The number of registrations in this scope (not its ancestors).
    std::size_t size() const {
        return read([](const map_type* map) {
            std::size_t count = 0;
            if (map != nullptr)
                for (const auto& item : *map) count += item.second.records.size();
            return count;
        });
    }

    // ------------------------------------------------------------ lifecycle

    /// Makes this scope read-only for good: later registrations into it are
    /// refused with frozen_error naming `where`, and lookups read it without
    /// a lock. Children can still be created and registered into. Shared
    /// instances are still built on first use. Idempotent; the first call's
    /// location is kept.
    void freeze(source_location where = source_location::current()) {
        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) return;
        frozen_at_ = where;
        frozen_.store(true, std::memory_order_release);
    }
    /// Whether freeze() was called on this scope. One acquire load.
    bool frozen() const noexcept { return frozen_.load(std::memory_order_acquire); }
    /// Where freeze() was first called, or std::nullopt.
    std::optional<source_location> frozen_at() const noexcept {
        if (!frozen()) return std::nullopt;
        return frozen_at_;
    }

private:
    template <class>
    friend class basic_resolver;

    /// The names of unnamed scopes: "child" (0) and "scoped_registry" (1).
    /// Never destroyed, so usable during static destruction.
    static const std::string& unnamed(int which) noexcept {
        static const std::string* const names = new const std::string[2]{"child", "scoped_registry"};
        return names[which];
    }

    struct child_tag {};
    basic_scoped_registry(child_tag, const basic_scoped_registry& parent, scope_context context, std::string name)
        : parent_(&parent), depth_(parent.depth_ + 1), name_(std::move(name)), context_(std::move(context)) {}

    static constexpr bool synchronised = !std::is_same_v<locking_policy, locking::none>;
    using mutex_type = typename locking_policy::mutex_type;
    using build_mutex_type = std::conditional_t<synchronised, std::mutex, detail::null_mutex>;

    /// One registration. Never moved (its address identifies it while it is
    /// built) and never removed before its scope is destroyed.
    struct record {
        registration_kind what = registration_kind::instance;
        std::uint64_t number = 0;
        source_location where{};
        std::string_view implementation; // type name
        std::string_view product;        // a factory's product type name
        constraint condition;
        std::shared_ptr<void> instance; // points at the Kind subobject
        std::function<std::shared_ptr<void>(const resolver&, const void*)> make;
        const detail::type_tag* props_type = nullptr; // the props a factory takes; null: none
        bool props_optional = false;                  // callable without props (value-initialised)
        // lifetime::shared: built once
        mutable build_mutex_type build_mutex;
        mutable std::atomic<bool> built{false};
        mutable std::shared_ptr<void> cached;
    };
    struct slot {
        std::string_view kind_name;
        std::vector<std::unique_ptr<record>> records;
    };
    using map_type = std::unordered_map<const void*, slot>;

    /// One lookup: the context it uses (the call's or the scope's, never
    /// null, may be empty) and its props.
    struct request {
        const scope_context* context;
        const void* props;
        const detail::type_tag* props_type;
    };

    /// Why a registration does not match a request.
    enum class mismatch {
        none,
        instance_with_props,
        takes_no_props,
        other_props,
        needs_props,
        no_context,
        unrelated_context,
        predicate_false
    };

    /// The precedence key of a matching registration (smaller is better, see precedes()).
    struct match_key {
        context_tier tier = context_tier::unconstrained;
        std::size_t distance = 0;
        std::size_t order = 0; // position in the context type's resolution order
        int rank = 0;
        bool factory = false;
        std::uint64_t number = 0;
    };

    struct selection {
        const record* found = nullptr;
        const basic_scoped_registry* owner = nullptr;
    };

    template <class Kind>
    static constexpr void check_kind() {
        static_assert(std::is_class_v<Kind> || std::is_union_v<Kind> || std::is_scalar_v<Kind>,
                      "roster: a kind must be an object type (a class, usually)");
        static_assert(!std::is_const_v<Kind> && !std::is_volatile_v<Kind>,
                      "roster: kinds are registered and looked up without const/volatile (the handle is "
                      "std::shared_ptr<Kind>)");
    }

    template <class Kind>
    static constexpr const void* kind_id() noexcept {
        check_kind<Kind>();
        return &detail::type_tag_of<Kind>;
    }

    const scope_context& effective(const scope_context& given) const noexcept { return given ? given : context_; }

    /// Runs `f(map or nullptr)` with the right synchronisation for a read.
    template <class F>
    decltype(auto) read(F&& f) const {
        if (!populated_.load(std::memory_order_acquire)) return f(static_cast<const map_type*>(nullptr));
        if constexpr (synchronised) {
            if (!frozen_.load(std::memory_order_acquire)) {
                std::shared_lock lock(mutex_);
                return f(static_cast<const map_type*>(map_.get()));
            }
        }
        return f(static_cast<const map_type*>(map_.get()));
    }

    template <class Kind, bool Shared, class Factory>
    result<std::uint64_t> add_factory_impl(Factory make, constraint condition, const source_location& where) {
        static_assert(detail::deducible_signature<Factory>,
                      "roster: add_factory(make): make must be a function, a function pointer or a callable with "
                      "exactly one non-template operator() (not a generic lambda: spell its parameter types)");
        using signature = typename detail::function_signature<decltype(std::function{std::declval<Factory&>()})>::type;
        using shape = detail::factory_shape<signature, resolver>;
        static_assert(shape::valid,
                      "roster: add_factory(make): make must take (), (const resolver&), (const Props&) or "
                      "(const resolver&, const Props&), where resolver is basic_scoped_registry<...>::resolver and "
                      "Props is taken by value or const&");
        using product = typename shape::product;
        using props_type = typename shape::props_type;
        using element = typename detail::product_traits<product>::element;
        using kind_type = std::conditional_t<std::is_void_v<Kind>, element, Kind>;
        check_kind<kind_type>();
        static_assert(std::is_object_v<element> && std::is_convertible_v<element*, kind_type*>,
                      "roster: add_factory<Kind>(make): make must return std::shared_ptr<T>, std::unique_ptr<T> or a T, "
                      "where T is Kind or publicly derived from it");
        static_assert(!Shared || std::is_void_v<props_type>,
                      "roster: a lifetime::shared factory cannot take props: its instance is built once, so later "
                      "lookups' props could never reach it; register a fresh factory for props");

        if constexpr (!std::is_class_v<Factory> || detail::is_std_function<Factory>) {
            if (const std::string_view reason = on_null::reject::refusal(make); !reason.empty()) {
                return detail::null_message(name(), detail::describe_key(detail::type_name<kind_type>()),
                                            detail::type_name<Factory>(), reason, where);
            }
        }

        auto made = std::make_unique<record>();
        made->what = Shared ? registration_kind::shared_factory : registration_kind::factory;
        made->implementation = detail::type_name<element>();
        made->product = detail::type_name<product>();
        made->condition = std::move(condition);
        made->where = where;
        if constexpr (!std::is_void_v<props_type>) {
            made->props_type = &detail::type_tag_of<props_type>;
            made->props_optional = std::is_default_constructible_v<props_type>;
        }
        made->make = [f = std::move(make)](const resolver& through,
                                           [[maybe_unused]] const void* given) mutable -> std::shared_ptr<void> {
            auto call = [&](auto&&... args) -> std::shared_ptr<void> {
                std::shared_ptr<kind_type> product_ptr = detail::product_traits<product>::share(
                    std::invoke(f, std::forward<decltype(args)>(args)...));
                return std::static_pointer_cast<void>(std::move(product_ptr));
            };
            auto with_resolver = [&](auto&&... args) -> std::shared_ptr<void> {
                if constexpr (shape::takes_resolver) return call(through, std::forward<decltype(args)>(args)...);
                else return call(std::forward<decltype(args)>(args)...);
            };
            if constexpr (std::is_void_v<props_type>) {
                return with_resolver();
            } else {
                if (given != nullptr) return with_resolver(*static_cast<const props_type*>(given));
                if constexpr (std::is_default_constructible_v<props_type>) {
                    const props_type none{};
                    return with_resolver(none);
                } else {
                    return std::shared_ptr<void>(); // unreachable: match() skips it
                }
            }
        };
        return insert(kind_id<kind_type>(), detail::type_name<kind_type>(), std::move(made), where);
    }

    /// Files `made` under `kind`, or refuses it (frozen). Strong guarantee.
    result<std::uint64_t> insert(const void* kind, std::string_view kind_name, std::unique_ptr<record> made,
                                 const source_location& where) {
        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) {
            lock.unlock();
            return detail::frozen_message(name(), "add", detail::describe_key(kind_name), where, frozen_at_);
        }
        if (!map_) map_ = std::make_unique<map_type>();
        auto [it, inserted] = map_->try_emplace(kind);
        slot& target = it->second;
#if ROSTER_HAS_EXCEPTIONS
        try {
            target.records.reserve(target.records.size() + 1);
        } catch (...) {
            if (inserted) map_->erase(it);
            throw;
        }
#else
        target.records.reserve(target.records.size() + 1);
#endif
        target.kind_name = kind_name;
        const std::uint64_t number = next_number_++;
        made->number = number;
        target.records.push_back(std::move(made)); // no allocation: reserved
        populated_.store(true, std::memory_order_release);
        return number;
    }

    /// Whether `r` matches `req`; if so, fills `key`.
    static mismatch match(const record& r, const request& req, match_key& key) {
        if (req.props_type != nullptr) {
            if (r.what == registration_kind::instance) return mismatch::instance_with_props;
            if (r.props_type == nullptr) return mismatch::takes_no_props;
            if (r.props_type != req.props_type) return mismatch::other_props;
        } else if (r.props_type != nullptr && !r.props_optional) {
            return mismatch::needs_props;
        }
        const scope_context& context = *req.context;
        switch (r.condition.kind_) {
        case constraint_kind::none: key.tier = context_tier::unconstrained; break;
        case constraint_kind::context: {
            if (!context) return mismatch::no_context;
            if (context.type_ == r.condition.type_) { // the exact type: no need for the resolution order
                key.tier = context_tier::exact;
                break;
            }
            const detail::context_ancestor* found = context.find(r.condition.type_);
            if (found == nullptr) return mismatch::unrelated_context;
            key.tier = found->distance == 0 ? context_tier::exact : context_tier::base;
            key.distance = found->distance;
            key.order = static_cast<std::size_t>(found - context.type_->ancestry().data());
            break;
        }
        case constraint_kind::predicate:
            if (r.condition.type_ != nullptr) {
                if (!context) return mismatch::no_context;
                if (context.find(r.condition.type_) == nullptr) return mismatch::unrelated_context;
            }
            if (!r.condition.predicate_(context)) return mismatch::predicate_false;
            key.tier = context_tier::predicate;
            key.rank = r.condition.rank_;
            break;
        }
        key.factory = r.what != registration_kind::instance;
        key.number = r.number;
        return mismatch::none;
    }

    /// Whether `a` wins over `b` (both matching, in the same scope).
    static bool precedes(const match_key& a, const match_key& b) noexcept {
        if (a.tier != b.tier) return a.tier < b.tier;
        if (a.distance != b.distance) return a.distance < b.distance;
        if (a.order != b.order) return a.order < b.order;
        if (a.rank != b.rank) return a.rank > b.rank;
        if (a.factory != b.factory) return !a.factory;
        return a.number > b.number;
    }

    /// The winner: the best match of the nearest scope that has one.
    selection select(const void* kind, const request& req) const {
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_) {
            const record* best = scope->read([&](const map_type* map) -> const record* {
                if (map == nullptr) return nullptr;
                const auto it = map->find(kind);
                if (it == map->end()) return nullptr;
                const record* winner = nullptr;
                match_key winner_key;
                for (const std::unique_ptr<record>& r : it->second.records) {
                    match_key key;
                    if (match(*r, req, key) != mismatch::none) continue;
                    if (winner == nullptr || precedes(key, winner_key)) {
                        winner = r.get();
                        winner_key = key;
                    }
                }
                return winner;
            });
            if (best != nullptr) return selection{best, scope};
        }
        return selection{};
    }

    /// The lookup behind get, try_get and the resolver's.
    template <class Kind, bool Catch>
    result<std::shared_ptr<Kind>> find(const request& req, const source_location& where) const {
        const selection chosen = select(kind_id<Kind>(), req);
        if (chosen.found == nullptr) return miss(kind_id<Kind>(), detail::type_name<Kind>(), req, where);
        const record& r = *chosen.found;
        if (r.what == registration_kind::instance) return std::static_pointer_cast<Kind>(r.instance);
        result<std::shared_ptr<void>> made =
            r.what == registration_kind::shared_factory
                ? chosen.owner->template shared_instance<Catch>(r, detail::type_name<Kind>(), where)
                : build<Catch>(r, resolver(*this, *req.context), req.props, detail::type_name<Kind>(), where);
        if (!made) return made.error();
        return std::static_pointer_cast<Kind>(std::move(*made));
    }

    /// Runs `r`'s factory through `through`; `this` is the scope named in
    /// failure messages (the one running it).
    template <bool Catch>
    result<std::shared_ptr<void>> build(const record& r, const resolver& through, const void* given,
                                        std::string_view kind_name, const source_location& where) const {
        if (detail::is_building(&r)) return cycle(r, kind_name, where);
        const detail::building_guard guard(&r, kind_name);
        std::shared_ptr<void> product;
#if ROSTER_HAS_EXCEPTIONS
        if constexpr (Catch) {
            try {
                product = r.make(through, given);
            } catch (const std::exception& e) {
                return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                      fmt::format("threw: {}", e.what()), std::current_exception());
            } catch (...) {
                return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                      "threw an exception that is not a std::exception",
                                                      std::current_exception());
            }
        } else {
            product = r.make(through, given);
        }
#else
        product = r.make(through, given);
#endif
        if (!product) {
            return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                  fmt::format("produced a null {}", r.product));
        }
        return product;
    }

    /// The shared instance of `r`, a registration of this scope: built once,
    /// here, with this scope's context.
    template <bool Catch>
    result<std::shared_ptr<void>> shared_instance(const record& r, std::string_view kind_name,
                                                  const source_location& where) const {
        if (r.built.load(std::memory_order_acquire)) return r.cached;
        if (detail::is_building(&r)) return cycle(r, kind_name, where); // before locking: no self-deadlock
        const std::lock_guard lock(r.build_mutex);
        if (r.built.load(std::memory_order_relaxed)) return r.cached;
        result<std::shared_ptr<void>> made = build<Catch>(r, resolver(*this, context_), nullptr, kind_name, where);
        if (made) {
            r.cached = *made;
            r.built.store(true, std::memory_order_release);
        }
        return made;
    }

    error_info cycle(const record& r, std::string_view kind_name, const source_location& where) const {
        return detail::factory_failed_message(
            name(), detail::describe_key(kind_name), where, r.where,
            fmt::format("is already being built on this thread: a dependency cycle {}",
                        detail::building_cycle(&r, kind_name)));
    }

    // ------------------------------------------------- misses and explain()

    static std::string describe_props(const request& req) {
        return req.props_type != nullptr ? std::string(req.props_type->name) : std::string("none");
    }

    /// Why `r` does not match `req`, in words.
    static std::string mismatch_text(mismatch why, const record& r, const request& req) {
        const std::string_view context = req.context->type_name();
        switch (why) {
        case mismatch::none: break;
        case mismatch::instance_with_props: return "an instance, and the lookup gave props (props skip instances)";
        case mismatch::takes_no_props:
            return fmt::format("the factory takes no props, and the lookup gave props of type {}", describe_props(req));
        case mismatch::other_props:
            return fmt::format("the factory takes props of type {}, and the lookup gave {}", r.props_type->name,
                               describe_props(req));
        case mismatch::needs_props:
            return fmt::format("the factory needs props of type {} (not default-constructible), and the lookup gave none",
                               r.props_type->name);
        case mismatch::no_context:
            return fmt::format("needs a context that is a {}, and the lookup has no context", r.condition.type_->name);
        case mismatch::unrelated_context:
            return fmt::format("the context {} is not a {} (neither that type nor declaring it as a base)", context,
                               r.condition.type_->name);
        case mismatch::predicate_false: return fmt::format("the predicate is false for the context {}", context);
        }
        return {};
    }

    static const char* tier_phrase(context_tier tier) noexcept {
        switch (tier) {
        case context_tier::exact: return "an exact context match";
        case context_tier::base: return "a base context match";
        case context_tier::predicate: return "a predicate match";
        case context_tier::unconstrained: return "an unconstrained registration";
        }
        return "a match";
    }

    /// The rule by which `a` beats `b` (both matching, same scope).
    static std::string why_precedes(const match_key& a, const match_key& b) {
        if (a.tier != b.tier) return fmt::format("{} beats {}", tier_phrase(a.tier), tier_phrase(b.tier));
        if (a.distance != b.distance)
            return fmt::format("a nearer base context wins (inheritance distance {} < {})", a.distance, b.distance);
        if (a.order != b.order)
            return fmt::format("at equal distance, the base declared first wins (position {} < {} in the context's "
                               "resolution order)",
                               a.order, b.order);
        if (a.rank != b.rank) return fmt::format("the higher rank wins ({} > {})", a.rank, b.rank);
        if (a.factory != b.factory) return "an instance beats a factory at the same tier";
        return fmt::format("the newest registration wins (#{} > #{})", a.number, b.number);
    }

    /// Calls `f(scope, scope_distance, record, mismatch, key)` for every
    /// registration of `kind` in this scope and its ancestors, nearest first,
    /// under each scope's read synchronisation.
    template <class F>
    void for_each_candidate(const void* kind, const request& req, F&& f) const {
        std::size_t distance = 0;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_, ++distance) {
            scope->read([&](const map_type* map) {
                if (map == nullptr) return 0;
                const auto it = map->find(kind);
                if (it == map->end()) return 0;
                for (const std::unique_ptr<record>& r : it->second.records) {
                    match_key key;
                    const mismatch why = match(*r, req, key);
                    f(*scope, distance, *r, why, key);
                }
                return 0;
            });
        }
    }

    std::string searched_list() const {
        std::string list;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_)
            list += fmt::format("{}{:?}", scope == this ? "" : ", ", scope->name());
        return list;
    }

    /// The not_found message: the context, the scopes searched, and why each
    /// registration of the kind did not apply, or the nearest kinds.
    error_info miss(const void* kind, std::string_view kind_name, const request& req,
                    const source_location& where) const {
        std::string details = fmt::format("; context: {}; props: {}; scopes searched: {}", req.context->type_name(),
                                          describe_props(req), searched_list());
        std::vector<std::string> reasons;
        for_each_candidate(kind, req, [&](const basic_scoped_registry& scope, std::size_t, const record& r, mismatch why,
                                          const match_key&) {
            reasons.push_back(fmt::format("{:?} #{} ({} {}, {}): {}", scope.name(), r.number, roster::to_string(r.what),
                                          r.implementation, r.condition.describe(), mismatch_text(why, r, req)));
        });
        if (!reasons.empty()) {
            details += fmt::format("; {} registration{} of this kind, none applies: ", reasons.size(),
                                   reasons.size() == 1 ? "" : "s");
            for (std::size_t i = 0; i < reasons.size(); ++i) details += (i == 0 ? "" : "; ") + reasons[i];
            details += " (explain() lists them)";
        } else {
            detail::nearest_names nearest{std::string(kind_name)};
            std::vector<const void*> seen;
            for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_) {
                scope->read([&](const map_type* map) {
                    if (map == nullptr) return 0;
                    for (const auto& item : *map) {
                        if (item.second.records.empty()) continue;
                        if (std::find(seen.begin(), seen.end(), item.first) != seen.end()) continue;
                        seen.push_back(item.first);
                        nearest.offer(item.second.kind_name);
                    }
                    return 0;
                });
            }
            details += seen.empty() ? std::string("; no kind is registered in any scope searched") : nearest.suffix();
        }
        return detail::not_found_message(name(), detail::describe_key(kind_name), where, std::move(details));
    }

    explanation explain_request(const void* kind, std::string_view kind_name, const request& req,
                                const source_location& where) const {
        explanation out;
        out.registry = name();
        out.kind = std::string(kind_name);
        out.context = std::string(req.context->type_name());
        out.props = describe_props(req);
        out.where = where;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_)
            out.searched.push_back(scope->name());

        struct row {
            explained_candidate candidate;
            match_key key;
        };
        std::vector<row> rows;
        for_each_candidate(kind, req, [&](const basic_scoped_registry& scope, std::size_t distance, const record& r,
                                          mismatch why, const match_key& key) {
            explained_candidate c;
            c.scope = scope.name();
            c.scope_distance = distance;
            c.number = r.number;
            c.what = r.what;
            c.implementation = std::string(r.implementation);
            c.condition = r.condition.describe();
            c.where = r.where;
            c.matches = why == mismatch::none;
            if (c.matches) {
                c.tier = key.tier;
                c.distance = key.distance;
                c.rank = key.rank;
            } else {
                c.outcome = verdict::skipped;
                c.reason = "skipped: " + mismatch_text(why, r, req);
            }
            rows.push_back(row{std::move(c), key});
        });

        std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
            if (a.candidate.matches != b.candidate.matches) return a.candidate.matches;
            if (a.candidate.scope_distance != b.candidate.scope_distance)
                return a.candidate.scope_distance < b.candidate.scope_distance;
            if (a.candidate.matches) return precedes(a.key, b.key);
            return a.candidate.number > b.candidate.number;
        });

        if (!rows.empty() && rows.front().candidate.matches) {
            const row& winner = rows.front();
            for (std::size_t i = 0; i < rows.size(); ++i) {
                explained_candidate& c = rows[i].candidate;
                if (!c.matches) continue;
                if (i == 0) {
                    c.outcome = verdict::chosen;
                    const bool runner_up = rows.size() > 1 && rows[1].candidate.matches &&
                                           rows[1].candidate.scope_distance == c.scope_distance;
                    c.reason = runner_up
                                   ? fmt::format("chosen: {} (over #{})", why_precedes(winner.key, rows[1].key),
                                                 rows[1].candidate.number)
                                   : fmt::format("chosen: the only match in {:?}, the nearest scope with one", c.scope);
                } else if (c.scope_distance == winner.candidate.scope_distance) {
                    c.outcome = verdict::outranked;
                    c.reason = "outranked: " + why_precedes(winner.key, rows[i].key);
                } else {
                    c.outcome = verdict::shadowed;
                    c.reason = fmt::format("shadowed: the nearer scope {:?} has a match", winner.candidate.scope);
                }
            }
        }
        out.candidates.reserve(rows.size());
        for (row& r : rows) out.candidates.push_back(std::move(r.candidate));
        return out;
    }

    const basic_scoped_registry* parent_ = nullptr;
    std::size_t depth_ = 0;
    std::string name_;
    scope_context context_;
    mutable mutex_type mutex_;
    std::unique_ptr<map_type> map_;           // created by the first registration, under the write lock
    std::atomic<bool> populated_{false};      // set (release) once map_ holds a registration
    std::atomic<bool> frozen_{false};
    source_location frozen_at_{};             // written once, under the lock, before frozen_ is released
    std::uint64_t next_number_ = 1;           // under the write lock
};

/// The common case: scopes synchronised by a std::shared_mutex each.
using scoped_registry = basic_scoped_registry<>;

ROSTER_END_NAMESPACE // namespace roster
