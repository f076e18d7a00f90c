// roster/scoped/context.hpp — context types, their declared bases, and scope_context, the context a
// scope is bound to or a lookup passes.
//
// Gives: roster::context_type, roster::context_traits, roster::scope_context,
// and the forward declarations of basic_scoped_registry and basic_resolver.
// Part of the scoped registry (roster/scoped.hpp, docs/scoped.md); include
// roster/scoped.hpp rather than this file.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/scoped_context.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include <array>       // std::array: a context type's declared bases
#include <memory>      // std::shared_ptr: shared contexts
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v, std::conditional_t, ...
#include <utility>     // std::move, std::forward

ROSTER_BEGIN_NAMESPACE

template <class... Policies>
class basic_scoped_registry; // roster/scoped/registry.hpp
template <class Registry>
class basic_resolver;        // roster/scoped/resolver.hpp
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
    /// The declaring type (checked against the type that carries the declaration).
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
    /// T's declaration: a context_type<T, Bases...>.
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
    /// has_value().
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
    template <class = void>
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


ROSTER_END_NAMESPACE // namespace roster
