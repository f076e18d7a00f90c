// roster/scoped/registry.hpp — roster::basic_scoped_registry, the scope
// itself, built on the core registry (roster/registry.hpp). See
// roster/scoped.hpp for the whole picture and the guarantees.
#pragma once

#include "roster/scoped/context.hpp"
#include "roster/scoped/explain.hpp"
#include "roster/scoped/factory_shape.hpp"
#include "roster/scoped/options.hpp"
#include "roster/scoped/resolver.hpp"
#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/storage.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/policies.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"
#include "roster/detail/format.hpp" // {fmt}: fmt::format: messages, explain()
#include <algorithm>     // std::stable_sort, std::find
#include <array>         // std::array: a context type's declared bases
#include <atomic>        // std::atomic<bool>: frozen, populated, built flags
#include <cstddef>       // std::size_t
#include <cstdint>       // std::uint64_t: registration numbers
#include <exception>     // std::exception, std::current_exception: a factory's own exception
#include <functional>    // std::function, std::invoke: stored factories and predicates
#include <memory>        // std::shared_ptr, std::unique_ptr, std::make_shared
#include <mutex>         // std::mutex, std::unique_lock, std::lock_guard
#include <optional>      // std::optional
#include <shared_mutex>  // std::shared_lock
#include <string>        // std::string: names, messages
#include <string_view>   // std::string_view: type names
#include <type_traits>   // std::is_convertible_v, std::conditional_t, ...
#include <unordered_map> // the registrations of a scope, by kind
#include <utility>       // std::move, std::forward
#include <vector>        // registrations of a kind, explain() rows
#include "roster/registry.hpp" // the core: store, lock, freeze, read path, report, counters

ROSTER_BEGIN_NAMESPACE


namespace detail {

/// One registration of a scope. Never moved once filed in its scope (its
/// address identifies it while it is built) and never removed before its
/// scope is destroyed.
template <class Resolver, bool Synchronised>
struct scope_record {
    using build_mutex_type = std::conditional_t<Synchronised, std::mutex, null_mutex>;
    registration_kind what = registration_kind::instance;
    std::uint64_t number = 0;
    source_location where{};
    std::string_view implementation; // type name
    std::string_view product;        // a factory's product type name
    constraint condition;
    std::shared_ptr<void> instance; // points at the Kind subobject
    std::function<std::shared_ptr<void>(const Resolver&, const void*)> make;
    const type_tag* props_type = nullptr; // the props a factory takes; null: none
    bool props_optional = false;          // callable without props (value-initialised)
    // lifetime::shared: built once
    mutable build_mutex_type build_mutex;
    mutable std::atomic<bool> built{false};
    mutable std::shared_ptr<void> cached;

    scope_record() = default;
    scope_record(const scope_record&) = delete;
    scope_record& operator=(const scope_record&) = delete;
    /// Takes over the registration data of a record that is not filed yet
    /// (so never built: the new one starts unbuilt too).
    scope_record(scope_record&& other) noexcept
        : what(other.what), number(other.number), where(other.where), implementation(other.implementation),
          product(other.product), condition(std::move(other.condition)), instance(std::move(other.instance)),
          make(std::move(other.make)), props_type(other.props_type), props_optional(other.props_optional) {}
    scope_record& operator=(scope_record&&) = delete;
    ~scope_record() = default;
};

/// What a scope's core registry stores under a kind: its registrations,
/// oldest first. The first one lives in the slot itself (map nodes never
/// move), so a kind registered once in a scope costs no allocation beyond
/// the map's; later ones are allocated one by one (never moved either).
template <class Resolver, bool Synchronised>
struct scope_slot {
    using record_type = scope_record<Resolver, Synchronised>;

    std::string_view kind_name;
    bool filled = false; // whether `first` holds a registration
    record_type first;
    std::vector<std::unique_ptr<record_type>> more;

    scope_slot() = default;
    scope_slot(const scope_slot&) = delete;
    scope_slot& operator=(const scope_slot&) = delete;
    /// What the core asks of a value; never used on a filed slot (map nodes
    /// stay put, and a scope builds its slots in place, empty).
    scope_slot(scope_slot&& other) noexcept
        : kind_name(other.kind_name), filled(other.filled), first(std::move(other.first)),
          more(std::move(other.more)) {}
    scope_slot& operator=(scope_slot&&) = delete;
    ~scope_slot() = default;

    /// The number of registrations.
    std::size_t size() const noexcept { return (filled ? 1U : 0U) + more.size(); }
    /// Whether there are none.
    bool empty() const noexcept { return !filled; }
    /// Calls `f(record)` for each registration, oldest first.
    template <class F>
    void for_each(F&& f) const {
        if (!filled) return;
        f(first);
        for (const std::unique_ptr<record_type>& r : more) f(*r);
    }
};

/// The core registry a scope is built on: kinds (their identities) to
/// their registrations, with the scope's locking and counters policies.
template <class Resolver, class... Policies>
using scope_core = basic_registry<
    const void*,
    scope_slot<Resolver, detail::select_policy_t<policy_category::locking, locking::shared_mutex,
                                                 Policies...>::synchronised>,
    on_null::allow, detail::select_policy_t<policy_category::locking, locking::shared_mutex, Policies...>,
    detail::select_policy_t<policy_category::counters, counters::none, Policies...>>;

} // namespace detail

