// roster/sniffing.hpp — the sniffing registry: format names mapped to magic
// byte patterns and a handler each, so that a program picks a decoder by the
// first bytes of its input (images, archives, protocols), with an answer
// that does not depend on the order of registration.
//
//   #include <roster/sniffing.hpp>
//
//   roster::sniffing_registry<decoder*> formats("formats");
//   formats.add("png", "\\x89PNG\\r\\n\\x1a\\n", &png_decoder);
//   formats.add("gif", {"GIF87a", "GIF89a"}, &gif_decoder);
//   formats.add("tar", roster::magic_pattern(257, "ustar"), &tar_decoder);
//   formats.freeze();                                  // lock-free match from here on
//   if (auto m = formats.match(bytes)) m.handler()->decode(bytes);   // m.name() == "png"
//   auto only = formats.match(bytes, {"png", "gif"}); // a per-call allowlist
//   auto s = formats.match(std::cin);                  // peeks, consumes nothing
//
// Gives:
//   roster::sniffing_registry<Handler, Policies...>  the registry;
//   roster::magic_pattern     a byte pattern at an offset, with wildcard bytes
//                             ('?' in its text form; "\?" is a literal '?');
//   roster::sniff_entry<Handler>   the value stored per format name (what
//                                  change events carry);
//   roster::sniff_match<Handler>   what match() returns;
//   roster::sniff_bytes, roster::sniff_allow   match()'s input and allowlist;
//   roster::sniff_explanation, roster::sniff_candidate, roster::sniff_verdict
//                                  explain()'s answer.
//
// Built on the core: sniffing_registry privately derives from
// basic_registry<std::string, sniff_entry<Handler>, Policies...>, keyed by
// format name. Every policy applies (on_duplicate:: for a name added twice,
// on_null:: for null handlers, locking::, counters::, listing::), add()
// returns the core's add_result with its handle, and a pattern equivalent to
// another format's is refused (conflict_error) under the same write lock
// that inserts it.
//
// Precedence (docs/sniffing.md): of the patterns that match, the one with
// the most fixed bits wins, then the longest, then the highest priority
// given at registration, then the smallest format name (bytewise), then the
// pattern given first. Registration order never matters. A pattern that
// fixes no byte is refused, as are equivalent patterns (same offset, bytes
// and mask) under two names.
//
// Guarantees:
//  - Thread safety: add/try_add/remove/freeze take the core's write lock;
//    match/explain/required_peek and the other reads its read lock — none
//    once frozen. freeze() builds a dispatch index once (the candidates by
//    their first byte, in precedence order); from then on match() takes no
//    lock and touches no shared counter but the counters:: policy's.
//  - match() never allocates (on a hit or a miss; a counters::per_key miss
//    records the input's first bytes). The result shares the entry: valid
//    as long as the result, even if the format is removed meanwhile.
//  - A short input is not an error: a pattern that needs more bytes than
//    the input has, and agrees with every byte it has, is undecided and does
//    not match; sniff_match::undecided() counts those that ranked ahead of
//    the answer, and explain() names them.
//  - A refused add() or try_add() leaves the registry as it was.
//  - Before freeze(), match() scans every pattern (O(patterns)); after, it
//    scans the patterns that can match the input's first byte, in
//    precedence order, and stops at the first match. Both give the same
//    answer (a test checks this).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp" // describe_key, conflict_message, invalid_key_message, text
#include "roster/error.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include <algorithm>        // std::sort, std::min, std::max
#include <array>            // std::array: the index's buckets, the allowlist's inline names
#include <atomic>           // std::atomic: the published index
#include <concepts>         // std::equality_comparable
#include <cstddef>          // std::size_t, std::byte
#include <cstdint>          // std::uint64_t
#include <cstring>          // std::memcmp
#include <initializer_list> // several patterns, allowlists
#include <iterator>         // std::data, std::size
#include <memory>           // std::shared_ptr, std::unique_ptr
#include <span>             // std::span
#include <string>           // std::string
#include <string_view>      // std::string_view
#include <type_traits>      // std::remove_cvref_t, std::is_array_v
#include <utility>          // std::move
#include <vector>           // std::vector

ROSTER_BEGIN_NAMESPACE

template <class Handler, class... Policies>
class sniffing_registry;

// ---------------------------------------------------------------- patterns

/// A magic byte pattern: bytes at an offset of the input, each under a mask
/// (a byte with mask 0 is a wildcard, 0xff a fixed byte; other masks fix
/// some bits). Canonical: leading wildcard bytes move into the offset, so
/// "??ab" at 0 is "ab" at 2. Trailing wildcards stay: they require the
/// input to be that long.
///
/// The text form: every character is its own byte, except
///  - `?`: any byte (a wildcard; Go's image.RegisterFormat uses '?' too);
///  - `\?` a literal '?', `\\` a backslash, `\xNN` the byte 0xNN (two hex
///    digits), `\n`, `\r`, `\t`, `\0`.
/// A malformed text, a pattern that fixes no byte (it would match every
/// input), or an offset or size past 1 GiB makes an invalid pattern: valid() is false and error() says why.
/// A registry refuses an invalid pattern with that reason.
class magic_pattern {
public:
    /// An invalid, empty pattern.
    magic_pattern() = default;
    /// The pattern `text` (the text form above) at offset 0.
    template <class = void>
    magic_pattern(const char* text) : magic_pattern(0, std::string_view(text)) {} // NOLINT(google-explicit-constructor)
    /// The pattern `text` (the text form above) at offset 0.
    template <class = void>
    magic_pattern(std::string_view text) : magic_pattern(0, text) {} // NOLINT(google-explicit-constructor)
    /// The pattern `text` (the text form above) at offset 0.
    template <class = void>
    magic_pattern(const std::string& text) : magic_pattern(0, std::string_view(text)) {} // NOLINT(google-explicit-constructor)
    /// The pattern `text` (the text form above) at `offset`.
    template <class = void>
    magic_pattern(std::size_t offset, std::string_view text) : offset_(offset) { parse(text); }
    /// The pattern `bytes` at `offset`, each byte under the byte of `mask`
    /// at the same position (an empty `mask`: every byte fixed). A mask of
    /// another length makes an invalid pattern.
    template <class = void>
    magic_pattern(std::size_t offset, std::span<const std::byte> bytes, std::span<const std::byte> mask = {})
        : offset_(offset) {
        if (!mask.empty() && mask.size() != bytes.size()) {
            fail((detail::text() << "the mask has " << mask.size() << " byte" << detail::plural(mask.size())
                                    << ", the pattern " << bytes.size())
                        .str());
            return;
        }
        for (std::size_t i = 0; i < bytes.size(); ++i)
            push(static_cast<unsigned char>(bytes[i]), mask.empty() ? static_cast<unsigned char>(0xff)
                                                                    : static_cast<unsigned char>(mask[i]));
        finish();
    }

