// roster/hot_reload.hpp — roster::basic_hot_reload_registry: a registry whose
// whole set of registrations is replaced at run time while other threads keep
// reading it (the hot-reload registry of Go services, in C++).
//
//   roster::hot_reload_registry<std::shared_ptr<const route>> routes{"routes"};
//   routes.replace_all(load_routes(config));            // version 1, validated as a whole
//   routes.visit(path, [&](const auto& r) { r->serve(request); });   // any thread, near-free
//   auto snap = routes.current();                      // hold one version...
//   snap->get("a"); snap->get("b");                    // ...and read it consistently
//   auto sub = routes.subscribe([](const auto& e) { /* added / removed / changed / unchanged */ });
//
// A snapshot is an immutable, frozen core registry (roster::basic_registry,
// locking::none) built by the core's own add, so every policy — duplicates,
// nulls, key validation — applies to a replacement set exactly as to add():
// an invalid set is refused as a whole, listing every problem, and nothing is
// published.
//
// Guarantees
// - Consistency: every read sees one published snapshot, the old one or the
//   new one, never a mix and never a torn entry. A snapshot never changes.
// - Versions: every successful replacement publishes version+1 (the first is
//   1; the empty registry is version 0). On any one thread, the versions its
//   reads observe never go backwards.
// - Thread safety: every member may be called concurrently. Replacements are
//   serialised by a writer mutex; reads never take it.
// - The read path: each thread caches the snapshot it last used, keyed by the
//   registry's process-unique id (never its address, which a later registry
//   could reuse). A read is one thread-local lookup, one acquire load of the
//   version and, when it has not changed, the core's unsynchronised hash
//   lookup: no lock, no reference count, no atomic<shared_ptr>. When the
//   version changed, the first read on each thread takes a mutex once and
//   copies the new snapshot's shared_ptr.
// - Memory: an old snapshot is destroyed by whichever of its holders lets
//   go of it last: the writer publishing its successor, a held `snapshot`,
//   or a thread's cache — which lets go at that thread's next read of the
//   registry, at release_cached_snapshot() / roster::release_thread_snapshots()
//   on that thread, when a thread touches more than 8 hot-reload registries
//   and evicts it, or when the thread exits. An idle thread therefore keeps
//   one old snapshot alive until it does one of these. Values are destroyed
//   outside every lock.
// - Events: subscribe() hears every replacement diffed by key — removed,
//   added, changed (values compared with ==; a Value without == is always
//   "changed"), in key order — or one `unchanged` event when nothing differs.
//   All the events of one replacement carry its version and are delivered
//   consecutively, outside every lock (roster/events.hpp).
// - Exception safety: strong. A refused or failed replacement (a throwing
//   builder, std::bad_alloc) publishes nothing and leaves the version as it was.
//
// Complexity: reads as the core registry's lookups (average O(1)), plus O(1);
// replacements O(n) to build, + O(n log n) to diff when someone listens.
//
// @warning update()'s builder runs under the writer mutex: it must not call
// replace_all, rebuild, update or subscribe on the same registry (deadlock).
// Reading the registry from anywhere, and replacing its set from a visit()
// callback or a listener, are fine.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/events.hpp"
#include "roster/policies.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"

#include <algorithm>        // std::sort
#include <atomic>           // std::atomic<std::uint64_t>: the version, the ids
#include <concepts>         // std::equality_comparable, std::totally_ordered
#include <cstddef>          // std::size_t
#include <cstdint>          // std::uint64_t
#include <functional>       // std::invoke
#include <initializer_list> // replace_all({{"a", 1}, ...})
#include <memory>           // std::shared_ptr
#include <mutex>            // std::mutex
#include <optional>         // std::optional
#include <iterator>         // std::begin, std::end
#include <string>           // std::string
#include <tuple>            // std::tuple_size: pair-like entries; std::tuple: policy lists
#include <type_traits>      // std::remove_cvref_t
#include <utility>          // std::pair, std::move, std::exchange
#include <vector>           // std::vector

/// Keeps a slow path out of the caller's code (internal).
#if defined(__GNUC__) || defined(__clang__)
#    define ROSTER_DETAIL_COLD __attribute__((noinline, cold))
#else
#    define ROSTER_DETAIL_COLD
#endif

ROSTER_BEGIN_NAMESPACE

