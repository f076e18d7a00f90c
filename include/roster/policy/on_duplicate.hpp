// roster/policy/on_duplicate.hpp — what add() does when the key is already
// registered.
//
// Gives: roster::duplicate_decision and the on_duplicate:: policies
//   throw_error (default) | return_error | replace | keep_first | accept_if_equal
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   template <class V> static constexpr bool accepts;   // usable with Value V?
//   template <class V> static duplicate_decision decide(const V& existing, const V& incoming);
//   static constexpr bool raises_refusal;                // does add() raise a refusal?
// The registry calls decide() for every duplicate — add, try_add, and each
// item of a batch, against the batch and against the registry — and acts on
// the decision; it never asks which policy it was given.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/policy/protocol.hpp" // policy_category

#include <concepts> // std::equality_comparable

ROSTER_BEGIN_NAMESPACE

/// What a duplicate policy decided for a key that is already registered.
enum class duplicate_decision {
    refuse,  ///< nothing changes; the add is refused with duplicate_key_error
    keep,    ///< nothing changes; the add reports kept_existing
    replace, ///< the new value replaces the registered one; the add reports replaced
};

namespace detail {
/// A duplicate policy whose decision does not depend on the values.
template <duplicate_decision Decision, bool RaisesRefusal>
struct fixed_duplicate_decision {
    using roster_policy_category = policy_category::on_duplicate;
    static constexpr bool raises_refusal = RaisesRefusal;
    template <class V>
    static constexpr bool accepts = true;
    template <class V>
    static constexpr duplicate_decision decide(const V&, const V&) noexcept {
        return Decision;
    }
};
} // namespace detail

namespace on_duplicate {
/// Refuse; add() throws duplicate_key_error naming both source locations
/// (like Go's `panic` on a duplicate registration). try_add() returns the
/// error. The default.
struct throw_error : detail::fixed_duplicate_decision<duplicate_decision::refuse, true> {};
/// Refuse; add() does not throw for a duplicate but returns the refusal in its
/// add_result (status refused, error(), existing()).
struct return_error : detail::fixed_duplicate_decision<duplicate_decision::refuse, false> {};
/// Last wins, reported: the new value replaces the old one; the add_result
/// says `replaced` and carries the previous entry and where it was added.
struct replace : detail::fixed_duplicate_decision<duplicate_decision::replace, true> {};
/// First wins, reported: the new value is discarded; the add_result says
/// `kept_existing` and carries the entry that stays.
struct keep_first : detail::fixed_duplicate_decision<duplicate_decision::keep, true> {};
/// Accept a duplicate whose value compares equal (==) to the registered one,
/// as `kept_existing`; refuse a different one as throw_error does (the rule
/// of Go's encoding/gob `Register`). Needs an equality-comparable value type.
struct accept_if_equal {
    /// Names the family: an on_duplicate:: policy.
    using roster_policy_category = policy_category::on_duplicate;
    /// true: add() raises the refusal of a different value (as throw_error does).
    static constexpr bool raises_refusal = true;
    /// Whether this policy can be used with value type V: V must have ==.
    template <class V>
    static constexpr bool accepts = std::equality_comparable<V>;
    /// Decides for a duplicate key.
    /// @param existing the registered value
    /// @param incoming the value being added
    /// @returns duplicate_decision::keep if they compare equal, else
    ///          duplicate_decision::refuse.
    /// @throws whatever V's == throws.
    template <class V>
    static duplicate_decision decide(const V& existing, const V& incoming) {
        return static_cast<bool>(existing == incoming) ? duplicate_decision::keep : duplicate_decision::refuse;
    }
};
} // namespace on_duplicate

ROSTER_END_NAMESPACE // namespace roster