    /// Whether the pattern is usable (parsed, and fixes at least one bit).
    bool valid() const noexcept { return error_.empty(); }
    /// Why the pattern is invalid ("at offset 3: ..." for a text error); "" if valid.
    const std::string& error() const noexcept { return error_; }

    /// Where the pattern starts in the input (leading wildcards included).
    std::size_t offset() const noexcept { return offset_; }
    /// How many bytes the pattern spans (trailing wildcards included).
    std::size_t size() const noexcept { return bytes_.size(); }
    /// offset() + size(): how many bytes of input it needs to be decided.
    std::size_t end() const noexcept { return offset_ + bytes_.size(); }
    /// How many bits it fixes (8 per fixed byte): its specificity.
    std::size_t fixed_bits() const noexcept { return fixed_bits_; }
    /// Whether every byte is fixed (mask 0xff throughout).
    bool all_fixed() const noexcept { return all_fixed_; }
    /// The bytes (already masked: a wildcard byte is 0).
    template <class = void>
    std::span<const std::byte> bytes() const noexcept { return std::as_bytes(std::span<const char>(bytes_)); }
    /// The mask, one byte per byte.
    template <class = void>
    std::span<const std::byte> mask() const noexcept { return std::as_bytes(std::span<const char>(mask_)); }

    /// The pattern in the text form (wildcards as '?', other bytes escaped
    /// as needed); a partially masked byte, which the text form cannot
    /// write, shows as `\xNN&MM` (bytes and mask in hex). An invalid
    /// pattern shows the text it was given.
    template <class = void>
    std::string text() const {
        if (!valid()) return source_;
        static constexpr char hex[] = "0123456789abcdef";
        std::string out;
        for (std::size_t i = 0; i < bytes_.size(); ++i) {
            const auto b = static_cast<unsigned char>(bytes_[i]);
            const auto m = static_cast<unsigned char>(mask_[i]);
            if (m == 0) {
                out += '?';
            } else if (m != 0xff) {
                out += "\\x";
                out += hex[b >> 4];
                out += hex[b & 15];
                out += '&';
                out += hex[m >> 4];
                out += hex[m & 15];
            } else if (b == '?' || b == '\\') {
                out += '\\';
                out += static_cast<char>(b);
            } else if (b >= 0x20 && b < 0x7f) {
                out += static_cast<char>(b);
            } else if (b == '\n' || b == '\r' || b == '\t' || b == 0) {
                out += '\\';
                out += b == '\n' ? 'n' : b == '\r' ? 'r' : b == '\t' ? 't' : '0';
            } else {
                out += "\\x";
                out += hex[b >> 4];
                out += hex[b & 15];
            }
        }
        return out;
    }

    /// Whether `input` holds the pattern (false for a short input).
    template <class = void>
    bool matches(std::span<const std::byte> input) const noexcept {
        return check(reinterpret_cast<const unsigned char*>(input.data()), input.size()).verdict == 0;
    }

    /// Same offset, bytes and mask: the pattern matches exactly the inputs
    /// the other does (refused under two names).
    friend bool operator==(const magic_pattern& a, const magic_pattern& b) noexcept {
        if (!a.valid() || !b.valid()) return a.error_ == b.error_ && a.source_ == b.source_;
        return a.offset_ == b.offset_ && a.bytes_ == b.bytes_ && a.mask_ == b.mask_;
    }

private:
    template <class, class...>
    friend class sniffing_registry;

    /// What check() found.
    struct verdict_at {
        int verdict;    ///< 0: matched; 1: mismatched at `at`; 2: undecided (needs `at` bytes)
        std::size_t at; ///< the mismatching input offset, or the bytes needed, or 0
    };

    /// 0: matched; 1: mismatched at an input offset; 2: undecided (every
    /// available byte agrees; the input is too short).
    template <class = void>
    verdict_at check(const unsigned char* in, std::size_t n) const noexcept {
        const std::size_t stop = n < end() ? n : end();
        for (std::size_t i = offset_; i < stop; ++i) {
            const std::size_t k = i - offset_;
            if ((in[i] & static_cast<unsigned char>(mask_[k])) != static_cast<unsigned char>(bytes_[k])) return {1, i};
        }
        return n < end() ? verdict_at{2, end()} : verdict_at{0, 0};
    }

    template <class = void>
    void push(unsigned char byte, unsigned char m) {
        bytes_ += static_cast<char>(byte & m);
        mask_ += static_cast<char>(m);
    }

    template <class = void>
    void fail(std::string why) {
        error_ = std::move(why);
        bytes_.clear();
        mask_.clear();
    }

    template <class = void>
    void fail_at(std::size_t at, std::string_view why) { fail((detail::text() << "at offset " << at << ": " << why).str()); }