namespace detail {

/// The per-thread cache of hot-reload snapshots: up to 8 registries per
/// thread, each slot owned by a registry id and holding the snapshot
/// (type-erased) this thread last read from it, with that snapshot's version.
///
/// Split in two so that the read path touches only plain thread-local data:
/// - the table (ids, versions, raw pointers, the in-read counter) is
///   constant-initialised and trivially destructible: no guard, no
///   registration, one %fs-relative access;
/// - the keeper holds the shared_ptrs that keep those snapshots alive. It is
///   created by a thread's first slow-path read and destroyed at thread exit,
///   when it empties the table first and then lets go of the snapshots.
class snapshot_cache {
public:
    static constexpr std::size_t capacity = 8;

    struct slot {
        std::uint64_t owner = 0; ///< the registry's id; 0: free
        std::uint64_t version = 0;
        const void* state = nullptr; ///< the snapshot, typed by its owner; kept alive by the keeper
    };

    struct table {
        slot slots[capacity];
        unsigned busy = 0; ///< reads of hot-reload registries running on this thread

        /// The slot of `owner`, or null.
        const slot* find(std::uint64_t owner) const noexcept {
            for (const slot& s : slots)
                if (s.owner == owner) return &s;
            return nullptr;
        }
    };

    /// This thread's table.
    static table& local() noexcept {
        static thread_local constinit table instance{};
        return instance;
    }

    /// Marks a read in progress on this thread for its lifetime: slots must
    /// not change under it (a nested read fetches without caching).
    class in_use {
    public:
        explicit in_use(table& t) noexcept : table_(t) { ++table_.busy; }
        in_use(const in_use&) = delete;
        in_use& operator=(const in_use&) = delete;
        ~in_use() { --table_.busy; }

    private:
        table& table_;
    };

    /// Owns the snapshots the table points to.
    class keeper {
    public:
        /// This thread's keeper, created on first use; null once it was
        /// destroyed (thread exit), after which nothing is cached any more.
        static keeper* obtain() noexcept {
            if (keeper* live = pointer()) return live;
            if (gone()) return nullptr;
            static thread_local keeper instance;
            return &instance;
        }

        /// This thread's keeper if it exists, else null (never creates it).
        static keeper* existing() noexcept { return pointer(); }

        keeper(const keeper&) = delete;
        keeper& operator=(const keeper&) = delete;

        /// Caches `snapshot` (of registry `owner`, at `version`) in a slot:
        /// the owner's own, else a free one, else the next victim. Returns
        /// what the slot held before, to be let go of by the caller once the
        /// read is over.
        std::shared_ptr<const void> store(std::uint64_t owner, std::uint64_t version,
                                          std::shared_ptr<const void> snapshot) noexcept {
            table& t = local();
            std::size_t index = capacity;
            for (std::size_t i = 0; i < capacity && index == capacity; ++i)
                if (t.slots[i].owner == owner) index = i;
            for (std::size_t i = 0; i < capacity && index == capacity; ++i)
                if (t.slots[i].owner == 0) index = i;
            if (index == capacity) {
                index = victim_;
                victim_ = (victim_ + 1) % capacity;
            }
            t.slots[index] = slot{owner, version, snapshot.get()};
            return std::exchange(keep_[index], std::move(snapshot));
        }

        /// The snapshot cached for `owner`, or null.
        std::shared_ptr<const void> held(std::uint64_t owner) const noexcept {
            const table& t = local();
            for (std::size_t i = 0; i < capacity; ++i)
                if (t.slots[i].owner == owner) return keep_[i];
            return nullptr;
        }

        /// Frees `owner`'s slot; returns its snapshot, to be let go of by the caller.
        std::shared_ptr<const void> take(std::uint64_t owner) noexcept {
            table& t = local();
            for (std::size_t i = 0; i < capacity; ++i) {
                if (t.slots[i].owner != owner) continue;
                t.slots[i] = slot{};
                return std::move(keep_[i]);
            }
            return nullptr;
        }

        /// Frees every slot (not while a read runs on this thread).
        void release_all() noexcept {
            table& t = local();
            if (t.busy != 0) return;
            std::shared_ptr<const void> retired[capacity];
            for (std::size_t i = 0; i < capacity; ++i) {
                t.slots[i] = slot{};
                retired[i] = std::move(keep_[i]);
            }
            // `retired` is destroyed here, once the table is consistent: a
            // destructor that reads a hot-reload registry finds it empty.
        }

