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
#include <cstdint>     // std::uint32_t: code points
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v
#include <utility>     // std::pair
#include <vector>      // std::vector

ROSTER_BEGIN_NAMESPACE
namespace detail {

/// Builds a message from pieces without {fmt}: the sentence frames below
/// are plain functions, and building them with fmt::format would make every
/// translation unit that includes the core instantiate fmt's machinery
/// (measured: about +40% on the cost of including roster/registry.hpp).
class text {
public:
    template <class = void>
    text& operator<<(std::string_view piece) {
        out_.append(piece);
        return *this;
    }
    template <class = void>
    text& operator<<(const char* piece) { return *this << std::string_view(piece); }
    template <class = void>
    text& operator<<(const std::string& piece) { return *this << std::string_view(piece); }
    template <class = void>
    text& operator<<(std::size_t number) {
        out_ += std::to_string(number);
        return *this;
    }
    /// A name, quoted and escaped (append_quoted, below).
    struct quoted_name {
        std::string_view value;
    };
    template <class = void>
    text& operator<<(quoted_name piece);
    /// The text built so far (moved out: use once, last).
    template <class = void>
    std::string str() {
        return std::move(out_);
    }

private:
    std::string out_;
};

/// "s" when `count` is not 1.
template <class = void>
const char* plural(std::size_t count) noexcept { return count == 1 ? "" : "s"; }

/// "file:line (in function)".
template <class = void>
std::string describe(const source_location& where) {
    const char* function = where.function_name();
    text out;
    out << where.file_name() << ":" << static_cast<std::size_t>(where.line());
    if (function != nullptr && *function != '\0') out << " (in " << function << ")";
    return out.str();
}

/// The code point of the valid UTF-8 sequence at the start of `s` and its
/// length, or length 0 when `s` does not start with one (overlong forms,
/// surrogates and code points above U+10FFFF are invalid).
struct utf8_sequence {
    std::uint32_t code_point = 0;
    std::size_t length = 0;
};
template <class = void>
utf8_sequence decode_utf8(std::string_view s) noexcept {
    if (s.empty()) return {};
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07u;
    } else {
        return {};
    }
    if (s.size() < length) return {};
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (byte(i) & 0x3Fu);
    }
    if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000)) return {}; // overlong
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return {};             // surrogate, too large
    return {cp, length};
}

/// Code points above U+007F that a message shows escaped: C1 controls,
/// line and paragraph separators, and the invisible format characters
/// (soft hyphen, zero-width and bidirectional controls, BOM), so that a name
/// cannot hide or reorder text in a log line.
template <class = void>
bool shown_escaped(std::uint32_t cp) noexcept {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/// Appends `cp` as `\u{H...}`: lower-case hex digits, no leading zeros.
template <class = void>
void append_code_point_escape(std::string& out, std::uint32_t cp) {
    constexpr char hex[] = "0123456789abcdef";
    out += "\\u{";
    bool leading = true;
    for (int shift = 20; shift >= 0; shift -= 4) {
        const std::uint32_t digit = (cp >> shift) & 0xFu;
        if (leading && digit == 0 && shift != 0) continue;
        leading = false;
        out += hex[digit];
    }
    out += '}';
}

/// Appends `s` in double quotes, escaped so that distinct strings always
/// read differently (the escaping is injective) and the result is valid
/// UTF-8: `\"` and `\\`; `\n`, `\r`, `\t`; other ASCII control bytes and
/// every byte that is not part of valid UTF-8 as `\xHH`; the code points of
/// shown_escaped() as `\u{H...}`; everything else as it is. Unlike
/// {fmt}'s `{:?}`, an invalid byte 0x85 (`\x85`) and the code point U+0085
/// (`\u{85}`) never read alike.
template <class = void>
void append_quoted(std::string& out, std::string_view s) {
    constexpr char hex[] = "0123456789abcdef";
    out += '"';
    while (!s.empty()) {
        const utf8_sequence seq = decode_utf8(s);
        const auto c = static_cast<unsigned char>(s.front());
        if (seq.length == 0 || c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            }
            s.remove_prefix(1);
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (shown_escaped(seq.code_point)) {
            append_code_point_escape(out, seq.code_point);
        } else {
            out.append(s.substr(0, seq.length));
        }
        s.remove_prefix(seq.length);
    }
    out += '"';
}

template <class>
text& text::operator<<(quoted_name piece) {
    append_quoted(out_, piece.value);
    return *this;
}

/// `s` quoted and escaped as append_quoted() does.
template <class = void>
std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_quoted(out, s);
    return out;
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
    if constexpr (key_is_text<K>) return detail::quoted(std::string_view(key));
    else if constexpr (fmt::is_formattable<K>::value) return fmt::format("{}", key);
    else return (text() << "<key of type " << type_name<K>() << ">").str();
}