    template <class = void>
    static int hex_digit(char c) noexcept {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    template <class = void>
    void parse(std::string_view text) {
        source_ = std::string(text);
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '?') {
                push(0, 0);
                continue;
            }
            if (c != '\\') {
                push(static_cast<unsigned char>(c), 0xff);
                continue;
            }
            if (i + 1 == text.size()) return fail_at(i, "a backslash ends the pattern (write \\\\ for a backslash)");
            const char e = text[++i];
            switch (e) {
            case '?': push('?', 0xff); break;
            case '\\': push('\\', 0xff); break;
            case 'n': push('\n', 0xff); break;
            case 'r': push('\r', 0xff); break;
            case 't': push('\t', 0xff); break;
            case '0': push(0, 0xff); break;
            case 'x': {
                const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
                const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
                if (hi < 0 || lo < 0) return fail_at(i - 1, "\\x needs two hex digits");
                push(static_cast<unsigned char>(hi * 16 + lo), 0xff);
                i += 2;
                break;
            }
            default:
                return fail_at(i - 1, (detail::text() << "unknown escape \\" << std::string_view(&text[i], 1)
                                                   << " (escapes: \\? \\\\ \\xNN \\n \\r \\t \\0)")
                                       .str());
            }
        }
        finish();
    }

    /// Moves leading wildcards into the offset; counts the fixed bits;
    /// refuses a pattern that fixes nothing.
    template <class = void>
    void finish() {
        std::size_t lead = 0;
        while (lead < mask_.size() && mask_[lead] == 0) ++lead;
        if (lead == mask_.size()) {
            fail(mask_.empty() ? "the pattern is empty: it would match every input"
                               : "the pattern fixes no byte: it would match every input");
            return;
        }
        error_.clear();
        offset_ += lead;
        if (offset_ > max_offset || mask_.size() > max_offset) {
            fail((detail::text() << "the pattern ends past byte " << max_offset << " of the input").str());
            return;
        }
        bytes_.erase(0, lead);
        mask_.erase(0, lead);
        fixed_bits_ = 0;
        all_fixed_ = true;
        for (const char m : mask_) {
            auto bits = static_cast<unsigned char>(m);
            all_fixed_ = all_fixed_ && bits == 0xff;
            for (; bits != 0; bits = static_cast<unsigned char>(bits & (bits - 1))) ++fixed_bits_;
        }
    }

    /// The largest offset and size accepted (1 GiB): offset + size never overflows.
    static constexpr std::size_t max_offset = std::size_t{1} << 30;

    std::size_t offset_ = 0;
    std::string bytes_; // masked
    std::string mask_;
    std::size_t fixed_bits_ = 0;
    bool all_fixed_ = false;
    std::string error_ = "the pattern is empty: it would match every input";
    std::string source_; // the text given (shown for an invalid pattern)
};

// ------------------------------------------------------------------ values

/// The value a sniffing registry stores under a format name: the name, its
/// patterns, its priority and its handler, shared (a copy is a reference
/// count, never a copy of the handler). Change events carry it.
template <class Handler>
class sniff_entry {
public:
    /// An empty entry (null: refused by on_null::reject).
    sniff_entry() = default;
    /// The entry of `callable` for the format `format`, recognised by
    /// `recognisers`, with the priority `rank`.
    sniff_entry(std::string format, std::vector<magic_pattern> recognisers, Handler callable, int rank)
        : data_(std::make_shared<const data>(data{std::move(format), std::move(recognisers), std::move(callable), rank})) {}

    /// Whether this entry holds nothing (default-constructed).
    bool empty() const noexcept { return !data_; }
    /// The format name. Precondition: !empty().
    const std::string& name() const noexcept { return data_->name; }
    /// The patterns, as given. Precondition: !empty().
    const std::vector<magic_pattern>& patterns() const noexcept { return data_->patterns; }
    /// The handler. Precondition: !empty().
    const Handler& handler() const noexcept { return data_->handler; }
    /// The priority given at registration (breaks ties of specificity). Precondition: !empty().
    int priority() const noexcept { return data_->priority; }

    /// Same name, patterns, priority and equal handlers (on_duplicate::accept_if_equal).
    friend bool operator==(const sniff_entry& a, const sniff_entry& b)
        requires std::equality_comparable<Handler>
    {
        if (a.empty() || b.empty()) return a.empty() == b.empty();
        return a.name() == b.name() && a.patterns() == b.patterns() && a.priority() == b.priority() &&
               a.handler() == b.handler();
    }

private:
    struct data {
        std::string name;
        std::vector<magic_pattern> patterns;
        Handler handler;
        int priority;
    };
    std::shared_ptr<const data> data_;

    template <class, class...>
    friend class sniffing_registry;
    template <class>
    friend class sniff_match;
};

/// An entry is null when it is empty or its handler is null.
template <class Handler>
struct null_traits<sniff_entry<Handler>> {
    /// Whether `item` is empty or holds a null handler.
    static bool is_null(const sniff_entry<Handler>& item) noexcept {
        return item.empty() || null_traits<Handler>::is_null(item.handler());
    }
};

// ------------------------------------------------------ inputs, allowlists

/// A view of the bytes to sniff: built from anything contiguous of
/// byte-sized elements (std::span<const std::byte>, std::string_view,
/// std::string, std::vector<unsigned char>, std::array<std::byte, N>, ...),
/// or from a pointer and a size. Not from a C array: write
/// std::string_view("...") for a literal (a char array's size would count
/// its terminator, or the whole buffer).
class sniff_bytes {
public:
    /// No bytes.
    constexpr sniff_bytes() noexcept = default;
    /// `size` bytes at `data`.
    sniff_bytes(const void* data, std::size_t size) noexcept
        : data_(static_cast<const unsigned char*>(data)), size_(size) {}
    /// The bytes of a contiguous range of byte-sized elements.
    template <class Range>
        requires(!std::is_array_v<std::remove_cvref_t<Range>> && requires(const Range& r) {
            std::data(r);
            std::size(r);
        } && sizeof(*std::data(std::declval<const Range&>())) == 1)
    sniff_bytes(const Range& range) noexcept // NOLINT(google-explicit-constructor)
        : data_(reinterpret_cast<const unsigned char*>(std::data(range))), size_(std::size(range)) {}

