// Exception safety of every mutating member of every registry shape, tested
// the way Abseil's exception-safety testing does it
// (absl/base/internal/exception_safety_testing.h): each operation runs again
// and again on a fresh registry, its k-th fault point made to throw, for
// k = 1, 2, ... until it goes through without one; after every injected
// failure the registry is compared with a snapshot taken before the call
// (the strong guarantee: size, keys, values, source locations, frozen or
// not, version, handles, events heard) or, where the documentation promises
// only the basic guarantee, checked for its invariants and reused.
//
// Faults come from support/exception_injection.hpp: a key whose hash, == or
// < throws, a value whose copy, move, assignment or == throws, std::bad_alloc
// at the k-th allocation (support/allocations.hpp), a listener that throws
// on its k-th event, and factories, builders and edit callbacks that throw.
// Every case adds to one tally; the last case prints it. Run them alone with
// `roster_tests "[exception-safety]"`.
//
// [!mayfail] cases are members whose behaviour under injection contradicts
// their documentation; their comments say how.
#include "support/catch.hpp"
#include "support/exception_injection.hpp"

#include "roster/events.hpp"
#include "roster/factory.hpp"
#include "roster/handler.hpp"
#include "roster/hierarchical.hpp"
#include "roster/hot_reload.hpp"
#include "roster/lifecycle.hpp"
#include "roster/ordered.hpp"
#include "roster/registry.hpp"
#include "roster/scoped.hpp"
#include "roster/sniffing.hpp"
#include "roster/tagged.hpp"
#include "roster/versioned.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using roster_test::fragile_key;
using roster_test::fragile_movable;
using roster_test::fragile_value;
using roster_test::fragile_version;
using roster_test::guarantee;
using roster_test::scenario;
using roster_test::source;

// ---------------------------------------------------------------- as text

std::string text_of(const std::string& text) { return text; }
std::string text_of(const fragile_key& key) { return "k" + std::to_string(key.id); }
std::string text_of(const fragile_version& version) { return "r" + std::to_string(version.number); }
template <bool ThrowingMoves>
std::string text_of(const roster_test::basic_fragile_value<ThrowingMoves>& value) {
    return "v" + std::to_string(value.n);
}
template <class Name, class Version>
std::string text_of(const roster::versioned_key<Name, Version>& key) {
    return text_of(key.name) + "@" + text_of(key.version);
}

std::string joined(std::vector<std::string> lines) {
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const std::string& line : lines) out += (out.empty() ? "" : ", ") + line;
    return "[" + out + "]";
}

/// A key of type K numbered `i` (strings long enough to allocate).
template <class K>
K key_of(int i) {
    if constexpr (std::is_same_v<K, std::string>) return "a key long enough to allocate #" + std::to_string(i);
    else if constexpr (std::is_same_v<K, int>) return i;
    else return K{i};
}

/// A value of type V numbered `i`.
template <class V>
V value_of(int i) {
    if constexpr (std::is_same_v<V, std::string>) return "a value long enough to allocate #" + std::to_string(i);
    else if constexpr (std::is_same_v<V, int>) return i;
    else return V{i};
}

/// Every entry as "key=value@line", sorted, with the size (any shape with
/// for_each(key, value, where) and size()).
template <class Registry>
std::string entries_text(const Registry& reg) {
    std::vector<std::string> lines;
    reg.for_each([&lines](const auto& key, const auto& value, const roster::source_location& where) {
        lines.push_back(text_of(key) + "=" + text_of(value) + "@" + std::to_string(where.line()));
    });
    return std::to_string(reg.size()) + " entries " + joined(std::move(lines));
}

// ---------------------------------------------------------------- events

/// What a recording listener heard; counts only, so that hearing allocates
/// nothing (an allocation failure injected into a listener is not the
/// registry's).
struct event_log {
    std::size_t added = 0;
    std::size_t removed = 0;
    std::size_t changed = 0;
    std::size_t unchanged = 0;
    std::size_t listener_errors = 0;

    void hear(roster::change_kind kind) noexcept {
        switch (kind) {
        case roster::change_kind::added: ++added; break;
        case roster::change_kind::removed: ++removed; break;
        case roster::change_kind::changed: ++changed; break;
        case roster::change_kind::unchanged: ++unchanged; break;
        }
    }
    bool silent() const noexcept { return added + removed + changed + unchanged == 0; }
    std::string text() const {
        return fmt::format("events: {} added, {} removed, {} changed, {} unchanged", added, removed, changed,
                           unchanged);
    }
};

/// Who listens to a world's registry: nobody, a recorder, or a listener
/// that throws on its k-th event (listener_faults) followed by a recorder.
enum class listening { none, recording, throwing };

template <class Registry>
void listen(Registry& reg, listening how, event_log& log, std::vector<roster::subscription>& held) {
    if (how == listening::none) return;
    if (how == listening::throwing) {
        held.push_back(reg.subscribe([](const auto&) { roster_test::listener_faults.tick(); },
                                     [&log](const auto&, std::exception_ptr) { ++log.listener_errors; }));
    }
    held.push_back(reg.subscribe([&log](const auto& event) { log.hear(event.kind); }));
}

// ---------------------------------------------------------------- outcomes

/// What an operation returned, kept without allocating (so that recording
/// it cannot fail after the operation succeeded).
struct outcome {
    const char* what = "nothing";
    std::optional<roster::errc> error;
    long long detail = 0;

    template <class AddResult>
    void took(const AddResult& result) {
        what = roster::to_string(result.status());
        if (result.status() == roster::add_status::refused) error = result.error().code;
    }
    void raised(roster::errc code) noexcept {
        what = "raised";
        error = code;
    }
    void failed(roster::errc code) noexcept {
        what = "failed";
        error = code;
    }
    bool is(std::string_view expected) const noexcept { return what == expected; }
    std::string text() const {
        std::string out = what;
        if (error) out += std::string(" ") + roster::to_string(*error);
        if (detail != 0) out += " " + std::to_string(detail);
        return out;
    }
};

/// The counts of a commit report in one number: added, replaced, unchanged.
long long report_number(const roster::commit_report& report) {
    return static_cast<long long>(report.added * 100 + report.replaced * 10 + report.unchanged);
}

/// A check of an operation's outcome that counts towards the tally's violations.
void expect_same_outcome(const std::string& actual, const std::string& expected) {
    if (actual != expected) ++roster_test::tally().violations;
    CHECK(actual == expected);
}

/// A scenario on a `World` constructible as World(listening, bool variant),
/// with observe(), log and result. Under source::listener the registry has
/// a throwing listener, and a failure it injects is checked against a twin
/// world that ran the operation with nothing injected: the mutation must be
/// complete, every other listener must have heard it, and the error handler
/// must have been told once.
template <class World>
scenario<World> scenario_for(std::string member, source from, listening how, bool variant,
                             std::function<void(World&)> run, std::function<void(World&)> expect) {
    const listening mode = from == source::listener ? listening::throwing : how;
    scenario<World> s;
    s.member = std::move(member);
    s.from = from;
    s.make = [mode, variant] { return std::make_unique<World>(mode, variant); };
    s.observe = [](World& w) { return w.observe(); };
    s.run = run;
    s.succeeded = [expect](World& w, const std::string&) { expect(w); };
    if (from == source::listener) {
        s.absorbed = [run, variant](World& w, const std::string&) {
            World twin(listening::recording, variant);
            run(twin);
            expect_same_outcome(w.observe(), twin.observe());
            CHECK(w.log.listener_errors == 1);
        };
    }
    return s;
}

/// The value under `key` as text, or "(none)".
template <class Registry, class Key>
std::string value_text(const Registry& reg, const Key& key) {
    const auto found = reg.get(key);
    return found ? text_of(*found) : std::string("(none)");
}