/// How far the "did you mean" search goes, so that a long or hostile key
/// cannot stall a miss (it runs under the registry's read lock, in every
/// writer's way): only the first `compared_bytes` of each text are compared;
/// distances above `max_distance` are not told apart (such keys rank after
/// the near ones, alphabetically); at most `compared_keys` keys are compared
/// per miss (the rest are only counted). A miss therefore costs at most
/// compared_keys x compared_bytes x (2 x max_distance + 1) steps.
struct nearest_limits {
    static constexpr std::size_t compared_bytes = 256;
    static constexpr std::size_t max_distance = 16;
    static constexpr std::size_t compared_keys = 10000;
};

/// Levenshtein distance between the first nearest_limits::compared_bytes of
/// `a` and of `b`, computed only within a band of nearest_limits::max_distance
/// around the diagonal: the distance when it is at most max_distance, else
/// max_distance + 1. Adds the number of table cells it computed to `cells`.
/// (A template, like nearest_names, so that including the core compiles
/// none of it until a miss is worded.)
template <class View = std::string_view>
std::size_t edit_distance(View a, View b, std::size_t& cells) {
    constexpr std::size_t band = nearest_limits::max_distance;
    constexpr std::size_t far = band + 1;
    a = a.substr(0, nearest_limits::compared_bytes);
    b = b.substr(0, nearest_limits::compared_bytes);
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    if ((n > m ? n - m : m - n) > band) return far;
    // row[j] for j in [lo, hi]; cells outside the band count as `far`.
    std::vector<typename View::size_type> row(m + 1, far); // (std::size_t, spelled so it is instantiated only when used)
    for (std::size_t j = 0; j <= std::min(m, band); ++j) row[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        const std::size_t lo = i > band ? i - band : 0;
        const std::size_t hi = std::min(m, i + band);
        std::size_t diagonal = lo == 0 ? row[0] : row[lo - 1];
        if (lo == 0) row[0] = i <= band ? i : far;
        else row[lo - 1] = far;
        std::size_t best = lo == 0 ? row[0] : far;
        for (std::size_t j = lo == 0 ? 1 : lo; j <= hi; ++j) {
            const std::size_t above = row[j];
            const std::size_t value =
                std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u), far});
            row[j] = value;
            diagonal = above;
            best = std::min(best, value);
            ++cells;
        }
        if (best >= far) return far; // every path through this row is already too far
    }
    return std::min(row[m], far);
}

/// Collects registered keys and keeps the `limit` nearest to a missed key
/// (by edit distance on their text, ties broken alphabetically), within
/// nearest_limits. Only the keys it keeps are described (allocated).
template <class String = std::string>
class basic_nearest_names {
public:
    explicit basic_nearest_names(String wanted, std::size_t limit = 3) : wanted_(std::move(wanted)), limit_(limit) {}

    template <class K>
    void offer(const K& key) {
        ++seen_;
        if constexpr (key_is_formattable<K>) {
            if (seen_ > nearest_limits::compared_keys || limit_ == 0) return;
            const auto consider = [&](std::string_view text) {
                const std::size_t distance = edit_distance<std::string_view>(wanted_, text, cells_);
                // Keep the `limit_` best (distance, text) pairs, sorted.
                const auto better = [&](const kept& k) { return k.distance > distance || (k.distance == distance && k.text > text); };
                if (kept_.size() == limit_ && !better(kept_.back())) return;
                kept item{distance, String(text), describe_key(key)};
                auto at = std::find_if(kept_.begin(), kept_.end(), better);
                kept_.insert(at, std::move(item));
                if (kept_.size() > limit_) kept_.pop_back();
            };
            if constexpr (key_is_text<K>) consider(std::string_view(key));
            else consider(key_text(key));
        }
    }

