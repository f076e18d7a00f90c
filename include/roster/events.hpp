// roster/events.hpp — change events: subscribe to a registry and hear about
// every change made to it.
//
// Gives:
//   roster::change_kind          added | removed | changed | unchanged;
//   roster::change_event<K, V>   one change: its kind, key, previous and
//                                current values (owned copies), where it was
//                                made, and (hot-reload) the version;
//   roster::subscription         the RAII handle subscribe() returns: the
//                                listener is unsubscribed when it is destroyed;
//   roster::detail::event_hub    the delivery machinery every registry shape
//                                shares (internal).
//
//   auto sub = codecs.subscribe([](const auto& event) {
//       if (event.kind == roster::change_kind::removed) log("gone: ", *event.key);
//   });
//
// Guarantees (for every registry built on roster::basic_registry, and for
// roster::hot_reload_registry)
// - Order: events are delivered in the order the mutations were made (the
//   order of the registry's write lock), each to every listener subscribed
//   at the time the mutation was made, listeners in subscription order.
//   A subscriber never receives an event of a mutation made before subscribe()
//   returned.
// - Outside the lock: listeners run after the registry's lock is released,
//   so a listener may call back into the registry — read it, subscribe,
//   unsubscribe, even mutate it. Events of a mutation made from inside a
//   listener are queued and delivered after the current event has reached
//   every listener (never nested, never reordered).
// - One at a time: at most one listener of a registry runs at any moment.
//   The thread whose mutation finds nobody delivering drains the queue; a
//   mutation made while another thread is delivering returns at once and
//   that thread delivers its events, in order. (So on a single thread every
//   event has been delivered when the mutating call returns.)
// - Owned payloads: an event holds copies of the key and values, so during a
//   `removed` event the old value is still readable even though the registry
//   no longer has it. Events therefore need a copyable Value (subscribe()
//   static_asserts it).
// - A throwing listener neither corrupts the registry (the mutation is
//   complete before any listener runs) nor stops delivery: the exception is
//   caught, handed to the subscription's error handler (default: a line on
//   stderr), and the next listener runs. An exception thrown by an error
//   handler is swallowed. This holds under ROSTER_NO_EXCEPTIONS too, as long
//   as the compiler has exceptions; with them disabled (-fno-exceptions)
//   nothing can be thrown or caught.
// - A listener may destroy the registry it listens to (say, the last
//   owner of a plugin's registry drops it on a `removed` event): the events
//   still queued are delivered to the remaining listeners, and the mutating
//   call returns normally. Nothing may use the destroyed registry after
//   that, the mutating call's result included (a handle it returns points at
//   it).
// - Unsubscribing: when subscription::reset() or its destructor returns, the
//   listener is not running on another thread and will never be called
//   again. Called from inside the listener itself, it returns at once (the
//   current call finishes normally).
// - Zero cost when unused: reads never look at events; a mutation with
//   nobody subscribed checks one pointer and one atomic counter.
// - Plugins: a registry's event hub (its listeners and delivery queue) is
//   created by its first subscribe() and lives as long as the registry. Its
//   virtual functions, and its std::shared_ptr control block's, belong to the
//   code that created it. When that code is in a dlopen()ed plugin (the
//   plugin is the registry's first subscriber), a plugin whose code created
//   a registry's event hub stays mapped after dlclose(): roster marks it
//   RTLD_NODELETE when it creates the hub, so the host can keep using the
//   registry and destroy it later. dlclose() then unmaps nothing and runs
//   none of the plugin's static destructors (they run at exit); unsubscribe
//   its listeners before unloading it, as always. Not pinned: code in the
//   main program; a plugin whose hub belongs to a registry in that plugin's
//   own static storage (the registry dies with it); hubs created for the
//   catalog's subscribers (by the code that constructed the listed
//   registry, which must outlive it anyway). A host that
//   subscribes once before loading plugins creates the hubs itself and keeps
//   them unloadable. This works where <dlfcn.h> offers RTLD_NODELETE on an
//   ELF system (Linux with glibc 2.34 or later, whose libc has dlopen; musl,
//   the BSDs). Elsewhere (Windows, macOS, older glibc) nothing is pinned:
//   there, a plugin must not be unloaded before the registries whose hub its
//   code created are destroyed. The subscribe() that creates a hub asks the
//   dynamic loader (dladdr) after releasing the registry's lock: do not make
//   a registry's first subscribe() while holding a lock that a plugin's
//   static initialisers may wait for (they run under the loader's lock).
//
// Complexity: a mutation with listeners copies the key and the values it
// reports (O(1) copies per event) and allocates one queue node per event;
// delivery is O(listeners) per event.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/change_feed.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/thread_slot.hpp" // detail::this_thread_token
#include "roster/source_location.hpp"

