// roster/registry.hpp — roster::basic_registry, the core typed registry, and
// roster::registry<Value>, its alias for string keys.
//
// A registry maps keys to values, refuses bad input at the door (duplicates
// per policy, nulls, malformed keys, anything after freeze) and records where
// every entry was added. Every other shape of registry in roster is built on
// this one.
//
//   roster::registry<std::shared_ptr<codec>> codecs{"codecs"};
//   codecs.add("gzip", std::make_shared<gzip_codec>());   // records file:line
//   if (auto c = codecs.get("gzip")) (*c)->encode(data);    // string_view lookup
//   codecs.freeze();                                        // reads now lock-free
//
// Guarantees
// - Thread safety (default locking::shared_mutex): every member may be called
//   concurrently from any number of threads. Reads (get, visit, at, contains,
//   location, names, for_each, size, empty, state) take the shared lock;
//   mutations (add, remove, handle removal, freeze) take the exclusive lock.
//   After freeze(), reads take no lock at all: one acquire load of the frozen
//   flag is their only synchronisation, and every mutation is refused.
//   With locking::none nothing is synchronised.
// - Exception safety: strong. A refused or failed mutation leaves the registry
//   exactly as it was. (replace and remove need a noexcept move of Value for
//   this; otherwise they keep the basic guarantee: docs/registry.md.)
//   Keys are validated and values null-checked before any lock is taken.
// - No reference, pointer or iterator into the registry ever escapes: get()
//   and at() copy, visit() and for_each() run your callable under the read
//   lock, so a value cannot be destroyed while you are looking at it, even
//   when another thread removes its entry.
// - Values are destroyed outside the lock (a removed or replaced value's
//   destructor may call back into the registry).
// - Heterogeneous lookup: a registry keyed by std::string is searched with a
//   std::string_view (so also const char* and std::string) and never
//   allocates to look up.
// - Change events (roster/events.hpp: include it to subscribe): subscribe()
//   hears every later mutation (added, removed, changed), delivered in
//   mutation order outside the lock; with nobody subscribed a mutation pays
//   one pointer check, and reads pay nothing.
// - Batches (roster/lifecycle.hpp): commit() validates a whole batch and
//   applies all of it under one write lock, or none of it.
// - Observability (docs/observability.md): report() gives the registry as
//   plain data (roster/report.hpp); the counters:: policies count hits and
//   misses, per registry or per key (include roster/counters.hpp);
//   listing::listed puts the registry in the process-wide roster::catalog
//   (include roster/catalog.hpp). Neither is compiled in unless chosen: the
//   default registry's read path and size have no trace of them.
//
// Layering (docs/architecture.md): this header is the core. It includes the
// foundation (config, errors, source locations, traits, messages, the
// report's plain data) and the policy families, and nothing built on top of
// it: events, counters, the catalog, exports and the other shapes include
// it, never the reverse.
//
// Non-guarantees
// - for_each() visits entries in an unspecified order; names() is sorted.
// - @warning Calling a mutating member from inside visit() or for_each() on
//   the same registry deadlocks (the read lock is held).
// - @warning A registration handle must not outlive its registry.
//
// Complexity: add, remove, get, visit, at, contains, location: average O(1)
// (one hash of the key; while someone listens, mutations also copy the key
// and values into the event). commit(): O(batch). names(): O(n log n). A
// miss reported by at(), try_at() or remove() is O(n * l * m) for n entries,
// key lengths l and m: it computes the edit distance to every key to list
// the nearest names.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/change_feed.hpp" // what the core knows of events
#include "roster/detail/flat_index.hpp"  // the frozen read table
#include "roster/detail/messages.hpp"
#include "roster/detail/storage.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/policies.hpp"
#include "roster/report.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include <algorithm>     // std::sort
#include <atomic>        // std::atomic<bool>: the frozen flag
#include <concepts>      // std::copy_constructible, std::equality_comparable, std::totally_ordered
#include <cstddef>       // std::size_t
#include <cstdint>       // std::uint64_t: entry ids
#include <iterator>      // std::make_move_iterator; iterator tags (entries_view)
#include <mutex>         // std::unique_lock
#include <optional>      // std::optional
#include <shared_mutex>  // std::shared_mutex, std::shared_lock
#include <string>        // std::string: names
#include <string_view>   // std::string_view
#include <type_traits>   // std::conditional_t, std::is_same_v, ...
#include <utility>       // std::move, std::exchange; std::tuple_size (frozen_entry)
#include <vector>        // names()

ROSTER_BEGIN_NAMESPACE

/// What an add did.
enum class add_status {
    added,         ///< a new entry was inserted
    replaced,      ///< on_duplicate::replace: the new value replaced the old one
    kept_existing, ///< on_duplicate::keep_first, or accept_if_equal with an equal value
    refused,       ///< nothing changed; error() says why
};

/// "added", "replaced", "kept_existing" or "refused".
constexpr const char* to_string(add_status status) noexcept {
    switch (status) {
    case add_status::added: return "added";
    case add_status::replaced: return "replaced";
    case add_status::kept_existing: return "kept_existing";
    case add_status::refused: return "refused";
    }
    return "unknown";
}

/// An entry that was already registered under the key an add named.
template <class Value>
struct existing_entry {
    /// The entry's value: a copy for copyable values (the entry that stays),
    /// the previous value itself after a replace, empty for move-only values
    /// otherwise.
    std::optional<Value> value;
    /// Where that entry was added.
    source_location where;
};

template <class Registry>
class basic_registration;
template <class Registry>
class basic_add_result;
template <class Registry>
class batch; // roster/lifecycle.hpp

/// What a committed batch did (see basic_registry::commit).
struct commit_report {
    /// Keys that were not registered and now are.
    std::size_t added = 0;
    /// Keys already registered whose value the batch replaced (on_duplicate::replace).
    std::size_t replaced = 0;
    /// Items that changed nothing: an entry already registered, or an earlier
    /// item of the batch, was kept (keep_first; accept_if_equal with an
    /// equal value), or a later item of the batch superseded them (replace).
    std::size_t unchanged = 0;
};

/// One entry of a frozen registry (or of a held hot-reload snapshot) as
/// iterating it gives it: references into storage that can no longer change,
/// valid while the registry (or the snapshot) lives. Decomposes as
/// `[key, value]` (it is tuple-like: roster specialises std::tuple_size and
/// std::tuple_element for it); where() is the registration site.
template <class Key, class Value>
class frozen_entry {
public:
    /// An entry over `key`, `value` and `where`, which must outlive it.
    frozen_entry(const Key& key, const Value& value, const source_location& where) noexcept
        : key_(&key), value_(&value), where_(&where) {}
    /// The entry's key.
    const Key& key() const noexcept { return *key_; }
    /// The entry's value.
    const Value& value() const noexcept { return *value_; }
    /// Where the entry was added.
    const source_location& where() const noexcept { return *where_; }
    /// For structured bindings: get<0>() is key(), get<1>() is value().
    template <std::size_t I>
    const auto& get() const noexcept {
        static_assert(I < 2, "roster::frozen_entry decomposes as [key, value]");
        if constexpr (I == 0) return *key_;
        else return *value_;
    }

private:
    const Key* key_;
    const Value* value_;
    const source_location* where_;
};

