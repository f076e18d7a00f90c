// roster/tagged.hpp — the tagged registry: entries keyed by name that also
// carry a set of tags and a priority, looked up by key as in the core and
// selected by tag filters (all of, any of, none of), in chain order.
//
//   #include <roster/tagged.hpp>
//
//   roster::tagged_registry<std::shared_ptr<middleware>> chain("middleware");
//   chain.add("auth", make_auth(), {"tier=auth", "http"}, 100);   // priority 100
//   chain.add("gzip", make_gzip(), {"http", "experimental"});     // priority 0
//   chain.freeze();                                 // lock-free, indexed queries from here on
//   const auto filter = roster::tags::all_of({"http"}) && roster::tags::none_of({"experimental"});
//   for (const auto& e : chain.matching(filter)) e.value()->handle(req); // auth, then the rest
//   chain.for_each_matching(filter, [&](const auto& e) { e.value()->handle(req); }); // no allocation
//
// Gives:
//   roster::tagged_registry<Value, Policies...>  the registry;
//   roster::tag            one tag, written as text: "key=value" or a plain
//                          label "key" (a key with no value);
//   roster::tag_filter     a query: all_of, any_of and none_of clauses, built
//                          with roster::tags::all_of / any_of / none_of / has
//                          and combined with &&;
//   roster::tagged_entry<Value>   the value stored per key: the key, the
//                          value, its sorted tags and its priority, shared
//                          and immutable (what change events and queries carry);
//   roster::tie_break::key (default) | tie_break::registration   the policy
//                          that orders entries of equal priority;
//   roster::tag_explanation, roster::tag_candidate   explain()'s answer.
//
// Built on the core: tagged_registry privately derives from
// basic_registry<std::string, tagged_entry<Value>, Policies...>, keyed by
// name. Every policy of the core applies (on_duplicate::, on_null:: on the
// Value, locking::, storage::, counters::, listing::), add() returns the
// core's add_result with its handle, and change events are the core's.
//
// Chain order: higher priority first; equal priorities by key (bytewise,
// ascending) under tie_break::key, by registration order under
// tie_break::registration (a replacement under on_duplicate::replace counts
// as a new registration). matching() and for_each_matching() answer in
// chain order.
//
// Guarantees:
//  - Thread safety: add/try_add/remove/freeze and handles take the core's
//    write lock; every read (get, visit, matching, for_each_matching,
//    explain, ...) its read lock — none once frozen.
//  - Once frozen, matching() allocates only its result vector (one
//    allocation: it reserves an upper bound), and for_each_matching()
//    allocates nothing. Both use an index built once by freeze(): for each
//    tag, the entries carrying it in chain order. A filter with an all_of
//    clause walks the smallest of its tags' lists; one with only any_of
//    clauses merges the lists of its smallest clause; a filter with only
//    none_of clauses (or none at all) walks every entry.
//  - Before freeze(), queries scan every entry under the read lock and sort
//    what matches (they allocate). Both give the same answers (a test checks
//    this on random data).
//  - A refused add() or try_add() leaves the registry as it was. Tags are
//    checked before any lock is taken.
//  - Queries are not counted by the counters:: policies (they count key
//    lookups: get, try_at, at, visit).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp" // describe, describe_key, invalid_key_message, text
#include "roster/error.hpp"
#include "roster/policies.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include <algorithm>        // std::sort, std::unique, std::lower_bound, std::binary_search
#include <atomic>           // std::atomic: the published index
#include <concepts>         // std::convertible_to, std::equality_comparable
#include <cstddef>          // std::size_t
#include <cstdint>          // std::uint32_t, std::uint64_t
#include <initializer_list> // std::initializer_list: filters from braces
#include <memory>           // std::shared_ptr, std::unique_ptr
#include <string>           // std::string
#include <string_view>      // std::string_view
#include <type_traits>      // std::is_same_v, std::invoke_result_t
#include <utility>          // std::move, std::pair
#include <vector>           // std::vector

ROSTER_BEGIN_NAMESPACE

template <class Value, class... Policies>
class tagged_registry;

namespace policy_category {
/// The family of the tagged registry's tie_break:: policies (the core ignores it).
struct tie_break {};
} // namespace policy_category

