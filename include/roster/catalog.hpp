// roster/catalog.hpp — roster::catalog, the process-wide list of live
// registries that opted in, and the reports it hands out.
//
// Gives:
//   roster::registration_event  one add or removal, as the catalog's
//                               subscribers receive it;
//   roster::log_registrations   a ready-made subscriber writing one line per
//                               event (to stderr by default);
//   roster::catalog             list the listed registries, report on each,
//                               hear about every registration in any of them;
//   listing::listed's machinery (detail::catalog_membership<true>): include
//   this header wherever a registry with roster::listing::listed is used.
// Reports themselves (roster::registry_report) are plain data, in
// roster/report.hpp.
//
// A registry opts in with the roster::listing::listed policy and its name:
//
//   using codec_registry = roster::registry<codec_ptr, roster::listing::listed,
//                                           roster::counters::per_key>;
//   codec_registry codecs{"codecs"};            // now in the catalog
//   for (const roster::registry_report& r : roster::catalog::instance().snapshot())
//       fmt::print("{}: {} entries, {}\n", r.name, r.entries.size(), to_string(r.state));
//   auto log = roster::catalog::instance().subscribe(roster::log_registrations());
//
// roster/json.hpp and roster/prometheus.hpp turn reports into JSON and into
// the Prometheus text exposition format.
//
// Guarantees
// - A listed registry is in the catalog from the end of its constructor to
//   the start of its destructor. Names are unique among live listed
//   registries: constructing a second one under a taken name raises
//   duplicate_key_error naming both construction sites (nothing is listed).
// - Thread safety: every member may be called from any thread, while listed
//   registries are being created, used and destroyed on other threads. A
//   report is taken under the registry's read lock, so it is one consistent
//   state of that registry; a snapshot() of several registries is not one
//   instant of the whole process. Lookup counters are read without stopping
//   the readers that bump them: they are exact once those readers are done.
// - Subscribers run outside every lock, never two at once for one
//   subscription, never nested: each listed registry delivers on its own
//   mutating thread, so the catalog queues a subscriber's events and one
//   thread at a time delivers them, in the order they arrived (a thread that
//   finds another one delivering leaves its events to it and returns). They
//   may read the catalog and the registries.
//   Subscribing first reports every entry already registered in a listed
//   registry (replayed = true), so registrations made at static-
//   initialisation time, before anyone could subscribe, are not lost.
// - The catalog itself is never destroyed (registries with static storage
//   duration may leave it during exit).
//
// Non-guarantees
// - @warning A report is taken while holding the catalog's lock and then the
//   registry's read lock: do not create or destroy a listed registry from
//   inside visit() or for_each() of a listed registry (it may deadlock
//   against a concurrent snapshot()).
// - Entries committed while a subscriber is being added may be reported
//   twice (replayed and live) or once; never zero times.
//
// Complexity: snapshot() is O(total entries) plus sorting each registry's
// keys; names(), contains(), size() are O(registries).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/maybe.hpp" // detail::maybe: an event as a registration_event, or nothing
#include "roster/detail/messages.hpp"
#include "roster/error.hpp"
#include "roster/events.hpp"
#include "roster/policy/listing.hpp" // listing::listed, detail::catalog_membership
#include "roster/report.hpp"
#include "roster/source_location.hpp"

#include <algorithm>   // std::sort, std::find_if
#include <cstddef>     // std::ptrdiff_t
#include <cstdint>     // std::uint64_t: counters
#include <cstdio>      // std::FILE, std::fputs: log_registrations
#include <functional>  // std::function: subscribers
#include <iterator>    // std::make_move_iterator
#include <memory>      // std::shared_ptr: subscribers; std::unique_ptr: the listed registries (stable nodes)
#include <mutex>       // std::mutex, std::lock_guard
#include <optional>    // std::optional
#include <string>      // std::string
#include <string_view> // std::string_view: names
#include <type_traits> // std::is_invocable_v, std::is_copy_constructible_v
#include <utility>     // std::move, std::exchange
#include <vector>      // reports