namespace detail {
/// The iterator of basic_registry::entries_view over the storage's
/// `MapIterator`: a forward iterator whose reference is a frozen_entry
/// (a prvalue, so std::forward_iterator in C++20 terms and an input iterator
/// for pre-C++20 algorithms).
template <class Key, class Value, class MapIterator>
class frozen_iterator {
public:
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = frozen_entry<Key, Value>;
    using reference = frozen_entry<Key, Value>;
    using difference_type = std::ptrdiff_t;

    frozen_iterator() = default;
    explicit frozen_iterator(MapIterator it) noexcept : it_(it) {}
    reference operator*() const noexcept { return {it_->first, it_->second.value, it_->second.where}; }
    frozen_iterator& operator++() noexcept {
        ++it_;
        return *this;
    }
    frozen_iterator operator++(int) noexcept {
        frozen_iterator before = *this;
        ++it_;
        return before;
    }
    friend bool operator==(const frozen_iterator& a, const frozen_iterator& b) noexcept { return a.it_ == b.it_; }

private:
    MapIterator it_{};
};
} // namespace detail

/// A registry of `Value`s keyed by `Key`, configured by policy tags (see
/// roster/policies.hpp) given in any order.
///
/// @tparam Key      hashable and equality-comparable; std::string keys get
///                  heterogeneous lookup by std::string_view.
/// @tparam Value    any movable object type; copyable for get()/at().
/// @tparam Policies any of on_duplicate::*, on_null::*, locking::*, storage::*.
template <class Key, class Value, class... Policies>
class basic_registry {
    static_assert((policy<Policies> && ...),
                  "roster::basic_registry<Key, Value, Policies...>: every argument after Value must be a policy tag "
                  "such as roster::on_duplicate::replace, roster::on_null::allow or roster::locking::none");
    static_assert(detail::count_in_category<policy_category::on_duplicate, Policies...> <= 1,
                  "roster::basic_registry: more than one on_duplicate:: policy given");
    static_assert(detail::count_in_category<policy_category::on_null, Policies...> <= 1,
                  "roster::basic_registry: more than one on_null:: policy given");
    static_assert(detail::count_in_category<policy_category::locking, Policies...> <= 1,
                  "roster::basic_registry: more than one locking:: policy given");
    static_assert(detail::count_in_category<policy_category::storage, Policies...> <= 1,
                  "roster::basic_registry: more than one storage:: policy given");
    static_assert(detail::count_in_category<policy_category::counters, Policies...> <= 1,
                  "roster::basic_registry: more than one counters:: policy given");
    static_assert(detail::count_in_category<policy_category::listing, Policies...> <= 1,
                  "roster::basic_registry: more than one listing:: policy given");
    static_assert(detail::is_complete<typename detail::select_policy_t<policy_category::counters, counters::none,
                                                                       Policies...>::state>,
                  "roster::basic_registry: counters::per_registry and counters::per_key need "
                  "#include <roster/counters.hpp>");
    static_assert(detail::is_complete<typename detail::select_policy_t<policy_category::storage, storage::hashed,
                                                                       Policies...>::template machinery<Key>>,
                  "roster::basic_registry: storage::ordered needs #include <roster/ordered.hpp>");
    static_assert(detail::is_complete<typename detail::select_policy_t<policy_category::listing, listing::unlisted,
                                                                       Policies...>::membership>,
                  "roster::basic_registry: listing::listed needs #include <roster/catalog.hpp>");
    static_assert(registry_value<Value>,
                  "roster::basic_registry: Value must be a non-const, move-constructible object type "
                  "(the roster::registry_value concept); hold a non-movable type through std::unique_ptr or "
                  "std::shared_ptr");
    static_assert(!std::is_same_v<detail::select_policy_t<policy_category::storage, storage::hashed, Policies...>,
                                  storage::hashed> ||
                      hashable_key<Key>,
                  "roster::basic_registry: Key must be hashable and equality-comparable for storage::hashed, the "
                  "default (the roster::hashable_key concept: std::hash<Key> enabled, and Key == Key); "
                  "specialise std::hash for it, or use storage::ordered with a Key that has <");
    static_assert(!std::is_same_v<detail::select_policy_t<policy_category::storage, storage::hashed, Policies...>,
                                  storage::ordered> ||
                      ordered_key<Key>,
                  "roster::basic_registry: Key must have < for storage::ordered (the roster::ordered_key concept)");
    static_assert(nullable_value<Value>, "roster::basic_registry: roster::null_traits<Value>::is_null is unusable");
    static_assert(validated_key<Key>, "roster::basic_registry: roster::key_traits<Key>::validate is unusable");

public:
    /// The key type.
    using key_type = Key;
    /// The value type.
    using value_type = Value;
    /// The argument type of lookups: std::string_view for std::string keys.
    using lookup_type = typename detail::key_lookup<Key>::type;
    /// The on_duplicate:: policy in effect (on_duplicate::throw_error unless given).
    using duplicate_policy =
        detail::select_policy_t<policy_category::on_duplicate, on_duplicate::throw_error, Policies...>;
    /// The on_null:: policy in effect (on_null::reject unless given).
    using null_policy = detail::select_policy_t<policy_category::on_null, on_null::reject, Policies...>;
    /// The locking:: policy in effect (locking::shared_mutex unless given).
    using locking_policy = detail::select_policy_t<policy_category::locking, locking::shared_mutex, Policies...>;
    /// The storage:: policy in effect (storage::hashed unless given).
    using storage_policy = detail::select_policy_t<policy_category::storage, storage::hashed, Policies...>;
    /// The counters:: policy in effect (counters::none unless given).
    using counters_policy = detail::select_policy_t<policy_category::counters, counters::none, Policies...>;
    /// The listing:: policy in effect (listing::unlisted unless given).
    using listing_policy = detail::select_policy_t<policy_category::listing, listing::unlisted, Policies...>;
    /// The move-only handle add() returns; removes exactly that entry.
    using registration = basic_registration<basic_registry>;
    /// What add() and try_add() return.
    using add_result = basic_add_result<basic_registry>;
    /// The entry an add found already under its key (in add_result::existing()).
    using existing_entry = roster::existing_entry<Value>;
    /// What listeners receive (roster/events.hpp).
    using event_type = change_event<Key, Value>;

    static_assert(duplicate_policy::template accepts<Value>,
                  "roster: this on_duplicate:: policy cannot compare this Value (on_duplicate::accept_if_equal needs a "
                  "Value with operator==)");

    /// Creates an empty registry called `name` (used in every message),
    /// constructed at `where` (what report() and the catalog say).
    /// @throws duplicate_key_error under listing::listed if a live listed
    ///         registry already has this name (nothing is listed then).
    explicit basic_registry(std::string name = default_name(), source_location where = source_location::current())
        : name_(std::move(name)), created_at_(where), membership_(*this, name_, where) {}

