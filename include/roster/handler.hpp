// roster/handler.hpp — the handler registry: HTTP route patterns mapped to
// handlers, dispatched per request with order-free precedence (the most
// specific pattern wins, whatever the order of registration), and
// conflicting patterns refused at registration.
//
//   #include <roster/handler.hpp>
//
//   roster::handler_registry<void (*)(const request&, response&)> routes("routes");
//   routes.add("GET /users/{id}", show_user);
//   routes.add("/static/", serve_file);
//   routes.freeze();                               // lock-free dispatch from here on
//   auto m = routes.match("GET", "example.com", "/users/42");
//   if (m) m.handler()(req, res);                  // m.value("id") == "42"
//
// Gives:
//   roster::handler_registry<Handler, Policies...>  the registry;
//   roster::route_match<Handler>   what match() returns: the handler, the
//                                  matched pattern, captured values; or 404,
//                                  405 with the allowed methods, or a redirect;
//   roster::route_status, roster::route_redirect;
//   roster::handler_route<Handler> the value stored per pattern (what change
//                                  events carry);
//   roster::route_explanation, roster::route_candidate   explain()'s answer;
//   everything in roster/handler/pattern.hpp (the grammar and the relations).
//
// Built on the core: handler_registry privately derives from
// basic_registry<std::string, handler_route<Handler>, Policies...>, keyed by
// the pattern as written, the blanks after its method written as one space
// (route_pattern::key()). Every policy applies (on_duplicate:: decides about
// the same pattern written twice; on_null:: about null handlers; locking::,
// counters::, listing::), and add() returns the core's add_result with its
// handle. A pattern that conflicts with a registered one is refused
// (conflict_error) under the same write lock that inserts it.
//
// Guarantees:
//  - Thread safety: add/try_add/freeze and handles take the core's write
//    lock; match/explain and the other reads its read lock — none once
//    frozen. freeze() builds a routing tree once; from then on match() takes
//    no lock and touches no shared counter but the counters:: policy's.
//  - match() never allocates on a hit, nor on a 404 (its captured values are
//    views into the path you pass: keep it alive while you use them). A 405
//    allocates the list of allowed methods; a redirect its location.
//  - A refused add() or try_add() leaves the registry as it was.
//  - Before freeze(), match() scans the patterns under the read lock (O(n));
//    after, it walks the tree (O(path segments), with Go's backtracking).
//    Both give the same answer (a test checks this on every table).
//
// Differences from Go's ServeMux (docs/handlers.md says why): captured values
// are returned as they appear in the path (escaped: "%2F" stays "%2F"; use
// path_unescape()); at most max_route_wildcards wildcards per pattern; what
// to do with a redirect or a 405 is the caller's (the result says which).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/bytes.hpp"    // hash_bytes, same_bytes, short_word: the literal tables
#include "roster/detail/messages.hpp" // describe_key, conflict_message, invalid_key_message, text
#include "roster/error.hpp"
#include "roster/handler/pattern.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include <algorithm>   // std::lower_bound, std::sort, std::unique
#include <atomic>      // std::atomic: the published routing tree
#include <concepts>    // std::equality_comparable
#include <cstddef>     // std::size_t
#include <cstdint>     // std::uint64_t
#include <cstring>     // std::memcmp
#include <memory>      // std::shared_ptr, std::unique_ptr
#include <optional>    // std::optional
#include <string>      // std::string
#include <string_view> // std::string_view
#include <utility>     // std::move, std::pair
#include <vector>      // std::vector

ROSTER_BEGIN_NAMESPACE

template <class Handler, class... Policies>
class handler_registry;

/// The value a handler registry stores under a pattern: the parsed pattern
/// and its handler, shared (a copy is a reference count, never a copy of
/// the handler). Change events carry it.
template <class Handler>
class handler_route {
public:
    /// An empty route (null: refused by on_null::reject).
    handler_route() = default;
    /// The route of `handler` under `pattern`.
    handler_route(route_pattern parsed, Handler callable)
        : data_(std::make_shared<const data>(data{std::move(parsed), std::move(callable)})) {}

    /// Whether this route holds nothing (default-constructed).
    bool empty() const noexcept { return !data_; }
    /// The parsed pattern. Precondition: !empty().
    const route_pattern& pattern() const noexcept { return data_->pattern; }
    /// The handler. Precondition: !empty().
    const Handler& handler() const noexcept { return data_->handler; }

    /// Same pattern text and equal handlers (on_duplicate::accept_if_equal).
    friend bool operator==(const handler_route& a, const handler_route& b)
        requires std::equality_comparable<Handler>
    {
        if (a.empty() || b.empty()) return a.empty() == b.empty();
        return a.pattern().text() == b.pattern().text() && a.handler() == b.handler();
    }

private:
    struct data {
        route_pattern pattern;
        Handler handler;
    };
    std::shared_ptr<const data> data_;

    template <class, class...>
    friend class handler_registry;
    template <class>
    friend class route_match;
};

