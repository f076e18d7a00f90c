// Tests for roster/sniffing.hpp: the sniffing registry (format names mapped
// to magic byte patterns and handlers, matched by precedence, not by order
// of registration). The pattern type and its text form first, then
// precedence (checked in every order of registration, unfrozen and frozen:
// before freeze() match() scans every pattern under the read lock, after it
// walks the dispatch index, and both must answer the same), short inputs,
// allowlists, streams, registration (conflicts, empty and malformed
// patterns, nulls, duplicates, freeze, handles), the core's counters,
// catalog listing, events, explain(), and concurrency ([concurrency] cases
// are the ones the ThreadSanitizer build runs).
//
// The magic numbers are the formats' own (the PNG specification, GIF89a,
// RFC 1952 for gzip, the ZIP APPNOTE, ...), as the file(1) magic database
// lists them; tests/libmagic/ checks the registry against libmagic on real
// files.
#include "support/catch.hpp"
#include "support/allocations.hpp"

#include "roster/catalog.hpp"
#include "roster/counters.hpp"
#include "roster/events.hpp"
#include "roster/sniffing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::string_view_literals;

using decoder = int (*)();
using formats = roster::sniffing_registry<decoder>;

/// "file:line" as source locations of this file print it.
std::string line_text(unsigned line) { return fmt::format("{}:{}", __FILE__, line); }

/// Distinct non-null handlers: numbered<N>() returns N.
template <int N>
int numbered() {
    return N;
}

/// A registration: name, patterns, handler, priority.
struct format_spec {
    std::string name;
    std::vector<roster::magic_pattern> patterns;
    decoder handler;
    int priority = 0;
};

/// Common formats (magic numbers as file(1) lists them).
std::vector<format_spec> common_formats() {
    return {
        {"png", {"\\x89PNG\\r\\n\\x1a\\n"}, &numbered<1>},
        {"gif", {"GIF87a", "GIF89a"}, &numbered<2>},
        {"jpeg", {"\\xff\\xd8\\xff"}, &numbered<3>},
        {"gzip", {"\\x1f\\x8b"}, &numbered<4>},
        {"zip", {"PK\\x03\\x04", "PK\\x05\\x06"}, &numbered<5>},
        {"tar", {roster::magic_pattern(257, "ustar")}, &numbered<6>},
        {"webp", {"RIFF????WEBP"}, &numbered<7>},
        {"wav", {"RIFF????WAVE"}, &numbered<8>},
        {"riff", {"RIFF"}, &numbered<9>}, // any other RIFF: less specific than webp and wav
        {"pdf", {"%PDF-"}, &numbered<10>},
        {"elf", {"\\x7f" "ELF"}, &numbered<11>},
    };
}

void add_all(formats& reg, const std::vector<format_spec>& specs) {
    for (const format_spec& s : specs)
        reg.add(s.name, std::span<const roster::magic_pattern>(s.patterns), s.handler, s.priority);
}

/// Runs `check(reg)` on a registry of `specs` before freeze() and after.
template <class Check>
void for_both(const std::vector<format_spec>& specs, Check&& check) {
    formats reg{"sniff.both"};
    add_all(reg, specs);
    SECTION("not frozen: a scan under the read lock") { check(reg); }
    SECTION("frozen: the dispatch index") {
        reg.freeze();
        check(reg);
    }
}

std::string with_tail(std::string_view head, std::size_t size = 64) {
    std::string out(head);
    out.resize(std::max(size, head.size()), '.');
    return out;
}

std::string tar_header() {
    std::string out(512, '\0');
    out.replace(257, 6, std::string("ustar\0", 6));
    return out;
}

} // namespace

// ===========================================================================
// magic_pattern

TEST_CASE("magic_pattern: the text form: '?' is any byte, \\? a literal '?', \\\\ a backslash, \\xNN a byte",
          "[sniffing][pattern]") {
    const roster::magic_pattern p("a?\\?\\\\\\x00\\xFFz\\n\\r\\t\\0");
    REQUIRE(p.valid());
    CHECK(p.error().empty());
    CHECK(p.offset() == 0);
    CHECK(p.size() == 11);
    CHECK(p.end() == 11);
    CHECK(p.fixed_bits() == 80);
    CHECK_FALSE(p.all_fixed());
    CHECK(p.text() == "a?\\?\\\\\\0\\xffz\\n\\r\\t\\0");
    const std::array<std::byte, 11> yes{std::byte{'a'}, std::byte{'Q'},  std::byte{'?'},  std::byte{'\\'},
                                        std::byte{0},   std::byte{0xff}, std::byte{'z'},  std::byte{'\n'},
                                        std::byte{'\r'}, std::byte{'\t'}, std::byte{0}};
    CHECK(p.matches(yes));
    std::array<std::byte, 11> no = yes;
    no[2] = std::byte{'x'}; // the escaped '?' is a literal
    CHECK_FALSE(p.matches(no));
    CHECK_FALSE(p.matches(std::span<const std::byte>(yes).first(10))); // too short
}

TEST_CASE("magic_pattern: leading wildcards move into the offset; trailing ones stay and need the bytes",
          "[sniffing][pattern]") {
    const roster::magic_pattern lead("??ab");
    CHECK(lead.offset() == 2);
    CHECK(lead.size() == 2);
    CHECK(lead.text() == "ab");
    CHECK(lead == roster::magic_pattern(2, "ab"));
    const roster::magic_pattern trail(3, "ab??");
    CHECK(trail.offset() == 3);
    CHECK(trail.size() == 4);
    CHECK(trail.end() == 7);
    CHECK(trail.fixed_bits() == 16);
    CHECK(trail.text() == "ab??");
    CHECK_FALSE(trail == roster::magic_pattern(3, "ab"));
    const std::string_view input = "xxxab??";
    CHECK(trail.matches(std::as_bytes(std::span(input.data(), input.size()))));
    CHECK_FALSE(trail.matches(std::as_bytes(std::span(input.data(), 6))));
}

TEST_CASE("magic_pattern: bytes and a mask: a partial mask fixes some bits; a mask of another length is invalid",
          "[sniffing][pattern]") {
    const std::array<std::byte, 2> bytes{std::byte{0x12}, std::byte{0xab}};
    const std::array<std::byte, 2> mask{std::byte{0xf0}, std::byte{0xff}};
    const roster::magic_pattern p(1, bytes, mask);
    REQUIRE(p.valid());
    CHECK(p.offset() == 1);
    CHECK(p.fixed_bits() == 12);
    CHECK_FALSE(p.all_fixed());
    CHECK(p.text() == "\\x10&f0\\xab");
    CHECK(p.bytes()[0] == std::byte{0x10}); // stored masked
    const std::array<std::byte, 3> in{std::byte{0}, std::byte{0x1f}, std::byte{0xab}};
    CHECK(p.matches(in));
    const std::array<std::byte, 3> out{std::byte{0}, std::byte{0x2f}, std::byte{0xab}};
    CHECK_FALSE(p.matches(out));

    const roster::magic_pattern all(0, bytes);
    CHECK(all.all_fixed());
    CHECK(all.fixed_bits() == 16);

    const roster::magic_pattern bad(0, bytes, std::span<const std::byte>(mask).first(1));
    CHECK_FALSE(bad.valid());
    CHECK(bad.error() == "the mask has 1 byte, the pattern 2");
}

