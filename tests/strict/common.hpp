// tests/strict/common.hpp — shared by the strict-warnings consumer programs
// (tests/strict/run.sh). Deliberately plain C++: no test framework, so that
// every warning the compiler prints comes from roster or from these files.
//
// The three value kinds every shape is instantiated with:
//   fn_ptr     int (*)(int)                 a function pointer
//   shared     std::shared_ptr<const op>    a shared, polymorphic object
//   function   std::function<int(int)>      a type-erased callable
// kind<V>::make(k) builds a value computing x + k (k in 1..3), and
// call(v, x) applies any of them.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace strict {

inline int failures = 0;

inline void check_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
    ++failures;
}

#define STRICT_CHECK(...) ((__VA_ARGS__) ? void(0) : ::strict::check_failed(#__VA_ARGS__, __FILE__, __LINE__))

// Runs `f`, expecting it to throw `E`.
#define STRICT_CHECK_THROWS_AS(E, ...)                                                                              \
    do {                                                                                                            \
        bool strict_thrown_ = false;                                                                                \
        try {                                                                                                       \
            (void)(__VA_ARGS__);                                                                                    \
        } catch (const E&) {                                                                                        \
            strict_thrown_ = true;                                                                                  \
        }                                                                                                           \
        if (!strict_thrown_) ::strict::check_failed("throws " #E ": " #__VA_ARGS__, __FILE__, __LINE__);            \
    } while (false)

inline bool contains_text(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// ---------------------------------------------------------------- value kinds

struct op {
    op() = default;
    op(const op&) = delete;
    op& operator=(const op&) = delete;
    virtual ~op() = default;
    virtual int apply(int x) const = 0;
};

struct adder final : op {
    explicit adder(int k) : k_(k) {}
    int apply(int x) const override { return x + k_; }

private:
    int k_;
};

inline int plus1(int x) { return x + 1; }
inline int plus2(int x) { return x + 2; }
inline int plus3(int x) { return x + 3; }

using fn_ptr = int (*)(int);
using shared = std::shared_ptr<const op>;
using function = std::function<int(int)>;

template <class V>
struct kind;

template <>
struct kind<fn_ptr> {
    static constexpr const char* label = "fn_ptr";
    static fn_ptr make(int k) { return k == 1 ? &plus1 : k == 2 ? &plus2 : &plus3; }
};

template <>
struct kind<shared> {
    static constexpr const char* label = "shared";
    static shared make(int k) { return std::make_shared<const adder>(k); }
};

template <>
struct kind<function> {
    static constexpr const char* label = "function";
    static function make(int k) {
        return [k](int x) { return x + k; };
    }
};

inline int call(const fn_ptr& f, int x) { return f(x); }
inline int call(const shared& p, int x) { return p->apply(x); }
inline int call(const function& f, int x) { return f(x); }

template <class V>
V make(int k) {
    return kind<V>::make(k);
}

// A registry name unique per value kind and per test: listed registries need
// unique names while they live.
template <class V>
std::string name_of(std::string_view what) {
    return std::string(what) + "." + kind<V>::label;
}

inline int finish(const char* program) {
    if (failures != 0) {
        std::fprintf(stderr, "%s: %d check(s) failed\n", program, failures);
        return 1;
    }
    std::printf("%s: all checks passed\n", program);
    return 0;
}

} // namespace strict
