// roster/policy/locking.hpp — how a registry synchronises.
//
// Gives: the locking:: policies shared_mutex (default) | sharded | none.
//
// Protocol (see roster/policy/protocol.hpp). Each policy provides
//   using mutex_type = ...;             // lock()/unlock(), lock_shared()/unlock_shared()
//   static constexpr bool synchronised; // false: no lock is ever taken
// The registry takes mutex_type shared for reads and exclusive for writes,
// until it is frozen; after that, reads take no lock at all.
#pragma once

#include "roster/config.hpp"               // ROSTER_BEGIN_NAMESPACE
#include "roster/detail/sharded_mutex.hpp" // detail::sharded_shared_mutex
#include "roster/detail/storage.hpp"       // detail::null_mutex
#include "roster/policy/protocol.hpp"      // policy_category

#include <shared_mutex> // std::shared_mutex: locking::shared_mutex

ROSTER_BEGIN_NAMESPACE

namespace locking {
/// Reads take a std::shared_mutex in shared mode, writes in exclusive mode;
/// once frozen, reads take no lock. The default.
struct shared_mutex {
    /// Names the family: a locking:: policy.
    using roster_policy_category = policy_category::locking;
    /// The registry's mutex: taken shared for reads, exclusive for writes.
    using mutex_type = std::shared_mutex;
    /// true: reads and writes take the mutex until the registry is frozen.
    static constexpr bool synchronised = true;
};
/// Like shared_mutex, but readers count themselves in per-thread slots on
/// separate cache lines (detail::sharded_shared_mutex), so concurrent readers
/// do not contend on one reader count; writers wait for every slot to drain.
/// For registries read by many threads that must stay mutable. Costs 1 KiB
/// per registry; writes are slower. @warning nested reads of one registry on
/// one thread (a visit() callback reading the same registry) can deadlock
/// when a writer arrives in between.
struct sharded {
    /// Names the family: a locking:: policy.
    using roster_policy_category = policy_category::locking;
    /// The registry's mutex: a reader-sharded shared mutex, taken shared for
    /// reads, exclusive for writes.
    using mutex_type = detail::sharded_shared_mutex;
    /// true: reads and writes take the mutex until the registry is frozen.
    static constexpr bool synchronised = true;
};
/// No synchronisation at all: for registries confined to one thread.
/// @warning concurrent use of such a registry is a data race.
struct none {
    /// Names the family: a locking:: policy.
    using roster_policy_category = policy_category::locking;
    /// The registry's mutex: one whose lock and unlock do nothing.
    using mutex_type = detail::null_mutex;
    /// false: no lock is ever taken.
    static constexpr bool synchronised = false;
};
} // namespace locking

ROSTER_END_NAMESPACE // namespace roster