/// Whether `thrown` holds an injected failure.
bool is_injected(std::exception_ptr thrown) {
    if (!thrown) return false;
    try {
        std::rethrow_exception(thrown);
    } catch (const roster_test::injected_failure&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// Runs `f`, recording a roster error it raises in `result`.
template <class F>
void raising(outcome& result, F&& f) {
    try {
        f();
    } catch (const roster::error& e) {
        result.raised(e.code());
    }
}

/// Sweeps each of `scenarios`.
template <class World>
void sweep_each(const std::vector<scenario<World>>& scenarios) {
    for (const scenario<World>& s : scenarios) roster_test::sweep(s);
}

/// The listening modes swept for `from`: a throwing listener for listener
/// faults, else none and a recording one.
std::vector<listening> modes_for(source from) {
    if (from == source::listener) return {listening::throwing};
    return {listening::none, listening::recording};
}

/// A number for a value, read without copying or moving it (the removed
/// value is checked through it, so that the test moves nothing after the
/// operation returned): a fragile value's n, a string's length.
template <bool ThrowingMoves>
long long numeric(const roster_test::basic_fragile_value<ThrowingMoves>& value) {
    return value.n;
}
long long numeric(const std::string& text) { return static_cast<long long>(text.size()); }

// ======================================================== the core registry

/// A core registry holding k1..k3 (v1..v3; the handle of k3 kept), with a
/// batch of new keys, a batch with duplicates, and the arguments of an add
/// prepared, so that the operation alone runs under injection.
template <class Registry>
struct core_world {
    using K = typename Registry::key_type;
    using V = typename Registry::value_type;

    core_world(listening how, bool frozen) {
        reg.add(key_of<K>(1), value_of<V>(1));
        reg.add(key_of<K>(2), value_of<V>(2));
        handle = reg.add(key_of<K>(3), value_of<V>(3)).handle();
        fresh.add(key_of<K>(7), value_of<V>(7)).add(key_of<K>(8), value_of<V>(8));
        mixed.add(key_of<K>(7), value_of<V>(7))
            .add(key_of<K>(8), value_of<V>(8))
            .add(key_of<K>(2), value_of<V>(20))
            .add(key_of<K>(7), value_of<V>(70));
        if (frozen) reg.freeze();
        initial = contents();
        listen(reg, how, log, subscriptions);
    }

    /// Key to value, as text.
    std::map<std::string, std::string> contents() const {
        std::map<std::string, std::string> out;
        reg.for_each([&out](const K& key, const V& value) { out.emplace(text_of(key), text_of(value)); });
        return out;
    }

    std::string observe() const {
        std::string out = entries_text(reg) + (reg.frozen() ? ", frozen" : ", open");
        out += handle.active() ? "; handle active" : "; handle inactive";
        out += "; batch of " + std::to_string(fresh.size()) + "; " + log.text() + "; outcome " + result.text();
        return out;
    }

    Registry reg{"exsafe"};
    typename Registry::registration handle;
    roster::scoped_registration scoped;
    roster::batch<Registry> fresh;
    roster::batch<Registry> mixed;
    K new_key = key_of<K>(7);
    V new_value = value_of<V>(7);
    K duplicate_key = key_of<K>(2);
    V duplicate_value = value_of<V>(20);
    K present_key = key_of<K>(2);
    K missing_key = key_of<K>(9);
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
    std::map<std::string, std::string> initial; // contents() before the operation
};

/// The basic guarantee for a core registry: its listeners heard what
/// changed, size and contents agree, every key is found, and it still takes
/// and gives up an entry.
template <class Registry>
std::string core_invariants(core_world<Registry>& w) {
    using K = typename Registry::key_type;
    using V = typename Registry::value_type;
    std::string problems;
    // Listeners heard every key added or removed (the basic guarantee lets a
    // failed operation change the registry, but not behind its listeners'
    // backs), and no change that did not happen. A value may be left in an
    // unspecified state (moved from) without an event.
    if (!w.subscriptions.empty()) {
        const std::map<std::string, std::string> now = w.contents();
        std::size_t added = 0;
        std::size_t removed = 0;
        std::size_t changed = 0;
        for (const auto& [key, value] : now) {
            const auto it = w.initial.find(key);
            if (it == w.initial.end()) ++added;
            else if (it->second != value) ++changed;
        }
        for (const auto& item : w.initial)
            if (now.find(item.first) == now.end()) ++removed;
        if (w.log.added != added || w.log.removed != removed || w.log.changed > changed)
            problems += fmt::format("{} added, {} removed and {} changed, but listeners heard: {}; ", added, removed,
                                    changed, w.log.text());
    }
    std::size_t visited = 0;
    w.reg.for_each([&visited](const K&, const V&) { ++visited; });
    if (visited != w.reg.size()) problems += "size() disagrees with for_each(); ";
    const std::vector<K> keys = w.reg.names();
    if (keys.size() != visited) problems += "names() disagrees with for_each(); ";
    for (const K& key : keys)
        if (!w.reg.contains(key)) problems += "an entry is not found by its key; ";
    if (!w.reg.frozen()) {
        if (w.reg.try_add(key_of<K>(50), value_of<V>(50)).status() != roster::add_status::added)
            problems += "a new key can no longer be added; ";
        if (!w.reg.try_remove(key_of<K>(50))) problems += "an entry can no longer be removed; ";
    }
    return problems;
}

/// Every mutating member of the core registry, as scenarios.
template <class Registry>
struct core_suite {
    using world = core_world<Registry>;
    using K = typename Registry::key_type;
    using V = typename Registry::value_type;
    using policy = typename Registry::duplicate_policy;
    static constexpr bool replaces = std::is_same_v<policy, roster::on_duplicate::replace>;
    static constexpr bool keeps = std::is_same_v<policy, roster::on_duplicate::keep_first>;
    static constexpr bool returns = std::is_same_v<policy, roster::on_duplicate::return_error>;
    /// on_duplicate::replace keeps the strong guarantee only with noexcept moves (docs/registry.md).
    static constexpr bool replace_is_basic = replaces && !std::is_nothrow_move_constructible_v<V>;

    /// What add() of a duplicate reports under this policy.
    static const char* add_duplicate_outcome() {
        if constexpr (replaces) return "replaced";
        else if constexpr (keeps) return "kept_existing";
        else if constexpr (returns) return "refused";
        else return "raised";
    }
    /// What try_add() of a duplicate reports under this policy.
    static const char* try_add_duplicate_outcome() {
        if constexpr (replaces) return "replaced";
        else if constexpr (keeps) return "kept_existing";
        else return "refused";
    }

    static scenario<world> make(std::string member, source from, listening how, bool frozen,
                                std::function<void(world&)> run, std::function<void(world&)> expect) {
        return scenario_for<world>(std::move(member), from, how, frozen, std::move(run), std::move(expect));
    }

    /// Adds, handles, freeze and commits (removal by key: see removals()).
    static std::vector<scenario<world>> mutations(source from, listening how) {
        std::vector<scenario<world>> out;

        out.push_back(make("basic_registry::add", from, how, false,
                           [](world& w) { w.result.took(w.reg.add(std::move(w.new_key), std::move(w.new_value))); },
                           [](world& w) {
                               CHECK(w.result.is("added"));
                               CHECK(w.reg.size() == 4);
                               CHECK(value_text(w.reg, key_of<K>(7)) == text_of(value_of<V>(7)));
                           }));
        out.push_back(make("basic_registry::try_add", from, how, false,
                           [](world& w) { w.result.took(w.reg.try_add(std::move(w.new_key), std::move(w.new_value))); },
                           [](world& w) {
                               CHECK(w.result.is("added"));
                               CHECK(value_text(w.reg, key_of<K>(7)) == text_of(value_of<V>(7)));
                           }));
        {
            scenario<world> s = make(
                "basic_registry::add", from, how, false,
                [](world& w) {
                    raising(w.result, [&] {
                        w.result.took(w.reg.add(std::move(w.duplicate_key), std::move(w.duplicate_value)));
                    });
                },
                [](world& w) {
                    CHECK(w.result.is(add_duplicate_outcome()));
                    CHECK(value_text(w.reg, key_of<K>(2)) == text_of(value_of<V>(replaces ? 20 : 2)));
                });
            if (replace_is_basic) {
                s.promised = guarantee::basic;
                s.invariants = [](world& w) { return core_invariants(w); };
            }
            out.push_back(std::move(s));
        }
        {
            scenario<world> s = make(
                "basic_registry::try_add", from, how, false,
                [](world& w) {
                    w.result.took(w.reg.try_add(std::move(w.duplicate_key), std::move(w.duplicate_value)));
                },
                [](world& w) { CHECK(w.result.is(try_add_duplicate_outcome())); });
            if (replace_is_basic) {
                s.promised = guarantee::basic;
                s.invariants = [](world& w) { return core_invariants(w); };
            }
            out.push_back(std::move(s));
        }
        out.push_back(make("basic_registry::try_add", from, how, true,
                           [](world& w) { w.result.took(w.reg.try_add(std::move(w.new_key), std::move(w.new_value))); },
                           [](world& w) {
                               CHECK(w.result.is("refused"));
                               CHECK(w.result.error == roster::errc::frozen);
                           }));
        out.push_back(make("basic_registry::try_remove", from, how, false,
                           [](world& w) {
                               const auto removed = w.reg.try_remove(w.missing_key);
                               if (!removed) w.result.failed(removed.error().code);
                           },
                           [](world& w) { CHECK(w.result.error == roster::errc::not_found); }));
        out.push_back(make("basic_registry::remove", from, how, true,
                           [](world& w) { raising(w.result, [&] { (void)w.reg.remove(w.present_key); }); },
                           [](world& w) {
                               CHECK(w.result.error == roster::errc::frozen);
                               CHECK(w.reg.size() == 3);
                           }));
        out.push_back(make("registration::remove", from, how, false,
                           [](world& w) { w.result.detail = w.handle.remove() ? 1 : -1; },
                           [](world& w) {
                               CHECK(w.result.detail == 1);
                               CHECK_FALSE(w.handle.active());
                               CHECK_FALSE(w.reg.contains(key_of<K>(3)));
                           }));
        out.push_back(make("registration::try_remove", from, how, false,
                           [](world& w) {
                               const roster::result<bool> removed = w.handle.try_remove();
                               if (removed) w.result.detail = *removed ? 1 : -1;
                               else w.result.failed(removed.error().code);
                           },
                           [](world& w) {
                               CHECK(w.result.detail == 1);
                               CHECK_FALSE(w.reg.contains(key_of<K>(3)));
                           }));
        out.push_back(make("registration::remove", from, how, true,
                           [](world& w) { raising(w.result, [&] { (void)w.handle.remove(); }); },
                           [](world& w) {
                               CHECK(w.result.error == roster::errc::frozen);
                               CHECK(w.handle.active()); // documented: the handle stays active
                           }));
        {
            // scoped_registration::reset() is noexcept: a failure inside it is
            // swallowed and the entry stays (documented); otherwise it goes.
            scenario<world> s = make(
                "scoped_registration::reset", from, how, false, [](world& w) { w.scoped.reset(); },
                [](world& w) { CHECK_FALSE(w.reg.contains(key_of<K>(3))); });
            s.make = [mode = from == source::listener ? listening::throwing : how] {
                auto w = std::make_unique<world>(mode, false);
                w->scoped = roster::scoped_registration(std::move(w->handle));
                return w;
            };
            if (from == source::listener) {
                s.absorbed = [](world& w, const std::string&) {
                    CHECK_FALSE(w.reg.contains(key_of<K>(3)));
                    CHECK(w.log.removed == 1);
                    CHECK(w.log.listener_errors == 1);
                };
            } else {
                s.absorbed = [](world& w, const std::string& before) {
                    if (w.reg.contains(key_of<K>(3))) roster_test::expect_same_state(before, w.observe(), false);
                };
            }
            out.push_back(std::move(s));
        }
        out.push_back(make("basic_registry::freeze", from, how, false, [](world& w) { (void)w.reg.freeze(); },
                           [](world& w) { CHECK(w.reg.frozen()); }));
        out.push_back(make("batch::add", from, how, false,
                           [](world& w) { (void)w.fresh.add(std::move(w.new_key), std::move(w.new_value)); },
                           [](world& w) { CHECK(w.fresh.size() == 3); }));
        out.push_back(make("basic_registry::commit", from, how, false,
                           [](world& w) { w.result.detail = report_number(w.reg.commit(std::move(w.fresh))); },
                           [](world& w) {
                               CHECK(w.result.detail == 200);
                               CHECK(w.reg.size() == 5);
                               CHECK(value_text(w.reg, key_of<K>(8)) == text_of(value_of<V>(8)));
                           }));
        if (!replace_is_basic || from != source::value) out.push_back(replacing_commit(from, how));
        out.push_back(make("basic_registry::try_commit", from, how, true,
                           [](world& w) {
                               const auto committed = w.reg.try_commit(std::move(w.fresh));
                               if (!committed) w.result.failed(committed.error().code);
                           },
                           [](world& w) { CHECK(w.result.error == roster::errc::batch_refused); }));
        return out;
    }

    /// try_commit() of a batch with duplicates, within it and of registered keys.
    static scenario<world> replacing_commit(source from, listening how) {
        scenario<world> s = make(
            "basic_registry::try_commit", from, how, false,
            [](world& w) {
                const auto committed = w.reg.try_commit(std::move(w.mixed));
                if (committed) w.result.detail = report_number(*committed);
                else w.result.failed(committed.error().code);
            },
            [](world& w) {
                if constexpr (replaces) {
                    CHECK(w.result.detail == 211);
                    CHECK(value_text(w.reg, key_of<K>(7)) == text_of(value_of<V>(70)));
                    CHECK(value_text(w.reg, key_of<K>(2)) == text_of(value_of<V>(20)));
                } else if constexpr (keeps) {
                    CHECK(w.result.detail == 202);
                    CHECK(value_text(w.reg, key_of<K>(7)) == text_of(value_of<V>(7)));
                } else {
                    CHECK(w.result.error == roster::errc::batch_refused);
                    CHECK(w.reg.size() == 3);
                }
            });
        // Replacing values needs a noexcept move assignment (documented at commit()).
        if (replace_is_basic) {
            s.promised = guarantee::basic;
            s.invariants = [](world& w) { return core_invariants(w); };
        }
        return s;
    }

    /// Removal by key of a present entry: remove() and try_remove().
    static std::vector<scenario<world>> removals(source from, listening how) {
        std::vector<scenario<world>> out;
        out.push_back(make("basic_registry::remove", from, how, false,
                           [](world& w) { w.result.detail = numeric(w.reg.remove(w.present_key)); },
                           [](world& w) {
                               CHECK(w.result.detail == numeric(value_of<V>(2)));
                               CHECK(w.reg.size() == 2);
                               CHECK_FALSE(w.reg.contains(key_of<K>(2)));
                           }));
        out.push_back(make("basic_registry::try_remove", from, how, false,
                           [](world& w) {
                               const auto removed = w.reg.try_remove(w.present_key);
                               if (removed) w.result.detail = numeric(*removed);
                               else w.result.failed(removed.error().code);
                           },
                           [](world& w) {
                               CHECK(w.result.detail == numeric(value_of<V>(2)));
                               CHECK_FALSE(w.reg.contains(key_of<K>(2)));
                           }));
        return out;
    }

    /// Every mutation (with removal by key unless `with_removals` is false)
    /// swept with failures from `from`, with and without a recording listener.
    static void sweep_all(source from, bool with_removals = true) {
        const std::vector<listening> modes =
            from == source::listener ? std::vector<listening>{listening::throwing}
                                     : std::vector<listening>{listening::none, listening::recording};
        for (const listening how : modes) {
            for (const scenario<world>& s : mutations(from, how)) roster_test::sweep(s);
            if (with_removals)
                for (const scenario<world>& s : removals(from, how)) roster_test::sweep(s);
        }
    }
};

// The registries swept: every duplicate policy, both storages, values whose
// moves may or may not throw, and string keys and values for allocations.
using hashed_throw = roster::basic_registry<fragile_key, fragile_value>;
using hashed_replace = roster::basic_registry<fragile_key, fragile_value, roster::on_duplicate::replace>;
using hashed_keep = roster::basic_registry<fragile_key, fragile_value, roster::on_duplicate::keep_first>;
using hashed_equal = roster::basic_registry<fragile_key, fragile_value, roster::on_duplicate::accept_if_equal>;
using hashed_return = roster::basic_registry<fragile_key, fragile_value, roster::on_duplicate::return_error>;
using ordered_replace =
    roster::basic_registry<fragile_key, fragile_value, roster::storage::ordered, roster::on_duplicate::replace>;
using movable_throw = roster::basic_registry<fragile_key, fragile_movable>;
using movable_replace = roster::basic_registry<fragile_key, fragile_movable, roster::on_duplicate::replace>;
using text_registry = roster::registry<std::string>;

/// Sweeps every core registry above with failures from `from`.
void sweep_core(source from) {
    core_suite<hashed_throw>::sweep_all(from);
    core_suite<hashed_replace>::sweep_all(from);
    core_suite<hashed_keep>::sweep_all(from);
    core_suite<hashed_equal>::sweep_all(from);
    core_suite<hashed_return>::sweep_all(from);
    core_suite<ordered_replace>::sweep_all(from);
    // Removal by key of a value whose move throws: see the [!mayfail] case.
    core_suite<movable_throw>::sweep_all(from, false);
    core_suite<movable_replace>::sweep_all(from, false);
}

} // namespace

TEST_CASE("exception safety: every core registry mutation is all or nothing when a key's hash, == or < throws "
          "at any call",
          "[exception-safety]") {
    const std::size_t before = roster_test::tally().injections;
    sweep_core(source::key);
    CHECK(roster_test::tally().injections - before > 500);
}

TEST_CASE("exception safety: every core registry mutation is all or nothing when copying, moving, assigning or "
          "comparing a value throws, except a replacing one whose moves throw, which keeps the basic guarantee",
          "[exception-safety]") {
    const std::size_t before = roster_test::tally().injections;
    sweep_core(source::value);
    CHECK(roster_test::tally().injections - before > 200);
}

TEST_CASE("exception safety: every core registry mutation is all or nothing when any of its allocations fails",
          "[exception-safety]") {
    const std::size_t before = roster_test::tally().injections;
    sweep_core(source::allocation);
    core_suite<text_registry>::sweep_all(source::allocation);
    CHECK(roster_test::tally().injections - before > 500);
}

TEST_CASE("exception safety: a listener that throws on any event neither undoes a core registry mutation nor "
          "keeps the event from the other listeners",
          "[exception-safety]") {
    const std::size_t before = roster_test::tally().injections;
    core_suite<hashed_throw>::sweep_all(source::listener);
    core_suite<hashed_replace>::sweep_all(source::listener);
    core_suite<text_registry>::sweep_all(source::listener);
    CHECK(roster_test::tally().injections - before > 20);
}

// remove() returns the removed value by value, and try_remove() in a
// result<Value>: the value is moved out of the registry and then moved again
// into what the caller receives. With a Value whose move constructor can
// throw, a throw from those later moves comes after the entry is gone (the
// reason std::stack::pop() returns void). Documented: removal keeps the strong
// guarantee when Value's move constructor cannot throw (every pointer,
// std::shared_ptr, std::function, ...), and the basic one otherwise — the
// entry is removed, listeners are told, the registry stays consistent.
TEST_CASE("exception safety: remove() and try_remove() keep the basic guarantee when moving the removed value "
          "throws",
          "[exception-safety]") {
    for (const listening how : {listening::none, listening::recording}) {
        for (scenario<core_world<movable_throw>> s : core_suite<movable_throw>::removals(source::value, how)) {
            s.promised = guarantee::basic;
            s.invariants = [](core_world<movable_throw>& w) { return core_invariants(w); };
            roster_test::sweep(s);
        }
    }
}

namespace {

// ================================================== the versioned registry

template <class Registry>
struct versioned_world {
    using V = typename Registry::value_type;

    versioned_world(listening, bool frozen) {
        reg.add("codec", fragile_version{1}, value_of<V>(1));
        reg.add("codec", fragile_version{2}, value_of<V>(2));
        reg.add("zip", fragile_version{1}, value_of<V>(3));
        if (frozen) reg.freeze();
    }

    std::string observe() const {
        std::string out = entries_text(reg) + (reg.frozen() ? ", frozen" : ", open") + "; outcome " + result.text();
        return out;
    }

    Registry reg{"exsafe-versioned"};
    std::string new_name = "a name long enough to allocate";
    fragile_version new_version{7};
    V new_value = value_of<V>(7);
    V duplicate_value = value_of<V>(20);
    fragile_version present_version{2};
    fragile_version missing_version{9};
    event_log log;
    outcome result;
};

template <class Registry>
struct versioned_suite {
    using world = versioned_world<Registry>;
    using V = typename Registry::value_type;
    static constexpr bool replaces =
        std::is_same_v<typename Registry::duplicate_policy, roster::on_duplicate::replace>;

    static std::vector<scenario<world>> mutations(source from) {
        std::vector<scenario<world>> out;
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::add", from, listening::none, false,
            [](world& w) {
                w.result.took(w.reg.add(std::move(w.new_name), std::move(w.new_version), std::move(w.new_value)));
            },
            [](world& w) {
                CHECK(w.result.is("added"));
                CHECK(w.reg.size() == 4);
            }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::try_add", from, listening::none, false,
            [](world& w) {
                w.result.took(w.reg.try_add(std::move(w.new_name), std::move(w.new_version), std::move(w.new_value)));
            },
            [](world& w) { CHECK(w.result.is("added")); }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::add", from, listening::none, false,
            [](world& w) {
                raising(w.result, [&] {
                    w.result.took(w.reg.add("codec", fragile_version{2}, std::move(w.duplicate_value)));
                });
            },
            [](world& w) { CHECK(w.result.is(replaces ? "replaced" : "raised")); }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::try_add", from, listening::none, true,
            [](world& w) {
                w.result.took(w.reg.try_add(std::move(w.new_name), std::move(w.new_version), std::move(w.new_value)));
            },
            [](world& w) { CHECK(w.result.error == roster::errc::frozen); }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::try_remove", from, listening::none, false,
            [](world& w) {
                const auto removed = w.reg.try_remove("codec", w.missing_version);
                if (!removed) w.result.failed(removed.error().code);
            },
            [](world& w) { CHECK(w.result.error == roster::errc::not_found); }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::remove", from, listening::none, true,
            [](world& w) { raising(w.result, [&] { (void)w.reg.remove("codec", w.present_version); }); },
            [](world& w) { CHECK(w.result.error == roster::errc::frozen); }));
        return out;
    }

    static std::vector<scenario<world>> removals(source from) {
        std::vector<scenario<world>> out;
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::remove", from, listening::none, false,
            [](world& w) { w.result.detail = numeric(w.reg.remove("codec", w.present_version)); },
            [](world& w) {
                CHECK(w.result.detail == 2);
                CHECK(w.reg.size() == 2);
            }));
        out.push_back(scenario_for<world>(
            "basic_versioned_registry::try_remove", from, listening::none, false,
            [](world& w) {
                const auto removed = w.reg.try_remove("codec", w.present_version);
                if (removed) w.result.detail = numeric(*removed);
                else w.result.failed(removed.error().code);
            },
            [](world& w) {
                CHECK(w.result.detail == 2);
                CHECK(w.reg.size() == 2);
            }));
        return out;
    }
};

