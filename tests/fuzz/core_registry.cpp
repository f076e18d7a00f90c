// tests/fuzz/core_registry.cpp — roster::basic_registry against a model.
//
// The first byte picks a policy mix: on_duplicate (throw_error, return_error,
// replace, keep_first, accept_if_equal) x storage (hashed, ordered) x locking
// (shared_mutex, none), each with one of the counters policies (none,
// per_registry, per_key) so that every pair of families meets (20 mixes; see
// `makers` below). The rest is
// a sequence of operations on a registry<int> with keys from a small table
// (so that duplicates happen; it holds the empty key and keys with control
// characters, which must be refused): add, try_add, get, visit, contains, at,
// try_at, location, remove, try_remove, registration handles and
// scoped_registration (each removes exactly the entry it added), batches
// (commit and try_commit: all or nothing), freeze (mutations refused
// afterwards, entries() a range), names, size, state, for_each, copies and
// lookup counters. The model is a std::map<std::string, int> plus the
// documented policy rules (docs/registry.md, docs/events.md). A subscriber
// records every change event: each operation's events must be exactly the
// ones the model expects, and replayed onto a second map they must rebuild
// the model.
#include "fuzz.hpp"

#include <roster/counters.hpp>
#include <roster/events.hpp>
#include <roster/lifecycle.hpp>
#include <roster/ordered.hpp>
#include <roster/registry.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

const bool installed = fuzz::install("core_registry");

// Keys: index 0 is empty and 1, 14 hold control characters (refused); the
// others are valid, one longer than the small-string buffer.
constexpr std::size_t key_count = 16;
const std::string keys[key_count] = {"",   std::string("a\x01", 2), "a",  "b",  "c",   "d",   "aa",  "ab",
                                     "ba", "abc",                   "x y", "zz", "q",   "cba", "b\x7f",
                                     "a-registry-key-longer-than-the-sso-buffer"};