ROSTER_BEGIN_NAMESPACE

/// One add or removal in a listed registry, as catalog subscribers get it.
struct registration_event {
    /// added, removed or changed (on_duplicate::replace).
    change_kind kind = change_kind::added;
    /// The registry's name.
    std::string registry;
    /// The key, as text (see entry_report::key).
    std::string key;
    /// Where the change was made: where the entry was added (added, changed),
    /// or the call site of the removal (removed).
    source_location where;
    /// True for the entries already registered when subscribe() was called,
    /// reported to that subscriber first.
    bool replayed = false;
};

/// What a catalog subscriber is.
using registration_listener = std::function<void(const registration_event&)>;

namespace detail {

/// The one line log_registrations() writes for an event:
/// `roster: registry "codecs": added "gzip" at src/gzip.cpp:12 (register)`.
/// (A template so that including the catalog compiles no fmt::format call
/// until a line is written: see docs/benchmarks.md, compile time.)
template <class Event = registration_event>
std::string registration_line(const Event& event) {
    return fmt::format("roster: registry {}: {} {} at {}{}\n", detail::quoted(event.registry), to_string(event.kind), event.key,
                       describe(event.where), event.replayed ? " (registered before subscribing)" : "");
}

/// A registry's change event as a registration_event (not replayed), or
/// nothing for an `unchanged` event, which names no key.
template <class Event>
maybe<registration_event> registration_event_of(const std::string& registry, const Event& event) {
    if (event.kind == change_kind::unchanged || !event.key) return {};
    return registration_event{event.kind, registry, describe_key(*event.key), event.where, false};
}

/// One catalog subscriber, shared by every registry it listens to. Each
/// registry delivers its events on its own mutating thread, so events are
/// posted here and one thread at a time delivers them, in the order they were
/// posted: the subscriber never runs on two threads at once, and never nested
/// inside itself (an event posted by a thread that is delivering waits until
/// the current call returns). Nobody waits for anybody: a thread that finds
/// another one delivering leaves its event to it.
/// (A template so that including the catalog compiles none of it until it is used.)
template <class Event = registration_event>
class basic_catalog_listener {
public:
    explicit basic_catalog_listener(registration_listener listener) : listener_(std::move(listener)) {}

    /// Delivers `event` now, or queues it for the thread delivering.
    void post(Event event) {
        {
            std::lock_guard lock(mutex_);
            if (cancelled_) return;
            queue_.push_back(std::move(event));
            if (delivering_) return;
            delivering_ = true;
        }
        std::vector<Event> batch;
        // A throwing subscriber (the registry reports it) hands the delivery back:
        // the events not yet delivered go back to the front of the queue.
        struct hand_back {
            basic_catalog_listener& self;
            std::vector<Event>& pending;
            std::size_t next = 0;
            bool released = false;
            ~hand_back() {
                if (released) return;
                std::lock_guard lock(self.mutex_);
                if (next < pending.size() && !self.cancelled_)
                    self.queue_.insert(self.queue_.begin(), std::make_move_iterator(pending.begin() + static_cast<std::ptrdiff_t>(next)),
                                       std::make_move_iterator(pending.end()));
                self.delivering_ = false;
            }
        };
        for (;;) {
            {
                std::lock_guard lock(mutex_);
                if (queue_.empty() || cancelled_) {
                    queue_.clear();
                    delivering_ = false;
                    return;
                }
                batch.clear();
                batch.swap(queue_);
            }
            hand_back guard{*this, batch};
            for (; guard.next < batch.size(); ++guard.next) {
                if (cancelled()) break;
                listener_(batch[guard.next]);
            }
            guard.released = true; // this thread keeps delivering
        }
    }

    /// Stops delivery: no event is delivered once this returns, except the
    /// one being delivered now, if any.
    void cancel() noexcept {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
        queue_.clear();
    }

private:
    bool cancelled() {
        std::lock_guard lock(mutex_);
        return cancelled_;
    }