TEST_CASE("magic_pattern: a malformed text is invalid, and error() gives the offset and the reason",
          "[sniffing][pattern]") {
    CHECK(roster::magic_pattern("ab\\q").error() == "at offset 2: unknown escape \\q (escapes: \\? \\\\ \\xNN \\n \\r \\t \\0)");
    CHECK(roster::magic_pattern("a\\x4").error() == "at offset 1: \\x needs two hex digits");
    CHECK(roster::magic_pattern("a\\xg0").error() == "at offset 1: \\x needs two hex digits");
    CHECK(roster::magic_pattern("ab\\").error() == "at offset 2: a backslash ends the pattern (write \\\\ for a backslash)");
    CHECK(roster::magic_pattern("").error() == "the pattern is empty: it would match every input");
    CHECK(roster::magic_pattern("???").error() == "the pattern fixes no byte: it would match every input");
    CHECK(roster::magic_pattern().error() == "the pattern is empty: it would match every input");
    CHECK(roster::magic_pattern("ab\\q").text() == "ab\\q"); // an invalid pattern shows what it was given
    CHECK(roster::magic_pattern("\\x4A\\x4a").text() == "JJ");
    CHECK(roster::magic_pattern(std::size_t{1} << 31, "a").error() == "the pattern ends past byte 1073741824 of the input");
}

// ===========================================================================
// Precedence

TEST_CASE("sniffing_registry: each common format is recognised by its magic number", "[sniffing][match]") {
    for_both(common_formats(), [](const formats& reg) {
        CHECK(reg.match(with_tail("\x89PNG\r\n\x1a\n")).name() == "png");
        CHECK(reg.match(with_tail("GIF87a")).name() == "gif");
        CHECK(reg.match(with_tail("GIF89a")).name() == "gif");
        CHECK(reg.match(with_tail("GIF89a")).pattern_index() == 1);
        CHECK(reg.match(with_tail("\xff\xd8\xff\xe0")).name() == "jpeg");
        CHECK(reg.match(with_tail("\x1f\x8b\x08")).name() == "gzip");
        CHECK(reg.match(with_tail("PK\x05\x06")).name() == "zip");
        CHECK(reg.match(tar_header()).name() == "tar");
        CHECK(reg.match(with_tail("RIFF\x10\0\0\0WEBPVP8 "sv)).name() == "webp");
        CHECK(reg.match(with_tail("RIFF\x10\0\0\0WAVEfmt "sv)).name() == "wav");
        CHECK(reg.match(with_tail("RIFF\x10\0\0\0AVI LIST"sv)).name() == "riff");
        CHECK(reg.match(with_tail("%PDF-1.7")).name() == "pdf");
        CHECK(reg.match(with_tail("\x7f" "ELF\x02")).name() == "elf");
        const auto m = reg.match(with_tail("GIF8"));
        CHECK_FALSE(m);
        CHECK(m.name().empty());
        const auto png = reg.match(with_tail("\x89PNG\r\n\x1a\n"));
        REQUIRE(png);
        CHECK(png.handler() == &numbered<1>);
        CHECK(png.pattern().text() == "\\x89PNG\\r\\n\\x1a\\n");
        CHECK(png.undecided() == 0);
    });
}

TEST_CASE("sniffing_registry: the most fixed bits win, then the longest, then priority, then the name, then the "
          "pattern given first",
          "[sniffing][match][order]") {
    SECTION("more fixed bytes beat fewer, whatever the priority") {
        const std::vector<format_spec> specs = {{"short", {"AB"}, &numbered<1>, 100}, {"long", {"ABC"}, &numbered<2>, 0}};
        for_both(specs, [](const formats& reg) { CHECK(reg.match("ABCD"sv).name() == "long"); });
    }
    SECTION("with the same fixed bytes, the longer pattern (a trailing wildcard) wins") {
        const std::vector<format_spec> specs = {{"a", {"AB"}, &numbered<1>, 100}, {"b", {"AB?"}, &numbered<2>, 0}};
        for_both(specs, [](const formats& reg) {
            CHECK(reg.match("ABC"sv).name() == "b");
            CHECK(reg.match("AB"sv).name() == "a"); // "AB?" needs 3 bytes
        });
    }
    SECTION("then the higher priority") {
        const std::vector<format_spec> specs = {{"a", {"A?C"}, &numbered<1>, 1}, {"b", {"AB?"}, &numbered<2>, 2}};
        for_both(specs, [](const formats& reg) { CHECK(reg.match("ABC"sv).name() == "b"); });
    }
    SECTION("then the smaller name, bytewise") {
        const std::vector<format_spec> specs = {{"zz", {"A?C"}, &numbered<1>}, {"aa", {"AB?"}, &numbered<2>}};
        for_both(specs, [](const formats& reg) { CHECK(reg.match("ABC"sv).name() == "aa"); });
    }
    SECTION("then the pattern given first") {
        const std::vector<format_spec> specs = {{"x", {"A?C", "AB?"}, &numbered<1>}};
        for_both(specs, [](const formats& reg) { CHECK(reg.match("ABC"sv).pattern_index() == 0); });
    }
    SECTION("a partially masked byte counts its bits") {
        const std::array<std::byte, 2> nibble{std::byte{'A'}, std::byte{0x40}};
        const std::array<std::byte, 2> mask{std::byte{0xff}, std::byte{0xf0}};
        const std::vector<format_spec> specs = {{"nibble", {roster::magic_pattern(0, nibble, mask)}, &numbered<1>},
                                                {"one", {"A"}, &numbered<2>},
                                                {"two", {"AB"}, &numbered<3>}};
        for_both(specs, [](const formats& reg) {
            CHECK(reg.match("AB"sv).name() == "two");
            CHECK(reg.match("AO"sv).name() == "nibble");
            CHECK(reg.match("A!"sv).name() == "one");
        });
    }
    SECTION("an offset pattern competes on the same terms") {
        const std::vector<format_spec> specs = {{"head", {"ab"}, &numbered<1>},
                                                {"deep", {roster::magic_pattern(4, "xyz")}, &numbered<2>}};
        for_both(specs, [](const formats& reg) {
            CHECK(reg.match("ab..xyz"sv).name() == "deep");
            CHECK(reg.match("ab..xy!"sv).name() == "head");
            CHECK(reg.match("..."sv).name().empty());
        });
    }
}

