// roster/etcd.hpp — registrations that cross process boundaries, with etcd
// (v3) as the source of truth. Optional: include it only where libcurl and
// nlohmann/json are available (CMake: link roster::etcd). The rest of roster
// never includes it.
//
// Gives, in namespace roster::etcd:
//   basic_mirror<Value, Policies...>  a prefix of etcd mirrored into a local
//                                     hot-reload registry: read at hot-reload
//                                     speed on any thread, kept current by a
//                                     watch; mirror<Value> = the default policies
//   basic_announcer<Policies...>      entries written under a lease with a TTL,
//                                     kept alive, revoked on clean shutdown;
//                                     announcer = the default policies
//   client, options, credentials, tls_files   (roster/etcd/client.hpp)
//
//   roster::etcd::mirror<service> services{"services", opts, "services/", decode_service};
//   services.wait_synced(std::chrono::seconds(5));
//   services.visit("payments/10.0.0.7:8443", [](const service& s) { ... });   // any thread, no lock
//
//   roster::etcd::announcer self{"self", opts, "services/", std::chrono::seconds(10)};
//   self.announce("payments/10.0.0.7:8443", R"({"weight": 3})");
//
// Guarantees (the numbered consistency rules are in docs/distributed.md)
// - A mirror's reads are a hot-reload registry's reads: every read sees one
//   published snapshot, each snapshot is etcd's prefix at one revision (or
//   at the end of one watch response), versions never go backwards on a
//   thread, and change events fire as for any hot-reload registry.
// - Nothing is dropped silently: a value the decoder refuses (or the
//   registry's policies refuse: a null, an invalid key) is reported with its
//   key, its revision and the reason, in refusals() and to the refusal
//   handler; the key keeps its last good value, or stays absent.
// - Reconnects resume the watch from the revision after the last one
//   applied: no event is lost or applied twice. If etcd compacted that
//   revision away, the mirror reads the whole prefix again and replaces the
//   set in one step (one published version).
// - While etcd cannot be reached, the last good snapshot keeps serving;
//   status() says connected or not, the revision, and the time since etcd
//   last answered (a linearizable read every options::heartbeat).
// - An announcement is a compare-and-create transaction under the
//   announcer's lease: of several processes announcing one key, exactly one
//   wins, and the others follow the duplicate policy (on_duplicate::).
// - Credentials never appear in messages, reports, status or exports.
//
// Threads: a mirror runs two background threads (the watch, the heartbeat);
// an announcer one (keep-alive), started by its first announcement. Their
// destructors stop and join them (an announcer revokes its lease first).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/error.hpp"
#include "roster/etcd/client.hpp"
#include "roster/hot_reload.hpp"
#include "roster/policies.hpp"
#include "roster/prometheus.hpp"
#include "roster/registry.hpp"
#include "roster/report.hpp"
#include "roster/source_location.hpp"

#include <algorithm>          // std::min, std::max
#include <atomic>             // std::atomic
#include <chrono>             // clocks, durations
#include <condition_variable> // interruptible sleeps, wait_synced
#include <cstdint>            // std::int64_t
#include <functional>         // std::function
#include <map>                // refusals and announcements, by key
#include <mutex>              // std::mutex
#include <optional>           // std::optional
#include <string>             // std::string
#include <thread>             // std::thread
#include <type_traits>        // decoder results
#include <utility>            // std::move
#include <vector>             // std::vector