using versioned_throw = roster::versioned_registry<fragile_version, fragile_value>;
using versioned_replace = roster::versioned_registry<fragile_version, fragile_value, roster::on_duplicate::replace>;
using versioned_movable = roster::versioned_registry<fragile_version, fragile_movable>;

// ============================================================ the factory

/// A constructor whose copies and moves may throw (value_faults) and whose
/// every call may throw (callback_faults).
struct fragile_maker {
    fragile_movable id;
    int operator()(int x) const {
        roster_test::callback_faults.tick();
        return id.n * 100 + x;
    }
};

template <class Factory>
struct factory_world {
    factory_world(listening how, bool frozen) {
        reg.add("one", fragile_maker{fragile_movable{1}});
        reg.add("two", fragile_maker{fragile_movable{2}});
        if (frozen) reg.freeze();
        listen(reg, how, log, subscriptions);
    }

    /// Every constructor, called: "key=product@line".
    std::string state() const {
        std::vector<std::string> lines;
        reg.for_each([&lines](const std::string& key, const auto& make, const roster::source_location& where) {
            lines.push_back(key + "=" + std::to_string(make ? make(1) : -1) + "@" + std::to_string(where.line()));
        });
        return std::to_string(reg.size()) + " constructors " + joined(std::move(lines)) +
               (reg.frozen() ? ", frozen; " : ", open; ") + log.text();
    }
    std::string observe() const { return state() + "; outcome " + result.text(); }