    std::mutex mutex_;
    std::vector<Event> queue_;
    bool delivering_ = false;
    bool cancelled_ = false;
    registration_listener listener_;
};
using catalog_listener = basic_catalog_listener<>;

/// A listed registry's subscription on behalf of one catalog subscriber.
struct catalog_subscription {
    std::uint64_t listener_id; ///< the catalog subscriber's id
    subscription handle;       ///< the registry's subscription
};

/// A listed registry as the catalog sees it: type-erased access to it.
struct catalog_node {
    std::string name;
    source_location created_at;
    const void* registry = nullptr;
    registry_report (*report)(const void*) = nullptr;
    /// Subscribes a listener to the registry's changes (null when the
    /// registry cannot send events: a move-only key or value).
    subscription (*subscribe)(const void*, std::shared_ptr<catalog_listener>) = nullptr;
    /// The registry's subscriptions for the catalog's subscribers, by id.
    std::vector<catalog_subscription> subscriptions;
};

/// Whether `report` comes from a registry counted per key (as far as the
/// report shows: per-entry hits, or tracked misses). For the exporters
/// (roster/prometheus.hpp, roster/html.hpp).
inline bool counted_per_key(const registry_report& report) noexcept {
    if (!report.missed_keys.empty() || report.other_misses != 0) return true;
    for (const entry_report& entry : report.entries) {
        if (entry.hits) return true;
    }
    return false;
}

} // namespace detail

template <class Catalog>
class basic_catalog_subscription;

/// The process-wide catalog of live registries that chose
/// roster::listing::listed. See the header comment for its guarantees.
/// Use it as roster::catalog (basic_catalog<>): it is a template only so
/// that including this header compiles none of its members until they are
/// used (the include cost of roster/catalog.hpp, docs/benchmarks.md).
template <class Tag = void>
class basic_catalog {
    // The node type, spelled so that it depends on Tag: every member that
    // touches the list of nodes is then compiled only when it is used.
    using node_type = std::conditional_t<sizeof(Tag*) != 0, detail::catalog_node, void>;

public:
    /// The process's catalog. Never destroyed. Thread safe.
    static basic_catalog& instance() noexcept {
        static basic_catalog* const the_catalog = new basic_catalog(); // NOLINT: leaked on purpose, outlives every registry
        return *the_catalog;
    }

    basic_catalog(const basic_catalog&) = delete;
    basic_catalog& operator=(const basic_catalog&) = delete;

    /// The names of the listed registries, sorted. O(n log n).
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        {
            std::lock_guard lock(mutex_);
            out.reserve(nodes_.size());
            for (const auto& node : nodes_) out.push_back(node->name);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    /// Whether a registry called `name` is listed. O(n).
    bool contains(std::string_view name) const {
        std::lock_guard lock(mutex_);
        return find(name) != nodes_.end();
    }

    /// How many registries are listed.
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return nodes_.size();
    }

    /// A report on the registry called `name`, or std::nullopt.
    std::optional<registry_report> get(std::string_view name) const {
        std::lock_guard lock(mutex_);
        const auto it = find(name);
        if (it == nodes_.end()) return std::nullopt;
        return (*it)->report((*it)->registry);
    }

    /// A report on the registry called `name`.
    /// @throws not_found_error naming `name`, `where` and the nearest listed names.
    registry_report at(std::string_view name, source_location where = source_location::current()) const {
        return try_at(name, where).value();
    }

    /// at() returning a miss as a not_found error instead of raising it.
    result<registry_report> try_at(std::string_view name, source_location where = source_location::current()) const {
        std::lock_guard lock(mutex_);
        const auto it = find(name);
        if (it != nodes_.end()) return (*it)->report((*it)->registry);
        detail::nearest_names nearest(std::string{name});
        for (const auto& node : nodes_) nearest.offer(node->name);
        return detail::not_found_message("roster::catalog", detail::describe_key(std::string{name}), where,
                                         nearest.suffix());
    }

