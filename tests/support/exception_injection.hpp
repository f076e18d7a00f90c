// tests/support/exception_injection.hpp — failures injected into a
// registry's operations at every call, one call at a time, in the manner of
// Abseil's exception-safety testing (absl/base/internal/exception_safety_testing.h):
// run an operation with its k-th fault point made to throw, for k = 1, 2, ...
// until it goes through without one, and after each injected failure check
// the guarantee its documentation promises.
//
// Fault points, each counted separately and armed one at a time:
//   key_faults       fragile_key's hash, == and <; fragile_version's comparisons
//   value_faults     basic_fragile_value's copies, assignments and == (and its
//                    moves, for basic_fragile_value<true>)
//   listener_faults  ticked by a listener that should throw on its k-th event
//   callback_faults  ticked by factories, builders and edit callbacks
// plus std::bad_alloc at the k-th allocation of the calling thread
// (support/allocations.hpp).
//
// sweep() drives one scenario and adds to the tally that the last test case
// of tests/exception_safety.cpp prints.
#pragma once

#include "support/allocations.hpp"
#include "support/catch.hpp"

#include <cstddef>    // std::size_t
#include <exception>  // std::exception_ptr, std::current_exception, std::rethrow_exception
#include <functional> // std::function, std::hash
#include <memory>     // std::unique_ptr
#include <new>        // std::bad_alloc
#include <optional>   // std::optional
#include <set>        // std::set: the members exercised
#include <stdexcept>  // std::runtime_error
#include <string>     // std::string, std::to_string
#include <utility>    // std::move

namespace roster_test {

/// What an injected fault point throws.
struct injected_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A place that throws injected_failure on its `nth` call once armed.
/// Single-threaded: the tests that arm one run on one thread.
class fault_point {
public:
    explicit fault_point(const char* name) noexcept : name_(name) {}
    fault_point(const fault_point&) = delete;
    fault_point& operator=(const fault_point&) = delete;

    /// The `nth` call of tick() from now on throws (1: the next one).
    void arm(std::size_t nth) noexcept {
        remaining_ = nth;
        fired_ = false;
    }
    void disarm() noexcept { remaining_ = 0; }
    /// Whether it threw since it was last armed.
    bool fired() const noexcept { return fired_; }
    /// One call: throws if it is the armed one.
    void tick() {
        if (remaining_ != 0 && --remaining_ == 0) {
            fired_ = true;
            throw injected_failure(name_);
        }
    }

private:
    const char* name_;
    std::size_t remaining_ = 0;
    bool fired_ = false;
};

inline fault_point key_faults{"injected failure: a key's hash, == or <"};
inline fault_point value_faults{"injected failure: a value's copy, move, assignment or =="};
inline fault_point listener_faults{"injected failure: a listener"};
inline fault_point callback_faults{"injected failure: a factory, builder or edit callback"};

/// A key whose hash, == and < tick key_faults. The hash is coarse (three
/// buckets' worth of codes) so that hashed maps compare keys too.
struct fragile_key {
    int id = 0;
    friend bool operator==(const fragile_key& a, const fragile_key& b) {
        key_faults.tick();
        return a.id == b.id;
    }
    friend bool operator<(const fragile_key& a, const fragile_key& b) {
        key_faults.tick();
        return a.id < b.id;
    }
};

/// A version (for versioned registries) whose every comparison ticks key_faults.
struct fragile_version {
    int number = 0;
    friend bool operator==(const fragile_version& a, const fragile_version& b) {
        key_faults.tick();
        return a.number == b.number;
    }
    friend bool operator<(const fragile_version& a, const fragile_version& b) {
        key_faults.tick();
        return a.number < b.number;
    }
    friend bool operator>(const fragile_version& a, const fragile_version& b) { return b < a; }
    friend bool operator<=(const fragile_version& a, const fragile_version& b) { return !(b < a); }
    friend bool operator>=(const fragile_version& a, const fragile_version& b) { return !(a < b); }
};

/// A value whose copies, copy assignments and == tick value_faults; with
/// ThrowingMoves its moves and move assignments do too (and are not
/// noexcept). A moved-from value holds -1, so a value left half-moved in a
/// registry shows in its contents.
template <bool ThrowingMoves>
struct basic_fragile_value {
    int n = 0;

