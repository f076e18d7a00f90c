// tests/fuzz/handler_pattern.cpp — the handler registry's pattern grammar,
// path helpers and dispatch against references written from Go 1.22's
// net/http (docs/handlers.md).
//
// Three kinds of operations, interleaved:
//
//  1. Parsing: bytes of the input (raw, or mapped to grammar tokens so that
//     most texts are nearly valid) are parsed by route_pattern::parse and by
//     a reference parser ported from Go's parsePattern with roster's
//     documented differences (bytes >= 0x80 are letters in wildcard names; at
//     most 16 wildcards). Parsing never crashes; an error's offset lies
//     within the text and is the reference's, with the same reason; a parsed
//     pattern has the reference's method, host, segments, wildcard names and
//     key.
//  2. Path helpers on arbitrary bytes: clean_route_path and
//     is_clean_route_path against Go's cleanPath (path.Clean), the fast path
//     scanner against the byte-by-byte one, strip_host_port against Go's
//     net.SplitHostPort, path_unescape against url.PathUnescape's rule.
//  3. A registry: patterns from a small grammar (methods, a host, literal,
//     {name}, {name...}, trailing-slash and {$} segments) are registered; a
//     reference decides each outcome from the sets of requests the patterns
//     match (computed over a finite universe of requests, so the relation is
//     semantic, not Go's syntactic comparison): equivalent or overlapping
//     patterns of one host conflict, the same key is a duplicate. compare_routes
//     must agree with that relation. Requests (methods, hosts with ports,
//     unclean paths) are dispatched with match() before and after freeze()
//     and compared with Go's findHandler: host patterns first, then the exact
//     method, GET for HEAD, every method; the most specific path; the
//     trailing-slash and clean-path redirects; 405 with the allowed methods;
//     the captured values.
#include "fuzz.hpp"

#include <roster/handler.hpp>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace {

const bool installed = fuzz::install("handler_pattern");

// ------------------------------------------------------------------ reference: Go's helpers

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// url.PathUnescape, with the mux's fallback: an invalid escape leaves the text as it is.
std::string ref_unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) return std::string(s);
        out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
        i += 2;
    }
    return out;
}

