// roster/lifecycle.hpp — registering in two phases: batches committed all or
// nothing, and a staged registry that collects registrations while the
// application starts, finalizes them in one step and tells consumers when it
// is ready.
//
// Gives:
//   roster::batch<Registry>          registrations collected for one
//                                    all-or-nothing commit (the prometheus
//                                    model): reg.commit(std::move(b));
//   roster::readiness                pending | ready | failed;
//   roster::staged_registry<Registry> pending → finalized, with a readiness
//                                    latch (the travetto flow): add() while
//                                    starting, finalize() once, then look up;
//                                    a lookup before that is a not_ready_error
//                                    ("has not been initialized ... call
//                                    finalize()"), and wait_ready() blocks
//                                    until it is ready.
//
//   roster::staged_registry<roster::registry<codec_ptr>> codecs{"codecs"};
//   codecs.add("gzip", gzip);          // anywhere during startup
//   codecs.finalize();                 // validates all, commits all or nothing, freezes
//   codecs.at("gzip");                 // lock-free from now on
//
// Guarantees
// - batch is a plain value type with no synchronisation of its own; a
//   commit (basic_registry::commit / try_commit, in roster/registry.hpp)
//   validates every item and applies all of them under one write lock, or
//   none: never a half-applied batch (see commit's documentation).
// - staged_registry: every member may be called concurrently. add() and
//   finalize() serialise on a mutex; finalize() runs once (concurrent and
//   later callers get the first call's outcome) and, when it succeeds,
//   freezes the registry, so lookups after it are lock-free (one acquire load
//   of the readiness flag, one of the frozen flag). ready() is one acquire
//   load. Exception safety: strong for add(); finalize() commits all or
//   nothing.
// Complexity: add O(1) amortised; finalize O(n) average; lookups as the
// registry's, plus one atomic load.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/maybe.hpp" // detail::maybe: the finalize() outcome
#include "roster/detail/messages.hpp"
#include "roster/detail/thread_slot.hpp" // detail::this_thread_token
#include "roster/error.hpp"
#include "roster/events.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"

#include <atomic>             // std::atomic: the readiness flag, waited on by wait_ready()
#include <cstddef>            // std::size_t
#include <functional>         // std::reference_wrapper
#include <mutex>              // std::mutex
#include <optional>           // std::optional
#include <ratio>              // std::milli: wait_ready_for's message
#include <semaphore>          // std::binary_semaphore: wait_ready_for's timed gate (declares std::chrono::duration)
#include <string>             // std::string
#include <string_view>        // std::string_view
#include <type_traits>        // std::is_void_v
#include <utility>            // std::move
#include <vector>             // std::vector

ROSTER_BEGIN_NAMESPACE

/// Registrations collected for one all-or-nothing commit into a `Registry`
/// (any registry built on basic_registry with the same key and value types).
/// Adding to a batch checks nothing: commit() validates every item at once
/// and lists every problem.
///
///   roster::batch<codec_registry> b;
///   b.add("gzip", gzip).add("zstd", zstd);           // each records its call site
///   auto report = codecs.commit(std::move(b));       // all or nothing
///
/// Not synchronised: fill a batch on one thread (or lock it yourself).
template <class Registry>
class batch {
public:
    /// The registry type the batch is for.
    using registry_type = Registry;
    /// The registry's key type.
    using key_type = typename Registry::key_type;
    /// The registry's value type.
    using value_type = typename Registry::value_type;

    /// One collected registration.
    struct item {
        key_type key;          ///< the key to register
        value_type value;      ///< the value to register under it
        source_location where; ///< where batch::add was called
    };

    /// An empty batch.
    batch() = default;

    /// Appends a registration, recording `where`. Checks nothing yet.
    /// @returns *this, to chain adds. Strong guarantee; amortised O(1).
    batch& add(key_type key, value_type value, source_location where = source_location::current()) {
        items_.push_back(item{std::move(key), std::move(value), where});
        return *this;
    }

    /// The number of collected registrations.
    std::size_t size() const noexcept { return items_.size(); }
    /// Whether nothing was collected.
    bool empty() const noexcept { return items_.empty(); }
    /// Drops every collected registration.
    void clear() noexcept { items_.clear(); }
    /// The collected registrations, in the order they were added.
    const std::vector<item>& items() const noexcept { return items_; }
    /// The same, mutable (commit moves keys and values out of it).
    std::vector<item>& items() noexcept { return items_; }

private:
    std::vector<item> items_;
};