    /// A report on every listed registry, sorted by name. Each report is
    /// taken under its registry's read lock. O(total entries).
    std::vector<registry_report> snapshot() const {
        std::vector<registry_report> out;
        {
            std::lock_guard lock(mutex_);
            out.reserve(nodes_.size());
            for (const auto& node : nodes_) out.push_back(node->report(node->registry));
        }
        std::sort(out.begin(), out.end(),
                  [](const registry_report& a, const registry_report& b) { return a.name < b.name; });
        return out;
    }

    /// Subscribes `listener` (callable with `const registration_event&`) to
    /// every add and removal in every listed registry, now and later ones.
    /// First, outside every lock, it is called once for each entry already
    /// registered (replayed = true), registry by registry in name order.
    /// Events of one registry arrive in mutation order; the registry's
    /// own guarantees apply (see roster/events.hpp). Registries with a
    /// move-only key or value are replayed but send no live events.
    /// @returns the RAII handle: destroying it unsubscribes from every registry.
    template <class Listener>
    [[nodiscard]] basic_catalog_subscription<basic_catalog> subscribe(Listener&& listener);

private:
    friend class basic_catalog_subscription<basic_catalog>;

    basic_catalog() = default;
    ~basic_catalog() = default;

public:
    // -- used by roster::detail::catalog_membership (the registries) --------

    /// Lists `node`; refuses a name already listed. Not for direct use.
    /// Strong guarantee: if it throws (std::bad_alloc), nothing is listed and
    /// the newcomer's subscriptions are undone (outside the lock, by `node`'s
    /// destructor).
    result<node_type*> enrol(node_type node) {
        std::lock_guard lock(mutex_);
        if (const auto it = find(node.name); it != nodes_.end()) {
            return detail::listed_name_taken_message(node.name, (*it)->created_at, node.created_at);
        }
        // Subscribe the newcomer to every catalog subscriber, in order, then link it.
        if (node.subscribe != nullptr) {
            node.subscriptions.reserve(listeners_.size());
            for (const auto& [id, listener] : listeners_) {
                node.subscriptions.push_back(detail::catalog_subscription{id, node.subscribe(node.registry, listener)});
            }
        }
        // If reserve() or make_unique's allocation throws, `node` is as it was;
        // push_back() then cannot throw. (Geometric growth: enrolling n
        // registries moves O(n) pointers in all.)
        if (nodes_.size() == nodes_.capacity()) nodes_.reserve(2 * nodes_.size() + 4);
        nodes_.push_back(std::make_unique<node_type>(std::move(node)));
        return nodes_.back().get();
    }

    /// Unlists `node` (from a registry's destructor). Not for direct use.
    void leave(node_type* node) noexcept {
        std::vector<detail::catalog_subscription> doomed; // unsubscribed outside the lock
        {
            std::lock_guard lock(mutex_);
            for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
                if (it->get() == node) {
                    doomed = std::move(node->subscriptions);
                    nodes_.erase(it);
                    break;
                }
            }
        }
    }

private:
    typename std::vector<std::unique_ptr<node_type>>::const_iterator find(std::string_view name) const {
        return std::find_if(nodes_.begin(), nodes_.end(),
                            [&](const std::unique_ptr<node_type>& node) { return node->name == name; });
    }

    void unsubscribe(std::uint64_t id) noexcept {
        std::vector<subscription> doomed; // unsubscribed outside the lock: a running listener may read the catalog
        {
            std::lock_guard lock(mutex_);
            for (const auto& node : nodes_) {
                auto& subs = node->subscriptions;
                for (auto it = subs.begin(); it != subs.end();) {
                    if (it->listener_id == id) {
                        doomed.push_back(std::move(it->handle));
                        it = subs.erase(it);
                    } else {
                        ++it;
                    }
                }
            }
            for (const auto& [listener_id, listener] : listeners_)
                if (listener_id == id) listener->cancel(); // nothing queued is delivered from here on
            listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                            [&](const listener_slot& item) { return item.id == id; }),
                             listeners_.end());
        }
    }

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<node_type>> nodes_; // in listing order; a node never moves
    struct listener_slot {
        std::uint64_t id;
        std::shared_ptr<detail::catalog_listener> listener;
    };
    std::vector<listener_slot> listeners_; // by id, ascending
    std::uint64_t next_listener_id_ = 1;
};