    Factory reg{"exsafe-factory"};
    fragile_maker maker{fragile_movable{7}};
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
    std::exception_ptr cause;
};

using int_factory = roster::factory<int(int)>;
using probing_factory = roster::factory<int(int), roster::on_null::probe>;

/// add() and try_add() of a factory, and of a probing factory.
template <class Factory>
std::vector<scenario<factory_world<Factory>>> factory_adds(source from, listening how) {
    using world = factory_world<Factory>;
    constexpr bool probes = std::is_same_v<typename Factory::null_policy, roster::on_null::probe>;
    std::vector<scenario<world>> out;
    out.push_back(scenario_for<world>(
        "basic_factory::add", from, how, false,
        [](world& w) { raising(w.result, [&] { w.result.took(w.reg.add("seven", w.maker)); }); },
        [](world& w) {
            CHECK(w.result.is("added"));
            CHECK(w.reg.create("seven", 1) == 701);
        }));
    out.push_back(scenario_for<world>(
        "basic_factory::try_add", from, how, false, [](world& w) { w.result.took(w.reg.try_add("seven", w.maker)); },
        [](world& w) { CHECK(w.result.is("added")); }));
    out.push_back(scenario_for<world>(
        "basic_factory::add", from, how, false,
        [](world& w) { raising(w.result, [&] { w.result.took(w.reg.add("two", w.maker)); }); },
        [](world& w) { CHECK(w.result.error == roster::errc::duplicate_key); }));
    if (probes && from != source::listener) {
        // A constructor that throws when probed is refused with null_value_error:
        // the failure is absorbed into a refusal that changes nothing.
        for (scenario<world>& s : out) {
            s.absorbed = [](world& w, const std::string& before) {
                CHECK(w.result.error == roster::errc::null_value);
                w.result = outcome{};
                roster_test::expect_same_state(before, w.observe(), false);
            };
        }
    }
    return out;
}