    /// The first byte.
    const unsigned char* data() const noexcept { return data_; }
    /// How many bytes.
    std::size_t size() const noexcept { return size_; }

private:
    const unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// The format names one match() may answer (a per-call allowlist), so that
/// one registry serves callers that must not decode every format:
/// `reg.match(bytes, {"png", "gif"})`. From a braced list the names are
/// copied (the views, not the strings: keep the strings alive; up to 8
/// without allocating); from a span they are referred to (keep it alive).
/// A name no format has is allowed and never matches.
class sniff_allow {
public:
    /// These names (the views are copied).
    template <class = void>
    sniff_allow(std::initializer_list<std::string_view> names) : count_(names.size()) {
        if (names.size() <= inline_.size()) std::copy(names.begin(), names.end(), inline_.begin());
        else spill_.assign(names.begin(), names.end());
    }
    /// The names in `names` (referred to: keep it alive while this is used).
    explicit sniff_allow(std::span<const std::string_view> names) noexcept : views_(names.data()), count_(names.size()) {}
    /// The names in `names` (referred to: keep it alive while this is used).
    explicit sniff_allow(std::span<const std::string> names) noexcept : strings_(names.data()), count_(names.size()) {}

    /// How many names.
    std::size_t size() const noexcept { return count_; }
    /// Whether `name` is allowed.
    template <class = void>
    bool contains(std::string_view name) const noexcept {
        if (strings_ != nullptr) {
            for (std::size_t i = 0; i < count_; ++i)
                if (strings_[i] == name) return true;
            return false;
        }
        const std::string_view* names = views_ != nullptr ? views_ : spill_.empty() ? inline_.data() : spill_.data();
        for (std::size_t i = 0; i < count_; ++i)
            if (names[i] == name) return true;
        return false;
    }

private:
    std::array<std::string_view, 8> inline_{};
    std::vector<std::string_view> spill_;
    const std::string_view* views_ = nullptr;
    const std::string* strings_ = nullptr;
    std::size_t count_ = 0;
};

// ------------------------------------------------------------------ results

/// What sniffing_registry::match() returns: the format that matched, its
/// handler and the pattern that matched; or nothing. A hit shares the
/// registry's entry (valid as long as this object, even if the format is
/// removed meanwhile; after freeze() without touching a reference count).
template <class Handler>
class sniff_match {
public:
    /// Whether a format matched.
    explicit operator bool() const noexcept { return entry_ != nullptr; }
    /// The format name; "" when nothing matched. Bounded cardinality: fit for a metrics label.
    std::string_view name() const noexcept { return entry_ ? std::string_view(entry_->name) : std::string_view{}; }
    /// The handler. Precondition: a format matched.
    const Handler& handler() const noexcept { return entry_->handler; }
    /// The pattern that matched. Precondition: a format matched.
    const magic_pattern& pattern() const noexcept { return entry_->patterns[pattern_]; }
    /// The position of pattern() among the format's patterns. Precondition: a format matched.
    std::size_t pattern_index() const noexcept { return pattern_; }
    /// Where the format was added. Precondition: a format matched.
    const source_location& registered_at() const noexcept { return where_; }
    /// How many (allowed) patterns ranking ahead of the answer could not be
    /// decided because the input is too short: 0 means a longer input
    /// would give the same answer.
    std::size_t undecided() const noexcept { return undecided_; }

private:
    using data = typename sniff_entry<Handler>::data;

    std::shared_ptr<const data> entry_;
    std::size_t pattern_ = 0;
    source_location where_{};
    std::size_t undecided_ = 0;

    template <class, class...>
    friend class sniffing_registry;
};

/// A pattern's verdict on an input.
enum class sniff_verdict {
    matched,    ///< every byte of the pattern is there and agrees
    mismatched, ///< a byte differs (sniff_candidate::at says where)
    undecided   ///< every byte the input has agrees, but it is too short (sniff_candidate::at: the bytes needed)
};

/// "matched", "mismatched" or "undecided".
constexpr const char* to_string(sniff_verdict verdict) noexcept {
    switch (verdict) {
    case sniff_verdict::matched: return "matched";
    case sniff_verdict::mismatched: return "mismatched";
    case sniff_verdict::undecided: return "undecided";
    }
    return "unknown";
}

/// One registered pattern, as explain() judged it, in the order match() tries them.
struct sniff_candidate {
    std::string name;         ///< the format name
    std::string pattern;      ///< the pattern, in the text form
    std::size_t offset = 0;   ///< the pattern's offset
    std::size_t pattern_index = 0; ///< its position among the format's patterns
    int priority = 0;         ///< the format's priority
    source_location where;    ///< where the format was added
    sniff_verdict verdict = sniff_verdict::mismatched; ///< its verdict on the input
    std::size_t at = 0;       ///< mismatched: the input offset of the first differing byte; undecided: the bytes needed
    bool allowed = true;      ///< the call's allowlist admits its format
    bool chosen = false;      ///< it is the one match() picks
    std::string why;          ///< one sentence: the verdict and why it was chosen or not
};

/// What explain() returns: the input's size, the outcome, and every
/// registered pattern with a verdict, in precedence order.
struct sniff_explanation {
    std::size_t input_size = 0;              ///< how many bytes were given
    std::size_t required_peek = 0;           ///< how many bytes the longest pattern needs
    std::string outcome;                     ///< one sentence: what match() answers and why
    std::vector<sniff_candidate> candidates; ///< every pattern, in the order match() tries them