// The documented key rule (docs/registry.md, key_traits): refused when empty
// or holding a byte below 0x20 or 0x7f.
bool valid_key(std::string_view key) {
    if (key.empty()) return false;
    for (const char c : key) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

enum class duplicates { throw_error, return_error, replace, keep_first, accept_if_equal };
enum class decision { refuse, keep, replace };

const char* duplicates_name(duplicates d) {
    switch (d) {
    case duplicates::throw_error: return "throw_error";
    case duplicates::return_error: return "return_error";
    case duplicates::replace: return "replace";
    case duplicates::keep_first: return "keep_first";
    case duplicates::accept_if_equal: return "accept_if_equal";
    }
    return "?";
}

// The policy table of docs/registry.md.
decision decide(duplicates d, int existing, int incoming) {
    switch (d) {
    case duplicates::throw_error:
    case duplicates::return_error: return decision::refuse;
    case duplicates::replace: return decision::replace;
    case duplicates::keep_first: return decision::keep;
    case duplicates::accept_if_equal: return existing == incoming ? decision::keep : decision::refuse;
    }
    return decision::refuse;
}

template <class Tag>
constexpr duplicates duplicates_of() {
    if constexpr (std::is_same_v<Tag, roster::on_duplicate::throw_error>) return duplicates::throw_error;
    else if constexpr (std::is_same_v<Tag, roster::on_duplicate::return_error>) return duplicates::return_error;
    else if constexpr (std::is_same_v<Tag, roster::on_duplicate::replace>) return duplicates::replace;
    else if constexpr (std::is_same_v<Tag, roster::on_duplicate::keep_first>) return duplicates::keep_first;
    else return duplicates::accept_if_equal;
}

struct event_record {
    roster::change_kind kind;
    std::string key;
    std::optional<int> previous;
    std::optional<int> current;
    friend bool operator==(const event_record&, const event_record&) = default;
};

std::string show_events(const std::vector<event_record>& events) {
    std::string out;
    for (const event_record& e : events) {
        out += std::string(roster::to_string(e.kind)) + " " + fuzz::show(e.key) + " prev=" +
               (e.previous ? std::to_string(*e.previous) : "-") + " cur=" +
               (e.current ? std::to_string(*e.current) : "-") + "; ";
    }
    return out.empty() ? "(none)" : out;
}

std::string show_map(const std::vector<std::pair<std::string, int>>& map) {
    std::string out = "{";
    for (const auto& [k, v] : map) out += fuzz::show(k) + ":" + std::to_string(v) + " ";
    return out + "}";
}

// ------------------------------------------------------------------ the registry, type-erased
//
// Every policy mix is one instantiation of `driver`, a thin layer that turns
// the registry's answers into plain values; the harness (the model and the
// checks) is compiled once.

struct add_outcome {
    roster::add_status status = roster::add_status::refused;
    roster::errc code = roster::errc::duplicate_key; // when refused
    bool raised = false;                             // add() raised instead of returning
    roster::errc raised_code = roster::errc::duplicate_key;
    bool returned = false; // a result came back (try_add, or add that did not raise)
    std::optional<int> existing;
    bool has_existing = false;
    bool truthy = false;
    bool handle_active = false;
    bool handle_key_ok = true;
};

struct lookup_outcome {
    std::optional<int> value;
    bool raised = false;
    roster::errc code = roster::errc::not_found; // when it failed
};

struct commit_outcome {
    std::optional<roster::commit_report> report;
    roster::errc code = roster::errc::batch_refused;
    std::string message;
};

using entries = std::vector<std::pair<std::string, int>>;

class api {
public:
    virtual ~api() = default;
    virtual add_outcome add(const std::string& key, int value, bool use_try, unsigned slot) = 0;
    virtual std::optional<int> get(std::string_view key) = 0;
    virtual std::optional<int> visit_value(std::string_view key) = 0; // the value * 7 + 1
    virtual std::pair<bool, int> visit_void(std::string_view key) = 0;
    virtual bool contains(std::string_view key) = 0;
    virtual bool has_location(std::string_view key) = 0;
    virtual lookup_outcome at(std::string_view key, bool use_try) = 0;
    virtual lookup_outcome remove(std::string_view key, bool use_try) = 0;
    virtual bool handle_active(unsigned slot) = 0;
    virtual roster::result<bool> handle_remove(unsigned slot) = 0;
    virtual void handle_release(unsigned slot) = 0;
    virtual void handle_move(unsigned from, unsigned to) = 0;
    virtual bool scoped_registration(unsigned slot) = 0; // active() before it is destroyed
    virtual commit_outcome commit(const entries& items, bool use_try) = 0;
    virtual std::vector<std::string> names() = 0;
    virtual std::size_t size() = 0;
    virtual bool empty() = 0;
    virtual roster::lifecycle state() = 0;
    virtual bool frozen() = 0;
    virtual bool has_frozen_at() = 0;
    virtual entries for_each(bool with_where) = 0;
    virtual std::optional<roster::lookup_counts> lookups() = 0;
    virtual roster::registry_report report() = 0;
    struct copy_check {
        bool frozen;
        entries contents;
        bool counts_zero;
        std::size_t size_before, size_after;
    };
    virtual copy_check copy(unsigned slot, bool remove_through_handle) = 0;
    virtual roster::result<entries> try_entries() = 0;
    virtual std::size_t freeze() = 0;
};

/// What the subscriber reports to the harness.
using event_sink = std::function<void(const roster::change_event<std::string, int>&)>;

template <class Registry>
class driver final : public api {
public:
    explicit driver(event_sink sink) : reg_("fuzz") {
        subscription_ = reg_.subscribe([sink = std::move(sink)](const typename Registry::event_type& e) { sink(e); });
    }

    add_outcome add(const std::string& key, int value, bool use_try, unsigned slot) override {
        add_outcome out;
        std::optional<typename Registry::add_result> result;
        if (use_try) {
            result.emplace(reg_.try_add(key, value));
        } else {
            try {
                result.emplace(reg_.add(key, value));
            } catch (const roster::error& e) {
                out.raised = true;
                out.raised_code = e.code();
            }
        }
        if (!result) return out;
        auto& r = *result;
        out.returned = true;
        out.status = r.status();
        if (r.status() == roster::add_status::refused) out.code = r.error().code;
        out.has_existing = r.existing().has_value();
        if (r.existing()) out.existing = r.existing()->value;
        out.truthy = static_cast<bool>(r);
        out.handle_active = r.handle().active();
        if (out.handle_active) {
            handles_[slot] = std::move(r).handle();
            out.handle_key_ok = handles_[slot].key() == key;
        }
        return out;
    }
    std::optional<int> get(std::string_view key) override { return reg_.get(key); }
    std::optional<int> visit_value(std::string_view key) override {
        return reg_.visit(key, [](const int& v) { return v * 7 + 1; });
    }
    std::pair<bool, int> visit_void(std::string_view key) override {
        int seen = -1;
        const bool found = reg_.visit(key, [&seen](const int& v) { seen = v; });
        return {found, seen};
    }
    bool contains(std::string_view key) override { return reg_.contains(key); }
    bool has_location(std::string_view key) override { return reg_.location(key).has_value(); }
    lookup_outcome at(std::string_view key, bool use_try) override {
        lookup_outcome out;
        if (use_try) {
            roster::result<int> r = reg_.try_at(key);
            if (r) out.value = *r;
            else out.code = r.error().code;
        } else {
            try {
                out.value = reg_.at(key);
            } catch (const roster::error& e) {
                out.raised = true;
                out.code = e.code();
            }
        }
        return out;
    }
    lookup_outcome remove(std::string_view key, bool use_try) override {
        lookup_outcome out;
        if (use_try) {
            roster::result<int> r = reg_.try_remove(key);
            if (r) out.value = *r;
            else out.code = r.error().code;
        } else {
            try {
                out.value = reg_.remove(key);
            } catch (const roster::error& e) {
                out.raised = true;
                out.code = e.code();
            }
        }
        return out;
    }
    bool handle_active(unsigned slot) override { return handles_[slot].active(); }
    roster::result<bool> handle_remove(unsigned slot) override { return handles_[slot].try_remove(); }
    void handle_release(unsigned slot) override { handles_[slot].release(); }
    void handle_move(unsigned from, unsigned to) override { handles_[to] = std::move(handles_[from]); }
    bool scoped_registration(unsigned slot) override {
        const roster::scoped_registration scoped(std::move(handles_[slot]));
        return scoped.active();
    }
    commit_outcome commit(const entries& items, bool use_try) override {
        roster::batch<Registry> pending;
        for (const auto& [k, v] : items) pending.add(k, v);
        commit_outcome out;
        if (pending.size() != items.size()) out.message = "batch size";
        if (use_try) {
            roster::result<roster::commit_report> r = reg_.try_commit(std::move(pending));
            if (r) out.report = *r;
            else {
                out.code = r.error().code;
                out.message = r.error().message;
            }
        } else {
            try {
                out.report = reg_.commit(std::move(pending));
            } catch (const roster::batch_error& e) {
                out.code = e.code();
                out.message = e.what();
            }
        }
        return out;
    }
    std::vector<std::string> names() override { return reg_.names(); }
    std::size_t size() override { return reg_.size(); }
    bool empty() override { return reg_.empty(); }
    roster::lifecycle state() override { return reg_.state(); }
    bool frozen() override { return reg_.frozen(); }
    bool has_frozen_at() override { return reg_.frozen_at().has_value(); }
    entries for_each(bool with_where) override {
        entries seen;
        if (with_where) {
            reg_.for_each([&seen](const std::string& k, const int& v, const roster::source_location&) {
                seen.emplace_back(k, v);
            });
        } else {
            reg_.for_each([&seen](const std::string& k, const int& v) { seen.emplace_back(k, v); });
        }
        return seen;
    }
    std::optional<roster::lookup_counts> lookups() override {
        if constexpr (Registry::counters_policy::counted) return reg_.lookups();
        else return std::nullopt;
    }
    roster::registry_report report() override { return reg_.report(); }
    copy_check copy(unsigned slot, bool remove_through_handle) override {
        Registry copy(reg_, "copy");
        copy_check out{copy.frozen(), {}, true, copy.size(), 0};
        copy.for_each([&out](const std::string& k, const int& v) { out.contents.emplace_back(k, v); });
        if constexpr (Registry::counters_policy::counted)
            out.counts_zero = copy.lookups().hits == 0 && copy.lookups().misses == 0;
        if (remove_through_handle) (void)handles_[slot].try_remove();
        out.size_after = copy.size();
        return out;
    }
    roster::result<entries> try_entries() override {
        const auto view = reg_.try_entries();
        if (!view) return view.error();
        entries seen;
        for (const auto& [k, v] : *view) seen.emplace_back(k, v);
        if (view->size() != seen.size()) seen.emplace_back("<entries_view size() differs>", -1);
        return seen;
    }
    std::size_t freeze() override { return reg_.freeze().size(); }

private:
    Registry reg_;
    roster::subscription subscription_;
    std::array<typename Registry::registration, 8> handles_{};
};

// ------------------------------------------------------------------ the harness

struct mix {
    duplicates policy;
    bool ordered;
    bool counted;
    bool per_key;
    bool locked;
};

class harness {
    // The model: one optional entry per key of the table (keys by index, so
    // that the model itself costs next to nothing).
    struct entry {
        int value;
        std::uint64_t token; // changes with every registration that a handle could own
    };
    struct handle_model {
        bool active = false;
        unsigned key = 0;
        std::uint64_t token = 0;
    };
    using slots = std::array<std::optional<entry>, key_count>;

public:
    harness(fuzz::reader& in, mix m, std::unique_ptr<api> (*make)(event_sink)) : in_(in), mix_(m) {
        reg_ = make([this](const roster::change_event<std::string, int>& e) { on_event(e); });
    }

    void run() {
        while (in_.more()) {
            step(in_.below(32));
            check_events();
            ++fuzz::operations;
        }
        check_contents();
    }

private:
    unsigned key() { return in_.below(key_count); }
    int value() { return static_cast<int>(in_.below(6)); }

    std::string context() const {
        std::string out = std::string(" [policy ") + duplicates_name(mix_.policy) + (mix_.ordered ? ", ordered" : ", hashed") +
                          (mix_.locked ? ", shared_mutex" : ", locking::none") +
                          (mix_.counted ? (mix_.per_key ? ", per_key" : ", per_registry") : "") +
                          (frozen_ ? ", frozen" : "") + "] model {";
        for (const unsigned k : sorted_keys())
            if (model_[k]) out += fuzz::show(keys[k]) + ":" + std::to_string(model_[k]->value) + " ";
        return out + "}";
    }

    /// Key indices in key order (what names() sorts by).
    static const std::array<unsigned, key_count>& sorted_keys() {
        static const std::array<unsigned, key_count> order = [] {
            std::array<unsigned, key_count> out{};
            for (unsigned i = 0; i < key_count; ++i) out[i] = i;
            std::sort(out.begin(), out.end(), [](unsigned a, unsigned b) { return keys[a] < keys[b]; });
            return out;
        }();
        return order;
    }

    /// The index of `text` in the key table, or key_count.
    static unsigned index_of(std::string_view text) {
        for (unsigned i = 0; i < key_count; ++i)
            if (keys[i].size() == text.size() && keys[i] == text) return i;
        return key_count;
    }

    void on_event(const roster::change_event<std::string, int>& e) {
        FUZZ_CHECK(e.key.has_value(), std::string("a core event without a key"));
        FUZZ_CHECK(e.version == 0, "core event version " + std::to_string(e.version));
        const unsigned k = index_of(*e.key);
        FUZZ_CHECK(k < key_count, "an event for a key never added: " + fuzz::show(*e.key));
        seen_.push_back(event_record{e.kind, keys[k], e.previous, e.current});
        // Replay onto the second model.
        std::optional<int>& slot = replayed_[k];
        switch (e.kind) {
        case roster::change_kind::added:
            FUZZ_CHECK(!slot && e.current && !e.previous, "added event for " + fuzz::show(keys[k]));
            slot = *e.current;
            break;
        case roster::change_kind::removed:
            FUZZ_CHECK(slot && e.previous && !e.current && *slot == *e.previous, "removed event for " + fuzz::show(keys[k]));
            slot.reset();
            break;
        case roster::change_kind::changed:
            FUZZ_CHECK(slot && e.previous && e.current && *slot == *e.previous, "changed event for " + fuzz::show(keys[k]));
            slot = *e.current;
            break;
        case roster::change_kind::unchanged: FUZZ_CHECK(false, std::string("unchanged event from the core"));
        }
    }

    void step(unsigned op) {
        switch (op) {
        case 0: case 1: do_add(false); break;
        case 2: case 3: case 4: case 5: case 6: case 7: do_add(true); break;
        case 8: case 9: case 10: case 11: do_get(); break;
        case 12: case 13: do_visit(); break;
        case 14: case 15: do_contains(); break;
        case 16: do_at(in_.flag()); break;
        case 17: do_location(); break;
        case 18: do_remove(false); break;
        case 19: case 20: do_remove(true); break;
        case 21: case 22: do_handle_remove(); break;
        case 23: do_handle_move(); break;
        case 24: do_batch(); break;
        case 25: do_listing(); break;
        case 26: do_for_each(); break;
        case 27: do_counts(); break;
        case 28: do_copy(); break;
        case 29: do_entries(); break;
        case 30: do_scoped_registration(); break;
        default: do_freeze(); break;
        }
    }

    // --------------------------------------------------------------- add

    void do_add(bool use_try) {
        const unsigned k = key();
        const int v = value();
        const unsigned slot = in_.below(handle_count);

        // What the model says: the checks in the documented order.
        roster::add_status status = roster::add_status::added;
        roster::errc code = roster::errc::duplicate_key;
        const std::optional<entry> existing = model_[k];
        if (!valid_key(keys[k])) {
            status = roster::add_status::refused;
            code = roster::errc::invalid_key;
        } else if (frozen_) {
            status = roster::add_status::refused;
            code = roster::errc::frozen;
        } else if (existing) {
            switch (decide(mix_.policy, existing->value, v)) {
            case decision::refuse: status = roster::add_status::refused; break;
            case decision::keep: status = roster::add_status::kept_existing; break;
            case decision::replace: status = roster::add_status::replaced; break;
            }
        }
        const bool reports_existing = existing && valid_key(keys[k]) && !frozen_;
        const bool raises = !use_try && status == roster::add_status::refused &&
                            (code != roster::errc::duplicate_key || mix_.policy != duplicates::return_error);
        const auto what = [&] {
            return std::string(use_try ? "try_add(" : "add(") + fuzz::show(keys[k]) + ", " + std::to_string(v) + ")";
        };

        const add_outcome r = reg_->add(keys[k], v, use_try, slot);
        FUZZ_CHECK(r.raised == raises, what() + (r.raised ? " raised " + std::string(roster::to_string(r.raised_code))
                                                          : std::string(" returned")) +
                                           ", the model " + (raises ? "raises" : "returns") + context());
        if (r.raised) FUZZ_CHECK(r.raised_code == code, what() + " raised " + roster::to_string(r.raised_code) + context());
        const bool owns = status == roster::add_status::added || status == roster::add_status::replaced;
        if (r.returned) {
            FUZZ_CHECK(r.status == status, what() + " gave " + roster::to_string(r.status) + ", the model " +
                                               roster::to_string(status) + context());
            if (status == roster::add_status::refused)
                FUZZ_CHECK(r.code == code, what() + " refused with " + roster::to_string(r.code) + context());
            FUZZ_CHECK(r.has_existing == reports_existing, what() + ": existing() presence" + context());
            if (reports_existing)
                FUZZ_CHECK(r.existing == existing->value,
                           what() + ": existing() value, the model " + std::to_string(existing->value) + context());
            FUZZ_CHECK(r.truthy == owns, what() + ": operator bool" + context());
            FUZZ_CHECK(r.handle_active == owns && r.handle_key_ok, what() + ": handle()" + context());
        }
        // Apply to the model.
        if (status == roster::add_status::added)
            expected_.push_back(event_record{roster::change_kind::added, keys[k], std::nullopt, v});
        else if (status == roster::add_status::replaced)
            expected_.push_back(event_record{roster::change_kind::changed, keys[k], existing->value, v});
        if (owns) {
            model_[k] = entry{v, next_token_};
            if (r.returned) handle_models_[slot] = handle_model{true, k, next_token_};
            ++next_token_;
        }
    }

    // ------------------------------------------------------------ lookups

    // Counted lookups are get, visit, at and try_at (docs/observability.md).
    void count_lookup(unsigned k, bool hit) {
        if (hit) {
            ++hits_;
        } else {
            ++misses_;
            ++missed_[k];
        }
    }

    std::optional<int> model_value(unsigned k) const {
        return model_[k] ? std::optional<int>(model_[k]->value) : std::nullopt;
    }

    void do_get() {
        const unsigned k = key();
        const std::optional<int> want = model_value(k);
        FUZZ_CHECK(reg_->get(keys[k]) == want, "get(" + fuzz::show(keys[k]) + ")" + context());
        count_lookup(k, want.has_value());
    }

    void do_visit() {
        const unsigned k = key();
        const std::optional<int> want = model_value(k);
        if (in_.flag()) {
            const std::optional<int> got = reg_->visit_value(keys[k]);
            FUZZ_CHECK(got.has_value() == want.has_value() && (!want || *got == *want * 7 + 1),
                       "visit(" + fuzz::show(keys[k]) + ") returning a value" + context());
        } else {
            const auto [found, seen] = reg_->visit_void(keys[k]);
            FUZZ_CHECK(found == want.has_value() && (!want || seen == *want),
                       "visit(" + fuzz::show(keys[k]) + ") returning void" + context());
        }
        count_lookup(k, want.has_value());
    }

    void do_contains() {
        const unsigned k = key();
        FUZZ_CHECK(reg_->contains(keys[k]) == model_[k].has_value(), "contains(" + fuzz::show(keys[k]) + ")" + context());
    }

    void do_location() {
        const unsigned k = key();
        FUZZ_CHECK(reg_->has_location(keys[k]) == model_[k].has_value(), "location(" + fuzz::show(keys[k]) + ")" + context());
    }

    void do_at(bool use_try) {
        const unsigned k = key();
        const std::optional<int> want = model_value(k);
        const lookup_outcome got = reg_->at(keys[k], use_try);
        const auto what = [&] { return std::string(use_try ? "try_at(" : "at(") + fuzz::show(keys[k]) + ")"; };
        FUZZ_CHECK(got.value == want, what() + context());
        FUZZ_CHECK(got.raised == (!use_try && !want), what() + ": raised" + context());
        if (!want) FUZZ_CHECK(got.code == roster::errc::not_found, what() + ": code" + context());
        count_lookup(k, want.has_value());
    }

    // ------------------------------------------------------------- remove

    void do_remove(bool use_try) {
        const unsigned k = key();
        const std::optional<int> want = model_value(k);
        // Removal by key checks frozen first, then presence (docs/registry.md).
        const roster::errc code = frozen_ ? roster::errc::frozen : roster::errc::not_found;
        const bool succeeds = !frozen_ && want.has_value();
        const auto what = [&] { return std::string(use_try ? "try_remove(" : "remove(") + fuzz::show(keys[k]) + ")"; };
        const lookup_outcome got = reg_->remove(keys[k], use_try);
        FUZZ_CHECK(got.value.has_value() == succeeds && (!succeeds || got.value == want), what() + context());
        FUZZ_CHECK(got.raised == (!use_try && !succeeds), what() + ": raised" + context());
        if (!succeeds) FUZZ_CHECK(got.code == code, what() + ": code " + roster::to_string(got.code) + context());
        if (succeeds) {
            expected_.push_back(event_record{roster::change_kind::removed, keys[k], *want, std::nullopt});
            model_[k].reset();
        }
    }

    // ------------------------------------------------------------ handles

    /// What removing through handle `slot` does in the model: true if it
    /// removes (its entry is still the one it added), false if there is
    /// nothing left for it to remove; std::nullopt if the registry refuses
    /// (frozen: the handle stays active).
    std::optional<bool> model_handle_remove(unsigned slot) {
        handle_model& h = handle_models_[slot];
        if (!h.active) return false;
        if (frozen_) return std::nullopt;
        h.active = false;
        std::optional<entry>& target = model_[h.key];
        if (!target || target->token != h.token) return false;
        expected_.push_back(event_record{roster::change_kind::removed, keys[h.key], target->value, std::nullopt});
        target.reset();
        return true;
    }

    void do_handle_remove() {
        const unsigned slot = in_.below(handle_count);
        const bool was_active = handle_models_[slot].active;
        FUZZ_CHECK(reg_->handle_active(slot) == was_active, "handle " + std::to_string(slot) + " active()" + context());
        const unsigned k = handle_models_[slot].key;
        const std::optional<bool> want = model_handle_remove(slot);
        const roster::result<bool> got = reg_->handle_remove(slot);
        FUZZ_CHECK(got.has_value() == want.has_value(), "handle of " + fuzz::show(keys[k]) + " try_remove()" + context());
        if (want)
            FUZZ_CHECK(*got == *want, "handle of " + fuzz::show(keys[k]) + " try_remove() = " + std::to_string(*got) + context());
        else
            FUZZ_CHECK(got.error().code == roster::errc::frozen, "handle try_remove() code" + context());
        FUZZ_CHECK(reg_->handle_active(slot) == handle_models_[slot].active, "handle active() after removal" + context());
    }

    void do_handle_move() {
        const unsigned from = in_.below(handle_count);
        const unsigned to = in_.below(handle_count);
        if (in_.flag()) {
            reg_->handle_release(from); // forgets the entry
            handle_models_[from].active = false;
        } else if (from != to) {
            reg_->handle_move(from, to); // the entry `to` held is forgotten, not removed
            handle_models_[to] = handle_models_[from];
            handle_models_[from].active = false;
        }
        FUZZ_CHECK(reg_->handle_active(from) == handle_models_[from].active, "moved-from handle active" + context());
        FUZZ_CHECK(reg_->handle_active(to) == handle_models_[to].active, "moved-to handle active" + context());
    }

    void do_scoped_registration() {
        // scoped_registration removes its entry when destroyed; errors (frozen) are swallowed.
        const unsigned slot = in_.below(handle_count);
        const bool was_active = handle_models_[slot].active;
        if (frozen_) handle_models_[slot].active = false; // the entry stays
        else (void)model_handle_remove(slot);
        FUZZ_CHECK(reg_->scoped_registration(slot) == was_active, "scoped_registration active()" + context());
        FUZZ_CHECK(!reg_->handle_active(slot), "the handle given to scoped_registration is active" + context());
    }

    // ------------------------------------------------------------ batches

    void do_batch() {
        const unsigned count = in_.below(9);
        const bool use_try = in_.flag();
        entries items;
        std::vector<unsigned> indices;
        for (unsigned i = 0; i < count; ++i) {
            const unsigned k = key();
            indices.push_back(k);
            items.emplace_back(keys[k], value());
        }

        // The model (docs/events.md, "Batches: all or nothing").
        std::size_t problems = frozen_ ? 1 : 0;
        struct staged_item {
            int value;
            std::size_t first; // index of the key's first item
        };
        std::array<std::optional<staged_item>, key_count> staged{};
        roster::commit_report want;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const unsigned k = indices[i];
            const int v = items[i].second;
            if (!valid_key(keys[k])) {
                ++problems;
                continue;
            }
            std::optional<staged_item>& s = staged[k];
            if (!s) {
                s = staged_item{v, i};
                continue;
            }
            switch (decide(mix_.policy, s->value, v)) {
            case decision::replace:
                s->value = v;
                ++want.unchanged;
                break;
            case decision::keep: ++want.unchanged; break;
            case decision::refuse: ++problems; break;
            }
        }
        struct planned {
            std::size_t first;
            unsigned key;
            int value;
            std::optional<int> previous; // set: a replacement
        };
        std::vector<planned> plan;
        for (unsigned k = 0; k < key_count; ++k) {
            const std::optional<staged_item>& s = staged[k];
            if (!s) continue;
            if (!model_[k]) {
                plan.push_back(planned{s->first, k, s->value, std::nullopt});
                ++want.added;
                continue;
            }
            switch (decide(mix_.policy, model_[k]->value, s->value)) {
            case decision::replace:
                plan.push_back(planned{s->first, k, s->value, model_[k]->value});
                ++want.replaced;
                break;
            case decision::keep: ++want.unchanged; break;
            case decision::refuse: ++problems; break;
            }
        }

        const auto what = [&] {
            std::string out = std::string(use_try ? "try_commit" : "commit") + " of";
            for (const auto& [k, v] : items) out += " " + fuzz::show(k) + "=" + std::to_string(v);
            return out;
        };
        const commit_outcome got = reg_->commit(items, use_try);
        FUZZ_CHECK(got.report.has_value() == (problems == 0),
                   what() + (got.report ? " committed" : " was refused: " + got.message) + ", the model counts " +
                       std::to_string(problems) + " problems" + context());
        if (!got.report) {
            FUZZ_CHECK(got.code == roster::errc::batch_refused, what() + ": code" + context());
            // One line per problem.
            std::size_t lines = 0;
            for (std::size_t at = got.message.find("\n  - "); at != std::string::npos;
                 at = got.message.find("\n  - ", at + 1))
                ++lines;
            FUZZ_CHECK(lines == problems, what() + ": " + std::to_string(lines) + " problem lines, the model " +
                                              std::to_string(problems) + ": " + got.message);
            return;
        }
        const roster::commit_report& r = *got.report;
        FUZZ_CHECK(r.added == want.added && r.replaced == want.replaced && r.unchanged == want.unchanged,
                   what() + ": report " + std::to_string(r.added) + "/" + std::to_string(r.replaced) + "/" +
                       std::to_string(r.unchanged) + ", the model " + std::to_string(want.added) + "/" +
                       std::to_string(want.replaced) + "/" + std::to_string(want.unchanged) + context());
        // Applied in the order of each key's first item; committed entries have no handle.
        std::sort(plan.begin(), plan.end(), [](const planned& a, const planned& b) { return a.first < b.first; });
        for (const planned& p : plan) {
            if (p.previous)
                expected_.push_back(event_record{roster::change_kind::changed, keys[p.key], p.previous, p.value});
            else
                expected_.push_back(event_record{roster::change_kind::added, keys[p.key], std::nullopt, p.value});
            model_[p.key] = entry{p.value, next_token_++};
        }
    }

    // ----------------------------------------------------- whole registry

    entries model_entries() const {
        entries want;
        for (const unsigned k : sorted_keys())
            if (model_[k]) want.emplace_back(keys[k], model_[k]->value);
        return want;
    }

    std::size_t model_size() const {
        std::size_t n = 0;
        for (const auto& e : model_) n += e ? 1u : 0u;
        return n;
    }

    void do_listing() {
        std::vector<std::string> want;
        for (const unsigned k : sorted_keys())
            if (model_[k]) want.push_back(keys[k]);
        FUZZ_CHECK(reg_->names() == want, "names()" + context());
        FUZZ_CHECK(reg_->size() == want.size(), "size() = " + std::to_string(reg_->size()) + context());
        FUZZ_CHECK(reg_->empty() == want.empty(), "empty()" + context());
        const roster::lifecycle state = frozen_         ? roster::lifecycle::frozen
                                        : want.empty() ? roster::lifecycle::empty
                                                        : roster::lifecycle::populated;
        FUZZ_CHECK(reg_->state() == state, std::string("state() = ") + roster::to_string(reg_->state()) + context());
        FUZZ_CHECK(reg_->frozen() == frozen_ && reg_->has_frozen_at() == frozen_, "frozen()" + context());
    }

    void do_for_each() { check_sequence(reg_->for_each(in_.flag()), "for_each"); }

    /// `seen` must be the model's entries; in key order under storage::ordered.
    void check_sequence(entries seen, const char* what) {
        if (mix_.ordered) FUZZ_CHECK(std::is_sorted(seen.begin(), seen.end()), std::string(what) + " out of key order" + context());
        else std::sort(seen.begin(), seen.end());
        FUZZ_CHECK(seen == model_entries(), std::string(what) + " gave " + show_map(seen) + context());
    }

    void do_counts() {
        const std::optional<roster::lookup_counts> got = reg_->lookups();
        FUZZ_CHECK(got.has_value() == mix_.counted, "lookups() presence" + context());
        if (!got) return do_listing();
        FUZZ_CHECK(got->hits == hits_ && got->misses == misses_,
                   "lookups() = " + std::to_string(got->hits) + "/" + std::to_string(got->misses) + ", the model " +
                       std::to_string(hits_) + "/" + std::to_string(misses_) + context());
        const roster::registry_report report = reg_->report();
        FUZZ_CHECK(report.lookups && report.lookups->hits == hits_ && report.lookups->misses == misses_,
                   "report().lookups" + context());
        FUZZ_CHECK(report.entries.size() == model_size(), "report().entries" + context());
        if (mix_.per_key) {
            std::uint64_t hits = 0;
            for (const roster::entry_report& e : report.entries) hits += e.hits.value_or(0);
            FUZZ_CHECK(hits <= hits_, "per-key hits exceed the registry's" + context());
            // Misses per missed key, by the key as messages quote it.
            std::map<std::string, std::uint64_t> want, missed;
            for (unsigned k = 0; k < key_count; ++k)
                if (missed_[k] != 0) want[roster::detail::quoted(keys[k])] = missed_[k];
            for (const roster::key_misses& m : report.missed_keys) missed[m.key] = m.misses;
            FUZZ_CHECK(missed == want && report.other_misses == 0, "report().missed_keys" + context());
        }
    }

    void do_copy() {
        // A copy holds the same entries, is not frozen, counts from zero, and
        // the original's handles never touch it.
        const unsigned slot = in_.below(handle_count);
        const bool through_handle = !frozen_ && handle_models_[slot].active;
        const entries before = model_entries(); // the copy is taken before the handle removes
        if (through_handle) (void)model_handle_remove(slot);
        const api::copy_check got = reg_->copy(slot, through_handle);
        FUZZ_CHECK(!got.frozen, "a copy is frozen" + context());
        FUZZ_CHECK(got.counts_zero, "a copy's counters do not start at zero" + context());
        FUZZ_CHECK(got.size_after == got.size_before, "the original's handle removed from the copy" + context());
        entries contents = got.contents;
        std::sort(contents.begin(), contents.end());
        FUZZ_CHECK(contents == before, "the copy holds " + show_map(contents) + context());
    }

    void do_entries() {
        const roster::result<entries> view = reg_->try_entries();
        FUZZ_CHECK(view.has_value() == frozen_, "try_entries()" + context());
        if (view) check_sequence(*view, "entries()");
        else FUZZ_CHECK(view.error().code == roster::errc::not_ready, "try_entries() code" + context());
    }

    void do_freeze() {
        if (in_.below(64) != 0) return do_get(); // rare: a frozen registry refuses every mutation
        const std::size_t size = reg_->freeze();
        frozen_ = true;
        FUZZ_CHECK(size == model_size(), "freeze()'s view" + context());
        FUZZ_CHECK(reg_->frozen(), "frozen() after freeze()" + context());
    }

    // ------------------------------------------------------------- checks

    void check_events() {
        if (!seen_.empty() || !expected_.empty()) {
            FUZZ_CHECK(seen_ == expected_, "events: got " + show_events(seen_) + ", the model " +
                                               show_events(expected_) + context());
            seen_.clear();
            expected_.clear();
        }
        for (unsigned k = 0; k < key_count; ++k) {
            const bool same = model_[k] ? replayed_[k] == model_[k]->value : !replayed_[k];
            FUZZ_CHECK(same, "replaying the events gives " + fuzz::show(keys[k]) + " = " +
                                 (replayed_[k] ? std::to_string(*replayed_[k]) : "-") + context());
        }
    }

    void check_contents() {
        do_listing();
        check_sequence(reg_->for_each(false), "for_each at the end");
        for (unsigned slot = 0; slot < handle_count; ++slot)
            FUZZ_CHECK(reg_->handle_active(slot) == handle_models_[slot].active, "handle active() at the end" + context());
    }

    static constexpr unsigned handle_count = 8;

    fuzz::reader& in_;
    mix mix_;
    std::unique_ptr<api> reg_;
    slots model_{};
    std::array<std::optional<int>, key_count> replayed_{};
    std::vector<event_record> seen_, expected_;
    bool frozen_ = false;
    std::uint64_t next_token_ = 1;
    std::uint64_t hits_ = 0, misses_ = 0;
    std::array<std::uint64_t, key_count> missed_{};
    std::array<handle_model, handle_count> handle_models_{};
};

