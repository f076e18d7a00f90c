// tests/fuzz/sniffing_pattern.cpp — roster::sniffing_registry's magic
// patterns and precedence against a reference written from docs/sniffing.md.
//
// Operations, interleaved:
//
//  1. Pattern texts from arbitrary bytes (raw, or mapped to the text form's
//     tokens: '?', "\?", "\\", "\xNN", "\n", malformed escapes...) at an
//     offset (small, or around the 1 GiB limit), and patterns from bytes and
//     a mask: construction never crashes and never throws; validity, the
//     error's offset (within the text), offset (leading wildcards moved into
//     it), bytes, mask, size, fixed bits are the reference parser's; text()
//     parses back to the same pattern.
//  2. A registry (on_duplicate::throw_error or replace, picked by the first
//     byte): formats added with one to three patterns from a small alphabet
//     (so that equal and overlapping patterns are common), priorities,
//     removals, freeze. The reference decides every refusal in the
//     documented order (name, no pattern, invalid pattern, frozen,
//     equivalent to another format's pattern, duplicate name).
//  3. match() on random inputs, with and without an allowlist, before and
//     after freeze(), against a reference matcher: of the patterns that
//     match, the most fixed bits, then the longest, then the highest
//     priority, then the smallest name, then the pattern given first; a
//     pattern the input is too short for is undecided and does not match;
//     undecided() counts those ranking ahead of the answer. explain() lists
//     every pattern in that order with the reference's verdicts;
//     required_peek() is the largest offset + size; match(std::istream&)
//     answers as match() on the stream's first bytes and consumes none.
#include "fuzz.hpp"

#include <roster/sniffing.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const bool installed = fuzz::install("sniffing_pattern");

constexpr std::size_t max_offset = std::size_t{1} << 30; // docs/sniffing.md: "past 1 GiB" is invalid

// ------------------------------------------------------------------ the reference pattern

struct ref_pattern {
    bool valid = false;
    std::optional<std::size_t> error_offset; // a text error: where
    std::size_t offset = 0;
    std::string bytes, mask; // masked bytes; one mask byte per byte
    std::size_t fixed_bits = 0;
    bool partial = false; // some mask byte is neither 0 nor 0xff
};

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Leading wildcards into the offset; refuses nothing fixed, or past 1 GiB.
void canonicalise(ref_pattern& p) {
    std::size_t lead = 0;
    while (lead < p.mask.size() && p.mask[lead] == 0) ++lead;
    if (lead == p.mask.size()) return; // empty, or fixes no byte: invalid
    p.offset += lead;
    if (p.offset > max_offset || p.mask.size() > max_offset) return;
    p.bytes.erase(0, lead);
    p.mask.erase(0, lead);
    for (const char m : p.mask) {
        const auto bits = static_cast<unsigned char>(m);
        for (unsigned b = 0; b < 8; ++b) p.fixed_bits += (bits >> b) & 1u;
        p.partial = p.partial || (bits != 0 && bits != 0xff);
    }
    p.valid = true;
}

/// The text form of docs/sniffing.md.
ref_pattern ref_parse(std::size_t offset, std::string_view text) {
    ref_pattern p;
    p.offset = offset;
    const auto push = [&p](unsigned char byte, unsigned char mask) {
        p.bytes += static_cast<char>(byte & mask);
        p.mask += static_cast<char>(mask);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '?') {
            push(0, 0);
        } else if (c != '\\') {
            push(static_cast<unsigned char>(c), 0xff);
        } else if (i + 1 == text.size()) {
            p.error_offset = i;
            return p;
        } else {
            const char e = text[++i];
            switch (e) {
            case '?': push('?', 0xff); break;
            case '\\': push('\\', 0xff); break;
            case 'n': push('\n', 0xff); break;
            case 'r': push('\r', 0xff); break;
            case 't': push('\t', 0xff); break;
            case '0': push(0, 0xff); break;
            case 'x': {
                const int hi = i + 1 < text.size() ? hex(text[i + 1]) : -1;
                const int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
                if (hi < 0 || lo < 0) { // exactly two hex digits
                    p.error_offset = i - 1;
                    return p;
                }
                push(static_cast<unsigned char>(hi * 16 + lo), 0xff);
                i += 2;
                break;
            }
            default: p.error_offset = i - 1; return p;
            }
        }
    }
    canonicalise(p);
    return p;
}

