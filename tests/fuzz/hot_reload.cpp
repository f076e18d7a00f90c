// tests/fuzz/hot_reload.cpp — roster::basic_hot_reload_registry against a model.
//
// The first byte picks a policy mix (on_duplicate x storage, with
// counters::per_registry on half of them). The rest is a sequence of
// operations: whole-set replacements (replace_all and try_replace_all from a
// copied or a moved vector, and from a std::map; sets holding duplicates,
// empty keys or keys with control characters must be refused as a whole,
// one problem line each, with nothing published), rebuild and update (their
// builder adds, try_adds and removes through the snapshot registry's own
// members; a builder that throws publishes nothing), every read member,
// version numbers (each publication is version + 1), held snapshots (a
// snapshot taken earlier must still show its version's contents, whatever
// was published since) and lookup counters. The model is a
// std::map<std::string, int> per version plus the documented rules
// (docs/hot-reload.md). A subscriber records the events of every
// publication: they must be the model's diff (removed, added, changed in key
// order, or one `unchanged`), all carrying the new version, and replayed
// onto a second map they must rebuild the model.
#include "fuzz.hpp"

#include <roster/counters.hpp>
#include <roster/events.hpp>
#include <roster/hot_reload.hpp>
#include <roster/ordered.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

const bool installed = fuzz::install("hot_reload");

constexpr std::size_t key_count = 12;
const std::string keys[key_count] = {"",  std::string("b\x1f", 2), "a", "b", "c", "ab", "ba", "abc",
                                     "z", "route/with/slashes",    "q", "a-hot-reload-key-longer-than-sso"};

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

using contents = std::map<std::string, int>;
using entries = std::vector<std::pair<std::string, int>>;

std::string show_map(const contents& map) {
    std::string out = "{";
    for (const auto& [k, v] : map) out += fuzz::show(k) + ":" + std::to_string(v) + " ";
    return out + "}";
}

struct event_record {
    roster::change_kind kind;
    std::optional<std::string> key;
    std::optional<int> previous;
    std::optional<int> current;
    std::uint64_t version;
    friend bool operator==(const event_record&, const event_record&) = default;
};

std::string show_events(const std::vector<event_record>& events) {
    std::string out;
    for (const event_record& e : events)
        out += std::string(roster::to_string(e.kind)) + " " + (e.key ? fuzz::show(*e.key) : "-") + " prev=" +
               (e.previous ? std::to_string(*e.previous) : "-") + " cur=" +
               (e.current ? std::to_string(*e.current) : "-") + " v" + std::to_string(e.version) + "; ";
    return out.empty() ? "(none)" : out;
}

/// One step of a rebuild() or update() builder, on the snapshot registry.
struct edit {
    enum { add, try_add, remove } what;
    std::string key;
    int value;
};

struct publish_outcome {
    std::optional<std::uint64_t> version;
    roster::errc code = roster::errc::batch_refused;
    bool raised = false;
    std::string message;
};

// ------------------------------------------------------------------ the registry, type-erased

class api {
public:
    virtual ~api() = default;
    enum class source { copied_vector, moved_vector, map, braced };
    virtual publish_outcome replace_all(const entries& set, source from, bool use_try) = 0;
    virtual publish_outcome rebuild(const std::vector<edit>& edits) = 0;
    virtual publish_outcome update(const std::vector<edit>& edits) = 0;
    virtual std::uint64_t version() = 0;
    virtual std::optional<int> get(std::string_view key) = 0;
    virtual std::optional<int> visit(std::string_view key) = 0;
    virtual roster::result<int> try_at(std::string_view key) = 0;
    virtual std::optional<int> at(std::string_view key) = 0; // nullopt: raised not_found_error
    virtual bool contains(std::string_view key) = 0;
    virtual bool has_location(std::string_view key) = 0;
    virtual std::size_t size() = 0;
    virtual bool empty() = 0;
    virtual std::vector<std::string> names() = 0;
    virtual entries for_each() = 0;
    virtual void hold(unsigned slot) = 0;
    virtual void drop(unsigned slot) = 0;
    struct snapshot_view {
        std::uint64_t version;
        entries iterated;  // the snapshot as a range
        std::size_t size;
        std::vector<std::string> names;
        std::optional<int> probe; // get(probe key)
    };
    virtual snapshot_view held(unsigned slot, std::string_view probe) = 0;
    virtual void release(bool all_registries) = 0;
    virtual std::optional<roster::lookup_counts> lookups() = 0;
    virtual roster::registry_report report() = 0;
};