namespace tie_break {
/// Entries of equal priority are chained by key, bytewise ascending. The default.
struct key {
    /// Names the family: a tie_break:: policy.
    using roster_policy_category = policy_category::tie_break;
    static constexpr bool by_registration = false; ///< ties broken by key
};
/// Entries of equal priority are chained in registration order (a
/// replacement under on_duplicate::replace counts as a new registration).
struct registration {
    /// Names the family: a tie_break:: policy.
    using roster_policy_category = policy_category::tie_break;
    static constexpr bool by_registration = true; ///< ties broken by registration order
};
} // namespace tie_break

/// One tag, written as text: "key=value", or a plain label "key" (a key
/// with no value). The first '=' separates the key from the value, so a key
/// never contains '=' and a value may. Tags compare by their text.
class tag {
public:
    /// The tag written as `text` ("tier=auth", "experimental"). Not checked
    /// here: a registry checks the tags it is given (see tagged_registry::add).
    template <class Text>
        requires std::convertible_to<const Text&, std::string_view>
    tag(const Text& text) // NOLINT(google-explicit-constructor): tags are written as text
        : text_(std::string_view(text)) {}

    /// The tag `tag_key`=`tag_value`; a plain label when `tag_value` is empty.
    template <class = void>
    tag(std::string_view tag_key, std::string_view tag_value) : text_(tag_key) {
        if (!tag_value.empty()) {
            text_ += '=';
            text_.append(tag_value);
        }
    }

    /// The tag as written: "key=value" or "key".
    const std::string& text() const noexcept { return text_; }
    /// What precedes the first '=' (all of a label).
    template <class = void>
    std::string_view key() const noexcept { return std::string_view(text_).substr(0, text_.find('=')); }
    /// What follows the first '=' ("" for a label).
    template <class = void>
    std::string_view value() const noexcept {
        const std::size_t at = text_.find('=');
        return at == std::string::npos ? std::string_view() : std::string_view(text_).substr(at + 1);
    }
    /// Whether the tag is a plain label (no '=').
    template <class = void>
    bool is_label() const noexcept { return text_.find('=') == std::string::npos; }

    /// Tags are equal when their texts are.
    friend bool operator==(const tag& a, const tag& b) noexcept { return a.text_ == b.text_; }
    /// Ordered by text (bytewise): the order of tagged_entry::tags().
    friend bool operator<(const tag& a, const tag& b) noexcept { return a.text_ < b.text_; }

private:
    std::string text_;
};

namespace detail {

/// Why `t` cannot be a registered tag, or "" (a template: compiled only when used).
template <class Tag = tag>
std::string tag_problem(const Tag& t) {
    const std::string& written = t.text();
    const auto quoted = [&] { return describe_key(written); };
    if (written.empty()) return "a tag is empty";
    for (const char c : written) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) return (detail::text() << "tag " << quoted() << " contains a control character").str();
    }
    if (t.key().empty()) return (detail::text() << "tag " << quoted() << " has an empty key").str();
    if (!t.is_label() && t.value().empty())
        return (detail::text() << "tag " << quoted() << " has an empty value (write the label "
                               << describe_key(t.key()) << " for a tag with no value)")
            .str();
    return {};
}

/// Sorts `tags` by text and removes repeats.
template <class Tag>
void normalise_tags(std::vector<Tag>& tags) {
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
}

/// Whether the sorted `tags` hold a tag written `text`.
template <class Tag>
bool has_tag(const std::vector<Tag>& tags, std::string_view text) noexcept {
    const auto it = std::lower_bound(tags.begin(), tags.end(), text,
                                     [](const Tag& t, std::string_view x) { return std::string_view(t.text()) < x; });
    return it != tags.end() && it->text() == text;
}

/// "a, b, c".
template <class Tag>
std::string join_tags(const std::vector<Tag>& tags) {
    text out;
    for (std::size_t i = 0; i < tags.size(); ++i) out << (i == 0 ? "" : ", ") << tags[i].text();
    return out.str();
}

} // namespace detail

/// What a tagged registry stores under a key: the key, the value, its tags
/// (sorted by text, without repeats) and its priority, shared and immutable
/// (a copy is a reference count, never a copy of the value). Queries and
/// change events carry it.
template <class Value>
class tagged_entry {
public:
    /// An empty entry (null: refused by on_null::reject).
    tagged_entry() = default;
    /// The entry of `stored` under `entry_key`, with `entry_tags` (sorted
    /// here, repeats dropped; not checked: a registry checks them) and
    /// `entry_priority`.
    tagged_entry(std::string entry_key, Value stored, std::vector<tag> entry_tags, int entry_priority)
        : data_(std::make_shared<const data>(
              make(std::move(entry_key), std::move(stored), std::move(entry_tags), entry_priority))) {}

    /// Whether this entry holds nothing (default-constructed).
    bool empty() const noexcept { return !data_; }
    /// The key it is registered under. Precondition: !empty().
    const std::string& key() const noexcept { return data_->key; }
    /// The value. Precondition: !empty().
    const Value& value() const noexcept { return data_->value; }
    /// Its tags, sorted by text, without repeats. Precondition: !empty().
    const std::vector<tag>& tags() const noexcept { return data_->tags; }
    /// Its priority (higher comes first in a chain). Precondition: !empty().
    int priority() const noexcept { return data_->priority; }
    /// Whether it carries the tag written `text` ("tier=auth"). O(log tags).
    bool has(std::string_view text) const noexcept { return !empty() && detail::has_tag(data_->tags, text); }

    /// Same key, tags, priority and equal values (on_duplicate::accept_if_equal).
    friend bool operator==(const tagged_entry& a, const tagged_entry& b)
        requires std::equality_comparable<Value>
    {
        if (a.empty() || b.empty()) return a.empty() == b.empty();
        return a.key() == b.key() && a.priority() == b.priority() && a.tags() == b.tags() && a.value() == b.value();
    }

private:
    struct data {
        std::string key;
        Value value;
        std::vector<tag> tags;
        int priority = 0;
    };
    static data make(std::string entry_key, Value stored, std::vector<tag> entry_tags, int entry_priority) {
        detail::normalise_tags(entry_tags);
        return data{std::move(entry_key), std::move(stored), std::move(entry_tags), entry_priority};
    }
    std::shared_ptr<const data> data_;

    template <class, class...>
    friend class tagged_registry;
};

/// An entry is null when it is empty or its value is null.
template <class Value>
struct null_traits<tagged_entry<Value>> {
    /// Whether `e` holds no value or a null one.
    static bool is_null(const tagged_entry<Value>& e) noexcept {
        return e.empty() || null_traits<Value>::is_null(e.value());
    }
};

/// A tag query: the entries that carry every tag of the all_of clause, at
/// least one tag of each any_of clause, and no tag of the none_of clause.
/// The default filter matches every entry. Build one with roster::tags and
/// combine them with &&; build it once and reuse it (building allocates,
/// querying with it does not).
class tag_filter {
public:
    /// The filter that matches every entry.
    tag_filter() = default;

    /// Tags an entry must all carry (sorted, without repeats).
    const std::vector<tag>& required() const noexcept { return all_; }
    /// Clauses of which an entry must carry at least one tag each (an empty
    /// clause matches nothing).
    const std::vector<std::vector<tag>>& alternatives() const noexcept { return any_; }
    /// Tags an entry must not carry (sorted, without repeats).
    const std::vector<tag>& excluded() const noexcept { return none_; }
    /// Whether the filter has no clause (matches every entry).
    bool matches_everything() const noexcept { return all_.empty() && any_.empty() && none_.empty(); }

    /// Whether `e` passes every clause.
    template <class Value>
    bool matches(const tagged_entry<Value>& e) const noexcept {
        return passes(e.tags());
    }

    /// Every clause of both filters.
    template <class = void>
    friend tag_filter operator&&(tag_filter a, const tag_filter& b) {
        a.all_.insert(a.all_.end(), b.all_.begin(), b.all_.end());
        detail::normalise_tags(a.all_);
        a.any_.insert(a.any_.end(), b.any_.begin(), b.any_.end());
        a.none_.insert(a.none_.end(), b.none_.begin(), b.none_.end());
        detail::normalise_tags(a.none_);
        return a;
    }

