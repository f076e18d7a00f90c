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
//   registration of the kind looked up, which it passes with one acquire
//   load and no lock.
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

#include "roster/scoped/context.hpp"       // context_type, context_traits, scope_context
#include "roster/scoped/explain.hpp"       // explanation, explained_candidate, verdict, ...
#include "roster/scoped/factory_shape.hpp" // the factory signatures accepted (internal)
#include "roster/scoped/options.hpp"       // for_context, constraint, when, lifetime, props, construct
#include "roster/scoped/registry.hpp"      // basic_scoped_registry, scoped_registry
#include "roster/scoped/resolver.hpp"      // basic_resolver