using event_sink = std::function<void(const roster::change_event<std::string, int>&)>;

template <class Registry>
class driver final : public api {
public:
    explicit driver(event_sink sink) : reg_("fuzz") {
        subscription_ = reg_.subscribe([sink = std::move(sink)](const typename Registry::event_type& e) { sink(e); });
    }

    publish_outcome replace_all(const entries& set, source from, bool use_try) override {
        publish_outcome out;
        const auto attempt = [&](auto&& call) {
            if (use_try) {
                roster::result<std::uint64_t> r = call(std::true_type{});
                if (r) out.version = *r;
                else {
                    out.code = r.error().code;
                    out.message = r.error().message;
                }
            } else {
                try {
                    out.version = call(std::false_type{});
                } catch (const roster::error& e) {
                    out.raised = true;
                    out.code = e.code();
                    out.message = e.what();
                }
            }
        };
        switch (from) {
        case source::copied_vector:
            attempt([&](auto is_try) {
                if constexpr (decltype(is_try)::value) return reg_.try_replace_all(set);
                else return reg_.replace_all(set);
            });
            break;
        case source::moved_vector:
            attempt([&](auto is_try) {
                entries moved = set;
                if constexpr (decltype(is_try)::value) return reg_.try_replace_all(std::move(moved));
                else return reg_.replace_all(std::move(moved));
            });
            break;
        case source::map: {
            const std::map<std::string, int> as_map(set.begin(), set.end()); // the first of each key
            attempt([&](auto is_try) {
                if constexpr (decltype(is_try)::value) return reg_.try_replace_all(as_map);
                else return reg_.replace_all(as_map);
            });
            break;
        }
        case source::braced:
            // A braced list of up to three entries (the caller passes at most three).
            attempt([&](auto is_try) {
                const auto item = [&](std::size_t i) { return std::pair<std::string, int>(set[i].first, set[i].second); };
                if constexpr (decltype(is_try)::value) {
                    if (set.size() == 1) return reg_.try_replace_all({item(0)});
                    if (set.size() == 2) return reg_.try_replace_all({item(0), item(1)});
                    return reg_.try_replace_all({item(0), item(1), item(2)});
                } else {
                    if (set.size() == 1) return reg_.replace_all({item(0)});
                    if (set.size() == 2) return reg_.replace_all({item(0), item(1)});
                    return reg_.replace_all({item(0), item(1), item(2)});
                }
            });
            break;
        }
        return out;
    }

    template <class Snapshot>
    static void apply(Snapshot& target, const std::vector<edit>& edits) {
        for (const edit& e : edits) {
            switch (e.what) {
            case edit::add: target.add(e.key, e.value); break;
            case edit::try_add: (void)target.try_add(e.key, e.value); break;
            case edit::remove: (void)target.remove(e.key); break;
            }
        }
    }

    publish_outcome rebuild(const std::vector<edit>& edits) override {
        publish_outcome out;
        try {
            out.version = reg_.rebuild([&](typename Registry::snapshot_registry& r) { apply(r, edits); });
        } catch (const roster::error& e) {
            out.raised = true;
            out.code = e.code();
            out.message = e.what();
        }
        return out;
    }
    publish_outcome update(const std::vector<edit>& edits) override {
        publish_outcome out;
        try {
            out.version = reg_.update([&](typename Registry::snapshot_registry& r) { apply(r, edits); });
        } catch (const roster::error& e) {
            out.raised = true;
            out.code = e.code();
            out.message = e.what();
        }
        return out;
    }