TEST_CASE("sniffing_registry: the same formats in any order of registration give the same answers",
          "[sniffing][match][order]") {
    std::vector<format_spec> specs = common_formats();
    specs.push_back({"gif-any", {"GIF8?a"}, &numbered<20>}); // overlaps gif, less specific
    specs.push_back({"pk", {"PK"}, &numbered<21>});
    const std::vector<std::string> inputs = {
        with_tail("\x89PNG\r\n\x1a\n"), with_tail("GIF87a"), with_tail("GIF86a"), with_tail("PK\x03\x04"),
        with_tail("PKxx"),              tar_header(),        with_tail("RIFF\x10\0\0\0WEBP"sv),
        with_tail("RIFFxxxxAVI "),      "RIFF",              "PK",
        "G",                            "",                  with_tail("nothing")};
    std::vector<std::string> expected;
    {
        formats reference{"sniff.order.reference"};
        add_all(reference, specs);
        for (const std::string& in : inputs) expected.emplace_back(reference.match(in).name());
    }
    CHECK(expected[0] == "png");
    CHECK(expected[2] == "gif-any");
    CHECK(expected[4] == "pk");
    CHECK(expected[6] == "webp");
    CHECK(expected[7] == "riff");
    std::vector<std::size_t> order(specs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    int wrong = 0;
    for (int round = 0; round < 40; ++round) {
        std::rotate(order.begin(), order.begin() + 1 + round % 3, order.end());
        std::swap(order[static_cast<std::size_t>(round) % order.size()], order[static_cast<std::size_t>(round * 7 + 3) % order.size()]);
        std::vector<format_spec> shuffled;
        for (const std::size_t i : order) shuffled.push_back(specs[i]);
        formats reg{"sniff.order"};
        add_all(reg, shuffled);
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (reg.match(inputs[i]).name() != expected[i]) ++wrong;
        reg.freeze();
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (reg.match(inputs[i]).name() != expected[i]) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("sniffing_registry: frozen and unfrozen give the same answer, pattern and undecided count on random "
          "patterns and inputs",
          "[sniffing][match][frozen]") {
    std::mt19937 random(20240601); // fixed seed: the same cases every run
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    int wrong = 0;
    int hits = 0;
    for (int round = 0; round < 20; ++round) {
        formats plain{"sniff.random.plain"};
        formats frozen{"sniff.random.frozen"};
        std::vector<std::string> names;
        for (int f = 0; f < 12; ++f) {
            std::vector<roster::magic_pattern> patterns;
            for (int k = 0, count = 1 + pick(2); k < count; ++k) {
                std::vector<std::byte> bytes, mask;
                for (int b = 0, size = 1 + pick(12); b < size; ++b) {
                    bytes.push_back(static_cast<std::byte>('a' + pick(3)));
                    const int kind = pick(6);
                    mask.push_back(kind == 0 ? std::byte{0} : kind == 1 ? std::byte{0x0f} : std::byte{0xff});
                }
                patterns.emplace_back(static_cast<std::size_t>(pick(3) == 0 ? pick(6) : 0), bytes, mask);
            }
            const std::string name = fmt::format("f{}", f);
            const int priority = pick(3);
            // equivalent patterns, or a pattern that fixes nothing, are refused: both registries alike
            if (plain.try_add(name, std::span<const roster::magic_pattern>(patterns), &numbered<1>, priority)) {
                frozen.add(name, std::span<const roster::magic_pattern>(patterns), &numbered<1>, priority);
                names.push_back(name);
            }
        }
        frozen.freeze();
        const roster::sniff_allow some{names.empty() ? std::string_view() : std::string_view(names.front()),
                                       names.size() < 3 ? std::string_view() : std::string_view(names[2])};
        for (int i = 0; i < 300; ++i) {
            std::string input;
            for (int b = 0, size = pick(20); b < size; ++b) input += static_cast<char>('a' + pick(3));
            const auto a = plain.match(input);
            const auto b = frozen.match(input);
            if (a.name() != b.name() || a.undecided() != b.undecided() || (a && a.pattern_index() != b.pattern_index()))
                ++wrong;
            const auto c = plain.match(input, some);
            const auto d = frozen.match(input, some);
            if (c.name() != d.name() || c.undecided() != d.undecided()) ++wrong;
            const auto e = plain.explain(input);
            const bool chosen_agrees = std::any_of(e.candidates.begin(), e.candidates.end(), [&](const auto& cand) {
                return cand.chosen && cand.name == a.name() && cand.pattern_index == a.pattern_index();
            });
            if (a && !chosen_agrees) ++wrong;
            hits += a ? 1 : 0;
        }
    }
    CHECK(wrong == 0);
    CHECK(hits > 500); // the inputs do hit (a few letters, short patterns)
}

// ===========================================================================
// Short inputs, required_peek, allowlists

TEST_CASE("sniffing_registry: required_peek() is the largest offset + size; a short input leaves patterns undecided",
          "[sniffing][match][short]") {
    formats empty_reg{"sniff.peek.empty"};
    CHECK(empty_reg.required_peek() == 0);
    CHECK_FALSE(empty_reg.match("abc"sv));
    for_both(common_formats(), [](const formats& reg) {
        CHECK(reg.required_peek() == 262); // tar: "ustar" at 257
        // "RIFF" alone: webp, wav and tar are undecided (they rank ahead of riff), riff matches
        const auto riff = reg.match("RIFF"sv);
        CHECK(riff.name() == "riff");
        CHECK(riff.undecided() == 3);
        // a PNG header cut short: nothing matches, png and tar undecided
        const auto cut = reg.match("\x89PN"sv);
        CHECK_FALSE(cut);
        CHECK(cut.undecided() == 2);
        // a byte that disagrees decides png: only tar is still undecided
        CHECK(reg.match("\x89PX"sv).undecided() == 1);
        // the empty input: every pattern undecided
        CHECK(reg.match(std::string_view()).undecided() == 13);
        // gzip decided at 2 bytes, but tar ("ustar", more fixed bytes) ranks ahead, undecided
        const auto gz = reg.match("\x1f\x8b"sv);
        CHECK(gz.name() == "gzip");
        CHECK(gz.undecided() == 1);
        CHECK(reg.match(with_tail("\x1f\x8b", 300)).undecided() == 0);
    });
}

TEST_CASE("sniffing_registry: an allowlist restricts one call to the formats it names", "[sniffing][match][allow]") {
    std::vector<format_spec> specs = common_formats();
    specs.push_back({"pk", {"PK"}, &numbered<21>});
    for_both(specs, [](const formats& reg) {
        const std::string png = with_tail("\x89PNG\r\n\x1a\n");
        const std::string zip = with_tail("PK\x03\x04");
        CHECK(reg.match(png, {"png", "gif"}).name() == "png");
        CHECK_FALSE(reg.match(png, {"gif", "jpeg"}));
        CHECK(reg.match(zip, formats::allow{"pk"}).name() == "pk"); // zip ranks ahead but is not allowed
        CHECK(reg.match(zip, {"zip", "pk"}).name() == "zip");
        CHECK_FALSE(reg.match(zip, {"no-such-format"}));
        // undecided counts only allowed patterns
        CHECK(reg.match("RIFF"sv, {"riff", "webp"}).undecided() == 1);
        // views referred to, and owning strings
        const std::array<std::string_view, 2> views{"gif", "png"};
        CHECK(reg.match(png, roster::sniff_allow(std::span<const std::string_view>(views))).name() == "png");
        const std::vector<std::string> strings{"jpeg", "zip"};
        CHECK(reg.match(zip, roster::sniff_allow(std::span<const std::string>(strings))).name() == "zip");
        CHECK_FALSE(reg.match(png, roster::sniff_allow(std::span<const std::string>(strings))));
        // more than the inline capacity
        const roster::sniff_allow many{"a", "b", "c", "d", "e", "f", "g", "h", "i", "png"};
        CHECK(many.size() == 10);
        CHECK(many.contains("png"));
        CHECK_FALSE(many.contains("zip"));
        CHECK(reg.match(png, many).name() == "png");
        CHECK_FALSE(reg.match(zip, many));
    });
}

TEST_CASE("sniffing_registry: match() takes bytes, chars, unsigned chars, strings and vectors alike",
          "[sniffing][match]") {
    formats reg{"sniff.inputs"};
    reg.add("gzip", "\\x1f\\x8b", &numbered<4>);
    const std::array<std::byte, 3> bytes{std::byte{0x1f}, std::byte{0x8b}, std::byte{8}};
    const std::vector<unsigned char> uchars{0x1f, 0x8b, 8};
    const std::string text("\x1f\x8b\x08");
    CHECK(reg.match(std::span<const std::byte>(bytes)).name() == "gzip");
    CHECK(reg.match(bytes).name() == "gzip");
    CHECK(reg.match(uchars).name() == "gzip");
    CHECK(reg.match(std::span<const unsigned char>(uchars)).name() == "gzip");
    CHECK(reg.match(text).name() == "gzip");
    CHECK(reg.match(std::string_view(text)).name() == "gzip");
    CHECK(reg.match(roster::sniff_bytes(text.data(), 1)).undecided() == 1);
}

// ===========================================================================
// Streams

namespace {

/// A stream buffer that cannot seek (like a pipe's), refilled `chunk`
/// bytes at a time from `data`.
class pipe_buffer : public std::streambuf {
public:
    pipe_buffer(std::string data, std::size_t chunk) : data_(std::move(data)), chunk_(chunk) {}

protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        if (next_ >= data_.size()) return traits_type::eof();
        const std::size_t n = std::min(chunk_, data_.size() - next_);
        window_.assign(data_, next_, n);
        next_ += n;
        setg(window_.data(), window_.data(), window_.data() + n);
        return traits_type::to_int_type(*gptr());
    }

private:
    std::string data_;
    std::size_t chunk_;
    std::size_t next_ = 0;
    std::string window_;
};

std::string rest_of(std::istream& in) { return std::string(std::istreambuf_iterator<char>(in), {}); }

} // namespace

TEST_CASE("sniffing_registry: match(stream) peeks required_peek() bytes and consumes none", "[sniffing][stream]") {
    for_both(common_formats(), [](const formats& reg) {
        SECTION("a seekable stream, past its start") {
            const std::string data = "skip" + tar_header() + "tail";
            std::istringstream in(data);
            in.ignore(4);
            const auto m = reg.match(in);
            CHECK(m.name() == "tar");
            CHECK(in.good());
            CHECK(rest_of(in) == data.substr(4));
        }
        SECTION("a stream shorter than required_peek()") {
            std::istringstream in(std::string("GIF89a"));
            const auto m = reg.match(in, {"gif", "png"});
            CHECK(m.name() == "gif");
            CHECK(in.good()); // reaching the end while peeking sets no flag
            CHECK(rest_of(in) == "GIF89a");
        }
        SECTION("a stream that cannot seek, whose buffer holds the bytes: sungetc puts them back") {
            pipe_buffer buffer(with_tail("%PDF-1.4", 600), 4096);
            std::istream in(&buffer);
            CHECK(reg.match(in).name() == "pdf");
            CHECK(in.good());
            CHECK(rest_of(in) == with_tail("%PDF-1.4", 600));
        }
        SECTION("a stream that cannot seek nor put back: failbit, and the answer anyway") {
            pipe_buffer buffer(with_tail("%PDF-1.4", 600), 8);
            std::istream in(&buffer);
            CHECK(reg.match(in).name() == "pdf");
            CHECK(in.fail());
        }
        SECTION("a stream not good() is an empty input") {
            std::istringstream in(std::string("%PDF-1.4"));
            in.setstate(std::ios_base::failbit);
            const auto m = reg.match(in);
            CHECK_FALSE(m);
            CHECK(m.undecided() == 13);
        }
    });
}

// ===========================================================================
// Registration

TEST_CASE("sniffing_registry: equivalent patterns under two names are refused with conflict_error naming both sites",
          "[sniffing][registration]") {
    formats reg{"sniff.conflict"};
    const unsigned first = __LINE__ + 1;
    reg.add("gif", {"GIF87a", "GIF89a"}, &numbered<1>);
    const unsigned second = __LINE__ + 1;
    const auto refused = reg.try_add("gif-copy", {"GIF8", "GIF89a"}, &numbered<2>);
    REQUIRE(refused.status() == roster::add_status::refused);
    CHECK(refused.error().code == roster::errc::conflict);
    CHECK_THAT(refused.error().message,
               Catch::Matchers::StartsWith("roster: registry \"sniff.conflict\": cannot add key \"gif-copy\" at " +
                                           line_text(second) + " (in "));
    CHECK_THAT(refused.error().message, roster_test::contains("): it conflicts with key \"gif\" added at " +
                                                                  line_text(first) + " (in "));
    CHECK_THAT(refused.error().message,
               Catch::Matchers::EndsWith("):\nits pattern 2 \"GIF89a\" at offset 0 is the same as pattern 2 of "
                                         "\"gif\": equivalent patterns cannot tell the formats apart; make one of "
                                         "them more specific, or register the pattern under one name"));
    CHECK_THROWS_AS(reg.add("gif-copy", "GIF87a", &numbered<2>), roster::conflict_error);
    // leading wildcards are canonical: "??ab" at 0 is "ab" at 2
    reg.add("deep", roster::magic_pattern(2, "ab"), &numbered<3>);
    CHECK(reg.try_add("lead", "??ab", &numbered<4>).error().code == roster::errc::conflict);
    // overlapping but not equivalent is fine: the most specific wins
    reg.add("gif-any", "GIF8?a", &numbered<5>);
    reg.add("gif8", "GIF8", &numbered<6>);
    CHECK(reg.match("GIF89a"sv).name() == "gif");
    CHECK(reg.match("GIF86a"sv).name() == "gif-any");
    CHECK(reg.match("GIF8"sv).name() == "gif8");
    CHECK(reg.size() == 4);
}

TEST_CASE("sniffing_registry: an empty pattern, no pattern, a malformed one or a bad name is refused with "
          "invalid_key_error",
          "[sniffing][registration]") {
    formats reg{"sniff.invalid"};
    const unsigned line = __LINE__ + 1;
    const auto wild = reg.try_add("any", {"GIF8", "????"}, &numbered<1>);
    CHECK(wild.error().code == roster::errc::invalid_key);
    CHECK_THAT(wild.error().message,
               Catch::Matchers::StartsWith(fmt::format("roster: registry \"sniff.invalid\": invalid key \"any\" at {}",
                                                       line_text(line))));
    CHECK_THAT(wild.error().message,
               Catch::Matchers::EndsWith("pattern 2 of 2 \"????\": the pattern fixes no byte: it would match every input"));
    CHECK_THAT(reg.try_add("empty", "", &numbered<1>).error().message,
               Catch::Matchers::EndsWith(": pattern 1 of 1 \"\": the pattern is empty: it would match every input"));
    CHECK_THAT(reg.try_add("none", std::span<const roster::magic_pattern>(), &numbered<1>).error().message,
               Catch::Matchers::EndsWith(": no magic pattern given"));
    CHECK_THAT(reg.try_add("bad", "PK\\z", &numbered<1>).error().message,
               Catch::Matchers::EndsWith(": pattern 1 of 1 \"PK\\z\": at offset 2: unknown escape \\z (escapes: \\? "
                                         "\\\\ \\xNN \\n \\r \\t \\0)"));
    const unsigned empty_line = __LINE__ + 1; // one line: g++ and clang give a macro argument's line differently
    const std::string empty_name = reg.try_add("", "PK", &numbered<1>).error().message;
    CHECK_THAT(empty_name, Catch::Matchers::StartsWith("roster: registry \"sniff.invalid\": invalid key \"\" at " +
                                                       line_text(empty_line)));
    CHECK_THAT(reg.try_add("", "PK", &numbered<1>).error().message, Catch::Matchers::EndsWith(": key is empty"));
    CHECK_THROWS_AS(reg.add("any", "?", &numbered<1>), roster::invalid_key_error);
    CHECK_THROWS_AS(reg.add("tab\tname", "PK", &numbered<1>), roster::invalid_key_error);
    CHECK(reg.empty());
}

TEST_CASE("sniffing_registry: a refused add leaves the registry as it was", "[sniffing][registration]") {
    formats reg{"sniff.refused"};
    add_all(reg, common_formats());
    const auto names_before = reg.names();
    int events = 0;
    const auto subscription = reg.subscribe([&](const formats::event_type&) { ++events; });
    CHECK(reg.try_add("png2", "\\x89PNG\\r\\n\\x1a\\n", &numbered<9>).status() == roster::add_status::refused);
    CHECK(reg.try_add("wild", "?", &numbered<9>).status() == roster::add_status::refused);
    CHECK(reg.try_add("null", "NULL", decoder{nullptr}).status() == roster::add_status::refused);
    CHECK(reg.try_add("png", "NEWPNG", &numbered<9>).status() == roster::add_status::refused);
    CHECK(reg.names() == names_before);
    CHECK(events == 0);
    CHECK(reg.match("NEWPNG"sv).name().empty());
    CHECK(reg.match(with_tail("\x89PNG\r\n\x1a\n")).handler() == &numbered<1>);
    CHECK(reg.required_peek() == 262);
}

TEST_CASE("sniffing_registry: try_add never throws a roster error: every refusal is in its result",
          "[sniffing][registration]") {
    formats reg{"sniff.try_add"};
    reg.add("gzip", "\\x1f\\x8b", &numbered<1>);
    std::optional<formats::add_result> conflict, malformed, null, duplicate;
    CHECK_NOTHROW(conflict.emplace(reg.try_add("gz", "\\x1f\\x8b", &numbered<2>)));
    CHECK_NOTHROW(malformed.emplace(reg.try_add("m", "\\x1", &numbered<2>)));
    CHECK_NOTHROW(null.emplace(reg.try_add("n", "N", decoder{nullptr})));
    CHECK_NOTHROW(duplicate.emplace(reg.try_add("gzip", "GZ", &numbered<2>)));
    CHECK(conflict->error().code == roster::errc::conflict);
    CHECK(malformed->error().code == roster::errc::invalid_key);
    CHECK(null->error().code == roster::errc::null_value);
    CHECK(duplicate->error().code == roster::errc::duplicate_key);
    REQUIRE(duplicate->existing().has_value());
    REQUIRE(duplicate->existing()->value.has_value());
    CHECK(duplicate->existing()->value->handler() == &numbered<1>);
    CHECK(duplicate->existing()->value->patterns().at(0).text() == "\\x1f\\x8b");
    reg.freeze();
    std::optional<formats::add_result> frozen;
    CHECK_NOTHROW(frozen.emplace(reg.try_add("late", "LATE", &numbered<2>)));
    CHECK(frozen->error().code == roster::errc::frozen);
    CHECK(reg.size() == 1);
}

TEST_CASE("sniffing_registry: a null handler is refused with null_value_error; on_null::allow admits it",
          "[sniffing][registration][policies]") {
    formats reg{"sniff.null"};
    const unsigned line = __LINE__ + 1;
    const auto refused = reg.try_add("x", "X", decoder{nullptr});
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK_THAT(refused.error().message,
               Catch::Matchers::StartsWith("roster: registry \"sniff.null\": refused a value of type "));
    CHECK_THAT(refused.error().message, roster_test::contains("for key \"x\" at " + line_text(line)));
    CHECK_THROWS_AS(reg.add("x", "X", decoder{nullptr}), roster::null_value_error);
    roster::sniffing_registry<std::function<int()>> functions{"sniff.null.function"};
    CHECK_THROWS_AS(functions.add("x", "X", std::function<int()>{}), roster::null_value_error);
    functions.add("y", "Y", [] { return 7; });
    CHECK(functions.match("Y"sv).handler()() == 7);

    roster::sniffing_registry<decoder, roster::on_null::allow> lenient{"sniff.null.allow"};
    lenient.add("x", "X", decoder{nullptr});
    const auto m = lenient.match("X"sv);
    REQUIRE(m);
    CHECK(m.handler() == nullptr);
}

TEST_CASE("sniffing_registry: a name added twice is a duplicate_key_error by default; on_duplicate::replace replaces "
          "its patterns",
          "[sniffing][registration][policies]") {
    SECTION("default") {
        formats reg{"sniff.duplicate"};
        const unsigned line = __LINE__ + 1;
        reg.add("gzip", "\\x1f\\x8b", &numbered<1>);
        try {
            reg.add("gzip", "GZ", &numbered<2>);
            FAIL("no exception");
        } catch (const roster::duplicate_key_error& e) {
            CHECK_THAT(e.what(), Catch::Matchers::StartsWith("roster: registry \"sniff.duplicate\": duplicate key \"gzip\": added at"));
            CHECK_THAT(e.what(), roster_test::contains("but already added at " + line_text(line)));
        }
        CHECK(reg.match("GZ"sv).name().empty());
    }
    SECTION("on_duplicate::replace") {
        roster::sniffing_registry<decoder, roster::on_duplicate::replace> reg{"sniff.replace"};
        reg.add("gzip", "\\x1f\\x8b", &numbered<1>);
        reg.add("other", "GZ", &numbered<3>);
        const auto replaced = reg.add("gzip", "\\x1f\\x8b\\x08", &numbered<2>);
        CHECK(replaced.status() == roster::add_status::replaced);
        CHECK(reg.size() == 2);
        CHECK(reg.match("\x1f\x8b\x08"sv).handler() == &numbered<2>);
        CHECK(reg.match("\x1f\x8b\x09"sv).name().empty()); // the old pattern is gone
        CHECK_THROWS_AS(reg.add("gzip", "GZ", &numbered<2>), roster::conflict_error); // another name's pattern
        reg.freeze();
        CHECK(reg.match("\x1f\x8b\x08"sv).handler() == &numbered<2>);
    }
    SECTION("on_duplicate::keep_first and accept_if_equal") {
        roster::sniffing_registry<decoder, roster::on_duplicate::keep_first> first{"sniff.keep_first"};
        first.add("a", "A", &numbered<1>);
        CHECK(first.add("a", "B", &numbered<2>).status() == roster::add_status::kept_existing);
        CHECK(first.match("A"sv).handler() == &numbered<1>);
        roster::sniffing_registry<decoder, roster::on_duplicate::accept_if_equal> equal{"sniff.accept_if_equal"};
        equal.add("a", {"A", "B"}, &numbered<1>, 3);
        CHECK(equal.add("a", {"A", "B"}, &numbered<1>, 3).status() == roster::add_status::kept_existing);
        CHECK_THROWS_AS(equal.add("a", {"A", "B"}, &numbered<1>, 4), roster::duplicate_key_error);
        CHECK_THROWS_AS(equal.add("a", {"A"}, &numbered<1>, 3), roster::duplicate_key_error);
    }
}

TEST_CASE("sniffing_registry: after freeze() every add is refused with frozen_error naming where it was frozen",
          "[sniffing][registration][freeze]") {
    formats reg{"sniff.frozen"};
    reg.add("a", "A", &numbered<1>);
    const unsigned line = __LINE__ + 1;
    reg.freeze();
    reg.freeze(); // idempotent
    CHECK(reg.frozen());
    REQUIRE(reg.frozen_at().has_value());
    CHECK(reg.frozen_at()->line() == line);
    CHECK(reg.state() == roster::lifecycle::frozen);
    const auto refused = reg.try_add("b", "B", &numbered<2>);
    CHECK(refused.error().code == roster::errc::frozen);
    CHECK_THAT(refused.error().message,
               Catch::Matchers::StartsWith("roster: registry \"sniff.frozen\": cannot add key \"b\" at"));
    CHECK_THAT(refused.error().message, roster_test::contains("the registry was frozen at " + line_text(line)));
    CHECK_THROWS_AS(reg.add("b", "B", &numbered<2>), roster::frozen_error);
    CHECK_THROWS_AS(reg.remove("a"), roster::frozen_error);
    CHECK(reg.match("A"sv));
    CHECK_FALSE(reg.match("B"sv));
}

TEST_CASE("sniffing_registry: the handle from add() and remove() take a format away before freeze",
          "[sniffing][registration][handles]") {
    formats reg{"sniff.handles"};
    auto handle = reg.add("gif", "GIF8", &numbered<1>).handle();
    reg.add("png", "\\x89PNG", &numbered<2>);
    CHECK(reg.try_add("gif2", "GIF8", &numbered<3>).error().code == roster::errc::conflict);
    CHECK(handle.remove());
    CHECK_FALSE(reg.contains("gif"));
    CHECK_FALSE(reg.match("GIF8"sv));
    reg.add("gif2", "GIF8", &numbered<3>); // no conflict once it is gone
    CHECK(reg.match("GIF8"sv).name() == "gif2");
    const auto removed = reg.remove("png");
    CHECK(removed.handler() == &numbered<2>);
    CHECK(reg.try_remove("png").error().code == roster::errc::not_found);
    CHECK_FALSE(reg.match("\x89PNG"sv));
}

TEST_CASE("sniffing_registry: a match holds its format even if the format is removed meanwhile",
          "[sniffing][registration][handles]") {
    roster::sniffing_registry<std::shared_ptr<int>> reg{"sniff.lifetime"};
    reg.add("a", "A", std::make_shared<int>(41));
    const auto m = reg.match("A"sv);
    (void)reg.remove("a");
    REQUIRE(m);
    CHECK(*m.handler() == 41);
    CHECK(m.name() == "a");
    CHECK(m.pattern().text() == "A");
}

TEST_CASE("sniffing_registry: the core's lookups by name: get, try_at, at, visit, contains, location, names",
          "[sniffing][core]") {
    formats reg{"sniff.core"};
    const unsigned line = __LINE__ + 1;
    reg.add("gif", {"GIF87a", "GIF89a"}, &numbered<1>, 5);
    reg.add("png", "\\x89PNG", &numbered<2>);
    const auto gif = reg.get("gif");
    REQUIRE(gif.has_value());
    CHECK(gif->name() == "gif");
    CHECK(gif->patterns().size() == 2);
    CHECK(gif->priority() == 5);
    CHECK(gif->handler() == &numbered<1>);
    CHECK_FALSE(reg.get("gifs").has_value());
    CHECK(reg.try_at("gifs").error().code == roster::errc::not_found);
    CHECK_THAT(reg.try_at("gifs").error().message, roster_test::contains("nearest: \"gif\""));
    CHECK(reg.at("png").handler() == &numbered<2>);
    CHECK(reg.visit("png", [](const formats::value_type& v) { return v.patterns().size(); }) ==
          std::optional<std::size_t>(1));
    CHECK(reg.contains("gif"));
    CHECK(reg.location("gif")->line() == line);
    CHECK(reg.names() == std::vector<std::string>{"gif", "png"});
    std::size_t seen = 0;
    reg.for_each([&](const std::string&, const formats::value_type&) { ++seen; });
    CHECK(seen == 2);
    CHECK(reg.name() == "sniff.core");
    CHECK_FALSE(reg.empty());
}

TEST_CASE("sniffing_registry: locking::none works the same, frozen or not", "[sniffing][policies]") {
    roster::sniffing_registry<decoder, roster::locking::none> reg{"sniff.unlocked"};
    reg.add("a", "AB", &numbered<1>);
    reg.add("b", "A", &numbered<2>);
    CHECK(reg.match("AB"sv).name() == "a");
    reg.freeze();
    CHECK(reg.match("AC"sv).name() == "b");
}

// ===========================================================================
// Counters, catalog, events

TEST_CASE("sniffing_registry: counters::per_key counts hits per format and misses by the input's first bytes",
          "[sniffing][counters]") {
    roster::sniffing_registry<decoder, roster::counters::per_key> reg{"sniff.counters"};
    reg.add("gif", "GIF8", &numbered<1>);
    reg.add("png", "\\x89PNG", &numbered<2>);
    (void)reg.match("GIF89a"sv);
    (void)reg.match("nothing-known"sv);
    (void)reg.explain("GIF89a"sv); // explain counts nothing
    CHECK(reg.lookups().hits == 1);
    CHECK(reg.lookups().misses == 1);
    reg.freeze();
    (void)reg.match("GIF87a"sv);
    (void)reg.match("\x89PNG"sv);
    (void)reg.match(std::string_view());
    const auto report = reg.report();
    REQUIRE(report.entries.size() == 2);
    CHECK(report.entries[0].key == "\"gif\"");
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(2));
    CHECK(report.entries[1].hits == std::optional<std::uint64_t>(1));
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 3);
    CHECK(report.lookups->misses == 2);
    REQUIRE(report.missed_keys.size() == 2);
    CHECK(report.missed_keys[0].key == "\"<empty input>\"");
    CHECK(report.missed_keys[1].key == "\"nothing-\"");

    roster::sniffing_registry<decoder, roster::counters::per_registry> totals{"sniff.counters.totals"};
    totals.add("a", "A", &numbered<1>);
    (void)totals.match("A"sv);
    (void)totals.match("B"sv);
    CHECK(totals.lookups().hits == 1);
    CHECK(totals.lookups().misses == 1);
}