/// Where a staged registry is in its life.
enum class readiness {
    pending, ///< collecting registrations; lookups fail with not_ready_error
    ready,   ///< finalize() succeeded: the registry is complete and frozen
    failed,  ///< finalize() refused the registrations: nothing was committed, for good
};

/// "pending", "ready" or "failed".
constexpr const char* to_string(readiness state) noexcept {
    switch (state) {
    case readiness::pending: return "pending";
    case readiness::ready: return "ready";
    case readiness::failed: return "failed";
    }
    return "unknown";
}

/// A registry filled in two phases (travetto's pending → finalized): while
/// the application starts, add() collects registrations without making them
/// visible; finalize() validates them all, commits them all or none, freezes
/// the registry and opens the readiness latch. Consumers either wait for it
/// (wait_ready, wait_ready_for) or fail clearly when they look up too early:
/// a not_ready_error saying the registry "has not been initialized" and to
/// call finalize().
///
/// @tparam Registry a registry built on basic_registry, constructible from
///         its name (roster::registry<V, Policies...>, basic_factory, ...).
template <class Registry>
class staged_registry {
public:
    /// The registry being staged.
    using registry_type = Registry;
    /// Its key type.
    using key_type = typename Registry::key_type;
    /// Its value type.
    using value_type = typename Registry::value_type;
    /// Its lookup argument type (std::string_view for std::string keys).
    using lookup_type = typename Registry::lookup_type;
    /// What listeners receive (roster/events.hpp).
    using event_type = typename Registry::event_type;
    /// A listener's error handler: the event it was given and what it threw.
    using listener_error_handler = std::function<void(const event_type&, std::exception_ptr)>;

    /// A pending registry called `name` (used in every message).
    explicit staged_registry(std::string name) : registry_(std::move(name)) {}

    staged_registry(const staged_registry&) = delete;
    staged_registry& operator=(const staged_registry&) = delete;
    ~staged_registry() = default;

    /// The registry's name.
    const std::string& name() const noexcept { return registry_.name(); }

    // ------------------------------------------------------------ pending

    /// Collects a registration, recording `where`; it becomes visible when
    /// finalize() commits it. Validation (key, null, duplicates) happens in
    /// finalize(), which lists every problem at once.
    /// @throws frozen_error once finalize() has run (naming where it ran).
    void add(key_type key, value_type value, source_location where = source_location::current()) {
        try_add(std::move(key), std::move(value), where).value();
    }

    /// add() that returns its error instead of raising it.
    result<void> try_add(key_type key, value_type value, source_location where = source_location::current()) {
        std::unique_lock lock(mutex_);
        if (finalized_at_) {
            const source_location finalized = *finalized_at_;
            lock.unlock();
            return detail::frozen_message(name(), "add", detail::describe_key(key), where, finalized);
        }
        pending_.add(std::move(key), std::move(value), where);
        return {};
    }

    /// The number of registrations waiting for finalize() (0 afterwards).
    std::size_t pending() const {
        const std::lock_guard lock(mutex_);
        return pending_.size();
    }

    // ----------------------------------------------------------- finalize