    /// Creates a registry called `name` holding a copy of `other`'s entries
    /// (values and source locations), taken under `other`'s read lock. The
    /// copy is not frozen, shares no handles with `other` (handles returned
    /// by `other` never remove the copy's entries) and starts its lookup
    /// counters from zero. Needs a copyable Value. O(n).
    /// @throws duplicate_key_error as the other constructor does.
    basic_registry(const basic_registry& other, std::string name, source_location where = source_location::current())
        requires std::copy_constructible<Value>
        : name_(std::move(name)), created_at_(where), map_(other.read([](const map_type& map) { return map; })),
          membership_(*this, name_, where) {
        for (auto& item : map_) {
            item.second.id = next_id_++;
            item.second.hits = {};
        }
    }

    basic_registry(const basic_registry&) = delete;
    basic_registry& operator=(const basic_registry&) = delete;
    /// Destroys the entries; subscriptions still held are left inactive.
    /// A listed registry leaves the catalog before anything else is
    /// destroyed (its membership is the last member), then its change feed
    /// is detached (feed_detacher_): a catalog subscriber subscribing to it
    /// meanwhile never reaches a detached feed.
    ~basic_registry() = default;

    /// The registry's name, as given at construction. Thread safe, lock-free.
    const std::string& name() const noexcept { return name_; }

    // ----------------------------------------------------------------- add

    /// Adds `value` under `key`, recording `where`.
    ///
    /// @returns the outcome: its handle() removes exactly this entry later.
    /// @throws invalid_key_error if key_traits<Key> refuses the key;
    ///         null_value_error if the null policy refuses the value
    ///         (on_null::reject: a null value);
    ///         frozen_error after freeze();
    ///         duplicate_key_error on a duplicate under on_duplicate::throw_error
    ///         (or accept_if_equal with a different value). Under
    ///         on_duplicate::return_error a duplicate is returned, not thrown.
    /// Strong exception guarantee. Average O(1).
    add_result add(Key key, Value value, source_location where = source_location::current()) {
        add_result outcome = try_add(std::move(key), std::move(value), where);
        if (outcome.status() == add_status::refused &&
            (outcome.error().code != errc::duplicate_key || duplicate_policy::raises_refusal)) {
            raise(outcome.error());
        }
        return outcome;
    }

    /// add() that never raises a roster error: every refusal is in the
    /// result (status() == refused, error()). On a duplicate, existing()
    /// holds the entry already registered and where it was added, so
    /// get-or-add is one call. May still propagate std::bad_alloc or an
    /// exception thrown by Key's or Value's own operations.
    [[nodiscard]] add_result try_add(Key key, Value value, source_location where = source_location::current()) {
        return try_add_admitted(std::move(key), std::move(value), where,
                                [](const map_type&) noexcept { return detail::maybe<error_info>{}; });
    }

protected:
    /// A refused add_result carrying `error`: for a shape that refuses an
    /// entry before it reaches the core (a malformed handler pattern).
    static add_result refused(error_info error) { return add_result(std::move(error)); }

    /// try_add() with a shape's own admission check: after the entry check
    /// and the frozen check, under the write lock and before the duplicate
    /// policy, `admit(const map_type&)` returns why the entry must be refused
    /// (an error_info), or nothing (`return {};`) to go on. For shapes whose entries
    /// refuse one another beyond key equality (the handler registry's
    /// conflicting patterns). Events, handles and ids stay the core's.
    template <class Admit>
    [[nodiscard]] add_result try_add_admitted(Key key, Value value, const source_location& where, Admit&& admit) {
        if (detail::maybe<error_info> refused = check_entry(key, value, where)) return add_result(std::move(*refused));

        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) {
            lock.unlock();
            return add_result(detail::frozen_message(name_, "add", detail::describe_key(key), where, frozen_at_));
        }
        if (auto refused = admit(std::as_const(map_))) { // a detail::maybe<error_info> (or std::optional)
            lock.unlock();
            return add_result(std::move(*refused));
        }
        // One hash and one walk: try_emplace moves neither the key nor the
        // value when the key is already there (the duplicate path gets both).
        const auto emplaced = map_.try_emplace(std::move(key), entry_maker{value, where, next_id_});
        const typename map_type::iterator it = emplaced.first; // a variable, not a binding: lambdas capture it below
        if (!emplaced.second) return add_duplicate(lock, it, std::move(value), where);
        const std::uint64_t id = next_id_++;
        erase_on_throw undo{map_, it}; // the handle's key copy or the event may still throw
        registration handle(*this, it->first, id);
        feed_type* const notify = apply_notifying(
            [&](feed_type& feed) { feed.stage(change_kind::added, it->first, nullptr, &it->second.value, where); },
            [&]() noexcept { undo.armed = false; });
        lock.unlock();
        if (notify != nullptr) notify->deliver();
        return add_result(add_status::added, std::move(handle), std::nullopt);
    }

public:

    // -------------------------------------------------------------- lookup

    /// A copy of the value under `key`, or std::nullopt. Never throws a
    /// roster error. Lock-free once frozen. Average O(1).
    std::optional<Value> get(lookup_type key) const
        requires std::copy_constructible<Value>
    {
        return read([&](const map_type& map) -> std::optional<Value> {
            const auto* found = find_entry(map, key);
            if (found == nullptr) {
                count_miss(key);
                return std::nullopt;
            }
            count_hit(found->second);
            return found->second.value;
        });
    }

    /// Calls `f(const Value&)` on the value under `key`, without copying it,
    /// while holding the read lock (none once frozen), so the value stays
    /// alive even if another thread removes the entry meanwhile.
    ///
    /// @returns if f returns void: whether the key was found; otherwise a
    ///          std::optional of f's result (empty on a miss).
    /// @warning f must not mutate this registry (deadlock).
    template <class F>
    auto visit(lookup_type key, F&& f) const {
        using R = std::invoke_result_t<F&, const Value&>;
        static_assert(!std::is_reference_v<R>,
                      "roster: visit()'s callable must return a value, not a reference that would outlive the lock");
        if constexpr (std::is_reference_v<R>) {
            return false; // unreachable: the static_assert above already failed
        } else {
            return visit_found<R>(key, f);
        }
    }

    /// A copy of the value under `key`.
    /// @throws not_found_error naming the key, `where`, and the nearest
    ///         registered names.
    Value at(lookup_type key, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_at(key, where).value();
    }

    /// at() that returns a miss as a not_found error instead of throwing.
    result<Value> try_at(lookup_type key, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return read([&](const map_type& map) -> result<Value> {
            if (const auto* found = find_entry(map, key)) {
                count_hit(found->second);
                return found->second.value;
            }
            count_miss(key);
            return miss(map, key, where);
        });
    }

    /// Whether `key` is registered. Lock-free once frozen. Average O(1).
    bool contains(lookup_type key) const {
        return read([&](const map_type& map) { return find_entry(map, key) != nullptr; });
    }

    /// Where the entry under `key` was added, or std::nullopt.
    std::optional<source_location> location(lookup_type key) const {
        return read([&](const map_type& map) -> std::optional<source_location> {
            const auto* found = find_entry(map, key);
            if (found == nullptr) return std::nullopt;
            return found->second.where;
        });
    }

    /// A sorted copy of every key (unsorted if Key has no ordering).
    /// O(n log n); never exposes the live map.
    std::vector<Key> names() const {
        std::vector<Key> keys = read([](const map_type& map) {
            std::vector<Key> out;
            out.reserve(map.size());
            for (const auto& item : map) out.push_back(item.first);
            return out;
        });
        if constexpr (std::totally_ordered<Key>) std::sort(keys.begin(), keys.end());
        return keys;
    }

    /// Calls `f(key, value)` — or `f(key, value, where)` if f accepts a
    /// source_location third — for every entry, in unspecified order, under
    /// the read lock. @warning f must not mutate this registry (deadlock).
    template <class F>
    void for_each(F&& f) const {
        read([&](const map_type& map) {
            for (const auto& [key, item] : map) {
                if constexpr (std::is_invocable_v<F&, const Key&, const Value&, const source_location&>)
                    detail::invoke(f, key, item.value, item.where);
                else
                    detail::invoke(f, key, item.value);
            }
            return 0;
        });
    }

    /// The number of entries.
    std::size_t size() const {
        return read([](const map_type& map) { return map.size(); });
    }

    /// Whether there are no entries.
    bool empty() const { return size() == 0; }

    /// empty, populated or frozen.
    lifecycle state() const { return frozen() ? lifecycle::frozen : (empty() ? lifecycle::empty : lifecycle::populated); }

    // ------------------------------------------------------- observability

    /// Where this registry was constructed.
    const source_location& created_at() const noexcept { return created_at_; }

    /// This registry as plain data (roster/catalog.hpp): name, key and value
    /// type names, where it was created, state, every entry (key as text,
    /// where it was added; sorted by key text) and, under a counters::
    /// policy, its lookup counts. Taken under the read lock: one consistent
    /// state. O(n log n); formats every key.
    registry_report report() const {
        return report_with([](const map_type& map, std::vector<entry_report>& entries) {
            entries.reserve(map.size());
            for (const auto& [key, item] : map) {
                entry_report e{detail::describe_key(key), item.where, std::nullopt};
                if constexpr (per_key_counting) e.hits = item.hits.load();
                entries.push_back(std::move(e));
            }
        });
    }

    /// Hits and misses counted so far (only with a counters:: policy other
    /// than counters::none). Lock-free; exact once concurrent lookups are done.
    lookup_counts lookups() const noexcept
        requires(counters_policy::counted)
    {
        return counters_.totals();
    }

