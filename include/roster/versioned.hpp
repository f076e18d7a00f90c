// roster/versioned.hpp — roster::basic_versioned_registry, a registry keyed by
// (name, version), with pinned, latest and negotiated lookups, and its alias
// roster::versioned_registry<Version, Value> for std::string names.
//
// When one name has several coexisting implementations — wire-protocol
// revisions, schema generations, codec versions during a rollout — register
// each under (name, version) and look it up pinned (get, at), latest
// (latest), or by negotiation: the caller lists the versions it supports and
// gets the highest one both sides have (hashicorp/go-plugin's rule).
//
//   roster::versioned_registry<int, std::shared_ptr<const codec>> codecs{"codecs"};
//   codecs.add("zstd", 1, std::make_shared<zstd_v1>());       // records file:line
//   codecs.add("zstd", 2, std::make_shared<zstd_v2>());
//   auto newest = codecs.latest("zstd");                      // zstd_v2
//   auto [version, impl] = codecs.negotiate("zstd", {1, 3});  // version 1
//
// It is the core roster::basic_registry, keyed by roster::versioned_key and
// stored ordered (storage::ordered), so every core guarantee holds: same
// policies (on_duplicate applies per (name, version)), same add results and
// handles, same freeze, same messages (keys print as "name"@version).
//
// Guarantees
// - Thread safety (default locking::shared_mutex): every member may be called
//   concurrently. Reads (get, at, latest, latest_version, versions, negotiate,
//   contains, location, visit, names, for_each, size, ...) run under the
//   core's read lock, each in ONE critical section: latest() returns the
//   value of the version that was highest at one instant, negotiate() a
//   version together with that version's value. Mutations take the exclusive
//   lock. After freeze() reads take no lock at all. With locking::none
//   nothing is synchronised.
// - Exception safety: strong, as the core's. A refused mutation changes
//   nothing; lookups never change anything.
// - Nothing escapes: values are returned by copy (or seen through visit()
//   under the read lock), versions and names as copies.
// - Heterogeneous lookup: for std::string names every lookup takes the name as
//   a std::string_view and builds no std::string (no allocation to find an
//   entry; get/latest then copy the value, negotiate the version and value).
// - Ordering: a name's versions are kept sorted by Version's ordering;
//   versions() is ascending and for_each() visits entries by (name, version).
//
// Complexity (n entries, k versions of the looked-up name, a acceptable
// versions): add, remove, get, at, contains, location, latest,
// latest_version: O(log n). versions(): O(log n + k). negotiate():
// O(a log n). names(), for_each(): O(n). A miss reported by at/latest/
// negotiate/remove visits every entry to list the nearest names.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/storage.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/ordered.hpp" // storage::ordered: the versions of a name, sorted
#include "roster/policies.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include "roster/detail/format.hpp" // {fmt}: fmt::formatter, fmt::format: keys print as "name"@version

#include <algorithm>        // std::copy: formatter output
#include <compare>          // std::weak_ordering, std::three_way_comparable
#include <concepts>         // std::totally_ordered, std::copy_constructible
#include <cstddef>          // std::size_t
#include <functional>       // std::hash, std::equal_to
#include <initializer_list> // negotiate(name, {1, 2, 3})
#include <iterator>         // std::prev
#include <optional>         // std::optional
#include <span>             // std::span: the caller's acceptable versions
#include <string>           // std::string: names, messages
#include <string_view>      // std::string_view
#include <type_traits>      // std::remove_cvref_t
#include <utility>          // std::move, std::forward
#include <vector>           // versions(), names()

ROSTER_BEGIN_NAMESPACE

template <class Name, class Version>
struct versioned_key;

/// A (name, version) to look up with, borrowing both: the lookup_type of a
/// versioned registry. `NameLookup` is std::string_view for std::string
/// names (so a lookup builds no std::string), `const Name&` otherwise.
/// @warning holds references: use it only within the full expression.
template <class NameLookup, class Version>
struct versioned_key_view {
    NameLookup name;        ///< the name, borrowed
    const Version& version; ///< the version, borrowed
};