    private:
        keeper() noexcept { pointer() = this; }
        ~keeper() {
            pointer() = nullptr;
            gone() = true;
            release_all_unconditionally();
        }

        void release_all_unconditionally() noexcept {
            table& t = local();
            std::shared_ptr<const void> retired[capacity];
            for (std::size_t i = 0; i < capacity; ++i) {
                t.slots[i] = slot{};
                retired[i] = std::move(keep_[i]);
            }
        }

        // Trivially destructible thread-locals: readable at any time, even
        // while other thread-locals are being destroyed.
        static keeper*& pointer() noexcept {
            static thread_local constinit keeper* live = nullptr;
            return live;
        }
        static bool& gone() noexcept {
            static thread_local constinit bool destroyed = false;
            return destroyed;
        }

        std::shared_ptr<const void> keep_[capacity];
        std::size_t victim_ = 0;
    };
};

/// A process-unique id for a hot-reload registry (never 0, never reused).
inline std::uint64_t next_hot_reload_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

/// The element type of a range (by std::begin, which clang 14 handles with
/// libstdc++ 12, unlike some std::ranges machinery).
template <class Range>
using range_element_t = std::remove_cvref_t<decltype(*std::begin(std::declval<Range&>()))>;

/// A replacement set: a range whose elements are pair-like (bind to
/// `auto&& [key, value]`), e.g. std::vector<std::pair<K, V>> or std::map<K, V>.
template <class Range>
concept entry_range = requires(Range& r) {
    std::begin(r) != std::end(r);
    std::tuple_size<range_element_t<Range>>::value;
} && std::tuple_size<range_element_t<Range>>::value == 2;

/// Whether `Tag` is among `Policies`.
template <class Tag, class... Policies>
inline constexpr bool in_category_of = (std::is_same_v<Tag, Policies> || ...);

/// basic_registry<Key, Value, Kept..., locking::none> with Kept the policies
/// that are neither counters:: nor listing:: (those belong to the outer
/// hot-reload registry).
template <class Key, class Value, class Kept, class... Policies>
struct snapshot_registry_builder;
template <class Key, class Value, class... Kept>
struct snapshot_registry_builder<Key, Value, std::tuple<Kept...>> {
    using type = basic_registry<Key, Value, Kept..., locking::none>;
};
template <class Key, class Value, class... Kept, class First, class... Rest>
struct snapshot_registry_builder<Key, Value, std::tuple<Kept...>, First, Rest...> {
    static constexpr bool dropped =
        in_category<First, policy_category::counters> || in_category<First, policy_category::listing>;
    using type = typename snapshot_registry_builder<
        Key, Value, std::conditional_t<dropped, std::tuple<Kept...>, std::tuple<Kept..., First>>, Rest...>::type;
};
template <class Key, class Value, class... Policies>
struct snapshot_registry_of : snapshot_registry_builder<Key, Value, std::tuple<>, Policies...> {};

} // namespace detail

/// Lets go of every hot-reload snapshot cached by the calling thread, for
/// every registry. Call it when a worker thread goes idle so that it does
/// not keep an old snapshot (and its values) alive. Does nothing when called
/// from inside a read (a visit() or for_each() callback). The next read on
/// this thread takes the slow path once per registry.
inline void release_thread_snapshots() noexcept {
    if (detail::snapshot_cache::keeper* keeper = detail::snapshot_cache::keeper::existing()) keeper->release_all();
}

/// A registry whose whole set of registrations is replaced at run time while
/// readers on other threads keep reading, each read seeing one consistent
/// snapshot. See the header comment for the guarantees.
///
/// @tparam Key      as for basic_registry.
/// @tparam Value    as for basic_registry; copyable for get(), at(),
///                  update() and subscribe().
/// @tparam Policies on_duplicate::*, on_null::*, storage::* as for
///                  basic_registry, applied to every replacement set. No
///                  locking:: policy: the registry is always synchronised.
template <class Key, class Value, class... Policies>
class basic_hot_reload_registry {
    static_assert(detail::count_in_category<policy_category::locking, Policies...> == 0,
                  "roster::basic_hot_reload_registry takes no locking:: policy: it is always synchronised (readers "
                  "use per-thread snapshots, replacements a writer mutex)");
    static_assert(!detail::in_category_of<counters::per_key, Policies...>,
                  "roster::basic_hot_reload_registry takes counters::per_registry but not counters::per_key: each "
                  "replacement set is a new core registry, so per-entry counts would not survive a replacement");