protected:
    /// report() with the entries listed by `list(map, entries)` (under the
    /// read lock), for shapes whose entries are not one per key.
    template <class List>
    registry_report report_with(List&& list) const {
        registry_report out;
        out.name = name_;
        out.key_type = detail::type_name<Key>();
        out.value_type = detail::type_name<Value>();
        out.created_at = created_at_;
        read([&](const map_type& map) {
            out.state = frozen_.load(std::memory_order_acquire) ? lifecycle::frozen
                        : map.empty()                           ? lifecycle::empty
                                                                : lifecycle::populated;
            list(map, out.entries);
            return 0;
        });
        if (out.state == lifecycle::frozen) out.frozen_at = frozen_at_;
        std::sort(out.entries.begin(), out.entries.end(),
                  [](const entry_report& a, const entry_report& b) { return a.key < b.key; });
        counters_.fill(out);
        return out;
    }

public:
    // -------------------------------------------------------------- remove

    /// Removes the entry under `key` and returns its value.
    /// @throws not_found_error (with the nearest names) if there is none;
    ///         frozen_error after freeze().
    Value remove(lookup_type key, source_location where = source_location::current()) {
        return try_remove(key, where).value();
    }

    /// remove() that returns its error instead of throwing.
    result<Value> try_remove(lookup_type key, source_location where = source_location::current()) {
        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) {
            lock.unlock();
            return detail::frozen_message(name_, "remove", detail::describe_key(key), where, frozen_at_);
        }
        const auto it = map_.find(key);
        if (it == map_.end()) return miss(map_, key, where);
        std::optional<Value> value;
        feed_type* const notify = apply_notifying(
            [&](feed_type& feed) { feed.stage(change_kind::removed, it->first, &it->second.value, nullptr, where); },
            [&] {
                value.emplace(std::move(it->second.value));
                map_.erase(it);
            });
        lock.unlock();
        if (notify != nullptr) notify->deliver();
        return std::move(*value);
    }

    // ------------------------------------------------------------- batches

    /// Commits every item of `pending` (roster/lifecycle.hpp) all or nothing:
    /// validates them all — keys (key_traits), nulls (the null policy),
    /// duplicates within the batch and against the registry (the duplicate
    /// policy, as if each item were add()ed in order), frozen — and, only if
    /// nothing is wrong, applies them all under one write lock. Readers see
    /// the registry before the batch or after it, never in between.
    /// Listeners get one event per key the batch changed (added, or changed
    /// under on_duplicate::replace), in the order of each key's first item.
    /// Entries committed by a batch have no registration handle; remove them
    /// by key.
    ///
    /// @returns what was done; or a batch_refused error whose message lists
    ///          every problem (one line each, worded as add() would word it),
    ///          with nothing applied. The batch is consumed either way.
    /// Never raises a roster error. Strong guarantee: a refused or failed
    /// commit (std::bad_alloc, a throwing hash or ==) changes nothing;
    /// replacing values needs a noexcept move assignment of Value, as
    /// on_duplicate::replace does. O(batch) average; on the success path the
    /// only allocations under the lock are the map's one reserve and, while
    /// someone listens, the events' copies, all before the first change.
    template <class R>
    [[nodiscard]] result<commit_report> try_commit(batch<R>&& pending,
                                                   source_location where = source_location::current()) {
        static_assert(std::is_same_v<typename batch<R>::key_type, Key> &&
                          std::is_same_v<typename batch<R>::value_type, Value>,
                      "roster: commit(): the batch's key and value types must be the registry's");
        return commit_items(pending.items(), where);
    }

    /// try_commit() that raises its error (batch_error, errc::batch_refused).
    template <class R>
    commit_report commit(batch<R>&& pending, source_location where = source_location::current()) {
        return try_commit(std::move(pending), where).value();
    }

    // -------------------------------------------------------------- events

    /// Subscribes `listener`, a callable taking `const event_type&`, to every
    /// later change of this registry: added, removed, changed (with the
    /// previous and current values). See roster/events.hpp for the delivery
    /// guarantees: in mutation order, outside the lock (a listener may call
    /// back into the registry, even mutate it), one listener at a time.
    ///
    /// A listener that throws is reported to `on_error` (default: a line on
    /// stderr naming the registry, the event and what() ) and delivery goes on.
    /// @returns the RAII handle: destroying it unsubscribes.
    /// @warning like a mutation, do not call it from inside visit()/for_each().
    /// Needs a copyable Value (events carry copies). Takes the write lock.
    /// `on_error` is anything a std::function<void(const event_type&,
    /// std::exception_ptr)> can hold (roster::listener_error_handler<R>).
    /// Needs `#include <roster/events.hpp>`.
    /// @returns a roster::subscription (declared with auto: roster/events.hpp
    /// defines it).
    template <class Listener, class OnError = std::nullptr_t>
    auto subscribe(Listener&& listener, OnError&& on_error = nullptr) {
        using hub = detail::event_hub<Key, Value>;
        static_assert(detail::is_complete<hub>, "roster: subscribe() needs #include <roster/events.hpp>");
        typename hub::listener_type callable = hub::make_listener(std::forward<Listener>(listener));
        typename hub::error_handler_type handler;
        if constexpr (!std::is_null_pointer_v<std::remove_cvref_t<OnError>>)
            handler = typename hub::error_handler_type(std::forward<OnError>(on_error));
        // Declared before the lock: pins the code that creates the hub, if
        // this call creates it, once the lock is released (roster/events.hpp).
        typename hub::creation_guard created(this, hub::template keeps_code_loaded_for<std::remove_cvref_t<Listener>>);
        std::unique_lock lock(mutex_);
        if (feed_ == nullptr) feed_ = &hub::create_owned(name_, created);
        return static_cast<hub*>(feed_)->subscribe(std::move(callable), std::move(handler));
    }

    // ----------------------------------------------------------- lifecycle

    /// The entries of a frozen registry as a range (defined below).
    class entries_view;

    /// Makes the registry read-only for good: every later mutation is
    /// refused with frozen_error (naming `where`), and reads take no lock.
    /// Under storage::hashed it also builds a read-optimised table that
    /// every later lookup goes through (see docs/benchmarks.md); if that
    /// table cannot be built (no memory, a key's hasher throws), lookups
    /// keep going through the map: freeze() itself never fails for it.
    /// Idempotent; the first call's location is kept.
    /// @returns the now immutable entries as a range (see entries()).
    entries_view freeze(source_location where = source_location::current()) {
        std::unique_lock lock(mutex_);
        if (!frozen_.load(std::memory_order_relaxed)) {
            if constexpr (flat_indexed) build_index();
            frozen_at_ = where;
            frozen_.store(true, std::memory_order_release);
        }
        return entries_view(map_);
    }

    /// The entries of the frozen registry as a range (see entries_view).
    /// @throws not_ready_error naming `where` if the registry is not frozen.
    entries_view entries(source_location where = source_location::current()) const {
        auto view = try_entries(where);
        if (!view) raise(view.error());
        return *view;
    }

    /// entries() returning the not_ready error instead of raising it.
    result<entries_view> try_entries(source_location where = source_location::current()) const {
        if (!frozen()) {
            return detail::not_ready_message(name_, "iterate its entries", where,
                                             "it is not frozen (a range of entries needs a registry whose entries "
                                             "can no longer change: call freeze() first, or use for_each() or "
                                             "names(), which work in any state)");
        }
        return entries_view(map_);
    }

    /// Whether freeze() was called. One acquire load.
    bool frozen() const noexcept { return frozen_.load(std::memory_order_acquire); }

    /// Where freeze() was first called, or std::nullopt if it was not.
    std::optional<source_location> frozen_at() const noexcept {
        if (!frozen()) return std::nullopt;
        return frozen_at_;
    }