    /// "all_of(tier=auth) && any_of(eu, us) && none_of(experimental)";
    /// "everything" for the empty filter.
    template <class = void>
    std::string text() const {
        if (matches_everything()) return "everything";
        detail::text out;
        const char* sep = "";
        if (!all_.empty()) {
            out << "all_of(" << detail::join_tags(all_) << ")";
            sep = " && ";
        }
        for (const auto& group : any_) {
            out << sep << "any_of(" << detail::join_tags(group) << ")";
            sep = " && ";
        }
        if (!none_.empty()) out << sep << "none_of(" << detail::join_tags(none_) << ")";
        return out.str();
    }

    /// The filter of one all_of clause.
    template <class = void>
    static tag_filter make_all_of(std::vector<tag> tags) {
        tag_filter f;
        f.all_ = std::move(tags);
        detail::normalise_tags(f.all_);
        return f;
    }
    /// The filter of one any_of clause.
    template <class = void>
    static tag_filter make_any_of(std::vector<tag> tags) {
        tag_filter f;
        detail::normalise_tags(tags);
        f.any_.push_back(std::move(tags));
        return f;
    }
    /// The filter of one none_of clause.
    template <class = void>
    static tag_filter make_none_of(std::vector<tag> tags) {
        tag_filter f;
        f.none_ = std::move(tags);
        detail::normalise_tags(f.none_);
        return f;
    }

private:
    /// Why sorted `tags` fail the filter (the first failing clause, in words), or "".
    template <class Tags>
    std::string why_not(const Tags& tags) const {
        if (const tag* missing = first_missing(tags)) return (detail::text() << "lacks " << missing->text() << " (all_of)").str();
        if (const std::vector<tag>* group = first_unmet(tags))
            return (detail::text() << "has none of " << detail::join_tags(*group) << " (any_of)").str();
        if (const tag* present = first_excluded(tags)) return (detail::text() << "has " << present->text() << " (none_of)").str();
        return {};
    }

    template <class Tags>
    const tag* first_missing(const Tags& tags) const noexcept {
        for (const tag& t : all_)
            if (!detail::has_tag(tags, t.text())) return &t;
        return nullptr;
    }
    template <class Tags>
    const std::vector<tag>* first_unmet(const Tags& tags) const noexcept {
        for (const auto& group : any_) {
            bool met = false;
            for (const tag& t : group) met = met || detail::has_tag(tags, t.text());
            if (!met) return &group;
        }
        return nullptr;
    }
    template <class Tags>
    const tag* first_excluded(const Tags& tags) const noexcept {
        for (const tag& t : none_)
            if (detail::has_tag(tags, t.text())) return &t;
        return nullptr;
    }
    template <class Tags>
    bool passes(const Tags& tags) const noexcept {
        return first_missing(tags) == nullptr && first_unmet(tags) == nullptr && first_excluded(tags) == nullptr;
    }

    std::vector<tag> all_;
    std::vector<std::vector<tag>> any_;
    std::vector<tag> none_;

    template <class, class...>
    friend class tagged_registry;
};

/// Building tag filters: `tags::all_of({"tier=auth"}) && tags::none_of({"experimental"})`.
namespace tags {
/// Entries carrying every one of `t`.
template <class = void>
tag_filter all_of(std::vector<tag> t) { return tag_filter::make_all_of(std::move(t)); }
/// Entries carrying at least one of `t` (none, if `t` is empty).
template <class = void>
tag_filter any_of(std::vector<tag> t) { return tag_filter::make_any_of(std::move(t)); }
/// Entries carrying none of `t`.
template <class = void>
tag_filter none_of(std::vector<tag> t) { return tag_filter::make_none_of(std::move(t)); }
/// Entries carrying `t`: all_of({t}).
template <class = void>
tag_filter has(tag t) { return tag_filter::make_all_of(std::vector<tag>{std::move(t)}); }
/// Every entry.
template <class = void>
tag_filter any() { return tag_filter(); }
} // namespace tags

/// One registered entry, as explain() judged it against a filter.
struct tag_candidate {
    std::string key;       ///< its key
    source_location where; ///< where it was added
    int priority = 0;      ///< its priority
    std::string tags;      ///< its tags, "a, b, c"
    bool matches = false;  ///< it passes the filter
    std::size_t position = 0; ///< its place in the chain (0 first) when it matches
    std::string why;       ///< "matches", or the first clause that excludes it
};

/// What explain() returns: the filter and every entry with a verdict,
/// matching entries first in chain order, then the others by key.
struct tag_explanation {
    std::string filter;                      ///< the filter's text()
    std::string order;                       ///< how ties are broken: "priority, then key" or "priority, then registration"
    std::vector<tag_candidate> candidates;   ///< every entry
    std::size_t matched = 0;                 ///< how many match

    /// A readable, multi-line rendering.
    template <class = void>
    std::string text() const {
        detail::text out;
        out << filter << ": " << matched << " of " << candidates.size() << " entr" << (candidates.size() == 1 ? "y" : "ies")
            << " match, in chain order (" << order << ")";
        for (const tag_candidate& c : candidates) {
            out << "\n  ";
            if (c.matches) out << (c.position + 1) << ". ";
            else out << "- ";
            out << c.key << " [" << c.tags << "] priority " << std::to_string(c.priority) << " (added at "
                << detail::describe(c.where) << "): " << c.why;
        }
        return out.str();
    }
};

/// The tagged registry. `Value`: any movable type (copyable for get()).
/// `Policies`: the core's (roster/policies.hpp) and tie_break::, in any order.
template <class Value, class... Policies>
class tagged_registry : private basic_registry<std::string, tagged_entry<Value>, Policies...> {
    using core = basic_registry<std::string, tagged_entry<Value>, Policies...>;
    using typename core::entry;
    using typename core::map_type;
    using entry_data = typename tagged_entry<Value>::data;

    static_assert(detail::count_in_category<policy_category::tie_break, Policies...> <= 1,
                  "roster::tagged_registry: more than one tie_break:: policy given");

public:
    /// The key type.
    using key_type = std::string;
    /// What is stored under each key: the value with its tags and priority.
    using value_type = tagged_entry<Value>;
    using mapped_value_type = Value; ///< the Value stored in each entry
    /// How entries of equal priority are ordered (tie_break::key by default).
    using tie_break_policy = detail::select_policy_t<policy_category::tie_break, tie_break::key, Policies...>;
    using typename core::add_result;
    using typename core::counters_policy;
    using typename core::duplicate_policy;
    using typename core::event_type;
    using typename core::listing_policy;
    using typename core::locking_policy;
    using typename core::lookup_type;
    using typename core::null_policy;
    using typename core::registration;
    using typename core::storage_policy;

    /// An empty registry called `name` (used in every message), created at `where`.
    /// @throws duplicate_key_error under listing::listed if the name is taken.
    explicit tagged_registry(std::string registry_name = "tagged_registry",
                             source_location where = source_location::current())
        : core(std::move(registry_name), where) {}

    tagged_registry(const tagged_registry&) = delete;
    tagged_registry& operator=(const tagged_registry&) = delete;
    ~tagged_registry() { delete index_.load(std::memory_order_acquire); }

    // ----------------------------------------------------------------- add

    /// Registers `value` under `key` with `tags` (written "key=value" or
    /// "label"; repeats are dropped) and `priority` (higher first in a chain).
    /// @returns the core's add_result: its handle() removes this entry.
    /// @throws invalid_key_error for a malformed key, or a malformed tag (the
    ///         message names the tag): empty, an empty key or value, a
    ///         control character; null_value_error for a null value
    ///         (on_null::reject); duplicate_key_error for a key already
    ///         registered (per the on_duplicate:: policy); frozen_error after
    ///         freeze().
    /// Strong guarantee. Average O(1) plus O(t log t) for t tags.
    add_result add(std::string key, Value value, std::vector<tag> tags = {}, int priority = 0,
                   source_location where = source_location::current()) {
        add_result outcome = try_add(std::move(key), std::move(value), std::move(tags), priority, where);
        if (outcome.status() == add_status::refused &&
            (outcome.error().code != errc::duplicate_key || duplicate_policy::raises_refusal)) {
            raise(outcome.error());
        }
        return outcome;
    }

    /// add() that never raises a roster error: every refusal is in the result.
    [[nodiscard]] add_result try_add(std::string key, Value value, std::vector<tag> tags = {}, int priority = 0,
                                     source_location where = source_location::current()) {
        if (const std::string_view reason = key_traits<std::string>::validate(key); !reason.empty())
            return core::refused(detail::invalid_key_message(this->name(), detail::describe_key(key), reason, where));
        for (const tag& t : tags) {
            if (std::string problem = detail::tag_problem(t); !problem.empty())
                return core::refused(detail::invalid_key_message(this->name(), detail::describe_key(key), problem, where));
        }
        value_type stored(key, std::move(value), std::move(tags), priority);
        return core::try_add(std::move(key), std::move(stored), where);
    }