ROSTER_BEGIN_NAMESPACE
namespace etcd {

/// A value the mirror could not take: the decoder or the registry's
/// policies refused it. The key keeps its last good value (or stays absent).
struct refusal {
    std::string key;         ///< the registry key (the etcd key without the prefix)
    std::int64_t revision{}; ///< the etcd revision of the refused value
    std::string message;     ///< why, naming the registry, the key and the revision
};

/// What a mirror knows about its connection to etcd.
struct mirror_status {
    bool connected = false;       ///< a watch is established and the last heartbeat succeeded
    bool synced = false;          ///< the prefix was read at least once (the set is etcd's, not empty by default)
    std::int64_t revision = 0;    ///< the etcd revision the published set reflects
    std::int64_t cluster_revision = 0; ///< the newest store revision etcd reported (any key)
    /// When etcd last answered (a watch response or a heartbeat), if ever.
    std::optional<std::chrono::system_clock::time_point> last_contact;
    /// Time since etcd last answered (since construction if it never did).
    std::chrono::milliseconds staleness{0};
    std::string endpoint;          ///< the endpoint tried first, as scheme://host:port
    std::uint64_t reconnects = 0;  ///< watches re-established after a failure
    std::uint64_t resyncs = 0;     ///< full reads after the watched revision was compacted
    std::size_t refused = 0;       ///< keys whose latest value is refused now
    std::optional<error_info> last_error; ///< the last failure, until the next success
};

/// A mirror's report: the registry's own report, and the etcd side.
struct mirror_report {
    registry_report registry; ///< entries, lookups, ... as for every registry
    mirror_status etcd;       ///< revision, connection, staleness
};

namespace detail {

/// "12.345": a duration in seconds with millisecond precision.
inline std::string seconds_text(std::chrono::milliseconds ms) {
    const auto count = static_cast<std::uint64_t>(std::max<std::int64_t>(0, static_cast<std::int64_t>(ms.count())));
    std::string fraction = std::to_string(count % 1000);
    fraction.insert(0, 3 - fraction.size(), '0');
    return std::to_string(count / 1000) + "." + fraction;
}

/// How a background thread is told to stop: its sleeps end at once.
class stop_signal {
public:
    /// Whether request() was called.
    bool requested() const noexcept { return stopping_.load(); }
    /// Sets the flag and wakes every pause().
    void request() {
        {
            const std::lock_guard lock(mutex_);
            stopping_.store(true);
        }
        wake_.notify_all();
    }
    /// Sleeps up to `d`, waking early when stop is requested.
    void pause(std::chrono::milliseconds d) {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, d, [&] { return stopping_.load(); });
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<bool> stopping_{false};
};

/// A decoder's outcome: the value, or why not.
template <class Value>
struct decoded {
    std::optional<Value> value;
    std::string reason;
};

/// Calls a user decoder returning Value, std::optional<Value> or
/// roster::result<Value>; an exception it throws is a refusal.
template <class Value, class Decoder>
decoded<Value> run_decoder(Decoder& decode, const key_value& kv) {
#if ROSTER_HAS_EXCEPTIONS
    try {
#endif
        using returned = std::remove_cvref_t<std::invoke_result_t<Decoder&, const key_value&>>;
        if constexpr (std::is_same_v<returned, std::optional<Value>>) {
            auto out = decode(kv);
            if (!out) return {std::nullopt, "the decoder returned no value"};
            return {std::move(out), {}};
        } else if constexpr (std::is_same_v<returned, result<Value>>) {
            auto out = decode(kv);
            if (!out) return {std::nullopt, out.error().message};
            return {std::move(*out), {}};
        } else {
            return {Value(decode(kv)), {}};
        }
#if ROSTER_HAS_EXCEPTIONS
    } catch (const std::exception& e) {
        return {std::nullopt, std::string("the decoder threw: ") + e.what()};
    } catch (...) {
        return {std::nullopt, "the decoder threw a non-standard exception"};
    }
#endif
}

} // namespace detail

/// A prefix of etcd mirrored into a local hot-reload registry. The
/// registry's keys are the etcd keys without the prefix; its values are
/// what `decode(const key_value&)` makes of the etcd values (it returns
/// Value, std::optional<Value> or roster::result<Value>, or throws to
/// refuse). The read members are those of basic_hot_reload_registry.
/// Policies: those of basic_hot_reload_registry (on_null::, key validation,
/// counters::, listing::); on_duplicate:: does not apply (etcd keys are unique).
template <class Value, class... Policies>
class basic_mirror : private basic_hot_reload_registry<std::string, Value, Policies...> {
    using base = basic_hot_reload_registry<std::string, Value, Policies...>;

public:
    /// The registry the mirror publishes into.
    using registry_type = base;
    /// The immutable registry each snapshot holds.
    using snapshot_registry = typename base::snapshot_registry;
    /// One published version, held (see basic_hot_reload_registry::snapshot).
    using snapshot = typename base::snapshot;
    /// What listeners receive (roster/events.hpp).
    using event_type = typename base::event_type;
    /// The decoder, type-erased.
    using decoder_type = std::function<detail::decoded<Value>(const key_value&)>;
    /// Called (on the watch thread) for every refused value.
    using refusal_handler = std::function<void(const refusal&)>;