    std::uint64_t version() override { return reg_.version(); }
    std::optional<int> get(std::string_view key) override { return reg_.get(key); }
    std::optional<int> visit(std::string_view key) override {
        return reg_.visit(key, [](const int& v) { return v; });
    }
    roster::result<int> try_at(std::string_view key) override { return reg_.try_at(key); }
    std::optional<int> at(std::string_view key) override {
        try {
            return reg_.at(key);
        } catch (const roster::not_found_error&) {
            return std::nullopt;
        }
    }
    bool contains(std::string_view key) override { return reg_.contains(key); }
    bool has_location(std::string_view key) override { return reg_.location(key).has_value(); }
    std::size_t size() override { return reg_.size(); }
    bool empty() override { return reg_.empty(); }
    std::vector<std::string> names() override { return reg_.names(); }
    entries for_each() override {
        entries seen;
        reg_.for_each([&seen](const std::string& k, const int& v) { seen.emplace_back(k, v); });
        return seen;
    }
    void hold(unsigned slot) override { held_[slot] = reg_.current(); }
    void drop(unsigned slot) override { held_[slot].reset(); }
    snapshot_view held(unsigned slot, std::string_view probe) override {
        const typename Registry::snapshot& snap = *held_[slot];
        snapshot_view out{snap.version(), {}, snap.size(), snap->names(), snap->get(probe)};
        for (const auto& [k, v] : snap) out.iterated.emplace_back(k, v);
        return out;
    }
    void release(bool all_registries) override {
        if (all_registries) roster::release_thread_snapshots();
        else reg_.release_cached_snapshot();
    }
    std::optional<roster::lookup_counts> lookups() override {
        if constexpr (Registry::counters_policy::counted) return reg_.lookups();
        else return std::nullopt;
    }
    roster::registry_report report() override { return reg_.report(); }

private:
    Registry reg_;
    roster::subscription subscription_;
    std::array<std::optional<typename Registry::snapshot>, 4> held_{};
};

// ------------------------------------------------------------------ the harness

struct mix {
    duplicates policy;
    bool ordered;
    bool counted;
};

class harness {
public:
    harness(fuzz::reader& in, mix m, std::unique_ptr<api> (*make)(event_sink)) : in_(in), mix_(m) {
        reg_ = make([this](const roster::change_event<std::string, int>& e) { on_event(e); });
    }

    void run() {
        while (in_.more()) {
            step(in_.below(24));
            check_events();
            ++fuzz::operations;
        }
        check_reads();
    }

private:
    const std::string& key() { return keys[in_.below(key_count)]; }
    int value() { return static_cast<int>(in_.below(5)); }

    std::string context() const {
        return std::string(" [policy ") + duplicates_name(mix_.policy) + (mix_.ordered ? ", ordered" : ", hashed") +
               (mix_.counted ? ", per_registry" : "") + "] version " + std::to_string(version_) + " model " +
               show_map(model_);
    }

    void on_event(const roster::change_event<std::string, int>& e) {
        seen_.push_back(event_record{e.kind, e.key, e.previous, e.current, e.version});
        if (e.kind == roster::change_kind::unchanged) {
            FUZZ_CHECK(!e.key && !e.previous && !e.current, std::string("an unchanged event with a key or values"));
            return;
        }
        FUZZ_CHECK(e.key.has_value(), std::string("an event without a key"));
        const std::string& k = *e.key;
        switch (e.kind) {
        case roster::change_kind::added:
            FUZZ_CHECK(!replayed_.contains(k) && e.current && !e.previous, "added event for " + fuzz::show(k));
            replayed_[k] = *e.current;
            break;
        case roster::change_kind::removed:
            FUZZ_CHECK(replayed_.contains(k) && e.previous && !e.current && replayed_[k] == *e.previous,
                       "removed event for " + fuzz::show(k));
            replayed_.erase(k);
            break;
        case roster::change_kind::changed:
            FUZZ_CHECK(replayed_.contains(k) && e.previous && e.current && replayed_[k] == *e.previous &&
                           *e.previous != *e.current,
                       "changed event for " + fuzz::show(k));
            replayed_[k] = *e.current;
            break;
        case roster::change_kind::unchanged: break;
        }
    }

    void step(unsigned op) {
        switch (op) {
        case 0: case 1: case 2: do_replace_all(); break;
        case 3: do_build(false); break;
        case 4: case 5: do_build(true); break;
        case 6: case 7: case 8: case 9: do_get(); break;
        case 10: do_visit(); break;
        case 11: do_at(); break;
        case 12: do_contains(); break;
        case 13: do_listing(); break;
        case 14: case 15: do_hold(); break;
        case 16: case 17: do_check_held(); break;
        case 18: do_release(); break;
        case 19: do_counts(); break;
        case 20: do_for_each(); break;
        default: do_get(); break;
        }
    }

    // -------------------------------------------------------- replacing

    /// The model's publication of `next`: a new version, and its diff as events.
    void publish(const contents& next) {
        ++version_;
        std::vector<event_record> diff;
        // Sorted by key: walk both maps.
        auto a = model_.begin();
        auto b = next.begin();
        while (a != model_.end() || b != next.end()) {
            if (b == next.end() || (a != model_.end() && a->first < b->first)) {
                diff.push_back(event_record{roster::change_kind::removed, a->first, a->second, std::nullopt, version_});
                ++a;
            } else if (a == model_.end() || b->first < a->first) {
                diff.push_back(event_record{roster::change_kind::added, b->first, std::nullopt, b->second, version_});
                ++b;
            } else {
                if (a->second != b->second)
                    diff.push_back(event_record{roster::change_kind::changed, a->first, a->second, b->second, version_});
                ++a;
                ++b;
            }
        }
        if (diff.empty())
            diff.push_back(event_record{roster::change_kind::unchanged, std::nullopt, std::nullopt, std::nullopt, version_});
        expected_.insert(expected_.end(), diff.begin(), diff.end());
        model_ = next;
    }