/// create() and try_create(), open and frozen: a constructor's failure
/// propagates (create) or is returned with its exception as the cause
/// (try_create), and the factory never changes.
std::vector<scenario<factory_world<int_factory>>> factory_creates(source from) {
    using world = factory_world<int_factory>;
    std::vector<scenario<world>> out;
    for (const bool frozen : {false, true}) {
        out.push_back(scenario_for<world>(
            "basic_factory::create", from, listening::none, frozen,
            [](world& w) { w.result.detail = w.reg.create("two", 5); }, [](world& w) { CHECK(w.result.detail == 205); }));
        scenario<world> s = scenario_for<world>(
            "basic_factory::try_create", from, listening::none, frozen,
            [](world& w) {
                roster::result<int> made = w.reg.try_create("two", 5);
                if (made) {
                    w.result.detail = *made;
                } else {
                    w.result.failed(made.error().code);
                    w.cause = made.error().cause;
                }
            },
            [](world& w) { CHECK(w.result.detail == 205); });
        s.absorbed = [](world& w, const std::string& before) {
            CHECK(w.result.error == roster::errc::factory_failed);
            CHECK(is_injected(w.cause)); // the constructor's own exception, as the cause
            w.result = outcome{};
            roster_test::expect_same_state(before, w.observe(), false);
        };
        out.push_back(std::move(s));
    }
    return out;
}

// ================================================== the hot-reload registry

template <class Registry>
struct hot_world {
    using V = typename Registry::value_type;
    using set = std::vector<std::pair<fragile_key, V>>;

    static set numbered(std::initializer_list<std::pair<int, int>> items) {
        set out;
        for (const auto& [key, value] : items) out.emplace_back(fragile_key{key}, value_of<V>(value));
        return out;
    }

    hot_world(listening how, bool) {
        reg.replace_all(numbered({{1, 1}, {2, 2}, {3, 3}}));
        listen(reg, how, log, subscriptions);
    }

    std::string observe() const {
        return "version " + std::to_string(reg.version()) + ", " + entries_text(reg) + "; " + log.text() +
               "; outcome " + result.text();
    }

    Registry reg{"exsafe-hot"};
    set next = numbered({{2, 20}, {3, 3}, {4, 4}, {5, 5}}); // k1 removed, k2 changed, k3 kept, k4 and k5 added
    set refused = numbered({{4, 4}, {5, 5}, {4, 40}});     // k4 twice
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

template <class Registry>
std::vector<scenario<hot_world<Registry>>> hot_reload_scenarios(source from, listening how) {
    using world = hot_world<Registry>;
    using V = typename Registry::value_type;
    const auto replaced = [](world& w) {
        CHECK(w.result.detail == 2);
        CHECK(w.reg.size() == 4);
        CHECK(value_text(w.reg, fragile_key{2}) == "v20");
    };
    std::vector<scenario<world>> out;
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::replace_all", from, how, false,
        [](world& w) { w.result.detail = static_cast<long long>(w.reg.replace_all(w.next)); }, replaced));
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::replace_all", from, how, false,
        [](world& w) { w.result.detail = static_cast<long long>(w.reg.replace_all(std::move(w.next))); }, replaced));
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::try_replace_all", from, how, false,
        [](world& w) {
            const roster::result<std::uint64_t> published = w.reg.try_replace_all(w.next);
            if (published) w.result.detail = static_cast<long long>(*published);
            else w.result.failed(published.error().code);
        },
        replaced));
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::try_replace_all", from, how, false,
        [](world& w) {
            const roster::result<std::uint64_t> published = w.reg.try_replace_all(w.refused);
            if (published) w.result.detail = static_cast<long long>(*published);
            else w.result.failed(published.error().code);
        },
        [](world& w) {
            CHECK(w.result.error == roster::errc::batch_refused);
            CHECK(w.reg.version() == 1);
        }));
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::update", from, how, false,
        [](world& w) {
            w.result.detail = static_cast<long long>(w.reg.update([](auto& copy) {
                roster_test::callback_faults.tick();
                (void)copy.remove(fragile_key{1});
                roster_test::callback_faults.tick();
                copy.add(fragile_key{4}, value_of<V>(4));
                roster_test::callback_faults.tick();
            }));
        },
        [](world& w) {
            CHECK(w.result.detail == 2);
            CHECK(w.reg.size() == 3);
            CHECK_FALSE(w.reg.contains(fragile_key{1}));
        }));
    out.push_back(scenario_for<world>(
        "basic_hot_reload_registry::rebuild", from, how, false,
        [](world& w) {
            w.result.detail = static_cast<long long>(w.reg.rebuild([](auto& fresh) {
                roster_test::callback_faults.tick();
                fresh.add(fragile_key{1}, value_of<V>(10));
                roster_test::callback_faults.tick();
                fresh.add(fragile_key{4}, value_of<V>(4));
                roster_test::callback_faults.tick();
            }));
        },
        [](world& w) {
            CHECK(w.result.detail == 2);
            CHECK(w.reg.size() == 2);
            CHECK(value_text(w.reg, fragile_key{1}) == "v10");
        }));
    return out;
}

using hot_values = roster::basic_hot_reload_registry<fragile_key, fragile_value>;
using hot_movables = roster::basic_hot_reload_registry<fragile_key, fragile_movable>;

// ===================================================== the staged registry

template <class Registry>
struct staged_world {
    using K = typename Registry::key_type;
    using V = typename Registry::value_type;

    staged_world(listening how, bool finalized) {
        staged.add(key_of<K>(1), value_of<V>(1));
        staged.add(key_of<K>(2), value_of<V>(2));
        if (finalized) staged.finalize();
        listen(staged, how, log, subscriptions);
    }

    std::string observe() const {
        std::string out = std::string("state ") + roster::to_string(staged.state()) + ", " +
                          std::to_string(staged.pending()) + " pending, ";
        out += staged.ready() ? entries_text(staged.registry()) : std::string("no registry yet");
        return out + "; " + log.text() + "; outcome " + result.text();
    }

    roster::staged_registry<Registry> staged{"exsafe-staged"};
    K new_key = key_of<K>(7);
    V new_value = value_of<V>(7);
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

/// After a finalize() that threw: nothing committed and no event, and the
/// staged registry still usable: either failed for good, or still pending
/// with its registrations, taking more and finalizing when asked again.
template <class Registry>
std::string staged_invariants(staged_world<Registry>& w) {
    using K = typename Registry::key_type;
    using V = typename Registry::value_type;
    std::string problems;
    if (!w.log.silent()) problems += "a listener heard a failed finalize(); ";
    if (w.staged.ready()) problems += "ready after a failed finalize(); ";
    if (w.staged.state() != roster::readiness::pending) return problems;
    if (w.staged.pending() != 2)
        problems += fmt::format("{} of its 2 registrations still pending; ", w.staged.pending());
    if (const roster::result<void> added = w.staged.try_add(key_of<K>(9), value_of<V>(9)); !added)
        problems += "add() refused: " + added.error().message + "; ";
    const roster::result<roster::commit_report> retried = w.staged.try_finalize();
    if (!retried) problems += "finalize() cannot be retried: " + retried.error().message + "; ";
    else if (!w.staged.ready()) problems += "not ready after finalize() was retried; ";
    return problems;
}

template <class Registry>
struct staged_suite {
    using world = staged_world<Registry>;