protected:
    // The extension interface for the shapes built on this core
    // (factory, versioned, ...): read access to the storage under the
    // registry's read synchronisation.

    /// Whether each entry counts its own hits (counters::per_key).
    static constexpr bool per_key_counting = counters_policy::per_entry;

    /// One stored entry, as the map holds it under its key. For shapes built
    /// on the core: they reach entries through read() and try_write().
    struct entry {
        /// The registered value.
        Value value;
        /// Where it was added.
        source_location where;
        /// Distinguishes re-registrations under one key: a handle removes
        /// only the entry whose id it holds.
        std::uint64_t id;
        /// counters::per_key: lookups that found this entry; else an empty member.
        [[no_unique_address]] typename counters_policy::entry_state hits{};
    };
    /// The container of the entries: the storage policy's map of Key to
    /// entry. (A Key or Value the static_asserts above refused gets a
    /// stand-in map, so that their sentence is the only error, not pages of
    /// the standard library's about the real container.)
    using map_type = std::conditional_t<storage_policy::template accepts_key<Key> && registry_value<Value>,
                                        typename storage_policy::template map<Key, entry>, detail::refused_map>;

private:
    /// What try_emplace builds a new entry from: moves the value in only
    /// when the key turns out to be new.
    struct entry_maker {
        Value& value;
        const source_location& where;
        std::uint64_t id;
        operator entry() const { return entry{std::move(value), where, id}; }
    };
    /// Erases a just-inserted entry if what follows its insertion throws
    /// (strong guarantee). Erasing by iterator neither hashes nor compares.
    struct erase_on_throw {
        map_type& map;
        typename map_type::iterator it;
        bool armed = true;
        ~erase_on_throw() {
            if (armed) map.erase(it);
        }
    };

    /// Whether freeze() builds a read-optimised table (storage::hashed).
    static constexpr bool flat_indexed =
        std::is_same_v<storage_policy, storage::hashed> && !std::is_same_v<map_type, detail::refused_map>;
    /// The table frozen reads use (see detail/flat_index.hpp); an empty
    /// stand-in under storage::ordered.
    template <bool, class = void>
    struct index_for {
        struct type {};
    };
    template <class Unused>
    struct index_for<true, Unused> {
        using type = detail::flat_index<typename map_type::value_type, typename detail::key_lookup<Key>::hash>;
    };
    [[no_unique_address]] typename index_for<flat_indexed>::type index_;

protected:

public:
    /// The entries of a frozen registry as a range: `for (const auto& [key,
    /// value] : registry.entries())`, and the std::ranges algorithms (a
    /// sized forward range of frozen_entry). Nothing can change a frozen
    /// registry, so the references it gives stay valid while the registry
    /// lives, and iterating takes no lock. Order: unspecified under
    /// storage::hashed, by key under storage::ordered. Cheap to copy.
    /// A registry that can still change has no such range: for_each() and
    /// names() read it under its lock instead, so that no reference escapes.
    class entries_view {
    public:
        /// A forward iterator whose reference is a frozen_entry (a prvalue).
        using iterator = detail::frozen_iterator<Key, Value, typename map_type::const_iterator>;
        /// The first entry.
        iterator begin() const noexcept { return iterator(map_->begin()); }
        /// Past the last entry.
        iterator end() const noexcept { return iterator(map_->end()); }
        /// The number of entries.
        std::size_t size() const noexcept { return map_->size(); }
        /// Whether there are none.
        bool empty() const noexcept { return map_->empty(); }

    private:
        friend basic_registry;
        explicit entries_view(const map_type& map) noexcept : map_(&map) {}
        const map_type* map_;
    };