    using base::contains;
    using base::created_at;
    using base::current;
    using base::empty;
    using base::for_each;
    using base::get;
    using base::location;
    using base::lookups;
    using base::name;
    using base::names;
    using base::release_cached_snapshot;
    using base::size;
    using base::subscribe;
    using base::try_at;
    using base::version;
    using base::visit;

    /// Mirrors every key under `prefix` of the cluster `opts` describes into
    /// a registry called `registry_name`, decoding values with `decode`; refusals go
    /// to `on_refused` too when given. Starts at once, in the background:
    /// wait_synced() waits for the first full read.
    template <class Decoder>
    basic_mirror(std::string registry_name, options opts, std::string prefix, Decoder decode,
                 refusal_handler on_refused = {}, source_location where = source_location::current())
        : base(std::move(registry_name), where), prefix_(std::move(prefix)), where_(where),
          decode_([d = std::move(decode)](const key_value& kv) mutable { return detail::run_decoder<Value>(d, kv); }),
          on_refused_(std::move(on_refused)), watch_client_(opts, base::name()),
          heartbeat_client_(std::move(opts), base::name()), started_(std::chrono::steady_clock::now()) {
        watcher_ = std::thread([this] { watch_loop(); });
        heartbeat_ = std::thread([this] { heartbeat_loop(); });
    }

    basic_mirror(const basic_mirror&) = delete;
    basic_mirror& operator=(const basic_mirror&) = delete;

    /// Stops the watch and the heartbeat, and joins them. Readers holding a
    /// snapshot keep it.
    ~basic_mirror() { stop(); }

    /// Stops the background threads (the last published set keeps serving,
    /// no longer updated). Idempotent.
    void stop() {
        stop_.request();
        if (watcher_.joinable()) watcher_.join();
        if (heartbeat_.joinable()) heartbeat_.join();
    }

    /// The mirrored prefix.
    const std::string& prefix() const noexcept { return prefix_; }

    /// Waits up to `timeout` for the first full read of the prefix.
    /// @returns the revision it was read at; or the last error (unavailable,
    ///          access_denied), or errc::unavailable when none was seen.
    result<std::int64_t> try_wait_synced(std::chrono::milliseconds timeout,
                                         source_location where = source_location::current()) const {
        std::unique_lock lock(state_mutex_);
        if (changed_.wait_for(lock, timeout, [&] { return synced_; })) return revision_;
        if (last_error_) return *last_error_;
        return error_info{errc::unavailable,
                          (::roster::detail::text() << "roster: registry " << ::roster::detail::text::quoted_name{name()}
                                                    << ": etcd was not read within " << detail::seconds_text(timeout)
                                                    << " s at " << ::roster::detail::describe(where))
                              .str()};
    }

    /// try_wait_synced(), raising its error.
    std::int64_t wait_synced(std::chrono::milliseconds timeout, source_location where = source_location::current()) const {
        return try_wait_synced(timeout, where).value();
    }

    /// Waits up to `timeout` until the published set reflects etcd revision
    /// `revision` or later (e.g. the revision a put returned). By then the
    /// refusal handler has heard of every value refused up to that revision,
    /// and refusals() and status() include them.
    bool wait_for_revision(std::int64_t revision, std::chrono::milliseconds timeout) const {
        std::unique_lock lock(state_mutex_);
        return changed_.wait_for(lock, timeout, [&] { return synced_ && revision_ >= revision; });
    }

    /// The etcd side: connected, revision, staleness, counts, last error.
    mirror_status status() const {
        mirror_status out;
        const auto now_steady = std::chrono::steady_clock::now();
        const std::lock_guard lock(state_mutex_);
        out.connected = watching_ && heartbeat_ok_;
        out.synced = synced_;
        out.revision = revision_;
        out.cluster_revision = cluster_revision_;
        if (last_contact_) {
            out.last_contact = last_contact_wall_;
            out.staleness = std::chrono::duration_cast<std::chrono::milliseconds>(now_steady - *last_contact_);
        } else {
            out.staleness = std::chrono::duration_cast<std::chrono::milliseconds>(now_steady - started_);
        }
        out.endpoint = watch_client_.endpoint();
        out.reconnects = reconnects_;
        out.resyncs = resyncs_;
        out.refused = refusals_.size();
        out.last_error = last_error_;
        return out;
    }

    /// The keys whose latest value is refused now, by key.
    std::vector<refusal> refusals() const {
        const std::lock_guard lock(state_mutex_);
        std::vector<refusal> out;
        out.reserve(refusals_.size());
        for (const auto& [key, r] : refusals_) out.push_back(r);
        return out;
    }

