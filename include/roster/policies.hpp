// roster/policies.hpp — every policy family that configures a registry, in
// one include.
//
// A registry's behaviour is chosen by small empty tag types passed after the
// key and value types, in any order, each defaulted when absent
// (boost-ext/sml style):
//
//   roster::basic_registry<std::string, codec_ptr,
//                          roster::locking::none,              // any order
//                          roster::on_duplicate::replace>;
//
// Families and their policies (the default first), one header each:
//   on_duplicate::  throw_error | return_error | replace | keep_first | accept_if_equal
//                                                  roster/policy/on_duplicate.hpp
//   on_null::       reject | allow                 roster/policy/on_null.hpp
//   locking::       shared_mutex | sharded | none  roster/policy/locking.hpp
//   storage::       hashed | ordered               roster/policy/storage.hpp
//   counters::      none | per_registry | per_key  roster/policy/counters.hpp
//                   (per_registry, per_key: also roster/counters.hpp)
//   listing::       unlisted | listed              roster/policy/listing.hpp
//                   (listed: also roster/catalog.hpp)
//
// What a policy is, and what each family's policies provide, is in
// roster/policy/protocol.hpp. basic_registry rejects, with a readable
// static_assert, anything that is not a policy tag and two policies of the
// same family. roster/registry.hpp includes this header.
#pragma once

#include "roster/policy/counters.hpp"     // IWYU pragma: export
#include "roster/policy/listing.hpp"      // IWYU pragma: export
#include "roster/policy/locking.hpp"      // IWYU pragma: export
#include "roster/policy/on_duplicate.hpp" // IWYU pragma: export
#include "roster/policy/on_null.hpp"      // IWYU pragma: export
#include "roster/policy/protocol.hpp"     // IWYU pragma: export
#include "roster/policy/storage.hpp"      // IWYU pragma: export