/// Scopes chained to a parent and bound to a context, holding registrations
/// of implementations for kinds (C++ types). See the file comment for the
/// precedence rules and guarantees, and docs/scoped.md.
///
/// @tparam Policies at most one locking:: policy (shared_mutex, the
///         default; sharded; none), one counters:: policy and one listing::
///         policy. Every scope of a chain has the same type.
///
/// A scope is neither copyable nor movable; child() returns one by value
/// (guaranteed copy elision): `auto request = app.child(customer);`.
template <class... Policies>
class basic_scoped_registry
    : private detail::scope_core<basic_resolver<basic_scoped_registry<Policies...>>, Policies...> {
    static_assert((policy<Policies> && ...),
                  "roster::basic_scoped_registry<Policies...>: every argument must be a policy tag such as "
                  "roster::locking::none");
    static_assert(((detail::in_category<Policies, policy_category::locking> ||
                    detail::in_category<Policies, policy_category::counters> ||
                    detail::in_category<Policies, policy_category::listing>) &&
                   ...),
                  "roster::basic_scoped_registry takes only locking::, counters:: and listing:: policies (duplicates "
                  "are its point, nulls are always refused, and it has no keys to store)");
    static_assert(detail::count_in_category<policy_category::locking, Policies...> <= 1,
                  "roster::basic_scoped_registry: more than one locking:: policy given");
    static_assert(detail::count_in_category<policy_category::counters, Policies...> <= 1,
                  "roster::basic_scoped_registry: more than one counters:: policy given");
    static_assert(detail::count_in_category<policy_category::listing, Policies...> <= 1,
                  "roster::basic_scoped_registry: more than one listing:: policy given");

    /// The core registry this scope is built on (private base): kinds to
    /// their registrations. Its lock, freeze, read path, counters and
    /// report are the scope's.
    using core = detail::scope_core<basic_resolver<basic_scoped_registry<Policies...>>, Policies...>;

public:
    /// The locking:: policy in effect (locking::shared_mutex unless given).
    using locking_policy = typename core::locking_policy;
    /// The counters:: policy in effect (counters::none unless given).
    using counters_policy = typename core::counters_policy;
    /// The listing:: policy in effect (listing::unlisted unless given); only
    /// a root scope is ever listed.
    using listing_policy = detail::select_policy_t<policy_category::listing, listing::unlisted, Policies...>;
    static_assert(detail::is_complete<typename listing_policy::membership>,
                  "roster::basic_scoped_registry: listing::listed needs #include <roster/catalog.hpp>");
    /// What factories are given to resolve their dependencies.
    using resolver = basic_resolver<basic_scoped_registry>;

    /// A root scope called `name` (used in every message), bound to
    /// `context` (none by default), created at `where` (what report() and
    /// the catalog say). Under listing::listed the root is listed in the
    /// catalog under `name` (child scopes never are). Not thread safe
    /// (nothing else can use it yet).
    /// @throws duplicate_key_error under listing::listed if the name is taken.
    explicit basic_scoped_registry(std::string name = "scoped_registry", scope_context context = {},
                                   source_location where = source_location::current())
        : core(detail::unlisted_instance, name.empty() ? std::string("scoped_registry") : std::move(name), where),
          context_(std::move(context)), membership_(*this, core::name(), where) {}

    basic_scoped_registry(const basic_scoped_registry&) = delete;
    basic_scoped_registry& operator=(const basic_scoped_registry&) = delete;
    basic_scoped_registry(basic_scoped_registry&&) = delete;
    basic_scoped_registry& operator=(basic_scoped_registry&&) = delete;
    ~basic_scoped_registry() = default;

    // ----------------------------------------------------------------- scopes

    /// A child scope called "child", inheriting this scope's context. Lookups
    /// in the child search it, then this scope and its ancestors.
    /// @warning this scope must outlive the child.
    /// Thread safe, lock-free, allocates nothing.
    basic_scoped_registry child() const { return basic_scoped_registry(child_tag{}, *this, context_, std::string()); }

    /// A child scope called `name` (used in its messages), inheriting this
    /// scope's context. Thread safe, lock-free; allocates only if `name` does.
    basic_scoped_registry child(std::string name) const {
        return basic_scoped_registry(child_tag{}, *this, context_, std::move(name));
    }

    /// A child scope called "child", bound to `context` (an empty one
    /// inherits this scope's). `app.child(customer)` borrows `customer`;
    /// `app.child(std::make_shared<FrenchCustomer>(...))` shares it.
    /// @warning this scope, and a borrowed context, must outlive the child.
    /// Thread safe, lock-free, allocates nothing.
    basic_scoped_registry child(scope_context context) const { return child(std::move(context), std::string()); }

    /// A child scope called `name`, bound to `context` (an empty one
    /// inherits this scope's). Thread safe, lock-free; allocates only if
    /// `name` does.
    basic_scoped_registry child(scope_context context, std::string name) const {
        if (!context) context = context_;
        return basic_scoped_registry(child_tag{}, *this, std::move(context), std::move(name));
    }

    /// The scope's name, as given; "child" for a child created without one
    /// (or with an empty one). Lock-free.
    const std::string& name() const noexcept { return core::name(); }
    /// The parent scope, or nullptr for a root. Lock-free.
    const basic_scoped_registry* parent() const noexcept { return parent_; }
    /// 0 for a root, 1 for its children, ... Lock-free.
    std::size_t depth() const noexcept { return depth_; }
    /// The scope's context: its own, or inherited from its parent; may be
    /// empty. Lock-free.
    const scope_context& context() const noexcept { return context_; }

    // ------------------------------------------------------------ instances

    /// Registers a ready instance of `Kind` ("singleton"): lookups that pick
    /// it return this very object. Kind defaults to Impl.
    ///
    /// @param instance an Impl publicly derived from Kind (or Kind itself).
    /// @param where where the registration is made (the caller, by default).
    /// The overloads below add `condition`: none (default), for_context<T>
    /// or when(...).
    /// @returns the registration's number in this scope (1, 2, ...: its age).
    /// @throws null_value_error for an empty pointer; frozen_error after freeze().
    /// Strong guarantee. Takes the write lock. Amortised O(1).
    template <class Kind = void, class Impl>
    std::uint64_t add(std::shared_ptr<Impl> instance, source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), constraint{}, where).value();
    }
    /// add() with a constraint.
    template <class Kind = void, class Impl>
    std::uint64_t add(std::shared_ptr<Impl> instance, constraint condition,
                      source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), std::move(condition), where).value();
    }
    /// add() returning its refusal (errc::null_value, errc::frozen) instead
    /// of raising it. May propagate std::bad_alloc.
    template <class Kind = void, class Impl>
    [[nodiscard]] result<std::uint64_t> try_add(std::shared_ptr<Impl> instance,
                                                source_location where = source_location::current()) {
        return try_add<Kind>(std::move(instance), constraint{}, where);
    }
    /// try_add() with a constraint.
    template <class Kind = void, class Impl>
    [[nodiscard]] result<std::uint64_t> try_add(std::shared_ptr<Impl> instance, constraint condition,
                                                source_location where = source_location::current()) {
        using kind_type = std::conditional_t<std::is_void_v<Kind>, Impl, Kind>;
        check_kind<kind_type>();
        static_assert(std::is_convertible_v<Impl*, kind_type*>,
                      "roster: add<Kind>(std::shared_ptr<Impl>): Impl must be Kind or publicly derived from it");
        if (const std::string_view reason = on_null::reject::refusal(instance); !reason.empty()) {
            return detail::null_message(name(), detail::describe_key(detail::type_name<kind_type>()),
                                        detail::type_name<std::shared_ptr<Impl>>(), reason, where);
        }
        std::shared_ptr<void> stored = std::static_pointer_cast<void>(std::shared_ptr<kind_type>(std::move(instance)));
        return insert(kind_id<kind_type>(), detail::type_name<kind_type>(), where, [&](record& made) noexcept {
            made.what = registration_kind::instance;
            made.implementation = detail::type_name<Impl>();
            set_condition(made, condition);
            made.where = where;
            made.instance = std::move(stored);
        });
    }

    // ------------------------------------------------------------ factories

    /// Registers a factory for `Kind`, run by lookups that pick it — in the
    /// requesting scope, with the lookup's context (fresh, the default), or
    /// once, in this scope (lifetime::shared).
    ///
    /// @param make a function, function pointer or callable with one
    ///        non-template operator(), taking (), (const resolver&),
    ///        (const Props&) or (const resolver&, const Props&), and returning
    ///        a std::shared_ptr<T>, std::unique_ptr<T> or a T, where T is Kind
    ///        or publicly derived from it. Kind defaults to T. A factory that
    ///        takes props is called with the lookup's props, or with a
    ///        value-initialised Props when the lookup gives none (if Props is
    ///        default-constructible; otherwise it needs props).
    /// @param where where the registration is made (the caller, by default).
    /// The overloads below add a `condition` — none (default),
    /// for_context<T> or when(...) — and a lifetime: lifetime::fresh
    /// (default) or lifetime::shared (which cannot take props: a static_assert).
    /// @returns the registration's number in this scope.
    /// @throws null_value_error for a null function pointer or an empty
    ///         std::function; frozen_error after freeze().
    /// Strong guarantee. Takes the write lock. Amortised O(1).
    template <class Kind = void, class Factory>
    std::uint64_t add_factory(Factory make, source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), constraint{}, where).value();
    }
    /// add_factory() with a constraint.
    template <class Kind = void, class Factory>
    std::uint64_t add_factory(Factory make, constraint condition, source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), std::move(condition), where).value();
    }
    /// add_factory() with a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    std::uint64_t add_factory(Factory make, Lifetime, source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make), constraint{},
                                                                                    where)
            .value();
    }
    /// add_factory() with a constraint and a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    std::uint64_t add_factory(Factory make, constraint condition, Lifetime,
                              source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make),
                                                                                    std::move(condition), where)
            .value();
    }
    /// add_factory() returning its refusal instead of raising it.
    template <class Kind = void, class Factory>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), constraint{}, where);
    }
    /// try_add_factory() with a constraint.
    template <class Kind = void, class Factory>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, constraint condition,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, false>(std::move(make), std::move(condition), where);
    }
    /// try_add_factory() with a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, Lifetime,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make), constraint{},
                                                                                    where);
    }
    /// try_add_factory() with a constraint and a lifetime.
    template <class Kind = void, class Factory, class Lifetime>
        requires detail::is_lifetime<Lifetime>
    [[nodiscard]] result<std::uint64_t> try_add_factory(Factory make, constraint condition, Lifetime,
                                                        source_location where = source_location::current()) {
        return add_factory_impl<Kind, std::is_same_v<Lifetime, lifetime::shared_t>>(std::move(make),
                                                                                    std::move(condition), where);
    }

    // --------------------------------------------------------------- lookups
    //
    // Every lookup takes, optionally, a context for this call instead of the
    // scope's (`Context`: any object — borrowed for the call, so a temporary
    // is fine —, a std::shared_ptr, or a roster::scope_context; an empty one
    // means the scope's), and props (roster::props<P>).

    /// The best implementation of `Kind` for this scope's context (see the
    /// precedence rules): an instance, a fresh factory's new product (built
    /// through this scope), or a shared instance (built once by its scope).
    ///
    /// @returns a non-null std::shared_ptr<Kind>.
    /// @throws not_found_error when nothing matches (naming the scope, the
    ///         kind, `where`, the context, the scopes searched, and why each
    ///         registration of the kind did not apply, or the nearest
    ///         registered kinds); whatever the factory throws, unchanged;
    ///         factory_error for a null product or a dependency cycle.
    /// Thread safe. Complexity: see the file comment; an instance costs no
    /// allocation.
    template <class Kind>
    std::shared_ptr<Kind> get(source_location where = source_location::current()) const {
        return find<Kind, false>(request{&context_, nullptr, nullptr}, where).value();
    }
    /// get() with `context` instead of the scope's, for this call (a fresh
    /// factory and its dependencies see it too).
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    std::shared_ptr<Kind> get(const Context& context, source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return find<Kind, false>(request{&effective(given), nullptr, nullptr}, where).value();
    }
    /// get() with props: instances are skipped, and only factories taking a
    /// `P` are candidates; the props reach the factory as `const P&`.
    template <class Kind, class P>
    std::shared_ptr<Kind> get(const props<P>& given, source_location where = source_location::current()) const {
        return find<Kind, false>(request{&context_, &given.value(), &detail::type_tag_of<P>}, where).value();
    }
    /// get() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    std::shared_ptr<Kind> get(const Context& context, const props<P>& given,
                              source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return find<Kind, false>(request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where)
            .value();
    }

    /// get() returning every failure instead of raising it: errc::not_found
    /// (the same message), errc::factory_failed when the factory threw (its
    /// exception is error().cause: `.value()` rethrows it unchanged),
    /// produced a null pointer, or closed a dependency cycle. A predicate's
    /// exception still propagates; so may std::bad_alloc.
    template <class Kind>
    result<std::shared_ptr<Kind>> try_get(source_location where = source_location::current()) const {
        return find<Kind, true>(request{&context_, nullptr, nullptr}, where);
    }
    /// try_get() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    result<std::shared_ptr<Kind>> try_get(const Context& context,
                                          source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return find<Kind, true>(request{&effective(given), nullptr, nullptr}, where);
    }
    /// try_get() with props.
    template <class Kind, class P>
    result<std::shared_ptr<Kind>> try_get(const props<P>& given,
                                          source_location where = source_location::current()) const {
        return find<Kind, true>(request{&context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// try_get() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    result<std::shared_ptr<Kind>> try_get(const Context& context, const props<P>& given,
                                          source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return find<Kind, true>(request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where);
    }

    /// Whether get<Kind>() would find a registration (nothing is built;
    /// predicates run). Never throws a roster error. Thread safe.
    template <class Kind>
    bool contains() const {
        return select(kind_id<Kind>(), request{&context_, nullptr, nullptr}).found != nullptr;
    }
    /// contains() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    bool contains(const Context& context) const {
        const scope_context& given = scope_context::for_lookup(context);
        return select(kind_id<Kind>(), request{&effective(given), nullptr, nullptr}).found != nullptr;
    }

    /// What get<Kind>() would return, and why: every registration of Kind in
    /// the scopes searched, in precedence order, each with its verdict and
    /// reason (see roster::explanation; to_string() prints it). Builds
    /// nothing; runs the predicates. Never throws a roster error. Thread
    /// safe. O(registrations of Kind in the scopes searched), plus their text.
    template <class Kind>
    explanation explain(source_location where = source_location::current()) const {
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(), request{&context_, nullptr, nullptr},
                               where);
    }
    /// explain() with a context.
    template <class Kind, class Context>
        requires detail::lookup_context<Context>
    explanation explain(const Context& context, source_location where = source_location::current()) const {
        const scope_context& given = scope_context::for_lookup(context);
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&effective(given), nullptr, nullptr}, where);
    }
    /// explain() with props.
    template <class Kind, class P>
    explanation explain(const props<P>& given, source_location where = source_location::current()) const {
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// explain() with a context and props.
    template <class Kind, class Context, class P>
        requires detail::lookup_context<Context>
    explanation explain(const Context& context, const props<P>& given,
                        source_location where = source_location::current()) const {
        const scope_context& bound = scope_context::for_lookup(context);
        return explain_request(kind_id<Kind>(), detail::type_name<Kind>(),
                               request{&effective(bound), &given.value(), &detail::type_tag_of<P>}, where);
    }

    /// The number of registrations in this scope (not its ancestors).
    std::size_t size() const {
        return read_scope([](const map_type* map) {
            std::size_t count = 0;
            if (map != nullptr)
                for (const auto& item : *map) count += item.second.value.size();
            return count;
        });
    }

    // ------------------------------------------------------------ lifecycle

    /// Makes this scope read-only for good: later registrations into it are
    /// refused with frozen_error naming `where`, and lookups read it without
    /// a lock. Children can still be created and registered into. Shared
    /// instances are still built on first use. Idempotent; the first call's
    /// location is kept.
    void freeze(source_location where = source_location::current()) { core::freeze(where); }
    /// Whether freeze() was called on this scope. One acquire load.
    using core::frozen;
    /// Where freeze() was first called, or std::nullopt.
    using core::frozen_at;

    // -------------------------------------------------------- observability

    /// Where this scope was created (a child: where its root... the parent
    /// was created, unless given).
    using core::created_at;

    /// This scope as plain data (roster/report.hpp): one entry per
    /// registration in this scope (not its ancestors), keyed by its kind's
    /// name, with where it was registered; state; and, under a counters::
    /// policy, its lookup counts. Taken under the scope's read lock.
    registry_report report() const {
        registry_report out = this->report_with([](const map_type& map, std::vector<entry_report>& entries) {
            for (const auto& element : map) {
                const auto& item = element.second; // not a structured binding: the lambda below captures it
                item.value.for_each([&](const record& r) {
                    entry_report e{detail::describe_key(item.value.kind_name), r.where, std::nullopt};
                    if constexpr (core::per_key_counting) e.hits = item.hits.load();
                    entries.push_back(std::move(e));
                });
            }
        });
        out.key_type = "kind";
        out.value_type = "registration (instance or factory)";
        return out;
    }

    /// Lookups counted so far (with a counters:: policy): a hit is counted
    /// by the scope whose registration answered it, a miss by the scope
    /// that was asked. Lock-free.
    lookup_counts lookups() const noexcept
        requires(counters_policy::counted)
    {
        return core::lookups();
    }

private:
    template <class>
    friend class basic_resolver;

    struct child_tag {};
    basic_scoped_registry(child_tag, const basic_scoped_registry& parent, scope_context context, std::string name)
        : core(detail::unlisted_instance, name.empty() ? std::string("child") : std::move(name), parent.created_at()),
          parent_(&parent), depth_(parent.depth_ + 1), context_(std::move(context)),
          membership_(detail::unlisted_instance) {}

    static constexpr bool synchronised = locking_policy::synchronised;


    using record = detail::scope_record<resolver, synchronised>;
    using slot = detail::scope_slot<resolver, synchronised>;
    using map_type = typename core::map_type;

    /// One lookup: the context it uses (the call's or the scope's, never
    /// null, may be empty) and its props.
    struct request {
        const scope_context* context;
        const void* props;
        const detail::type_tag* props_type;
    };

    /// Why a registration does not match a request.
    enum class mismatch {
        none,
        instance_with_props,
        takes_no_props,
        other_props,
        needs_props,
        no_context,
        unrelated_context,
        predicate_false
    };

    /// The precedence key of a matching registration (smaller is better, see precedes()).
    struct match_key {
        context_tier tier = context_tier::unconstrained;
        std::size_t distance = 0;
        std::size_t order = 0; // position in the context type's resolution order
        int rank = 0;
        bool factory = false;
        std::uint64_t number = 0;
    };

    struct selection {
        const record* found = nullptr;
        const basic_scoped_registry* owner = nullptr;
    };

    template <class Kind>
    static constexpr void check_kind() {
        static_assert(std::is_class_v<Kind> || std::is_union_v<Kind> || std::is_scalar_v<Kind>,
                      "roster: a kind must be an object type (a class, usually)");
        static_assert(!std::is_const_v<Kind> && !std::is_volatile_v<Kind>,
                      "roster: kinds are registered and looked up without const/volatile (the handle is "
                      "std::shared_ptr<Kind>)");
    }

    template <class Kind>
    static constexpr const void* kind_id() noexcept {
        check_kind<Kind>();
        return &detail::type_tag_of<Kind>;
    }

    const scope_context& effective(const scope_context& given) const noexcept { return given ? given : context_; }

    /// Runs `f(map or nullptr)` with the right synchronisation for a read.
    template <class F>
    decltype(auto) read_scope(F&& f) const {
        // A scope that never had a registration (most child scopes) is read
        // with one acquire load and no lock.
        if (kinds_.load(std::memory_order_acquire) == 0) return f(static_cast<const map_type*>(nullptr));
        return this->read([&](const map_type& map) { return f(&map); });
    }

    /// read_scope() for the registrations of `kind` only: `f(nullptr)`, with
    /// one acquire load and no lock, when `kind` was never registered here
    /// (a child scope that holds other kinds is passed over that way).
    template <class F>
    decltype(auto) read_kind(const void* kind, F&& f) const {
        if ((kinds_.load(std::memory_order_acquire) & kind_bit(kind)) == 0)
            return f(static_cast<const map_type*>(nullptr));
        return this->read([&](const map_type& map) { return f(&map); });
    }

    /// The bit of `kinds_` that `kind` sets (a multiplicative hash of its
    /// address: several kinds may share one).
    static std::uint64_t kind_bit(const void* kind) noexcept {
        const auto address = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(kind));
        return std::uint64_t{1} << ((address * 0x9E3779B97F4A7C15ULL) >> 58U);
    }

    template <class Kind, bool Shared, class Factory>
    result<std::uint64_t> add_factory_impl(Factory make, constraint condition, const source_location& where) {
        static_assert(detail::deducible_signature<Factory>,
                      "roster: add_factory(make): make must be a function, a function pointer or a callable with "
                      "exactly one non-template operator() (not a generic lambda: spell its parameter types)");
        using signature = typename detail::function_signature<decltype(std::function{std::declval<Factory&>()})>::type;
        using shape = detail::factory_shape<signature, resolver>;
        static_assert(shape::valid,
                      "roster: add_factory(make): make must take (), (const resolver&), (const Props&) or "
                      "(const resolver&, const Props&), where resolver is basic_scoped_registry<...>::resolver and "
                      "Props is taken by value or const&");
        using product = typename shape::product;
        using props_type = typename shape::props_type;
        using element = typename detail::product_traits<product>::element;
        using kind_type = std::conditional_t<std::is_void_v<Kind>, element, Kind>;
        check_kind<kind_type>();
        static_assert(std::is_object_v<element> && std::is_convertible_v<element*, kind_type*>,
                      "roster: add_factory<Kind>(make): make must return std::shared_ptr<T>, std::unique_ptr<T> or a T, "
                      "where T is Kind or publicly derived from it");
        static_assert(!Shared || std::is_void_v<props_type>,
                      "roster: a lifetime::shared factory cannot take props: its instance is built once, so later "
                      "lookups' props could never reach it; register a fresh factory for props");

        if constexpr (!std::is_class_v<Factory> || detail::is_std_function<Factory>) {
            if (const std::string_view reason = on_null::reject::refusal(make); !reason.empty()) {
                return detail::null_message(name(), detail::describe_key(detail::type_name<kind_type>()),
                                            detail::type_name<Factory>(), reason, where);
            }
        }

        std::function<std::shared_ptr<void>(const resolver&, const void*)> stored =
            [f = std::move(make)](const resolver& through, [[maybe_unused]] const void* given) mutable
            -> std::shared_ptr<void> {
            auto call = [&](auto&&... args) -> std::shared_ptr<void> {
                std::shared_ptr<kind_type> product_ptr = detail::product_traits<product>::share(
                    std::invoke(f, std::forward<decltype(args)>(args)...));
                return std::static_pointer_cast<void>(std::move(product_ptr));
            };
            auto with_resolver = [&](auto&&... args) -> std::shared_ptr<void> {
                if constexpr (shape::takes_resolver) return call(through, std::forward<decltype(args)>(args)...);
                else return call(std::forward<decltype(args)>(args)...);
            };
            if constexpr (std::is_void_v<props_type>) {
                return with_resolver();
            } else {
                if (given != nullptr) return with_resolver(*static_cast<const props_type*>(given));
                if constexpr (std::is_default_constructible_v<props_type>) {
                    const props_type none{};
                    return with_resolver(none);
                } else {
                    return std::shared_ptr<void>(); // unreachable: match() skips it
                }
            }
        };
        return insert(kind_id<kind_type>(), detail::type_name<kind_type>(), where, [&](record& made) noexcept {
            made.what = Shared ? registration_kind::shared_factory : registration_kind::factory;
            made.implementation = detail::type_name<element>();
            made.product = detail::type_name<product>();
            set_condition(made, condition);
            made.where = where;
            if constexpr (!std::is_void_v<props_type>) {
                made.props_type = &detail::type_tag_of<props_type>;
                made.props_optional = std::is_default_constructible_v<props_type>;
            }
            made.make = std::move(stored);
        });
    }

    /// Gives `made` the constraint `condition` (taken); an unconstrained one
    /// is what a new record holds already.
    static void set_condition(record& made, constraint& condition) noexcept {
        if (condition.kind_ != constraint_kind::none) made.condition = std::move(condition);
    }

    /// Files a new registration under `kind`, filled in by `fill(record&)`
    /// (noexcept), or refuses it (frozen) without calling `fill`. Strong
    /// guarantee: whatever throws (std::bad_alloc) throws before anything
    /// changes. The kind's first registration in this scope is filled in
    /// place, in the map's node; later ones are allocated.
    template <class Fill>
    result<std::uint64_t> insert(const void* kind, std::string_view kind_name, const source_location& where,
                                 Fill&& fill) {
        static_assert(std::is_nothrow_invocable_v<Fill&, record&>, "insert(): fill must be noexcept");
        return this->try_write("add", [&] { return detail::describe_key(kind_name); }, where, [&](map_type& map) {
            auto [it, inserted] = map.try_emplace(kind); // may throw: nothing has changed
            slot& target = it->second.value;
            record* filed = &target.first;
            if (inserted) { // a filled slot is never emptied: an existing one holds a registration
                it->second.where = where;
                target.kind_name = kind_name;
                target.filled = true;
            } else { // may throw, before anything changes
                target.more.reserve(target.more.size() + 1);
                target.more.push_back(std::make_unique<record>()); // no reallocation: reserved
                filed = target.more.back().get();
            }
            fill(*filed);
            const std::uint64_t number = next_number_++;
            filed->number = number;
            kinds_.store(kinds_.load(std::memory_order_relaxed) | kind_bit(kind), std::memory_order_release);
            return number;
        });
    }

    /// Whether `r` matches `req`; if so, fills `key`.
    static mismatch match(const record& r, const request& req, match_key& key) {
        if (req.props_type != nullptr) {
            if (r.what == registration_kind::instance) return mismatch::instance_with_props;
            if (r.props_type == nullptr) return mismatch::takes_no_props;
            if (r.props_type != req.props_type) return mismatch::other_props;
        } else if (r.props_type != nullptr && !r.props_optional) {
            return mismatch::needs_props;
        }
        const scope_context& context = *req.context;
        switch (r.condition.kind_) {
        case constraint_kind::none: key.tier = context_tier::unconstrained; break;
        case constraint_kind::context: {
            if (!context) return mismatch::no_context;
            if (context.type_ == r.condition.type_) { // the exact type: no need for the resolution order
                key.tier = context_tier::exact;
                break;
            }
            const detail::context_ancestor* found = context.find(r.condition.type_);
            if (found == nullptr) return mismatch::unrelated_context;
            key.tier = found->distance == 0 ? context_tier::exact : context_tier::base;
            key.distance = found->distance;
            key.order = static_cast<std::size_t>(found - context.type_->ancestry().data());
            break;
        }
        case constraint_kind::predicate:
            if (r.condition.type_ != nullptr) {
                if (!context) return mismatch::no_context;
                if (context.find(r.condition.type_) == nullptr) return mismatch::unrelated_context;
            }
            if (!r.condition.predicate_(context)) return mismatch::predicate_false;
            key.tier = context_tier::predicate;
            key.rank = r.condition.rank_;
            break;
        }
        key.factory = r.what != registration_kind::instance;
        key.number = r.number;
        return mismatch::none;
    }

    /// Whether `a` wins over `b` (both matching, in the same scope).
    static bool precedes(const match_key& a, const match_key& b) noexcept {
        if (a.tier != b.tier) return a.tier < b.tier;
        if (a.distance != b.distance) return a.distance < b.distance;
        if (a.order != b.order) return a.order < b.order;
        if (a.rank != b.rank) return a.rank > b.rank;
        if (a.factory != b.factory) return !a.factory;
        return a.number > b.number;
    }

    /// The winner: the best match of the nearest scope that has one.
    /// With Count, the scope that answers counts a hit (counters:: policies).
    template <bool Count = false>
    selection select(const void* kind, const request& req) const {
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_) {
            const record* best = scope->read_kind(kind, [&](const map_type* map) -> const record* {
                if (map == nullptr) return nullptr;
                const auto it = map->find(kind);
                if (it == map->end()) return nullptr;
                const record* winner = nullptr;
                match_key winner_key;
                it->second.value.for_each([&](const record& r) {
                    match_key key;
                    if (match(r, req, key) != mismatch::none) return;
                    if (winner == nullptr || precedes(key, winner_key)) {
                        winner = &r;
                        winner_key = key;
                    }
                });
                if constexpr (Count) {
                    if (winner != nullptr) scope->count_hit(it->second);
                }
                return winner;
            });
            if (best != nullptr) return selection{best, scope};
        }
        return selection{};
    }

    /// The lookup behind get, try_get and the resolver's.
    template <class Kind, bool Catch>
    result<std::shared_ptr<Kind>> find(const request& req, const source_location& where) const {
        const selection chosen = select<true>(kind_id<Kind>(), req);
        if (chosen.found == nullptr) {
            this->count_miss(detail::type_name<Kind>());
            return miss(kind_id<Kind>(), detail::type_name<Kind>(), req, where);
        }
        const record& r = *chosen.found;
        if (r.what == registration_kind::instance) return std::static_pointer_cast<Kind>(r.instance);
        result<std::shared_ptr<void>> made =
            r.what == registration_kind::shared_factory
                ? chosen.owner->template shared_instance<Catch>(r, detail::type_name<Kind>(), where)
                : build<Catch>(r, resolver(*this, *req.context), req.props, detail::type_name<Kind>(), where);
        if (!made) return made.error();
        return std::static_pointer_cast<Kind>(std::move(*made));
    }

    /// Runs `r`'s factory through `through`; `this` is the scope named in
    /// failure messages (the one running it).
    template <bool Catch>
    result<std::shared_ptr<void>> build(const record& r, const resolver& through, const void* given,
                                        std::string_view kind_name, const source_location& where) const {
        if (detail::is_building(&r)) return cycle(r, kind_name, where);
        const detail::building_guard guard(&r, kind_name);
        std::shared_ptr<void> product;
#if ROSTER_HAS_EXCEPTIONS
        if constexpr (Catch) {
            try {
                product = r.make(through, given);
            } catch (const std::exception& e) {
                return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                      fmt::format("threw: {}", e.what()), std::current_exception());
            } catch (...) {
                return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                      "threw an exception that is not a std::exception",
                                                      std::current_exception());
            }
        } else {
            product = r.make(through, given);
        }