    /// The registry's report and the etcd side.
    mirror_report report() const { return {base::report(), status()}; }

    /// Prometheus text exposition of the etcd side (append it to
    /// roster::to_prometheus()): gauges roster_etcd_connected,
    /// roster_etcd_staleness_seconds, roster_etcd_revision,
    /// roster_etcd_refused_keys and counters roster_etcd_reconnects_total,
    /// roster_etcd_resyncs_total, each labelled registry="name".
    std::string prometheus() const {
        namespace prom = ::roster::detail::prometheus;
        const mirror_status s = status();
        const std::string label = prom::name_label(name());
        std::string out;
        auto sample = [&](std::string_view family, std::string_view help, std::string_view type,
                          const std::string& number) {
            prom::append_family_header(out, family, help, type);
            out += family;
            out += "{registry=\"";
            prom::append_label_value(out, label);
            out += "\"} ";
            out += number;
            out += '\n';
        };
        sample("roster_etcd_connected", "1 when the mirror's watch is established and etcd answers.", "gauge",
               s.connected ? "1" : "0");
        sample("roster_etcd_staleness_seconds", "Seconds since etcd last answered the mirror.", "gauge",
               detail::seconds_text(s.staleness));
        sample("roster_etcd_revision", "The etcd revision the mirrored set reflects.", "gauge",
               std::to_string(s.revision));
        sample("roster_etcd_refused_keys", "Keys whose latest value the mirror refused.", "gauge",
               std::to_string(s.refused));
        sample("roster_etcd_reconnects_total", "Watches re-established after a failure.", "counter",
               std::to_string(s.reconnects));
        sample("roster_etcd_resyncs_total", "Full reads after the watched revision was compacted.", "counter",
               std::to_string(s.resyncs));
        return out;
    }

    /// The registry itself, read-only (for code that takes a hot-reload registry).
    const registry_type& registry() const noexcept { return *this; }

private:
    // ------------------------------------------------------------ watch

    void watch_loop() {
        auto backoff = watch_client_.settings().retry_min;
        bool need_full_read = true;
        while (!stop_.requested()) {
            if (need_full_read) {
                auto all = watch_client_.try_get_prefix(prefix_, 5000, where_);
                if (!all) {
                    failed(all.error());
                    watch_client_.rotate();
                    stop_.pause(backoff);
                    backoff = std::min(backoff * 2, watch_client_.settings().retry_max);
                    continue;
                }
                apply_full(*all);
                need_full_read = false;
            }
            std::int64_t from = 0;
            {
                const std::lock_guard lock(state_mutex_);
                from = revision_ + 1;
            }
            nlohmann::json request{
                {"create_request",
                 {{"key", detail::base64_encode(prefix_)},
                  {"range_end", detail::base64_encode(detail::prefix_end(prefix_))},
                  {"start_revision", std::to_string(from)}}}};
            bool compacted = false;
            std::optional<error_info> stream_error;
            abort_watch_.store(false);
            auto outcome = watch_client_.watch(
                request,
                [&](const nlohmann::json& message) {
                    return on_watch_message(message, compacted, stream_error, backoff);
                },
                [&] { return !stop_.requested() && !abort_watch_.exchange(false); }, where_);
            {
                const std::lock_guard lock(state_mutex_);
                watching_ = false;
            }
            if (stop_.requested()) break;
            if (compacted) {
                need_full_read = true;
                const std::lock_guard lock(state_mutex_);
                ++resyncs_;
                continue;
            }
            failed(stream_error ? *stream_error
                   : outcome   ? error_info{errc::unavailable, watch_ended_message()}
                               : outcome.error());
            {
                const std::lock_guard lock(state_mutex_);
                ++reconnects_;
            }
            watch_client_.rotate();
            stop_.pause(backoff);
            backoff = std::min(backoff * 2, watch_client_.settings().retry_max);
        }
    }

    bool on_watch_message(const nlohmann::json& message, bool& compacted, std::optional<error_info>& stream_error,
                          std::chrono::milliseconds& backoff) {
        if (const auto err = message.find("error"); err != message.end()) {
            stream_error = error_info{errc::unavailable, watch_failed_message(err->is_object() ? err->value("message", err->dump())
                                                                                                : err->dump())};
            return false;
        }
        const auto found = message.find("result");
        if (found == message.end()) return true;
        const nlohmann::json& r = *found;
        contact(detail::header_revision(r));
        if (r.value("canceled", false)) {
            if (detail::int64_of(r, "compact_revision") > 0) {
                compacted = true;
            } else {
                stream_error = error_info{errc::unavailable, watch_failed_message(r.value("cancel_reason", "the watch was cancelled"))};
            }
            return false;
        }
        if (r.value("created", false)) {
            backoff = watch_client_.settings().retry_min;
            const std::lock_guard lock(state_mutex_);
            watching_ = true;
            last_error_.reset();
        }
        if (const auto events = r.find("events"); events != r.end() && !events->empty()) apply_events(*events);
        return !stop_.requested();
    }

    /// Reads of the whole prefix replace the set in one step.
    void apply_full(const range_result& all) {
        std::vector<refusal> refused;
        std::map<std::string, refusal, std::less<>> current_refusals;
        base::rebuild(
            [&](snapshot_registry& reg) {
                for (const key_value& kv : all.kvs) {
                    if (auto r = take(reg, kv, nullptr)) {
                        current_refusals.emplace(r->key, *r);
                        refused.push_back(std::move(*r));
                    }
                }
            },
            where_);
        // The handler hears of the refusals before anyone waiting for this
        // revision is woken.
        report_refusals(refused);
        {
            const std::lock_guard lock(state_mutex_);
            refusals_ = std::move(current_refusals);
            revision_ = std::max(revision_, all.revision);
            cluster_revision_ = std::max(cluster_revision_, all.revision);
            synced_ = true;
            note_contact_locked();
        }
        changed_.notify_all();
    }

    /// One watch response's events, published as one version.
    void apply_events(const nlohmann::json& events) {
        std::vector<refusal> refused;
        std::vector<std::string> accepted;
        std::int64_t last = 0;
        base::update(
            [&](snapshot_registry& reg) {
                for (const auto& event : events) {
                    const auto kv_json = event.find("kv");
                    if (kv_json == event.end()) continue;
                    const key_value kv = detail::kv_of(*kv_json);
                    last = std::max(last, kv.mod_revision);
                    if (kv.key.size() < prefix_.size()) continue;
                    const std::string key = kv.key.substr(prefix_.size());
                    if (event.value("type", std::string("PUT")) == "DELETE") {
                        if (reg.contains(key)) static_cast<void>(reg.try_remove(key, where_));
                        accepted.push_back(key);
                    } else if (auto r = take(reg, kv, &key)) {
                        refused.push_back(std::move(*r));
                    } else {
                        accepted.push_back(key);
                    }
                }
            },
            where_);
        report_refusals(refused); // before waiters for this revision are woken
        {
            const std::lock_guard lock(state_mutex_);
            for (const auto& key : accepted) refusals_.erase(key);
            for (const auto& r : refused) refusals_.insert_or_assign(r.key, r);
            revision_ = std::max(revision_, last);
        }
        changed_.notify_all();
    }

    /// Puts `kv` into `reg` (replacing the key's value); a refusal keeps the
    /// old value. @returns the refusal, if any.
    std::optional<refusal> take(snapshot_registry& reg, const key_value& kv, const std::string* known_key) {
        const std::string key = known_key != nullptr ? *known_key : kv.key.substr(std::min(prefix_.size(), kv.key.size()));
        auto decoded = decode_(kv);
        if (!decoded.value) return refused(key, kv.mod_revision, decoded.reason);
        std::optional<Value> old;
        if (reg.contains(key)) {
            auto removed = reg.try_remove(key, where_);
            if (removed) old = std::move(*removed);
        }
        auto added = reg.try_add(key, std::move(*decoded.value), where_);
        if (added.status() == add_status::refused) {
            if (old) static_cast<void>(reg.try_add(key, std::move(*old), where_));
            return refused(key, kv.mod_revision, added.error().message);
        }
        return std::nullopt;
    }

    refusal refused(const std::string& key, std::int64_t revision, const std::string& reason) const {
        return {key, revision,
                (::roster::detail::text() << "roster: registry " << ::roster::detail::text::quoted_name{name()}
                                          << ": refused the value of key " << ::roster::detail::quoted(key)
                                          << " at etcd revision " << std::to_string(revision) << " (etcd key "
                                          << ::roster::detail::quoted(prefix_ + key) << "), mirrored at "
                                          << ::roster::detail::describe(where_) << ": " << reason
                                          << "; the key keeps its last good value, if any")
                    .str()};
    }

    void report_refusals(const std::vector<refusal>& list) const {
        if (!on_refused_) return;
        for (const auto& r : list) on_refused_(r);
    }

    std::string watch_failed_message(const std::string& reason) const {
        return (::roster::detail::text() << "roster: registry " << ::roster::detail::text::quoted_name{name()}
                                         << ": the etcd watch of prefix " << ::roster::detail::quoted(prefix_)
                                         << " (mirrored at " << ::roster::detail::describe(where_)
                                         << ") failed on " << watch_client_.endpoint() << ": " << reason)
            .str();
    }

    std::string watch_ended_message() const { return watch_failed_message("the stream ended"); }

    // ------------------------------------------------------------ heartbeat

    void heartbeat_loop() {
        const std::string end = detail::prefix_end(prefix_);
        while (!stop_.requested()) {
            stop_.pause(heartbeat_client_.settings().heartbeat);
            if (stop_.requested()) break;
            auto r = heartbeat_client_.try_range(prefix_, end, 0, 1, where_);
            if (r) {
                contact(r->revision);
                const std::lock_guard lock(state_mutex_);
                heartbeat_ok_ = true;
            } else {
                {
                    const std::lock_guard lock(state_mutex_);
                    heartbeat_ok_ = false;
                    last_error_ = r.error();
                }
                abort_watch_.store(true); // reconnect: the watch's member may be cut off
            }
        }
    }

    void contact(std::int64_t cluster_revision) {
        const std::lock_guard lock(state_mutex_);
        cluster_revision_ = std::max(cluster_revision_, cluster_revision);
        note_contact_locked();
    }

    void note_contact_locked() {
        last_contact_ = std::chrono::steady_clock::now();
        last_contact_wall_ = std::chrono::system_clock::now();
    }

    void failed(const error_info& error) {
        const std::lock_guard lock(state_mutex_);
        last_error_ = error;
    }

    std::string prefix_;
    source_location where_;
    decoder_type decode_;
    refusal_handler on_refused_;
    client watch_client_;
    client heartbeat_client_;
    std::chrono::steady_clock::time_point started_;

    mutable std::mutex state_mutex_; // guards the members below
    mutable std::condition_variable changed_;
    bool synced_ = false;
    bool watching_ = false;
    bool heartbeat_ok_ = true;
    std::int64_t revision_ = 0;
    std::int64_t cluster_revision_ = 0;
    std::optional<std::chrono::steady_clock::time_point> last_contact_;
    std::chrono::system_clock::time_point last_contact_wall_{};
    std::uint64_t reconnects_ = 0;
    std::uint64_t resyncs_ = 0;
    std::optional<error_info> last_error_;
    std::map<std::string, refusal, std::less<>> refusals_;

    detail::stop_signal stop_;
    std::atomic<bool> abort_watch_{false};
    std::thread watcher_;   // last: started when everything above exists
    std::thread heartbeat_;
};

/// A mirror with the default policies.
template <class Value, class... Policies>
using mirror = basic_mirror<Value, Policies...>;

/// What an announcer knows about its lease and connection.
struct announcer_status {
    std::int64_t lease = 0;          ///< the current lease's ID (0: none granted yet)
    std::int64_t ttl = 0;            ///< its TTL in seconds, as granted
    bool connected = false;          ///< the last keep-alive (or grant) succeeded
    std::uint64_t keep_alives = 0;   ///< successful keep-alives
    std::uint64_t lease_renewals = 0; ///< leases granted again after one expired
    std::size_t announced = 0;       ///< entries held now
    std::optional<error_info> last_error; ///< the last failure, until the next success
};

/// Entries written to etcd under one lease of this process, kept alive
/// every TTL/3, and revoked (every entry deleted at once) on destruction or
/// shutdown(). If the process dies, etcd deletes them when the TTL runs out.
/// If the lease is lost (the process was paused or cut off longer than the
/// TTL), a new one is granted and every entry announced again.
/// Policies: one on_duplicate:: policy, applied when another process
/// already holds the key (throw_error and return_error refuse; keep_first
/// leaves it; replace takes it over; accept_if_equal accepts an equal value).
template <class... Policies>
class basic_announcer {
public:
    /// The on_duplicate:: policy in effect (on_duplicate::throw_error unless given).
    using duplicate_policy = ::roster::detail::select_policy_t<policy_category::on_duplicate, on_duplicate::throw_error,
                                                               Policies...>;