    /// A readable, multi-line rendering.
    template <class = void>
    std::string text() const {
        detail::text out;
        out << input_size << " byte" << detail::plural(input_size) << ": " << outcome;
        for (const sniff_candidate& c : candidates)
            out << "\n  "
                << (c.chosen ? "* " : c.verdict == sniff_verdict::matched ? "+ " : c.verdict == sniff_verdict::undecided ? "? " : "- ")
                << c.name << " \"" << c.pattern << "\" at offset " << c.offset << " (added at "
                << detail::describe(c.where) << "): " << c.why;
        return out.str();
    }
};

// ---------------------------------------------------------------- registry

/// The sniffing registry. `Handler`: any movable type — a function pointer,
/// std::function, std::shared_ptr<decoder>, your own functor.
/// `Policies`: the core's (see roster/policies.hpp), in any order.
template <class Handler, class... Policies>
class sniffing_registry : private basic_registry<std::string, sniff_entry<Handler>, Policies...> {
    using core = basic_registry<std::string, sniff_entry<Handler>, Policies...>;
    using typename core::entry;
    using typename core::map_type;
    using entry_data = typename sniff_entry<Handler>::data;

public:
    /// The handler type.
    using handler_type = Handler;
    /// The key type: a format's name.
    using key_type = std::string;
    /// What is stored under each format: its patterns, priority and handler.
    using value_type = sniff_entry<Handler>;
    /// What match() returns.
    using match_type = sniff_match<Handler>;
    using allow = sniff_allow; ///< `reg.match(bytes, registry::allow{"png"})`
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
    explicit sniffing_registry(std::string registry_name = "sniffing_registry",
                               source_location where = source_location::current())
        : core(std::move(registry_name), where) {}

    sniffing_registry(const sniffing_registry&) = delete;
    sniffing_registry& operator=(const sniffing_registry&) = delete;
    ~sniffing_registry() { delete index_.load(std::memory_order_acquire); }

    // ----------------------------------------------------------------- add

    /// Registers the format `name`, recognised by `pattern`, with `handler`.
    /// `priority` breaks ties between equally specific patterns (higher first).
    /// @returns the core's add_result: its handle() removes this format.
    /// @throws invalid_key_error for a malformed name or pattern, or a
    ///         pattern that fixes no byte (the message gives the reason);
    ///         conflict_error if a pattern is equivalent to another format's
    ///         (both names, both sites); null_value_error for a null handler
    ///         (on_null::reject); duplicate_key_error for a name added twice
    ///         (per the on_duplicate:: policy); frozen_error after freeze().
    /// Strong guarantee. O(patterns registered) (the conflict check).
    add_result add(std::string format, magic_pattern pattern, Handler handler, int priority = 0,
                   source_location where = source_location::current()) {
        return raise_refusal(try_add(std::move(format), std::move(pattern), std::move(handler), priority, where));
    }
    /// add() with several patterns: any of them recognises the format.
    add_result add(std::string format, std::initializer_list<magic_pattern> patterns, Handler handler, int priority = 0,
                   source_location where = source_location::current()) {
        return raise_refusal(try_add(std::move(format), patterns, std::move(handler), priority, where));
    }
    /// add() with several patterns: any of them recognises the format.
    add_result add(std::string format, std::span<const magic_pattern> patterns, Handler handler, int priority = 0,
                   source_location where = source_location::current()) {
        return raise_refusal(try_add(std::move(format), patterns, std::move(handler), priority, where));
    }

    /// add() that never raises a roster error: every refusal is in the result.
    [[nodiscard]] add_result try_add(std::string format, magic_pattern pattern, Handler handler, int priority = 0,
                                     source_location where = source_location::current()) {
        std::vector<magic_pattern> one;
        one.push_back(std::move(pattern));
        return add_patterns(std::move(format), std::move(one), std::move(handler), priority, where);
    }
    /// try_add() with several patterns.
    [[nodiscard]] add_result try_add(std::string format, std::initializer_list<magic_pattern> patterns, Handler handler,
                                     int priority = 0, source_location where = source_location::current()) {
        return add_patterns(std::move(format), std::vector<magic_pattern>(patterns), std::move(handler), priority, where);
    }
    /// try_add() with several patterns.
    [[nodiscard]] add_result try_add(std::string format, std::span<const magic_pattern> patterns, Handler handler,
                                     int priority = 0, source_location where = source_location::current()) {
        return add_patterns(std::move(format), std::vector<magic_pattern>(patterns.begin(), patterns.end()),
                            std::move(handler), priority, where);
    }

    // --------------------------------------------------------------- match

    /// The format whose pattern matches `input`, by precedence (most fixed
    /// bits, then longest, then priority, then name, then pattern order);
    /// an empty result if none does. A pattern the input is too short to
    /// decide does not match (undecided() counts those ranking ahead).
    /// Counts a hit for the format or a miss. Lock-free once frozen; never
    /// allocates.
    match_type match(sniff_bytes input) const { return find(input, nullptr); }

    /// match() among the formats `allowed` names only.
    match_type match(sniff_bytes input, const sniff_allow& allowed) const { return find(input, &allowed); }

    /// match() on the next bytes of a stream, consuming none: reads up to
    /// required_peek() bytes from its buffer (no sentry: whitespace is not
    /// skipped), then puts them back — by seeking back (pubseekoff), or,
    /// where the stream cannot seek (a pipe), by sungetc(), which works when
    /// the buffer still holds them (the stream's buffer should then be at
    /// least required_peek() bytes). If they cannot be put back, failbit is
    /// set. A stream that is not good() is sniffed as an empty input. Works
    /// on std::istream and other basic_istream of a byte-sized character;
    /// allocates when required_peek() exceeds 256.
    template <class Stream>
        requires requires(Stream& s) {
            typename Stream::char_type;
            typename Stream::off_type;
            s.rdbuf()->sgetn(static_cast<typename Stream::char_type*>(nullptr), 0);
            s.setstate(Stream::failbit);
        } && (sizeof(typename Stream::char_type) == 1)
    match_type match(Stream& in) const {
        return match_stream(in, nullptr);
    }