    explicit basic_fragile_value(int value) noexcept : n(value) {}
    basic_fragile_value(const basic_fragile_value& other) : n(other.n) { value_faults.tick(); }
    basic_fragile_value(basic_fragile_value&& other) noexcept(!ThrowingMoves) : n(other.n) {
        if constexpr (ThrowingMoves) value_faults.tick();
        other.n = -1;
    }
    basic_fragile_value& operator=(const basic_fragile_value& other) {
        value_faults.tick();
        n = other.n;
        return *this;
    }
    basic_fragile_value& operator=(basic_fragile_value&& other) noexcept(!ThrowingMoves) {
        if constexpr (ThrowingMoves) value_faults.tick();
        if (this != &other) {
            n = other.n;
            other.n = -1;
        }
        return *this;
    }
    ~basic_fragile_value() = default;
    friend bool operator==(const basic_fragile_value& a, const basic_fragile_value& b) {
        value_faults.tick();
        return a.n == b.n;
    }
};
/// Copies and == may throw; moves never do (what on_duplicate::replace needs).
using fragile_value = basic_fragile_value<false>;
/// Copies, moves, assignments and == may all throw.
using fragile_movable = basic_fragile_value<true>;

/// Where a sweep injects its failures.
enum class source { key, value, allocation, listener, callback };

inline const char* to_string(source from) noexcept {
    switch (from) {
    case source::key: return "key";
    case source::value: return "value";
    case source::allocation: return "allocation";
    case source::listener: return "listener";
    case source::callback: return "callback";
    }
    return "?";
}

/// While it lives, the `nth` fault of `from` throws.
class armed_injection {
public:
    armed_injection(source from, std::size_t nth) : from_(from) {
        if (from == source::allocation) allocation_.emplace(nth);
        else point().arm(nth);
    }
    armed_injection(const armed_injection&) = delete;
    armed_injection& operator=(const armed_injection&) = delete;
    ~armed_injection() { disarm(); }

    /// Stops injecting; fired() keeps its answer.
    void disarm() noexcept {
        if (from_ == source::allocation) {
            if (allocation_) {
                allocation_fired_ = allocation_->fired();
                allocation_.reset();
            }
        } else {
            point().disarm();
        }
    }
    /// Whether the failure was injected.
    bool fired() const noexcept {
        if (from_ == source::allocation) return allocation_ ? allocation_->fired() : allocation_fired_;
        return point().fired();
    }

private:
    fault_point& point() const noexcept {
        switch (from_) {
        case source::key: return key_faults;
        case source::value: return value_faults;
        case source::listener: return listener_faults;
        case source::callback:
        case source::allocation: break;
        }
        return callback_faults;
    }

