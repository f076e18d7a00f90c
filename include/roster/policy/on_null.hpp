// roster/policy/on_null.hpp — what add() does with a null value (see
// roster::null_traits in roster/traits.hpp).
//
// Gives: the on_null:: policies reject (default) | allow. Other shapes add
// policies of this family next to the machinery they need
// (roster::on_null::probe, in roster/factory.hpp).
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   template <class V> static std::string_view refusal(const V& value);
//   static constexpr bool refuses_null; // whether a null is refused (a factory's null product too)
// an empty string_view accepts the value; anything else is the reason it is
// refused, which becomes part of the null_value_error message.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/policy/protocol.hpp" // policy_category
#include "roster/traits.hpp"          // null_traits

#include <string_view> // std::string_view: refusal reasons

ROSTER_BEGIN_NAMESPACE

namespace on_null {
/// Refuse null values with null_value_error. The default.
struct reject {
    /// Names the family: an on_null:: policy.
    using roster_policy_category = policy_category::on_null;
    /// true: null values are refused (and a factory's create() refuses a
    /// null product).
    static constexpr bool refuses_null = true;
    /// Why `value` is refused: "the value is null" when
    /// null_traits<V>::is_null(value) says so, else empty (accepted).
    template <class V>
    static constexpr std::string_view refusal(const V& value) noexcept {
        return null_traits<V>::is_null(value) ? std::string_view("the value is null") : std::string_view();
    }
};
/// Store null values like any other (for value types where null is meaningful).
struct allow {
    /// Names the family: an on_null:: policy.
    using roster_policy_category = policy_category::on_null;
    /// false: null values are stored like any other (and a factory's
    /// create() returns a null product).
    static constexpr bool refuses_null = false;
    /// Why a value is refused: never (always empty).
    template <class V>
    static constexpr std::string_view refusal(const V&) noexcept {
        return {};
    }
};
} // namespace on_null

ROSTER_END_NAMESPACE // namespace roster