    // ------------------------------------------------------------- queries

    /// The entries that pass `filter`, in chain order (priority, higher
    /// first, then the tie_break:: policy's order). Once frozen: lock-free,
    /// through the index, allocating only the vector (entries point into the
    /// registry without a reference count: @warning valid only as long as
    /// the registry); before: a scan under the read lock (the entries are
    /// shared copies, valid even if removed meanwhile).
    std::vector<value_type> matching(const tag_filter& filter) const {
        std::vector<value_type> out;
        if (const index* idx = index_.load(std::memory_order_acquire)) {
            out.reserve(idx->bound(filter));
            idx->walk(filter, [&](const entry& item) {
                out.push_back(shared_view(item));
                return true;
            });
            return out;
        }
        this->read([&](const map_type& map) {
            const std::vector<const entry*> found = scan(map, filter);
            out.reserve(found.size());
            for (const entry* item : found) out.push_back(item->value);
            return 0;
        });
        return out;
    }

    /// Calls `f(const tagged_entry<Value>&)` on each entry that passes
    /// `filter`, in chain order, without copying it; if f returns bool,
    /// false stops the walk. Returns how many times f was called. Once
    /// frozen: lock-free and allocation-free; before: a scan under the read
    /// lock (which f runs under). @warning f must not mutate this registry.
    template <class F>
    std::size_t for_each_matching(const tag_filter& filter, F&& f) const {
        std::size_t calls = 0;
        const auto call = [&](const entry& item) {
            ++calls;
            if constexpr (std::is_same_v<std::invoke_result_t<F&, const value_type&>, bool>) {
                return static_cast<bool>(f(item.value));
            } else {
                f(item.value);
                return true;
            }
        };
        if (const index* idx = index_.load(std::memory_order_acquire)) {
            idx->walk(filter, call);
            return calls;
        }
        this->read([&](const map_type& map) {
            for (const entry* item : scan(map, filter))
                if (!call(*item)) break;
            return 0;
        });
        return calls;
    }

    /// Every entry judged against `filter`: whether it matches and its place
    /// in the chain, or the first clause that excludes it. A diagnostic:
    /// allocates; counts nothing.
    tag_explanation explain(const tag_filter& filter) const {
        tag_explanation out;
        out.filter = filter.text();
        out.order = tie_break_policy::by_registration ? "priority, then registration" : "priority, then key";
        this->read([&](const map_type& map) {
            std::vector<const entry*> all;
            all.reserve(map.size());
            for (const auto& item : map) all.push_back(&item.second);
            std::sort(all.begin(), all.end(), chain_before);
            for (const entry* item : all) {
                const value_type& e = item->value;
                tag_candidate c{e.key(), item->where, e.priority(), detail::join_tags(e.tags()), false, 0, {}};
                c.why = filter.why_not(e.tags());
                if (c.why.empty()) {
                    c.matches = true;
                    c.position = out.matched++;
                    c.why = "matches";
                }
                out.candidates.push_back(std::move(c));
            }
            return 0;
        });
        std::stable_sort(out.candidates.begin(), out.candidates.end(),
                         [](const tag_candidate& a, const tag_candidate& b) {
                             if (a.matches != b.matches) return a.matches;
                             return a.matches ? a.position < b.position : a.key < b.key;
                         });
        return out;
    }

    // -------------------------------------------------------------- freeze