TEST_CASE("sniffing_registry: listing::listed puts the registry and its formats in the catalog", "[sniffing][catalog]") {
    auto& catalog = roster::catalog::instance();
    REQUIRE_FALSE(catalog.contains("sniff.listed"));
    {
        roster::sniffing_registry<decoder, roster::listing::listed> reg{"sniff.listed"};
        reg.add("png", "\\x89PNG", &numbered<1>);
        reg.add("gif", "GIF8", &numbered<2>);
        REQUIRE(catalog.contains("sniff.listed"));
        const auto report = catalog.at("sniff.listed");
        REQUIRE(report.entries.size() == 2);
        CHECK(report.entries[0].key == "\"gif\"");
        CHECK(report.entries[1].key == "\"png\"");
        reg.freeze();
        CHECK(catalog.at("sniff.listed").state == roster::lifecycle::frozen);
    }
    CHECK_FALSE(catalog.contains("sniff.listed"));
}

TEST_CASE("sniffing_registry: subscribe() hears each format added, replaced and removed, with its entry",
          "[sniffing][events]") {
    roster::sniffing_registry<decoder, roster::on_duplicate::replace> reg{"sniff.events"};
    std::vector<std::string> heard;
    const auto subscription = reg.subscribe([&](const auto& e) {
        std::string text = std::string(roster::to_string(e.kind)) + " " + e.key.value_or("<none>");
        if (e.current) text += " -> " + e.current->patterns().at(0).text() + " #" + std::to_string(e.current->handler()());
        heard.push_back(text);
    });
    auto handle = reg.add("gif", "GIF8", &numbered<1>).handle();
    (void)reg.try_add("gif2", "GIF8", &numbered<2>); // refused: nothing heard
    reg.add("gif", "GIF89a", &numbered<3>);
    reg.add("png", "\\x89PNG", &numbered<4>);
    CHECK(reg.remove("png").handler() == &numbered<4>);
    REQUIRE(heard.size() == 4);
    CHECK(heard[0] == "added gif -> GIF8 #1");
    CHECK(heard[1] == "changed gif -> GIF89a #3");
    CHECK(heard[2] == "added png -> \\x89PNG #4");
    CHECK(heard[3] == "removed png");
}