/// A route is null when it is empty or its handler is null.
template <class Handler>
struct null_traits<handler_route<Handler>> {
    /// Whether `route` is empty or holds a null handler.
    static bool is_null(const handler_route<Handler>& route) noexcept {
        return route.empty() || null_traits<Handler>::is_null(route.handler());
    }
};

/// What match() found.
enum class route_status {
    matched,            ///< a pattern matched: call handler()
    not_found,          ///< no pattern matches the path (HTTP 404)
    method_not_allowed, ///< patterns match the path, none the method: allowed_methods() (HTTP 405)
    redirect            ///< the request should go to location() (Go answers 301)
};

/// Why match() answered route_status::redirect.
enum class route_redirect {
    none,           ///< not a redirect
    trailing_slash, ///< "/tree" has no pattern but "/tree/" has one: location() is "/tree/"
    clean_path      ///< the path was not clean ("/a/../b", "//b"): location() is the cleaned path
};

/// The name of a status: "matched", "not found", "method not allowed", "redirect".
constexpr const char* to_string(route_status status) noexcept {
    switch (status) {
    case route_status::matched: return "matched";
    case route_status::not_found: return "not found";
    case route_status::method_not_allowed: return "method not allowed";
    case route_status::redirect: return "redirect";
    }
    return "unknown";
}

/// What handler_registry::match() returns. A hit holds the handler (shared
/// with the registry: valid as long as this object, even if the pattern is
/// removed meanwhile), the pattern, and the captured values as views into
/// the request path given to match().
template <class Handler>
class route_match {
public:
    /// What was found.
    route_status status() const noexcept { return status_; }
    /// Whether a pattern matched.
    explicit operator bool() const noexcept { return status_ == route_status::matched; }

    /// The handler. Precondition: status() == matched.
    const Handler& handler() const noexcept { return route_->handler; }
    /// The matched pattern's key (as registered, the blanks after its
    /// method written as one space) when matched, or the pattern the
    /// redirect leads to (redirect, when known); "" otherwise. Bounded
    /// cardinality: fit for a metrics label.
    std::string_view pattern() const noexcept {
        return route_ ? std::string_view(route_->pattern.key()) : std::string_view{};
    }
    /// Where the matched pattern was added. Precondition: status() == matched.
    const source_location& registered_at() const noexcept { return where_; }

    /// How many values the pattern captured (its named wildcards).
    std::size_t size() const noexcept { return captures_.count; }
    /// The `i`th captured value, as it appears in the path (escaped).
    std::string_view operator[](std::size_t i) const noexcept {
        return i < captures_.count ? captures_[i] : std::string_view{};
    }
    /// The name of the `i`th captured value.
    std::string_view name(std::size_t i) const noexcept {
        return route_ && i < captures_.count && i < route_->pattern.wildcard_names().size()
                   ? std::string_view(route_->pattern.wildcard_names()[i])
                   : std::string_view{};
    }
    /// The value captured by the wildcard `wildcard` ("" if the pattern has
    /// no such wildcard: Go's Request.PathValue). Escaped as in the path.
    std::string_view value(std::string_view wildcard) const noexcept {
        for (std::size_t i = 0; i < captures_.count; ++i)
            if (name(i) == wildcard) return captures_[i];
        return {};
    }

    /// For method_not_allowed: the methods that would match, sorted (GET
    /// brings HEAD). Empty otherwise.
    const std::vector<std::string>& allowed_methods() const noexcept { return allowed_; }
    /// allowed_methods() joined with ", ": the Allow header of a 405.
    std::string allow_header() const {
        std::string out;
        for (const std::string& method : allowed_) {
            if (!out.empty()) out += ", ";
            out += method;
        }
        return out;
    }

    /// For redirect: why.
    route_redirect redirect() const noexcept { return redirect_; }
    /// For redirect: the path to send the client to (append the request's
    /// query, if any). Empty otherwise.
    const std::string& location() const noexcept { return location_; }

private:
    using data = typename handler_route<Handler>::data;

    route_status status_ = route_status::not_found;
    std::shared_ptr<const data> route_;
    source_location where_{};
    detail::route::captures captures_; // only the first count are set
    std::vector<std::string> allowed_;
    route_redirect redirect_ = route_redirect::none;
    std::string location_;

    template <class, class...>
    friend class handler_registry;
};

/// One registered pattern, as explain() judged it for a request.
struct route_candidate {
    std::string pattern;   ///< the pattern as registered
    source_location where; ///< where it was added
    bool matches = false;  ///< it matches the request's host, method and path
    bool chosen = false;   ///< it is the one dispatch picks
    std::string why;       ///< one sentence: why it was chosen, lost, or does not match
};