    static std::vector<scenario<world>> adds(source from, listening how) {
        std::vector<scenario<world>> out;
        out.push_back(scenario_for<world>(
            "staged_registry::add", from, how, false,
            [](world& w) { w.staged.add(std::move(w.new_key), std::move(w.new_value)); },
            [](world& w) { CHECK(w.staged.pending() == 3); }));
        out.push_back(scenario_for<world>(
            "staged_registry::try_add", from, how, false,
            [](world& w) {
                const roster::result<void> added = w.staged.try_add(std::move(w.new_key), std::move(w.new_value));
                if (!added) w.result.failed(added.error().code);
            },
            [](world& w) { CHECK(w.staged.pending() == 3); }));
        out.push_back(scenario_for<world>(
            "staged_registry::add", from, how, true,
            [](world& w) { raising(w.result, [&] { w.staged.add(std::move(w.new_key), std::move(w.new_value)); }); },
            [](world& w) { CHECK(w.result.error == roster::errc::frozen); }));
        return out;
    }

    /// finalize() and try_finalize(); `known_bug` for the faults that wedge it.
    static std::vector<scenario<world>> finalizes(source from, listening how, bool known_bug) {
        std::vector<scenario<world>> out;
        out.push_back(scenario_for<world>(
            "staged_registry::finalize", from, how, false,
            [](world& w) { w.result.detail = report_number(w.staged.finalize()); },
            [](world& w) {
                CHECK(w.result.detail == 200);
                CHECK(w.staged.ready());
                CHECK(w.staged.size() == 2);
            }));
        out.push_back(scenario_for<world>(
            "staged_registry::try_finalize", from, how, false,
            [](world& w) {
                const roster::result<roster::commit_report> committed = w.staged.try_finalize();
                // A commit that threw is returned as an error whose cause is
                // the exception: rethrown, the sweep sees the injected failure.
                if (!committed && committed.error().cause) std::rethrow_exception(committed.error().cause);
                if (committed) w.result.detail = report_number(*committed);
                else w.result.failed(committed.error().code);
            },
            [](world& w) {
                CHECK(w.result.detail == 200);
                CHECK(w.staged.ready());
            }));
        for (scenario<world>& s : out) {
            // "finalize() commits all or nothing": no strong guarantee is
            // documented, so the basic one is checked.
            s.promised = guarantee::basic;
            s.known_bug = known_bug;
            s.invariants = [](world& w) { return staged_invariants(w); };
        }
        return out;
    }
};

using staged_values = roster::basic_registry<fragile_key, fragile_value>;
using staged_movables = roster::basic_registry<fragile_key, fragile_movable>;

// ===================================================== the scoped registry

struct greeting {
    greeting() = default;
    greeting(const greeting&) = default;
    greeting& operator=(const greeting&) = default;
    virtual ~greeting() = default;
    virtual int id() const = 0;
};
struct hello final : greeting {
    int id() const override { return 1; }
};
struct bonjour final : greeting {
    int id() const override { return 2; }
};
struct widget {
    int serial = 0;
};
struct gadget {
    int serial = 0;
};

/// A shared factory of widgets whose copies, moves and calls may throw.
struct widget_maker {
    fragile_movable id;
    std::shared_ptr<widget> operator()() const {
        roster_test::callback_faults.tick();
        return std::make_shared<widget>(widget{id.n});
    }
};
/// A fresh factory of gadgets whose copies, moves and calls may throw.
struct gadget_maker {
    fragile_movable id;
    gadget operator()() const {
        roster_test::callback_faults.tick();
        return gadget{id.n};
    }
};

using scope = roster::scoped_registry;

/// "kind@line" for every registration of a scope, sorted.
std::string registrations_text(const scope& s) {
    std::vector<std::string> lines;
    for (const roster::entry_report& e : s.report().entries) lines.push_back(e.key + "@" + std::to_string(e.where.line()));
    return std::to_string(s.size()) + " registrations " + joined(std::move(lines)) + (s.frozen() ? ", frozen" : ", open");
}

struct scoped_world {
    scoped_world(listening, bool frozen) {
        app.add<greeting>(std::make_shared<hello>());
        app.add_factory(widget_maker{fragile_movable{1}}, roster::lifetime::shared);
        if (frozen) app.freeze();
    }

    std::string observe() const {
        const roster::result<std::shared_ptr<greeting>> greets = app.try_get<greeting>();
        std::string out = "app: " + registrations_text(app) + ", greeting " +
                          (greets ? std::to_string((*greets)->id()) : std::string("none"));
        out += "; kid: " + registrations_text(kid);
        out += second ? "; second scope " + second->name() : std::string("; no second scope");
        return out + "; outcome " + result.text();
    }

    scope app{"exsafe-app"};
    scope kid = app.child("kid");
    std::unique_ptr<scope> second;
    std::shared_ptr<greeting> instance = std::make_shared<bonjour>();
    widget_maker widgets{fragile_movable{2}};
    gadget_maker gadgets{fragile_movable{3}};
    std::string long_name = "a child scope with a name long enough to allocate";
    event_log log;
    outcome result;
};

/// Registrations into a scope and its child, and child scopes.
std::vector<scenario<scoped_world>> scoped_registrations(source from) {
    using world = scoped_world;
    std::vector<scenario<world>> out;
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::add", from, listening::none, false,
        [](world& w) { w.result.detail = static_cast<long long>(w.app.add<greeting>(w.instance)); },
        [](world& w) {
            CHECK(w.result.detail == 3);
            CHECK(w.app.get<greeting>()->id() == 2);
        }));
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::try_add", from, listening::none, true,
        [](world& w) {
            const roster::result<std::uint64_t> added = w.app.try_add<greeting>(w.instance);
            if (!added) w.result.failed(added.error().code);
        },
        [](world& w) { CHECK(w.result.error == roster::errc::frozen); }));
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::add_factory", from, listening::none, false,
        [](world& w) { w.result.detail = static_cast<long long>(w.app.add_factory(w.gadgets)); },
        [](world& w) {
            CHECK(w.result.detail == 3);
            CHECK(w.app.get<gadget>()->serial == 3);
        }));
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::add_factory", from, listening::none, false,
        [](world& w) {
            w.result.detail = static_cast<long long>(w.app.add_factory(w.widgets, roster::lifetime::shared));
        },
        [](world& w) {
            CHECK(w.result.detail == 3);
            CHECK(w.app.get<widget>()->serial == 2);
        }));
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::child", from, listening::none, false,
        [](world& w) { w.second.reset(new scope(w.app.child(w.long_name))); },
        [](world& w) {
            REQUIRE(w.second);
            CHECK(w.second->depth() == 1);
            CHECK(w.second->get<greeting>()->id() == 1);
        }));
    out.push_back(scenario_for<world>(
        "basic_scoped_registry::add", from, listening::none, false,
        [](world& w) { w.result.detail = static_cast<long long>(w.kid.add<greeting>(w.instance)); },
        [](world& w) {
            CHECK(w.kid.get<greeting>()->id() == 2);
            CHECK(w.app.get<greeting>()->id() == 1);
        }));
    return out;
}

/// The first get() of a shared factory's kind builds and caches its
/// instance; a factory that throws caches nothing and the next lookup tries
/// again (documented).
std::vector<scenario<scoped_world>> scoped_shared_builds(source from) {
    using world = scoped_world;
    std::vector<scenario<world>> out;
    for (const bool frozen : {false, true}) {
        scenario<world> s = scenario_for<world>(
            "basic_scoped_registry::get", from, listening::none, frozen,
            [](world& w) { w.result.detail = w.app.get<widget>()->serial; },
            [](world& w) {
                CHECK(w.result.detail == 1);
                CHECK(w.app.get<widget>() == w.app.get<widget>());
            });
        s.invariants = [](world& w) -> std::string {
            const std::shared_ptr<widget> first = w.app.get<widget>();
            if (!first || first->serial != 1) return "the next lookup did not build the instance";
            if (w.app.get<widget>() != first) return "the instance built by the next lookup was not cached";
            return "";
        };
        out.push_back(std::move(s));
    }
    return out;
}