// ===========================================================================
// explain()

TEST_CASE("sniffing_registry: explain() lists every pattern in precedence order with its verdict",
          "[sniffing][explain]") {
    formats reg{"sniff.explain"};
    const unsigned line = __LINE__ + 1;
    reg.add("riff", "RIFF", &numbered<1>);
    reg.add("webp", "RIFF????WEBP", &numbered<2>);
    reg.add("tar", roster::magic_pattern(257, "ustar"), &numbered<3>);
    reg.add("gif", "GIF8", &numbered<4>);
    const auto e = reg.explain("RIFF\x10\0\0\0WE"sv);
    CHECK(e.input_size == 10);
    CHECK(e.required_peek == 262);
    CHECK(e.outcome == "matched \"riff\" by its pattern \"RIFF\" at offset 0; 2 patterns ranking ahead could not be "
                       "decided: the input has 10 bytes, required_peek() is 262");
    REQUIRE(e.candidates.size() == 4);
    CHECK(e.candidates[0].name == "webp");
    CHECK(e.candidates[0].verdict == roster::sniff_verdict::undecided);
    CHECK(e.candidates[0].at == 12);
    CHECK(e.candidates[0].why == "undecided: needs 12 bytes, the input has 10");
    CHECK(e.candidates[1].name == "tar");
    CHECK(e.candidates[1].verdict == roster::sniff_verdict::undecided);
    CHECK(e.candidates[2].name == "gif");
    CHECK(e.candidates[2].verdict == roster::sniff_verdict::mismatched);
    CHECK(e.candidates[2].at == 0);
    CHECK(e.candidates[3].name == "riff");
    CHECK(e.candidates[3].chosen);
    CHECK(e.candidates[3].why == "matched; chosen: the first match in precedence order");
    CHECK(e.candidates[3].where.line() == line);
    const std::string text = e.text();
    CHECK_THAT(text, Catch::Matchers::StartsWith("10 bytes: matched \"riff\""));
    CHECK_THAT(text, roster_test::contains("\n  ? webp \"RIFF????WEBP\" at offset 0 (added at " + line_text(line + 1)));
    CHECK_THAT(text, roster_test::contains("\n  - gif \"GIF8\" at offset 0 (added at "));
    CHECK_THAT(text, roster_test::contains("\n  * riff \"RIFF\" at offset 0 (added at "));
    CHECK(std::string(roster::to_string(roster::sniff_verdict::undecided)) == "undecided");

    const auto full = reg.explain(with_tail("RIFF\x10\0\0\0WEBP"sv), {"riff"});
    REQUIRE(full.candidates.size() == 4);
    CHECK(full.candidates[0].name == "webp");
    CHECK(full.candidates[0].verdict == roster::sniff_verdict::matched);
    CHECK_FALSE(full.candidates[0].allowed);
    CHECK(full.candidates[0].why == "matched; not in the allowlist");
    CHECK(full.candidates[3].chosen);
    CHECK(full.outcome == "matched \"riff\" by its pattern \"RIFF\" at offset 0");

    const auto both = reg.explain(with_tail("RIFF\x10\0\0\0WEBP"sv));
    CHECK(both.candidates[0].chosen);
    CHECK(both.candidates[3].why == "matched; loses to \"webp\", which ranks ahead");

    const auto none = reg.explain("PK"sv);
    CHECK(none.outcome == "no format matched; 1 pattern ranking ahead could not be decided: the input has 2 bytes, "
                          "required_peek() is 262");
    CHECK(none.candidates[3].why == "mismatched at offset 0");
}

// ===========================================================================
// Concurrency

TEST_CASE("sniffing_registry: threads match while another adds formats, and never see a half-added one",
          "[sniffing][concurrency]") {
    formats reg{"sniff.concurrent.add"};
    reg.add("png", "\\x89PNG\\r\\n\\x1a\\n", &numbered<1>);
    reg.add("gif", {"GIF87a", "GIF89a"}, &numbered<2>);
    constexpr int readers = 4;
    constexpr int rounds = 500;
    constexpr int added = 100;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&] {
            std::vector<bool> seen(static_cast<std::size_t>(added), false);
            while (!go.load()) std::this_thread::yield();
            for (int i = 0; i < rounds; ++i) {
                const auto png = reg.match("\x89PNG\r\n\x1a\nxxxx"sv);
                if (png.name() != "png" || png.handler()() != 1) ++wrong;
                const int k = i % added;
                const std::string magic = fmt::format("W{:03}", k);
                const auto w = reg.match(magic, {"gif", fmt::format("w{}", k)});
                if (w) {
                    if (w.name() != fmt::format("w{}", k) || w.handler()() != 3) ++wrong;
                    seen[static_cast<std::size_t>(k)] = true;
                } else if (seen[static_cast<std::size_t>(k)]) {
                    ++wrong; // a format once seen never disappears
                }
                std::this_thread::yield();
            }
        });
    }
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 0; k < added; ++k) {
            if (reg.try_add(fmt::format("w{}", k), fmt::format("W{:03}", k), &numbered<3>).status() !=
                roster::add_status::added)
                ++wrong;
            if (reg.try_add("gif-copy", "GIF89a", &numbered<4>).error().code != roster::errc::conflict) ++wrong;
        }
    });
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(reg.size() == static_cast<std::size_t>(2 + added));
}

TEST_CASE("sniffing_registry: threads match while others freeze it; the index holds exactly what was added",
          "[sniffing][concurrency][freeze]") {
    formats reg{"sniff.concurrent.freeze"};
    add_all(reg, common_formats());
    constexpr int readers = 4;
    std::atomic<bool> go{false};
    std::atomic<int> wrong{0};
    std::atomic<long> matches{0};
    std::vector<std::thread> threads;
    const std::string png = with_tail("\x89PNG\r\n\x1a\n");
    const std::string tar = tar_header();
    for (int t = 0; t < readers; ++t) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            int frozen_rounds = 0;
            for (long i = 0; frozen_rounds < 200 && i < 2'000'000; ++i) {
                const bool was_frozen = reg.frozen();
                if (reg.match(png).name() != "png") ++wrong;
                if (reg.match(tar).name() != "tar") ++wrong;
                if (reg.match("RIFF"sv).undecided() != 3) ++wrong;
                if (reg.required_peek() < 262) ++wrong;
                matches.fetch_add(1, std::memory_order_relaxed);
                if (was_frozen) ++frozen_rounds;
                std::this_thread::sleep_for(std::chrono::microseconds(20));
            }
            if (frozen_rounds < 200) ++wrong;
        });
    }
    std::vector<int> added_ok;
    threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 0; k < 300; ++k) {
            const auto r = reg.try_add(fmt::format("late{}", k), fmt::format("L{:04}", k), &numbered<5>);
            if (r.status() == roster::add_status::added) added_ok.push_back(k);
            else if (r.error().code != roster::errc::frozen) ++wrong;
        }
    });
    for (int f = 0; f < 2; ++f) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            while (matches.load(std::memory_order_relaxed) < readers * 50L) std::this_thread::yield();
            reg.freeze();
        });
    }
    go.store(true);
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
    CHECK(reg.frozen());
    CHECK(reg.size() == common_formats().size() + added_ok.size());
    int missing = 0;
    for (const int k : added_ok)
        if (reg.match(fmt::format("L{:04}", k)).name() != fmt::format("late{}", k)) ++missing;
    CHECK(missing == 0);
}

TEST_CASE("sniffing_registry: a frozen match allocates nothing, on a hit or a miss", "[sniffing][match]") {
    formats reg{"sniff.allocations"};
    add_all(reg, common_formats());
    reg.freeze();
    const std::string png = with_tail("\x89PNG\r\n\x1a\n");
    const std::string unknown = with_tail("not a known format");
    std::size_t hits = 0;
    std::size_t allocations = 0;
    {
        const roster_test::allocation_counter counter;
        for (int i = 0; i < 10; ++i) {
            if (reg.match(png)) ++hits;
            if (reg.match(unknown)) ++hits;
            if (reg.match(png, {"gif", "png"})) ++hits;
        }
        allocations = counter.count();
    }
    CHECK(hits == 20);
    CHECK(allocations == 0);
}