    /// match() on a stream among the formats `allowed` names only.
    template <class Stream>
        requires requires(Stream& s) {
            typename Stream::char_type;
            typename Stream::off_type;
            s.rdbuf()->sgetn(static_cast<typename Stream::char_type*>(nullptr), 0);
            s.setstate(Stream::failbit);
        } && (sizeof(typename Stream::char_type) == 1)
    match_type match(Stream& in, const sniff_allow& allowed) const {
        return match_stream(in, &allowed);
    }

    /// How many bytes of input decide every pattern: the largest offset +
    /// size. 0 for an empty registry. Lock-free once frozen.
    std::size_t required_peek() const {
        if (const index* built = index_.load(std::memory_order_acquire)) return built->peek;
        return this->read([](const map_type& map) {
            std::size_t most = 0;
            for (const auto& item : map)
                for (const magic_pattern& p : item.second.value.patterns()) most = std::max(most, p.end());
            return most;
        });
    }

    /// Every registered pattern judged against `input`, in the order match()
    /// tries them: matched, mismatched at which offset, or undecided (how
    /// many bytes it needs); which one match() chooses and why. A
    /// diagnostic: allocates; counts nothing.
    sniff_explanation explain(sniff_bytes input) const { return explain_in(input, nullptr); }
    /// explain() for a match() with an allowlist.
    sniff_explanation explain(sniff_bytes input, const sniff_allow& allowed) const { return explain_in(input, &allowed); }

    // -------------------------------------------------------------- freeze

    /// Freezes the registry (every later add is refused with frozen_error,
    /// naming `where`) and builds the dispatch index that match() uses from
    /// then on without a lock. Idempotent; thread safe.
    void freeze(source_location where = source_location::current()) {
        core::freeze(where);
        if (index_.load(std::memory_order_acquire) != nullptr) return;
        auto built = std::make_unique<index>();
        this->read([&](const map_type& map) { // frozen: no lock, nothing changes any more
            std::vector<candidate> all;
            for (const auto& item : map) {
                const auto& patterns = item.second.value.patterns();
                for (std::size_t i = 0; i < patterns.size(); ++i) {
                    const magic_pattern& p = patterns[i];
                    candidate c{reinterpret_cast<const unsigned char*>(p.bytes_.data()),
                                reinterpret_cast<const unsigned char*>(p.mask_.data()), p.offset(), p.size(), p.end(),
                                p.all_fixed(), &item.second, i};
                    const std::size_t head = std::min<std::size_t>(p.size(), 8);
                    std::memcpy(&c.head, p.bytes_.data(), head);
                    std::memcpy(&c.head_mask, p.mask_.data(), head);
                    all.push_back(c);
                    built->peek = std::max(built->peek, p.end());
                }
            }
            std::sort(all.begin(), all.end(), [](const candidate& a, const candidate& b) {
                return ranks_before(*a.item, a.pattern, *b.item, b.pattern);
            });
            for (const candidate& c : all) {
                const bool keyed = c.offset == 0 && c.mask[0] == 0xff;
                for (std::size_t b = 0; b < built->by_first.size(); ++b)
                    if (!keyed || static_cast<std::size_t>(c.bytes[0]) == b) built->by_first[b].push_back(c);
            }
            built->all = std::move(all);
            return 0;
        });
        const index* expected = nullptr;
        if (index_.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel)) built.release();
    }

    // ---------------------------------------------------- the core's members

    using core::at;         // the entry of a format name (not_found_error with the nearest names)
    using core::contains;   // whether a format name is registered
    using core::created_at; // where the registry was constructed
    using core::empty;
    using core::for_each; // every (name, entry)
    using core::frozen;
    using core::frozen_at;
    using core::get;      // the entry of a format name, or std::nullopt (a counted lookup)
    using core::location; // where a format was added
    using core::lookups;  // hits and misses (only with a counters:: policy)
    using core::name;
    using core::names;  // the format names, sorted
    using core::remove; // removes a format by name (before freeze)
    using core::report; // one entry per format, with per-format hits under counters::per_key
    using core::size;   // the number of formats
    using core::state;
    using core::subscribe; // change events: a format added, replaced or removed (roster/events.hpp)
    using core::try_at;
    using core::try_remove;
    using core::visit; // runs a callable on a format's entry, without copying it

private:
    /// One (format, pattern) pair, flattened for the index.
    struct candidate {
        const unsigned char* bytes;
        const unsigned char* mask;
        std::size_t offset;
        std::size_t size;
        std::size_t end;
        bool all_fixed;
        const entry* item;
        std::size_t pattern;
        std::uint64_t head = 0;      // the first (up to) 8 bytes, masked: one compare rejects most inputs
        std::uint64_t head_mask = 0; // their mask (0 beyond the pattern's size)
    };

    /// The frozen dispatch index: for each value of the input's first byte,
    /// the candidates that can match it, in precedence order (a candidate
    /// whose first byte is not fixed at offset 0 is in every list).
    struct index {
        std::array<std::vector<candidate>, 256> by_first;
        std::vector<candidate> all; // every candidate, in precedence order (the empty input's list)
        std::size_t peek = 0;
    };

    add_result raise_refusal(add_result outcome) {
        if (outcome.status() == add_status::refused &&
            (outcome.error().code != errc::duplicate_key || duplicate_policy::raises_refusal)) {
            raise(outcome.error());
        }
        return outcome;
    }