    /// An announcer called `announcer_name` writing under `prefix` of the cluster
    /// `opts` describes, with leases of `ttl` (etcd's minimum is a few
    /// seconds). Nothing is written until the first announce().
    basic_announcer(std::string announcer_name, options opts, std::string prefix, std::chrono::seconds ttl,
                    source_location where = source_location::current())
        : client_(std::move(opts), announcer_name), name_(std::move(announcer_name)), prefix_(std::move(prefix)), ttl_(ttl),
          created_at_(where) {}

    basic_announcer(const basic_announcer&) = delete;
    basic_announcer& operator=(const basic_announcer&) = delete;

    /// shutdown(): revokes the lease, so every entry disappears at once.
    ~basic_announcer() { static_cast<void>(try_shutdown()); }

    /// The name messages use.
    const std::string& name() const noexcept { return name_; }

    /// Writes prefix+`key` = `value` under this announcer's lease, if no
    /// other process holds the key (one etcd transaction). If one does, the
    /// duplicate policy decides. Announcing a key this announcer already
    /// holds replaces its value.
    /// @returns added, replaced or kept_existing; or the error (duplicate_key
    ///          naming the key and the holder's lease, unavailable,
    ///          access_denied, invalid_key for an empty key).
    result<add_status> try_announce(std::string key, std::string value, source_location where = source_location::current()) {
        const std::lock_guard lock(mutex_);
        if (key.empty())
            return ::roster::detail::invalid_key_message(name_, ::roster::detail::quoted(key), "an empty key", where);
        if (stopped_) return stopped_error("announce", key, where);
        if (auto leased = ensure_lease_locked(where); !leased) return leased.error();
        auto outcome = announce_locked(key, value, where);
        if (outcome) entries_.insert_or_assign(std::move(key), entry{std::move(value), where});
        return outcome;
    }

    /// try_announce(), raising its error.
    add_status announce(std::string key, std::string value, source_location where = source_location::current()) {
        return try_announce(std::move(key), std::move(value), where).value();
    }

    /// Deletes prefix+`key` if this announcer holds it (compared by lease in
    /// one transaction, so a key another process took over is left alone).
    /// @returns not_found when this announcer did not announce `key`.
    result<void> try_withdraw(std::string_view key, source_location where = source_location::current()) {
        const std::lock_guard lock(mutex_);
        const auto it = entries_.find(key);
        if (it == entries_.end())
            return ::roster::detail::not_found_message(name_, ::roster::detail::quoted(key), where,
                                                       " (this announcer did not announce it)");
        const std::string full = prefix_ + std::string(key);
        const std::string k = detail::base64_encode(full);
        const nlohmann::json body{
            {"compare", nlohmann::json::array({{{"key", k}, {"target", "LEASE"}, {"result", "EQUAL"},
                                                {"lease", std::to_string(lease_.id)}}})},
            {"success", nlohmann::json::array({{{"request_delete_range", {{"key", k}}}}})}};
        auto reply = client_.try_call("/v3/kv/txn", body, "withdraw", full, where);
        if (!reply) return reply.error();
        entries_.erase(it);
        return {};
    }

    /// try_withdraw(), raising its error.
    void withdraw(std::string_view key, source_location where = source_location::current()) {
        try_withdraw(key, where).value();
    }

    /// Stops keeping the lease alive and revokes it: every entry disappears
    /// from etcd at once. Later announcements are refused. Idempotent.
    result<void> try_shutdown(source_location where = source_location::current()) {
        stop_.request();
        if (keeper_.joinable()) keeper_.join();
        const std::lock_guard lock(mutex_);
        if (stopped_) return {};
        stopped_ = true;
        entries_.clear();
        if (lease_.id == 0) return {};
        auto revoked = client_.try_revoke(lease_.id, where);
        lease_ = {};
        if (!revoked) return revoked.error();
        return {};
    }

    /// The lease, the connection and the counts.
    announcer_status status() const {
        const std::lock_guard lock(mutex_);
        return {lease_.id, lease_.ttl, connected_, keep_alives_, renewals_, entries_.size(), last_error_};
    }

private:
    struct entry {
        std::string value;
        source_location where;
    };