/// Go's path.Clean for a rooted path.
std::string ref_path_clean(const std::string& p) {
    std::vector<std::string> kept;
    std::size_t i = 0;
    while (i <= p.size()) {
        std::size_t j = p.find('/', i);
        if (j == std::string::npos) j = p.size();
        const std::string part = p.substr(i, j - i);
        if (part.empty() || part == ".") {
        } else if (part == "..") {
            if (!kept.empty()) kept.pop_back();
        } else {
            kept.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (const std::string& part : kept) out += "/" + part;
    return out.empty() ? "/" : out;
}

/// Go's cleanPath (net/http).
std::string ref_clean(std::string_view path) {
    if (path.empty()) return "/";
    std::string p(path);
    if (p[0] != '/') p = "/" + p;
    std::string np = ref_path_clean(p);
    if (p.back() == '/' && np != "/") np += "/";
    return np;
}

/// Go's stripHostPort (net.SplitHostPort, the host unchanged on any error).
std::string ref_strip_port(std::string_view h) {
    if (h.find(':') == std::string_view::npos) return std::string(h);
    const std::size_t i = h.rfind(':');
    std::string_view host;
    std::size_t j = 0, k = 0;
    if (h[0] == '[') {
        const std::size_t end = h.find(']');
        if (end == std::string_view::npos) return std::string(h);
        if (end + 1 != i) return std::string(h);
        host = h.substr(1, end - 1);
        j = 1;
        k = end + 1;
    } else {
        host = h.substr(0, i);
        if (host.find(':') != std::string_view::npos) return std::string(h);
    }
    if (h.substr(j).find('[') != std::string_view::npos) return std::string(h);
    if (h.substr(k).find(']') != std::string_view::npos) return std::string(h);
    return std::string(host);
}

// ------------------------------------------------------------------ reference: Go's parsePattern

struct ref_segment {
    std::string text;
    bool wild = false, multi = false;
};

struct ref_pattern {
    bool ok = false;
    std::size_t offset = 0;
    std::string reason;
    std::string method, host, key;
    std::vector<ref_segment> segments;
    std::vector<std::string> names;
};

bool valid_wildcard_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; // roster: bytes >= 0x80
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

/// Go's %q for the names and methods in reasons (ASCII; control bytes as \xNN).
std::string go_quote(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : s) {
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
    return out + "\"";
}

ref_pattern ref_parse(std::string_view s) {
    ref_pattern p;
    const auto fail = [&p](std::size_t off, std::string why) {
        p.offset = off;
        p.reason = std::move(why);
        return p;
    };
    if (s.empty()) return fail(0, "empty pattern");
    std::size_t off = 0;
    std::string_view method, rest = s;
    bool found = false;
    if (const std::size_t i = s.find_first_of(" \t"); i != std::string_view::npos) {
        method = s.substr(0, i);
        rest = s.substr(i + 1);
        while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
        found = true;
    }
    if (!method.empty()) {
        for (const char c : method)
            if (!is_token_char(c)) return fail(0, "invalid method " + go_quote(method));
    }
    p.method = std::string(method);
    if (found) off = method.size() + 1;
    // The registry's key: the pattern, the blanks after its method written as one space.
    p.key = method.empty() ? std::string(rest) : p.method + " " + std::string(rest); // blanks before a method-less pattern dropped
    const std::size_t i = rest.find('/');
    if (i == std::string_view::npos) return fail(off, "host/path missing /");
    p.host = std::string(rest.substr(0, i));
    if (const std::size_t j = p.host.find('{'); j != std::string::npos)
        return fail(off + j, "host contains '{' (missing initial '/'?)");
    rest = rest.substr(i);
    off += i;
    if (!method.empty() && method != "CONNECT" && ref_clean(rest) != rest)
        return fail(off, "non-CONNECT pattern with unclean path can never match");
    while (!rest.empty()) {
        rest.remove_prefix(1);
        off = s.size() - rest.size();
        if (rest.empty()) {
            p.segments.push_back(ref_segment{"", true, true});
            break;
        }
        std::size_t end = rest.find('/');
        if (end == std::string_view::npos) end = rest.size();
        const std::string_view seg = rest.substr(0, end);
        rest = rest.substr(end);
        const std::size_t brace = seg.find('{');
        if (brace == std::string_view::npos) {
            p.segments.push_back(ref_segment{ref_unescape(seg), false, false});
            continue;
        }
        if (brace != 0) return fail(off, "bad wildcard segment (must start with '{')");
        if (seg.back() != '}') return fail(off, "bad wildcard segment (must end with '}')");
        std::string_view name = seg.substr(1, seg.size() - 2);
        if (name == "$") {
            if (!rest.empty()) return fail(off, "{$} not at end");
            p.segments.push_back(ref_segment{"/", false, false});
            break;
        }
        const bool multi = name.size() >= 3 && name.substr(name.size() - 3) == "...";
        if (multi) name.remove_suffix(3);
        if (multi && !rest.empty()) return fail(off, "{...} wildcard not at end");
        if (name.empty()) return fail(off, "empty wildcard");
        if (!valid_wildcard_name(name)) return fail(off, "bad wildcard name " + go_quote(name));
        if (std::find(p.names.begin(), p.names.end(), name) != p.names.end())
            return fail(off, "duplicate wildcard name " + go_quote(name));
        if (p.names.size() == 16) return fail(off, "more than 16 wildcards");
        p.names.emplace_back(name);
        p.segments.push_back(ref_segment{std::string(name), true, multi});
    }
    p.ok = true;
    return p;
}

// ------------------------------------------------------------------ reference: requests and patterns of the registry grammar

// A request path of the universe: segments from {a, b, z}, a trailing slash or not.
struct req_path {
    std::vector<std::string> segments;
    bool slash = false;
};

const std::vector<req_path>& universe() {
    static const std::vector<req_path> all = [] {
        std::vector<req_path> out{req_path{{}, true}}; // "/"
        std::vector<std::vector<std::string>> level{{}};
        for (int depth = 1; depth <= 4; ++depth) {
            std::vector<std::vector<std::string>> next;
            for (const auto& prefix : level)
                for (const char* s : {"a", "b", "z"}) {
                    auto longer = prefix;
                    longer.emplace_back(s);
                    next.push_back(longer);
                }
            for (const auto& segs : next) {
                out.push_back(req_path{segs, false});
                out.push_back(req_path{segs, true});
            }
            level = std::move(next);
        }
        return out;
    }();
    return all;
}

constexpr std::size_t universe_limit = 256; // 241 paths
const char* const methods[4] = {"GET", "HEAD", "POST", "PUT"};

/// A pattern of the registry grammar, as the reference sees it.
struct gen_pattern {
    std::string text;
    std::string key;
    std::string method; // "" every method
    std::string host;   // "" every host
    // Path: literal segments "a"/"b", wild "{wN}", then a terminal.
    std::vector<std::string> segments; // "a", "b" or "*" (a wildcard)
    enum terminal_t { none, slash, multi, dollar } terminal = none;
    std::vector<std::string> names; // captured names, in order
    std::bitset<universe_limit> paths;                  // the universe paths it matches
    std::array<std::bitset<universe_limit>, 4> requests; // per method of `methods`, the paths it matches
    std::optional<roster::route_pattern> parsed; // roster's parse of `text`
};

bool method_applies(const std::string& pattern_method, std::string_view method) {
    return pattern_method.empty() || pattern_method == method || (method == "HEAD" && pattern_method == "GET");
}

/// Whether the pattern's path matches the cleaned path (segments + trailing slash),
/// and its captures.
bool path_matches(const gen_pattern& p, const std::vector<std::string>& segs, bool slash,
                  std::vector<std::string>* captures) {
    const std::size_t n = p.segments.size();
    if (segs.size() < n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        if (p.segments[i] == "*") {
            if (captures) captures->push_back(segs[i]);
        } else if (p.segments[i] != segs[i]) {
            return false;
        }
    }
    switch (p.terminal) {
    case gen_pattern::none: return segs.size() == n && !slash && n > 0;
    case gen_pattern::dollar: return segs.size() == n && slash;
    case gen_pattern::slash: return segs.size() > n || slash; // the slash after the n-th segment, then anything
    case gen_pattern::multi:
        if (segs.size() == n && !slash) return false;
        if (captures) {
            std::string rest;
            for (std::size_t i = n; i < segs.size(); ++i) rest += (i == n ? "" : "/") + segs[i];
            if (slash && segs.size() > n) rest += "/";
            captures->push_back(rest);
        }
        return true;
    }
    return false;
}

gen_pattern make_pattern(fuzz::reader& in) {
    gen_pattern p;
    static const char* const pattern_methods[5] = {"", "GET", "HEAD", "POST", ""};
    p.method = pattern_methods[in.below(5)];
    p.host = in.below(4) == 0 ? "h.com" : "";
    const unsigned count = in.below(4);
    std::string path;
    for (unsigned i = 0; i < count; ++i) {
        const unsigned s = in.below(4);
        if (s < 2) {
            p.segments.emplace_back(s == 0 ? "a" : "b");
            path += s == 0 ? "/a" : "/b";
        } else {
            const std::string name = "w" + std::to_string(i);
            p.segments.emplace_back("*");
            p.names.push_back(name);
            path += "/{" + name + "}";
        }
    }
    const unsigned t = in.below(5);
    p.terminal = static_cast<gen_pattern::terminal_t>(t % 4);
    if (count == 0 && p.terminal == gen_pattern::none) p.terminal = gen_pattern::slash; // the path is at least "/"
    switch (p.terminal) {
    case gen_pattern::none: break;
    case gen_pattern::slash: path += "/"; break;
    case gen_pattern::multi:
        path += "/{rest...}";
        p.names.emplace_back("rest");
        break;
    case gen_pattern::dollar: path += "/{$}"; break;
    }
    // The blanks after a method: one space, or a tab and spaces (the key has one space).
    const unsigned blank = in.below(8);
    const std::string blanks = blank == 7 ? "\t " : " ";
    if (p.method.empty()) {
        p.text = p.host + path;
        p.key = p.text;
        // Go accepts a pattern that starts with blanks and has no method; the
        // key drops them (docs/handlers.md, precedence rule 5).
        if (blank == 6) p.text = "\t" + p.text;
    } else {
        p.text = p.method + blanks + p.host + path;
        p.key = p.method + " " + p.host + path;
    }
    roster::route_parse_result parsed = roster::route_pattern::parse(p.text);
    FUZZ_CHECK(parsed, "a generated pattern does not parse: " + fuzz::show(p.text) + ": " + parsed.message());
    p.parsed = std::move(parsed.pattern);
    // The universe paths the path matches depend on the path alone: computed once per path.
    static std::array<std::optional<std::bitset<universe_limit>>, 4 * 4 * 27> cache;
    std::size_t code = 0;
    for (const std::string& segment : p.segments) code = code * 3 + (segment == "a" ? 0 : segment == "b" ? 1 : 2);
    code = (code * 4 + p.segments.size()) * 4 + static_cast<std::size_t>(p.terminal);
    std::optional<std::bitset<universe_limit>>& paths = cache[code];
    if (!paths) {
        paths.emplace();
        const auto& all = universe();
        for (std::size_t i = 0; i < all.size(); ++i)
            if (path_matches(p, all[i].segments, all[i].slash, nullptr)) paths->set(i);
    }
    p.paths = *paths;
    for (std::size_t m = 0; m < 4; ++m)
        if (method_applies(p.method, methods[m])) p.requests[m] = p.paths;
    return p;
}

/// The relation of the request sets a and b match (hosts aside).
roster::route_relation relation(const gen_pattern& a, const gen_pattern& b) {
    bool any = false, same = true, a_inside = true, b_inside = true;
    for (std::size_t m = 0; m < 4; ++m) {
        const auto both = a.requests[m] & b.requests[m];
        any = any || both.any();
        same = same && a.requests[m] == b.requests[m];
        a_inside = a_inside && both == a.requests[m];
        b_inside = b_inside && both == b.requests[m];
    }
    if (!any) return roster::route_relation::disjoint;
    if (same) return roster::route_relation::equivalent;
    if (a_inside) return roster::route_relation::more_specific;
    if (b_inside) return roster::route_relation::more_general;
    return roster::route_relation::overlaps;
}

// ------------------------------------------------------------------ the harness

class harness {
    using registry = roster::handler_registry<int>;

public:
    explicit harness(fuzz::reader& in) : in_(in), reg_(std::make_unique<registry>("routes")) {}

    void run() {
        while (in_.more()) {
            step(in_.below(16));
            ++fuzz::operations;
        }
    }

private:
    void step(unsigned op) {
        switch (op) {
        case 0: case 1: do_parse(false); break;
        case 2: case 3: do_parse(true); break;
        case 4: do_helpers(); break;
        case 5: case 6: case 7: do_add(); break;
        case 8: case 9: case 10: case 11: case 12: do_match(); break;
        case 13: do_remove(); break;
        case 14: do_explain(); break;
        default: do_freeze_or_reset(); break;
        }
    }

    // ---------------------------------------------------------- parsing

    std::string read_text(bool tokens) {
        const unsigned length = in_.below(tokens ? 12 : 24);
        if (!tokens) return std::string(in_.bytes(length));
        static const char* const alphabet[32] = {"/",  "/",  "/",   "{",      "}",    "a",   "b",    "{x}", "{y}",
                                                 "{z...}", "...", "$", "{$}", " ",   "\t",  "GET",  "HEAD", "POST",
                                                 "CONNECT", "%61", "%",  "%2F", "h.com", ".", "..", "_", "1", "\xc3\xa9",
                                                 "{a b}", "{}", "{x}/", "//"};
        std::string out;
        for (unsigned i = 0; i < length; ++i) out += alphabet[in_.below(32)];
        return out;
    }

    void do_parse(bool tokens) {
        const std::string text = read_text(tokens);
        const roster::route_parse_result got = roster::route_pattern::parse(text);
        const ref_pattern want = ref_parse(text);
        const auto what = [&] { return "parse(" + fuzz::show(text) + ")"; };
        FUZZ_CHECK(static_cast<bool>(got) == want.ok,
                   what() + (got ? " parsed" : " failed: " + got.message()) +
                       (want.ok ? ", the reference parses it" : ", the reference fails: at offset " + std::to_string(want.offset) + ": " + want.reason));
        if (!got) {
            FUZZ_CHECK(got.offset <= text.size() && !got.reason.empty(), what() + ": offset " + std::to_string(got.offset));
            FUZZ_CHECK(got.offset == want.offset && got.reason == want.reason,
                       what() + " failed at offset " + std::to_string(got.offset) + ": " + got.reason +
                           "; the reference at offset " + std::to_string(want.offset) + ": " + want.reason);
            FUZZ_CHECK(got.message() == "at offset " + std::to_string(got.offset) + ": " + got.reason, what() + ": message()");
            return;
        }
        const roster::route_pattern& p = *got.pattern;
        FUZZ_CHECK(p.text() == text && p.method() == want.method && p.host() == want.host && p.key() == want.key,
                   what() + ": method " + fuzz::show(p.method()) + ", host " + fuzz::show(p.host()) + ", key " +
                       fuzz::show(p.key()) + "; the reference " + fuzz::show(want.method) + ", " + fuzz::show(want.host) +
                       ", " + fuzz::show(want.key));
        bool same = p.segments().size() == want.segments.size() && p.wildcard_names() == want.names;
        for (std::size_t i = 0; same && i < want.segments.size(); ++i)
            same = p.segments()[i].text == want.segments[i].text && p.segments()[i].wild == want.segments[i].wild &&
                   p.segments()[i].multi == want.segments[i].multi;
        FUZZ_CHECK(same, what() + ": segments or wildcard names differ from the reference");
        FUZZ_CHECK(p.ends_in_multi() == (!want.segments.empty() && want.segments.back().multi), what() + ": ends_in_multi()");
        // A pattern is equivalent to itself and conflicts with itself.
        FUZZ_CHECK(roster::compare_routes(p, p) == roster::route_relation::equivalent && roster::routes_conflict(p, p),
                   what() + ": not equivalent to itself");
    }

    // ---------------------------------------------------------- helpers

    void do_helpers() {
        const unsigned length = in_.below(20);
        std::string text;
        static const char* const pieces[12] = {"/", "/", "a", "b", ".", "..", "%", "%2f", "%4", ":", "[", "]"};
        const bool raw = in_.flag();
        for (unsigned i = 0; i < length; ++i) text += raw ? std::string(1, static_cast<char>(in_.byte())) : pieces[in_.below(12)];
        const auto what = [&](const char* f) { return std::string(f) + "(" + fuzz::show(text) + ")"; };

        const std::string cleaned = roster::clean_route_path(text);
        FUZZ_CHECK(cleaned == ref_clean(text), what("clean_route_path") + " = " + fuzz::show(cleaned) + ", Go's cleanPath " +
                                                   fuzz::show(ref_clean(text)));
        FUZZ_CHECK(roster::is_clean_route_path(text) == (ref_clean(text) == text), what("is_clean_route_path"));
        FUZZ_CHECK(roster::is_clean_route_path(cleaned), what("is_clean_route_path(clean_route_path)"));
        const roster::detail::route::path_facts fast = roster::detail::route::scan_path(text);
        const roster::detail::route::path_facts slow = roster::detail::route::scan_path_slowly(text);
        FUZZ_CHECK(fast.clean == slow.clean && fast.plain == slow.plain && fast.hash == slow.hash,
                   what("scan_path") + " differs from scan_path_slowly");
        FUZZ_CHECK(slow.plain == (text.find('%') == std::string::npos), what("scan_path_slowly") + ": plain");
        if (slow.clean && slow.plain) FUZZ_CHECK(slow.hash == roster::detail::route::hash_path(text), what("hash_path"));

        FUZZ_CHECK(std::string(roster::strip_host_port(text)) == ref_strip_port(text),
                   what("strip_host_port") + " = " + fuzz::show(roster::strip_host_port(text)) + ", Go " +
                       fuzz::show(ref_strip_port(text)));
        const std::string unescaped = roster::path_unescape(text);
        FUZZ_CHECK(unescaped == ref_unescape(text), what("path_unescape"));
        const std::string literal = in_.flag() ? unescaped : text;
        FUZZ_CHECK(roster::detail::route::segment_equals(text, literal) == (ref_unescape(text) == literal),
                   what("segment_equals"));
    }

    // ---------------------------------------------------------- the registry

    void do_add() {
        gen_pattern p = make_pattern(in_);
        const int handler = static_cast<int>(patterns_.size() + removed_);
        const unsigned slot = in_.below(4);
        // The reference: frozen first; then a conflict with another key of the
        // same host (equivalent or overlapping); then the same key (a duplicate,
        // refused by the default policy).
        std::optional<roster::errc> refusal;
        std::optional<std::size_t> other;
        if (frozen_) {
            refusal = roster::errc::frozen;
        } else {
            for (std::size_t i = 0; i < patterns_.size(); ++i) {
                const gen_pattern& q = patterns_[i];
                const roster::route_relation r = relation(p, q);
                // compare_routes must agree with the semantic relation.
                const roster::route_pattern& a = *p.parsed;
                const roster::route_pattern& b = *q.parsed;
                FUZZ_CHECK(roster::compare_routes(a, b) == r,
                           "compare_routes(" + p.text + ", " + q.text + ") = " +
                               roster::to_string(roster::compare_routes(a, b)) + ", the request sets say " +
                               roster::to_string(r));
                const bool conflicts = p.host == q.host && (r == roster::route_relation::equivalent ||
                                                            r == roster::route_relation::overlaps);
                FUZZ_CHECK(roster::routes_conflict(a, b) == conflicts,
                           "routes_conflict(" + p.text + ", " + q.text + ")");
                if (q.key == p.key) {
                    other = i;
                } else if (conflicts && !refusal) {
                    refusal = roster::errc::conflict;
                }
            }
            if (!refusal && other) refusal = roster::errc::duplicate_key;
        }
        registry::add_result got = reg_->try_add(p.text, handler);
        const auto what = [&] { return "try_add(" + fuzz::show(p.text) + ")" + describe(); };
        if (refusal) {
            FUZZ_CHECK(got.status() == roster::add_status::refused && got.error().code == *refusal,
                       what() + ": " + roster::to_string(got.status()) +
                           (got.status() == roster::add_status::refused ? " " + got.error().message : std::string()) +
                           ", the reference refuses with " + roster::to_string(*refusal));
            return;
        }
        FUZZ_CHECK(got.status() == roster::add_status::added,
                   what() + ": " + roster::to_string(got.status()) +
                       (got.status() == roster::add_status::refused ? ": " + got.error().message : std::string()));
        handles_[slot] = std::move(got).handle();
        handle_keys_[slot] = p.key;
        patterns_.push_back(std::move(p));
        handlers_.push_back(handler);
    }

    void do_remove() {
        const unsigned slot = in_.below(4);
        const std::string key = handle_keys_[slot];
        const auto it = std::find_if(patterns_.begin(), patterns_.end(), [&](const gen_pattern& p) { return p.key == key; });
        const roster::result<bool> got = handles_[slot].try_remove();
        if (frozen_) {
            FUZZ_CHECK(!got || !handles_[slot].active(), "a handle removed from a frozen registry");
            return;
        }
        FUZZ_CHECK(got.has_value(), "handle try_remove() failed: " + (got ? std::string() : got.error().message));
        FUZZ_CHECK(*got == (it != patterns_.end() && !key.empty()), "handle try_remove() of " + fuzz::show(key) + describe());
        if (*got) {
            const std::size_t i = static_cast<std::size_t>(it - patterns_.begin());
            patterns_.erase(it);
            handlers_.erase(handlers_.begin() + static_cast<std::ptrdiff_t>(i));
            ++removed_;
        }
        handle_keys_[slot].clear();
        FUZZ_CHECK(reg_->size() == patterns_.size(), "size() after a removal" + describe());
    }

    void do_freeze_or_reset() {
        if (in_.below(3) != 0) return do_match();
        if (!frozen_) {
            reg_->freeze();
            frozen_ = true;
            return;
        }
        // Start again with an empty registry (the old one's handles go with it).
        for (auto& h : handles_) h.release();
        for (auto& k : handle_keys_) k.clear();
        reg_ = std::make_unique<registry>("routes");
        patterns_.clear();
        handlers_.clear();
        frozen_ = false;
    }

    std::string describe() const {
        std::string out = frozen_ ? " [frozen; patterns:" : " [patterns:";
        for (const gen_pattern& p : patterns_) out += " " + fuzz::show(p.text);
        return out + "]";
    }

    // ---------------------------------------------------------- dispatch

    struct request {
        std::string method, host, path;
    };

    request make_request() {
        static const char* const request_methods[6] = {"GET", "HEAD", "POST", "PUT", "", "GET"};
        static const char* const hosts[5] = {"", "h.com", "h.com:8080", "x.com", "[h.com]:1"};
        request r{request_methods[in_.below(6)], hosts[in_.below(5)], {}};
        const unsigned count = in_.below(5);
        const unsigned shape = in_.below(16);
        static const char* const segments[8] = {"a", "b", "z", "a", "b", ".", "..", ""};
        for (unsigned i = 0; i < count; ++i) r.path += std::string(i == 0 && shape == 15 ? "" : "/") + segments[in_.below(shape < 12 ? 5 : 8)];
        if (count == 0 || in_.below(4) == 0) r.path += "/";
        if (shape == 14) r.path.clear();
        return r;
    }

    struct answer {
        roster::route_status status = roster::route_status::not_found;
        std::optional<std::size_t> pattern; // matched, or where a redirect leads
        std::string location;
        roster::route_redirect redirect = roster::route_redirect::none;
        std::vector<std::string> allowed;
        std::vector<std::string> captures;
    };

    static void split(const std::string& clean, std::vector<std::string>& segs, bool& slash) {
        segs.clear();
        slash = clean.size() > 1 && clean.back() == '/';
        if (clean == "/") {
            slash = true;
            return;
        }
        std::size_t i = 1;
        while (i < clean.size()) {
            std::size_t j = clean.find('/', i);
            if (j == std::string::npos) j = clean.size();
            segs.push_back(clean.substr(i, j - i));
            i = j + 1;
        }
    }

    /// Go's routingNode.match: host patterns first; then the exact method,
    /// GET for HEAD, every method; the most specific path.
    std::optional<std::size_t> tree_match(const std::string& host, const std::string& method,
                                          const std::vector<std::string>& segs, bool slash) const {
        for (const bool with_host : {true, false}) {
            if (with_host && host.empty()) continue;
            for (int rank = 0; rank < 3; ++rank) {
                std::optional<std::size_t> best;
                for (std::size_t i = 0; i < patterns_.size(); ++i) {
                    const gen_pattern& p = patterns_[i];
                    if (with_host ? p.host != host : !p.host.empty()) continue;
                    const bool in_rank = rank == 0   ? p.method == method && !p.method.empty()
                                         : rank == 1 ? method == "HEAD" && p.method == "GET"
                                                     : p.method.empty();
                    if (!in_rank || !path_matches(p, segs, slash, nullptr)) continue;
                    if (!best) {
                        best = i;
                        continue;
                    }
                    // The matching patterns of one bucket are nested: keep the smaller set.
                    const auto& mine = p.paths;
                    const auto& theirs = patterns_[*best].paths;
                    if ((mine & theirs) == mine && mine != theirs) best = i;
                    else
                        FUZZ_CHECK((mine & theirs) == theirs,
                                   "two matching patterns of one bucket are not nested: " + p.text + ", " +
                                       patterns_[*best].text + describe());
                }
                if (best) return best;
            }
        }
        return std::nullopt;
    }

    /// Go's exactMatch.
    bool exact(std::optional<std::size_t> n, const std::string& path) const {
        if (!n) return false;
        const gen_pattern& p = patterns_[*n];
        if (p.terminal != gen_pattern::slash && p.terminal != gen_pattern::multi) return true;
        if (!path.empty() && path.back() != '/') return false;
        const std::size_t slashes = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
        const std::size_t segments = p.segments.size() + 1; // the multi counts as a segment
        return segments == slashes;
    }

    /// Go's findHandler (non-CONNECT), on the reference's patterns.
    /// The answer Go's findHandler gives (for match() and explain() alike;
    /// `dispatching` says which is asking).
    answer expected(const request& r, [[maybe_unused]] bool dispatching = true) const {
        answer out;
        const std::string method = r.method.empty() ? "GET" : r.method;
        const std::string host = ref_strip_port(r.host);
        const std::string path = ref_clean(r.path);
        std::vector<std::string> segs;
        bool slash = false;
        split(path, segs, slash);
        const std::optional<std::size_t> n = tree_match(host, method, segs, slash);
        if (!exact(n, path) && path.back() != '/') {
            const std::optional<std::size_t> n2 = tree_match(host, method, segs, true);
            if (exact(n2, path + "/")) {
                out.status = roster::route_status::redirect;
                out.redirect = roster::route_redirect::trailing_slash;
                out.location = path + "/";
                out.pattern = n2;
                return out;
            }
        }
        if (path != r.path) {
            out.status = roster::route_status::redirect;
            out.redirect = roster::route_redirect::clean_path;
            out.location = path;
            out.pattern = n;
            return out;
        }
        if (!n) {
            std::vector<std::string> allowed;
            const auto add_methods = [&](bool with_slash) {
                for (const gen_pattern& p : patterns_) {
                    if (p.method.empty() || (!p.host.empty() && p.host != host)) continue;
                    if (path_matches(p, segs, with_slash, nullptr)) allowed.push_back(p.method);
                }
            };
            add_methods(slash);
            if (path.back() != '/') add_methods(true);
            if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.emplace_back("HEAD");
            std::sort(allowed.begin(), allowed.end());
            allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
            out.allowed = allowed;
            out.status = allowed.empty() ? roster::route_status::not_found : roster::route_status::method_not_allowed;
            return out;
        }
        out.status = roster::route_status::matched;
        out.pattern = n;
        (void)path_matches(patterns_[*n], segs, slash, &out.captures);
        return out;
    }

    void do_match() {
        const request r = make_request();
        const answer want = expected(r);
        const registry::match_type got = reg_->match(r.method, r.host, r.path);
        const auto what = [&] {
            std::string out = "match(" + fuzz::show(r.method) + ", " + fuzz::show(r.host) + ", " + fuzz::show(r.path) +
                              ") gave " + roster::to_string(got.status()) + " " + fuzz::show(got.pattern()) + " " +
                              fuzz::show(got.location()) + " allow " + fuzz::show(got.allow_header()) + "; Go: " +
                              roster::to_string(want.status) + " " +
                              (want.pattern ? fuzz::show(patterns_[*want.pattern].key) : "-") + " " + fuzz::show(want.location);
            for (const std::string& m : want.allowed) out += " " + m;
            return out + describe();
        };
        FUZZ_CHECK(got.status() == want.status, what());
        switch (want.status) {
        case roster::route_status::matched: {
            const gen_pattern& p = patterns_[*want.pattern];
            FUZZ_CHECK(got.pattern() == p.key && got.handler() == handlers_[*want.pattern], what());
            FUZZ_CHECK(got.size() == want.captures.size(), what() + ": captured " + std::to_string(got.size()));
            for (std::size_t i = 0; i < want.captures.size(); ++i) {
                FUZZ_CHECK(got.name(i) == p.names[i] && got[i] == want.captures[i] && got.value(p.names[i]) == want.captures[i],
                           what() + ": capture " + std::to_string(i) + " " + fuzz::show(got.name(i)) + "=" + fuzz::show(got[i]) +
                               ", expected " + fuzz::show(want.captures[i]));
            }
            FUZZ_CHECK(got.value("nope").empty(), what() + ": value of an unknown name");
            break;
        }
        case roster::route_status::redirect:
            FUZZ_CHECK(got.redirect() == want.redirect && got.location() == want.location, what());
            FUZZ_CHECK(got.pattern() == (want.pattern ? std::string_view(patterns_[*want.pattern].key) : std::string_view()),
                       what() + ": the redirect's pattern");
            break;
        case roster::route_status::method_not_allowed:
            FUZZ_CHECK(got.allowed_methods() == want.allowed, what());
            break;
        case roster::route_status::not_found: FUZZ_CHECK(got.allowed_methods().empty(), what()); break;
        }
    }

    void do_explain() {
        const request r = make_request();
        const answer want = expected(r, false);
        const roster::route_explanation got = reg_->explain(r.method, r.host, r.path);
        const auto what = [&] { return "explain(" + fuzz::show(r.method) + ", " + fuzz::show(r.host) + ", " + fuzz::show(r.path) + ")" + describe(); };
        FUZZ_CHECK(got.status == want.status && got.candidates.size() == patterns_.size(), what());
        std::size_t chosen = 0;
        for (const roster::route_candidate& c : got.candidates) chosen += c.chosen ? 1 : 0;
        if (want.status == roster::route_status::matched) {
            FUZZ_CHECK(chosen == 1 && got.candidates.front().chosen && got.candidates.front().pattern == patterns_[*want.pattern].key,
                       what() + ": the chosen candidate");
        } else {
            FUZZ_CHECK(chosen == 0, what() + ": a candidate is chosen without a match");
        }
    }

    fuzz::reader& in_;
    std::unique_ptr<registry> reg_;
    std::vector<gen_pattern> patterns_;
    std::vector<int> handlers_;
    std::size_t removed_ = 0;
    bool frozen_ = false;
    std::array<registry::registration, 4> handles_{};
    std::array<std::string, 4> handle_keys_{};
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ++fuzz::inputs;
    fuzz::reader in(data, size);
    harness h(in);
    h.run();
    return 0;
}
