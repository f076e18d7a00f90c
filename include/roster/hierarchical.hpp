// roster/hierarchical.hpp — the hierarchical registry: IDs made of segments
// ("http.handlers.file_server", "users/list") that form a tree, with the
// queries a tree needs: the children of a scope, its whole subtree, and the
// longest registered prefix of a list of words (command dispatch).
//
//   #include <roster/hierarchical.hpp>
//
//   roster::hierarchical_registry<command_fn> commands("commands");   // separator '.'
//   commands.add("users.list", list_users);
//   commands.add("users.add", add_user);
//   commands.freeze();                              // lock-free reads from here on
//   commands.children("users");                     // {"users.add", "users.list"}
//   auto m = commands.longest_prefix({"users", "list", "--all"});
//   if (m) m->value(rest_of(argv, m->consumed));    // m->id == "users.list", m->consumed == 2
//
// Gives:
//   roster::hierarchical_registry<Value, Policies...>  the registry;
//   roster::tree_nodes      which nodes children()/descendants() list: the
//                           registered IDs only (caddy's rule, the default),
//                           or also the intermediate segments that lead to
//                           registered IDs without being registered;
//   roster::prefix_match<Value>  what longest_prefix() returns.
//
// Built on the core: hierarchical_registry privately derives from
// basic_registry<std::string, Value, storage::ordered, Policies...>, keyed by
// the ID as written. Ordered storage makes a scope's subtree one contiguous
// range of keys. Every policy but storage:: applies (on_duplicate::, on_null::,
// locking::, counters::, listing::), and add() returns the core's add_result
// with its handle.
//
// Rules for IDs (checked by add; refused with invalid_key_error, the message
// giving the offset): not empty; no empty segment (no leading, trailing or
// doubled separator); no control character. The separator is chosen per
// registry at construction (default '.'): a printable ASCII character that is
// not a letter or a digit (' ' and '/' are fine).
//
// Order: "sorted" means tree order: segment by segment, each segment by its
// bytes, a parent before its children. "users" and its subtree come before
// "users-admin", although '-' sorts before '.' in plain byte order (which is
// the order of names()).
//
// Guarantees:
//  - Thread safety: add/try_add/remove/freeze and handles take the core's
//    write lock; every read its read lock — none once frozen. freeze() builds
//    an immutable tree index once; from then on every read is lock-free and
//    touches no shared counter but the counters:: policy's.
//  - Frozen, children() and descendants() cost O(depth of the scope x log
//    of the fan-out) to find the scope, then O(1) per node listed;
//    longest_prefix() O(words x log fan-out). The visit_ forms never
//    allocate once frozen.
//  - Before freeze(), children() costs O((children + 1) x log n) (one jump
//    over each child's subtree), descendants() O(m log m) for a subtree of m
//    IDs, longest_prefix() O(words x log n); each allocates. Frozen and
//    unfrozen give the same answers (the tests check it).
//  - A refused add() or try_add() leaves the registry as it was.
//  - longest_prefix() counts a hit for the ID it finds, else a miss; get(),
//    try_at(), at() and visit() count as the core does. children() and
//    descendants() list, like names(), and count nothing.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp" // describe_key, invalid_key_message, not_found_message, text
#include "roster/error.hpp"
#include "roster/ordered.hpp"  // storage::ordered's std::map
#include "roster/registry.hpp"
#include "roster/source_location.hpp"

#include <algorithm>        // std::sort, std::lower_bound
#include <atomic>           // std::atomic: the published tree index
#include <cstddef>          // std::size_t
#include <cstdint>          // std::uint32_t
#include <initializer_list> // std::initializer_list: longest_prefix({"users", "list"})
#include <iterator>         // std::begin, std::end
#include <memory>           // std::unique_ptr
#include <optional>         // std::optional
#include <string>           // std::string
#include <string_view>      // std::string_view
#include <type_traits>      // std::invoke_result_t, std::is_convertible_v
#include <utility>          // std::move, std::pair
#include <vector>           // std::vector

ROSTER_BEGIN_NAMESPACE