ref_pattern ref_bytes(std::size_t offset, std::string_view bytes, std::string_view mask) {
    ref_pattern p;
    p.offset = offset;
    if (!mask.empty() && mask.size() != bytes.size()) return p;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto m = mask.empty() ? static_cast<unsigned char>(0xff) : static_cast<unsigned char>(mask[i]);
        p.bytes += static_cast<char>(static_cast<unsigned char>(bytes[i]) & m);
        p.mask += static_cast<char>(m);
    }
    canonicalise(p);
    return p;
}

std::string as_text(std::span<const std::byte> s) {
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

/// Whether roster's pattern is the reference's.
bool same_pattern(const roster::magic_pattern& got, const ref_pattern& want) {
    if (got.valid() != want.valid) return false;
    if (!want.valid) return true;
    return got.offset() == want.offset && got.size() == want.bytes.size() && got.end() == want.offset + want.bytes.size() &&
           as_text(got.bytes()) == want.bytes && as_text(got.mask()) == want.mask && got.fixed_bits() == want.fixed_bits &&
           got.all_fixed() == (want.mask.find_first_not_of('\xff') == std::string::npos);
}

std::string show_ref(const ref_pattern& p) {
    if (!p.valid) return p.error_offset ? "invalid at offset " + std::to_string(*p.error_offset) : std::string("invalid");
    return "offset " + std::to_string(p.offset) + " bytes " + fuzz::show(p.bytes) + " mask " + fuzz::show(p.mask);
}

std::string show_pattern(const roster::magic_pattern& p) {
    if (!p.valid()) return "invalid: " + p.error();
    return "offset " + std::to_string(p.offset()) + " bytes " + fuzz::show(as_text(p.bytes())) + " mask " +
           fuzz::show(as_text(p.mask()));
}

/// 0 matched, 1 mismatched (at: the input offset), 2 undecided (at: the bytes needed).
std::pair<int, std::size_t> judge(const ref_pattern& p, std::string_view in) {
    const std::size_t end = p.offset + p.bytes.size();
    for (std::size_t i = p.offset; i < std::min(end, in.size()); ++i) {
        const std::size_t k = i - p.offset;
        if ((static_cast<unsigned char>(in[i]) & static_cast<unsigned char>(p.mask[k])) != static_cast<unsigned char>(p.bytes[k]))
            return {1, i};
    }
    return in.size() < end ? std::pair<int, std::size_t>{2, end} : std::pair<int, std::size_t>{0, 0};
}

// ------------------------------------------------------------------ the registry, type-erased

const std::array<std::string, 8> names = {"f0", "f1", "f2", "fmt", "a", "zz", "", std::string("x\x01", 2)};

struct add_outcome {
    roster::add_status status = roster::add_status::refused;
    roster::errc code = roster::errc::duplicate_key;
    std::string message;
};

struct match_outcome {
    std::string name;
    std::size_t index = 0;
    std::size_t undecided = 0;
    std::optional<roster::magic_pattern> pattern;
};

class api {
public:
    virtual ~api() = default;
    virtual add_outcome add(const std::string& name, const std::vector<roster::magic_pattern>& patterns, int handler,
                            int priority) = 0;
    virtual roster::result<int> remove(const std::string& name) = 0;
    virtual void freeze() = 0;
    virtual match_outcome match(std::string_view input, const std::vector<std::string_view>* allowed) = 0;
    virtual std::pair<match_outcome, std::string> match_stream(std::string_view input) = 0; // and what the stream reads afterwards
    virtual roster::sniff_explanation explain(std::string_view input, const std::vector<std::string_view>* allowed) = 0;
    virtual std::size_t required_peek() = 0;
    virtual std::size_t size() = 0;
    virtual std::optional<int> handler(std::string_view name) = 0;
};

template <class Registry>
class driver final : public api {
public:
    add_outcome add(const std::string& name, const std::vector<roster::magic_pattern>& patterns, int handler,
                    int priority) override {
        const typename Registry::add_result r =
            reg_.try_add(name, std::span<const roster::magic_pattern>(patterns), handler, priority);
        add_outcome out;
        out.status = r.status();
        if (r.status() == roster::add_status::refused) {
            out.code = r.error().code;
            out.message = r.error().message;
        }
        return out;
    }
    roster::result<int> remove(const std::string& name) override {
        const auto r = reg_.try_remove(name);
        if (!r) return r.error();
        return r->handler();
    }
    void freeze() override { reg_.freeze(); }
    static match_outcome outcome(const typename Registry::match_type& m) {
        match_outcome out;
        out.name = std::string(m.name());
        out.undecided = m.undecided();
        if (m) {
            out.index = m.pattern_index();
            out.pattern = m.pattern();
        }
        return out;
    }
    match_outcome match(std::string_view input, const std::vector<std::string_view>* allowed) override {
        if (allowed == nullptr) return outcome(reg_.match(input));
        return outcome(reg_.match(input, roster::sniff_allow(std::span<const std::string_view>(*allowed))));
    }
    std::pair<match_outcome, std::string> match_stream(std::string_view input) override {
        std::istringstream stream{std::string(input)};
        const match_outcome out = outcome(reg_.match(stream));
        std::string rest = stream.good() ? std::string() : std::string("<the stream is not good()>");
        rest.append(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
        return {out, rest};
    }
    roster::sniff_explanation explain(std::string_view input, const std::vector<std::string_view>* allowed) override {
        if (allowed == nullptr) return reg_.explain(input);
        return reg_.explain(input, roster::sniff_allow(std::span<const std::string_view>(*allowed)));
    }
    std::size_t required_peek() override { return reg_.required_peek(); }
    std::size_t size() override { return reg_.size(); }
    std::optional<int> handler(std::string_view name) override {
        return reg_.visit(name, [](const roster::sniff_entry<int>& e) { return e.handler(); });
    }

private:
    Registry reg_{"formats"};
};

// ------------------------------------------------------------------ the harness

class harness {
    struct format {
        std::string name;
        std::vector<ref_pattern> patterns;
        int priority;
        int handler;
    };

public:
    harness(fuzz::reader& in, bool replace) : in_(in), replace_(replace) {
        if (replace) reg_ = std::make_unique<driver<roster::sniffing_registry<int, roster::on_duplicate::replace>>>();
        else reg_ = std::make_unique<driver<roster::sniffing_registry<int>>>();
    }

    void run() {
        while (in_.more()) {
            step(in_.below(16));
            ++fuzz::operations;
        }
    }

private:
    void step(unsigned op) {
        switch (op) {
        case 0: case 1: do_parse(); break;
        case 2: do_bytes(); break;
        case 3: case 4: case 5: do_add(); break;
        case 6: case 7: case 8: case 9: case 10: do_match(); break;
        case 11: do_explain(); break;
        case 12: do_remove(); break;
        case 13: do_stream(); break;
        case 14: do_listing(); break;
        default: do_freeze(); break;
        }
    }

    // ---------------------------------------------------------- patterns

    std::size_t read_offset() {
        const unsigned o = in_.below(16);
        if (o < 10) return 0;
        if (o < 13) return o - 9;
        if (o == 13) return 257;
        return o == 14 ? max_offset - 1 : max_offset + 1;
    }

    std::string read_text() {
        const unsigned length = in_.below(12);
        if (in_.flag()) return std::string(in_.bytes(length));
        static const char* const tokens[16] = {"A", "B", "?", "?", "\\?", "\\\\", "\\x", "\\xff", "\\x0", "\\n",
                                               "\\0", "\\z", "\\", "0", "f", "\\t"};
        std::string out;
        for (unsigned i = 0; i < length; ++i) out += tokens[in_.below(16)];
        return out;
    }

    void check_pattern(const roster::magic_pattern& got, const ref_pattern& want, const std::string& what) {
        FUZZ_CHECK(same_pattern(got, want), what + ": " + show_pattern(got) + "; the reference " + show_ref(want));
        if (!got.valid()) {
            FUZZ_CHECK(!got.error().empty(), what + ": an invalid pattern without an error");
            if (want.error_offset) {
                const std::string prefix = "at offset " + std::to_string(*want.error_offset) + ": ";
                FUZZ_CHECK(got.error().compare(0, prefix.size(), prefix) == 0, what + ": error " + fuzz::show(got.error()) +
                                                                                    ", expected it at offset " +
                                                                                    std::to_string(*want.error_offset));
            }
            return;
        }
        FUZZ_CHECK(got.error().empty(), what + ": a valid pattern with an error");
        if (!want.partial) {
            // text() parses back to the same pattern.
            const roster::magic_pattern again(got.offset(), got.text());
            const ref_pattern shifted = ref_parse(got.offset(), got.text());
            FUZZ_CHECK(again == got && same_pattern(again, shifted),
                       what + ": text() " + fuzz::show(got.text()) + " parses to " + show_pattern(again));
        }
    }

    void do_parse() {
        const std::size_t offset = read_offset();
        const std::string text = read_text();
        const roster::magic_pattern got(offset, text);
        const ref_pattern want = ref_parse(offset, text);
        check_pattern(got, want, "magic_pattern(" + std::to_string(offset) + ", " + fuzz::show(text) + ")");
        if (want.error_offset) FUZZ_CHECK(*want.error_offset < text.size(), "a reference error offset past the text");
        if (offset == 0) check_pattern(roster::magic_pattern(std::string_view(text)), want, "magic_pattern(" + fuzz::show(text) + ")");
    }

    void do_bytes() {
        const std::size_t offset = read_offset();
        const unsigned length = in_.below(8);
        const unsigned mask_kind = in_.below(4); // none, random, right length, wrong length
        std::string bytes(in_.bytes(length));
        std::string mask;
        if (mask_kind == 1 || mask_kind == 2) {
            for (std::size_t i = 0; i < bytes.size(); ++i) {
                const unsigned m = in_.below(4);
                mask += static_cast<char>(m == 0 ? 0 : m == 1 ? 0xff : m == 2 ? 0xf0 : static_cast<int>(in_.byte()));
            }
        } else if (mask_kind == 3) {
            mask.assign(bytes.size() + 1, '\xff');
        }
        const roster::magic_pattern got(offset, std::as_bytes(std::span<const char>(bytes)),
                                        std::as_bytes(std::span<const char>(mask)));
        check_pattern(got, ref_bytes(offset, bytes, mask),
                      "magic_pattern(" + std::to_string(offset) + ", " + fuzz::show(bytes) + ", mask " + fuzz::show(mask) + ")");
    }

    // ---------------------------------------------------------- the registry

    /// A pattern for the registry: a few bytes from a small alphabet at a
    /// small offset, from text or from bytes and a mask.
    std::pair<roster::magic_pattern, ref_pattern> registry_pattern() {
        const std::size_t offset = in_.below(4) == 0 ? in_.below(3) : 0;
        const unsigned length = 1 + in_.below(4);
        if (in_.below(4) != 0) {
            static const char* const tokens[6] = {"A", "B", "?", "\\x00", "\\xff", "A"};
            std::string text;
            for (unsigned i = 0; i < length; ++i) text += tokens[in_.below(6)];
            return {roster::magic_pattern(offset, text), ref_parse(offset, text)};
        }
        std::string bytes, mask;
        static const unsigned char values[4] = {'A', 'B', 0x00, 0xff};
        static const unsigned char masks[4] = {0xff, 0xff, 0x00, 0xf0};
        for (unsigned i = 0; i < length; ++i) {
            bytes += static_cast<char>(values[in_.below(4)]);
            mask += static_cast<char>(masks[in_.below(4)]);
        }
        return {roster::magic_pattern(offset, std::as_bytes(std::span<const char>(bytes)), std::as_bytes(std::span<const char>(mask))),
                ref_bytes(offset, bytes, mask)};
    }

    static bool equal(const ref_pattern& a, const ref_pattern& b) {
        return a.offset == b.offset && a.bytes == b.bytes && a.mask == b.mask;
    }

    static bool valid_name(std::string_view name) {
        if (name.empty()) return false;
        for (const char c : name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
        return true;
    }

    format* find(std::string_view name) {
        for (format& f : formats_)
            if (f.name == name) return &f;
        return nullptr;
    }

    void do_add() {
        const std::string& name = names[in_.below(names.size())];
        const unsigned count = in_.below(8) == 0 ? 0 : 1 + in_.below(3);
        std::vector<roster::magic_pattern> patterns;
        std::vector<ref_pattern> refs;
        for (unsigned i = 0; i < count; ++i) {
            auto [p, r] = registry_pattern();
            FUZZ_CHECK(same_pattern(p, r), "registry pattern " + show_pattern(p) + "; the reference " + show_ref(r));
            patterns.push_back(std::move(p));
            refs.push_back(std::move(r));
        }
        static const int priorities[4] = {0, 0, 1, -1};
        const int priority = priorities[in_.below(4)];
        const int handler = next_handler_++;

        // The documented order of refusals.
        std::optional<roster::errc> refusal;
        format* existing = find(name);
        if (!valid_name(name) || refs.empty()) refusal = roster::errc::invalid_key;
        for (const ref_pattern& r : refs)
            if (!r.valid) refusal = roster::errc::invalid_key;
        if (!refusal && frozen_) refusal = roster::errc::frozen;
        if (!refusal)
            for (const format& f : formats_) {
                if (f.name == name) continue;
                for (const ref_pattern& mine : refs)
                    for (const ref_pattern& theirs : f.patterns)
                        if (equal(mine, theirs)) refusal = roster::errc::conflict;
            }
        if (!refusal && existing && !replace_) refusal = roster::errc::duplicate_key;

        const add_outcome got = reg_->add(name, patterns, handler, priority);
        const auto what = [&] {
            std::string out = "try_add(" + fuzz::show(name) + ",";
            for (const ref_pattern& r : refs) out += " [" + show_ref(r) + "]";
            return out + ", priority " + std::to_string(priority) + ")" + describe();
        };
        if (refusal) {
            FUZZ_CHECK(got.status == roster::add_status::refused && got.code == *refusal,
                       what() + ": " + roster::to_string(got.status) + " " + got.message + "; the reference refuses with " +
                           roster::to_string(*refusal));
            return;
        }
        const roster::add_status status = existing ? roster::add_status::replaced : roster::add_status::added;
        FUZZ_CHECK(got.status == status, what() + ": " + roster::to_string(got.status) + " " + got.message);
        if (existing) *existing = format{name, refs, priority, handler};
        else formats_.push_back(format{name, refs, priority, handler});
    }

    void do_remove() {
        const std::string& name = names[in_.below(names.size())];
        format* existing = find(name);
        const roster::result<int> got = reg_->remove(name);
        if (frozen_ || !existing) {
            FUZZ_CHECK(!got && got.error().code == (frozen_ ? roster::errc::frozen : roster::errc::not_found),
                       "try_remove(" + fuzz::show(name) + ")" + describe());
            return;
        }
        FUZZ_CHECK(got && *got == existing->handler, "try_remove(" + fuzz::show(name) + ")" + describe());
        formats_.erase(formats_.begin() + (existing - formats_.data()));
    }

    void do_freeze() {
        if (in_.below(4) != 0) return do_listing();
        reg_->freeze();
        frozen_ = true;
    }

    void do_listing() {
        FUZZ_CHECK(reg_->size() == formats_.size(), "size()" + describe());
        std::size_t peek = 0;
        for (const format& f : formats_)
            for (const ref_pattern& p : f.patterns) peek = std::max(peek, p.offset + p.bytes.size());
        FUZZ_CHECK(reg_->required_peek() == peek, "required_peek() = " + std::to_string(reg_->required_peek()) + describe());
        const std::string& name = names[in_.below(names.size())];
        const format* f = find(name);
        FUZZ_CHECK(reg_->handler(name) == (f ? std::optional<int>(f->handler) : std::nullopt), "visit(" + fuzz::show(name) + ")");
    }

    std::string describe() const {
        std::string out = frozen_ ? " [frozen" : " [";
        out += replace_ ? ", replace; formats:" : "; formats:";
        for (const format& f : formats_) {
            out += " " + fuzz::show(f.name) + "(priority " + std::to_string(f.priority) + ")";
            for (const ref_pattern& p : f.patterns) out += " [" + show_ref(p) + "]";
        }
        return out + "]";
    }

    // ---------------------------------------------------------- matching

    std::string read_input() {
        const unsigned length = in_.below(10);
        std::string out;
        static const unsigned char values[5] = {'A', 'B', 0x00, 0xff, 0xfa};
        for (unsigned i = 0; i < length; ++i) out += static_cast<char>(values[in_.below(5)]);
        return out;
    }

    struct ranked {
        const format* f;
        std::size_t index;
    };

    /// Every (format, pattern) in precedence order.
    std::vector<ranked> precedence() const {
        std::vector<ranked> all;
        for (const format& f : formats_)
            for (std::size_t i = 0; i < f.patterns.size(); ++i) all.push_back(ranked{&f, i});
        std::stable_sort(all.begin(), all.end(), [](const ranked& a, const ranked& b) {
            const ref_pattern& pa = a.f->patterns[a.index];
            const ref_pattern& pb = b.f->patterns[b.index];
            if (pa.fixed_bits != pb.fixed_bits) return pa.fixed_bits > pb.fixed_bits;
            if (pa.bytes.size() != pb.bytes.size()) return pa.bytes.size() > pb.bytes.size();
            if (a.f->priority != b.f->priority) return a.f->priority > b.f->priority;
            if (a.f->name != b.f->name) return a.f->name < b.f->name;
            return a.index < b.index;
        });
        return all;
    }

    struct expected_match {
        std::optional<ranked> winner;
        std::size_t undecided = 0;
    };

    expected_match expect(std::string_view input, const std::vector<std::string_view>* allowed) const {
        expected_match out;
        for (const ranked& r : precedence()) {
            if (allowed && std::find(allowed->begin(), allowed->end(), r.f->name) == allowed->end()) continue;
            const int verdict = judge(r.f->patterns[r.index], input).first;
            if (verdict == 2) ++out.undecided;
            if (verdict == 0) {
                out.winner = r;
                break;
            }
        }
        return out;
    }

    std::vector<std::string_view> read_allowlist(bool& use) {
        std::vector<std::string_view> allowed;
        use = in_.below(4) == 0;
        if (!use) return allowed;
        const unsigned bits = in_.byte();
        for (std::size_t i = 0; i < names.size(); ++i)
            if ((bits >> i) & 1u) allowed.emplace_back(names[i]);
        allowed.emplace_back("never-registered");
        return allowed;
    }

    void check_match(const match_outcome& got, const expected_match& want, const std::string& what) {
        FUZZ_CHECK(got.name == (want.winner ? want.winner->f->name : std::string()) && got.undecided == want.undecided,
                   what + ": got " + fuzz::show(got.name) + " #" + std::to_string(got.index) + " undecided " +
                       std::to_string(got.undecided) + "; the reference " +
                       (want.winner ? fuzz::show(want.winner->f->name) + " #" + std::to_string(want.winner->index) : "none") +
                       " undecided " + std::to_string(want.undecided) + describe());
        if (want.winner) {
            FUZZ_CHECK(got.index == want.winner->index && got.pattern &&
                           same_pattern(*got.pattern, want.winner->f->patterns[want.winner->index]),
                       what + ": pattern_index() " + std::to_string(got.index) + describe());
        }
    }

    void do_match() {
        const std::string input = read_input();
        bool use = false;
        const std::vector<std::string_view> allowed = read_allowlist(use);
        const auto what = [&] { return "match(" + fuzz::show(input) + (use ? ", an allowlist" : "") + ")"; };
        check_match(reg_->match(input, use ? &allowed : nullptr), expect(input, use ? &allowed : nullptr), what());
    }

    void do_stream() {
        const std::string input = read_input();
        const auto [got, rest] = reg_->match_stream(input);
        const std::size_t peek = reg_->required_peek();
        check_match(got, expect(std::string_view(input).substr(0, std::min(peek, input.size())), nullptr),
                    "match(stream " + fuzz::show(input) + ")");
        FUZZ_CHECK(rest == input, "match(stream " + fuzz::show(input) + ") consumed bytes: what is left reads " + fuzz::show(rest));
    }

    void do_explain() {
        const std::string input = read_input();
        bool use = false;
        const std::vector<std::string_view> allowed = read_allowlist(use);
        const roster::sniff_explanation got = reg_->explain(input, use ? &allowed : nullptr);
        const std::vector<ranked> order = precedence();
        const auto what = [&] { return "explain(" + fuzz::show(input) + (use ? ", an allowlist" : "") + ")" + describe(); };
        FUZZ_CHECK(got.candidates.size() == order.size() && got.input_size == input.size(), what());
        bool chosen = false;
        for (std::size_t i = 0; i < order.size(); ++i) {
            const roster::sniff_candidate& c = got.candidates[i];
            const ranked& r = order[i];
            const auto [verdict, at] = judge(r.f->patterns[r.index], input);
            const bool allowed_here = !use || std::find(allowed.begin(), allowed.end(), r.f->name) != allowed.end();
            const roster::sniff_verdict want = verdict == 0   ? roster::sniff_verdict::matched
                                               : verdict == 1 ? roster::sniff_verdict::mismatched
                                                              : roster::sniff_verdict::undecided;
            const bool pick = allowed_here && verdict == 0 && !chosen;
            chosen = chosen || pick;
            FUZZ_CHECK(c.name == r.f->name && c.pattern_index == r.index && c.priority == r.f->priority &&
                           c.offset == r.f->patterns[r.index].offset,
                       what() + ": candidate " + std::to_string(i) + " is " + fuzz::show(c.name) + " #" +
                           std::to_string(c.pattern_index) + ", the reference " + fuzz::show(r.f->name) + " #" +
                           std::to_string(r.index));
            FUZZ_CHECK(c.verdict == want && (verdict == 0 || c.at == at) && c.allowed == allowed_here && c.chosen == pick,
                       what() + ": candidate " + std::to_string(i) + " verdict " + roster::to_string(c.verdict) + " at " +
                           std::to_string(c.at) + ", the reference " + roster::to_string(want) + " at " + std::to_string(at));
        }
    }

    fuzz::reader& in_;
    bool replace_;
    std::unique_ptr<api> reg_;
    std::vector<format> formats_;
    bool frozen_ = false;
    int next_handler_ = 1;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ++fuzz::inputs;
    fuzz::reader in(data, size);
    harness h(in, (in.byte() & 1) != 0);
    h.run();
    return 0;
}