    source from_;
    std::optional<allocation_failure> allocation_;
    bool allocation_fired_ = false;
};

/// What the sweeps of this run did, for the summary line.
struct tally_counts {
    std::size_t operations = 0;       ///< operations run (each with one fault armed)
    std::size_t injections = 0;       ///< of which a failure was injected
    std::size_t strong_checks = 0;    ///< states compared with the snapshot taken before
    std::size_t basic_checks = 0;     ///< invariants checked after a failure (basic guarantee)
    std::size_t violations = 0;       ///< checks that failed outside [!mayfail] cases
    std::size_t known_violations = 0; ///< checks that failed in [!mayfail] cases (documented bugs)
    std::set<std::string> members;    ///< the members exercised
};

inline tally_counts& tally() {
    static tally_counts counts;
    return counts;
}

/// What the documentation promises when a member fails.
enum class guarantee {
    strong, ///< the observable state is exactly the snapshot taken before the call
    basic,  ///< the registry is still usable and its invariants hold
};

/// One operation on a fresh `World` per injected failure.
template <class World>
struct scenario {
    /// The member under test, "shape::member" (counted once however often it is swept).
    std::string member;
    source from = source::allocation;
    guarantee promised = guarantee::strong;
    /// true in [!mayfail] cases: a failed check is a known bug, counted apart.
    bool known_bug = false;
    /// A fresh world (the registry, its listeners, the call's arguments).
    std::function<std::unique_ptr<World>()> make;
    /// The observable state, as text (compared for the strong guarantee).
    std::function<std::string(World&)> observe;
    /// The operation.
    std::function<void(World&)> run;
    /// Checks what the operation did when nothing was injected.
    std::function<void(World&, const std::string& before)> succeeded;
    /// Checks what it did when a failure was injected and nothing escaped
    /// (a listener's exception, a factory failure returned as an error);
    /// unset: what `succeeded` checks (a failure handled where it happened,
    /// such as std::stable_sort falling back when its nothrow allocation of a
    /// buffer fails, must not change the outcome).
    std::function<void(World&, const std::string& before)> absorbed;
    /// Problems with the world after a failure ("" if none): the basic
    /// guarantee's invariants, or extra checks on top of the strong one.
    std::function<std::string(World&)> invariants;
};

namespace detail {
inline void count_check(bool ok, bool known_bug) {
    if (ok) return;
    if (known_bug) ++tally().known_violations;
    else ++tally().violations;
}

inline std::string describe(std::exception_ptr thrown) {
    try {
        std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception not derived from std::exception";
    }
}
} // namespace detail

/// The strong guarantee: `after` is `before`.
inline void expect_same_state(const std::string& before, const std::string& after, bool known_bug) {
    ++tally().strong_checks;
    detail::count_check(after == before, known_bug);
    CHECK(after == before);
}

/// The basic guarantee (or extra checks): no problem reported.
inline void expect_no_problem(const std::string& problems, bool known_bug, bool basic) {
    if (basic) ++tally().basic_checks;
    detail::count_check(problems.empty(), known_bug);
    CHECK(problems == "");
}

/// Runs `s` with the k-th fault of its source armed, k = 1, 2, ..., each
/// time on a fresh world, until it completes with nothing injected.
/// @returns how many failures were injected.
template <class World>
std::size_t sweep(const scenario<World>& s) {
    constexpr std::size_t most = 20000;
    tally().members.insert(s.member);
    std::size_t injected = 0;
    for (std::size_t k = 1; k <= most; ++k) {
        std::unique_ptr<World> world = s.make();
        const std::string before = s.observe(*world);
        std::string escaped;
        std::exception_ptr unexpected;
        bool fired = false;
        {
            armed_injection armed(s.from, k);
            try {
                s.run(*world);
            } catch (const injected_failure&) {
                escaped = "injected_failure";
            } catch (const std::bad_alloc&) {
                escaped = "std::bad_alloc";
            } catch (...) {
                unexpected = std::current_exception();
            }
            armed.disarm();
            fired = armed.fired();
        }
        ++tally().operations;
        INFO(s.member << ": " << to_string(s.from) << " failure injected at its call #" << k
                      << (s.promised == guarantee::strong ? " (strong guarantee)" : " (basic guarantee)"));
        if (unexpected) {
            detail::count_check(false, s.known_bug);
            FAIL_CHECK("an exception that was not injected escaped: " << detail::describe(unexpected));
            return injected;
        }
        if (!escaped.empty() || fired) {
            ++injected;
            ++tally().injections;
        }
        if (!escaped.empty()) {
            INFO(escaped << " escaped");
            CHECK(fired); // an injected failure, not a genuine one
            if (s.promised == guarantee::strong) expect_same_state(before, s.observe(*world), s.known_bug);
            if (s.invariants) expect_no_problem(s.invariants(*world), s.known_bug, s.promised == guarantee::basic);
            continue;
        }
        if (fired) {
            INFO("the failure was absorbed: the call returned");
            if (s.absorbed) s.absorbed(*world, before);
            else s.succeeded(*world, before);
            continue;
        }
        s.succeeded(*world, before);
        return injected;
    }
    FAIL_CHECK(s.member << " never completed without an injected failure");
    return injected;
}

} // namespace roster_test

template <>
struct std::hash<roster_test::fragile_key> {
    std::size_t operator()(const roster_test::fragile_key& key) const {
        roster_test::key_faults.tick();
        return static_cast<std::size_t>(key.id % 3);
    }
};
