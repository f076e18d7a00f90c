// roster/handler/pattern.hpp — HTTP route patterns in the grammar of Go 1.22's
// net/http.ServeMux: parsing (errors carry the offending offset), the
// precedence relation between two patterns, conflict descriptions with
// example paths, and the path rules dispatch follows (cleaning, unescaping,
// the host's port).
//
//   #include <roster/handler/pattern.hpp>   // (roster/handler.hpp includes it)
//
// Gives:
//   roster::route_pattern          a parsed "[METHOD ][HOST]/[PATH]" pattern;
//   roster::route_pattern::parse   text -> pattern, or the offset and reason;
//   roster::route_relation         equivalent, more_general, more_specific,
//                                  disjoint, overlaps;
//   roster::compare_routes, routes_conflict, describe_route_conflict,
//   roster::route_common_path, route_difference_path;
//   roster::clean_route_path, is_clean_route_path, strip_host_port,
//   roster::path_unescape;
//   roster::max_route_wildcards    captures one pattern may have (16).
//
// Guarantees: every function is a pure function of its arguments (no global
// state, thread safe); parse never throws a roster error (a malformed pattern
// is its result); the matching helpers in roster::detail never allocate.
//
// The grammar and the precedence rules are Go's (net/http's pattern.go,
// https://pkg.go.dev/net/http#hdr-Patterns); where roster differs,
// docs/handlers.md says so and why.
//
// The functions are templates (`template <class = void>`, called as plain
// functions) only so that including this header compiles none of their
// bodies until they are used.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/bytes.hpp" // mix_word: the path hash

#include <algorithm>   // std::min
#include <bit>         // std::endian
#include <cstdint>     // std::uint64_t
#include <cstring>     // std::memcpy
#include <cstddef>     // std::size_t
#include <optional>    // std::optional: a parse's pattern
#include <string>      // std::string
#include <string_view> // std::string_view
#include <utility>     // std::move
#include <vector>      // std::vector: segments

ROSTER_BEGIN_NAMESPACE

/// The most wildcards (named and `{name...}`) one pattern may have: a match
/// keeps its captured values inline, so a hit never allocates.
inline constexpr std::size_t max_route_wildcards = 16;

/// How two patterns relate, as sets of the requests they match.
enum class route_relation {
    equivalent,    ///< both match exactly the same requests
    more_general,  ///< the first matches everything the second does, and more
    more_specific, ///< the second matches everything the first does, and more
    disjoint,      ///< no request matches both
    overlaps       ///< some request matches both, and neither is more specific
};

/// The relation's name: "equivalent", "more general", ...
constexpr const char* to_string(route_relation relation) noexcept {
    switch (relation) {
    case route_relation::equivalent: return "equivalent";
    case route_relation::more_general: return "more general";
    case route_relation::more_specific: return "more specific";
    case route_relation::disjoint: return "disjoint";
    case route_relation::overlaps: return "overlaps";
    }
    return "unknown";
}

/// One piece of a pattern's path.
///  - literal: `wild == false`; `text` is the segment unescaped ("%61" is
///    "a"), or "/" for a trailing `{$}`;
///  - `{name}`: `wild`, `text` is the name;
///  - `{name...}`: `wild` and `multi`, `text` is the name; a trailing slash
///    is an anonymous `{...}` (empty `text`).
struct route_segment {
    /// The literal text (unescaped), or the wildcard's name.
    std::string text;
    /// Whether the segment is a wildcard.
    bool wild = false;
    /// Whether the wildcard takes the rest of the path (`{name...}`).
    bool multi = false;

    /// Equal when text, wild and multi are all equal.
    friend bool operator==(const route_segment&, const route_segment&) = default;
};

struct route_parse_result;