/// What explain() returns: the request as dispatch sees it, the outcome,
/// and every registered pattern with a verdict.
struct route_explanation {
    std::string method;                    ///< the request's method
    std::string host;                      ///< the host, without its port (CONNECT: as given)
    std::string path;                      ///< the path, cleaned (CONNECT: as given)
    route_status status = route_status::not_found; ///< what match() answers
    std::string outcome;                   ///< one sentence: what match() answers and why
    std::vector<route_candidate> candidates; ///< matching patterns first (the chosen one first), then the rest, by pattern

    /// A readable, multi-line rendering.
    template <class = void>
    std::string text() const {
        detail::text out;
        out << method << " " << host << path << ": " << outcome;
        for (const route_candidate& c : candidates)
            out << "\n  " << (c.chosen ? "* " : c.matches ? "+ " : "- ") << c.pattern << " (added at "
                << detail::describe(c.where) << "): " << c.why;
        return out.str();
    }
};

/// The handler registry. `Handler`: any movable type — a function pointer,
/// std::function, std::shared_ptr<handler_base>, your own functor.
/// `Policies`: the core's (see roster/policies.hpp), in any order.
template <class Handler, class... Policies>
class handler_registry : private basic_registry<std::string, handler_route<Handler>, Policies...> {
    using core = basic_registry<std::string, handler_route<Handler>, Policies...>;
    using typename core::entry;
    using typename core::map_type;
    using route_data = typename handler_route<Handler>::data;

public:
    /// The handler type.
    using handler_type = Handler;
    /// The key type: a pattern's text.
    using key_type = std::string;
    /// What is stored under each pattern: the parsed pattern and its handler.
    using value_type = handler_route<Handler>;
    /// What match() returns.
    using match_type = route_match<Handler>;
    using typename core::add_result;
    using typename core::counters_policy;
    using typename core::duplicate_policy;
    using typename core::event_type;
    using typename core::listing_policy;
    using typename core::locking_policy;
    using typename core::null_policy;
    using typename core::registration;
    using typename core::storage_policy;

    /// An empty registry called `name` (used in every message), created at `where`.
    /// @throws duplicate_key_error under listing::listed if the name is taken.
    explicit handler_registry(std::string registry_name = "handler_registry",
                              source_location where = source_location::current())
        : core(std::move(registry_name), where) {}

    handler_registry(const handler_registry&) = delete;
    handler_registry& operator=(const handler_registry&) = delete;
    ~handler_registry() { delete index_.load(std::memory_order_acquire); }

    // ----------------------------------------------------------------- add

    /// Registers `handler` for `pattern` (see route_pattern for the grammar).
    /// @returns the core's add_result: its handle() removes this pattern.
    /// @throws invalid_key_error for a malformed pattern (the message gives
    ///         the offset); conflict_error if it conflicts with a registered
    ///         pattern (both patterns, both sites, example paths);
    ///         null_value_error for a null handler (on_null::reject);
    ///         duplicate_key_error for the same pattern text twice (per the
    ///         on_duplicate:: policy); frozen_error after freeze().
    /// Strong guarantee. O(n) in the registered patterns (the conflict check).
    add_result add(std::string_view pattern, Handler handler, source_location where = source_location::current()) {
        add_result outcome = try_add(pattern, std::move(handler), where);
        if (outcome.status() == add_status::refused &&
            (outcome.error().code != errc::duplicate_key || duplicate_policy::raises_refusal)) {
            raise(outcome.error());
        }
        return outcome;
    }

    /// add() that never raises a roster error: every refusal is in the result.
    [[nodiscard]] add_result try_add(std::string_view pattern, Handler handler,
                                     source_location where = source_location::current()) {
        route_parse_result parsed = route_pattern::parse(pattern);
        if (!parsed) {
            return core::refused(
                detail::invalid_key_message(this->name(), detail::describe_key(pattern), parsed.message(), where));
        }
        std::string key = parsed.pattern->key(); // blanks after the method written as one space
        value_type route(std::move(*parsed.pattern), std::move(handler));
        const route_pattern& incoming = route.pattern();
        return this->try_add_admitted(
            std::move(key), route, where, [&](const map_type& map) -> detail::maybe<error_info> {
                for (const auto& [other, item] : map) {
                    if (other == incoming.key()) continue; // the same pattern: the duplicate policy decides
                    if (routes_conflict(incoming, item.value.pattern())) {
                        return detail::conflict_message(this->name(), detail::describe_key(incoming.key()), where,
                                                        detail::describe_key(other), item.where,
                                                        describe_route_conflict(incoming, item.value.pattern()));
                    }
                }
                return {};
            });
    }

    // ------------------------------------------------------------ dispatch

    /// Which handler serves (`method`, `host`, `path`), with Go 1.22's rules:
    /// the host loses its port; the path is cleaned (if it was not clean,
    /// the answer is a redirect to the clean path); the most specific
    /// matching pattern wins, a pattern with a host before one without;
    /// GET patterns serve HEAD; "/tree" redirects to "/tree/" when only the
    /// latter has a pattern; no pattern for the method but some for the
    /// path is a 405 with the allowed methods. CONNECT requests are matched
    /// as given (no cleaning, the port kept). An empty method means GET.
    /// Counts a hit for the matched pattern, a miss (keyed by path) for a
    /// 404 or 405; a redirect counts nothing.
    /// Lock-free once frozen. Never allocates on a hit or a 404.
    match_type match(std::string_view method, std::string_view host, std::string_view path) const {
        if (method.empty()) method = "GET";
        if (const index* tree = index_.load(std::memory_order_acquire)) {
            const tree_finder finder{*tree};
            // The common case of a literal route: one probe, nothing else.
            if (const entry* direct = finder.find_direct(method, path)) return matched(*direct, true, true);
            return dispatch(finder, method, host, path, true, true);
        }
        return this->read([&](const map_type& map) {
            return dispatch(scan_finder{map}, method, host, path, this->frozen(), true);
        });
    }

    /// Every registered pattern judged against the request: whether it
    /// matches, which one dispatch chooses and why the others lose, and what
    /// match() answers. A diagnostic: allocates; counts nothing.
    route_explanation explain(std::string_view method, std::string_view host, std::string_view path) const {
        if (method.empty()) method = "GET";
        return this->read([&](const map_type& map) { return explain_in(map, method, host, path); });
    }

    // -------------------------------------------------------------- freeze

    /// Freezes the registry (every later add is refused with frozen_error,
    /// naming `where`) and builds the routing tree that match() uses from
    /// then on without a lock. Idempotent; thread safe.
    void freeze(source_location where = source_location::current()) {
        core::freeze(where);
        if (index_.load(std::memory_order_acquire) != nullptr) return;
        auto built = std::make_unique<index>();
        this->read([&](const map_type& map) { // frozen: no lock, nothing changes any more
            for (const auto& [key, item] : map) built->insert(item);
        });
        const index* expected = nullptr;
        if (index_.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel)) built.release();
    }

    // ---------------------------------------------------- the core's members

    using core::contains;   // whether this exact pattern text is registered
    using core::created_at; // where the registry was constructed
    using core::empty;
    using core::frozen;
    using core::frozen_at;
    using core::name;
    using core::names;  // the patterns, sorted
    using core::report; // one entry per pattern, with per-pattern hits under counters::per_key
    using core::size;   // the number of patterns
    using core::state;
    using core::subscribe; // change events: a pattern added, replaced or removed (roster/events.hpp)
    using core::lookups; // hits and misses (only with a counters:: policy)

private:
    // ----------------------------------------------------- the routing tree

    /// A node of the routing tree (Go's routingNode): the first level
    /// branches on the host, the second on the method, the rest on path
    /// segments. Key "" (the `wild` child) is: every host, every method, or
    /// a single-segment wildcard.
    /// Orders literal children by length, then bytes: most comparisons stop
    /// at the length.
    static bool shorter_or_less(std::string_view a, std::string_view b) noexcept {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    }

    /// An open-addressing table of all-literal patterns, by (method, path)
    /// and a hash the caller computes (scan_path() takes the path's on its
    /// way). A method-level node keeps one by path alone (method ""), and the
    /// index one by both.
    struct literal_table {
        /// @cond INTERNAL
        /// One slot of the table: a pattern's (method, path) and its entry.
        struct slot {
            std::uint64_t hash = 0;      ///< the hash the caller computed (of the path, or of both)
            const entry* item = nullptr; ///< the pattern's entry; null: an empty slot
            std::uint64_t word = 0;        ///< method_word() of the method
            std::size_t method_size = 0;   ///< the method's length: key = method + path
            std::string key;               ///< the method ("" in a table by path alone), then the literal path
        };
        /// @endcond
        std::vector<slot> slots; // a power of two, at most half full
        std::size_t count = 0;

        void insert(std::uint64_t hash, std::string method, std::string path, const entry* item) {
            if ((count + 1) * 2 > slots.size()) {
                std::vector<slot> old = std::move(slots);
                slots = std::vector<slot>(old.empty() ? 8 : old.size() * 2);
                count = 0;
                for (slot& s : old)
                    if (s.item != nullptr) place(std::move(s));
            }
            const std::uint64_t word = method_word(method);
            const std::size_t method_size = method.size();
            method += path;
            place(slot{hash, item, word, method_size, std::move(method)});
        }

        /// The entry for (method, path), or null. `word`: method_word(method).
        const entry* find(std::uint64_t hash, std::string_view method, std::uint64_t word,
                          std::string_view path) const noexcept {
            if (slots.empty()) return nullptr;
            const std::size_t mask = slots.size() - 1;
            for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
                const slot& s = slots[i];
                if (s.item == nullptr) return nullptr;
                if (s.hash == hash && s.word == word && s.method_size == method.size() &&
                    s.key.size() == method.size() + path.size() &&
                    (method.size() <= 8 || detail::same_bytes(s.key.data(), method.data(), method.size())) &&
                    detail::same_bytes(s.key.data() + method.size(), path.data(), path.size()))
                    return s.item;
            }
        }

    private:
        void place(slot s) {
            const std::size_t mask = slots.size() - 1;
            for (std::size_t i = static_cast<std::size_t>(s.hash) & mask;; i = (i + 1) & mask) {
                if (slots[i].item == nullptr) {
                    slots[i] = std::move(s);
                    ++count;
                    return;
                }
                if (slots[i].method_size == s.method_size && slots[i].key == s.key) return; // the first stays
            }
        }
    };

    /// A method's bytes as one word when it has at most eight (every
    /// standard method), else 0 (then its bytes are compared).
    static std::uint64_t method_word(std::string_view method) noexcept {
        return method.size() <= 8 ? detail::short_word(method.data(), method.size()) : 0;
    }

    /// The hash of a (method, path) for index::direct.
    static std::uint64_t request_hash(std::uint64_t word, std::size_t method_size, std::string_view path) noexcept {
        return detail::hash_bytes(path.data(), path.size(), detail::mix_word(std::uint64_t{method_size} << 56, word));
    }

    struct node {
        std::vector<std::pair<std::string, std::unique_ptr<node>>> literals; // sorted by shorter_or_less
        std::unique_ptr<node> wild;
        std::unique_ptr<node> multi; // a leaf: the pattern ending in a multi wildcard here
        const entry* leaf = nullptr;
        std::unique_ptr<literal_table> exact; // method-level nodes only
        std::uint64_t exact_lengths = 0;  // bit min(length, 63) set for each path in `exact`: a cheap filter

        node& wild_child() {
            if (!wild) wild = std::make_unique<node>();
            return *wild;
        }

        /// The child for a host or a method: "" (every host, every method) is `wild`.
        node& child(const std::string& key) { return key.empty() ? wild_child() : literal_child(key); }

        /// The child for a literal (possibly empty) path segment.
        node& literal_child(const std::string& key) {
            auto it = std::lower_bound(literals.begin(), literals.end(), key,
                                       [](const auto& item, const std::string& k) { return shorter_or_less(item.first, k); });
            if (it == literals.end() || it->first != key) it = literals.emplace(it, key, std::make_unique<node>());
            return *it->second;
        }

        /// The child under `key` exactly ("" is `wild`), or null: hosts and methods.
        const node* find(std::string_view key) const noexcept {
            return key.empty() ? wild.get() : find_literal(key);
        }

        /// The literal child `key`, or null.
        const node* find_literal(std::string_view key) const noexcept {
            if (literals.size() <= 8) { // a few children: compare lengths first, no branchy search
                for (const auto& [literal, next] : literals)
                    if (literal.size() == key.size() && detail::same_bytes(literal.data(), key.data(), key.size()))
                        return next.get();
                return nullptr;
            }
            const auto it = std::lower_bound(literals.begin(), literals.end(), key,
                                             [](const auto& item, std::string_view k) { return shorter_or_less(item.first, k); });
            return it != literals.end() && it->first == key ? it->second.get() : nullptr;
        }

        /// The literal child a path segment (escaped) selects, or null.
        const node* find_segment(std::string_view segment, bool plain) const noexcept {
            if (literals.empty()) return nullptr;
            if (plain) return find_literal(segment);
            for (const auto& [literal, next] : literals)
                if (detail::route::segment_equals(segment, literal)) return next.get();
            return nullptr;
        }
    };

    struct index {
        node root;
        /// Host-less patterns with a method and an all-literal path, by
        /// (method, path): when no pattern names a host, a request they match
        /// exactly can have no better answer (the exact method, the most
        /// specific path), so one probe answers it.
        literal_table direct;
        /// Bit min(k, 63) set when some pattern of k segments ends in a multi
        /// wildcard or {$}: only those can match a path with a slash added
        /// exactly, so the trailing-slash probe is skipped for other depths.
        std::uint64_t slash_depths = 0;

        const entry* find_direct(std::string_view method, std::string_view path) const noexcept {
            const std::uint64_t word = method_word(method);
            return direct.find(request_hash(word, method.size(), path), method, word, path);
        }

        void insert(const entry& item) {
            const route_pattern& p = item.value.pattern();
            if (!p.segments().empty() && (p.segments().back().multi || p.segments().back().text == "/"))
                slash_depths |= std::uint64_t{1} << std::min<std::size_t>(p.segments().size(), 63);
            node* method_level = &root.child(p.host()).child(p.method());
            node* n = method_level;
            std::string exact_path; // the request path of an all-literal pattern
            bool literal = true;
            for (const route_segment& s : p.segments()) {
                if (s.multi) {
                    n->multi = std::make_unique<node>();
                    n = n->multi.get();
                    literal = false;
                    break;
                }
                if (s.wild || s.text.empty() || (s.text != "/" && s.text.find('/') != std::string::npos)) literal = false;
                if (literal) {
                    exact_path += '/';
                    if (s.text != "/") exact_path += s.text;
                }
                n = s.wild ? &n->wild_child() : &n->literal_child(s.text);
            }
            n->leaf = &item;
            if (literal && !exact_path.empty()) {
                if (!method_level->exact) method_level->exact = std::make_unique<literal_table>();
                method_level->exact_lengths |= std::uint64_t{1} << std::min<std::size_t>(exact_path.size(), 63);
                const std::uint64_t path_hash = detail::route::hash_path(exact_path);
                // The direct table is probed with the raw request path, before
                // it is checked: it holds clean paths without '%' only.
                if (p.host().empty() && !p.method().empty() && is_clean_route_path(exact_path) &&
                    exact_path.find('%') == std::string::npos)
                    direct.insert(request_hash(method_word(p.method()), p.method().size(), exact_path), p.method(),
                                  exact_path, &item);
                method_level->exact->insert(path_hash, std::string(), std::move(exact_path), &item);
            }
        }
    };

    static const entry* walk_tree(const node* n, detail::route::path_cursor at, detail::route::captures& out,
                                   bool plain) noexcept {
        if (n == nullptr) return nullptr;
        if (at.done()) return n->leaf;
        const detail::route::path_cursor before = at;
        const std::string_view segment = at.next();
        const std::size_t kept = out.count;
        if (const entry* found = walk_tree(n->find_segment(segment, plain), at, out, plain)) return found;
        out.count = kept;
        if (segment != "/" && n->wild) { // a single wildcard doesn't match a trailing slash
            out.push(segment);
            if (const entry* found = walk_tree(n->wild.get(), at, out, plain)) return found;
            out.count = kept;
        }
        if (n->multi && n->multi->leaf) {
            if (!n->multi->leaf->value.pattern().segments().back().text.empty())
                out.push(before.rest.empty() ? std::string_view{} : before.rest.substr(1));
            return n->multi->leaf;
        }
        return nullptr;
    }

    /// The pattern under one method-level node: an all-literal one by hash,
    /// else the tree walk.
    static const entry* match_under(const node* n, detail::route::path_cursor at, detail::route::captures& out,
                                    bool plain, std::uint64_t hash) noexcept {
        if (n == nullptr) return nullptr;
        out.count = 0;
        if (n->exact && plain && !at.extra_slash &&
            (n->exact_lengths >> std::min<std::size_t>(at.rest.size(), 63) & 1) != 0) {
            if (const entry* found = n->exact->find(hash, std::string_view(), 0, at.rest)) return found;
        }
        return walk_tree(n, at, out, plain);
    }

    static const entry* match_method_and_path(const node* n, std::string_view method, detail::route::path_cursor at,
                                              detail::route::captures& out, bool plain, std::uint64_t hash) noexcept {
        if (n == nullptr) return nullptr;
        if (const entry* found = match_under(n->find(method), at, out, plain, hash)) return found;
        if (method == "HEAD") {
            if (const entry* found = match_under(n->find("GET"), at, out, plain, hash)) return found;
        }
        return match_under(n->wild.get(), at, out, plain, hash);
    }

    /// Finds patterns in the frozen routing tree.
    struct tree_finder {
        const index& tree;

        /// Whether some pattern names a host (else the host need not be looked at).
        bool has_hosts() const noexcept { return !tree.root.literals.empty(); }

        /// One probe for a literal pattern of exactly this method and path,
        /// or null; only when no pattern names a host. `path` is the request's
        /// as given: the table holds clean paths without '%' only, so a path
        /// found there needs no cleaning or unescaping.
        const entry* find_direct(std::string_view method, std::string_view path) const noexcept {
            if (has_hosts() || tree.direct.count == 0) return nullptr;
            return tree.find_direct(method, path);
        }

        /// Whether a pattern could match `path` with a slash added, exactly.
        bool may_match_with_slash(std::string_view path) const noexcept {
            std::size_t slashes = 1;
            for (const char c : path) slashes += c == '/' ? 1 : 0;
            return (tree.slash_depths >> std::min<std::size_t>(slashes, 63) & 1) != 0;
        }

        const entry* find(std::string_view host, std::string_view method, detail::route::path_cursor at,
                          detail::route::captures& out, const detail::route::path_facts& facts) const noexcept {
            if (!host.empty() && !tree.root.literals.empty()) {
                if (const entry* found =
                        match_method_and_path(tree.root.find(host), method, at, out, facts.plain, facts.hash))
                    return found;
            }
            return match_method_and_path(tree.root.wild.get(), method, at, out, facts.plain, facts.hash);
        }

        template <class F>
        void methods(std::string_view host, detail::route::path_cursor at, F&& add) const {
            const auto from = [&](const node* n) {
                if (n == nullptr) return;
                for (const auto& [method, next] : n->literals) {
                    detail::route::captures ignored;
                    ignored.recording = false;
                    if (walk_tree(next.get(), at, ignored, at.rest.find('%') == std::string_view::npos) != nullptr)
                        add(method);
                }
            };
            if (!host.empty()) from(tree.root.find(host));
            from(tree.root.wild.get());
        }
    };

    /// Dispatch precedence between two patterns matching one request: a
    /// host first, then an exact method, then GET for HEAD, then every method.
    static int rank(const route_pattern& p, std::string_view method) noexcept {
        const int host = p.host().empty() ? 3 : 0;
        if (p.method() == method) return host;
        if (method == "HEAD" && p.method() == "GET") return host + 1;
        return host + 2;
    }

    static bool method_applies(const route_pattern& p, std::string_view method) noexcept {
        return p.method().empty() || p.method() == method || (method == "HEAD" && p.method() == "GET");
    }

    /// Finds patterns by scanning them all (before freeze()): the same
    /// answers as the tree.
    struct scan_finder {
        const map_type& map;

        static constexpr bool has_hosts() noexcept { return true; }
        static constexpr const entry* find_direct(std::string_view, std::string_view) noexcept { return nullptr; }
        static constexpr bool may_match_with_slash(std::string_view) noexcept { return true; }

        const entry* find(std::string_view host, std::string_view method, detail::route::path_cursor at,
                          detail::route::captures& out, const detail::route::path_facts&) const noexcept {
            const entry* best = nullptr;
            int best_rank = 0;
            for (const auto& item : map) {
                const route_pattern& p = item.second.value.pattern();
                if (!p.host().empty() && p.host() != host) continue;
                if (!method_applies(p, method)) continue;
                detail::route::captures mine;
                mine.recording = out.recording;
                if (!detail::route::match_path(p, at, mine)) continue;
                const int r = rank(p, method);
                if (best == nullptr || r < best_rank ||
                    (r == best_rank &&
                     compare_route_paths(p, best->value.pattern()) == route_relation::more_specific)) {
                    best = &item.second;
                    best_rank = r;
                    out = mine;
                }
            }
            if (best == nullptr) out.count = 0;
            return best;
        }

        template <class F>
        void methods(std::string_view host, detail::route::path_cursor at, F&& add) const {
            for (const auto& item : map) {
                const route_pattern& p = item.second.value.pattern();
                if (p.method().empty() || (!p.host().empty() && p.host() != host)) continue;
                detail::route::captures ignored;
                ignored.recording = false;
                if (detail::route::match_path(p, at, ignored)) add(p.method());
            }
        }
    };

    /// Go's findHandler and matchOrRedirect, on either finder. `shared`:
    /// whether the result may point at the route without owning it (frozen);
    /// `counted`: whether to count the hit or miss.
    template <class Finder>
    match_type dispatch(const Finder& finder, std::string_view method, std::string_view raw_host,
                        std::string_view raw_path, bool shared, bool counted) const {
        match_type out;
        const bool connect = method == "CONNECT";
        // Without a pattern that names a host, the host cannot matter.
        const std::string_view host = connect || !finder.has_hosts() ? raw_host : strip_host_port(raw_host);
        detail::route::path_facts facts = detail::route::scan_path(raw_path);
        std::string cleaned; // only for an unclean path
        std::string_view path = raw_path;
        if (!connect && !facts.clean) {
            cleaned = clean_route_path(raw_path);
            path = cleaned;
            facts = detail::route::scan_path(path);
        }

        const entry* found = finder.find(host, method, detail::route::path_cursor{path, false}, out.captures_, facts);
        // Go's trailing-slash redirect: only for a path that does not end in '/' already.
        const bool slash_probe = !path.empty() && path.back() != '/';
        if ((found == nullptr || !detail::route::exact_match(found->value.pattern(), path, false)) && slash_probe &&
            finder.may_match_with_slash(path)) {
            detail::route::captures probe;
            probe.recording = false;
            const entry* slashed = finder.find(host, method, detail::route::path_cursor{path, true}, probe, facts);
            if (slashed != nullptr && detail::route::exact_match(slashed->value.pattern(), path, true)) {
                out.status_ = route_status::redirect;
                out.redirect_ = route_redirect::trailing_slash;
                out.location_.reserve(path.size() + 1);
                out.location_.append(path);
                out.location_ += '/';
                out.captures_.count = 0;
                out.route_ = route_of(*slashed, shared);
                return out;
            }
        }
        if (!cleaned.empty()) {
            out.status_ = route_status::redirect;
            out.redirect_ = route_redirect::clean_path;
            out.location_ = std::move(cleaned);
            out.captures_.count = 0;
            if (found != nullptr) out.route_ = route_of(*found, shared);
            return out;
        }
        if (found == nullptr) {
            const auto add = [&out](std::string_view m) {
                const auto it = std::lower_bound(out.allowed_.begin(), out.allowed_.end(), m);
                if (it == out.allowed_.end() || *it != m) out.allowed_.emplace(it, m);
            };
            finder.methods(host, detail::route::path_cursor{path, false}, add);
            if (slash_probe) finder.methods(host, detail::route::path_cursor{path, true}, add);
            if (std::binary_search(out.allowed_.begin(), out.allowed_.end(), std::string_view("GET"))) add("HEAD");
            out.status_ = out.allowed_.empty() ? route_status::not_found : route_status::method_not_allowed;
            if (counted) this->count_miss(path);
            return out;
        }
        out.status_ = route_status::matched;
        out.route_ = route_of(*found, shared);
        out.where_ = found->where;
        if (counted) this->count_hit(*found);
        return out;
    }

    /// A hit on `item` with nothing captured.
    match_type matched(const entry& item, bool shared, bool counted) const noexcept {
        match_type out;
        out.status_ = route_status::matched;
        out.route_ = route_of(item, shared);
        out.where_ = item.where;
        if (counted) this->count_hit(item);
        return out;
    }

    /// The route of `item` for a result: shared without owning once frozen
    /// (the registry keeps it: no reference count touched), else owned.
    static std::shared_ptr<const route_data> route_of(const entry& item, bool shared) noexcept {
        if (shared) return std::shared_ptr<const route_data>(std::shared_ptr<const route_data>(), item.value.data_.get());
        return item.value.data_;
    }

    route_explanation explain_in(const map_type& map, std::string_view method, std::string_view raw_host,
                                 std::string_view raw_path) const {
        route_explanation out;
        const bool connect = method == "CONNECT";
        out.method = std::string(method);
        out.host = std::string(connect ? raw_host : strip_host_port(raw_host));
        out.path = connect || is_clean_route_path(raw_path) ? std::string(raw_path) : clean_route_path(raw_path);

        const match_type answer = dispatch(scan_finder{map}, method, raw_host, raw_path, true, false);
        out.status = answer.status();
        const std::string_view winner_text = answer.status() == route_status::matched ? answer.pattern() : "";  // the key
        const entry* winner = nullptr;
        if (!winner_text.empty()) {
            const auto it = map.find(winner_text);
            if (it != map.end()) winner = &it->second;
        }
        switch (answer.status()) {
        case route_status::matched:
            out.outcome = (detail::text() << "matched " << winner_text << ", the most specific pattern that matches")
                              .str();
            break;
        case route_status::not_found: out.outcome = "not found (404): no pattern matches the path"; break;
        case route_status::method_not_allowed:
            out.outcome = (detail::text() << "method not allowed (405): patterns match the path for "
                                          << answer.allow_header() << ", none for " << method)
                              .str();
            break;
        case route_status::redirect:
            out.outcome = (detail::text() << "redirect to " << answer.location()
                                          << (answer.redirect() == route_redirect::trailing_slash
                                                  ? ": only the path with a trailing slash has a pattern"
                                                  : ": the path is not clean")
                                          << (answer.pattern().empty() ? "" : " (then ") << answer.pattern()
                                          << (answer.pattern().empty() ? "" : ")"))
                              .str();
            break;
        }

        const std::string_view path = out.path;
        for (const auto& [key, item] : map) {
            const route_pattern& p = item.value.pattern();
            route_candidate c{key, item.where, false, false, {}};
            detail::route::captures ignored;
            ignored.recording = false;
            const bool path_ok = detail::route::match_path(p, detail::route::path_cursor{path, false}, ignored);
            if (!p.host().empty() && p.host() != out.host) {
                c.why = (detail::text() << "its host " << p.host() << " is not the request's").str();
            } else if (!method_applies(p, method)) {
                c.why = (detail::text() << "its method " << p.method() << " is not " << method
                                        << (path_ok ? " (its path matches)" : ""))
                            .str();
            } else if (!path_ok) {
                c.why = "its path does not match";
            } else {
                c.matches = true;
                if (&item == winner) {
                    c.chosen = true;
                    c.why = "chosen: more specific than every other matching pattern";
                } else if (winner != nullptr) {
                    const route_pattern& w = winner->value.pattern();
                    if (!w.host().empty() && p.host().empty()) {
                        c.why = (detail::text() << "loses to " << w.text() << ", which names a host").str();
                    } else if (rank(w, method) < rank(p, method)) {
                        c.why = (detail::text() << "loses to " << w.text() << ", which names the method " << w.method())
                                    .str();
                    } else {
                        c.why = (detail::text() << "loses to " << w.text() << ", whose path is more specific").str();
                    }
                } else {
                    c.why = "matches, but the answer is not a match";
                }
            }
            out.candidates.push_back(std::move(c));
        }
        std::sort(out.candidates.begin(), out.candidates.end(), [](const route_candidate& a, const route_candidate& b) {
            if (a.chosen != b.chosen) return a.chosen;
            if (a.matches != b.matches) return a.matches;
            return a.pattern < b.pattern;
        });
        return out;
    }

    std::atomic<const index*> index_{nullptr}; // the routing tree, built by freeze()
};

ROSTER_END_NAMESPACE // namespace roster