namespace detail {

/// The name as lookups take it: std::string_view for std::string names.
template <class Name>
using name_lookup_t = typename key_lookup<Name>::type;

/// The name as compared: std::string_view for std::string names, else Name.
template <class Name>
using name_view_t = std::remove_cvref_t<name_lookup_t<Name>>;

/// A name alone, compared against keys by name only, so that every version
/// of the name is equivalent to it: map.equal_range(probe) is that name's
/// versions, in order.
template <class NameLookup>
struct versioned_name_probe {
    NameLookup name;
};

/// a <=> b as a std::weak_ordering; synthesised from < for types without a
/// usable operator<=>.
template <class T>
constexpr std::weak_ordering weak_compare(const T& a, const T& b) {
    if constexpr (std::three_way_comparable<T, std::weak_ordering>) {
        return a <=> b;
    } else {
        if (a < b) return std::weak_ordering::less;
        if (b < a) return std::weak_ordering::greater;
        return std::weak_ordering::equivalent;
    }
}

} // namespace detail

/// The key of a versioned registry: a name and a version, ordered by name,
/// then version. Also ordered against versioned_key_view (a borrowed
/// (name, version)) and against a name alone, so that all versions of one
/// name form a contiguous range found without building a key.
///
/// With {fmt} (roster specialises fmt::formatter for it, and for
/// versioned_key_view), a key prints as "name"@version, e.g. "codec"@3, when
/// its version (and a name that is not text) is formattable; otherwise
/// messages fall back to `<key of type ...>`.
///
/// @tparam Name    totally ordered; std::string names compare as
///                 std::string_view.
/// @tparam Version totally ordered (integers, a struct with operator<=>, ...).
template <class Name, class Version>
struct versioned_key {
    Name name;       ///< the name
    Version version; ///< the version of that name

    /// How names compare: std::string_view for std::string names, else Name.
    using name_view = detail::name_view_t<Name>;
    /// The borrowed (name, version) lookups use.
    using view_type = versioned_key_view<detail::name_lookup_t<Name>, Version>;
    /// A name alone (internal): equivalent to every version of that name.
    using probe_type = detail::versioned_name_probe<detail::name_lookup_t<Name>>;

    /// Same name and same version (==).
    friend bool operator==(const versioned_key&, const versioned_key&) = default;
    /// Same name and same version as a borrowed (name, version).
    friend bool operator==(const versioned_key& a, const view_type& b) {
        return static_cast<const name_view&>(a.name) == b.name && a.version == b.version;
    }

    /// By name, then by version.
    friend std::weak_ordering operator<=>(const versioned_key& a, const versioned_key& b) {
        return compare(a.name, b.name, a.version, b.version);
    }
    /// By name, then by version, against a borrowed (name, version).
    friend std::weak_ordering operator<=>(const versioned_key& a, const view_type& b) {
        return compare(a.name, b.name, a.version, b.version);
    }
    /// By name only: every version of b.name is equivalent to the probe.
    friend std::weak_ordering operator<=>(const versioned_key& a, const probe_type& b) {
        return detail::weak_compare<name_view>(a.name, b.name);
    }

private:
    static std::weak_ordering compare(const name_view& a_name, const name_view& b_name, const Version& a_version,
                                      const Version& b_version) {
        if (const std::weak_ordering by_name = detail::weak_compare<name_view>(a_name, b_name); by_name != 0)
            return by_name;
        return detail::weak_compare<Version>(a_version, b_version);
    }
};

/// The outcome of a negotiation: the version both sides support, and the
/// value registered under it (read together, in one critical section).
template <class Version, class Value>
struct negotiated {
    Version version; ///< the highest version both sides support
    Value value;     ///< a copy of the value registered under it
};

/// Versioned keys are valid when their name is (std::string names: not empty,
/// no control character) and their version is.
template <class Name, class Version>
struct key_traits<versioned_key<Name, Version>> {
    /// The name's reason for refusal if it has one, else the version's;
    /// empty when both are valid.
    static constexpr std::string_view validate(const versioned_key<Name, Version>& key) {
        if (const std::string_view reason = key_traits<Name>::validate(key.name); !reason.empty()) return reason;
        return key_traits<Version>::validate(key.version);
    }
};