/// A parsed pattern: `[METHOD ][HOST]/[PATH]`.
///  - METHOD: an HTTP token (RFC 9110 tchar), followed by spaces or tabs.
///    Absent: every method. `GET` also matches HEAD.
///  - HOST: everything before the first '/', matched exactly against the
///    request's host without its port. Absent: every host.
///  - PATH: '/'-separated segments, each a literal (unescaped: "%61" is "a"),
///    `{name}` (one whole segment), `{name...}` (the rest of the path, last
///    only) or `{$}` (only the trailing slash, last only). A path ending in
///    '/' matches every path below it.
///  - Wildcard names are identifiers (a letter or '_', then letters, digits,
///    '_'; bytes >= 0x80 count as letters), distinct within a pattern, at
///    most max_route_wildcards of them.
///  - A pattern with a method other than CONNECT and an unclean path ("/a/../b",
///    "//a") is refused: requests are cleaned first, so it could never match.
class route_pattern {
public:
    /// Parses `text`. Never throws a roster error; may throw std::bad_alloc.
    template <class = void>
    static route_parse_result parse(std::string_view text);

    /// The pattern as written.
    const std::string& text() const noexcept { return text_; }
    /// The pattern with the blanks after its method (spaces, tabs) written
    /// as one space: "GET\t /a" is "GET /a". The handler registry's key.
    const std::string& key() const noexcept { return key_; }
    /// The method ("" for every method).
    const std::string& method() const noexcept { return method_; }
    /// The host ("" for every host).
    const std::string& host() const noexcept { return host_; }
    /// The path's segments (see route_segment).
    const std::vector<route_segment>& segments() const noexcept { return segments_; }
    /// The named wildcards, in order: the names of a match's captured values.
    const std::vector<std::string>& wildcard_names() const noexcept { return names_; }
    /// Whether the path ends in a multi wildcard (`{name...}` or a trailing '/').
    bool ends_in_multi() const noexcept { return !segments_.empty() && segments_.back().multi; }

    /// Equal when written the same (text() compares equal).
    friend bool operator==(const route_pattern& a, const route_pattern& b) noexcept { return a.text_ == b.text_; }

private:
    std::string text_;
    std::string key_;
    std::string method_;
    std::string host_;
    std::vector<route_segment> segments_;
    std::vector<std::string> names_;
};

/// What route_pattern::parse() returns: the pattern, or where and why the
/// text is malformed.
struct route_parse_result {
    std::optional<route_pattern> pattern; ///< set on success
    std::size_t offset = 0;               ///< on failure: the offending offset in the text
    std::string reason;                   ///< on failure: what is wrong there

    /// Whether the text parsed.
    explicit operator bool() const noexcept { return pattern.has_value(); }
    /// "at offset <n>: <reason>" (empty on success).
    template <class = void>
    std::string message() const { return pattern ? std::string() : "at offset " + std::to_string(offset) + ": " + reason; }
};

// ------------------------------------------------------------ path helpers

/// `text` with %XX escapes decoded; an invalid escape leaves `text` as it is
/// (Go's url.PathUnescape fallback in the mux).
template <class = void>
std::string path_unescape(std::string_view text);

/// Whether `path` is already what clean_route_path() would make of it.
/// Never allocates.
template <class = void>
bool is_clean_route_path(std::string_view path) noexcept;

/// The canonical form of a request path: a leading '/', no "." or ".."
/// segments, no doubled slashes, the trailing slash kept (Go's cleanPath).
template <class = void>
std::string clean_route_path(std::string_view path);

/// `host` without a trailing ":port" ("example.com:8080" -> "example.com",
/// "[::1]:80" -> "::1"); unchanged if it has none or is malformed.
/// Never allocates: a view into `host`.
template <class = void>
std::string_view strip_host_port(std::string_view host) noexcept;

// -------------------------------------------------------------- relations

