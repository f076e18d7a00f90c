// roster/detail/messages.hpp — how roster words its errors: the one home of
// every message's sentence. Internal.
//
// Every message starts with `roster: registry "<name>": ` (the catalog's
// with `roster::catalog: `) and names the key (formatted with fmt when fmt
// can format it, else by its type) and the source location(s) involved.
// Builders return roster::error_info; the registry decides whether to raise
// it or return it. A shape adds to a sentence only its own facts — a
// scoped lookup's "context: ...; scopes searched: ..." details, the reason a
// candidate did not apply (roster/scoped/registry.hpp words those, as they
// describe its own precedence) — never a sentence frame of its own: a new
// error is a new builder here.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/source_location.hpp"

#include "roster/detail/format.hpp" // {fmt}: fmt::format, fmt::is_formattable

#include <exception>   // std::exception_ptr: a factory's own exception
#include <algorithm>   // std::min, std::sort
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v
#include <utility>     // std::pair
#include <vector>      // std::vector

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// "file:line (in function)".
inline std::string describe(const source_location& where) {
    const char* function = where.function_name();
    if (function == nullptr || *function == '\0')
        return fmt::format("{}:{}", where.file_name(), where.line());
    return fmt::format("{}:{} (in {})", where.file_name(), where.line(), function);
}

template <class K>
inline constexpr bool key_is_text = std::is_convertible_v<const K&, std::string_view>;

template <class K>
inline constexpr bool key_is_formattable = key_is_text<K> || fmt::is_formattable<K>::value;

/// The key as plain text (unquoted), for distance computations and names;
/// empty when the key type cannot be formatted.
template <class K>
std::string key_text(const K& key) {
    if constexpr (key_is_text<K>) return std::string(std::string_view(key));
    else if constexpr (fmt::is_formattable<K>::value) return fmt::format("{}", key);
    else return {};
}

/// The key as it appears in messages: strings quoted and escaped ("gzip"),
/// other formattable keys as fmt formats them, others as
/// `<key of type T>`.
template <class K>
std::string describe_key(const K& key) {
    if constexpr (key_is_text<K>) return fmt::format("{:?}", std::string_view(key));
    else if constexpr (fmt::is_formattable<K>::value) return fmt::format("{}", key);
    else return fmt::format("<key of type {}>", type_name<K>());
}

/// Levenshtein distance, for "did you mean".
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// Collects registered keys and keeps the `limit` nearest to a missed key
/// (by edit distance on their text, ties broken alphabetically).
class nearest_names {
public:
    explicit nearest_names(std::string wanted, std::size_t limit = 3) : wanted_(std::move(wanted)), limit_(limit) {}

    template <class K>
    void offer(const K& key) {
        ++seen_;
        if constexpr (key_is_formattable<K>) {
            std::string text = key_text(key);
            const std::size_t distance = edit_distance(wanted_, text);
            candidates_.emplace_back(distance, describe_key(key));
        }
    }

    /// `; nearest: "a", "b"` or `; the registry is empty`.
    std::string suffix() {
        if (seen_ == 0) return "; the registry is empty";
        std::sort(candidates_.begin(), candidates_.end());
        std::string out = fmt::format("; {} registered, nearest: ", seen_);
        const std::size_t shown = std::min(limit_, candidates_.size());
        for (std::size_t i = 0; i < shown; ++i) {
            if (i != 0) out += ", ";
            out += candidates_[i].second;
        }
        if (shown == 0) out += "(keys not printable)";
        return out;
    }

private:
    std::string wanted_;
    std::size_t limit_;
    std::size_t seen_ = 0;
    std::vector<std::pair<std::size_t, std::string>> candidates_;
};

inline error_info duplicate_message(std::string_view registry, const std::string& key, const source_location& added,
                                    const source_location& existing) {
    return {errc::duplicate_key,
            fmt::format("roster: registry \"{}\": duplicate key {}: added at {}, but already added at {}", registry,
                        key, describe(added), describe(existing))};
}

inline error_info null_message(std::string_view registry, const std::string& key, std::string_view value_type,
                               std::string_view reason, const source_location& added) {
    return {errc::null_value, fmt::format("roster: registry \"{}\": refused a value of type {} for key {} at {}: {}",
                                          registry, value_type, key, describe(added), reason)};
}

inline error_info invalid_key_message(std::string_view registry, const std::string& key, std::string_view reason,
                                      const source_location& where) {
    return {errc::invalid_key,
            fmt::format("roster: registry \"{}\": invalid key {} at {}: {}", registry, key, describe(where), reason)};
}

inline error_info frozen_message(std::string_view registry, std::string_view action, const std::string& key,
                                 const source_location& where, const source_location& frozen_at) {
    return {errc::frozen, fmt::format("roster: registry \"{}\": cannot {} key {} at {}: the registry was frozen at {}",
                                      registry, action, key, describe(where), describe(frozen_at))};
}

inline error_info not_found_message(std::string_view registry, const std::string& key, const source_location& where,
                                     std::string nearest_suffix) {
    return {errc::not_found, fmt::format("roster: registry \"{}\": no entry for key {} at {}{}", registry,
                                         key, describe(where), nearest_suffix)};
}

/// A batch (or a whole-set replacement) refused as a whole: `what` names it
/// ("a batch of 3 entries", "the replacement set of 3 entries"); every
/// problem follows on its own line, in the words of the single add.
inline error_info batch_message(std::string_view registry, std::string_view what, const source_location& where,
                                const std::vector<std::string>& problems) {
    std::string text = fmt::format("roster: registry \"{}\": refused {} at {}: {} problem{}, nothing was applied",
                                   registry, what, describe(where), problems.size(), problems.size() == 1 ? "" : "s");
    for (const std::string& problem : problems) {
        text += "\n  - ";
        text += problem;
    }
    return {errc::batch_refused, std::move(text)};
}

/// A batch committed to a frozen registry.
inline error_info frozen_commit_message(std::string_view registry, const source_location& where,
                                        const source_location& frozen_at) {
    return {errc::frozen, fmt::format("roster: registry \"{}\": cannot commit a batch at {}: the registry was frozen at {}",
                                      registry, describe(where), describe(frozen_at))};
}

/// A staged registry used before it is ready: `action` says what was
/// attempted ("look up key \"gzip\""), `why` why it is not ready.
inline error_info not_ready_message(std::string_view registry, std::string_view action, const source_location& where,
                                    std::string_view why) {
    return {errc::not_ready,
            fmt::format("roster: registry \"{}\": cannot {} at {}: {}", registry, action, describe(where), why)};
}

/// `roster: registry "<name>": create of key <key> at <where> failed: the
/// factory added at <added> <what happened>`.
inline error_info factory_failed_message(std::string_view registry, const std::string& key,
                                         const source_location& where, const source_location& added,
                                         std::string_view what_happened, std::exception_ptr cause = {}) {
    return {errc::factory_failed,
            fmt::format("roster: registry \"{}\": create of key {} at {} failed: the factory added at {} {}", registry,
                        key, describe(where), describe(added), what_happened),
            std::move(cause)};
}

/// `roster: registry "<name>": no common version for <key> at <where>:
/// registered versions <...>; acceptable versions <...>` (versioned negotiate).
inline error_info no_common_version_message(std::string_view registry, const std::string& key,
                                            const source_location& where, const std::string& registered,
                                            const std::string& acceptable) {
    return {errc::no_common_version,
            fmt::format("roster: registry \"{}\": no common version for {} at {}: registered versions {}; "
                        "acceptable versions {}",
                        registry, key, describe(where), registered, acceptable)};
}

/// A second live listed registry under a name already in the catalog.
inline error_info listed_name_taken_message(std::string_view name, const source_location& first,
                                            const source_location& second) {
    return {errc::duplicate_key,
            fmt::format("roster::catalog: a registry called \"{}\" is already listed: created at {}, and again at "
                        "{}; listed registries need unique names",
                        name, describe(first), describe(second))};
}

/// The line the default listener error handler writes to stderr.
inline std::string listener_threw_line(std::string_view registry, std::string_view kind, const std::string& key,
                                       const std::string& what) {
    return fmt::format("roster: registry \"{}\": a change listener threw on the {} event of key {}: {}; the "
                       "exception was swallowed and delivery went on\n",
                       registry, kind, key, what);
}

/// The census' refusal: which expected keys are missing, and how to keep a
/// static library's registrations (docs/static-registration.md).
inline error_info census_message(std::string_view registry, const source_location& where, std::size_t missing_count,
                                 std::size_t expected_count, const std::string& missing,
                                 const std::string& registered) {
    return {errc::not_found,
            fmt::format("roster: registry \"{}\": census at {}: {} of {} expected {} {} missing: {} ({}). "
                        "If {} registered at static initialisation from a static library, the linker dropped "
                        "the object files: link the library with roster_link_whole_archive() (CMake), or put "
                        "ROSTER_LINK_ANCHOR(name) in those files and ROSTER_USE_LINK_ANCHOR(name) in the "
                        "program, or call the library's explicit registration function "
                        "(docs/static-registration.md)",
                        registry, describe(where), missing_count, expected_count, expected_count == 1 ? "key" : "keys",
                        missing_count == 1 ? "is" : "are", missing, registered,
                        missing_count == 1 ? "it is" : "they are")};
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