namespace detail {

/// Transparent hash of a versioned key or view (for a core registry keyed
/// by versioned_key with storage::hashed; needs std::hash<Version>).
template <class Name, class Version>
struct versioned_key_hash {
    using is_transparent = void;
    std::size_t operator()(const versioned_key<Name, Version>& key) const { return combine(key.name, key.version); }
    std::size_t operator()(const typename versioned_key<Name, Version>::view_type& key) const {
        return combine(key.name, key.version);
    }

private:
    static std::size_t combine(const name_view_t<Name>& name, const Version& version) {
        const std::size_t seed = typename key_lookup<Name>::hash{}(name);
        constexpr auto golden = static_cast<std::size_t>(0x9e3779b97f4a7c15ULL);
        return seed ^ (std::hash<Version>{}(version) + golden + (seed << 6) + (seed >> 2));
    }
};

/// Lookups of a versioned key take a versioned_key_view: no Name is built.
template <class Name, class Version>
struct key_lookup<versioned_key<Name, Version>, false> {
    using type = versioned_key_view<name_lookup_t<Name>, Version>;
    using hash = versioned_key_hash<Name, Version>;
    using equal = std::equal_to<>;
};

template <class Name, class Version>
inline constexpr bool versioned_formattable =
    key_is_formattable<std::remove_cvref_t<Name>> && fmt::is_formattable<Version>::value;

/// "name"@version (text names quoted and escaped).
template <class NameLike, class Version>
std::string format_versioned(const NameLike& name, const Version& version) {
    if constexpr (key_is_text<NameLike>) return fmt::format("{}@{}", detail::quoted(std::string_view(name)), version);
    else return fmt::format("{}@{}", name, version);
}

/// "1, 2, 3" for formattable versions, "(none)" for none, else
/// "(3 of type T, not printable)".
template <class Version, class Iterator, class Project>
std::string describe_versions(Iterator first, Iterator last, Project project) {
    std::string out;
    std::size_t count = 0;
    for (; first != last; ++first, ++count) {
        if constexpr (fmt::is_formattable<Version>::value) {
            if (count != 0) out += ", ";
            out += fmt::format("{}", project(*first));
        }
    }
    (void)project; // unused when Version is not formattable
    if (count == 0) return "(none)";
    if constexpr (!fmt::is_formattable<Version>::value)
        out = fmt::format("({} of type {}, not printable)", count, type_name<Version>());
    return out;
}

/// The core registry a versioned registry is: ordered storage, the rest of
/// the policies as given.
template <class Name, class Version, class Value, class... Policies>
struct versioned_base {
    static_assert(count_in_category<policy_category::storage, Policies...> == 0,
                  "roster::basic_versioned_registry: do not pass a storage:: policy; a versioned registry always "
                  "stores its entries ordered (storage::ordered) so that the versions of a name are contiguous");
    static_assert(std::totally_ordered<Version>,
                  "roster::basic_versioned_registry: Version must be totally ordered (<, ==, ...), e.g. an integer "
                  "or a struct with a defaulted operator<=>");
    static_assert(std::totally_ordered<name_view_t<Name>>,
                  "roster::basic_versioned_registry: Name must be totally ordered (<, ==, ...)");
    using type = basic_registry<versioned_key<Name, Version>, Value, storage::ordered, Policies...>;
};

} // namespace detail

/// A registry of `Value`s keyed by (name, version): the core registry keyed
/// by versioned_key<Name, Version>, stored ordered, plus version-aware
/// lookups (latest, versions, negotiate).
///
/// @tparam Name     the name type; std::string (see versioned_registry) gets
///                  lookups by std::string_view. Totally ordered.
/// @tparam Version  any totally ordered type: int, a semantic-version struct
///                  with operator<=>, ... Give it an fmt::formatter to have
///                  it printed in messages.
/// @tparam Value    as for basic_registry: movable; copyable for the members
///                  that return a value.
/// @tparam Policies on_duplicate::*, on_null::*, locking::* as for
///                  basic_registry, in any order; no storage:: policy.
template <class Name, class Version, class Value, class... Policies>
class basic_versioned_registry : private detail::versioned_base<Name, Version, Value, Policies...>::type {
    using base = typename detail::versioned_base<Name, Version, Value, Policies...>::type;
    using map_type = typename base::map_type;
    using const_iterator = typename map_type::const_iterator;

public:
    using name_type = Name;       ///< the name type
    using version_type = Version; ///< the version type
    using value_type = Value;     ///< the value type
    /// versioned_key<Name, Version>: {name, version}.
    using key_type = versioned_key<Name, Version>;
    /// How lookups take a name: std::string_view for std::string names.
    using name_lookup_type = detail::name_lookup_t<Name>;
    /// versioned_key_view<name_lookup_type, Version>: the core's lookup type.
    using lookup_type = typename base::lookup_type;
    /// The on_duplicate:: policy in effect (defaults as for basic_registry).
    using duplicate_policy = typename base::duplicate_policy;
    /// The on_null:: policy in effect (defaults as for basic_registry).
    using null_policy = typename base::null_policy;
    /// The locking:: policy in effect (defaults as for basic_registry).
    using locking_policy = typename base::locking_policy;
    /// The core's handle: removes exactly the (name, version) entry it added.
    using registration = typename base::registration;
    /// The core's add outcome (status, handle, existing entry, error).
    using add_result = typename base::add_result;
    /// The entry an add found already registered: {value, where}.
    using existing_entry = typename base::existing_entry;
    /// What negotiate() returns: {version, value}.
    using negotiated_type = negotiated<Version, Value>;

