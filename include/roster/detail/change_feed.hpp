// roster/detail/change_feed.hpp — what the core registry knows of change
// events, and no more: the change kinds, and the interface through which a
// registry hands its changes to whoever listens. Internal, except for
// roster::change_kind (documented with the events, roster/events.hpp).
//
// The core registry (roster/registry.hpp) holds a pointer to a change_feed
// and, while it is non-null and someone listens, stages one event per change
// under its write lock, publishes them once the change is applied and
// delivers them after releasing the lock. The implementation, with the
// listeners, the queue and the delivery thread rules, is
// roster::detail::event_hub in roster/events.hpp: a registry whose users
// never subscribe compiles none of it.
#pragma once

#include "roster/config.hpp"          // ROSTER_BEGIN_NAMESPACE
#include "roster/source_location.hpp" // roster::source_location

#include <atomic>  // std::atomic<std::size_t>: the listener count
#include <cstddef> // std::size_t

ROSTER_BEGIN_NAMESPACE

/// What a change event reports.
enum class change_kind {
    added,    ///< a key that was not registered now is: `current` holds its value
    removed,  ///< a key is no longer registered: `previous` holds the value it had
    changed,  ///< a key's value was replaced: `previous` and `current` hold both
    unchanged ///< a whole-set replacement found nothing different (no key, no values)
};

/// "added", "removed", "changed" or "unchanged".
constexpr const char* to_string(change_kind kind) noexcept {
    switch (kind) {
    case change_kind::added: return "added";
    case change_kind::removed: return "removed";
    case change_kind::changed: return "changed";
    case change_kind::unchanged: return "unchanged";
    }
    return "unknown";
}

template <class Key, class Value>
struct change_event; // roster/events.hpp
class subscription;  // roster/events.hpp

namespace detail {

template <class Key, class Value>
class event_hub; // roster/events.hpp

/// The registry's side of change events. All members but deliver() and
/// detach() are called under the registry's write lock.
template <class Key, class Value>
class change_feed {
public:
    change_feed(const change_feed&) = delete;
    change_feed& operator=(const change_feed&) = delete;

    /// Whether anyone listens. One acquire load.
    bool listening() const noexcept { return listeners_.load(std::memory_order_acquire) != 0; }

    /// Records one event of a change about to be made: copies `key` and the
    /// values given (null: none). May throw (allocation, a throwing copy);
    /// nothing is published until publish().
    virtual void stage(change_kind kind, const Key& key, const Value* previous, const Value* current,
                       const source_location& where) = 0;
    /// Queues what was staged, in order, after the change was applied. Never throws.
    virtual void publish() noexcept = 0;
    /// Drops what was staged (the change failed and was not applied).
    virtual void discard() noexcept = 0;
    /// Delivers the queued events to the listeners. Called with no lock held.
    virtual void deliver() noexcept = 0;
    /// The registry is being destroyed: the feed may go once its
    /// subscriptions let go of it.
    virtual void detach() noexcept = 0;

protected:
    change_feed() = default;
    virtual ~change_feed() = default;
    std::atomic<std::size_t> listeners_{0};
};

/// Stages events into `feed` and, unless dismissed, discards them when
/// destroyed (the change they describe threw before it was applied).
template <class Feed>
class staged_events {
public:
    explicit staged_events(Feed& feed) noexcept : feed_(&feed) {}
    staged_events(const staged_events&) = delete;
    staged_events& operator=(const staged_events&) = delete;
    ~staged_events() {
        if (feed_ != nullptr) feed_->discard();
    }
    /// The change was applied: queue the events.
    void publish() noexcept {
        feed_->publish();
        feed_ = nullptr;
    }

private:
    Feed* feed_;
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