    static_assert(detail::is_complete<typename detail::select_policy_t<policy_category::counters, counters::none,
                                                                       Policies...>::state>,
                  "roster::basic_hot_reload_registry: counters::per_registry needs #include <roster/counters.hpp>");
    static_assert(detail::is_complete<typename detail::select_policy_t<policy_category::listing, listing::unlisted,
                                                                       Policies...>::membership>,
                  "roster::basic_hot_reload_registry: listing::listed needs #include <roster/catalog.hpp>");

public:
    /// The immutable core registry a snapshot holds (frozen, read without
    /// locks): the given policies without counters:: and listing:: (which
    /// belong to this outer registry, so that they outlive replacements).
    using snapshot_registry = typename detail::snapshot_registry_of<Key, Value, Policies...>::type;
    /// The counters:: policy in effect (counters::none unless given); it
    /// counts the lookups of this registry across every replacement.
    using counters_policy = detail::select_policy_t<policy_category::counters, counters::none, Policies...>;
    /// The listing:: policy in effect (listing::unlisted unless given); under
    /// listing::listed this registry (not each snapshot) is in the catalog.
    using listing_policy = detail::select_policy_t<policy_category::listing, listing::unlisted, Policies...>;
    /// The key type.
    using key_type = Key;
    /// The value type.
    using value_type = Value;
    /// The argument type of lookups: std::string_view for std::string keys.
    using lookup_type = typename snapshot_registry::lookup_type;
    /// What listeners receive (roster/events.hpp).
    using event_type = change_event<Key, Value>;
    /// What subscribe() calls when a listener throws: the event and the exception.
    using listener_error_handler = std::function<void(const event_type&, std::exception_ptr)>;

private:
    struct state {
        explicit state(const std::string& name) : registry(name) {}
        state(const snapshot_registry& from, const std::string& name) : registry(from, name) {}
        snapshot_registry registry;
        std::uint64_t version = 0; // set before publication, never after
    };

public:
    /// One published version of the set, held: reading it many times gives
    /// consistent answers whatever replacements happen meanwhile. Cheap to
    /// copy (a shared_ptr); keeps that version's values alive while held.
    class snapshot {
    public:
        /// The version this snapshot was published as (0: the initial empty set).
        std::uint64_t version() const noexcept { return state_->version; }
        /// The frozen core registry: get, visit, at, try_at, contains,
        /// location, names, for_each, size, empty.
        const snapshot_registry& registry() const noexcept { return state_->registry; }
        /// registry(), for `snap->get(key)`.
        const snapshot_registry* operator->() const noexcept { return &state_->registry; }
        /// registry().
        const snapshot_registry& operator*() const noexcept { return state_->registry; }

        /// A snapshot is immutable, so it is a range of its entries:
        /// `for (const auto& [key, value] : registry.current())` and the
        /// std::ranges algorithms (a sized forward range of frozen_entry).
        /// The references stay valid while this snapshot (or a copy) is held,
        /// whatever replacements happen meanwhile. Order: unspecified under
        /// storage::hashed, by key under storage::ordered.
        using iterator = typename snapshot_registry::entries_view::iterator;
        /// The first entry.
        iterator begin() const { return entries().begin(); }
        /// Past the last entry.
        iterator end() const { return entries().end(); }
        /// The number of entries.
        std::size_t size() const noexcept { return state_->registry.size(); }
        /// Whether there are none.
        bool empty() const noexcept { return state_->registry.empty(); }

    private:
        // Published snapshots are frozen before anyone can hold them.
        typename snapshot_registry::entries_view entries() const { return state_->registry.entries(); }

        friend basic_hot_reload_registry;
        explicit snapshot(std::shared_ptr<const state> held) noexcept : state_(std::move(held)) {}
        std::shared_ptr<const state> state_;
    };

    /// An empty registry (version 0) called `name` (used in every message),
    /// constructed at `where`.
    /// @throws duplicate_key_error under listing::listed if the name is taken
    ///         in the catalog.
    explicit basic_hot_reload_registry(std::string name = default_name(),
                                       source_location where = source_location::current())
        : name_(std::move(name)), current_(make_initial(name_)), created_at_(where),
          membership_(*this, name_, where) {}