    /// Commits every pending registration all or nothing (see
    /// basic_registry::try_commit), freezes the registry at `where` and opens
    /// the readiness latch, waking every waiter. Runs once: a concurrent
    /// caller waits for the first and gets its outcome; a later caller gets
    /// the same outcome at once. No lock of the staged registry is held while
    /// the commit runs: subscribers hear its `added` events before the latch
    /// opens (so during those events ready() is still false — read the
    /// event's payload).
    /// @returns what the commit did; or the commit's batch_refused error
    ///          (every problem listed) — the registry then stays empty and
    ///          readiness() is failed, for good. If the commit throws
    ///          (std::bad_alloc, a throwing hash, ==, < or value copy), that
    ///          is a failure too: nothing is committed, readiness() is failed,
    ///          waiters wake, and the error's cause is the exception (value()
    ///          rethrows it).
    result<commit_report> try_finalize(source_location where = source_location::current()) {
        std::unique_lock lock(mutex_);
        if (finalized_at_) {
            if (finalizer_ == detail::this_thread_token()) { // from a listener of finalize()'s own commit
                lock.unlock();
                return detail::not_ready_message(name(), "finalize", where,
                                                 "finalize() is already running on this thread (called from a "
                                                 "listener of its own commit)");
            }
            lock.unlock();
            state_.wait(readiness::pending, std::memory_order_acquire); // outcome_ is set before state_ leaves pending
            lock.lock();
            return *outcome_;
        }
        finalized_at_.emplace(where);
        finalizer_ = detail::this_thread_token();
        batch<Registry> taken = std::move(pending_);
        pending_.clear();
        lock.unlock();
        // No lock of ours is held while the commit runs (and delivers its events).
        result<commit_report> committed = commit_or_fail(std::move(taken), where);
        lock.lock();
        outcome_.emplace(committed);
        finalizer_ = nullptr;
        state_.store(committed ? readiness::ready : readiness::failed, std::memory_order_release);
        lock.unlock();
        state_.notify_all();
        timed_gate_.release(); // opened once, for good: each timed waiter passes it on
        return committed;
    }

    /// try_finalize() that raises its error (batch_error).
    commit_report finalize(source_location where = source_location::current()) { return try_finalize(where).value(); }

private:
    /// The commit and the freeze; an exception they throw (std::bad_alloc,
    /// a throwing hash, ==, < or value copy: the commit then applied
    /// nothing) becomes the failed outcome, with the exception as its cause,
    /// so that every waiter wakes and every caller gets it (value() and
    /// raise() rethrow it unchanged).
    result<commit_report> commit_or_fail(batch<Registry> taken, const source_location& where) {
#if ROSTER_HAS_EXCEPTIONS
        try {
#endif
            result<commit_report> committed = registry_.try_commit(std::move(taken), where);
            if (committed) registry_.freeze(where);
            return committed;
#if ROSTER_HAS_EXCEPTIONS
        } catch (...) {
            const std::exception_ptr cause = std::current_exception();
            std::string reason = "an exception";
            try {
                std::rethrow_exception(cause);
            } catch (const std::exception& e) {
                reason = e.what();
            } catch (...) {
            }
            return error_info{errc::batch_refused,
                              (detail::text() << "roster: registry " << detail::text::quoted_name{name()}
                                              << ": finalize() at " << detail::describe(where)
                                              << " failed: the commit threw (" << reason
                                              << "); nothing was committed")
                                  .str(),
                              cause};
        }
#endif
    }

public:

    // ---------------------------------------------------------- readiness

    /// pending, ready or failed. One acquire load.
    readiness state() const noexcept { return state_.load(std::memory_order_acquire); }

    /// Whether finalize() succeeded. One acquire load.
    bool ready() const noexcept { return state() == readiness::ready; }

    /// Blocks until finalize() has run.
    /// @returns success once ready; finalize()'s error if it failed.
    result<void> wait_ready() const {
        state_.wait(readiness::pending, std::memory_order_acquire);
        std::unique_lock lock(mutex_);
        return settled(lock);
    }

    /// wait_ready() giving up after `timeout`.
    /// @returns success once ready; finalize()'s error if it failed; a
    ///          not_ready error naming `where` if it is still pending.
    template <class Rep, class Period>
    result<void> wait_ready_for(std::chrono::duration<Rep, Period> timeout,
                                source_location where = source_location::current()) const {
        if (state() == readiness::pending) {
            if (timed_gate_.try_acquire_for(timeout)) timed_gate_.release(); // pass the open gate on
        }
        std::unique_lock lock(mutex_);
        if (state() == readiness::pending) {
            const std::size_t waiting = pending_.size();
            lock.unlock();
            return detail::not_ready_message(
                name(), "wait for it to be ready", where,
                fmt::format("still not initialized after waiting {} ms: finalize() has not been called ({} "
                            "registration{} pending)",
                            static_cast<long long>(std::chrono::duration<double, std::milli>(timeout).count()), waiting,
                            waiting == 1 ? "" : "s"));
        }
        return settled(lock);
    }

    // ------------------------------------------------------------ lookups
    // Each raises (or, for the try_ forms, returns) a not_ready_error before
    // finalize() succeeded, and is the registry's own lookup afterwards.