// ========================================= handler, tagged, hierarchical, sniffing

/// For a shape whose freeze() builds an index after freezing the core: the
/// documentation promises nothing particular for a freeze() that fails, so
/// the basic guarantee is checked: it answers every query as before, and a
/// second freeze() completes.
template <class World>
std::string index_invariants(World& w) {
    std::string problems;
    if (w.queries() != w.queries_before) problems += "a failed freeze() changed the answers: " + w.queries() + "; ";
    w.reg.freeze();
    if (!w.reg.frozen()) problems += "not frozen after freeze(); ";
    if (w.queries() != w.queries_before) problems += "freeze() after a failed one changed the answers: " + w.queries();
    return problems;
}

struct handler_world {
    handler_world(listening how, bool frozen) {
        reg.add("GET /users/{id}", fragile_movable{1});
        reg.add("/static/", fragile_movable{2});
        if (frozen) reg.freeze();
        listen(reg, how, log, subscriptions);
        queries_before = queries();
    }

    std::string queries() const {
        std::string out;
        for (const auto& [method, path] : {std::pair<const char*, const char*>{"GET", "/users/42"},
                                           {"POST", "/users/42"},
                                           {"GET", "/static/app.js"},
                                           {"GET", "/nowhere"}}) {
            const auto m = reg.match(method, "example.com", path);
            out += std::string(method) + " " + path + ": " + roster::to_string(m.status()) +
                   (m ? " " + text_of(m.handler()) + " " + std::string(m.pattern()) : std::string()) + "; ";
        }
        return out;
    }
    std::string observe() const {
        std::vector<std::string> lines;
        for (const roster::entry_report& e : reg.report().entries)
            lines.push_back(e.key + "@" + std::to_string(e.where.line()));
        return std::to_string(reg.size()) + " patterns " + joined(std::move(lines)) +
               (reg.frozen() ? ", frozen; " : ", open; ") + queries() + log.text() + "; outcome " + result.text();
    }

    roster::handler_registry<fragile_movable> reg{"exsafe-routes"};
    fragile_movable handler{3};
    std::string queries_before;
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

struct tagged_world {
    tagged_world(listening how, bool frozen) {
        reg.add("auth", fragile_movable{1}, {"http", "tier=auth"}, 100);
        reg.add("gzip", fragile_movable{2}, {"http"});
        if (frozen) reg.freeze();
        listen(reg, how, log, subscriptions);
        queries_before = queries();
    }

    std::string queries() const {
        std::string out = "chain:";
        for (const auto& e : reg.matching(roster::tags::has("http"))) out += " " + e.key();
        return out;
    }
    std::string observe() const {
        std::vector<std::string> lines;
        reg.for_each([&lines](const std::string& key, const auto& e, const roster::source_location& where) {
            std::string listed;
            for (const roster::tag& t : e.tags()) listed += t.text() + " ";
            lines.push_back(key + "=" + text_of(e.value()) + " [" + listed + "] " + std::to_string(e.priority()) + "@" +
                            std::to_string(where.line()));
        });
        return std::to_string(reg.size()) + " entries " + joined(std::move(lines)) +
               (reg.frozen() ? ", frozen; " : ", open; ") + queries() + "; " + log.text() + "; outcome " +
               result.text();
    }

    roster::tagged_registry<fragile_movable> reg{"exsafe-chain"};
    fragile_movable value{3};
    std::vector<roster::tag> entry_tags{"http", "experimental"};
    std::string queries_before;
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

struct hierarchical_world {
    hierarchical_world(listening how, bool frozen) {
        reg.add("users.list", fragile_movable{1});
        reg.add("users.add", fragile_movable{2});
        if (frozen) reg.freeze();
        listen(reg, how, log, subscriptions);
        queries_before = queries();
    }

    std::string queries() const {
        std::string out = "tree:";
        for (const std::string& id : reg.descendants("", roster::tree_nodes::with_intermediate)) out += " " + id;
        out += "; children of users:";
        for (const std::string& id : reg.children("users")) out += " " + id;
        const auto longest = reg.longest_prefix({"users", "list", "--all"});
        return out + "; longest prefix " + (longest ? longest->id : std::string("none"));
    }
    std::string observe() const {
        return entries_text(reg) + (reg.frozen() ? ", frozen; " : ", open; ") + queries() + "; " + log.text() +
               "; outcome " + result.text();
    }

    roster::hierarchical_registry<fragile_movable> reg{"exsafe-commands"};
    fragile_movable value{3};
    std::string queries_before;
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

struct sniffing_world {
    sniffing_world(listening how, bool frozen) {
        reg.add("png", "\\x89PNG", fragile_movable{1});
        reg.add("gif", {"GIF87a", "GIF89a"}, fragile_movable{2});
        if (frozen) reg.freeze();
        listen(reg, how, log, subscriptions);
        queries_before = queries();
    }

    std::string queries() const {
        std::string out = "peek " + std::to_string(reg.required_peek());
        for (const std::string_view input : {std::string_view("GIF89a...."), std::string_view("\x89PNG\r\n\x1a\n"),
                                             std::string_view("PK\x03\x04...."), std::string_view("nothing")}) {
            const auto m = reg.match(input);
            out += "; " + (m ? std::string(m.name()) + " " + text_of(m.handler()) : std::string("no match"));
        }
        return out;
    }
    std::string observe() const {
        std::vector<std::string> lines;
        reg.for_each([&lines](const std::string& name, const auto& e, const roster::source_location& where) {
            std::string patterns;
            for (const roster::magic_pattern& p : e.patterns()) patterns += p.text() + " ";
            lines.push_back(name + "=" + text_of(e.handler()) + " [" + patterns + "] " +
                            std::to_string(e.priority()) + "@" + std::to_string(where.line()));
        });
        return std::to_string(reg.size()) + " formats " + joined(std::move(lines)) +
               (reg.frozen() ? ", frozen; " : ", open; ") + queries() + "; " + log.text() + "; outcome " +
               result.text();
    }