protected:
    /// Whether the locking policy takes a lock at all (false under locking::none).
    static constexpr bool synchronised = locking_policy::synchronised;
    /// The mutex of the locking policy.
    using mutex_type = typename locking_policy::mutex_type;

    /// A registry that stays out of the catalog even under listing::listed
    /// (a shape's transient instances: scoped child scopes).
    basic_registry(detail::unlisted_instance_t, std::string name, source_location where)
        : name_(std::move(name)), created_at_(where), membership_(detail::unlisted_instance) {}

    /// Runs `f(map)` under the write lock, unless the registry is frozen:
    /// then returns the frozen error for `verb` and the key `describe()`
    /// returns, naming `where`. For shapes with their own mutations.
    template <class Describe, class F>
    auto try_write(const char* verb, Describe&& describe, const source_location& where, F&& f)
        -> result<std::invoke_result_t<F&, map_type&>> {
        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) {
            lock.unlock();
            return detail::frozen_message(name_, verb, describe(), where, frozen_at_);
        }
        return f(map_);
    }

    /// The name of a registry constructed without one:
    /// "basic_registry<Key type, Value type>".
    static std::string default_name() {
        return fmt::format("basic_registry<{}, {}>", detail::type_name<Key>(), detail::type_name<Value>());
    }

    /// Runs `f(map)` with the right synchronisation for a read.
    template <class F>
    decltype(auto) read(F&& f) const {
        if constexpr (synchronised) {
            if (!frozen_.load(std::memory_order_acquire)) {
                std::shared_lock lock(mutex_);
                return f(map_);
            }
        }
        return f(map_);
    }

    /// Builds the frozen read table. Never fails: if it cannot be built (no
    /// memory, a key's hasher threw), frozen reads go through the map.
    void build_index() noexcept {
#if ROSTER_DETAIL_CAN_CATCH
        try {
            index_.build(map_);
        } catch (...) { // the table stays unbuilt
        }
#else
        index_.build(map_);
#endif
    }

    /// The element (key and entry) under `key` in `map`, or null: through
    /// the frozen read table once there is one, else map.find(). Call it
    /// inside read(): the table is built under the write lock before the
    /// frozen flag is published, so a reader either holds the read lock
    /// (and freeze() cannot be running) or has seen the flag.
    const auto* find_entry(const map_type& map, lookup_type key) const {
        if constexpr (flat_indexed) {
            if (index_.built()) return index_.find(key);
        }
        const auto it = map.find(key);
        return it == map.end() ? nullptr : &*it;
    }

    /// Counts a lookup that found `found` (a no-op under counters::none).
    void count_hit(const entry& found) const noexcept {
        counters_.hit();
        found.hits.bump();
    }

    /// Counts a lookup of `key` that found nothing (a no-op under
    /// counters::none; counters::per_key records `key` as text).
    template <class LookupKey>
    void count_miss(const LookupKey& key) const {
        counters_.miss(key);
    }

    /// The message of a miss: the key, where it was looked up, the nearest names.
    error_info miss(const map_type& map, lookup_type key, const source_location& where) const {
        detail::nearest_names nearest(detail::key_text(key));
        for (const auto& item : map) nearest.offer(item.first);
        return detail::not_found_message(name_, detail::describe_key(key), where, nearest.suffix());
    }