// ------------------------------------------------------------------ policy mixes

template <class D, class S, class L, class C>
std::unique_ptr<api> make(event_sink sink) {
    return std::make_unique<driver<roster::basic_registry<std::string, int, D, S, L, C>>>(std::move(sink));
}

using maker = std::unique_ptr<api> (*)(event_sink);

// 20 mixes: every on_duplicate x storage x locking, with the counters policy
// (duplicate + storage + locking) % 3, so that each counters policy meets
// every value of each other family (all 60 would take minutes to compile).
template <class D, class S, class L>
constexpr maker with_counters(unsigned which) {
    return which == 0   ? &make<D, S, L, roster::counters::none>
           : which == 1 ? &make<D, S, L, roster::counters::per_registry>
                        : &make<D, S, L, roster::counters::per_key>;
}
template <class D>
constexpr std::array<maker, 4> for_duplicates(unsigned d) {
    return {with_counters<D, roster::storage::hashed, roster::locking::shared_mutex>(d % 3),
            with_counters<D, roster::storage::hashed, roster::locking::none>((d + 1) % 3),
            with_counters<D, roster::storage::ordered, roster::locking::shared_mutex>((d + 1) % 3),
            with_counters<D, roster::storage::ordered, roster::locking::none>((d + 2) % 3)};
}
constexpr std::array<std::array<maker, 4>, 5> makers{
    for_duplicates<roster::on_duplicate::throw_error>(0), for_duplicates<roster::on_duplicate::return_error>(1),
    for_duplicates<roster::on_duplicate::replace>(2), for_duplicates<roster::on_duplicate::keep_first>(3),
    for_duplicates<roster::on_duplicate::accept_if_equal>(4)};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ++fuzz::inputs;
    fuzz::reader in(data, size);
    const unsigned byte = in.byte();
    // byte % 20 = 4 * duplicate policy + 2 * storage (ordered) + locking (none)
    const unsigned index = byte % 20;
    const unsigned d = index / 4, ordered = (index / 2) % 2, unlocked = index % 2;
    const unsigned counters = (d + ordered + unlocked) % 3;
    const mix m{static_cast<duplicates>(d), ordered == 1, counters != 0, counters == 2, unlocked == 0};
    harness h(in, m, makers[d][index % 4]);
    h.run();
    return 0;
}