#else
        product = r.make(through, given);
#endif
        if (!product) {
            return detail::factory_failed_message(name(), detail::describe_key(kind_name), where, r.where,
                                                  fmt::format("produced a null {}", r.product));
        }
        return product;
    }

    /// The shared instance of `r`, a registration of this scope: built once,
    /// here, with this scope's context.
    template <bool Catch>
    result<std::shared_ptr<void>> shared_instance(const record& r, std::string_view kind_name,
                                                  const source_location& where) const {
        if (r.built.load(std::memory_order_acquire)) return r.cached;
        if (detail::is_building(&r)) return cycle(r, kind_name, where); // before locking: no self-deadlock
        const std::lock_guard lock(r.build_mutex);
        if (r.built.load(std::memory_order_relaxed)) return r.cached;
        result<std::shared_ptr<void>> made = build<Catch>(r, resolver(*this, context_), nullptr, kind_name, where);
        if (made) {
            r.cached = *made;
            r.built.store(true, std::memory_order_release);
        }
        return made;
    }

    error_info cycle(const record& r, std::string_view kind_name, const source_location& where) const {
        return detail::factory_failed_message(
            name(), detail::describe_key(kind_name), where, r.where,
            fmt::format("is already being built on this thread: a dependency cycle {}",
                        detail::building_cycle(&r, kind_name)));
    }

    // ------------------------------------------------- misses and explain()

    static std::string describe_props(const request& req) {
        return req.props_type != nullptr ? std::string(req.props_type->name) : std::string("none");
    }

    /// Why `r` does not match `req`, in words.
    static std::string mismatch_text(mismatch why, const record& r, const request& req) {
        const std::string_view context = req.context->type_name();
        switch (why) {
        case mismatch::none: break;
        case mismatch::instance_with_props: return "an instance, and the lookup gave props (props skip instances)";
        case mismatch::takes_no_props:
            return fmt::format("the factory takes no props, and the lookup gave props of type {}", describe_props(req));
        case mismatch::other_props:
            return fmt::format("the factory takes props of type {}, and the lookup gave {}", r.props_type->name,
                               describe_props(req));
        case mismatch::needs_props:
            return fmt::format("the factory needs props of type {} (not default-constructible), and the lookup gave none",
                               r.props_type->name);
        case mismatch::no_context:
            return fmt::format("needs a context that is a {}, and the lookup has no context", r.condition.type_->name);
        case mismatch::unrelated_context:
            return fmt::format("the context {} is not a {} (neither that type nor declaring it as a base)", context,
                               r.condition.type_->name);
        case mismatch::predicate_false: return fmt::format("the predicate is false for the context {}", context);
        }
        return {};
    }

    static const char* tier_phrase(context_tier tier) noexcept {
        switch (tier) {
        case context_tier::exact: return "an exact context match";
        case context_tier::base: return "a base context match";
        case context_tier::predicate: return "a predicate match";
        case context_tier::unconstrained: return "an unconstrained registration";
        }
        return "a match";
    }

    /// The rule by which `a` beats `b` (both matching, same scope).
    static std::string why_precedes(const match_key& a, const match_key& b) {
        if (a.tier != b.tier) return fmt::format("{} beats {}", tier_phrase(a.tier), tier_phrase(b.tier));
        if (a.distance != b.distance)
            return fmt::format("a nearer base context wins (inheritance distance {} < {})", a.distance, b.distance);
        if (a.order != b.order)
            return fmt::format("at equal distance, the base declared first wins (position {} < {} in the context's "
                               "resolution order)",
                               a.order, b.order);
        if (a.rank != b.rank) return fmt::format("the higher rank wins ({} > {})", a.rank, b.rank);
        if (a.factory != b.factory) return "an instance beats a factory at the same tier";
        return fmt::format("the newest registration wins (#{} > #{})", a.number, b.number);
    }

    /// Calls `f(scope, scope_distance, record, mismatch, key)` for every
    /// registration of `kind` in this scope and its ancestors, nearest first,
    /// under each scope's read synchronisation.
    template <class F>
    void for_each_candidate(const void* kind, const request& req, F&& f) const {
        std::size_t distance = 0;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_, ++distance) {
            scope->read_kind(kind, [&](const map_type* map) {
                if (map == nullptr) return 0;
                const auto it = map->find(kind);
                if (it == map->end()) return 0;
                it->second.value.for_each([&](const record& r) {
                    match_key key;
                    const mismatch why = match(r, req, key);
                    f(*scope, distance, r, why, key);
                });
                return 0;
            });
        }
    }

    std::string searched_list() const {
        std::string list;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_)
            list += fmt::format("{}{}", scope == this ? "" : ", ", detail::quoted(scope->name()));
        return list;
    }

    /// The not_found message: the context, the scopes searched, and why each
    /// registration of the kind did not apply, or the nearest kinds.
    error_info miss(const void* kind, std::string_view kind_name, const request& req,
                    const source_location& where) const {
        std::string details = fmt::format("; context: {}; props: {}; scopes searched: {}", req.context->type_name(),
                                          describe_props(req), searched_list());
        std::vector<std::string> reasons;
        for_each_candidate(kind, req, [&](const basic_scoped_registry& scope, std::size_t, const record& r, mismatch why,
                                          const match_key&) {
            reasons.push_back(fmt::format("{} #{} ({} {}, {}): {}", detail::quoted(scope.name()), r.number, roster::to_string(r.what),
                                          r.implementation, r.condition.describe(), mismatch_text(why, r, req)));
        });
        if (!reasons.empty()) {
            details += fmt::format("; {} registration{} of this kind, none applies: ", reasons.size(),
                                   reasons.size() == 1 ? "" : "s");
            for (std::size_t i = 0; i < reasons.size(); ++i) details += (i == 0 ? "" : "; ") + reasons[i];
            details += " (explain() lists them)";
        } else {
            detail::nearest_names nearest{std::string(kind_name)};
            std::vector<const void*> seen;
            for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_) {
                scope->read_scope([&](const map_type* map) {
                    if (map == nullptr) return 0;
                    for (const auto& item : *map) {
                        if (item.second.value.empty()) continue;
                        if (std::find(seen.begin(), seen.end(), item.first) != seen.end()) continue;
                        seen.push_back(item.first);
                        nearest.offer(item.second.value.kind_name);
                    }
                    return 0;
                });
            }
            details += seen.empty() ? std::string("; no kind is registered in any scope searched") : nearest.suffix();
        }
        return detail::not_found_message(name(), detail::describe_key(kind_name), where, std::move(details));
    }

    explanation explain_request(const void* kind, std::string_view kind_name, const request& req,
                                const source_location& where) const {
        explanation out;
        out.registry = name();
        out.kind = std::string(kind_name);
        out.context = std::string(req.context->type_name());
        out.props = describe_props(req);
        out.where = where;
        for (const basic_scoped_registry* scope = this; scope != nullptr; scope = scope->parent_)
            out.searched.push_back(scope->name());

        struct row {
            explained_candidate candidate;
            match_key key;
        };
        std::vector<row> rows;
        for_each_candidate(kind, req, [&](const basic_scoped_registry& scope, std::size_t distance, const record& r,
                                          mismatch why, const match_key& key) {
            explained_candidate c;
            c.scope = scope.name();
            c.scope_distance = distance;
            c.number = r.number;
            c.what = r.what;
            c.implementation = std::string(r.implementation);
            c.condition = r.condition.describe();
            c.where = r.where;
            c.matches = why == mismatch::none;
            if (c.matches) {
                c.tier = key.tier;
                c.distance = key.distance;
                c.rank = key.rank;
            } else {
                c.outcome = verdict::skipped;
                c.reason = "skipped: " + mismatch_text(why, r, req);
            }
            rows.push_back(row{std::move(c), key});
        });

        std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
            if (a.candidate.matches != b.candidate.matches) return a.candidate.matches;
            if (a.candidate.scope_distance != b.candidate.scope_distance)
                return a.candidate.scope_distance < b.candidate.scope_distance;
            if (a.candidate.matches) return precedes(a.key, b.key);
            return a.candidate.number > b.candidate.number;
        });

        if (!rows.empty() && rows.front().candidate.matches) {
            const row& winner = rows.front();
            for (std::size_t i = 0; i < rows.size(); ++i) {
                explained_candidate& c = rows[i].candidate;
                if (!c.matches) continue;
                if (i == 0) {
                    c.outcome = verdict::chosen;
                    const bool runner_up = rows.size() > 1 && rows[1].candidate.matches &&
                                           rows[1].candidate.scope_distance == c.scope_distance;
                    c.reason = runner_up
                                   ? fmt::format("chosen: {} (over #{})", why_precedes(winner.key, rows[1].key),
                                                 rows[1].candidate.number)
                                   : fmt::format("chosen: the only match in {}, the nearest scope with one", detail::quoted(c.scope));
                } else if (c.scope_distance == winner.candidate.scope_distance) {
                    c.outcome = verdict::outranked;
                    c.reason = "outranked: " + why_precedes(winner.key, rows[i].key);
                } else {
                    c.outcome = verdict::shadowed;
                    c.reason = fmt::format("shadowed: the nearer scope {} has a match", detail::quoted(winner.candidate.scope));
                }
            }
        }
        out.candidates.reserve(rows.size());
        for (row& r : rows) out.candidates.push_back(std::move(r.candidate));
        return out;
    }

    const basic_scoped_registry* parent_ = nullptr;
    std::size_t depth_ = 0;
    scope_context context_;
    // One bit per kind registered here (kind_bit(); set, release, under the
    // core's write lock once the registration is filed): zero while the
    // scope holds none.
    std::atomic<std::uint64_t> kinds_{0};
    std::uint64_t next_number_ = 1;      // under the core's write lock
    // Last: a listed root is listed once everything else is built, unlisted
    // before anything is destroyed. Child scopes are never listed.
    [[no_unique_address]] typename listing_policy::membership membership_;
};

/// The common case: scopes synchronised by a std::shared_mutex each.
using scoped_registry = basic_scoped_registry<>;


ROSTER_END_NAMESPACE // namespace roster