    /// The finalized registry: every read member of Registry.
    /// @throws not_ready_error if not ready.
    const Registry& registry(source_location where = source_location::current()) const {
        return try_registry(where).value().get();
    }

    /// registry() returning the not_ready error instead of raising it.
    result<std::reference_wrapper<const Registry>> try_registry(
        source_location where = source_location::current()) const {
        if (ready()) return std::cref(registry_);
        return not_ready("use the registry", where);
    }

    /// A copy of the value under `key`, or std::nullopt.
    /// @throws not_ready_error if not ready.
    std::optional<value_type> get(lookup_type key, source_location where = source_location::current()) const {
        if (!ready()) raise(not_ready(describe_lookup(key), where));
        return registry_.get(key);
    }

    /// A copy of the value under `key`.
    /// @throws not_ready_error if not ready; not_found_error on a miss.
    value_type at(lookup_type key, source_location where = source_location::current()) const {
        return try_at(key, where).value();
    }

    /// at() returning its error (not_ready or not_found) instead of raising it.
    result<value_type> try_at(lookup_type key, source_location where = source_location::current()) const {
        if (!ready()) return not_ready(describe_lookup(key), where);
        return registry_.try_at(key, where);
    }

    /// Whether `key` is registered.
    /// @throws not_ready_error if not ready.
    bool contains(lookup_type key, source_location where = source_location::current()) const {
        if (!ready()) raise(not_ready(describe_lookup(key), where));
        return registry_.contains(key);
    }

    /// Registry::visit: calls f(const Value&) on the value under `key`.
    /// @throws not_ready_error if not ready.
    template <class F>
    auto visit(lookup_type key, F&& f, source_location where = source_location::current()) const {
        if (!ready()) raise(not_ready(describe_lookup(key), where));
        return registry_.visit(key, std::forward<F>(f));
    }

    /// A sorted copy of every key. @throws not_ready_error if not ready.
    std::vector<key_type> names(source_location where = source_location::current()) const {
        return registry(where).names();
    }

    /// The number of entries. @throws not_ready_error if not ready.
    std::size_t size(source_location where = source_location::current()) const { return registry(where).size(); }

    // ------------------------------------------------------------- events

    /// Registry::subscribe: allowed in every phase; a subscriber in the
    /// pending phase hears finalize()'s commit as one `added` event per key.
    template <class Listener>
    subscription subscribe(Listener&& listener, listener_error_handler on_error = {}) {
        return registry_.subscribe(std::forward<Listener>(listener), std::move(on_error));
    }

private:
    result<void> settled(std::unique_lock<std::mutex>& lock) const {
        if (state() == readiness::ready) return {};
        error_info failure = outcome_->error();
        lock.unlock();
        return failure;
    }

    static std::string describe_lookup(lookup_type key) {
        return fmt::format("look up key {}", detail::describe_key(key));
    }

    error_info not_ready(std::string_view action, const source_location& where) const {
        if (state() == readiness::failed) {
            std::unique_lock lock(mutex_);
            const std::string reason = outcome_->error().message;
            const source_location finalized = *finalized_at_;
            lock.unlock();
            return detail::not_ready_message(
                name(), action, where,
                fmt::format("it never became ready: finalize() at {} refused the registrations: {}",
                            detail::describe(finalized), reason));
        }
        std::unique_lock lock(mutex_);
        const std::size_t waiting = pending_.size();
        lock.unlock();
        return detail::not_ready_message(
            name(), action, where,
            fmt::format("the registry has not been initialized ({} registration{} pending); call finalize() first, "
                        "or wait_ready() for it",
                        waiting, waiting == 1 ? "" : "s"));
    }

    Registry registry_;
    mutable std::mutex mutex_;                    // guards pending_, finalized_at_, outcome_
    mutable std::binary_semaphore timed_gate_{0}; // released once when state_ leaves pending (wait_ready_for)
    batch<Registry> pending_;                     // registrations collected before finalize()
    detail::maybe<source_location> finalized_at_;    // where finalize() first ran
    detail::maybe<result<commit_report>> outcome_;    // its outcome, returned to every later caller
    const void* finalizer_ = nullptr;                          // the thread running finalize(), while it runs
    std::atomic<readiness> state_{readiness::pending};
};

ROSTER_END_NAMESPACE // namespace roster
