// tests/fuzz/fuzz.hpp — what every fuzzer of tests/fuzz/ shares: the byte
// reader that turns an input into operations, the counters printed at exit,
// and the divergence report.
//
// Each fuzzer decodes its input into a sequence of operations, applies them
// to roster and to a straightforward reference model, and stops the process
// (__builtin_trap, after printing what differed) at the first disagreement.
// It counts every operation it checked against the model; at exit (libFuzzer's
// -max_total_time and -runs end with exit()) it prints one line:
//
//   fuzz <name>: <ops> operations model-checked, <runs> inputs, 0 divergences
//
// tests/fuzz/run.sh adds those lines up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

/// Operations checked against the model, and inputs run, in this process.
inline std::uint64_t operations = 0;
inline std::uint64_t inputs = 0;
inline const char* fuzzer_name = "unnamed";

inline void print_totals() {
    std::printf("fuzz %s: %llu operations model-checked, %llu inputs, 0 divergences\n", fuzzer_name,
                static_cast<unsigned long long>(operations), static_cast<unsigned long long>(inputs));
    std::fflush(stdout);
}

/// Registers the line printed at exit; call once, from a static initialiser.
inline bool install(const char* name) {
    fuzzer_name = name;
    std::atexit(print_totals);
    return true;
}

/// Prints the divergence and stops the process, so that libFuzzer saves the input.
[[noreturn]] inline void diverged(const char* file, int line, const char* condition, const std::string& detail) {
    std::fprintf(stderr, "\nfuzz %s: DIVERGENCE at %s:%d: %s\n  %s\n", fuzzer_name, file, line, condition,
                 detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

/// The bytes of one input, read front to back. Reading past the end gives
/// zeros and sets `exhausted`, which ends the operation loop.
class reader {
public:
    reader(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

    bool more() const noexcept { return pos_ < size_; }
    std::size_t left() const noexcept { return size_ - pos_; }

    std::uint8_t byte() noexcept {
        if (pos_ >= size_) {
            exhausted_ = true;
            return 0;
        }
        return data_[pos_++];
    }
    /// A value in [0, n) (n >= 1) from one byte.
    unsigned below(unsigned n) noexcept { return static_cast<unsigned>(byte()) % n; }
    bool flag() noexcept { return (byte() & 1) != 0; }
    /// Up to `n` raw bytes (fewer at the end of the input).
    std::string_view bytes(std::size_t n) noexcept {
        if (n > size_ - pos_) n = size_ - pos_;
        const std::string_view out(reinterpret_cast<const char*>(data_ + pos_), n);
        pos_ += n;
        return out;
    }
    bool exhausted() const noexcept { return exhausted_; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    bool exhausted_ = false;
};

/// Printable form of arbitrary bytes, for divergence reports.
inline std::string show(std::string_view bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out + "\"";
}

} // namespace fuzz

/// Checks `condition`; on failure prints it with `detail` (a std::string
/// expression, only evaluated on failure) and traps.
#define FUZZ_CHECK(condition, detail)                                                                                  \
    do {                                                                                                               \
        if (!(condition)) ::fuzz::diverged(__FILE__, __LINE__, #condition, (detail));                                  \
    } while (false)
