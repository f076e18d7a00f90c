// roster/policy/listing.hpp — whether a registry is listed in the
// process-wide roster::catalog.
//
// Gives: the listing:: policies unlisted (default) | listed. The catalog
// itself is in roster/catalog.hpp: include it to use listing::listed (a
// registry that names it without it fails with a static_assert saying so).
// listing::unlisted compiles no catalog code at all.
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   using membership = ...;  // a member of the registry, constructed last:
//                            //   membership(const Registry&, const std::string& name, const source_location&)
//                            //   membership(detail::unlisted_instance_t) — this instance stays out
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/policy/protocol.hpp" // policy_category
#include "roster/source_location.hpp" // source_location

#include <string> // std::string: names

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// Asks a registry not to list this instance even under listing::listed:
/// a shape that lists itself (the scoped registry, whose child scopes are
/// never listed) builds its core and its own membership with it.
struct unlisted_instance_t {};
inline constexpr unlisted_instance_t unlisted_instance{};

/// A registry's place in the catalog. catalog_membership<false> is nothing;
/// catalog_membership<true> is defined in roster/catalog.hpp (as a partial
/// specialization over `Catalog`, so that its members compile only where a
/// listed registry is used).
template <bool Listed, class Catalog = void>
class catalog_membership;

template <>
class catalog_membership<false, void> {
public:
    template <class Registry>
    catalog_membership(const Registry&, const std::string&, const source_location&) noexcept {}
    explicit catalog_membership(unlisted_instance_t) noexcept {}
};

} // namespace detail

namespace listing {
/// Not listed. The default.
struct unlisted {
    /// Names the family: a listing:: policy.
    using roster_policy_category = policy_category::listing;
    /// The registry's place in the catalog: none (an empty member).
    using membership = detail::catalog_membership<false>;
};
/// Listed from construction to destruction; the name must be unique among
/// live listed registries (a duplicate name raises duplicate_key_error from
/// the constructor). Adds and removals can be heard through
/// catalog::subscribe(). Costs nothing on the read path. Needs roster/catalog.hpp.
struct listed {
    /// Names the family: a listing:: policy.
    using roster_policy_category = policy_category::listing;
    /// The registry's place in the catalog: lists it on construction and
    /// unlists it on destruction (defined in roster/catalog.hpp).
    using membership = detail::catalog_membership<true>;
};
} // namespace listing

ROSTER_END_NAMESPACE // namespace roster