#include <algorithm>          // std::lower_bound, std::upper_bound
#include <atomic>             // the listener count; unsubscribe waits on the running listener (atomic wait)
#include <cstddef>            // std::size_t
#include <cstdint>            // std::uint64_t
#include <cstdio>             // std::fputs: the default error handler
#include <exception>          // std::exception_ptr
#include <functional>         // std::function
#include <memory>             // std::shared_ptr, std::weak_ptr
#include <mutex>              // std::mutex
#include <optional>           // std::optional
#include <string>             // std::string
#include <type_traits>        // std::is_copy_constructible_v, std::is_invocable_v
#include <utility>            // std::move, std::exchange
#include <vector>             // the listeners

// dladdr() and dlopen(RTLD_NOLOAD | RTLD_NODELETE): keeping the code that
// created a hub loaded (detail::keep_code_loaded). On ELF systems whose libc
// has them; glibc moved them from libdl into libc in 2.34, and a header-only
// library cannot add -ldl to every program, so older glibc goes without.
#if __has_include(<dlfcn.h>)
#    include <dlfcn.h>
#endif
#if defined(__ELF__) && defined(RTLD_NOLOAD) && defined(RTLD_NODELETE) &&                                          \
    (!defined(__GLIBC__) || __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#    define ROSTER_DETAIL_KEEP_CODE_LOADED 1
#else
#    define ROSTER_DETAIL_KEEP_CODE_LOADED 0
#endif

ROSTER_BEGIN_NAMESPACE

/// One change to a registry, as listeners receive it. The event owns copies
/// of everything it reports, so they stay readable whatever the registry
/// does meanwhile.
template <class Key, class Value>
struct change_event {
    /// What happened.
    change_kind kind = change_kind::unchanged;
    /// The key that changed; empty only for `unchanged`.
    std::optional<Key> key;
    /// The value before the change: set for `removed` and `changed`.
    std::optional<Value> previous;
    /// The value after the change: set for `added` and `changed`.
    std::optional<Value> current;
    /// Where the change was made: for `added` and `changed` where the new
    /// value was added (what location(key) now reports); for `removed` and
    /// `unchanged` the call site of the removal or replacement.
    source_location where{};
    /// hot_reload_registry: the version the replacement published (every
    /// event of one replacement carries the same version, and they are
    /// delivered consecutively). 0 for the other registries.
    std::uint64_t version = 0;
};

namespace detail {

/// What a subscription needs to know about the hub it came from.
class event_hub_base {
public:
    virtual ~event_hub_base() = default;
    /// Removes listener `id`; waits until it is not running on another thread.
    virtual void unsubscribe(std::uint64_t id) noexcept = 0;

protected:
    event_hub_base() = default;
    event_hub_base(const event_hub_base&) = default;
    event_hub_base& operator=(const event_hub_base&) = default;
};

template <class Key, class Value>
class event_hub;

/// Keeps the loaded object (a plugin or a shared library) that holds `code`
/// mapped for the rest of the process: a later dlclose() of it no longer
/// unmaps it (dlopen with RTLD_NOLOAD | RTLD_NODELETE). Does nothing when
/// `code` is in the main program; when `owner` (what the code was run for: a
/// registry) lies in that same object's static storage, so that it is
/// destroyed when the object is unloaded, before its code goes; and where
/// ROSTER_DETAIL_KEEP_CODE_LOADED is 0. Takes the dynamic loader's lock,
/// which a plugin's static initialisers run under: call it with no lock of
/// a registry held (a plugin being loaded may be registering into it).
inline void keep_code_loaded(const void* code, const void* owner) noexcept {
#if ROSTER_DETAIL_KEEP_CODE_LOADED
    Dl_info code_object{};
#    if defined(__GLIBC__)
    void* code_map = nullptr;
    if (::dladdr1(code, &code_object, &code_map, RTLD_DL_LINKMAP) == 0 || code_map == nullptr) return;
#    else
    if (::dladdr(code, &code_object) == 0) return;
#    endif
    if (code_object.dli_fname == nullptr || code_object.dli_fname[0] == '\0') return;
    Dl_info owner_object{};
    if (owner != nullptr && ::dladdr(owner, &owner_object) != 0 && owner_object.dli_fbase == code_object.dli_fbase)
        return;
#    if defined(__GLIBC__)
    // glibc reports the main program under argv[0]: recognise it by its link map.
    if (void* program = ::dlopen(nullptr, RTLD_LAZY)) {
        void* program_map = nullptr;
        const bool in_program = ::dlinfo(program, RTLD_DI_LINKMAP, &program_map) == 0 && program_map == code_map;
        ::dlclose(program);
        if (in_program) return;
    }
#    endif
    // Elsewhere the main program's name finds the main program (or nothing):
    // marking it RTLD_NODELETE changes nothing.
    if (void* object = ::dlopen(code_object.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE))
        ::dlclose(object); // gives back the reference dlopen took; the object stays
#else
    (void)code;
    (void)owner;
#endif
}

} // namespace detail

/// The RAII handle of a listener: destroying it (or reset()) unsubscribes.
/// Move-only. May outlive the registry (it then does nothing).
class [[nodiscard]] subscription {
public:
    /// An empty handle: active() is false.
    subscription() noexcept = default;
    /// Takes over `other`'s listener; `other` becomes empty.
    subscription(subscription&& other) noexcept : hub_(std::move(other.hub_)), id_(std::exchange(other.id_, 0)) {}
    /// Unsubscribes the listener this handle held, then takes over `other`'s.
    subscription& operator=(subscription&& other) noexcept {
        if (this != &other) {
            reset();
            hub_ = std::move(other.hub_);
            id_ = std::exchange(other.id_, 0);
        }
        return *this;
    }
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;
    /// Unsubscribes (see reset()).
    ~subscription() { reset(); }

    /// Whether this handle holds a listener of a registry that still exists.
    bool active() const noexcept { return id_ != 0 && !hub_.expired(); }
    /// active().
    explicit operator bool() const noexcept { return active(); }

    /// Unsubscribes now. When it returns, the listener is not running on any
    /// other thread and will never be called again; called from inside the
    /// listener itself it returns at once. No effect on an empty handle.
    /// @warning do not call it (or destroy the handle) on a thread that
    /// holds something the running listener waits for: it would wait forever.
    void reset() noexcept {
        if (id_ == 0) return;
        const std::uint64_t id = std::exchange(id_, 0);
        if (const std::shared_ptr<detail::event_hub_base> hub = hub_.lock()) hub->unsubscribe(id);
        hub_.reset();
    }

    /// Forgets the listener without unsubscribing it: it stays subscribed for
    /// the registry's lifetime.
    void release() noexcept {
        hub_.reset();
        id_ = 0;
    }

private:
    template <class Key, class Value>
    friend class detail::event_hub;
    subscription(std::weak_ptr<detail::event_hub_base> hub, std::uint64_t id) noexcept
        : hub_(std::move(hub)), id_(id) {}

    std::weak_ptr<detail::event_hub_base> hub_;
    std::uint64_t id_ = 0;
};

namespace detail {

/// The listeners of one registry and its ordered delivery queue.
///
/// Protocol, for the registry: while holding its own write lock, a mutation
/// asks listening(); if true it builds its events in a pending_events
/// *before* applying the change (copies may throw; nothing is applied yet),
/// applies the change, then post()s them (no allocation, no throw) — still
/// under the write lock, so the queue is in mutation order — and, after
/// releasing the write lock, calls deliver().
///
/// Lock order: the registry's lock, then the hub's mutex; the hub never
/// calls out (listener, error handler, value destructor) with its mutex held.
template <class Key, class Value>
class event_hub final : public event_hub_base,
                        public change_feed<Key, Value>,
                        public std::enable_shared_from_this<event_hub<Key, Value>> {
public:
    using event_type = change_event<Key, Value>;
    using listener_type = std::function<void(const event_type&)>;
    using error_handler_type = std::function<void(const event_type&, std::exception_ptr)>;

    /// Checks what every subscribe() needs (a copyable Value, a listener
    /// callable with an event) and wraps the listener.
    template <class Listener>
    static listener_type make_listener(Listener&& listener) {
        static_assert(std::is_copy_constructible_v<Value>,
                      "roster: subscribe() needs a copyable Value: every change event carries its own copies of the "
                      "values it reports (so that a removed value stays readable during its event); register "
                      "std::shared_ptr<T> instead of std::unique_ptr<T>");
        static_assert(std::is_invocable_v<Listener&, const event_type&>,
                      "roster: subscribe(): the listener must be callable as listener(const change_event<Key, Value>&)");
        return listener_type(std::forward<Listener>(listener));
    }

private:
    struct queued {
        std::uint64_t sequence;
        event_type event;
    };

    // A FIFO of events, one heap node each: push_back() allocates; moving
    // nodes between queues only relinks them, so nothing allocates under the
    // hub's mutex.
    class event_queue {
    public:
        event_queue() = default;
        event_queue(const event_queue&) = delete;
        event_queue& operator=(const event_queue&) = delete;
        ~event_queue() { clear(); }

        // Appends `item` (allocates its node; if that throws, nothing changes).
        void push_back(queued item) { link(new node{std::move(item), nullptr}); }
        // Moves every node of `other` to the end, in order.
        void splice(event_queue& other) noexcept {
            if (other.head_ == nullptr) return;
            (tail_ != nullptr ? tail_->next : head_) = other.head_;
            tail_ = other.tail_;
            size_ += other.size_;
            other.head_ = other.tail_ = nullptr;
            other.size_ = 0;
        }
        // Moves the first node of `other` (not empty) to the end.
        void take_front(event_queue& other) noexcept {
            node* taken = other.head_;
            other.head_ = taken->next;
            if (other.head_ == nullptr) other.tail_ = nullptr;
            --other.size_;
            taken->next = nullptr;
            link(taken);
        }
        bool empty() const noexcept { return head_ == nullptr; }
        std::size_t size() const noexcept { return size_; }
        queued& front() noexcept { return head_->item; }
        // Calls f(queued&) on every event, in order.
        template <class F>
        void for_each(F&& f) noexcept(noexcept(f(std::declval<queued&>()))) {
            for (node* n = head_; n != nullptr; n = n->next) f(n->item);
        }
        // Destroys every event, in order (the queue is consistent while each is destroyed).
        void clear() noexcept {
            while (node* doomed = head_) {
                head_ = doomed->next;
                if (head_ == nullptr) tail_ = nullptr;
                --size_;
                delete doomed;
            }
        }

    private:
        struct node {
            queued item;
            node* next;
        };
        void link(node* added) noexcept {
            (tail_ != nullptr ? tail_->next : head_) = added;
            tail_ = added;
            ++size_;
        }
        node* head_ = nullptr;
        node* tail_ = nullptr;
        std::size_t size_ = 0;
    };

public:
    /// Events prepared before a mutation is applied.
    class pending_events {
    public:
        /// Appends one event (allocates its queue node now).
        void push(event_type event) { items_.push_back(queued{0, std::move(event)}); }
        /// Whether no event was pushed.
        bool empty() const noexcept { return items_.empty(); }
        /// How many events were pushed.
        std::size_t size() const noexcept { return items_.size(); }

    private:
        friend event_hub;
        event_queue items_;
    };

    /// `registry_name` is used by the default error handler's message.
    explicit event_hub(std::string registry_name) : name_(std::move(registry_name)) {}

    using change_feed<Key, Value>::listening;

    /// What a registry declares before taking the lock under which it may
    /// create its hub (`owner`: the registry). If a hub was created, its
    /// destructor, run once that lock is released, keeps the code that
    /// created it loaded (keep_code_loaded): the hub's virtual functions and
    /// its control block's are that code's, and the hub lives as long as the
    /// registry, which may outlive a plugin that was its first subscriber.
    /// `enabled` false: nothing is pinned (see keeps_code_loaded_for).
    class creation_guard {
    public:
        explicit creation_guard(const void* owner, bool enabled = true) noexcept : owner_(owner), enabled_(enabled) {}
        creation_guard(const creation_guard&) = delete;
        creation_guard& operator=(const creation_guard&) = delete;
        ~creation_guard() {
            // The address of a function of this instantiation, as the code that
            // ran create_owned()/create_shared() resolves it: in the object whose
            // copies of the hub's code (vtable included) that code uses.
            if (created_ && enabled_) keep_code_loaded(reinterpret_cast<const void*>(&event_hub::create_shared), owner_);
        }

    private:
        friend event_hub;
        const void* owner_;
        bool enabled_;
        bool created_ = false;
    };

    /// Whether a hub created to subscribe a `Listener` keeps the creating code
    /// loaded: yes, unless the listener type declares
    /// `using roster_keeps_no_code_loaded = void;`. The catalog's listeners do:
    /// they are subscribed by the code that constructed the listed registry,
    /// which must stay loaded as long as the registry anyway (its catalog entry
    /// calls into it), and the catalog subscribes under its own lock, where
    /// asking the dynamic loader could deadlock against a plugin being loaded
    /// that lists a registry.
    template <class Listener>
    static constexpr bool keeps_code_loaded_for = !requires { typename Listener::roster_keeps_no_code_loaded; };

    /// A hub owned by itself until detach(): what a registry's change feed
    /// is (the registry holds a plain pointer; subscriptions hold weak ones).
    static event_hub& create_owned(std::string registry_name, creation_guard& created) {
        std::shared_ptr<event_hub> hub = create_shared(std::move(registry_name), created);
        hub->self_ = hub;
        return *hub;
    }

    /// A hub owned by the shared pointers to it (the hot-reload registry's).
    static std::shared_ptr<event_hub> create_shared(std::string registry_name, creation_guard& created) {
        auto hub = std::make_shared<event_hub>(std::move(registry_name));
        created.created_ = true;
        return hub;
    }

    // change_feed: the core registry's side, under its write lock.
    void stage(change_kind kind, const Key& key, const Value* previous, const Value* current,
               const source_location& where) override {
        if constexpr (std::is_copy_constructible_v<Key> && std::is_copy_constructible_v<Value>) {
            staged_.push(event_type{kind, key, previous != nullptr ? std::optional<Value>(*previous) : std::nullopt,
                                    current != nullptr ? std::optional<Value>(*current) : std::nullopt, where, 0});
        }
    }
    void publish() noexcept override { post(staged_); }
    void discard() noexcept override { staged_.items_.clear(); }
    void detach() noexcept override { self_.reset(); }

    /// Adds a listener; it receives the events of mutations posted after
    /// this call. Call it under the registry's write lock.
    subscription subscribe(listener_type listener, error_handler_type on_error) {
        auto added = std::make_shared<slot>();
        added->listener = std::move(listener);
        added->on_error = std::move(on_error);
        const std::lock_guard lock(mutex_);
        added->id = next_slot_id_++;
        added->first_sequence = next_sequence_;
        slots_.push_back(added); // ids increase: stays sorted
        this->listeners_.fetch_add(1, std::memory_order_release);
        return subscription(this->weak_from_this(), added->id);
    }

    /// Queues prepared events at the end, in order. Never throws. Call it
    /// under the registry's write lock, after the mutation was applied.
    void post(pending_events& events) noexcept {
        if (events.items_.empty()) return;
        const std::lock_guard lock(mutex_);
        events.items_.for_each([this](queued& item) noexcept { item.sequence = next_sequence_++; });
        queue_.splice(events.items_);
    }

    /// Delivers every queued event, in order, unless a delivery is already
    /// running (on this thread, re-entrantly, or on another): that one will
    /// deliver them. Call it with no lock held.
    void deliver() noexcept override {
        // A listener may destroy the registry, which detaches (releases) this
        // hub: keep it alive until the delivery is done.
        const std::shared_ptr<event_hub> keep_alive = this->weak_from_this().lock();
        std::unique_lock lock(mutex_);
        if (draining_) return;
        draining_ = true;
        drainer_ = detail::this_thread_token();
        while (!queue_.empty()) {
            event_queue current; // the event leaves the queue; destroyed outside the mutex
            current.take_front(queue_);
            const queued& item = current.front();
            std::uint64_t last_id = 0;
            for (;;) {
                std::shared_ptr<slot> target = next_slot(last_id);
                if (!target) break;
                last_id = target->id;
                if (target->first_sequence > item.sequence) continue; // subscribed after this mutation
                calling_.store(target.get(), std::memory_order_release);
                lock.unlock();
                invoke(*target, item.event);
                target.reset(); // may be the last owner (unsubscribed meanwhile): destroyed outside the mutex
                lock.lock();
                calling_.store(nullptr, std::memory_order_release);
                if (waiters_ != 0) calling_.notify_all();
            }
            lock.unlock();
            current.clear(); // the event's values may call back into the registry when destroyed
            lock.lock();
        }
        draining_ = false;
        drainer_ = nullptr;
    }

    void unsubscribe(std::uint64_t id) noexcept override {
        std::shared_ptr<slot> removed; // declared before the lock: the listener (and what it
                                       // captured) is destroyed after the mutex is released
        std::unique_lock lock(mutex_);
        const auto it = std::lower_bound(slots_.begin(), slots_.end(), id,
                                         [](const std::shared_ptr<slot>& s, std::uint64_t wanted) { return s->id < wanted; });
        if (it == slots_.end() || (*it)->id != id) return;
        removed = *it;
        slots_.erase(it);
        this->listeners_.fetch_sub(1, std::memory_order_release);
        if (drainer_ == detail::this_thread_token()) return; // from inside a listener: do not wait for ourselves
        // The removed slot cannot become the running one again (it left slots_
        // under the mutex); wait, without the mutex, until it stops running.
        ++waiters_;
        lock.unlock();
        while (calling_.load(std::memory_order_acquire) == removed.get()) calling_.wait(removed.get(), std::memory_order_acquire);
        lock.lock();
        --waiters_;
    }

private:
    struct slot {
        std::uint64_t id = 0;
        std::uint64_t first_sequence = 0;
        listener_type listener;
        error_handler_type on_error;
    };

    /// The first listener with an id above `last_id`, or null. Under the mutex.
    std::shared_ptr<slot> next_slot(std::uint64_t last_id) const noexcept {
        const auto it = std::upper_bound(slots_.begin(), slots_.end(), last_id,
                                         [](std::uint64_t after, const std::shared_ptr<slot>& s) { return after < s->id; });
        return it == slots_.end() ? nullptr : *it;
    }

    void invoke(slot& target, const event_type& event) noexcept {
#if ROSTER_DETAIL_CAN_CATCH // even under ROSTER_NO_EXCEPTIONS: a listener's own exception is caught
        try {
            target.listener(event);
        } catch (...) {
            report(target, event, std::current_exception());
        }
#else
        target.listener(event);
#endif
    }

#if ROSTER_DETAIL_CAN_CATCH
    void report(slot& target, const event_type& event, std::exception_ptr thrown) noexcept {
        try {
            if (target.on_error) {
                target.on_error(event, thrown);
                return;
            }
            std::string what = "an exception not derived from std::exception";
            try {
                std::rethrow_exception(thrown);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            std::string key = "(no key)";
            if constexpr (detail::key_is_formattable<Key>) {
                if (event.key) key = detail::describe_key(*event.key);
            }
            const std::string line = detail::listener_threw_line(name_, to_string(event.kind), key, what);
            std::fputs(line.c_str(), stderr);
        } catch (...) { // the error handler threw, or the message could not be built: nothing more to do
        }
    }
#endif

    std::string name_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<slot>> slots_; // sorted by id
    event_queue queue_;
    std::uint64_t next_slot_id_ = 1;
    std::uint64_t next_sequence_ = 1;
    pending_events staged_;             // change_feed::stage(), until publish() or discard()
    std::shared_ptr<event_hub> self_;   // create_owned(): keeps the hub alive until detach()
    bool draining_ = false;
    const void* drainer_ = nullptr; // detail::this_thread_token() of the delivering thread
    std::atomic<const slot*> calling_{nullptr}; // the listener running now; set and cleared under the mutex
    std::size_t waiters_ = 0;                    // unsubscribers waiting on calling_; under the mutex
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
