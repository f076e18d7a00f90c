// roster/traits.hpp — the customisation points users specialise.
//
// Gives, in namespace roster:
//   null_traits<T>::is_null(const T&)   how a registry tells a null value;
//   key_traits<Key>::validate(const Key&) whether a key is well formed;
//   nullable_value<T>, validated_key<K>  the concepts that check them;
//   registry_value<V>                    what a registry asks of its Value
//                                        (what it asks of its Key depends on
//                                        the storage policy: hashable_key and
//                                        ordered_key, roster/policy/storage.hpp).
//
// Specialise them in namespace roster for your own types:
//
//   template <> struct roster::null_traits<my_handle> {
//       static bool is_null(const my_handle& h) noexcept { return !h.valid(); }
//   };
//   template <> struct roster::key_traits<my_id> {
//       static std::string_view validate(const my_id& id) noexcept {
//           return id.value == 0 ? "id 0 is reserved" : std::string_view{};
//       }
//   };
//
// Guarantees: the defaults are constexpr, noexcept and never allocate.
#pragma once

#include "roster/config.hpp"

#include <concepts>    // std::convertible_to, std::move_constructible
#include <cstddef>     // std::nullptr_t
#include <string>      // std::basic_string
#include <string_view> // std::string_view, std::basic_string_view
#include <utility>     // std::forward
#include <type_traits> // std::is_pointer_v, std::is_class_v, ...

ROSTER_BEGIN_NAMESPACE

namespace detail {
/// false, for a type: a static_assert that fires only when instantiated.
template <class>
inline constexpr bool dependent_false = false;

/// std::invoke for the callables roster calls (functions, function objects,
/// member pointers), without <functional>, which would add a third to the
/// cost of including the core registry.
template <class F, class First, class... Rest>
constexpr decltype(auto) invoke(F&& f, First&& first, Rest&&... rest) {
    if constexpr (std::is_member_function_pointer_v<std::remove_cvref_t<F>>) {
        if constexpr (std::is_pointer_v<std::remove_cvref_t<First>>)
            return ((*std::forward<First>(first)).*f)(std::forward<Rest>(rest)...);
        else
            return (std::forward<First>(first).*f)(std::forward<Rest>(rest)...);
    } else if constexpr (std::is_member_object_pointer_v<std::remove_cvref_t<F>>) {
        static_assert(sizeof...(Rest) == 0, "roster: a data member pointer takes one argument");
        if constexpr (std::is_pointer_v<std::remove_cvref_t<First>>)
            return ((*std::forward<First>(first)).*f);
        else
            return (std::forward<First>(first).*f);
    } else {
        return std::forward<F>(f)(std::forward<First>(first), std::forward<Rest>(rest)...);
    }
}
} // namespace detail

/// How a registry tells a null value, so that it can refuse it at add time.
///
/// The default treats as null a raw, function or member pointer equal to
/// nullptr, and a value of a pointer-like class type (one that converts to
/// bool and compares with nullptr) equal to nullptr. That covers the typed-null traps: null raw pointers (including a
/// null `Derived*` converted to `Base*`), null function and member pointers,
/// empty std::unique_ptr / std::shared_ptr (including one made by the
/// aliasing constructor around a null pointer), and an empty std::function
/// (including one built from a null function pointer or from another, empty
/// std::function). Every other type is never null unless you specialise this
/// template.
template <class T>
struct null_traits {
    /// true when `value` must be refused as null.
    static constexpr bool is_null(const T& value) noexcept {
        if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T> || std::is_null_pointer_v<T>) {
            return value == nullptr;
        } else if constexpr (std::is_class_v<T> && requires {
                                 { value == nullptr } -> std::convertible_to<bool>;
                                 static_cast<bool>(value);
                             }) {
            // Pointer-like classes: smart pointers, std::function, and user
            // types that test as bool and compare with nullptr. Requiring the
            // bool test keeps out types such as std::string_view, whose
            // `== nullptr` only compiles by converting nullptr to a string.
            return static_cast<bool>(value == nullptr);
        } else {
            return false;
        }
    }
};

/// Whether a key is well formed. validate() returns an empty string_view for
/// an acceptable key, else a short reason ("key is empty") that becomes part
/// of the invalid_key_error message.
///
/// Default: every key is acceptable, except for string keys (below).
template <class Key>
struct key_traits {
    /// Accepts every key: returns an empty string_view.
    static constexpr std::string_view validate(const Key&) noexcept { return {}; }
};

/// String keys: refused when empty or when they contain a control character
/// (a byte below 0x20, or 0x7f), which would make messages and names()
/// misleading.
template <class Char, class Traits, class Alloc>
struct key_traits<std::basic_string<Char, Traits, Alloc>> {
    /// "key is empty", "key contains a control character", or empty
    /// (accepted) for `key`.
    static constexpr std::string_view validate(std::basic_string_view<Char, Traits> key) noexcept {
        if (key.empty()) return "key is empty";
        for (Char c : key) {
            if ((c >= 0 && c < 0x20) || c == 0x7f) return "key contains a control character";
        }
        return {};
    }
};

/// A value type whose null_traits specialisation is usable.
template <class T>
concept nullable_value = requires(const T& value) {
    { null_traits<T>::is_null(value) } -> std::convertible_to<bool>;
};

/// A key type whose key_traits specialisation is usable.
template <class K>
concept validated_key = requires(const K& key) {
    { key_traits<K>::validate(key) } -> std::convertible_to<std::string_view>;
};

/// A value a registry can hold: a non-const object type (not a reference,
/// function or array) that is move-constructible. (get() and at() also need
/// it copy-constructible; they say so where they are used.)
template <class V>
concept registry_value =
    std::is_object_v<V> && !std::is_const_v<V> && !std::is_array_v<V> && std::move_constructible<V>;

ROSTER_END_NAMESPACE // namespace roster