/// How `a`'s methods relate to `b`'s (every method > GET > HEAD).
template <class = void>
route_relation compare_route_methods(const route_pattern& a, const route_pattern& b) noexcept;
/// How `a`'s paths relate to `b`'s.
template <class = void>
route_relation compare_route_paths(const route_pattern& a, const route_pattern& b) noexcept;
/// How `a` relates to `b` by method and path (hosts aside).
template <class = void>
route_relation compare_routes(const route_pattern& a, const route_pattern& b) noexcept;
/// Whether `a` and `b` may not both be registered: the same host, and
/// equivalent or overlapping by method and path. (Different hosts never
/// conflict: a pattern with a host beats one without.)
template <class = void>
bool routes_conflict(const route_pattern& a, const route_pattern& b) noexcept;
/// Why `a` and `b` conflict, with example paths (Go's describeConflict).
/// Precondition: routes_conflict(a, b).
template <class = void>
std::string describe_route_conflict(const route_pattern& a, const route_pattern& b);
/// A path both `a` and `b` match. Precondition: their paths are not disjoint.
template <class = void>
std::string route_common_path(const route_pattern& a, const route_pattern& b);
/// A path `a` matches and `b` doesn't. Precondition: there is one.
template <class = void>
std::string route_difference_path(const route_pattern& a, const route_pattern& b);

namespace detail::route {

template <class = void>
bool is_token_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.': case '^':
    case '_': case '`': case '|': case '~': return true;
    default: return false;
    }
}

template <class = void>
bool is_valid_method(std::string_view method) noexcept {
    if (method.empty()) return false;
    for (const char c : method)
        if (!is_token_char(c)) return false;
    return true;
}

template <class = void>
bool is_valid_wildcard_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i != 0)) return false;
    }
    return true;
}

template <class = void>
int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Whether every '%' in `text` starts a valid %XX escape.
template <class = void>
bool escapes_valid(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') continue;
        if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) return false;
        i += 2;
    }
    return true;
}

/// Whether the path segment `escaped` unescapes to `literal` (an invalidly
/// escaped segment is compared as it is). Never allocates.
template <class = void>
bool segment_equals(std::string_view escaped, std::string_view literal) noexcept {
    if (escaped.find('%') == std::string_view::npos || !escapes_valid(escaped)) return escaped == literal;
    std::size_t j = 0;
    for (std::size_t i = 0; i < escaped.size(); ++i, ++j) {
        char c = escaped[i];
        if (c == '%') {
            c = static_cast<char>(hex_value(escaped[i + 1]) * 16 + hex_value(escaped[i + 2]));
            i += 2;
        }
        if (j >= literal.size() || literal[j] != c) return false;
    }
    return j == literal.size();
}

/// A request path walked segment by segment, optionally with one more '/'
/// at its end that is not in the text (the trailing-slash redirect probe).
struct path_cursor {
    std::string_view rest; ///< what is left, starting with '/' (or empty)
    bool extra_slash = false;

    bool done() const noexcept { return rest.empty() && !extra_slash; }

    /// Splits off the next segment: "/" for a trailing slash, else the text
    /// between this '/' and the next (escaped, as in the request).
    template <class = void>
    std::string_view next() noexcept {
        if (rest.empty()) { // only the extra slash is left
            extra_slash = false;
            return "/";
        }
        if (rest == "/" && !extra_slash) {
            rest = {};
            return "/";
        }
        const char* first = rest.data() + 1;
        const std::size_t left = rest.size() - 1;
        // Segments are short: look for the next '/' inline before calling memchr.
        std::size_t length = 0;
        const std::size_t inline_limit = left < 16 ? left : 16;
        while (length < inline_limit && first[length] != '/') ++length;
        if (length == 16 && left > 16) {
            const void* slash = std::memchr(first + 16, '/', left - 16);
            length = slash == nullptr ? left : static_cast<std::size_t>(static_cast<const char*>(slash) - first);
        }
        rest = std::string_view(first + length, left - length); // from the next '/', or empty
        return std::string_view(first, length);
    }
};