/// The RAII handle catalog::subscribe() returns: destroying it (or reset())
/// unsubscribes the listener from every registry; when that returns the
/// listener is not running on another thread and will not be called again.
template <class Catalog>
class [[nodiscard]] basic_catalog_subscription {
public:
    /// A handle that holds no subscription (active() is false).
    basic_catalog_subscription() noexcept = default;
    /// Takes over `other`'s subscription; `other` then holds none.
    basic_catalog_subscription(basic_catalog_subscription&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
    /// Unsubscribes this handle's listener (as reset() does), then takes over
    /// `other`'s subscription; `other` then holds none.
    basic_catalog_subscription& operator=(basic_catalog_subscription&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, 0);
        }
        return *this;
    }
    basic_catalog_subscription(const basic_catalog_subscription&) = delete;
    basic_catalog_subscription& operator=(const basic_catalog_subscription&) = delete;
    ~basic_catalog_subscription() { reset(); }

    /// Whether the listener is still subscribed.
    bool active() const noexcept { return id_ != 0; }
    /// active().
    explicit operator bool() const noexcept { return active(); }

    /// Unsubscribes now (idempotent).
    void reset() noexcept {
        if (id_ != 0) Catalog::instance().unsubscribe(std::exchange(id_, 0));
    }

private:
    friend Catalog;
    explicit basic_catalog_subscription(std::uint64_t id) noexcept : id_(id) {}
    std::uint64_t id_ = 0;
};

/// The process-wide catalog: see basic_catalog.
using catalog = basic_catalog<>;
/// The RAII handle catalog::subscribe() returns.
using catalog_subscription = basic_catalog_subscription<catalog>;

/// @cond INTERNAL
// basic_catalog::subscribe(), documented at its declaration (defined here,
// where basic_catalog_subscription is complete).
template <class Tag>
template <class Listener>
basic_catalog_subscription<basic_catalog<Tag>> basic_catalog<Tag>::subscribe(Listener&& listener) {
    static_assert(std::is_invocable_v<Listener&, const registration_event&>,
                  "roster::catalog::subscribe: the listener must be callable with const roster::registration_event&");
    auto shared = std::make_shared<detail::catalog_listener>(registration_listener(std::forward<Listener>(listener)));
    std::vector<registry_report> existing;
    // Subscriptions made before something throws are undone by this vector's
    // destructor, outside the lock; the catalog then holds nothing of it.
    std::vector<std::pair<node_type*, subscription>> made;
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        made.reserve(nodes_.size());
        existing.reserve(nodes_.size());
        for (const auto& node : nodes_) {
            if (node->subscribe != nullptr) made.emplace_back(node.get(), node->subscribe(node->registry, shared));
            existing.push_back(node->report(node->registry));
        }
        for (auto& [node, sub] : made) node->subscriptions.reserve(node->subscriptions.size() + 1);
        listeners_.reserve(listeners_.size() + 1);
        // Nothing below throws: the subscriber is in.
        id = next_listener_id_++;
        for (auto& [node, sub] : made) node->subscriptions.push_back(detail::catalog_subscription{id, std::move(sub)});
        listeners_.push_back(listener_slot{id, shared});
    }
    basic_catalog_subscription<basic_catalog> handle(id); // unsubscribes if a replayed event throws
    std::sort(existing.begin(), existing.end(),
              [](const registry_report& a, const registry_report& b) { return a.name < b.name; });
    for (const registry_report& report : existing) {
        for (const entry_report& entry : report.entries) {
            shared->post(registration_event{change_kind::added, report.name, entry.key, entry.where, true});
        }
    }
    return handle;
}
/// @endcond