    void do_replace_all() {
        const unsigned pick = in_.below(8);
        const auto from = pick < 3 ? api::source::copied_vector
                          : pick < 6 ? api::source::moved_vector
                          : pick < 7 ? api::source::map
                                     : api::source::braced;
        const bool use_try = in_.flag();
        unsigned count = in_.below(from == api::source::braced ? 3 : 10);
        if (from == api::source::braced) ++count; // 1 to 3
        entries set;
        for (unsigned i = 0; i < count; ++i) {
            const std::string& k = key();
            set.emplace_back(k, value());
        }
        // The model: the set is built by the core's try_add, in order (a
        // std::map holds the first value of each key: no duplicates there).
        entries items = set;
        if (from == api::source::map) {
            const std::map<std::string, int> as_map(set.begin(), set.end());
            items.assign(as_map.begin(), as_map.end());
        }
        std::size_t problems = 0;
        contents next;
        for (const auto& [k, v] : items) {
            if (!valid_key(k)) {
                ++problems;
                continue;
            }
            const auto it = next.find(k);
            if (it == next.end()) {
                next.emplace(k, v);
                continue;
            }
            switch (decide(mix_.policy, it->second, v)) {
            case decision::refuse: ++problems; break;
            case decision::keep: break;
            case decision::replace: it->second = v; break;
            }
        }
        std::string what = std::string(use_try ? "try_replace_all" : "replace_all") + " of";
        for (const auto& [k, v] : items) what += " " + fuzz::show(k) + "=" + std::to_string(v);
        const publish_outcome got = reg_->replace_all(set, from, use_try);
        FUZZ_CHECK(got.version.has_value() == (problems == 0),
                   what + (got.version ? " published" : " was refused: " + got.message) + ", the model counts " +
                       std::to_string(problems) + " problems" + context());
        if (!got.version) {
            FUZZ_CHECK(got.raised == !use_try && got.code == roster::errc::batch_refused, what + ": code" + context());
            std::size_t lines = 0;
            for (std::size_t at = got.message.find("\n  - "); at != std::string::npos;
                 at = got.message.find("\n  - ", at + 1))
                ++lines;
            FUZZ_CHECK(lines == problems, what + ": " + std::to_string(lines) + " problem lines: " + got.message);
            FUZZ_CHECK(reg_->version() == version_, what + ": the version moved" + context());
            return;
        }
        publish(next);
        FUZZ_CHECK(*got.version == version_, what + " published version " + std::to_string(*got.version) + context());
        FUZZ_CHECK(reg_->version() == version_, what + ": version()" + context());
    }

    /// rebuild() (from empty) or update() (from the current set): the builder
    /// runs edits with the core's add, try_add and remove, whose policies
    /// apply; an add or remove that raises ends the builder and nothing is
    /// published.
    void do_build(bool updating) {
        const unsigned count = in_.below(7);
        std::vector<edit> edits;
        for (unsigned i = 0; i < count; ++i) {
            const unsigned what = in_.below(6);
            const std::string& k = key();
            edits.push_back(edit{what == 0 ? edit::remove : what < 4 ? edit::try_add : edit::add, k, value()});
        }
        contents next = updating ? model_ : contents{};
        std::optional<roster::errc> raised;
        for (const edit& e : edits) {
            if (e.what == edit::remove) {
                const auto it = next.find(e.key);
                if (it == next.end()) {
                    raised = roster::errc::not_found;
                    break;
                }
                next.erase(it);
                continue;
            }
            std::optional<roster::errc> refusal;
            if (!valid_key(e.key)) {
                refusal = roster::errc::invalid_key;
            } else if (const auto it = next.find(e.key); it == next.end()) {
                next.emplace(e.key, e.value);
            } else {
                switch (decide(mix_.policy, it->second, e.value)) {
                case decision::refuse: refusal = roster::errc::duplicate_key; break;
                case decision::keep: break;
                case decision::replace: it->second = e.value; break;
                }
            }
            // add() raises every refusal, except a duplicate under return_error; try_add() none.
            if (refusal && e.what == edit::add &&
                (*refusal != roster::errc::duplicate_key || mix_.policy != duplicates::return_error)) {
                raised = refusal;
                break;
            }
        }
        std::string what = updating ? "update:" : "rebuild:";
        for (const edit& e : edits)
            what += std::string(e.what == edit::remove ? " remove " : e.what == edit::add ? " add " : " try_add ") +
                    fuzz::show(e.key) + (e.what == edit::remove ? "" : "=" + std::to_string(e.value));
        const publish_outcome got = updating ? reg_->update(edits) : reg_->rebuild(edits);
        FUZZ_CHECK(got.raised == raised.has_value(),
                   what + (got.raised ? " raised: " + got.message : std::string(" published")) + context());
        if (raised) {
            FUZZ_CHECK(got.code == *raised, what + " raised " + roster::to_string(got.code) + ", the model " +
                                                roster::to_string(*raised) + context());
            FUZZ_CHECK(reg_->version() == version_, what + ": the version moved" + context());
            return;
        }
        publish(next);
        FUZZ_CHECK(got.version && *got.version == version_, what + ": version" + context());
    }