/// The values a match captured, inline (left uninitialised beyond `count`:
/// a match writes only what it captures).
struct captures {
    struct piece {
        const char* data;
        std::size_t size;
    };
    piece values[max_route_wildcards];
    std::size_t count = 0;
    bool recording = true; // false for the redirect probe: the extra slash is not in the text

    void push(std::string_view value) noexcept {
        if (recording && count < max_route_wildcards) values[count++] = piece{value.data(), value.size()};
    }
    std::string_view operator[](std::size_t i) const noexcept { return {values[i].data, values[i].size}; }
};

/// Whether `segments` match the path at `at`; records captured values.
template <class = void>
bool match_segments(const route_segment* first, const route_segment* last, path_cursor at,
                           captures& out) noexcept {
    for (; first != last; ++first) {
        const route_segment& s = *first;
        if (s.multi) {
            // the rest of the path, without its leading '/' (a trailing slash: empty)
            if (at.done()) return false; // it needs at least the slash before it
            if (!s.text.empty()) out.push(at.rest.empty() ? std::string_view{} : at.rest.substr(1));
            return true;
        }
        if (at.done()) return false;
        const std::string_view segment = at.next();
        if (s.wild) {
            if (segment == "/") return false; // a single wildcard doesn't match a trailing slash
            out.push(segment);
        } else if (s.text == "/") {
            if (segment != "/") return false;
        } else if (segment == "/" || !segment_equals(segment, s.text)) {
            return false;
        }
    }
    return at.done();
}

/// What one pass over a request path tells dispatch.
struct path_facts {
    bool clean = true;      ///< is_clean_route_path()
    bool plain = true;      ///< no '%': segments compare as they are, no unescaping
    std::uint64_t hash = 0; ///< hash_path(): set when clean and plain
};

/// Bytes [i, i + min(8, n - i)) of `path` as a little-endian word (zeros
/// beyond the end). Never reads past the end.
template <class = void>
std::uint64_t path_word(std::string_view path, std::size_t i) noexcept {
    const char* p = path.data() + i;
    const std::size_t take = path.size() - i;
    std::uint64_t word = 0;
    if (take >= 8) {
        std::memcpy(&word, p, 8);
        return word;
    }
    std::size_t k = 0;
    if (take & 4) {
        std::uint32_t four = 0;
        std::memcpy(&four, p, 4);
        word = four;
        k = 4;
    }
    if (take & 2) {
        std::uint16_t two = 0;
        std::memcpy(&two, p + k, 2);
        word |= std::uint64_t{two} << (8 * k);
        k += 2;
    }
    if (take & 1) word |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    return word;
}

/// The hash of a path that the frozen tree's literal tables use (eight
/// bytes a step; the length is folded in, so zero padding cannot collide).
template <class = void>
std::uint64_t hash_path(std::string_view path) noexcept {
    std::uint64_t hash = path.size();
    for (std::size_t i = 0; i < path.size(); i += 8) hash = mix_word(hash, path_word(path, i));
    return hash;
}

/// The exact test behind scan_path(), byte by byte.
template <class = void>
path_facts scan_path_slowly(std::string_view path) noexcept {
    path_facts facts;
    const std::size_t n = path.size();
    if (n == 0 || path.front() != '/') facts.clean = false;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = path[i];
        if (c == '%') facts.plain = false;
        if (c != '/' || i + 1 == n) continue;
        const char next = path[i + 1];
        if (next == '/') facts.clean = false;
        if (next == '.' && (i + 2 == n || path[i + 2] == '/' ||
                            (path[i + 2] == '.' && (i + 3 == n || path[i + 3] == '/'))))
            facts.clean = false;
    }
    if (facts.clean && facts.plain) facts.hash = hash_path(path);
    return facts;
}