    /// Freezes the registry (every later add or remove is refused with
    /// frozen_error, naming `where`) and builds the tag index that queries
    /// use from then on without a lock. Idempotent; thread safe. O(n log n
    /// + total tags × log).
    void freeze(source_location where = source_location::current()) {
        core::freeze(where);
        if (index_.load(std::memory_order_acquire) != nullptr) return;
        auto built = std::make_unique<index>();
        this->read([&](const map_type& map) { // frozen: no lock, nothing changes any more
            built->build(map);
            return 0;
        });
        const index* expected = nullptr;
        if (index_.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel)) built.release();
    }

    // ---------------------------------------------------- the core's members

    using core::at;         // the entry under a key, or not_found_error with the nearest keys
    using core::contains;   // whether a key is registered
    using core::created_at; // where the registry was constructed
    using core::empty;
    using core::for_each; // every (key, entry), unspecified order
    using core::frozen;
    using core::frozen_at;
    using core::get; // a shared copy of the entry under a key, or std::nullopt
    using core::location;
    using core::lookups; // hits and misses of key lookups (only with a counters:: policy)
    using core::name;
    using core::names;  // the keys, sorted
    using core::remove; // removes by key (before freeze)
    using core::report; // one entry per key, with per-key hits under counters::per_key
    using core::size;
    using core::state;
    using core::subscribe; // change events: an entry added, replaced or removed (roster/events.hpp)
    using core::try_at;
    using core::try_remove;
    using core::visit; // runs f(const tagged_entry<Value>&) on the entry under a key, no copy