private:
    friend registration;

    /// visit() for a callable returning R (void or a non-reference).
    template <class R, class F>
    auto visit_found(lookup_type key, F& f) const {
        return read([&](const map_type& map) {
            const auto* found = find_entry(map, key);
            if (found == nullptr) count_miss(key);
            else count_hit(found->second);
            if constexpr (std::is_void_v<R>) {
                if (found == nullptr) return false;
                detail::invoke(f, found->second.value);
                return true;
            } else {
                if (found == nullptr) return std::optional<R>{};
                return std::optional<R>(detail::invoke(f, found->second.value));
            }
        });
    }

    static std::optional<Value> copy_of(const Value& value) {
        if constexpr (std::is_copy_constructible_v<Value>) return value;
        else return std::nullopt;
    }

    /// Why `key` and `value` cannot be added (key_traits, then the null
    /// policy), or nothing: the one place the core checks an entry at the door.
    detail::maybe<error_info> check_entry(const Key& key, const Value& value, const source_location& where) const {
        if (const std::string_view reason = key_traits<Key>::validate(key); !reason.empty())
            return detail::invalid_key_message(name_, detail::describe_key(key), reason, where);
        if (const std::string_view reason = null_policy::refusal(value); !reason.empty())
            return detail::null_message(name_, detail::describe_key(key), detail::type_name<Value>(), reason, where);
        return {};
    }

    /// What the duplicate policy decides for `incoming` under a key that
    /// holds `existing`: the one place the core asks it (add, try_add, and
    /// every duplicate of a batch, within it and against the registry).
    static duplicate_decision decide_duplicate(const Value& existing, const Value& incoming) {
        return duplicate_policy::decide(existing, incoming);
    }

    /// The key is taken; apply the duplicate policy. Called with the lock held.
    add_result add_duplicate(std::unique_lock<mutex_type>& lock, typename map_type::iterator it, Value&& value,
                             const source_location& where) {
        const Key& key = it->first;
        entry& existing = it->second;
        const duplicate_decision decision = decide_duplicate(existing.value, value);
        if (decision == duplicate_decision::replace) {
            const std::uint64_t id = next_id_++;
            registration handle(*this, key, id);
            std::optional<existing_entry> previous;
            feed_type* const notify = apply_notifying(
                [&](feed_type& feed) { feed.stage(change_kind::changed, key, &existing.value, &value, where); },
                [&] {
                    previous.emplace(existing_entry{std::optional<Value>(std::move(existing.value)), existing.where});
                    existing.value = std::move(value);
                    existing.where = where;
                    existing.id = id;
                });
            lock.unlock();
            if (notify != nullptr) notify->deliver();
            return add_result(add_status::replaced, std::move(handle), std::move(previous));
        }
        existing_entry kept{copy_of(existing.value), existing.where};
        if (decision == duplicate_decision::keep) {
            lock.unlock();
            return add_result(add_status::kept_existing, registration{}, std::move(kept));
        }
        std::string described = detail::describe_key(key);
        lock.unlock();
        return add_result(detail::duplicate_message(name_, described, where, kept.where), std::move(kept));
    }

    /// Handle removal: removes the entry only if it is still the one with `id`.
    result<bool> remove_registration(const Key& key, std::uint64_t id, const source_location& where) {
        std::optional<Value> doomed; // destroyed after the lock is released
        std::unique_lock lock(mutex_);
        if (frozen_.load(std::memory_order_relaxed)) {
            lock.unlock();
            return detail::frozen_message(name_, "remove", detail::describe_key(key), where, frozen_at_);
        }
        const auto it = map_.find(key);
        if (it == map_.end() || it->second.id != id) return false;
        feed_type* const notify = apply_notifying(
            [&](feed_type& feed) { feed.stage(change_kind::removed, it->first, &it->second.value, nullptr, where); },
            [&] {
                doomed.emplace(std::move(it->second.value));
                map_.erase(it);
            });
        lock.unlock();
        if (notify != nullptr) notify->deliver();
        return true;
    }

    using feed_type = detail::change_feed<Key, Value>;

    /// Called with the write lock held. If anyone listens, stages the events
    /// with make(feed) before the change, applies it, publishes the events
    /// and returns the feed to deliver() to once the lock is released;
    /// otherwise just applies the change and returns null. If make or apply
    /// throws, the staged events are dropped.
    template <class Make, class Apply>
    feed_type* apply_notifying(Make&& make, Apply&& apply) {
        if (feed_ != nullptr && feed_->listening()) {
            detail::staged_events<feed_type> staged(*feed_);
            make(*feed_);
            apply();
            staged.publish();
            return feed_;
        }
        apply();
        return nullptr;
    }

    /// try_commit()'s work, on the batch's items (see batch in roster/lifecycle.hpp).
    template <class Items>
    result<commit_report> commit_items(Items& items, const source_location& where) {
        commit_report report;
        struct problem {
            std::size_t item; // the item's index in the batch
            std::string message;
        };
        std::vector<problem> problems;
        map_type staged;                                             // the winners; entry::id = index of the key's first item
        for (std::size_t i = 0; i < items.size(); ++i) {
            auto& item = items[i];
            if (detail::maybe<error_info> refused = check_entry(item.key, item.value, item.where)) {
                problems.push_back(problem{i, std::move(refused->message)});
                continue;
            }
            const auto found = staged.find(item.key);
            if (found == staged.end()) {
                staged.emplace(std::move(item.key), entry{std::move(item.value), item.where, i});
                continue;
            }
            entry& earlier = found->second;
            switch (decide_duplicate(earlier.value, item.value)) {
            case duplicate_decision::replace:
                earlier.value = std::move(item.value);
                earlier.where = item.where;
                ++report.unchanged;
                break;
            case duplicate_decision::keep: ++report.unchanged; break;
            case duplicate_decision::refuse:
                problems.push_back(problem{
                    i, detail::duplicate_message(name_, detail::describe_key(item.key), item.where, earlier.where)
                           .message});
                break;
            }
        }

        enum class step { add, replace, keep };
        struct planned {
            typename map_type::iterator staged;
            entry* existing; // the registered entry (replace, keep): a pointer survives the reserve's rehash
            step what;
            std::uint64_t id = 0; // the id the entry gets (add, replace)
        };
        std::vector<planned> plan;
        plan.reserve(staged.size());
        std::size_t additions = 0;

        std::unique_lock lock(mutex_);
        std::vector<problem> conflicts;
        for (auto it = staged.begin(); it != staged.end(); ++it) {
            const auto existing = map_.find(it->first);
            if (existing == map_.end()) {
                plan.push_back(planned{it, nullptr, step::add});
                ++additions;
                continue;
            }
            switch (decide_duplicate(existing->second.value, it->second.value)) {
            case duplicate_decision::replace: plan.push_back(planned{it, &existing->second, step::replace}); break;
            case duplicate_decision::keep: plan.push_back(planned{it, &existing->second, step::keep}); break;
            case duplicate_decision::refuse:
                conflicts.push_back(problem{static_cast<std::size_t>(it->second.id),
                                            detail::duplicate_message(name_, detail::describe_key(it->first),
                                                                      it->second.where, existing->second.where)
                                                .message});
                break;
            }
        }
        const bool is_frozen = frozen_.load(std::memory_order_relaxed);
        if (is_frozen || !problems.empty() || !conflicts.empty()) {
            std::vector<std::string> lines;
            if (is_frozen) lines.push_back(detail::frozen_commit_message(name_, where, frozen_at_).message);
            lock.unlock();
            problems.insert(problems.end(), std::make_move_iterator(conflicts.begin()),
                            std::make_move_iterator(conflicts.end()));
            std::stable_sort(problems.begin(), problems.end(),
                             [](const problem& a, const problem& b) { return a.item < b.item; });
            for (problem& p : problems) lines.push_back(std::move(p.message));
            return detail::batch_message(
                name_, fmt::format("a batch of {} entr{}", items.size(), items.size() == 1 ? "y" : "ies"), where,
                lines);
        }

        // Everything is valid: apply it all, in the order of each key's first item.
        std::sort(plan.begin(), plan.end(),
                  [](const planned& a, const planned& b) { return a.staged->second.id < b.staged->second.id; });
        std::vector<typename map_type::iterator> inserted; // the adds so far, to unlink if a later one throws
        inserted.reserve(additions);
        std::uint64_t next_id = next_id_;
        for (planned& p : plan)
            if (p.what != step::keep) p.id = next_id++;
        feed_type* const notify = apply_notifying(
            [&](feed_type& feed) {
                for (const planned& p : plan) {
                    if (p.what == step::add)
                        feed.stage(change_kind::added, p.staged->first, nullptr, &p.staged->second.value,
                                   p.staged->second.where);
                    else if (p.what == step::replace)
                        feed.stage(change_kind::changed, p.staged->first, &p.existing->value,
                                   &p.staged->second.value, p.staged->second.where);
                }
            },
            [&] {
                storage_policy::reserve(map_, map_.size() + additions);
                // From here on nothing allocates: node handles move into the map.
                // The adds go first (when Value's move assignment cannot throw;
                // see below): inserting a node hashes and compares its key
                // again, and a key's hash, == or < may throw. Then the nodes
                // inserted so far are unlinked again, by iterator (which neither
                // hashes nor compares: the hash table keeps each node's hash code
                // when the hash may throw), and nothing else has changed yet.
                struct unlink_on_throw {
                    map_type& map;
                    std::vector<typename map_type::iterator>& nodes;
                    bool done = false;
                    ~unlink_on_throw() {
                        if (!done)
                            for (const auto& node : nodes) map.erase(node);
                    }
                };
                const auto add_all = [&] {
                    unlink_on_throw undo{map_, inserted};
                    for (const planned& p : plan) {
                        if (p.what != step::add) continue;
                        auto node = staged.extract(p.staged);
                        node.mapped().id = p.id;
                        inserted.push_back(map_.insert(std::move(node)).position);
                        ++report.added;
                    }
                    undo.done = true;
                };
                // The replacements only move values.
                const auto replace_all = [&] {
                    for (const planned& p : plan) {
                        if (p.what == step::replace) {
                            entry& target = *p.existing;
                            target.value = std::move(p.staged->second.value);
                            target.where = p.staged->second.where;
                            target.id = p.id;
                            ++report.replaced;
                        } else if (p.what == step::keep) {
                            ++report.unchanged;
                        }
                    }
                };
                if constexpr (std::is_nothrow_move_assignable_v<Value>) {
                    add_all();
                    replace_all();
                } else {
                    // A move assignment that throws leaves the values replaced
                    // so far changed (the basic guarantee, as documented) and
                    // the events discarded: done first, before any key is
                    // added, so that no key is ever added behind the
                    // listeners' backs.
                    replace_all();
                    add_all();
                }
                next_id_ = next_id;
            });
        lock.unlock();
        if (notify != nullptr) notify->deliver();
        return report;
    }

    using counters_type = typename counters_policy::state;

    std::string name_;
    source_location created_at_;
    mutable mutex_type mutex_;
    map_type map_;
    std::atomic<bool> frozen_{false};
    source_location frozen_at_{}; // written once, under the lock, before frozen_ is released
    std::uint64_t next_id_ = 1;
    feed_type* feed_ = nullptr; // created by the first subscribe(), under the write lock; detached by feed_detacher_
    // Detaches the feed when the registry is destroyed, and when a
    // constructor fails after a subscribe() (a listing whose catalog
    // subscribers subscribed it, then threw). Declared before membership_, so
    // destroyed after the registry left the catalog: no catalog subscriber can
    // still be subscribing it (leaving waits for one that is).
    struct feed_detacher {
        feed_type*& feed;
        ~feed_detacher() {
            if (feed != nullptr) std::exchange(feed, nullptr)->detach();
        }
    } feed_detacher_{feed_};
    [[no_unique_address]] counters_type counters_;
    // Last: listed after every other member is constructed, unlisted before any is destroyed.
    [[no_unique_address]] typename listing_policy::membership membership_;
};