    add_result add_patterns(std::string format, std::vector<magic_pattern> patterns, Handler handler, int priority,
                            const source_location& where) {
        if (const std::string_view reason = key_traits<std::string>::validate(format); !reason.empty())
            return core::refused(detail::invalid_key_message(this->name(), detail::describe_key(format), reason, where));
        if (patterns.empty())
            return core::refused(detail::invalid_key_message(this->name(), detail::describe_key(format),
                                                             "no magic pattern given", where));
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            if (!patterns[i].valid()) {
                return core::refused(detail::invalid_key_message(
                    this->name(), detail::describe_key(format),
                    (detail::text() << "pattern " << (i + 1) << " of " << patterns.size() << " \""
                                    << patterns[i].text() << "\": " << patterns[i].error())
                        .str(),
                    where));
            }
        }
        std::string key = format;
        value_type item(std::move(format), std::move(patterns), std::move(handler), priority);
        return this->try_add_admitted(
            std::move(key), item, where, [&](const map_type& map) -> detail::maybe<error_info> {
                for (const auto& [other, existing] : map) {
                    if (other == item.name()) continue; // the same name: the duplicate policy decides
                    const auto& theirs = existing.value.patterns();
                    for (std::size_t i = 0; i < item.patterns().size(); ++i)
                        for (std::size_t j = 0; j < theirs.size(); ++j)
                            if (item.patterns()[i] == theirs[j])
                                return detail::conflict_message(
                                    this->name(), detail::describe_key(item.name()), where, detail::describe_key(other),
                                    existing.where,
                                    (detail::text()
                                     << "its pattern " << (i + 1) << " \"" << item.patterns()[i].text()
                                     << "\" at offset " << item.patterns()[i].offset() << " is the same as pattern "
                                     << (j + 1) << " of " << detail::describe_key(other)
                                     << ": equivalent patterns cannot tell the formats apart; make one of them "
                                        "more specific, or register the pattern under one name")
                                        .str());
                }
                return {};
            });
    }

    /// Precedence: more fixed bits, then longer, then higher priority, then
    /// the smaller name, then the pattern given first.
    static bool ranks_before(const entry& a, std::size_t ai, const entry& b, std::size_t bi) noexcept {
        const magic_pattern& pa = a.value.patterns()[ai];
        const magic_pattern& pb = b.value.patterns()[bi];
        if (pa.fixed_bits() != pb.fixed_bits()) return pa.fixed_bits() > pb.fixed_bits();
        if (pa.size() != pb.size()) return pa.size() > pb.size();
        if (a.value.priority() != b.value.priority()) return a.value.priority() > b.value.priority();
        if (&a != &b) return a.value.name() < b.value.name();
        return ai < bi;
    }

    /// 0 matched, 1 mismatched, 2 undecided (candidate form of magic_pattern::check).
    static int judge(const candidate& c, const unsigned char* in, std::size_t n) noexcept {
        if (c.offset + 8 <= n) { // the first 8 bytes in one compare
            std::uint64_t word;
            std::memcpy(&word, in + c.offset, 8);
            if ((word & c.head_mask) != c.head) return 1;
            if (c.size <= 8) return 0;
            if (c.end <= n) {
                if (c.all_fixed) return std::memcmp(in + c.offset + 8, c.bytes + 8, c.size - 8) == 0 ? 0 : 1;
                for (std::size_t k = 8; k < c.size; ++k)
                    if ((in[c.offset + k] & c.mask[k]) != c.bytes[k]) return 1;
                return 0;
            }
        }
        if (c.end <= n) {
            if (c.all_fixed) return std::memcmp(in + c.offset, c.bytes, c.size) == 0 ? 0 : 1;
            for (std::size_t k = 0; k < c.size; ++k)
                if ((in[c.offset + k] & c.mask[k]) != c.bytes[k]) return 1;
            return 0;
        }
        for (std::size_t i = c.offset; i < n; ++i)
            if ((in[i] & c.mask[i - c.offset]) != c.bytes[i - c.offset]) return 1;
        return 2;
    }

    /// The result for `item`'s pattern `pattern`: shared without owning
    /// once frozen (the registry keeps it), else owned.
    static match_type hit(const entry& item, std::size_t pattern, bool shared, std::size_t undecided) noexcept {
        match_type out;
        if (shared) out.entry_ = std::shared_ptr<const entry_data>(std::shared_ptr<const entry_data>(), item.value.data_.get());
        else out.entry_ = item.value.data_;
        out.pattern_ = pattern;
        out.where_ = item.where;
        out.undecided_ = undecided;
        return out;
    }

    void count_missed(sniff_bytes input) const {
        if constexpr (core::per_key_counting) { // the first bytes, escaped, as the missed key
            const std::size_t n = std::min<std::size_t>(input.size(), 8);
            std::vector<std::byte> first(n);
            for (std::size_t i = 0; i < n; ++i) first[i] = static_cast<std::byte>(input.data()[i]);
            this->count_miss(n == 0 ? std::string("<empty input>") : magic_pattern(0, first).text());
        } else {
            this->count_miss(std::string_view());
        }
    }

    match_type find(sniff_bytes input, const sniff_allow* allowed) const {
        const unsigned char* in = input.data();
        const std::size_t n = input.size();
        if (const index* built = index_.load(std::memory_order_acquire)) {
            const std::vector<candidate>& list = n == 0 ? built->all : built->by_first[in[0]];
            std::size_t undecided = 0;
            for (const candidate& c : list) {
                const int verdict = judge(c, in, n);
                if (verdict == 1) continue;
                if (allowed != nullptr && !allowed->contains(c.item->value.name())) continue;
                if (verdict == 2) {
                    ++undecided;
                    continue;
                }
                this->count_hit(*c.item);
                return hit(*c.item, c.pattern, true, undecided);
            }
            count_missed(input);
            match_type none;
            none.undecided_ = undecided;
            return none;
        }
        return this->read([&](const map_type& map) {
            const entry* best = nullptr;
            std::size_t best_pattern = 0;
            for (const auto& item : map) {
                if (allowed != nullptr && !allowed->contains(item.second.value.name())) continue;
                const auto& patterns = item.second.value.patterns();
                for (std::size_t i = 0; i < patterns.size(); ++i) {
                    if (patterns[i].check(in, n).verdict != 0) continue;
                    if (best == nullptr || ranks_before(item.second, i, *best, best_pattern)) {
                        best = &item.second;
                        best_pattern = i;
                    }
                }
            }
            std::size_t undecided = 0; // the undecided patterns ranking ahead of the answer
            for (const auto& item : map) {
                if (allowed != nullptr && !allowed->contains(item.second.value.name())) continue;
                const auto& patterns = item.second.value.patterns();
                for (std::size_t i = 0; i < patterns.size(); ++i)
                    if (patterns[i].check(in, n).verdict == 2 &&
                        (best == nullptr || ranks_before(item.second, i, *best, best_pattern)))
                        ++undecided;
            }
            if (best == nullptr) {
                count_missed(input);
                match_type none;
                none.undecided_ = undecided;
                return none;
            }
            this->count_hit(*best);
            return hit(*best, best_pattern, this->frozen(), undecided);
        });
    }

    template <class Stream>
    match_type match_stream(Stream& in, const sniff_allow* allowed) const {
        using char_type = typename Stream::char_type;
        using off_type = typename Stream::off_type;
        using pos_type = typename Stream::pos_type;
        auto* buffer = in.rdbuf();
        if (buffer == nullptr || !in.good()) return find(sniff_bytes(), allowed);
        const std::size_t need = required_peek();
        char_type local[256];
        std::vector<char_type> large;
        char_type* into = local;
        if (need > sizeof local) {
            large.resize(need);
            into = large.data();
        }
        using count_type = decltype(buffer->sgetn(into, 0)); // std::streamsize, without <ios>
        const count_type got = buffer->sgetn(into, static_cast<count_type>(need));
        const std::size_t count = got > 0 ? static_cast<std::size_t>(got) : 0;
        if (count > 0) {
            const pos_type moved = buffer->pubseekoff(-static_cast<off_type>(count), Stream::cur, Stream::in);
            if (moved == pos_type(off_type(-1))) {
                for (std::size_t i = 0; i < count; ++i) {
                    if (Stream::traits_type::eq_int_type(buffer->sungetc(), Stream::traits_type::eof())) {
                        in.setstate(Stream::failbit);
                        break;
                    }
                }
            }
        }
        return find(sniff_bytes(into, count), allowed);
    }

    sniff_explanation explain_in(sniff_bytes input, const sniff_allow* allowed) const {
        sniff_explanation out;
        out.input_size = input.size();
        const match_type answer = this->read([&](const map_type& map) {
            struct ref {
                const entry* item;
                std::size_t pattern;
            };
            std::vector<ref> refs;
            for (const auto& item : map)
                for (std::size_t i = 0; i < item.second.value.patterns().size(); ++i) refs.push_back(ref{&item.second, i});
            std::sort(refs.begin(), refs.end(),
                      [](const ref& a, const ref& b) { return ranks_before(*a.item, a.pattern, *b.item, b.pattern); });
            const entry* chosen = nullptr;
            std::size_t chosen_pattern = 0;
            std::size_t undecided = 0;
            for (const ref& r : refs) {
                const magic_pattern& p = r.item->value.patterns()[r.pattern];
                out.required_peek = std::max(out.required_peek, p.end());
                sniff_candidate c{r.item->value.name(), p.text(), p.offset(), r.pattern, r.item->value.priority(),
                                  r.item->where, sniff_verdict::mismatched, 0, true, false, {}};
                const auto [verdict, offset_or_need] = p.check(input.data(), input.size());
                c.verdict = verdict == 0 ? sniff_verdict::matched
                            : verdict == 1 ? sniff_verdict::mismatched
                                           : sniff_verdict::undecided;
                c.at = offset_or_need;
                c.allowed = allowed == nullptr || allowed->contains(c.name);
                detail::text why;
                if (c.verdict == sniff_verdict::mismatched) {
                    why << "mismatched at offset " << offset_or_need;
                } else if (c.verdict == sniff_verdict::undecided) {
                    why << "undecided: needs " << offset_or_need << " bytes, the input has " << input.size();
                } else {
                    why << "matched";
                }
                if (!c.allowed) {
                    why << "; not in the allowlist";
                } else if (c.verdict == sniff_verdict::matched && chosen == nullptr) {
                    c.chosen = true;
                    chosen = r.item;
                    chosen_pattern = r.pattern;
                    why << "; chosen: the first match in precedence order";
                } else if (c.verdict == sniff_verdict::matched) {
                    why << "; loses to " << detail::describe_key(chosen->value.name()) << ", which ranks ahead";
                } else if (c.verdict == sniff_verdict::undecided && chosen == nullptr) {
                    ++undecided;
                }
                c.why = why.str();
                out.candidates.push_back(std::move(c));
            }
            if (chosen == nullptr) {
                match_type none;
                none.undecided_ = undecided;
                return none;
            }
            return hit(*chosen, chosen_pattern, false, undecided);
        });
        detail::text outcome;
        if (answer) {
            outcome << "matched " << detail::describe_key(answer.name()) << " by its pattern \"" << answer.pattern().text()
                    << "\" at offset " << answer.pattern().offset();
        } else {
            outcome << "no format matched";
        }
        if (answer.undecided() != 0)
            outcome << "; " << answer.undecided() << " pattern" << detail::plural(answer.undecided())
                    << " ranking ahead could not be decided: the input has " << input.size()
                    << " byte" << detail::plural(input.size()) << ", required_peek() is " << out.required_peek;
        out.outcome = outcome.str();
        return out;
    }

    std::atomic<const index*> index_{nullptr}; // the dispatch index, built by freeze()
};

ROSTER_END_NAMESPACE // namespace roster