    /// Creates an empty registry called `name` (used in every message),
    /// constructed at `where`.
    /// @throws duplicate_key_error under listing::listed if the name is taken.
    explicit basic_versioned_registry(std::string name = default_name(),
                                      source_location where = source_location::current())
        : base(std::move(name), where) {}

    /// Creates a registry called `name` holding a copy of `other`'s entries
    /// (values and source locations), taken under `other`'s read lock; not
    /// frozen; `other`'s handles never remove the copy's entries. O(n).
    basic_versioned_registry(const basic_versioned_registry& other, std::string name,
                             source_location where = source_location::current())
        requires std::copy_constructible<Value>
        : base(static_cast<const base&>(other), std::move(name), where) {}

    /// Neither copyable nor movable (it owns a mutex); see the named copy above.
    basic_versioned_registry(const basic_versioned_registry&) = delete;
    basic_versioned_registry& operator=(const basic_versioned_registry&) = delete;
    ~basic_versioned_registry() = default;

    /// The registry's name, as given at construction. Lock-free.
    const std::string& name() const noexcept { return base::name(); }

    // ----------------------------------------------------------------- add

    /// Adds `value` under (`name`, `version`), recording `where`. The
    /// duplicate policy applies per (name, version): other versions of the
    /// same name are never duplicates.
    ///
    /// @returns the core's add_result; its handle() removes exactly this
    ///          (name, version) entry later.
    /// @throws invalid_key_error (an empty name, or one with a control
    ///         character), null_value_error, frozen_error, duplicate_key_error
    ///         (naming both source locations) — as basic_registry::add.
    /// Strong exception guarantee. O(log n).
    add_result add(Name name, Version version, Value value, source_location where = source_location::current()) {
        return base::add(key_type{std::move(name), std::move(version)}, std::move(value), where);
    }

    /// add() that never raises a roster error: every refusal is in the
    /// result (status() == refused, error(), existing()).
    [[nodiscard]] add_result try_add(Name name, Version version, Value value,
                                     source_location where = source_location::current()) {
        return base::try_add(key_type{std::move(name), std::move(version)}, std::move(value), where);
    }

    // ------------------------------------------------------ pinned lookups

    /// A copy of the value under (`name`, `version`), or std::nullopt.
    /// Never throws a roster error; builds no Name. O(log n).
    std::optional<Value> get(name_lookup_type name, const Version& version) const
        requires std::copy_constructible<Value>
    {
        return base::get(lookup_type{name, version});
    }

    /// A copy of the value under (`name`, `version`).
    /// @throws not_found_error naming the key and `where`: for an unknown
    ///         name with the nearest registered names, for a known name with
    ///         the versions it has. O(log n); a miss O(n).
    Value at(name_lookup_type name, const Version& version, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_at(name, version, where).value();
    }

    /// at() returning the miss as a not_found error instead of throwing.
    result<Value> try_at(name_lookup_type name, const Version& version,
                         source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return base::read([&](const map_type& map) -> result<Value> {
            const auto it = map.find(lookup_type{name, version});
            if (it != map.end()) {
                base::count_hit(it->second);
                return it->second.value;
            }
            base::count_miss(lookup_type{name, version});
            return version_miss(map, name, version, where);
        });
    }

