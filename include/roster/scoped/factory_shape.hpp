// roster/scoped/factory_shape.hpp — the factory signatures a scoped registration accepts, their products,
// and the per-thread stack of registrations being built (cycle detection).
// Internal.
//
// Gives: roster::detail::factory_shape, product_traits, function_signature,
// building_guard.
// Part of the scoped registry (roster/scoped.hpp, docs/scoped.md); include
// roster/scoped.hpp rather than this file.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp" // detail::quoted

#include <functional>  // std::function: deducing a factory's signature
#include <memory>      // std::shared_ptr, std::unique_ptr
#include <vector>      // the building stack
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v, std::conditional_t, ...
#include <utility>     // std::move, std::forward

ROSTER_BEGIN_NAMESPACE


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
/// dependency cycle is told from recursion that terminates. (The functions
/// and the guard below are templates only so that including the header
/// compiles none of them until a factory is run.)
struct building_frame {
    const void* registration;
    std::string_view kind;
};
template <class = void>
std::vector<building_frame>& building_stack() {
    thread_local std::vector<building_frame> stack;
    return stack;
}
template <class = void>
bool is_building(const void* registration) {
    for (const building_frame& frame : building_stack())
        if (frame.registration == registration) return true;
    return false;
}
/// `"A" -> "B" -> "A"`: the cycle that building `registration` again would close.
/// (A template: compiled only when a cycle is worded.)
template <class = void>
std::string building_cycle(const void* registration, std::string_view kind) {
    std::string chain;
    bool in_cycle = false;
    for (const building_frame& frame : building_stack()) {
        in_cycle = in_cycle || frame.registration == registration;
        if (in_cycle) chain += detail::quoted(frame.kind) + " -> ";
    }
    return chain + detail::quoted(kind);
}
/// Marks a registration as being built on this thread for its lifetime.
template <class = void>
class basic_building_guard {
public:
    basic_building_guard(const void* registration, std::string_view kind) {
        building_stack().push_back(building_frame{registration, kind});
    }
    basic_building_guard(const basic_building_guard&) = delete;
    basic_building_guard& operator=(const basic_building_guard&) = delete;
    ~basic_building_guard() { building_stack().pop_back(); }
};
/// See basic_building_guard.
using building_guard = basic_building_guard<>;

} // namespace detail

ROSTER_END_NAMESPACE // namespace roster