    // ---------------------------------------------------------- reading

    std::optional<int> model_value(std::string_view k) const {
        const auto it = model_.find(std::string(k));
        return it == model_.end() ? std::nullopt : std::optional<int>(it->second);
    }

    void count_lookup(bool hit) { (hit ? hits_ : misses_)++; }

    void do_get() {
        const std::string& k = key();
        const std::optional<int> want = model_value(k);
        FUZZ_CHECK(reg_->get(k) == want, "get(" + fuzz::show(k) + ")" + context());
        count_lookup(want.has_value());
    }
    void do_visit() {
        const std::string& k = key();
        const std::optional<int> want = model_value(k);
        FUZZ_CHECK(reg_->visit(k) == want, "visit(" + fuzz::show(k) + ")" + context());
        count_lookup(want.has_value());
    }
    void do_at() {
        const std::string& k = key();
        const std::optional<int> want = model_value(k);
        if (in_.flag()) {
            const roster::result<int> got = reg_->try_at(k);
            FUZZ_CHECK(got.has_value() == want.has_value() && (!want || *got == *want), "try_at(" + fuzz::show(k) + ")" + context());
            if (!want) FUZZ_CHECK(got.error().code == roster::errc::not_found, "try_at code" + context());
        } else {
            FUZZ_CHECK(reg_->at(k) == want, "at(" + fuzz::show(k) + ")" + context());
        }
        count_lookup(want.has_value());
    }
    void do_contains() {
        const std::string& k = key();
        FUZZ_CHECK(reg_->contains(k) == model_.contains(k), "contains(" + fuzz::show(k) + ")" + context());
        FUZZ_CHECK(reg_->has_location(k) == model_.contains(k), "location(" + fuzz::show(k) + ")" + context());
    }
    void do_listing() {
        std::vector<std::string> want;
        for (const auto& [k, v] : model_) want.push_back(k);
        FUZZ_CHECK(reg_->names() == want, "names()" + context());
        FUZZ_CHECK(reg_->size() == model_.size() && reg_->empty() == model_.empty(), "size()" + context());
        FUZZ_CHECK(reg_->version() == version_, "version() = " + std::to_string(reg_->version()) + context());
    }
    void check_entries(entries seen, const contents& want, const std::string& what) {
        if (mix_.ordered) FUZZ_CHECK(std::is_sorted(seen.begin(), seen.end()), what + " out of key order" + context());
        else std::sort(seen.begin(), seen.end());
        const entries expected(want.begin(), want.end());
        FUZZ_CHECK(seen == expected, what + " gave " + show_map(contents(seen.begin(), seen.end())) + ", expected " +
                                         show_map(want) + context());
    }
    void do_for_each() { check_entries(reg_->for_each(), model_, "for_each"); }

    // -------------------------------------------------------- snapshots

    void do_hold() {
        const unsigned slot = in_.below(slots);
        if (in_.below(4) == 0) {
            reg_->drop(slot);
            held_[slot].reset();
            return;
        }
        reg_->hold(slot);
        held_[slot] = std::make_pair(version_, model_);
    }