    result<void> ensure_lease_locked(const source_location& where) {
        if (lease_.id != 0) return {};
        auto granted = client_.try_grant(ttl_, where);
        if (!granted) {
            last_error_ = granted.error();
            connected_ = false;
            return granted.error();
        }
        lease_ = *granted;
        connected_ = true;
        if (!keeper_.joinable()) keeper_ = std::thread([this] { keep_alive_loop(); });
        return {};
    }

    result<add_status> announce_locked(const std::string& key, const std::string& value, const source_location& where) {
        const std::string full = prefix_ + key;
        auto outcome = client_.try_create(full, value, lease_.id, where);
        if (!outcome) return outcome.error();
        if (outcome->created) return add_status::added;
        const key_value existing = outcome->existing.value_or(key_value{});
        if (existing.lease == lease_.id && lease_.id != 0) {
            // Ours already (announced before, or a retried request that had
            // succeeded): replace the value in place.
            if (existing.value == value) return add_status::replaced;
            auto put = client_.try_put(full, value, lease_.id, where);
            if (!put) return put.error();
            return add_status::replaced;
        }
        switch (duplicate_policy::decide(existing.value, value)) {
        case duplicate_decision::keep: return add_status::kept_existing;
        case duplicate_decision::replace: {
            auto put = client_.try_put(full, value, lease_.id, where);
            if (!put) return put.error();
            return add_status::replaced;
        }
        case duplicate_decision::refuse: break;
        }
        return error_info{
            errc::duplicate_key,
            (::roster::detail::text() << "roster: registry " << ::roster::detail::text::quoted_name{name_}
                                      << ": duplicate key " << ::roster::detail::quoted(key) << ": announced at "
                                      << ::roster::detail::describe(where) << ", but etcd key "
                                      << ::roster::detail::quoted(full) << " is already held by "
                                      << (existing.lease != 0 ? "lease " + std::to_string(existing.lease)
                                                              : std::string("a key without a lease"))
                                      << " (created at etcd revision " << std::to_string(existing.create_revision)
                                      << ")")
                .str()};
    }

    error_info stopped_error(std::string_view action, const std::string& key, const source_location& where) const {
        return {errc::unavailable, (::roster::detail::text() << "roster: registry " << ::roster::detail::text::quoted_name{name_}
                                                             << ": cannot " << action << " key "
                                                             << ::roster::detail::quoted(key) << " at "
                                                             << ::roster::detail::describe(where)
                                                             << ": the announcer was shut down")
                                       .str()};
    }

    void keep_alive_loop() {
        const auto period = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) / 3,
                                     std::chrono::milliseconds{200});
        auto wait = period;
        while (!stop_.requested()) {
            stop_.pause(wait);
            if (stop_.requested()) break;
            const std::lock_guard lock(mutex_);
            if (lease_.id == 0) continue;
            auto alive = client_.try_keep_alive(lease_.id, created_at_);
            if (!alive) {
                last_error_ = alive.error();
                connected_ = false;
                wait = client_.settings().retry_min; // try again soon: the TTL is running
                continue;
            }
            wait = period;
            connected_ = true;
            if (*alive > 0) {
                ++keep_alives_;
                last_error_.reset();
                continue;
            }
            // The lease expired: grant a new one and announce everything again.
            lease_ = {};
            if (auto leased = ensure_lease_locked(created_at_); !leased) continue;
            ++renewals_;
            for (auto it = entries_.begin(); it != entries_.end();) {
                auto again = announce_locked(it->first, it->second.value, it->second.where);
                if (!again) {
                    last_error_ = again.error();
                    if (again.error().code == errc::duplicate_key) { it = entries_.erase(it); continue; }
                }
                ++it;
            }
        }
    }

    client client_;
    std::string name_;
    std::string prefix_;
    std::chrono::seconds ttl_;
    source_location created_at_;

    mutable std::mutex mutex_; // guards the members below and serialises calls
    lease lease_{};
    bool connected_ = false;
    bool stopped_ = false;
    std::uint64_t keep_alives_ = 0;
    std::uint64_t renewals_ = 0;
    std::optional<error_info> last_error_;
    std::map<std::string, entry, std::less<>> entries_;

    detail::stop_signal stop_;
    std::thread keeper_;
};

/// An announcer with the default policies (on_duplicate::throw_error).
using announcer = basic_announcer<>;

} // namespace etcd
ROSTER_END_NAMESPACE