    /// Calls `f(const Value&)` on the value under (`name`, `version`) under
    /// the read lock (none once frozen), without copying it.
    /// @returns as basic_registry::visit: bool (found) if f returns void,
    ///          else std::optional of f's result.
    /// @warning f must not mutate this registry (deadlock).
    template <class F>
    auto visit(name_lookup_type name, const Version& version, F&& f) const {
        return base::visit(lookup_type{name, version}, std::forward<F>(f));
    }

    /// Whether (`name`, `version`) is registered. O(log n).
    bool contains(name_lookup_type name, const Version& version) const {
        return base::contains(lookup_type{name, version});
    }

    /// Whether any version of `name` is registered. O(log n).
    bool contains(name_lookup_type name) const {
        return base::read([&](const map_type& map) { return map.find(probe_type{name}) != map.end(); });
    }

    /// Where the entry under (`name`, `version`) was added, or std::nullopt.
    std::optional<source_location> location(name_lookup_type name, const Version& version) const {
        return base::location(lookup_type{name, version});
    }

    // ------------------------------------------------------ latest, versions

    /// A copy of the value of `name`'s highest registered version.
    /// @throws not_found_error naming `name`, `where` and the nearest
    ///         registered names if no version of `name` is registered.
    /// O(log n); a miss O(n).
    Value latest(name_lookup_type name, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_latest(name, where).value();
    }

    /// latest() returning the miss as a not_found error instead of throwing.
    result<Value> try_latest(name_lookup_type name, source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return base::read([&](const map_type& map) -> result<Value> {
            const auto it = highest(map, name);
            if (it == map.end()) {
                base::count_miss(name);
                return name_miss(map, name, where);
            }
            base::count_hit(it->second);
            return it->second.value;
        });
    }

    /// `name`'s highest registered version, or std::nullopt if it has none.
    /// Never throws a roster error; builds no message. O(log n).
    std::optional<Version> latest_version(name_lookup_type name) const {
        return base::read([&](const map_type& map) -> std::optional<Version> {
            const auto it = highest(map, name);
            if (it == map.end()) return std::nullopt;
            return it->first.version;
        });
    }

    /// `name`'s registered versions, ascending (empty for an unknown name).
    /// O(log n + k).
    std::vector<Version> versions(name_lookup_type name) const {
        return base::read([&](const map_type& map) {
            std::vector<Version> out;
            const auto [first, last] = map.equal_range(probe_type{name});
            for (auto it = first; it != last; ++it) out.push_back(it->first.version);
            return out;
        });
    }

    // ---------------------------------------------------------- negotiation

    /// Version negotiation (hashicorp/go-plugin's rule): the highest version
    /// of `name` that is both registered and in `acceptable` (the caller's
    /// supported versions, in any order, duplicates allowed), with a copy of
    /// its value, read together.
    ///
    /// @throws not_found_error (with the nearest names) if no version of
    ///         `name` is registered; no_common_version_error, naming the
    ///         registry, `name`, `where` and both sides' versions, if none of
    ///         `acceptable` is registered (also when `acceptable` is empty).
    /// O(a log n) for a acceptable versions.
    negotiated_type negotiate(name_lookup_type name, std::span<const Version> acceptable,
                              source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_negotiate(name, acceptable, where).value();
    }
    /// negotiate() with the acceptable versions in braces: {1, 2, 3}.
    negotiated_type negotiate(name_lookup_type name, std::initializer_list<Version> acceptable,
                              source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_negotiate(name, acceptable, where).value();
    }

    /// negotiate() returning its error instead of throwing.
    result<negotiated_type> try_negotiate(name_lookup_type name, std::span<const Version> acceptable,
                                          source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return negotiation<negotiated_type>(name, acceptable, where, [](const auto& item) {
            return negotiated_type{item.first.version, item.second.value};
        });
    }
    /// try_negotiate() with the acceptable versions in braces.
    result<negotiated_type> try_negotiate(name_lookup_type name, std::initializer_list<Version> acceptable,
                                          source_location where = source_location::current()) const
        requires std::copy_constructible<Value>
    {
        return try_negotiate(name, std::span<const Version>(acceptable.begin(), acceptable.size()), where);
    }