    void do_check_held() {
        const unsigned slot = in_.below(slots);
        const std::string& probe = key();
        if (!held_[slot]) return do_listing();
        const auto& [version, set] = *held_[slot];
        const api::snapshot_view got = reg_->held(slot, probe);
        const std::string what = "snapshot of version " + std::to_string(version);
        FUZZ_CHECK(got.version == version, what + " says version " + std::to_string(got.version) + context());
        FUZZ_CHECK(got.size == set.size(), what + ": size()" + context());
        std::vector<std::string> names;
        for (const auto& [k, v] : set) names.push_back(k);
        FUZZ_CHECK(got.names == names, what + ": names()" + context());
        const auto it = set.find(probe);
        FUZZ_CHECK(got.probe == (it == set.end() ? std::nullopt : std::optional<int>(it->second)),
                   what + ": get(" + fuzz::show(probe) + ")" + context());
        check_entries(got.iterated, set, what + " as a range");
    }

    void do_release() {
        reg_->release(in_.flag());
        do_get(); // the next read takes the slow path
    }

    void do_counts() {
        const std::optional<roster::lookup_counts> got = reg_->lookups();
        FUZZ_CHECK(got.has_value() == mix_.counted, "lookups() presence" + context());
        if (got)
            FUZZ_CHECK(got->hits == hits_ && got->misses == misses_,
                       "lookups() = " + std::to_string(got->hits) + "/" + std::to_string(got->misses) +
                           ", the model " + std::to_string(hits_) + "/" + std::to_string(misses_) + context());
        const roster::registry_report report = reg_->report();
        FUZZ_CHECK(report.name == "fuzz" && report.entries.size() == model_.size(), "report()" + context());
        FUZZ_CHECK(report.state == (model_.empty() ? roster::lifecycle::empty : roster::lifecycle::populated) &&
                       !report.frozen_at,
                   "report().state" + context());
    }

    // ------------------------------------------------------------ checks

    void check_events() {
        FUZZ_CHECK(seen_ == expected_, "events: got " + show_events(seen_) + ", the model " + show_events(expected_) +
                                           context());
        seen_.clear();
        expected_.clear();
        FUZZ_CHECK(replayed_ == model_, "replayed events give " + show_map(replayed_) + context());
    }

    void check_reads() {
        do_listing();
        do_for_each();
        for (unsigned slot = 0; slot < slots; ++slot)
            if (held_[slot]) {
                const api::snapshot_view got = reg_->held(slot, "a");
                check_entries(got.iterated, held_[slot]->second, "a held snapshot at the end");
            }
    }

    static constexpr unsigned slots = 4;

    fuzz::reader& in_;
    mix mix_;
    std::unique_ptr<api> reg_;
    contents model_, replayed_;
    std::uint64_t version_ = 0;
    std::vector<event_record> seen_, expected_;
    std::array<std::optional<std::pair<std::uint64_t, contents>>, slots> held_{};
    std::uint64_t hits_ = 0, misses_ = 0;
};

// ------------------------------------------------------------------ policy mixes

template <class D, class S, class C>
std::unique_ptr<api> make(event_sink sink) {
    return std::make_unique<driver<roster::basic_hot_reload_registry<std::string, int, D, S, C>>>(std::move(sink));
}

using maker = std::unique_ptr<api> (*)(event_sink);

// 10 mixes: every on_duplicate x storage; counters::per_registry where
// (duplicate policy + storage) is odd.
template <class D, unsigned Index>
constexpr std::array<maker, 2> for_duplicates() {
    using even = roster::counters::none;
    using odd = roster::counters::per_registry;
    if constexpr (Index % 2 == 0)
        return {&make<D, roster::storage::hashed, even>, &make<D, roster::storage::ordered, odd>};
    else
        return {&make<D, roster::storage::hashed, odd>, &make<D, roster::storage::ordered, even>};
}
constexpr std::array<std::array<maker, 2>, 5> makers{
    for_duplicates<roster::on_duplicate::throw_error, 0>(), for_duplicates<roster::on_duplicate::return_error, 1>(),
    for_duplicates<roster::on_duplicate::replace, 2>(), for_duplicates<roster::on_duplicate::keep_first, 3>(),
    for_duplicates<roster::on_duplicate::accept_if_equal, 4>()};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ++fuzz::inputs;
    fuzz::reader in(data, size);
    const unsigned index = in.byte() % 10; // 2 * duplicate policy + storage (ordered)
    const unsigned d = index / 2, ordered = index % 2;
    const mix m{static_cast<duplicates>(d), ordered == 1, (d + ordered) % 2 == 1};
    harness h(in, m, makers[d][ordered]);
    h.run();
    return 0;
}
