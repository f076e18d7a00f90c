// roster/scoped/options.hpp — what a registration and a lookup may say: constraints (for_context,
// when), lifetimes, props, construct<T>.
//
// Gives: roster::for_context, roster::constraint, roster::when,
// roster::lifetime::{fresh, shared}, roster::props, roster::construct.
// Part of the scoped registry (roster/scoped.hpp, docs/scoped.md); include
// roster/scoped.hpp rather than this file.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/format.hpp"
#include "roster/detail/messages.hpp" // detail::quoted
#include "roster/detail/type_name.hpp"
#include "roster/scoped/context.hpp"
#include "roster/traits.hpp"

#include <functional>  // std::function: predicates
#include <memory>      // std::shared_ptr, std::make_shared
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v, std::conditional_t, ...
#include <utility>     // std::move, std::forward

ROSTER_BEGIN_NAMESPACE

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
    template <class = void>
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
    /// (A template: compiled only when used, as `c.describe()`.)
    template <class = void>
    std::string describe() const {
        switch (kind_) {
        case constraint_kind::none: return "unconstrained";
        case constraint_kind::context: return fmt::format("for context {}", type_->name);
        case constraint_kind::predicate: break;
        }
        std::string what = label_.empty() ? std::string("when a predicate") : "when " + detail::quoted(label_);
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
/// Pass it to add_factory() for a fresh product per lookup (the default).
inline constexpr fresh_t fresh{};
/// Pass it to add_factory() for a product built once and shared.
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


ROSTER_END_NAMESPACE // namespace roster