/// A ready-made subscriber: writes one line per event to `out` (stderr by
/// default), e.g. `roster: registry "codecs": added "gzip" at gzip.cpp:12 (reg)`.
/// Pass it to catalog::subscribe().
template <class = void>
registration_listener log_registrations(std::FILE* out = stderr) {
    return [out](const registration_event& event) { std::fputs(detail::registration_line(event).c_str(), out); };
}

/// The same lines for one registry's own subscribe(): the listener takes
/// that registry's change events and names it as `registry` does.
/// `registry.subscribe(roster::log_registrations(registry))`.
template <class Registry>
auto log_registrations(const Registry& registry, std::FILE* out = stderr) {
    return [name = registry.name(), out](const typename Registry::event_type& event) {
        if (const auto e = detail::registration_event_of(name, event)) std::fputs(detail::registration_line(*e).c_str(), out);
    };
}

namespace detail {

/// What the catalog subscribes to a listed registry for one catalog
/// subscriber: turns the registry's change events into registration events.
/// Subscribing it keeps no code loaded (roster/events.hpp): it is subscribed
/// by the code that constructed the registry (this header's
/// catalog_membership), so if that subscription creates the registry's event
/// hub, the hub's code is that code, which must stay loaded as long as the
/// registry does anyway (its catalog entry calls into it). It is also
/// subscribed under the catalog's lock, where asking the dynamic loader about
/// the code could deadlock against a plugin, being loaded, that lists a registry.
template <class Event>
struct catalog_forwarder {
    using roster_keeps_no_code_loaded = void;

    std::shared_ptr<catalog_listener> listener;
    std::string registry;

    void operator()(const Event& event) const {
        if (auto e = registration_event_of(registry, event)) listener->post(std::move(*e));
    }
};

/// Whether a registry offers subscribe() to the catalog: public key, value
/// and event types, copyable key and value. (The scoped registry does not.)
template <class Registry>
concept sends_change_events = requires {
    typename Registry::event_type;
    typename Registry::key_type;
    typename Registry::value_type;
} && std::is_copy_constructible_v<typename Registry::key_type> &&
                              std::is_copy_constructible_v<typename Registry::value_type>;

/// A listed registry's place in the catalog (listing::listed; the unlisted
/// one, catalog_membership<false>, is in roster/policy/listing.hpp).
template <class Catalog>
class catalog_membership<true, Catalog> {
public:
    /// An instance that stays out of the catalog (detail::unlisted_instance).
    explicit catalog_membership(unlisted_instance_t) noexcept {}

    /// Lists `registry`; raises duplicate_key_error if its name is taken.
    template <class Registry>
    catalog_membership(const Registry& registry, const std::string& name, const source_location& where) {
        catalog_node node;
        node.name = name;
        node.created_at = where;
        node.registry = &registry;
        node.report = [](const void* r) { return static_cast<const Registry*>(r)->report(); };
        if constexpr (sends_change_events<Registry>) {
            node.subscribe = [](const void* r, std::shared_ptr<catalog_listener> listener) {
                // The catalog only subscribes; it never changes the registry's entries.
                auto& target = const_cast<Registry&>(*static_cast<const Registry*>(r)); // NOLINT
                return target.subscribe(
                    catalog_forwarder<typename Registry::event_type>{std::move(listener), target.name()});
            };
        }
        node_ = catalog_type::instance().enrol(std::move(node)).value();
    }
    catalog_membership(const catalog_membership&) = delete;
    catalog_membership& operator=(const catalog_membership&) = delete;
    ~catalog_membership() {
        if (node_ != nullptr) catalog_type::instance().leave(node_);
    }

private:
    // Catalog is void (the listing policy's default): the process's catalog.
    using catalog_type = std::conditional_t<std::is_void_v<Catalog>, catalog, Catalog>;
    catalog_node* node_ = nullptr;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