    /// `; nearest: "a", "b"` or `; the registry is empty`.
    std::string suffix() {
        if (seen_ == 0) return "; the registry is empty";
        std::string out = (text() << "; " << seen_ << " registered, nearest: ").str();
        for (std::size_t i = 0; i < kept_.size(); ++i) {
            if (i != 0) out += ", ";
            out += kept_[i].described;
        }
        if (kept_.empty()) out += "(keys not printable)";
        return out;
    }

    /// Table cells the distances took so far (what nearest_limits bounds).
    std::size_t cells() const noexcept { return cells_; }

private:
    struct kept {
        std::size_t distance;
        String text;
        String described;
    };
    String wanted_;
    std::size_t limit_;
    std::size_t seen_ = 0;
    std::size_t cells_ = 0;
    std::vector<kept> kept_;
};

/// Collects registered keys and keeps the nearest to a missed key.
using nearest_names = basic_nearest_names<>;

template <class = void>
error_info duplicate_message(std::string_view registry, const std::string& key, const source_location& added,
                                    const source_location& existing) {
    return {errc::duplicate_key, (text() << "roster: registry " << text::quoted_name{registry} << ": duplicate key " << key
                                         << ": added at " << describe(added) << ", but already added at "
                                         << describe(existing))
                                            .str()};
}

template <class = void>
error_info null_message(std::string_view registry, const std::string& key, std::string_view value_type,
                               std::string_view reason, const source_location& added) {
    return {errc::null_value, (text() << "roster: registry " << text::quoted_name{registry} << ": refused a value of type "
                                      << value_type << " for key " << key << " at " << describe(added) << ": " << reason)
                                         .str()};
}

template <class = void>
error_info invalid_key_message(std::string_view registry, const std::string& key, std::string_view reason,
                                      const source_location& where) {
    return {errc::invalid_key, (text() << "roster: registry " << text::quoted_name{registry} << ": invalid key " << key << " at "
                                       << describe(where) << ": " << reason)
                                          .str()};
}

template <class = void>
error_info frozen_message(std::string_view registry, std::string_view action, const std::string& key,
                                 const source_location& where, const source_location& frozen_at) {
    return {errc::frozen, (text() << "roster: registry " << text::quoted_name{registry} << ": cannot " << action << " key " << key
                                  << " at " << describe(where) << ": the registry was frozen at " << describe(frozen_at))
                                     .str()};
}

template <class = void>
error_info not_found_message(std::string_view registry, const std::string& key, const source_location& where,
                                     std::string nearest_suffix) {
    return {errc::not_found, (text() << "roster: registry " << text::quoted_name{registry} << ": no entry for key " << key << " at "
                                     << describe(where) << nearest_suffix)
                                        .str()};
}

/// A batch (or a whole-set replacement) refused as a whole: `what` names it
/// ("a batch of 3 entries", "the replacement set of 3 entries"); every
/// problem follows on its own line, in the words of the single add.
template <class = void>
error_info batch_message(std::string_view registry, std::string_view what, const source_location& where,
                                const std::vector<std::string>& problems) {
    text out;
    out << "roster: registry " << text::quoted_name{registry} << ": refused " << what << " at " << describe(where) << ": "
        << problems.size() << " problem" << plural(problems.size()) << ", nothing was applied";
    for (const std::string& problem : problems) out << "\n  - " << problem;
    return {errc::batch_refused, out.str()};
}

/// A batch committed to a frozen registry.
template <class = void>
error_info frozen_commit_message(std::string_view registry, const source_location& where,
                                        const source_location& frozen_at) {
    return {errc::frozen, (text() << "roster: registry " << text::quoted_name{registry} << ": cannot commit a batch at "
                                  << describe(where) << ": the registry was frozen at " << describe(frozen_at))
                                     .str()};
}