    roster::sniffing_registry<fragile_movable> reg{"exsafe-formats"};
    fragile_movable handler{3};
    std::string queries_before;
    event_log log;
    std::vector<roster::subscription> subscriptions;
    outcome result;
};

/// add() (a new entry, a conflicting or malformed one, a duplicate),
/// try_add() and freeze() of one of the four shapes above, given as
/// callables on its world.
template <class World>
struct shape_adds {
    std::string shape;
    std::function<void(World&)> add_new;
    std::function<void(World&)> try_add_new;
    std::vector<std::pair<std::function<void(World&)>, roster::errc>> refused; // add() raising that code
};

template <class World>
std::vector<scenario<World>> shape_scenarios(const shape_adds<World>& adds, source from, listening how) {
    std::vector<scenario<World>> out;
    out.push_back(scenario_for<World>(
        adds.shape + "::add", from, how, false, [f = adds.add_new](World& w) { raising(w.result, [&] { f(w); }); },
        [](World& w) {
            CHECK(w.result.is("added"));
            CHECK(w.reg.size() == 3);
        }));
    out.push_back(scenario_for<World>(adds.shape + "::try_add", from, how, false, adds.try_add_new,
                                      [](World& w) { CHECK(w.result.is("added")); }));
    for (const auto& [f, code] : adds.refused) {
        out.push_back(scenario_for<World>(
            adds.shape + "::add", from, how, false, [f = f](World& w) { raising(w.result, [&] { f(w); }); },
            [code = code](World& w) {
                CHECK(w.result.is("raised"));
                CHECK(w.result.error == code);
            }));
    }
    out.push_back(scenario_for<World>(adds.shape + "::try_add", from, how, true, adds.try_add_new,
                                      [](World& w) { CHECK(w.result.error == roster::errc::frozen); }));
    if (from == source::allocation && how == listening::none) {
        scenario<World> s = scenario_for<World>(
            adds.shape + "::freeze", from, how, false, [](World& w) { w.reg.freeze(); },
            [](World& w) {
                CHECK(w.reg.frozen());
                CHECK(w.queries() == w.queries_before);
            });
        s.promised = guarantee::basic;
        s.invariants = [](World& w) { return index_invariants(w); };
        out.push_back(std::move(s));
    }
    return out;
}

shape_adds<handler_world> handler_adds() {
    using world = handler_world;
    return {"handler_registry",
            [](world& w) { w.result.took(w.reg.add("POST /users/{id}", w.handler)); },
            [](world& w) { w.result.took(w.reg.try_add("POST /users/{id}", w.handler)); },
            {{[](world& w) { w.result.took(w.reg.add("GET /users/{name}", w.handler)); }, roster::errc::conflict},
             {[](world& w) { w.result.took(w.reg.add("/static/", w.handler)); }, roster::errc::duplicate_key},
             {[](world& w) { w.result.took(w.reg.add("GET /{", w.handler)); }, roster::errc::invalid_key}}};
}

shape_adds<tagged_world> tagged_adds() {
    using world = tagged_world;
    return {"tagged_registry",
            [](world& w) { w.result.took(w.reg.add("cache", w.value, w.entry_tags, 50)); },
            [](world& w) { w.result.took(w.reg.try_add("cache", w.value, w.entry_tags, 50)); },
            {{[](world& w) { w.result.took(w.reg.add("gzip", w.value, w.entry_tags)); }, roster::errc::duplicate_key},
             {[](world& w) { w.result.took(w.reg.add("retry", w.value, {"http", "=oops"})); },
              roster::errc::invalid_key}}};
}

shape_adds<hierarchical_world> hierarchical_adds() {
    using world = hierarchical_world;
    return {"hierarchical_registry",
            [](world& w) { w.result.took(w.reg.add("users.remove.all", w.value)); },
            [](world& w) { w.result.took(w.reg.try_add("users.remove.all", w.value)); },
            {{[](world& w) { w.result.took(w.reg.add("users.list", w.value)); }, roster::errc::duplicate_key},
             {[](world& w) { w.result.took(w.reg.add("users..all", w.value)); }, roster::errc::invalid_key}}};
}

shape_adds<sniffing_world> sniffing_adds() {
    using world = sniffing_world;
    return {"sniffing_registry",
            [](world& w) { w.result.took(w.reg.add("zip", "PK\\x03\\x04", w.handler)); },
            [](world& w) { w.result.took(w.reg.try_add("zip", "PK\\x03\\x04", w.handler)); },
            {{[](world& w) { w.result.took(w.reg.add("gif-again", "GIF87a", w.handler)); }, roster::errc::conflict},
             {[](world& w) { w.result.took(w.reg.add("png", "\\x89PNX", w.handler)); }, roster::errc::duplicate_key},
             {[](world& w) { w.result.took(w.reg.add("broken", "\\xZZ", w.handler)); }, roster::errc::invalid_key}}};
}

} // namespace

// commit() under on_duplicate::replace with a Value whose move assignment can
// throw: replacing keeps only the basic guarantee (documented), so the
// replacements are made before any key is added. A throwing move assignment
// then leaves some values replaced (without events, which the basic guarantee
// allows for a value left changed) and no key added behind the listeners'
// backs.
TEST_CASE("exception safety: a commit whose replacement throws adds no key behind its listeners' backs",
          "[exception-safety]") {
    for (const listening how : {listening::none, listening::recording}) {
        scenario<core_world<movable_replace>> s = core_suite<movable_replace>::replacing_commit(source::value, how);
        roster_test::sweep(s);
    }
}

TEST_CASE("exception safety: versioned registry adds and removals are all or nothing under every injected failure",
          "[exception-safety]") {
    for (const source from : {source::key, source::value, source::allocation}) {
        sweep_each(versioned_suite<versioned_throw>::mutations(from));
        sweep_each(versioned_suite<versioned_throw>::removals(from));
        sweep_each(versioned_suite<versioned_replace>::mutations(from));
        sweep_each(versioned_suite<versioned_replace>::removals(from));
        sweep_each(versioned_suite<versioned_movable>::mutations(from));
    }
}

// As for the core registry: the versioned registry is the core's remove().
TEST_CASE("exception safety: versioned registry removals keep the basic guarantee when moving the removed value "
          "throws",
          "[exception-safety]") {
    for (scenario<versioned_world<versioned_movable>> s : versioned_suite<versioned_movable>::removals(source::value)) {
        s.promised = guarantee::basic;
        roster_test::sweep(s);
    }
}

TEST_CASE("exception safety: factory adds are all or nothing, a constructor that throws when probed is refused, "
          "and creating never changes the factory",
          "[exception-safety]") {
    for (const source from : {source::value, source::allocation, source::callback, source::listener}) {
        for (const listening how : modes_for(from)) {
            sweep_each(factory_adds<int_factory>(from, how));
            sweep_each(factory_adds<probing_factory>(from, how));
        }
    }
    for (const source from : {source::value, source::allocation, source::callback}) sweep_each(factory_creates(from));
}

TEST_CASE("exception safety: a failed hot-reload replacement publishes nothing and keeps the version",
          "[exception-safety]") {
    for (const source from : {source::key, source::value, source::allocation, source::callback, source::listener}) {
        for (const listening how : modes_for(from)) {
            sweep_each(hot_reload_scenarios<hot_values>(from, how));
            sweep_each(hot_reload_scenarios<hot_movables>(from, how));
        }
    }
}

TEST_CASE("exception safety: a staged registry's add() is all or nothing, and a listener that throws does not "
          "undo finalize()",
          "[exception-safety]") {
    for (const source from : {source::key, source::value, source::allocation, source::listener}) {
        for (const listening how : modes_for(from)) {
            sweep_each(staged_suite<staged_values>::adds(from, how));
            sweep_each(staged_suite<staged_movables>::adds(from, how));
        }
    }
    sweep_each(staged_suite<staged_values>::finalizes(source::listener, listening::throwing, false));
}

// An exception from finalize()'s commit (std::bad_alloc, a key's hash, == or
// <, a value's copy) is a failed finalize(): nothing committed, readiness
// failed for good (as for a refused commit), every waiter woken, and the
// exception the error's cause. The registry is never left pending with its
// registrations gone.
TEST_CASE("exception safety: a staged registry whose finalize() threw is failed for good, with nothing committed",
          "[exception-safety]") {
    for (const source from : {source::key, source::value, source::allocation}) {
        for (const listening how : modes_for(from)) {
            sweep_each(staged_suite<staged_values>::finalizes(from, how, false));
            sweep_each(staged_suite<staged_movables>::finalizes(from, how, false));
        }
    }
}

TEST_CASE("exception safety: scoped registrations and child scopes are all or nothing, and a shared factory that "
          "throws caches nothing",
          "[exception-safety]") {
    for (const source from : {source::value, source::allocation}) sweep_each(scoped_registrations(from));
    for (const source from : {source::callback, source::allocation}) sweep_each(scoped_shared_builds(from));
}

TEST_CASE("exception safety: handler, tagged, hierarchical and sniffing registry adds are all or nothing, and a "
          "failed freeze() leaves every query answering as before",
          "[exception-safety]") {
    for (const source from : {source::value, source::allocation, source::listener}) {
        for (const listening how : modes_for(from)) {
            sweep_each(shape_scenarios(handler_adds(), from, how));
            sweep_each(shape_scenarios(tagged_adds(), from, how));
            sweep_each(shape_scenarios(hierarchical_adds(), from, how));
            sweep_each(shape_scenarios(sniffing_adds(), from, how));
        }
    }
}

// Last, so that it sees every case above (Catch2 runs cases in declaration order).
TEST_CASE("exception safety: the tally of failures injected and guarantees checked", "[exception-safety]") {
    const roster_test::tally_counts& t = roster_test::tally();
    std::string line = fmt::format("exception safety: {} failures injected into {} operations of {} members, strong "
                                   "guarantee checked {} times, {} violations",
                                   t.injections, t.operations, t.members.size(), t.strong_checks, t.violations);
    if (t.basic_checks != 0) line += fmt::format("; basic guarantee checked {} times", t.basic_checks);
    if (t.known_violations != 0)
        line += fmt::format("; {} violations in [!mayfail] cases (known bugs)", t.known_violations);
    std::printf("%s\n", line.c_str());
    CHECK(t.violations == 0);
}