    /// negotiate() that returns only the version (copies no value, so it
    /// also works for move-only values). Same errors.
    Version negotiate_version(name_lookup_type name, std::span<const Version> acceptable,
                              source_location where = source_location::current()) const {
        return try_negotiate_version(name, acceptable, where).value();
    }
    /// negotiate_version() with the acceptable versions in braces.
    Version negotiate_version(name_lookup_type name, std::initializer_list<Version> acceptable,
                              source_location where = source_location::current()) const {
        return try_negotiate_version(name, acceptable, where).value();
    }

    /// negotiate_version() returning its error instead of throwing.
    result<Version> try_negotiate_version(name_lookup_type name, std::span<const Version> acceptable,
                                          source_location where = source_location::current()) const {
        return negotiation<Version>(name, acceptable, where, [](const auto& item) { return item.first.version; });
    }
    /// try_negotiate_version() with the acceptable versions in braces.
    result<Version> try_negotiate_version(name_lookup_type name, std::initializer_list<Version> acceptable,
                                          source_location where = source_location::current()) const {
        return try_negotiate_version(name, std::span<const Version>(acceptable.begin(), acceptable.size()), where);
    }

    // ------------------------------------------------------------ iteration

    /// Every registered name once, sorted (not one per version; use
    /// versions(name) for those, size() for the number of entries). O(n).
    std::vector<Name> names() const {
        return base::read([](const map_type& map) {
            std::vector<Name> out;
            for (const auto& item : map) {
                if (out.empty() || (item.first <=> probe_type{out.back()}) != 0) out.push_back(item.first.name);
            }
            return out;
        });
    }

    /// Calls `f(key, value)` — or `f(key, value, where)` if f accepts a
    /// source_location third — for every entry, in (name, version)
    /// ascending order, under the read lock. key is a const key_type&
    /// (key.name, key.version). @warning f must not mutate this registry.
    template <class F>
    void for_each(F&& f) const {
        base::for_each(std::forward<F>(f));
    }

    /// The number of entries: (name, version) pairs, not names.
    using base::size;
    /// Whether there are no entries.
    using base::empty;
    /// Where the registry was constructed.
    using base::created_at;
    /// The registry as plain data (see basic_registry::report()): entries keyed
    /// "name@version".
    using base::report;
    /// Hits and misses so far (with a counters:: policy; see basic_registry::lookups()).
    using base::lookups;
    /// empty, populated or frozen.
    using base::state;

    // -------------------------------------------------------------- remove

    /// Removes the entry under (`name`, `version`) — whichever registration
    /// made it; other versions of `name` stay — and returns its value.
    /// @throws frozen_error after freeze() (checked first); not_found_error
    ///         worded as at()'s if there is no such entry.
    Value remove(name_lookup_type name, const Version& version, source_location where = source_location::current()) {
        return try_remove(name, version, where).value();
    }

    /// remove() returning its error instead of throwing.
    result<Value> try_remove(name_lookup_type name, const Version& version,
                             source_location where = source_location::current()) {
        result<Value> removed = base::try_remove(lookup_type{name, version}, where);
        if (removed.has_value() || removed.error().code != errc::not_found) return removed;
        // Reword the core's miss: nearest *names*, or the versions the name has.
        return base::read([&](const map_type& map) { return version_miss(map, name, version, where); });
    }

    // ----------------------------------------------------------- lifecycle

    /// Makes the registry read-only for good (later mutations fail with
    /// frozen_error naming `where`); reads become lock-free. Idempotent.
    using base::freeze;
    /// Whether freeze() was called. One acquire load.
    using base::frozen;
    /// Where freeze() was first called, or std::nullopt.
    using base::frozen_at;

private:
    using probe_type = typename key_type::probe_type;

    static std::string default_name() {
        return fmt::format("basic_versioned_registry<{}, {}, {}>", detail::type_name<Name>(),
                           detail::type_name<Version>(), detail::type_name<Value>());
    }

    /// The entry of `name`'s highest version, or map.end().
    static const_iterator highest(const map_type& map, name_lookup_type name) {
        const auto last = map.upper_bound(probe_type{name});
        if (last == map.begin()) return map.end();
        const auto it = std::prev(last);
        return (it->first <=> probe_type{name}) == 0 ? it : map.end();
    }