/// The common case: a registry keyed by std::string, looked up by
/// std::string_view.
template <class Value, class... Policies>
using registry = basic_registry<std::string, Value, Policies...>;

/// The move-only handle add() returns. remove() removes exactly the entry
/// that add created — never a later re-registration under the same key.
/// Destroying a handle does NOT remove the entry (use scoped_registration
/// for that), so `reg.add(k, v);` with the result ignored keeps the entry.
/// @warning must not outlive its registry.
template <class Registry>
class basic_registration {
public:
    /// The registry's key type.
    using key_type = typename Registry::key_type;

    /// An empty handle (active() is false).
    basic_registration() noexcept = default;
    /// Takes over `other`'s entry; `other` becomes inactive.
    basic_registration(basic_registration&& other) noexcept
        : registry_(std::exchange(other.registry_, nullptr)), key_(std::move(other.key_)), id_(other.id_) {}
    /// Takes over `other`'s entry; `other` becomes inactive. The entry this
    /// handle held before is forgotten, not removed.
    basic_registration& operator=(basic_registration&& other) noexcept {
        registry_ = std::exchange(other.registry_, nullptr);
        key_ = std::move(other.key_);
        id_ = other.id_;
        return *this;
    }
    basic_registration(const basic_registration&) = delete;
    basic_registration& operator=(const basic_registration&) = delete;
    ~basic_registration() = default;

    /// Whether the handle still refers to an entry it may remove (false once
    /// removed or released, or for a handle that added nothing).
    bool active() const noexcept { return registry_ != nullptr; }
    /// active().
    explicit operator bool() const noexcept { return active(); }

    /// The key the entry was added under. @warning undefined for a
    /// default-constructed handle.
    const key_type& key() const noexcept { return *key_; }

    /// Removes the entry this handle added, if it is still registered.
    /// @returns true if it removed it; false if it was already gone or was
    ///          replaced by a later registration (which is left alone).
    /// @throws frozen_error if the registry is frozen (the handle stays active).
    bool remove(source_location where = source_location::current()) { return try_remove(where).value(); }

    /// remove() returning its error; a result holding false means "nothing to
    /// remove", a failed result means the registry refused (frozen).
    result<bool> try_remove(source_location where = source_location::current()) {
        if (registry_ == nullptr) return false;
        result<bool> outcome = registry_->remove_registration(*key_, id_, where);
        if (outcome) registry_ = nullptr;
        return outcome;
    }

    /// Forgets the entry without removing it.
    void release() noexcept { registry_ = nullptr; }

private:
    friend Registry;
    basic_registration(Registry& registry, const key_type& key, std::uint64_t id)
        : registry_(&registry), key_(key), id_(id) {}

    Registry* registry_ = nullptr;
    std::optional<key_type> key_;
    std::uint64_t id_ = 0;
};

/// The outcome of add() / try_add().
template <class Registry>
class basic_add_result {
public:
    /// The registry's handle type (basic_registration).
    using registration = typename Registry::registration;
    /// The registry's existing_entry: a value and where it was added.
    using existing_entry = typename Registry::existing_entry;

    /// What happened.
    add_status status() const noexcept { return status_; }
    /// true when the new value is now registered (added or replaced).
    explicit operator bool() const noexcept { return status_ == add_status::added || status_ == add_status::replaced; }
    /// Why the add was refused. @warning meaningful only when status() == refused.
    const error_info& error() const noexcept { return error_; }
    /// The entry that was already under the key, and where it was added:
    /// present for refused duplicates, kept_existing and replaced.
    const std::optional<existing_entry>& existing() const noexcept { return existing_; }
    /// The handle that removes exactly the new entry (inactive unless added
    /// or replaced). Move it out to keep it: `auto h = std::move(r).handle();`.
    registration& handle() & noexcept { return handle_; }
    /// The handle, moved out of a result that is going away.
    registration handle() && noexcept { return std::move(handle_); }

private:
    friend Registry;
    basic_add_result(add_status status, registration handle, std::optional<existing_entry> existing)
        : status_(status), handle_(std::move(handle)), existing_(std::move(existing)) {}
    explicit basic_add_result(error_info error, std::optional<existing_entry> existing = std::nullopt)
        : status_(add_status::refused), existing_(std::move(existing)), error_(std::move(error)) {}

    add_status status_;
    registration handle_;
    std::optional<existing_entry> existing_;
    error_info error_;
};

/// An RAII registration of any registry type: removes its entry when
/// destroyed (e.g. a plugin's entries when it is unloaded). Errors on that
/// removal (a frozen registry) are swallowed: the entry then stays.
class scoped_registration {
public:
    /// Holds nothing (active() is false).
    scoped_registration() noexcept = default;
    /// Takes over `handle`. Allocates once.
    template <class Registry>
    scoped_registration(basic_registration<Registry>&& handle) // NOLINT(google-explicit-constructor)
        : impl_(new model<Registry>(std::move(handle))) {}
    /// Takes over `other`'s entry; `other` then holds nothing.
    scoped_registration(scoped_registration&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
    /// Removes the entry this one held (as reset() does), then takes over
    /// `other`'s; `other` then holds nothing.
    scoped_registration& operator=(scoped_registration&& other) noexcept {
        if (this != &other) {
            reset();
            impl_ = std::exchange(other.impl_, nullptr);
        }
        return *this;
    }
    scoped_registration(const scoped_registration&) = delete;
    scoped_registration& operator=(const scoped_registration&) = delete;
    ~scoped_registration() { reset(); }

    /// Whether an entry is still held.
    bool active() const noexcept { return impl_ != nullptr && impl_->active(); }
    /// active().
    explicit operator bool() const noexcept { return active(); }

    /// Removes the entry now (if it is still the one added).
    void reset() noexcept {
        if (impl_ != nullptr) {
            impl_->remove_quietly();
            delete std::exchange(impl_, nullptr);
        }
    }
    /// Forgets the entry without removing it.
    void release() noexcept { delete std::exchange(impl_, nullptr); }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual bool active() const noexcept = 0;
        virtual void remove_quietly() noexcept = 0;
    };
    template <class Registry>
    struct model final : concept_t {
        explicit model(basic_registration<Registry>&& h) : handle(std::move(h)) {}
        bool active() const noexcept override { return handle.active(); }
        void remove_quietly() noexcept override {
#if ROSTER_HAS_EXCEPTIONS
            try {
                (void)handle.try_remove();
            } catch (...) { // allocation failure while wording an error: keep the entry
            }
#else
            (void)handle.try_remove();
#endif
        }
        basic_registration<Registry> handle;
    };
    concept_t* impl_ = nullptr; // owned
};

ROSTER_END_NAMESPACE // namespace roster

/// @cond EXTERNAL_SPECIALISATIONS
/// roster::frozen_entry is tuple-like: `const auto& [key, value] = entry;`.
template <class Key, class Value>
struct std::tuple_size<roster::frozen_entry<Key, Value>> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I, class Key, class Value>
struct std::tuple_element<I, roster::frozen_entry<Key, Value>> {
    using type = std::conditional_t<I == 0, const Key, const Value>;
};
/// @endcond