/// Which nodes children() and descendants() list.
enum class tree_nodes {
    registered,       ///< only registered IDs (caddy's GetModules rule)
    with_intermediate ///< also the segments on the way to registered IDs that are not registered themselves
};

/// What hierarchical_registry::longest_prefix() found: the deepest registered
/// ID that the leading words spell, and how many words it took.
template <class Value>
struct prefix_match {
    std::string id;        ///< the registered ID ("users.list")
    Value value;           ///< a copy of its value
    std::size_t consumed;  ///< how many leading words (segments) the ID took
    source_location where; ///< where the ID was added
};

namespace detail::tree {

/// Whether `c` can separate segments: printable ASCII, not a letter or a digit.
constexpr bool valid_separator(char c) noexcept {
    const bool printable = c >= 0x20 && c < 0x7f;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return printable && !alnum;
}

/// Why `id` is not a well-formed ID under `separator` ("" if it is):
/// "empty ID", "at offset 4: empty segment", "at offset 2: control
/// character 0x07". The offset is the byte offset in the ID.
template <class String = std::string>
String id_problem(std::string_view id, char separator) {
    if (id.empty()) return String("empty ID");
    std::size_t segment_start = 0;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if ((c >= 0 && c < 0x20) || c == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            const auto byte = static_cast<unsigned char>(c);
            const char code[] = {'0', 'x', hex[byte >> 4], hex[byte & 0xf]};
            return (text() << "at offset " << i << ": control character " << std::string_view(code, 4)).str();
        }
        if (c == separator) {
            if (i == segment_start) return (text() << "at offset " << i << ": empty segment").str();
            segment_start = i + 1;
        }
    }
    if (segment_start == id.size()) return (text() << "at offset " << id.size() << ": empty segment").str();
    return String();
}

/// Tree order: segment by segment (the separator sorts before every other
/// character), a prefix before what extends it.
struct tree_less {
    char separator;
    bool operator()(std::string_view a, std::string_view b) const noexcept {
        const std::size_t n = a.size() < b.size() ? a.size() : b.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (a[i] == b[i]) continue;
            if (a[i] == separator) return true;
            if (b[i] == separator) return false;
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
        }
        return a.size() < b.size();
    }
};

/// The words of a range (anything convertible to std::string_view), one by one.
template <class It, class End>
struct range_words {
    It at;
    End end;
    bool next(std::string_view& word) {
        if (at == end) return false;
        word = std::string_view(*at);
        ++at;
        return true;
    }
};
template <class It, class End>
range_words(It, End) -> range_words<It, End>; // clang 14 lacks aggregate deduction

/// The segments of an ID, one by one (an empty segment ends the walk in
/// the caller: it can name nothing).
struct id_words {
    std::string_view rest;
    char separator;
    bool done = false;
    bool next(std::string_view& word) {
        if (done) return false;
        const std::size_t at = rest.find(separator);
        if (at == std::string_view::npos) {
            word = rest;
            done = true;
        } else {
            word = rest.substr(0, at);
            rest.remove_prefix(at + 1);
        }
        return true;
    }
};

} // namespace detail::tree

/// The hierarchical registry. `Value`: any movable type (copyable for get(),
/// at() and longest_prefix()). `Policies`: the core's (roster/policies.hpp),
/// in any order, except a storage:: policy (it is always storage::ordered).
template <class Value, class... Policies>
class hierarchical_registry : private basic_registry<std::string, Value, storage::ordered, Policies...> {
    using core = basic_registry<std::string, Value, storage::ordered, Policies...>;
    using typename core::entry;
    using typename core::map_type;

public:
    /// The key type: a hierarchical ID as text.
    using key_type = std::string;
    /// The value type.
    using value_type = Value;
    /// What a longest_prefix() hit holds (it returns a std::optional of it).
    using match_type = prefix_match<Value>;
    using typename core::add_result;
    using typename core::counters_policy;
    using typename core::duplicate_policy;
    using typename core::event_type;
    using typename core::listing_policy;
    using typename core::locking_policy;
    using typename core::null_policy;
    using typename core::registration;
    using typename core::storage_policy;