    /// (name, version) as messages print it.
    static std::string describe_entry(name_lookup_type name, const Version& version) {
        if constexpr (detail::versioned_formattable<Name, Version>) {
            return detail::format_versioned(name, version);
        } else {
            return fmt::format("<key of type {}>", detail::type_name<key_type>());
        }
    }

    /// not_found for a name with no version: the nearest registered names.
    error_info name_miss(const map_type& map, name_lookup_type name, const source_location& where) const {
        return detail::not_found_message(base::name(), detail::describe_key(name), where, nearest_suffix(map, name));
    }

    /// not_found for (name, version): the nearest names if the name is
    /// unknown, else the versions it has.
    error_info version_miss(const map_type& map, name_lookup_type name, const Version& version,
                            const source_location& where) const {
        const auto [first, last] = map.equal_range(probe_type{name});
        std::string suffix = first == last
                                 ? nearest_suffix(map, name)
                                 : fmt::format("; {} has versions {}", detail::describe_key(name),
                                               detail::describe_versions<Version>(
                                                   first, last, [](const auto& item) -> const Version& {
                                                       return item.first.version;
                                                   }));
        return detail::not_found_message(base::name(), describe_entry(name, version), where, std::move(suffix));
    }

    /// `; n registered, nearest: ...` over the distinct names.
    static std::string nearest_suffix(const map_type& map, name_lookup_type name) {
        detail::nearest_names nearest(detail::key_text(name));
        const key_type* previous = nullptr;
        for (const auto& item : map) {
            if (previous == nullptr || (*previous <=> probe_type{item.first.name}) != 0) nearest.offer(item.first.name);
            previous = &item.first;
        }
        return nearest.suffix();
    }

    /// Shared by the negotiate family: finds the highest common version and
    /// makes R from its map item, or words the error.
    template <class R, class Make>
    result<R> negotiation(name_lookup_type name, std::span<const Version> acceptable, const source_location& where,
                          Make make) const {
        return base::read([&](const map_type& map) -> result<R> {
            auto best = map.end();
            for (const Version& candidate : acceptable) {
                const auto it = map.find(lookup_type{name, candidate});
                if (it != map.end() && (best == map.end() || best->first.version < it->first.version)) best = it;
            }
            if (best != map.end()) {
                base::count_hit(best->second);
                return make(*best);
            }
            base::count_miss(name);
            const auto [first, last] = map.equal_range(probe_type{name});
            if (first == last) return name_miss(map, name, where);
            return detail::no_common_version_message(
                base::name(), detail::describe_key(name), where,
                detail::describe_versions<Version>(first, last,
                                                   [](const auto& item) -> const Version& { return item.first.version; }),
                detail::describe_versions<Version>(acceptable.begin(), acceptable.end(),
                                                   [](const Version& v) -> const Version& { return v; }));
        });
    }
};

/// The common case: names are std::string, looked up by std::string_view.
template <class Version, class Value, class... Policies>
using versioned_registry = basic_versioned_registry<std::string, Version, Value, Policies...>;

ROSTER_END_NAMESPACE // namespace roster

/// @cond EXTERNAL_SPECIALISATIONS
/// Versioned keys print as "name"@version (e.g. "codec"@3) when the version
/// (and a non-text name) is formattable; otherwise messages fall back to
/// `<key of type ...>`.
template <class Name, class Version>
    requires roster::detail::versioned_formattable<Name, Version>
struct fmt::formatter<roster::versioned_key<Name, Version>> {
    constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
    template <class FormatContext>
    auto format(const roster::versioned_key<Name, Version>& key, FormatContext& ctx) const -> decltype(ctx.out()) {
        const std::string text = roster::detail::format_versioned(key.name, key.version);
        return std::copy(text.begin(), text.end(), ctx.out());
    }
};

/// A borrowed (name, version) prints like the key.
template <class NameLookup, class Version>
    requires roster::detail::versioned_formattable<NameLookup, Version>
struct fmt::formatter<roster::versioned_key_view<NameLookup, Version>> {
    constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
    template <class FormatContext>
    auto format(const roster::versioned_key_view<NameLookup, Version>& key, FormatContext& ctx) const
        -> decltype(ctx.out()) {
        const std::string text = roster::detail::format_versioned(key.name, key.version);
        return std::copy(text.begin(), text.end(), ctx.out());
    }
};
/// @endcond