/// is_clean_route_path() and the absence of '%' in one pass, eight bytes at
/// a time: a chunk with no '%', no "//" and no "/." is done in a few
/// operations; any other falls back to scan_path_slowly(). Never allocates.
template <class = void>
path_facts scan_path(std::string_view path) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    // High bit of each byte of `x` that is zero (exact: no false positives).
    const auto zero_bytes = [](std::uint64_t x) noexcept {
        return ~(((x & ~highs) + ~highs) | x) & highs;
    };
    if constexpr (std::endian::native != std::endian::little) return scan_path_slowly(path);
    const std::size_t n = path.size();
    if (n == 0 || path.front() != '/') return scan_path_slowly(path);
    std::uint64_t previous_slash = 0; // the last byte of the previous chunk was '/'
    std::uint64_t hash = n;           // hash_path(), computed on the way
    for (std::size_t i = 0; i < n; i += 8) {
        const std::uint64_t chunk = path_word(path, i); // little-endian: byte k in bits 8k..8k+7
        const std::size_t take = n - i < 8 ? n - i : 8;
        hash = mix_word(hash, chunk);
        const std::uint64_t valid = take == 8 ? highs : highs >> (8 * (8 - take));
        const std::uint64_t percent = zero_bytes(chunk ^ (ones * '%')) & valid;
        const std::uint64_t slash = zero_bytes(chunk ^ (ones * '/')) & valid;
        const std::uint64_t dot = zero_bytes(chunk ^ (ones * '.')) & valid;
        // A '/' or '.' right after a '/': in this chunk, or first byte after the previous one.
        const std::uint64_t after_slash = (slash << 8) | previous_slash;
        if (percent != 0 || ((slash | dot) & after_slash) != 0) return scan_path_slowly(path);
        previous_slash = take == 8 ? (slash >> 56) & 0x80 : 0;
    }
    return path_facts{true, true, hash};
}

/// Whether `pattern`'s path matches `path` (a multi wildcard needs at least
/// the slash before it).
template <class = void>
bool match_path(const route_pattern& pattern, path_cursor at, captures& out) noexcept {
    const auto& segs = pattern.segments();
    return match_segments(segs.data(), segs.data() + segs.size(), at, out);
}

/// Go's exactMatch: the match of `pattern` on `path` (with `extra_slash`)
/// is exact unless a multi wildcard matched a non-empty rest.
template <class = void>
bool exact_match(const route_pattern& pattern, std::string_view path, bool extra_slash) noexcept {
    if (!pattern.ends_in_multi()) return true;
    const bool ends_in_slash = extra_slash || (!path.empty() && path.back() == '/');
    if (!ends_in_slash) return false;
    std::size_t slashes = extra_slash ? 1 : 0;
    for (const char c : path) slashes += c == '/' ? 1 : 0;
    return pattern.segments().size() == slashes;
}

template <class = void>
route_relation inverse(route_relation r) noexcept {
    if (r == route_relation::more_specific) return route_relation::more_general;
    if (r == route_relation::more_general) return route_relation::more_specific;
    return r;
}

template <class = void>
route_relation combine(route_relation r1, route_relation r2) noexcept {
    switch (r1) {
    case route_relation::equivalent: return r2;
    case route_relation::disjoint: return route_relation::disjoint;
    case route_relation::overlaps: return r2 == route_relation::disjoint ? route_relation::disjoint : route_relation::overlaps;
    case route_relation::more_general:
    case route_relation::more_specific:
        if (r2 == route_relation::equivalent) return r1;
        if (r2 == inverse(r1)) return route_relation::overlaps;
        return r2;
    }
    return route_relation::disjoint;
}

template <class = void>
route_relation compare_segments(const route_segment& s1, const route_segment& s2) noexcept {
    if (s1.multi && s2.multi) return route_relation::equivalent;
    if (s1.multi) return route_relation::more_general;
    if (s2.multi) return route_relation::more_specific;
    if (s1.wild && s2.wild) return route_relation::equivalent;
    if (s1.wild) return s2.text == "/" ? route_relation::disjoint : route_relation::more_general;
    if (s2.wild) return s1.text == "/" ? route_relation::disjoint : route_relation::more_specific;
    return s1.text == s2.text ? route_relation::equivalent : route_relation::disjoint;
}

template <class = void>
void write_segment(std::string& out, const route_segment& s) {
    out += '/';
    if (!s.multi && s.text != "/") out += s.text;
}

/// Go's %q for the ASCII paths and names conflict descriptions show.
template <class = void>
std::string quoted(std::string_view text) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += digits[u >> 4];
            out += digits[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

} // namespace detail::route

// ------------------------------------------------------------ definitions

template <class>
route_parse_result route_pattern::parse(std::string_view s) {
    route_parse_result out;
    const auto fail = [&out](std::size_t offset, std::string reason) -> route_parse_result {
        out.offset = offset;
        out.reason = std::move(reason);
        return std::move(out);
    };
    if (s.empty()) return fail(0, "empty pattern");

    route_pattern p;
    p.text_ = std::string(s);
    std::size_t off = 0;
    std::string_view method;
    std::string_view rest = s;
    if (const std::size_t i = s.find_first_of(" \t"); i != std::string_view::npos) {
        method = s.substr(0, i);
        rest = s.substr(i + 1);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        if (!method.empty() && !detail::route::is_valid_method(method))
            return fail(0, "invalid method " + detail::route::quoted(method));
        off = method.size() + 1;
    }
    p.method_ = std::string(method);
    // The key: the blanks after a method written as one space; without a
    // method, the pattern without the blanks before it (so a key never holds
    // a tab, and "\t/a", " /a" and "/a" are one pattern).
    p.key_ = method.empty() ? std::string(rest) : p.method_ + " " + std::string(rest);

    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return fail(off, "host/path missing /");
    const std::string_view host = rest.substr(0, slash);
    if (const std::size_t brace = host.find('{'); brace != std::string_view::npos)
        return fail(off + brace, "host contains '{' (missing initial '/'?)");
    p.host_ = std::string(host);
    rest = rest.substr(slash);
    off += slash;

    if (!method.empty() && method != "CONNECT" && !is_clean_route_path(rest))
        return fail(off, "non-CONNECT pattern with unclean path can never match");

    while (!rest.empty()) {
        rest.remove_prefix(1); // the '/'
        off = s.size() - rest.size();
        if (rest.empty()) { // trailing slash
            p.segments_.push_back(route_segment{"", true, true});
            break;
        }
        const std::size_t end = std::min(rest.find('/'), rest.size());
        const std::string_view seg = rest.substr(0, end);
        rest = rest.substr(end);
        const std::size_t brace = seg.find('{');
        if (brace == std::string_view::npos) {
            p.segments_.push_back(route_segment{path_unescape(seg), false, false});
            continue;
        }
        if (brace != 0) return fail(off, "bad wildcard segment (must start with '{')");
        if (seg.back() != '}') return fail(off, "bad wildcard segment (must end with '}')");
        std::string_view name = seg.substr(1, seg.size() - 2);
        if (name == "$") {
            if (!rest.empty()) return fail(off, "{$} not at end");
            p.segments_.push_back(route_segment{"/", false, false});
            break;
        }
        const bool multi = name.size() >= 3 && name.substr(name.size() - 3) == "...";
        if (multi) name.remove_suffix(3);
        if (multi && !rest.empty()) return fail(off, "{...} wildcard not at end");
        if (name.empty()) return fail(off, "empty wildcard");
        if (!detail::route::is_valid_wildcard_name(name))
            return fail(off, "bad wildcard name " + detail::route::quoted(name));
        for (const std::string& seen : p.names_)
            if (seen == name) return fail(off, "duplicate wildcard name " + detail::route::quoted(name));
        if (p.names_.size() == max_route_wildcards)
            return fail(off, "more than " + std::to_string(max_route_wildcards) + " wildcards");
        p.names_.emplace_back(name);
        p.segments_.push_back(route_segment{std::string(name), true, multi});
    }
    out.pattern = std::move(p);
    return out;
}