/// A staged registry used before it is ready: `action` says what was
/// attempted ("look up key \"gzip\""), `why` why it is not ready.
template <class = void>
error_info not_ready_message(std::string_view registry, std::string_view action, const source_location& where,
                                    std::string_view why) {
    return {errc::not_ready, (text() << "roster: registry " << text::quoted_name{registry} << ": cannot " << action << " at "
                                     << describe(where) << ": " << why)
                                        .str()};
}

/// `roster: registry "<name>": create of key <key> at <where> failed: the
/// factory added at <added> <what happened>`.
template <class = void>
error_info factory_failed_message(std::string_view registry, const std::string& key,
                                         const source_location& where, const source_location& added,
                                         std::string_view what_happened, std::exception_ptr cause = {}) {
    return {errc::factory_failed,
            (text() << "roster: registry " << text::quoted_name{registry} << ": create of key " << key << " at " << describe(where)
                    << " failed: the factory added at " << describe(added) << " " << what_happened)
                .str(),
            std::move(cause)};
}

/// `roster: registry "<name>": no common version for <key> at <where>:
/// registered versions <...>; acceptable versions <...>` (versioned negotiate).
template <class = void>
error_info no_common_version_message(std::string_view registry, const std::string& key,
                                            const source_location& where, const std::string& registered,
                                            const std::string& acceptable) {
    return {errc::no_common_version, (text() << "roster: registry " << text::quoted_name{registry} << ": no common version for "
                                             << key << " at " << describe(where) << ": registered versions "
                                             << registered << "; acceptable versions " << acceptable)
                                                .str()};
}

/// `roster: registry "<name>": cannot add key <key> at <where>: it conflicts
/// with key <other> added at <other_where>: <why>` — two entries that would
/// both answer one lookup, neither taking precedence (handler patterns);
/// `why` gives example lookups, one sentence a line.
template <class = void>
error_info conflict_message(std::string_view registry, const std::string& key, const source_location& where,
                                   const std::string& other, const source_location& other_where, std::string_view why) {
    return {errc::conflict, (text() << "roster: registry " << text::quoted_name{registry} << ": cannot add key " << key << " at "
                                    << describe(where) << ": it conflicts with key " << other << " added at "
                                    << describe(other_where) << ":\n" << why)
                                       .str()};
}

/// A second live listed registry under a name already in the catalog.
template <class = void>
error_info listed_name_taken_message(std::string_view name, const source_location& first,
                                            const source_location& second) {
    return {errc::duplicate_key, (text() << "roster::catalog: a registry called " << text::quoted_name{name}
                                         << " is already listed: created at " << describe(first) << ", and again at "
                                         << describe(second) << "; listed registries need unique names")
                                            .str()};
}

/// The line the default listener error handler writes to stderr.
template <class = void>
std::string listener_threw_line(std::string_view registry, std::string_view kind, const std::string& key,
                                       const std::string& what) {
    return (text() << "roster: registry " << text::quoted_name{registry} << ": a change listener threw on the " << kind
                   << " event of key " << key << ": " << what << "; the exception was swallowed and delivery went on\n")
        .str();
}

/// The census' refusal: which expected keys are missing, and how to keep a
/// static library's registrations (docs/static-registration.md).
template <class = void>
error_info census_message(std::string_view registry, const source_location& where, std::size_t missing_count,
                                 std::size_t expected_count, const std::string& missing,
                                 const std::string& registered) {
    return {errc::not_found,
            (text() << "roster: registry " << text::quoted_name{registry} << ": census at " << describe(where) << ": "
                    << missing_count << " of " << expected_count << " expected " << (expected_count == 1 ? "key" : "keys")
                    << " " << (missing_count == 1 ? "is" : "are") << " missing: " << missing << " (" << registered
                    << "). If " << (missing_count == 1 ? "it is" : "they are")
                    << " registered at static initialisation from a static library, the linker dropped the object "
                       "files: link the library with roster_link_whole_archive() (CMake), or put "
                       "ROSTER_LINK_ANCHOR(name) in those files and ROSTER_USE_LINK_ANCHOR(name) in the program, or "
                       "call the library's explicit registration function (docs/static-registration.md)")
                .str()};
}

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster
