// Sniffing an input's format with roster::sniffing_registry (frozen: the
// dispatch index by first byte, scanned without a lock) against what Go's
// image package does (src/image/format.go): a list of (magic, decoder) in
// registration order, each magic a string with '?' for any byte, tried one
// after the other by Go's match() loop until one fits. 50 formats: 22 real
// magic numbers (PNG, GIF, JPEG, gzip, zip, tar at offset 257, RIFF
// containers with wildcards, ...) and 28 made-up 4- to 8-byte ones.
//
//   sniffing_match          formats.match(input) on the frozen registry
//   linear_scan             Go's loop over the list (an offset is written as
//                           that many '?', as Go would have to)
//   sniffing_match_miss     an input no format matches
//   linear_scan_miss        the same, Go's loop (it tries all 50)
//   sniffing_match_unfrozen formats.match(input) before freeze() (a scan of
//                           every pattern under the read lock; no ratio)
//
// The hits are spread over the list (formats registered first, in the
// middle and last), so the linear scan does its average work. The program
// checks that both give the same format for every input before timing
// anything, and stops if they do not.
// After the run:
//   RATIO sniffing_match_vs_linear_scan threads=1 keys=50 <value>
//   RATIO sniffing_match_vs_linear_scan_miss threads=1 keys=50 <value>
// value = roster's time per input / the linear scan's, medians, same run.
// Target: below 1 for both.
#include "roster/sniffing.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench_sniff {

/// One format: its name and its magic in Go's form ('?' is any byte; an
/// offset is leading '?'s). roster is given the same text: its '?' is a
/// wildcard too, and leading ones become the offset.
struct format {
    std::string name;
    std::string magic;
};

std::vector<format> the_formats() {
    std::vector<format> out = {
        {"png", "\x89PNG\r\n\x1a\n"},
        {"gif87", "GIF87a"},
        {"gif89", "GIF89a"},
        {"jpeg", "\xff\xd8\xff"},
        {"gzip", std::string("\x1f\x8b", 2)},
        {"zip", "PK\x03\x04"},
        {"bzip2", "BZh"},
        {"xz", std::string("\xfd" "7zXZ\0", 6)},
        {"zstd", "\x28\xb5\x2f\xfd"},
        {"pdf", "%PDF-"},
        {"elf", "\x7f" "ELF"},
        {"webp", "RIFF????WEBP"},
        {"wav", "RIFF????WAVE"},
        {"avi", "RIFF????AVI "},
        {"ogg", "OggS"},
        {"flac", "fLaC"},
        {"7z", "7z\xbc\xaf\x27\x1c"},
        {"bmp", "BM????"},
        {"tiff-le", std::string("II*\0", 4)},
        {"tiff-be", std::string("MM\0*", 4)},
        {"sqlite", std::string("SQLite format 3\0", 16)},
        {"tar", std::string(257, '?') + "ustar"},
    };
    // 28 made-up formats, 4 to 8 bytes, two with a wildcard
    for (int i = 0; i < 28; ++i) {
        std::string magic = "F";
        magic += static_cast<char>('a' + i % 26);
        magic += static_cast<char>('0' + i / 10);
        magic += static_cast<char>('0' + i % 10);
        magic.append(static_cast<std::size_t>(i % 5), 'x');
        if (i % 14 == 0) magic[1] = '?';
        out.push_back({"fmt" + std::to_string(i), magic});
    }
    return out;
}

/// Go's image.match: whether magic matches b, '?' matching any byte.
bool go_match(std::string_view magic, std::string_view b) {
    if (magic.size() != b.size()) return false;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (magic[i] != b[i] && magic[i] != '?') return false;
    }
    return true;
}

/// Go's image.sniff over a list in registration order: Peek(len(magic))
/// (here: the prefix, or nothing if the input is shorter), then match.
std::size_t go_sniff(const std::vector<format>& formats, std::string_view input) {
    for (std::size_t i = 0; i < formats.size(); ++i) {
        const std::string& magic = formats[i].magic;
        if (input.size() < magic.size()) continue;
        if (go_match(magic, input.substr(0, magic.size()))) return i;
    }
    return SIZE_MAX;
}

/// A Go-style magic ('?' a wildcard, no escapes) as roster's text form.
std::string roster_text(std::string_view magic) {
    std::string out;
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : magic) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '?') {
            out += '?';
        } else if (b >= 0x20 && b < 0x7f && c != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += hex[b >> 4];
            out += hex[b & 15];
        }
    }
    return out;
}

struct fixture {
    std::vector<format> formats = the_formats();
    roster::sniffing_registry<std::size_t> frozen{"bench.sniff"};
    roster::sniffing_registry<std::size_t> unfrozen{"bench.sniff.unfrozen"};
    std::vector<std::string> hits;
    std::string miss;

    fixture() {
        for (std::size_t i = 0; i < formats.size(); ++i) {
            frozen.add(formats[i].name, roster_text(formats[i].magic), i);
            unfrozen.add(formats[i].name, roster_text(formats[i].magic), i);
        }
        frozen.freeze();
        // inputs: formats registered early, in the middle and last, each 512 bytes
        for (const std::size_t i : {0u, 5u, 11u, 12u, 16u, 21u, 25u, 30u, 36u, 42u, 49u}) {
            std::string input = formats[i].magic;
            for (char& c : input)
                if (c == '?') c = 'w';
            input.resize(512, '.');
            hits.push_back(std::move(input));
        }
        miss = std::string(512, '.');
        miss.replace(0, 4, "Fz99"); // the first byte of 28 formats: the index's largest list
        check();
    }

    void check() const {
        for (const std::string& input : hits) {
            const std::size_t by_go = go_sniff(formats, input);
            const auto m = frozen.match(input);
            const auto u = unfrozen.match(input);
            if (by_go == SIZE_MAX || !m || m.handler() != by_go || !u || u.handler() != by_go) {
                std::fprintf(stderr, "bench/sniff: the registry and the linear scan disagree on an input of %s\n",
                             by_go == SIZE_MAX ? "no format" : formats[by_go].name.c_str());
                std::exit(1);
            }
        }
        if (go_sniff(formats, miss) != SIZE_MAX || frozen.match(miss) || unfrozen.match(miss)) {
            std::fprintf(stderr, "bench/sniff: the miss input matched\n");
            std::exit(1);
        }
    }
};

const fixture& the_fixture() {
    static const fixture f;
    return f;
}

void sniffing_match(benchmark::State& state) {
    const fixture& f = the_fixture();
    bench::run_lookups(state, f.hits, [&](const std::string& input) {
        return static_cast<long>(f.frozen.match(input).handler());
    });
}

void linear_scan(benchmark::State& state) {
    const fixture& f = the_fixture();
    bench::run_lookups(state, f.hits, [&](const std::string& input) { return static_cast<long>(go_sniff(f.formats, input)); });
}

void sniffing_match_miss(benchmark::State& state) {
    const fixture& f = the_fixture();
    const std::vector<std::string> inputs{f.miss};
    bench::run_lookups(state, inputs, [&](const std::string& input) {
        return static_cast<long>(f.frozen.match(input).undecided());
    });
}

void linear_scan_miss(benchmark::State& state) {
    const fixture& f = the_fixture();
    const std::vector<std::string> inputs{f.miss};
    bench::run_lookups(state, inputs, [&](const std::string& input) { return static_cast<long>(go_sniff(f.formats, input)); });
}

void sniffing_match_unfrozen(benchmark::State& state) {
    const fixture& f = the_fixture();
    bench::run_lookups(state, f.hits, [&](const std::string& input) {
        return static_cast<long>(f.unfrozen.match(input).handler());
    });
}

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# sniffing: roster's time per input / Go's linear scan's, medians, same run\n");
    const auto& times = reporter.times();
    for (const auto& [id, time] : times) {
        const auto& [name, threads, keys] = id;
        if (name == "sniffing_match")
            reporter.print_ratio("RATIO", name, "_vs_linear_scan", "linear_scan", threads, keys, time);
        else if (name == "sniffing_match_miss")
            reporter.print_ratio("RATIO", "sniffing_match", "_vs_linear_scan_miss", "linear_scan_miss", threads, keys,
                                 time);
    }
    reporter.print_allocations();
}

} // namespace bench_sniff

int main(int argc, char** argv) {
    using namespace bench_sniff;
    const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
        {"sniffing_match", sniffing_match},           {"linear_scan", linear_scan},
        {"sniffing_match_miss", sniffing_match_miss}, {"linear_scan_miss", linear_scan_miss},
        {"sniffing_match_unfrozen", sniffing_match_unfrozen},
    };
    for (const auto& [name, fn] : benchmarks) {
        benchmark::RegisterBenchmark(name, fn)
            ->Arg(50)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(5)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, print_ratios);
}