    /// An empty registry called `registry_name` (used in every message),
    /// whose IDs are split at `separator`, created at `where`.
    /// @throws invalid_key_error if `separator` is not a printable ASCII
    ///         character other than a letter or a digit;
    ///         duplicate_key_error under listing::listed if the name is taken.
    explicit hierarchical_registry(std::string registry_name = "hierarchical_registry", char separator = '.',
                                   source_location where = source_location::current())
        : core(std::move(registry_name), where), separator_(separator) {
        if (!detail::tree::valid_separator(separator)) {
            raise(detail::invalid_key_message(
                this->name(), detail::describe_key(std::string(1, separator)),
                "the separator must be a printable ASCII character that is not a letter or a digit", where));
        }
    }

    hierarchical_registry(const hierarchical_registry&) = delete;
    hierarchical_registry& operator=(const hierarchical_registry&) = delete;
    ~hierarchical_registry() { delete index_.load(std::memory_order_acquire); }

    /// The character that separates segments. Thread safe, lock-free.
    char separator() const noexcept { return separator_; }

    // ----------------------------------------------------------------- add

    /// Registers `value` under `id`.
    /// @returns the core's add_result: its handle() removes this ID.
    /// @throws invalid_key_error for a malformed ID (the message gives the
    ///         offset); null_value_error for a null value (on_null::reject);
    ///         duplicate_key_error for an ID registered twice (per the
    ///         on_duplicate:: policy); frozen_error after freeze().
    /// Strong guarantee. O(length of id + log n).
    add_result add(std::string id, Value value, source_location where = source_location::current()) {
        add_result outcome = try_add(std::move(id), std::move(value), where);
        if (outcome.status() == add_status::refused &&
            (outcome.error().code != errc::duplicate_key || duplicate_policy::raises_refusal)) {
            raise(outcome.error());
        }
        return outcome;
    }

    /// add() that never raises a roster error: every refusal is in the result.
    [[nodiscard]] add_result try_add(std::string id, Value value, source_location where = source_location::current()) {
        if (std::string problem = detail::tree::id_problem(id, separator_); !problem.empty()) {
            return core::refused(detail::invalid_key_message(this->name(), detail::describe_key(id), problem, where));
        }
        return core::try_add(std::move(id), std::move(value), where);
    }

    // ---------------------------------------------------------- the tree

    /// The nodes exactly one level below `scope` ("" is the root), in tree
    /// order. A partial segment never matches: "foo.ba" is not a scope of
    /// "foo.bar". `which`: registered IDs only (default, caddy's rule), or
    /// also the intermediate segments that lead to registered IDs. A scope
    /// that is not in the tree has no children. Counts nothing.
    std::vector<std::string> children(std::string_view scope, tree_nodes which = tree_nodes::registered) const {
        std::vector<std::string> out;
        visit_children(scope, [&out](std::string_view id, const Value*) { out.emplace_back(id); }, which);
        return out;
    }

    /// Calls `f(std::string_view id, const Value* value)` for each node
    /// children() lists, in the same order; `value` is null for an
    /// intermediate node. Under the read lock (none once frozen): the views
    /// and the value are valid during the call only.
    /// @returns how many nodes were visited.
    /// Never allocates once frozen. @warning f must not mutate this registry.
    template <class F>
    std::size_t visit_children(std::string_view scope, F&& f, tree_nodes which = tree_nodes::registered) const {
        if (const index* tree = index_.load(std::memory_order_acquire)) return tree->visit_children(scope, f, which);
        return this->read([&](const map_type& map) {
            std::vector<std::pair<std::string_view, const entry*>> found = scan_children(map, scope, which);
            for (const auto& [id, item] : found) f(id, item != nullptr ? &item->value : nullptr);
            return found.size();
        });
    }

    /// Every node strictly below `scope` ("" is the root: every ID), in tree
    /// order (a parent before its subtree). `which` as for children().
    /// Counts nothing.
    std::vector<std::string> descendants(std::string_view scope, tree_nodes which = tree_nodes::registered) const {
        std::vector<std::string> out;
        visit_descendants(scope, [&out](std::string_view id, const Value*) { out.emplace_back(id); }, which);
        return out;
    }