    basic_hot_reload_registry(const basic_hot_reload_registry&) = delete;
    basic_hot_reload_registry& operator=(const basic_hot_reload_registry&) = delete;

    /// Lets go of the calling thread's cached snapshot of this registry.
    /// Other threads' caches keep theirs until their next read of another
    /// registry evicts it, a release, or their exit.
    ~basic_hot_reload_registry() { release_cached_snapshot(); }

    /// The registry's name, as given at construction.
    const std::string& name() const noexcept { return name_; }

    /// The latest published version (0 before the first replacement). One
    /// acquire load.
    std::uint64_t version() const noexcept { return hot_.version.load(std::memory_order_acquire); }

    // ---------------------------------------------------------- reading
    // Each read uses the calling thread's cached snapshot (see the header).

    /// Calls `f(const Value&)` on the value under `key` in the current
    /// snapshot, without copying it. The snapshot stays alive while f runs.
    /// @returns as basic_registry::visit: bool (found) if f returns void,
    ///          else std::optional of f's result.
    template <class F>
    auto visit(lookup_type key, F&& f) const {
        auto found = read([&](const state& s) { return s.registry.visit(key, f); });
        count(static_cast<bool>(found), key);
        return found;
    }

    /// A copy of the value under `key`, or std::nullopt.
    std::optional<Value> get(lookup_type key) const
        requires std::copy_constructible<Value>
    {
        std::optional<Value> found = read([&](const state& s) { return s.registry.get(key); });
        count(found.has_value(), key);
        return found;
    }

    /// A copy of the value under `key`.
    /// @throws not_found_error naming the key, `where` and the nearest names.
    Value at(lookup_type key, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_at(key, where).value();
    }

    /// at() returning a miss as a not_found error instead of raising it.
    result<Value> try_at(lookup_type key, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        result<Value> found = read([&](const state& s) { return s.registry.try_at(key, where); });
        count(found.has_value(), key);
        return found;
    }

    /// The current snapshot as plain data (see basic_registry::report()),
    /// under this registry's name and construction site, with its lookup
    /// counts under counters::per_registry. State: populated or empty (a
    /// hot-reload registry is never frozen).
    registry_report report() const {
        registry_report out = current().registry().report();
        out.name = name_;
        out.created_at = created_at_;
        out.state = out.entries.empty() ? lifecycle::empty : lifecycle::populated;
        out.frozen_at.reset();
        counters_.fill(out);
        return out;
    }

    /// Hits and misses so far, across every replacement (counters::per_registry only).
    lookup_counts lookups() const noexcept
        requires(counters_policy::counted)
    {
        return counters_.totals();
    }

    /// Where this registry was constructed.
    const source_location& created_at() const noexcept { return created_at_; }

    /// Whether `key` is registered in the current snapshot.
    bool contains(lookup_type key) const {
        return read([&](const state& s) { return s.registry.contains(key); });
    }

    /// Where the entry under `key` was added (the replace_all call site, or
    /// the builder's add), or std::nullopt.
    std::optional<source_location> location(lookup_type key) const {
        return read([&](const state& s) { return s.registry.location(key); });
    }

    /// The number of entries in the current snapshot.
    std::size_t size() const {
        return read([](const state& s) { return s.registry.size(); });
    }

    /// Whether the current snapshot is empty.
    bool empty() const { return size() == 0; }

    /// A sorted copy of the current snapshot's keys.
    std::vector<Key> names() const {
        return read([](const state& s) { return s.registry.names(); });
    }

    /// Calls `f(key, value)` or `f(key, value, where)` for every entry of one
    /// snapshot (all from the same version), in unspecified order.
    template <class F>
    void for_each(F&& f) const {
        read([&](const state& s) {
            s.registry.for_each(f);
            return 0;
        });
    }

    /// Holds the current snapshot: read many keys from one version.
    snapshot current() const {
        const detail::snapshot_cache::table& cache = detail::snapshot_cache::local();
        const std::uint64_t now = hot_.version.load(std::memory_order_acquire);
        if (const detail::snapshot_cache::slot* hit = cache.find(hot_.id); hit != nullptr && hit->version == now) {
            // This thread's keeper holds that state: share it without the publication mutex.
            if (const detail::snapshot_cache::keeper* keeper = detail::snapshot_cache::keeper::existing()) {
                if (std::shared_ptr<const void> held = keeper->held(hot_.id))
                    return snapshot(std::static_pointer_cast<const state>(std::move(held)));
            }
        }
        const std::lock_guard lock(publish_mutex_);
        return snapshot(current_);
    }

    /// Lets go of the calling thread's cached snapshot of this registry (its
    /// next read takes the slow path once). Does nothing from inside a read.
    void release_cached_snapshot() const noexcept {
        detail::snapshot_cache::keeper* keeper = detail::snapshot_cache::keeper::existing();
        if (keeper == nullptr || detail::snapshot_cache::local().busy != 0) return;
        const std::shared_ptr<const void> retired = keeper->take(hot_.id); // let go of once the cache is consistent
    }

    // -------------------------------------------------------- replacing

    /// Replaces the whole set with `entries` — any input range of pair-like
    /// (key, value) elements, e.g. std::vector<std::pair<K, V>> or
    /// std::map<K, V>; moved from when passed as an rvalue container — each
    /// recorded as added at `where`. The set is built by the core's add, so
    /// the registry's policies apply (a duplicate key within the set under
    /// on_duplicate::throw_error is a problem; under replace the last wins).
    /// @returns the new version; or a batch_refused error listing every
    ///          problem, with nothing published and the version unchanged.
    /// Never raises a roster error.
    template <detail::entry_range Range>
    [[nodiscard]] result<std::uint64_t> try_replace_all(Range&& entries,
                                                        source_location where = source_location::current()) {
        // An rvalue container that owns its elements (it has an allocator) is
        // moved from; views, spans and arrays are copied from.
        constexpr bool moving = !std::is_lvalue_reference_v<Range> &&
                                requires { typename std::remove_cvref_t<Range>::allocator_type; };
        return replace_from<moving>(std::begin(entries), std::end(entries), where);
    }

    /// try_replace_all() for a braced list: `reg.replace_all({{"a", 1}, {"b", 2}})`.
    [[nodiscard]] result<std::uint64_t> try_replace_all(std::initializer_list<std::pair<Key, Value>> entries,
                                                        source_location where = source_location::current()) {
        return replace_from<false>(entries.begin(), entries.end(), where);
    }

    /// try_replace_all() that raises its error (batch_error).
    template <detail::entry_range Range>
    std::uint64_t replace_all(Range&& entries, source_location where = source_location::current()) {
        return try_replace_all(std::forward<Range>(entries), where).value();
    }

    /// replace_all() for a braced list.
    std::uint64_t replace_all(std::initializer_list<std::pair<Key, Value>> entries,
                              source_location where = source_location::current()) {
        return try_replace_all(entries, where).value();
    }

    /// Replaces the whole set with what `build(snapshot_registry&)` adds to
    /// an empty registry (with the core's add, recording the builder's own
    /// source locations). If build throws — e.g. add() refusing an entry —
    /// nothing is published and the exception propagates.
    /// @returns the new version.
    template <class F>
    std::uint64_t rebuild(F&& build, source_location where = source_location::current()) {
        auto next = std::make_shared<state>(name_);
        std::invoke(std::forward<F>(build), next->registry);
        return publish(std::move(next), where).value();
    }

    /// Publishes an edited copy of the current set: `edit(snapshot_registry&)`
    /// receives a mutable copy (the core's add, remove, ... with their
    /// policies) and whatever it leaves is published. Replacements are
    /// serialised, so no concurrent update is lost. If edit throws, nothing
    /// is published. O(n) to copy.
    /// @warning edit runs under the writer mutex: it must not replace_all,
    ///          rebuild, update or subscribe on this registry (deadlock).
    /// @returns the new version.
    template <class F>
    std::uint64_t update(F&& edit, source_location where = source_location::current())
        requires std::copy_constructible<Value>
    {
        std::unique_lock writer(write_mutex_);
        auto next = std::make_shared<state>(current_->registry, name_);
        std::invoke(std::forward<F>(edit), next->registry);
        return publish_locked(std::move(next), where, writer);
    }

    // ----------------------------------------------------------- events

    /// Subscribes `listener` (callable with `const event_type&`) to every
    /// later replacement, diffed by key into removed / added / changed
    /// events (in key order, all carrying the new version), or one
    /// `unchanged` event when the new set equals the old one. See
    /// roster/events.hpp for delivery; `on_error` as basic_registry::subscribe.
    /// @returns the RAII handle: destroying it unsubscribes.
    template <class Listener>
    subscription subscribe(Listener&& listener, listener_error_handler on_error = {}) {
        typename hub_type::listener_type callable = hub_type::make_listener(std::forward<Listener>(listener));
        // Declared before the lock: pins the code that creates the hub, if
        // this call creates it, once the lock is released (roster/events.hpp).
        typename hub_type::creation_guard created(this,
                                                  hub_type::template keeps_code_loaded_for<std::remove_cvref_t<Listener>>);
        const std::lock_guard writer(write_mutex_);
        if (!hub_) hub_ = hub_type::create_shared(name_, created);
        return hub_->subscribe(std::move(callable), std::move(on_error));
    }

private:
    using hub_type = detail::event_hub<Key, Value>;
    static constexpr bool notifiable = std::is_copy_constructible_v<Key> && std::is_copy_constructible_v<Value>;

    static std::string default_name() {
        return fmt::format("hot_reload_registry<{}, {}>", detail::type_name<Key>(), detail::type_name<Value>());
    }

    /// try_replace_all()'s work: builds the set with the core's try_add,
    /// collecting every refusal; publishes it only if there was none.
    template <bool Moving, class Iterator, class Sentinel>
    result<std::uint64_t> replace_from(Iterator first, Sentinel last, const source_location& where) {
        auto next = std::make_shared<state>(name_);
        std::vector<std::string> problems;
        std::size_t count = 0;
        for (; first != last; ++first) {
            ++count;
            auto outcome = add_entry<Moving>(next->registry, *first, where);
            if (outcome.status() == add_status::refused) problems.push_back(outcome.error().message);
        }
        if (!problems.empty()) {
            return detail::batch_message(
                name_, fmt::format("the replacement set of {} entr{}", count, count == 1 ? "y" : "ies"), where,
                problems);
        }
        return publish(std::move(next), where);
    }

    /// Adds one pair-like element, moved from or copied.
    template <bool Moving, class Element>
    static typename snapshot_registry::add_result add_entry(snapshot_registry& target, Element&& element,
                                                            const source_location& where) {
        auto&& [key, value] = element;
        if constexpr (Moving) return target.try_add(Key(std::move(key)), Value(std::move(value)), where);
        else return target.try_add(Key(key), Value(value), where);
    }

    static std::shared_ptr<const state> make_initial(const std::string& name) {
        auto initial = std::make_shared<state>(name);
        initial->registry.freeze();
        return initial;
    }

    /// Counts one lookup (nothing under counters::none).
    void count(bool hit, lookup_type key) const {
        if (hit) counters_.hit();
        else counters_.miss(key);
    }

    /// Runs f(const state&) on this thread's snapshot: the fast path when the
    /// cached version is current. (f is never handed to the out-of-line slow
    /// path, so that its closure stays in registers.)
    template <class F>
    decltype(auto) read(F&& f) const {
        detail::snapshot_cache::table& cache = detail::snapshot_cache::local();
        const std::uint64_t now = hot_.version.load(std::memory_order_acquire);
        if (const detail::snapshot_cache::slot* hit = cache.find(hot_.id); hit != nullptr && hit->version == now)
            [[likely]] {
            const detail::snapshot_cache::in_use guard(cache);
            return f(*static_cast<const state*>(hit->state));
        }
        std::shared_ptr<const void> holder; // let go of after the read
        const state* const snap = refresh(holder);
        const detail::snapshot_cache::in_use guard(cache);
        return f(*snap);
    }

    /// The slow path, kept out of line: fetches the published snapshot under
    /// the mutex and caches it, handing the slot's previous snapshot to
    /// `holder` (let go of after the read: its values' destructors might read
    /// hot-reload registries). If a read is already running on this thread
    /// (whose snapshot must stay cached), nothing is cached and `holder`
    /// keeps the fresh snapshot alive for this read only.
    ROSTER_DETAIL_COLD const state* refresh(std::shared_ptr<const void>& holder) const {
        std::shared_ptr<const state> fresh;
        {
            const std::lock_guard lock(publish_mutex_);
            fresh = current_;
        }
        const state* const raw = fresh.get();
        if (detail::snapshot_cache::local().busy == 0) {
            if (detail::snapshot_cache::keeper* keeper = detail::snapshot_cache::keeper::obtain()) {
                holder = keeper->store(hot_.id, raw->version, std::move(fresh));
                return raw;
            }
        }
        holder = std::move(fresh);
        return raw;
    }

    result<std::uint64_t> publish(std::shared_ptr<state> next, const source_location& where) {
        next->registry.freeze(where);
        std::unique_lock writer(write_mutex_);
        return publish_locked(std::move(next), where, writer);
    }

    /// Publishes `next` as version+1 and tells the listeners. Called with the
    /// writer mutex held; releases it.
    std::uint64_t publish_locked(std::shared_ptr<state> next, const source_location& where,
                                 std::unique_lock<std::mutex>& writer) {
        next->registry.freeze(where); // idempotent
        const std::uint64_t published = hot_.version.load(std::memory_order_relaxed) + 1; // only writers store it
        next->version = published;
        typename hub_type::pending_events events;
        hub_type* notify = nullptr;
        if constexpr (notifiable) {
            if (hub_ && hub_->listening()) {
                diff(current_->registry, next->registry, where, published, events);
                notify = hub_.get();
            }
        }
        std::shared_ptr<const state> old; // destroyed last, outside every lock
        {
            const std::lock_guard lock(publish_mutex_);
            old = std::exchange(current_, std::move(next));
            hot_.version.store(published, std::memory_order_release);
        }
        if (notify != nullptr) notify->post(events);
        writer.unlock();
        if (notify != nullptr) notify->deliver();
        return published;
    }

    static bool same(const Value& a, const Value& b) {
        if constexpr (std::equality_comparable<Value>) return static_cast<bool>(a == b);
        else return false;
    }

    /// The events that turn `before` into `after`, in key order.
    static void diff(const snapshot_registry& before, const snapshot_registry& after, const source_location& where,
                     std::uint64_t published, typename hub_type::pending_events& events) {
        std::vector<event_type> changes;
        after.for_each([&](const Key& key, const Value& value, const source_location& added_at) {
            const bool found = before.visit(key, [&](const Value& old) {
                if (!same(old, value))
                    changes.push_back(event_type{change_kind::changed, key, old, value, added_at, published});
            });
            if (!found) changes.push_back(event_type{change_kind::added, key, std::nullopt, value, added_at, published});
        });
        before.for_each([&](const Key& key, const Value& value) {
            if (!after.contains(key))
                changes.push_back(event_type{change_kind::removed, key, value, std::nullopt, where, published});
        });
        if constexpr (std::totally_ordered<Key>) {
            std::sort(changes.begin(), changes.end(),
                      [](const event_type& a, const event_type& b) { return *a.key < *b.key; });
        }
        if (changes.empty()) {
            events.push(event_type{change_kind::unchanged, std::nullopt, std::nullopt, std::nullopt, where, published});
        }
        for (event_type& change : changes) events.push(std::move(change));
    }

    /// What the read path touches, on its own cache line (writers and
    /// slow-path readers lock the mutexes below, elsewhere).
    struct alignas(64) hot_fields {
        std::atomic<std::uint64_t> version{0};
        const std::uint64_t id = detail::next_hot_reload_id();
    };

    hot_fields hot_;
    std::string name_;
    mutable std::mutex publish_mutex_;   // guards current_ (readers copy it; writers swap it)
    std::shared_ptr<const state> current_; // the published snapshot; changed under both mutexes
    std::mutex write_mutex_;             // serialises replacements and subscribe
    std::shared_ptr<hub_type> hub_;      // created by the first subscribe(), under write_mutex_
    source_location created_at_;
    [[no_unique_address]] typename counters_policy::state counters_;
    // Last: listed once everything else is built, unlisted before anything is destroyed.
    [[no_unique_address]] typename listing_policy::membership membership_;
};

/// The common case: a hot-reload registry keyed by std::string, looked up by
/// std::string_view.
template <class Value, class... Policies>
using hot_reload_registry = basic_hot_reload_registry<std::string, Value, Policies...>;

ROSTER_END_NAMESPACE // namespace roster