private:
    /// Whether `a` comes before `b` in a chain.
    static bool chain_before(const entry* a, const entry* b) noexcept {
        const int pa = a->value.priority();
        const int pb = b->value.priority();
        if (pa != pb) return pa > pb;
        if constexpr (tie_break_policy::by_registration) return a->id < b->id;
        else return a->value.key() < b->value.key();
    }

    /// The entries of `map` passing `filter`, in chain order (before freeze).
    static std::vector<const entry*> scan(const map_type& map, const tag_filter& filter) {
        std::vector<const entry*> found;
        for (const auto& item : map)
            if (filter.passes(item.second.value.tags())) found.push_back(&item.second);
        std::sort(found.begin(), found.end(), chain_before);
        return found;
    }

    /// The entry for a result, pointing into the frozen registry without
    /// touching a reference count (the registry keeps it alive).
    static value_type shared_view(const entry& item) noexcept {
        value_type out;
        out.data_ = std::shared_ptr<const entry_data>(std::shared_ptr<const entry_data>(), item.value.data_.get());
        return out;
    }

    /// The frozen index: every entry in chain order, and for each tag the
    /// positions (in that order) of the entries carrying it.
    struct index {
        using rank = std::uint32_t;
        static constexpr std::size_t merge_width = 8; // any_of clauses up to this many tags merge with stack cursors
        std::vector<const entry*> ranked;
        /// One tag's posting list.
        struct posting {
            std::string_view text;   ///< the tag's text: a view into the entries
            std::vector<rank> ranks; ///< the positions of the entries carrying it, ascending
        };
        std::vector<posting> postings; ///< sorted by text

        void build(const map_type& map) {
            ranked.reserve(map.size());
            for (const auto& item : map) ranked.push_back(&item.second);
            std::sort(ranked.begin(), ranked.end(), chain_before);
            struct tagged_rank {
                std::string_view text;
                rank r;
            };
            std::vector<tagged_rank> pairs;
            for (std::size_t r = 0; r < ranked.size(); ++r)
                for (const tag& t : ranked[r]->value.tags()) pairs.push_back(tagged_rank{t.text(), static_cast<rank>(r)});
            std::sort(pairs.begin(), pairs.end(), [](const tagged_rank& a, const tagged_rank& b) {
                return a.text != b.text ? a.text < b.text : a.r < b.r;
            });
            for (const tagged_rank& p : pairs) {
                if (postings.empty() || postings.back().text != p.text) postings.push_back(posting{p.text, {}});
                postings.back().ranks.push_back(p.r);
            }
        }

        /// The positions of the entries carrying the tag `text`, or null.
        const std::vector<rank>* find(std::string_view text) const noexcept {
            const auto it = std::lower_bound(postings.begin(), postings.end(), text,
                                             [](const posting& p, std::string_view x) { return p.text < x; });
            return it != postings.end() && it->text == text ? &it->ranks : nullptr;
        }

        /// The shortest posting list among `tags` (null if one has none) and whether every tag has one.
        const std::vector<rank>* shortest(const std::vector<tag>& tags, bool& all_present) const noexcept {
            const std::vector<rank>* best = nullptr;
            all_present = true;
            for (const tag& t : tags) {
                const std::vector<rank>* list = find(t.text());
                if (list == nullptr) {
                    all_present = false;
                    return nullptr;
                }
                if (best == nullptr || list->size() < best->size()) best = list;
            }
            return best;
        }

        /// Of the any_of clauses, the one whose lists are shortest in total.
        const std::vector<tag>* cheapest_group(const tag_filter& filter, std::size_t& total) const noexcept {
            const std::vector<tag>* best = nullptr;
            total = ranked.size();
            for (const auto& group : filter.any_) {
                std::size_t sum = 0;
                for (const tag& t : group)
                    if (const std::vector<rank>* list = find(t.text())) sum += list->size();
                if (best == nullptr || sum < total) {
                    best = &group;
                    total = sum;
                }
            }
            return best;
        }

        /// An upper bound on how many entries pass `filter`.
        std::size_t bound(const tag_filter& filter) const noexcept {
            if (!filter.all_.empty()) {
                bool present = false;
                const std::vector<rank>* list = shortest(filter.all_, present);
                return present ? list->size() : 0;
            }
            std::size_t total = ranked.size();
            if (!filter.any_.empty()) (void)cheapest_group(filter, total);
            return std::min(total, ranked.size());
        }

        /// Calls `f(entry)` on each entry passing `filter`, in chain order,
        /// until f returns false. Allocates nothing.
        template <class F>
        void walk(const tag_filter& filter, F&& f) const {
            if (!filter.all_.empty()) { // drive with the rarest required tag
                bool present = false;
                const std::vector<rank>* list = shortest(filter.all_, present);
                if (!present) return;
                const bool only = filter.all_.size() == 1 && filter.any_.empty() && filter.none_.empty();
                for (const rank r : *list) {
                    const entry& item = *ranked[r];
                    if (!only && !filter.passes(item.value.tags())) continue;
                    if (!f(item)) return;
                }
                return;
            }
            if (!filter.any_.empty()) { // merge the lists of the cheapest any_of clause
                std::size_t total = 0;
                const std::vector<tag>& group = *cheapest_group(filter, total);
                const bool only = filter.any_.size() == 1 && filter.none_.empty();
                if (group.size() == 1) { // one list: walk it
                    if (const std::vector<rank>* list = find(group.front().text()))
                        for (const rank r : *list) {
                            const entry& item = *ranked[r];
                            if ((only || filter.passes(item.value.tags())) && !f(item)) return;
                        }
                    return;
                }
                if (group.size() <= merge_width) { // a k-way merge with cursors on the stack
                    const rank* at[merge_width] = {};
                    const rank* end[merge_width] = {};
                    std::size_t lists = 0;
                    for (const tag& t : group)
                        if (const std::vector<rank>* list = find(t.text()); list != nullptr && !list->empty()) {
                            at[lists] = list->data();
                            end[lists] = list->data() + list->size();
                            ++lists;
                        }
                    for (;;) {
                        rank lowest = static_cast<rank>(ranked.size());
                        for (std::size_t i = 0; i < lists; ++i)
                            if (at[i] != end[i] && *at[i] < lowest) lowest = *at[i];
                        if (lowest == ranked.size()) return;
                        for (std::size_t i = 0; i < lists; ++i) // one entry may carry several of the tags
                            if (at[i] != end[i] && *at[i] == lowest) ++at[i];
                        const entry& item = *ranked[lowest];
                        if ((only || filter.passes(item.value.tags())) && !f(item)) return;
                    }
                }
                rank next = 0; // a wide clause: the next position by binary search in each list
                for (;;) {
                    rank lowest = static_cast<rank>(ranked.size());
                    for (const tag& t : group) {
                        if (const std::vector<rank>* list = find(t.text())) {
                            const auto it = std::lower_bound(list->begin(), list->end(), next);
                            if (it != list->end() && *it < lowest) lowest = *it;
                        }
                    }
                    if (lowest == ranked.size()) return;
                    const entry& item = *ranked[lowest];
                    if ((only || filter.passes(item.value.tags())) && !f(item)) return;
                    next = lowest + 1;
                }
            }
            for (const entry* item : ranked) // no tag required: every entry, minus the excluded
                if (filter.passes(item->value.tags()) && !f(*item)) return;
        }
    };

    std::atomic<const index*> index_{nullptr}; // built by freeze()
};

ROSTER_END_NAMESPACE // namespace roster