template <class>
std::string path_unescape(std::string_view text) {
    if (text.find('%') == std::string_view::npos || !detail::route::escapes_valid(text)) return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            out += static_cast<char>(detail::route::hex_value(text[i + 1]) * 16 + detail::route::hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

template <class>
bool is_clean_route_path(std::string_view path) noexcept { return detail::route::scan_path(path).clean; }

template <class>
std::string clean_route_path(std::string_view p) {
    if (p.empty()) return "/";
    // Built by appending: g++ 12 at -O3 warns (-Wrestrict, a false positive,
    // GCC bug 105329) about "/" + std::string(p).
    std::string in;
    in.reserve(p.size() + 1);
    if (p.front() != '/') in += '/';
    in.append(p);
    const bool trailing = in.back() == '/';
    // Go's path.Clean on a rooted path.
    std::vector<std::string_view> kept;
    std::string_view rest(in);
    std::size_t start = 1;
    while (start <= rest.size()) {
        std::size_t end = rest.find('/', start);
        if (end == std::string_view::npos) end = rest.size();
        const std::string_view segment = rest.substr(start, end - start);
        if (segment.empty() || segment == ".") {
        } else if (segment == "..") {
            if (!kept.empty()) kept.pop_back();
        } else {
            kept.push_back(segment);
        }
        start = end + 1;
    }
    std::string out;
    out.reserve(in.size());
    for (const std::string_view segment : kept) {
        out += '/';
        out += segment;
    }
    if (out.empty()) return "/";
    if (trailing) out += '/';
    return out;
}

template <class>
std::string_view strip_host_port(std::string_view host) noexcept {
    const std::size_t first = host.find(':');
    if (first == std::string_view::npos) return host; // the common case: one memchr
    // Go's net.SplitHostPort; on any error the host is returned unchanged.
    const std::size_t colon = host.rfind(':');
    std::string_view name;
    std::size_t open_from = 0;  // no '[' may follow this offset
    std::size_t close_from = 0; // no ']' may follow this offset
    if (host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos || close + 1 != colon) return host; // missing ']' or port, too many colons
        name = host.substr(1, close - 1);
        open_from = 1;
        close_from = close + 1;
    } else {
        if (first != colon) return host; // too many colons
        name = host.substr(0, colon);
    }
    if (host.find('[', open_from) != std::string_view::npos) return host;   // unexpected '['
    if (host.find(']', close_from) != std::string_view::npos) return host;  // unexpected ']'
    return name;
}

template <class>
route_relation compare_route_methods(const route_pattern& a, const route_pattern& b) noexcept {
    if (a.method() == b.method()) return route_relation::equivalent;
    if (a.method().empty()) return route_relation::more_general;
    if (b.method().empty()) return route_relation::more_specific;
    if (a.method() == "GET" && b.method() == "HEAD") return route_relation::more_general;
    if (b.method() == "GET" && a.method() == "HEAD") return route_relation::more_specific;
    return route_relation::disjoint;
}

template <class>
route_relation compare_route_paths(const route_pattern& a, const route_pattern& b) noexcept {
    const auto& s1 = a.segments();
    const auto& s2 = b.segments();
    if (s1.size() != s2.size() && !a.ends_in_multi() && !b.ends_in_multi()) return route_relation::disjoint;
    route_relation rel = route_relation::equivalent;
    std::size_t i = 0;
    for (; i < s1.size() && i < s2.size(); ++i) {
        rel = detail::route::combine(rel, detail::route::compare_segments(s1[i], s2[i]));
        if (rel == route_relation::disjoint) return rel;
    }
    if (i == s1.size() && i == s2.size()) return rel;
    if (s1.size() < s2.size() && a.ends_in_multi()) return detail::route::combine(rel, route_relation::more_general);
    if (s2.size() < s1.size() && b.ends_in_multi()) return detail::route::combine(rel, route_relation::more_specific);
    return route_relation::disjoint;
}

template <class>
route_relation compare_routes(const route_pattern& a, const route_pattern& b) noexcept {
    const route_relation methods = compare_route_methods(a, b);
    if (methods == route_relation::disjoint) return methods;
    return detail::route::combine(methods, compare_route_paths(a, b));
}

template <class>
bool routes_conflict(const route_pattern& a, const route_pattern& b) noexcept {
    if (a.host() != b.host()) return false;
    const route_relation rel = compare_routes(a, b);
    return rel == route_relation::equivalent || rel == route_relation::overlaps;
}

template <class>
std::string route_common_path(const route_pattern& a, const route_pattern& b) {
    std::string out;
    const auto& s1 = a.segments();
    const auto& s2 = b.segments();
    std::size_t i = 0;
    for (; i < s1.size() && i < s2.size(); ++i) detail::route::write_segment(out, s1[i].wild ? s2[i] : s1[i]);
    for (std::size_t j = i; j < s1.size(); ++j) detail::route::write_segment(out, s1[j]);
    for (std::size_t j = i; j < s2.size(); ++j) detail::route::write_segment(out, s2[j]);
    return out;
}

template <class>
std::string route_difference_path(const route_pattern& a, const route_pattern& b) {
    std::string out;
    const auto& s1 = a.segments();
    const auto& s2 = b.segments();
    std::size_t i = 0;
    for (; i < s1.size() && i < s2.size(); ++i) {
        const route_segment& x = s1[i];
        const route_segment& y = s2[i];
        if (x.multi && y.multi) { // from here both match the same paths: the difference came earlier
            out += '/';
            return out;
        }
        if (x.multi && !y.multi) { // a trailing slash tells them apart, unless y is {$}: then any segment
            out += '/';
            if (y.text == "/") out += x.text.empty() ? std::string("x") : x.text;
            return out;
        }
        if (x.wild && !y.wild && !y.multi && x.text == y.text) { // the wildcard's name is y's literal: tweak it
            out += '/';
            out += y.text + "x";
        } else {
            detail::route::write_segment(out, x);
        }
    }
    for (std::size_t j = i; j < s1.size(); ++j) detail::route::write_segment(out, s1[j]);
    for (std::size_t j = i; j < s2.size(); ++j) detail::route::write_segment(out, s2[j]);
    return out;
}

template <class>
std::string describe_route_conflict(const route_pattern& a, const route_pattern& b) {
    using detail::route::quoted;
    const route_relation methods = compare_route_methods(a, b);
    const route_relation paths = compare_route_paths(a, b);
    const route_relation rel = detail::route::combine(methods, paths);
    if (rel == route_relation::equivalent) return a.text() + " matches the same requests as " + b.text();
    if (paths == route_relation::overlaps) {
        return a.text() + " and " + b.text() + " both match some paths, like " + detail::route::quoted(route_common_path(a, b)) +
               ".\nBut neither is more specific than the other.\n" + a.text() + " matches " +
               detail::route::quoted(route_difference_path(a, b)) + ", but " + b.text() + " doesn't.\n" + b.text() + " matches " +
               detail::route::quoted(route_difference_path(b, a)) + ", but " + a.text() + " doesn't.";
    }
    if (methods == route_relation::more_general && paths == route_relation::more_specific)
        return a.text() + " matches more methods than " + b.text() + ", but has a more specific path pattern";
    if (methods == route_relation::more_specific && paths == route_relation::more_general)
        return a.text() + " matches fewer methods than " + b.text() + ", but has a more general path pattern";
    return a.text() + " and " + b.text() + " do not conflict (methods " + to_string(methods) + ", paths " +
           to_string(paths) + ")";
}

ROSTER_END_NAMESPACE // namespace roster