    /// Calls `f(std::string_view id, const Value* value)` for each node
    /// descendants() lists, in the same order (`value` null for an
    /// intermediate node), under the read lock (none once frozen).
    /// @returns how many nodes were visited.
    /// Never allocates once frozen. @warning f must not mutate this registry.
    template <class F>
    std::size_t visit_descendants(std::string_view scope, F&& f, tree_nodes which = tree_nodes::registered) const {
        if (const index* tree = index_.load(std::memory_order_acquire)) return tree->visit_descendants(scope, f, which);
        return this->read([&](const map_type& map) {
            const index subtree = index::build(subtree_items(map, scope), separator_);
            return subtree.visit_descendants(scope, f, which);
        });
    }

    /// The deepest registered ID spelled by the leading `words` (segments),
    /// and how many words it took: for ["users", "list", "--all"] and the
    /// IDs "users" and "users.list", "users.list" with consumed == 2. An
    /// empty word, or one containing the separator, ends the walk.
    /// std::nullopt when not even the first word is registered.
    /// Counts a hit for the ID found, else a miss.
    template <class Range>
        requires std::is_convertible_v<decltype(*std::begin(std::declval<const Range&>())), std::string_view>
    std::optional<match_type> longest_prefix(const Range& words) const {
        detail::tree::range_words walk{std::begin(words), std::end(words)};
        return copy_match(walk);
    }

    /// longest_prefix() of a braced list: longest_prefix({"users", "list"}).
    std::optional<match_type> longest_prefix(std::initializer_list<std::string_view> words) const {
        detail::tree::range_words walk{words.begin(), words.end()};
        return copy_match(walk);
    }

    /// longest_prefix() of the segments of `id`: for "users.list.extra",
    /// "users.list" with consumed == 2.
    std::optional<match_type> longest_prefix(std::string_view id) const {
        detail::tree::id_words walk{id, separator_};
        return copy_match(walk);
    }

    /// longest_prefix() without a copy: calls `f(std::string_view id, const
    /// Value& value, std::size_t consumed)` on the match, under the read lock
    /// (none once frozen). `words`: a range of words, or an ID (a
    /// std::string_view).
    /// @returns if f returns void, whether a prefix was found; otherwise a
    ///          std::optional of f's result. Never allocates once frozen.
    /// @warning f must not mutate this registry.
    template <class Words, class F>
    auto visit_longest_prefix(const Words& words, F&& f) const {
        using R = std::invoke_result_t<F&, std::string_view, const Value&, std::size_t>;
        const auto run = [&](auto walk) {
            return find_prefix(walk, [&](std::string_view id, const entry* item, std::size_t consumed) {
                if constexpr (std::is_void_v<R>) {
                    if (item == nullptr) return false;
                    f(id, item->value, consumed);
                    return true;
                } else {
                    if (item == nullptr) return std::optional<R>();
                    return std::optional<R>(f(id, item->value, consumed));
                }
            });
        };
        if constexpr (std::is_convertible_v<const Words&, std::string_view>) {
            return run(detail::tree::id_words{std::string_view(words), separator_});
        } else {
            return run(detail::tree::range_words{std::begin(words), std::end(words)});
        }
    }

    /// Why longest_prefix(words) answers what it does: one line per prefix
    /// tried (registered or not, whether anything lies below it), then the
    /// answer. A diagnostic: allocates; counts nothing.
    template <class Range>
        requires std::is_convertible_v<decltype(*std::begin(std::declval<const Range&>())), std::string_view>
    std::string explain(const Range& words) const {
        return this->read([&](const map_type& map) {
            detail::text out;
            std::string prefix;
            std::string best;
            std::size_t consumed = 0;
            std::size_t depth = 0;
            for (const auto& raw : words) {
                const std::string_view word(raw);
                if (word.empty() || word.find(separator_) != std::string_view::npos) {
                    out << "word " << depth << " \"" << word << "\": not a segment; the walk ends\n";
                    break;
                }
                if (depth > 0) prefix += separator_;
                prefix.append(word);
                ++depth;
                const bool registered = map.find(prefix) != map.end();
                const bool below = has_below(map, prefix);
                out << prefix << ": " << (registered ? "registered" : "not registered")
                    << (below ? ", has IDs below" : ", nothing below") << "\n";
                if (registered) {
                    best = prefix;
                    consumed = depth;
                }
                if (!below) break;
            }
            if (best.empty()) out << "answer: no registered prefix";
            else out << "answer: " << best << " (" << consumed << " word" << detail::plural(consumed) << " consumed)";
            return out.str();
        });
    }

    /// explain() of a braced list of words.
    std::string explain(std::initializer_list<std::string_view> words) const {
        return explain<std::initializer_list<std::string_view>>(words);
    }

    // -------------------------------------------------------------- freeze

    /// Freezes the registry (every later add or remove is refused with
    /// frozen_error, naming `where`) and builds the tree index that every
    /// read uses from then on without a lock. Idempotent; thread safe.
    void freeze(source_location where = source_location::current()) {
        core::freeze(where);
        if (index_.load(std::memory_order_acquire) != nullptr) return;
        auto built = std::make_unique<index>(this->read([&](const map_type& map) { // frozen: nothing changes
            std::vector<std::pair<std::string_view, const entry*>> items;
            items.reserve(map.size());
            for (const auto& [id, item] : map) items.emplace_back(id, &item);
            return index::build(std::move(items), separator_);
        }));
        const index* expected = nullptr;
        if (index_.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel)) built.release();
    }

    // ---------------------------------------------------- the core's members

    using core::at;         // a copy of the value under an exact ID; throws not_found_error
    using core::contains;   // whether this exact ID is registered
    using core::created_at; // where the registry was constructed
    using core::empty;
    using core::for_each; // every entry, in byte order of the IDs
    using core::frozen;
    using core::frozen_at;
    using core::get;      // a copy of the value under an exact ID, or std::nullopt
    using core::location; // where an ID was added
    using core::lookups;  // hits and misses (only with a counters:: policy)
    using core::name;
    using core::names; // every ID, in byte order (descendants("") gives tree order)
    using core::remove;
    using core::report; // one entry per ID
    using core::size;
    using core::state;
    using core::subscribe; // change events: an ID added, replaced or removed (roster/events.hpp)
    using core::try_at;
    using core::try_remove;
    using core::visit;

private:
    using item_list = std::vector<std::pair<std::string_view, const entry*>>;

    /// The frozen tree: every registered ID and every intermediate segment,
    /// one node each, in tree order (pre-order), node 0 the root.
    struct index {
        /// @cond INTERNAL
        /// One node of the tree: a registered ID or an intermediate segment.
        struct node {
            std::string_view id;      ///< the full ID ("" for the root); a view into the map's key
            std::string_view segment; ///< its last segment
            const entry* item = nullptr; ///< null: an intermediate node
            std::uint32_t end = 0;       ///< one past its last descendant
            std::vector<std::uint32_t> kids; ///< its children, in tree order (by segment)
        };
        /// @endcond
        std::vector<node> nodes;
        char separator = '.';

        /// Builds the tree of `items` (well-formed IDs, views valid as long
        /// as the tree is used).
        static index build(item_list items, char sep) {
            const detail::tree::tree_less less{sep};
            std::sort(items.begin(), items.end(), [&](const auto& a, const auto& b) { return less(a.first, b.first); });
            index out;
            out.separator = sep;
            out.nodes.reserve(items.size() + 1);
            out.nodes.push_back(node{});
            std::vector<std::uint32_t> path{0}; // the open nodes, root first
            for (const auto& [id, item] : items) {
                // How deep the open path already spells `id`.
                std::size_t depth = 1;
                std::size_t cur = 0; // where the segment at `depth` starts in id
                while (depth < path.size()) {
                    const std::string_view seg = out.nodes[path[depth]].segment;
                    const std::size_t stop = id.find(sep, cur);
                    const std::string_view mine = id.substr(cur, stop == std::string_view::npos ? id.size() - cur : stop - cur);
                    if (mine != seg || stop == std::string_view::npos) break;
                    cur = stop + 1;
                    ++depth;
                }
                // A node equal to the whole id would already be open: IDs are unique.
                while (path.size() > depth) {
                    out.nodes[path.back()].end = static_cast<std::uint32_t>(out.nodes.size());
                    path.pop_back();
                }
                for (;;) {
                    const std::size_t stop = id.find(sep, cur);
                    const bool last = stop == std::string_view::npos;
                    const std::size_t seg_end = last ? id.size() : stop;
                    node n;
                    n.id = id.substr(0, seg_end);
                    n.segment = id.substr(cur, seg_end - cur);
                    n.item = last ? item : nullptr;
                    const auto self = static_cast<std::uint32_t>(out.nodes.size());
                    out.nodes[path.back()].kids.push_back(self);
                    out.nodes.push_back(std::move(n));
                    path.push_back(self);
                    if (last) break;
                    cur = stop + 1;
                }
            }
            while (!path.empty()) {
                out.nodes[path.back()].end = static_cast<std::uint32_t>(out.nodes.size());
                path.pop_back();
            }
            return out;
        }

        static constexpr std::uint32_t none = ~std::uint32_t{0};

        /// The child of node `cur` whose segment is `segment`, or none.
        std::uint32_t child(std::uint32_t cur, std::string_view segment) const noexcept {
            const std::vector<std::uint32_t>& kids = nodes[cur].kids;
            const auto it = std::lower_bound(kids.begin(), kids.end(), segment, [this](std::uint32_t k, std::string_view s) {
                return nodes[k].segment < s;
            });
            return it != kids.end() && nodes[*it].segment == segment ? *it : none;
        }

        /// The node of `scope` ("" is the root), or none.
        std::uint32_t find(std::string_view scope) const noexcept {
            if (scope.empty()) return 0;
            std::uint32_t cur = 0;
            detail::tree::id_words walk{scope, separator};
            std::string_view segment;
            while (walk.next(segment)) {
                if (segment.empty()) return none;
                cur = child(cur, segment);
                if (cur == none) return none;
            }
            return cur;
        }

        template <class F>
        std::size_t visit_children(std::string_view scope, F& f, tree_nodes which) const {
            const std::uint32_t cur = find(scope);
            if (cur == none) return 0;
            std::size_t count = 0;
            for (const std::uint32_t k : nodes[cur].kids) {
                const node& n = nodes[k];
                if (n.item == nullptr && which == tree_nodes::registered) continue;
                f(n.id, n.item != nullptr ? &n.item->value : nullptr);
                ++count;
            }
            return count;
        }

        template <class F>
        std::size_t visit_descendants(std::string_view scope, F& f, tree_nodes which) const {
            const std::uint32_t cur = find(scope);
            if (cur == none) return 0;
            std::size_t count = 0;
            for (std::uint32_t k = cur + 1; k < nodes[cur].end; ++k) {
                const node& n = nodes[k];
                if (n.item == nullptr && which == tree_nodes::registered) continue;
                f(n.id, n.item != nullptr ? &n.item->value : nullptr);
                ++count;
            }
            return count;
        }
    };

    /// Whether some ID lies strictly below `prefix` (a complete ID or scope).
    bool has_below(const map_type& map, std::string_view prefix) const {
        std::string probe(prefix);
        probe += separator_;
        const auto it = map.lower_bound(std::string_view(probe));
        return it != map.end() && std::string_view(it->first).substr(0, probe.size()) == probe;
    }

    /// Before freeze: the children of `scope`, found by jumping over each
    /// child's subtree (one contiguous range of the ordered map), then put
    /// in tree order.
    item_list scan_children(const map_type& map, std::string_view scope, tree_nodes which) const {
        item_list out;
        std::string prefix(scope);
        if (!scope.empty()) prefix += separator_;
        std::string probe;
        auto it = map.lower_bound(std::string_view(prefix));
        while (it != map.end()) {
            const std::string_view key(it->first);
            if (key.substr(0, prefix.size()) != prefix) break;
            const std::size_t stop = key.find(separator_, prefix.size());
            if (stop == std::string_view::npos) { // a registered child
                out.emplace_back(key, &it->second);
                ++it;
                continue;
            }
            const std::string_view child = key.substr(0, stop);
            if (which == tree_nodes::with_intermediate && map.find(child) == map.end()) out.emplace_back(child, nullptr);
            probe.assign(child);
            probe += static_cast<char>(separator_ + 1); // just past "child<sep>...": skips its subtree
            it = map.lower_bound(std::string_view(probe));
        }
        const detail::tree::tree_less less{separator_};
        std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return less(a.first, b.first); });
        return out;
    }

    /// Before freeze: the IDs strictly below `scope` (one contiguous range).
    item_list subtree_items(const map_type& map, std::string_view scope) const {
        item_list out;
        std::string prefix(scope);
        if (!scope.empty()) prefix += separator_;
        for (auto it = map.lower_bound(std::string_view(prefix)); it != map.end(); ++it) {
            const std::string_view key(it->first);
            if (key.substr(0, prefix.size()) != prefix) break;
            out.emplace_back(key, &it->second);
        }
        return out;
    }

    /// The longest prefix walk on the frozen index or, before freeze, on
    /// the map; `done(id, entry or null, consumed)` is called with the
    /// answer under the read lock. Counts the hit or the miss.
    template <class Walk, class Done>
    auto find_prefix(Walk walk, Done&& done) const {
        const Walk counted = walk; // the words again, for a miss
        if (const index* tree = index_.load(std::memory_order_acquire)) {
            std::uint32_t cur = 0;
            std::uint32_t best = index::none;
            std::size_t depth = 0;
            std::size_t consumed = 0;
            std::string_view word;
            while (walk.next(word)) {
                if (word.empty() || word.find(separator_) != std::string_view::npos) break;
                cur = tree->child(cur, word);
                if (cur == index::none) break;
                ++depth;
                if (tree->nodes[cur].item != nullptr) {
                    best = cur;
                    consumed = depth;
                }
            }
            if (best == index::none) {
                count_prefix_miss(counted);
                return done(std::string_view{}, nullptr, 0);
            }
            this->count_hit(*tree->nodes[best].item);
            return done(tree->nodes[best].id, tree->nodes[best].item, consumed);
        }
        return this->read([&](const map_type& map) {
            std::string prefix;
            const entry* best = nullptr;
            std::string_view best_id;
            std::size_t depth = 0;
            std::size_t consumed = 0;
            std::string_view word;
            while (walk.next(word)) {
                if (word.empty() || word.find(separator_) != std::string_view::npos) break;
                if (depth > 0) prefix += separator_;
                prefix.append(word);
                ++depth;
                if (const auto it = map.find(std::string_view(prefix)); it != map.end()) {
                    best = &it->second;
                    best_id = it->first;
                    consumed = depth;
                }
                if (!has_below(map, prefix)) break;
            }
            if (best == nullptr) {
                count_prefix_miss(counted);
                return done(std::string_view{}, nullptr, 0);
            }
            this->count_hit(*best);
            return done(best_id, best, consumed);
        });
    }

    /// Counts a longest_prefix() miss; counters::per_key records the words
    /// joined with the separator.
    template <class Walk>
    void count_prefix_miss(Walk walk) const {
        if constexpr (core::per_key_counting) {
            std::string joined;
            std::string_view word;
            for (bool first = true; walk.next(word); first = false) {
                if (!first) joined += separator_;
                joined.append(word);
            }
            this->count_miss(joined);
        } else {
            this->count_miss(std::string_view{});
        }
    }

    template <class Walk>
    std::optional<match_type> copy_match(Walk& walk) const {
        return find_prefix(walk, [](std::string_view id, const entry* item, std::size_t consumed) {
            if (item == nullptr) return std::optional<match_type>();
            return std::optional<match_type>(match_type{std::string(id), item->value, consumed, item->where});
        });
    }

    char separator_;
    std::atomic<const index*> index_{nullptr}; // the tree, built by freeze()
};

ROSTER_END_NAMESPACE // namespace roster
