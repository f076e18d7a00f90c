// tests/fuzz/scoped_resolution.cpp — roster::basic_scoped_registry's
// resolution against a reference resolver written from the precedence rules
// of docs/scoped.md.
//
// The input builds a tree of scopes (a root and up to seven children, each
// bound to a context or inheriting its parent's), registers instances and
// factories of three kinds under random constraints (none, for_context<T>,
// untyped and typed predicates with ranks), and looks kinds up with random
// contexts and props. The context types form a declared hierarchy with a
// diamond (D declares B then C, F declares C then B, both over A; E over D;
// G unrelated). The reference resolver implements, independently of roster:
//
//  - the nearest scope with a matching registration wins;
//  - in it: exact context > nearest declared base (breadth first, in
//    declaration order) > predicate (higher rank first) > unconstrained;
//    then an instance before a factory; then the newest;
//  - props skip instances, and only factories taking exactly those props
//    are candidates; a factory whose props are not default-constructible
//    needs props;
//  - fresh factories build in the scope asked, with the lookup's context,
//    and resolve their dependencies there; shared factories build once, in
//    their own scope with its context, and are cached there;
//  - a dependency cycle on this thread is factory_failed, as are a factory
//    that produces null and (in try_get) one that throws; get() lets a
//    factory's exception through;
//  - hits are counted by the scope that answers, misses by the scope asked;
//    contains() and explain() count nothing;
//  - a frozen scope refuses registrations; a null instance or an empty
//    std::function is refused.
//
// Every product records which registration built it, through which scope,
// with which context and props, and what its dependency lookup returned; the
// reference predicts all of it. explain() must list the candidates with the
// reference's verdicts, in its order.
#include "fuzz.hpp"

#include <roster/counters.hpp>
#include <roster/scoped.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctx {
// The context hierarchy (each type declares its direct bases, in order).
struct A {
    int v = 0;
};
struct B : virtual A {
    using roster_context = roster::context_type<B, A>;
};
struct C : virtual A {
    using roster_context = roster::context_type<C, A>;
};
struct D : B, C {
    using roster_context = roster::context_type<D, B, C>;
};
struct E : D {
    using roster_context = roster::context_type<E, D>;
};
struct F : C, B {
    using roster_context = roster::context_type<F, C, B>;
};
struct G {
    int w = 0;
};
} // namespace ctx

namespace {

const bool installed = fuzz::install("scoped_resolution");

// ------------------------------------------------------------------ the reference's context types

enum type_id : int { tA, tB, tC, tD, tE, tF, tG, type_count };
const char* const type_names[type_count] = {"A", "B", "C", "D", "E", "F", "G"};

/// The declared direct bases, in declaration order (the same facts as the
/// roster_context declarations above, written down for the reference).
const std::vector<int> declared_bases[type_count] = {{}, {tA}, {tA}, {tB, tC}, {tD}, {tC, tB}, {}};

struct ancestor {
    int type;
    std::size_t distance;
};

/// The resolution order of docs/scoped.md: the type, then its declared
/// ancestors breadth first, at equal distance in declaration order, each
/// once at its nearest position.
std::vector<ancestor> resolution_order(int type) {
    std::vector<ancestor> order{{type, 0}};
    for (std::size_t i = 0; i < order.size(); ++i)
        for (const int base : declared_bases[order[i].type]) {
            bool seen = false;
            for (const ancestor& a : order) seen = seen || a.type == base;
            if (!seen) order.push_back(ancestor{base, order[i].distance + 1});
        }
    return order;
}

const std::array<std::vector<ancestor>, type_count>& orders() {
    static const std::array<std::vector<ancestor>, type_count> all = [] {
        std::array<std::vector<ancestor>, type_count> out;
        for (int t = 0; t < type_count; ++t) out[static_cast<std::size_t>(t)] = resolution_order(t);
        return out;
    }();
    return all;
}

/// Position of `target` in `type`'s resolution order, or -1.
int position(int type, int target) {
    const auto& order = orders()[static_cast<std::size_t>(type)];
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i].type == target) return static_cast<int>(i);
    return -1;
}

// ------------------------------------------------------------------ the context pool

constexpr int values = 3;
ctx::A pool_a[values];
ctx::B pool_b[values];
ctx::C pool_c[values];
ctx::D pool_d[values];
ctx::E pool_e[values];
ctx::F pool_f[values];
ctx::G pool_g[values];

struct pooled {
    int type = -1; // -1: no context
    int value = 0;
    const void* identity = nullptr; // the A (or G) subobject: what a factory sees through as<A>()/as<G>()
    roster::scope_context context;
};

constexpr int pool_size = type_count * values;

template <class T>
pooled make_pooled(int type, int value, T& object) {
    if constexpr (std::is_same_v<T, ctx::G>) object.w = value;
    else object.v = value;
    const void* identity = nullptr;
    if constexpr (std::is_same_v<T, ctx::G>) identity = &object;
    else identity = static_cast<const ctx::A*>(&object);
    return pooled{type, value, identity, roster::scope_context(static_cast<const T&>(object))};
}

const std::array<pooled, pool_size>& pool() {
    static const std::array<pooled, pool_size> all = [] {
        std::array<pooled, pool_size> out;
        for (int v = 0; v < values; ++v) {
            out[static_cast<std::size_t>(tA * values + v)] = make_pooled(tA, v, pool_a[v]);
            out[static_cast<std::size_t>(tB * values + v)] = make_pooled(tB, v, pool_b[v]);
            out[static_cast<std::size_t>(tC * values + v)] = make_pooled(tC, v, pool_c[v]);
            out[static_cast<std::size_t>(tD * values + v)] = make_pooled(tD, v, pool_d[v]);
            out[static_cast<std::size_t>(tE * values + v)] = make_pooled(tE, v, pool_e[v]);
            out[static_cast<std::size_t>(tF * values + v)] = make_pooled(tF, v, pool_f[v]);
            out[static_cast<std::size_t>(tG * values + v)] = make_pooled(tG, v, pool_g[v]);
        }
        return out;
    }();
    return all;
}

const pooled no_context{};

const pooled& context_at(int index) { return index < 0 ? no_context : pool()[static_cast<std::size_t>(index)]; }

// ------------------------------------------------------------------ kinds, products, props

/// What every product records: which registration built it, through which
/// scope and with which context, its props, and its dependency lookup.
struct product {
    virtual ~product() = default;
    int scope = -1;
    std::uint64_t number = 0;
    int props = -1;               // the props value the factory got; -1: takes none
    bool resolved = false;        // the factory took a resolver
    const void* context = nullptr; // the resolver's context (its A or G subobject)
    const void* through = nullptr; // the resolver's scope
    int dependency = 0;           // 0: none asked; 1: found; 2: not_found; 3: factory_failed; 4: a cycle
    std::shared_ptr<product> dependency_product;
};
template <int N>
struct kind : product {};
template <int N>
struct impl : kind<N> {}; // registered "as a kind of" kind<N>

struct P { // default-constructible props
    int x = 0;
};
struct Q { // props without a default: a factory taking them needs props
    explicit Q(int value) : x(value) {}
    int x;
};

using registry = roster::basic_scoped_registry<roster::counters::per_registry>;
using resolver = registry::resolver;

/// A scope where it lives (scopes are neither copyable nor movable: child()
/// returns one by value, which initialises the member in place).
struct scope_holder {
    registry scope;
    scope_holder(std::string name, const roster::scope_context& context) : scope(std::move(name), context) {}
    scope_holder(const registry& parent, const roster::scope_context& context, std::string name)
        : scope(parent.child(context, std::move(name))) {}
};

// ------------------------------------------------------------------ the model

enum reg_type : int {
    instance,        // add<kind>(make_shared<impl>())
    plain,           // add_factory: ()
    resolving,       // add_factory: (const resolver&), fresh
    shared,          // add_factory: (const resolver&), lifetime::shared
    with_p,          // add_factory: (const P&)
    with_q,          // add_factory: (const resolver&, const Q&)
    null_product,    // add_factory: () returning null
    throwing,        // add_factory: () that throws
    null_instance,   // add(null): refused
    empty_function,  // add_factory(empty std::function): refused
    reg_type_count
};

enum class constraint_kind { none, for_context, untyped, typed };

struct constraint_model {
    constraint_kind what = constraint_kind::none;
    int type = -1;  // for_context<T>, typed when<T>
    int param = 0;  // which predicate
    int rank = 0;
};

struct registration {
    int scope;
    std::uint64_t number;
    int type;
    constraint_model condition;
    std::shared_ptr<product> instance;        // instances: the object lookups must return
    std::shared_ptr<product> cached;          // shared factories, once built
};

struct scope_model {
    int parent = -1;
    int context = -1; // pool index, -1: none
    bool frozen = false;
    std::uint64_t next_number = 1;
    std::array<std::vector<std::size_t>, 3> regs; // registration ids by kind, oldest first
    std::size_t size = 0;
    std::uint64_t hits = 0, misses = 0;
};

/// The precedence key (smaller wins), as the documented rules order it.
struct key {
    int tier = 3; // 0 exact, 1 base, 2 predicate, 3 unconstrained
    std::size_t distance = 0;
    int order = 0;
    int rank = 0;
    bool factory = false;
    std::uint64_t number = 0;
};

bool precedes(const key& a, const key& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.order != b.order) return a.order < b.order;
    if (a.rank != b.rank) return a.rank > b.rank;
    if (a.factory != b.factory) return !a.factory;
    return a.number > b.number;
}

/// The predicates, as the reference evaluates them on a context of the pool.
bool untyped_predicate(int param, const pooled& c) {
    switch (param) {
    case 0: return c.type < 0;                                   // no context
    case 1: return c.type >= 0 && position(c.type, tB) >= 0;     // the context is a B
    default: return c.type >= 0 && position(c.type, tA) >= 0 && c.value == 1; // an A with v == 1
    }
}
bool typed_predicate(int type, int param, const pooled& c) {
    if (type == tA) return c.value == param;
    if (type == tC) return c.value != param;
    return c.value == param; // G: w
}

struct lookup_request {
    int context; // effective: pool index or -1
    int props_type; // 0 none, 1 P, 2 Q
    int props_value;
};

/// Whether registration `r` matches `req`, and its key.
std::optional<key> match(const registration& r, const lookup_request& req) {
    const bool is_instance = r.type == instance;
    const bool takes_p = r.type == with_p, takes_q = r.type == with_q;
    if (req.props_type != 0) {
        if (is_instance) return std::nullopt;                        // props skip instances
        if (!takes_p && !takes_q) return std::nullopt;               // takes no props
        if ((req.props_type == 1) != takes_p) return std::nullopt;   // other props
    } else if (takes_q) {
        return std::nullopt; // needs props: Q is not default-constructible
    }
    const pooled& c = context_at(req.context);
    key k;
    switch (r.condition.what) {
    case constraint_kind::none: k.tier = 3; break;
    case constraint_kind::for_context: {
        if (c.type < 0) return std::nullopt;
        const int at = position(c.type, r.condition.type);
        if (at < 0) return std::nullopt;
        const std::size_t distance = orders()[static_cast<std::size_t>(c.type)][static_cast<std::size_t>(at)].distance;
        k.tier = distance == 0 ? 0 : 1;
        k.distance = distance;
        k.order = at;
        break;
    }
    case constraint_kind::untyped:
        if (!untyped_predicate(r.condition.param, c)) return std::nullopt;
        k.tier = 2;
        k.rank = r.condition.rank;
        break;
    case constraint_kind::typed:
        if (c.type < 0 || position(c.type, r.condition.type) < 0) return std::nullopt;
        if (!typed_predicate(r.condition.type, r.condition.param, c)) return std::nullopt;
        k.tier = 2;
        k.rank = r.condition.rank;
        break;
    }
    k.factory = !is_instance;
    k.number = r.number;
    return k;
}

/// What the reference expects a lookup to return.
struct expectation {
    enum what_t { found_instance, built, cached, not_found, failed_null, failed_throw, cycle } what;
    std::size_t reg = 0; // the registration
    // built products:
    int scope = -1;
    std::uint64_t number = 0;
    int props = -1;
    bool resolved = false;
    const void* context = nullptr;
    int through = -1; // the scope the resolver goes through
    std::unique_ptr<expectation> dependency; // null: none asked
};

// ------------------------------------------------------------------ the harness

class harness {
public:
    explicit harness(fuzz::reader& in) : in_(in) {
        const int root_context = static_cast<int>(in_.below(pool_size + 3)) - 3; // often none
        scope_model root;
        root.context = root_context < 0 ? -1 : root_context;
        scopes_.push_back(root);
        regs_scope_.push_back(std::make_unique<scope_holder>("s0", context_at(root_context).context));
    }

    void run() {
        while (in_.more()) {
            step(in_.below(16));
            ++fuzz::operations;
        }
        check_counts();
    }

    ~harness() {
        while (!regs_scope_.empty()) regs_scope_.pop_back(); // children before their parents
    }

private:
    std::string context_text(const lookup_request& req) const {
        std::string out = " [context ";
        const pooled& c = context_at(req.context);
        out += c.type < 0 ? std::string("none") : std::string(type_names[c.type]) + std::to_string(c.value);
        out += req.props_type == 0 ? ", no props" : req.props_type == 1 ? ", props P" : ", props Q";
        return out + "]" + describe_registrations();
    }

    std::string describe_constraint(const constraint_model& c) const {
        switch (c.what) {
        case constraint_kind::none: return "unconstrained";
        case constraint_kind::for_context: return std::string("for_context<") + type_names[c.type] + ">";
        case constraint_kind::untyped: return "when(p" + std::to_string(c.param) + ", rank " + std::to_string(c.rank) + ")";
        case constraint_kind::typed:
            return std::string("when<") + type_names[c.type] + ">(" + std::to_string(c.param) + ", rank " +
                   std::to_string(c.rank) + ")";
        }
        return "?";
    }

    std::string describe_registrations() const {
        static const char* const types[reg_type_count] = {"instance", "factory",        "resolving factory", "shared factory",
                                                          "P factory", "Q factory", "null factory",      "throwing factory",
                                                          "null instance", "empty function"};
        std::string out;
        for (std::size_t s = 0; s < scopes_.size(); ++s) {
            const scope_model& m = scopes_[s];
            const pooled& c = context_at(m.context);
            out += "\n  scope s" + std::to_string(s) + " (parent " + std::to_string(m.parent) + ", context " +
                   (c.type < 0 ? std::string("none") : std::string(type_names[c.type]) + std::to_string(c.value)) +
                   (m.frozen ? ", frozen" : "") + "):";
            for (int k = 0; k < 3; ++k)
                for (const std::size_t id : m.regs[static_cast<std::size_t>(k)]) {
                    const registration& r = regs_[id];
                    out += "\n    kind" + std::to_string(k) + " #" + std::to_string(r.number) + " " + types[r.type] + " " +
                           describe_constraint(r.condition);
                }
        }
        return out;
    }

    void step(unsigned op) {
        switch (op) {
        case 0: case 1: case 2: case 3: do_register(); break;
        case 4: case 5: case 6: case 7: case 8: do_lookup(); break;
        case 9: do_contains(); break;
        case 10: case 11: do_explain(); break;
        case 12: do_child(); break;
        case 13: do_freeze(); break;
        case 14: check_counts(); break;
        default: do_size(); break;
        }
    }

    int scope() { return static_cast<int>(in_.below(static_cast<unsigned>(scopes_.size()))); }
    registry& live(int s) { return regs_scope_[static_cast<std::size_t>(s)]->scope; }

    // ---------------------------------------------------------- scopes

    void do_child() {
        const int parent = scope();
        const int given = static_cast<int>(in_.below(pool_size + 4)) - 4; // often inherits
        if (scopes_.size() >= 8) return do_size();
        const int s = static_cast<int>(scopes_.size());
        scope_model m;
        m.parent = parent;
        m.context = given >= 0 ? given : scopes_[static_cast<std::size_t>(parent)].context;
        scopes_.push_back(m);
        regs_scope_.push_back(std::make_unique<scope_holder>(live(parent), context_at(given).context, "s" + std::to_string(s)));
    }

    void do_freeze() {
        const int s = scope();
        if (in_.below(4) != 0) return do_size();
        live(s).freeze();
        scopes_[static_cast<std::size_t>(s)].frozen = true;
        FUZZ_CHECK(live(s).frozen(), "frozen() after freeze()");
    }

    void do_size() {
        const int s = scope();
        const registry& r = live(s);
        const scope_model& m = scopes_[static_cast<std::size_t>(s)];
        FUZZ_CHECK(r.size() == m.size, "s" + std::to_string(s) + ".size() = " + std::to_string(r.size()) + describe_registrations());
        FUZZ_CHECK(r.depth() == depth(s), "depth()");
        FUZZ_CHECK((r.parent() == nullptr) == (m.parent < 0) &&
                       (m.parent < 0 || r.parent() == &live(m.parent)),
                   "parent()");
        FUZZ_CHECK(r.context().has_value() == (m.context >= 0), "s" + std::to_string(s) + ".context()" + describe_registrations());
        FUZZ_CHECK(r.frozen() == m.frozen, "frozen()");
    }

    std::size_t depth(int s) const {
        std::size_t d = 0;
        for (int at = scopes_[static_cast<std::size_t>(s)].parent; at >= 0; at = scopes_[static_cast<std::size_t>(at)].parent) ++d;
        return d;
    }

    // ---------------------------------------------------- registrations

    constraint_model read_constraint() {
        const unsigned c = in_.below(24);
        const unsigned r = in_.below(4);
        constraint_model out;
        if (c < 8) {
            out.what = constraint_kind::none;
        } else if (c < 15) {
            out.what = constraint_kind::for_context;
            out.type = static_cast<int>(c - 8);
        } else {
            out.what = c < 18 ? constraint_kind::untyped : constraint_kind::typed;
            out.param = c < 18 ? static_cast<int>(c - 15) : static_cast<int>(r % 3);
            out.type = c < 18 ? -1 : c < 20 ? tA : c < 22 ? tC : tG;
            out.rank = r == 3 ? 5 : static_cast<int>(r);
        }
        return out;
    }

    static roster::constraint make_constraint(const constraint_model& c) {
        switch (c.what) {
        case constraint_kind::none: return {};
        case constraint_kind::for_context:
            switch (c.type) {
            case tA: return roster::for_context<ctx::A>;
            case tB: return roster::for_context<ctx::B>;
            case tC: return roster::for_context<ctx::C>;
            case tD: return roster::for_context<ctx::D>;
            case tE: return roster::for_context<ctx::E>;
            case tF: return roster::for_context<ctx::F>;
            default: return roster::for_context<ctx::G>;
            }
        case constraint_kind::untyped: {
            const int param = c.param;
            return roster::when(
                [param](const roster::scope_context& context) {
                    if (param == 0) return !context.has_value();
                    if (param == 1) return context.is<ctx::B>();
                    const ctx::A* a = context.as<ctx::A>();
                    return a != nullptr && a->v == 1;
                },
                c.rank, "p" + std::to_string(param));
        }
        case constraint_kind::typed: {
            const int param = c.param;
            if (c.type == tA) return roster::when<ctx::A>([param](const ctx::A& a) { return a.v == param; }, c.rank);
            if (c.type == tC) return roster::when<ctx::C>([param](const ctx::C& x) { return x.v != param; }, c.rank);
            return roster::when<ctx::G>([param](const ctx::G& g) { return g.w == param; }, c.rank);
        }
        }
        return {};
    }

    /// Fills a product made by registration (scope, number) through `r`.
    static void record_resolver(product& p, const resolver& r) {
        p.resolved = true;
        if (const ctx::A* a = r.context_as<ctx::A>()) p.context = a;
        else if (const ctx::G* g = r.context_as<ctx::G>()) p.context = g;
        p.through = &r.scope();
    }

    template <int N>
    static void record_dependency(product& p, const resolver& r) {
        // kind 0 depends on kind 1 (which has no dependencies); kind 2 on itself (cycles).
        if constexpr (N == 1) return;
        else {
            using dep = kind<N == 0 ? 1 : 2>;
            const roster::result<std::shared_ptr<dep>> got = r.template try_get<dep>();
            if (got) {
                p.dependency = 1;
                p.dependency_product = *got;
            } else if (got.error().code == roster::errc::not_found) {
                p.dependency = 2;
            } else {
                p.dependency = got.error().message.find("dependency cycle") != std::string::npos ? 4 : 3;
            }
        }
    }

    template <int N>
    roster::result<std::uint64_t> add_to(registry& target, int type, const constraint_model& condition, int s,
                                         std::uint64_t number) {
        const roster::constraint c = make_constraint(condition);
        switch (type) {
        case instance: {
            auto object = std::make_shared<impl<N>>();
            object->scope = s;
            object->number = number;
            pending_instance_ = object;
            return target.try_add<kind<N>>(std::move(object), c);
        }
        case plain:
            return target.try_add_factory<kind<N>>(
                [s, number]() {
                    auto p = std::make_shared<kind<N>>();
                    p->scope = s;
                    p->number = number;
                    return p;
                },
                c);
        case resolving:
        case shared: {
            auto make = [s, number](const resolver& r) {
                auto p = std::make_shared<impl<N>>();
                p->scope = s;
                p->number = number;
                record_resolver(*p, r);
                record_dependency<N>(*p, r);
                return p;
            };
            if (type == shared) return target.try_add_factory<kind<N>>(make, c, roster::lifetime::shared);
            return target.try_add_factory<kind<N>>(make, c);
        }
        case with_p:
            return target.try_add_factory<kind<N>>(
                [s, number](const P& given) {
                    auto p = std::make_shared<kind<N>>();
                    p->scope = s;
                    p->number = number;
                    p->props = given.x;
                    return p;
                },
                c);
        case with_q:
            return target.try_add_factory<kind<N>>(
                [s, number](const resolver& r, const Q& given) {
                    auto p = std::make_shared<kind<N>>();
                    p->scope = s;
                    p->number = number;
                    p->props = given.x;
                    record_resolver(*p, r);
                    record_dependency<N>(*p, r);
                    return p;
                },
                c);
        case null_product:
            return target.try_add_factory<kind<N>>([]() { return std::shared_ptr<kind<N>>(); }, c);
        case throwing:
            return target.try_add_factory<kind<N>>(
                []() -> std::shared_ptr<kind<N>> { throw std::runtime_error("fuzz: the factory threw"); }, c);
        case null_instance: return target.try_add<kind<N>>(std::shared_ptr<impl<N>>(), c);
        default: return target.try_add_factory<kind<N>>(std::function<std::shared_ptr<kind<N>>()>(), c);
        }
    }

    void do_register() {
        const int s = scope();
        const int k = static_cast<int>(in_.below(3));
        const unsigned t = in_.below(20);
        // Weights: the valid registrations often, the refused ones rarely.
        static constexpr int table[20] = {instance, instance,  instance,  plain,        plain,    resolving, resolving,
                                          shared,   shared,    with_p,    with_p,       with_q,   with_q,    instance,
                                          plain,    resolving, shared,    null_product, throwing, null_instance};
        int type = table[t];
        if (type == null_instance && in_.flag()) type = empty_function;
        const constraint_model condition = read_constraint();
        scope_model& m = scopes_[static_cast<std::size_t>(s)];
        if (m.regs[static_cast<std::size_t>(k)].size() >= 12) return do_lookup(); // enough candidates for one kind
        const std::uint64_t number = m.next_number;
        pending_instance_.reset();
        registry& target = live(s);
        const roster::result<std::uint64_t> got = k == 0   ? add_to<0>(target, type, condition, s, number)
                                                  : k == 1 ? add_to<1>(target, type, condition, s, number)
                                                           : add_to<2>(target, type, condition, s, number);
        // Null values are refused first, then a frozen scope.
        const bool refused_null = type == null_instance || type == empty_function;
        if (refused_null || m.frozen) {
            FUZZ_CHECK(!got && got.error().code == (refused_null ? roster::errc::null_value : roster::errc::frozen),
                       "a registration into s" + std::to_string(s) + " was not refused as expected" +
                           (got ? std::string(": it got #") + std::to_string(*got) : ": " + got.error().message));
            return;
        }
        FUZZ_CHECK(got && *got == number, "registration into s" + std::to_string(s) + ": " +
                                              (got ? "#" + std::to_string(*got) : got.error().message) +
                                              ", the model expects #" + std::to_string(number));
        ++m.next_number;
        ++m.size;
        m.regs[static_cast<std::size_t>(k)].push_back(regs_.size());
        regs_.push_back(registration{s, number, type, condition, pending_instance_, nullptr});
    }

    // ----------------------------------------------------------- lookups

    lookup_request read_request(int s, int& given) {
        given = static_cast<int>(in_.below(pool_size + 3)) - 3; // -1..-3: the scope's own context
        const unsigned props = in_.below(8);
        lookup_request req;
        req.context = given >= 0 ? given : scopes_[static_cast<std::size_t>(s)].context;
        req.props_type = props < 6 ? 0 : props < 7 ? 1 : 2;
        req.props_value = static_cast<int>(props % 3);
        if (given < 0) given = -1;
        return req;
    }

    /// The winner of `req` for kind `k` from scope `s`: (scope, registration id).
    std::optional<std::size_t> select(int s, int k, const lookup_request& req) const {
        for (int at = s; at >= 0; at = scopes_[static_cast<std::size_t>(at)].parent) {
            std::optional<std::size_t> best;
            key best_key;
            for (const std::size_t id : scopes_[static_cast<std::size_t>(at)].regs[static_cast<std::size_t>(k)]) {
                const std::optional<key> got = match(regs_[id], req);
                if (got && (!best || precedes(*got, best_key))) {
                    best = id;
                    best_key = *got;
                }
            }
            if (best) return best;
        }
        return std::nullopt;
    }

    /// The reference lookup: what `find` must produce, counting as roster does.
    std::unique_ptr<expectation> resolve(int s, int k, const lookup_request& req, std::vector<std::size_t>& building) {
        auto out = std::make_unique<expectation>();
        const std::optional<std::size_t> winner = select(s, k, req);
        if (!winner) {
            ++scopes_[static_cast<std::size_t>(s)].misses;
            out->what = expectation::not_found;
            return out;
        }
        registration& r = regs_[*winner];
        ++scopes_[static_cast<std::size_t>(r.scope)].hits;
        out->reg = *winner;
        if (r.type == instance) {
            out->what = expectation::found_instance;
            return out;
        }
        const bool is_shared = r.type == shared;
        if (is_shared && r.cached) {
            out->what = expectation::cached;
            return out;
        }
        if (std::find(building.begin(), building.end(), *winner) != building.end()) {
            out->what = expectation::cycle;
            return out;
        }
        if (r.type == null_product) {
            out->what = expectation::failed_null;
            return out;
        }
        if (r.type == throwing) {
            out->what = expectation::failed_throw;
            return out;
        }
        // Built: fresh factories in the scope asked with the lookup's context;
        // shared ones in their own scope with its context.
        const int through = is_shared ? r.scope : s;
        const int context = is_shared ? scopes_[static_cast<std::size_t>(r.scope)].context : req.context;
        out->what = expectation::built;
        out->scope = r.scope;
        out->number = r.number;
        if (r.type == with_p) out->props = req.props_type == 1 ? req.props_value : 0; // P{} without props
        if (r.type == with_q) out->props = req.props_value;
        out->resolved = r.type == resolving || r.type == shared || r.type == with_q;
        if (out->resolved) {
            out->context = context_at(context).identity;
            out->through = through;
            if (k != 1) {
                building.push_back(*winner);
                out->dependency = resolve(through, k == 0 ? 1 : 2, lookup_request{context, 0, 0}, building);
                building.pop_back();
            }
        }
        return out;
    }

    std::string show(const expectation& e) const {
        switch (e.what) {
        case expectation::found_instance: return "the instance #" + std::to_string(regs_[e.reg].number) + " of s" + std::to_string(regs_[e.reg].scope);
        case expectation::cached: return "the cached shared product of s" + std::to_string(regs_[e.reg].scope) + " #" + std::to_string(regs_[e.reg].number);
        case expectation::not_found: return "not found";
        case expectation::failed_null: return "factory_failed (null product)";
        case expectation::failed_throw: return "the factory's exception";
        case expectation::cycle: return "a cycle";
        case expectation::built: break;
        }
        std::string out = "a product of s" + std::to_string(e.scope) + " #" + std::to_string(e.number) +
                          " props " + std::to_string(e.props) + (e.resolved ? " through s" + std::to_string(e.through) : "");
        if (e.dependency) out += " with dependency (" + show(*e.dependency) + ")";
        return out;
    }

    static std::string show_product(const product* p) {
        if (p == nullptr) return "null";
        std::string out = "product of s" + std::to_string(p->scope) + " #" + std::to_string(p->number) + " props " +
                          std::to_string(p->props) + " dependency " + std::to_string(p->dependency);
        if (p->dependency_product) out += " (" + show_product(p->dependency_product.get()) + ")";
        return out;
    }

    /// Whether `got` is what `e` describes; caches shared products as they are first built.
    bool same(const expectation& e, const std::shared_ptr<product>& got) {
        if (!got) return false;
        switch (e.what) {
        case expectation::found_instance: return got == regs_[e.reg].instance;
        case expectation::cached: return got == regs_[e.reg].cached;
        case expectation::built: break;
        default: return false;
        }
        if (got->scope != e.scope || got->number != e.number || got->props != e.props || got->resolved != e.resolved)
            return false;
        if (e.resolved) {
            if (got->context != e.context || got->through != &live(e.through)) return false;
        }
        if (!e.dependency) {
            if (got->dependency != 0) return false;
        } else {
            const expectation& d = *e.dependency;
            switch (d.what) {
            case expectation::not_found:
                if (got->dependency != 2) return false;
                break;
            case expectation::cycle:
                if (got->dependency != 4) return false;
                break;
            case expectation::failed_null:
            case expectation::failed_throw:
                if (got->dependency != 3) return false;
                break;
            default:
                if (got->dependency != 1 || !same(d, got->dependency_product)) return false;
            }
        }
        if (regs_[e.reg].type == shared) regs_[e.reg].cached = got; // built once: later lookups share it
        return true;
    }

    template <int N, class Describe>
    void lookup(int s, const lookup_request& req, int given, bool use_try, const expectation& want,
                const Describe& describe) {
        const auto what = [&] { return describe(); };
        const registry& r = live(s);
        const roster::scope_context& c = context_at(given).context;
        std::shared_ptr<product> got;
        std::optional<roster::errc> failed;
        bool threw_own = false;
        if (use_try) {
            roster::result<std::shared_ptr<kind<N>>> answer =
                req.props_type == 0   ? r.try_get<kind<N>>(c)
                : req.props_type == 1 ? r.try_get<kind<N>>(c, roster::props{P{req.props_value}})
                                      : r.try_get<kind<N>>(c, roster::props{Q{req.props_value}});
            if (answer) got = *answer;
            else failed = answer.error().code;
        } else {
            try {
                got = req.props_type == 0   ? r.get<kind<N>>(c)
                      : req.props_type == 1 ? r.get<kind<N>>(c, roster::props{P{req.props_value}})
                                            : r.get<kind<N>>(c, roster::props{Q{req.props_value}});
            } catch (const roster::error& e) {
                failed = e.code();
            } catch (const std::runtime_error&) {
                threw_own = true;
            }
        }
        switch (want.what) {
        case expectation::not_found:
            FUZZ_CHECK(failed == roster::errc::not_found, what() + ": expected not_found, got " +
                                                              (failed ? roster::to_string(*failed) : show_product(got.get())));
            return;
        case expectation::failed_null:
            FUZZ_CHECK(failed == roster::errc::factory_failed, what() + ": expected factory_failed (null product)");
            return;
        case expectation::failed_throw:
            if (use_try) FUZZ_CHECK(failed == roster::errc::factory_failed, what() + ": expected factory_failed");
            else FUZZ_CHECK(threw_own, what() + ": expected the factory's own exception");
            return;
        case expectation::cycle: FUZZ_CHECK(false, what() + ": a cycle at the top level");
        default: break;
        }
        FUZZ_CHECK(!failed && !threw_own, what() + ": failed with " + (failed ? roster::to_string(*failed) : "its own exception") +
                                              ", expected " + show(want));
        FUZZ_CHECK(same(want, got), what() + ": got " + show_product(got.get()) + ", expected " + show(want));
    }

    void do_lookup() {
        const int s = scope();
        const int k = static_cast<int>(in_.below(3));
        int given = -1;
        const lookup_request req = read_request(s, given);
        const bool use_try = in_.flag();
        std::vector<std::size_t> building;
        const std::unique_ptr<expectation> want = resolve(s, k, req, building);
        const auto what = [&] {
            return std::string(use_try ? "try_get" : "get") + "<kind" + std::to_string(k) + "> in s" + std::to_string(s) +
                   context_text(req);
        };
        if (k == 0) lookup<0>(s, req, given, use_try, *want, what);
        else if (k == 1) lookup<1>(s, req, given, use_try, *want, what);
        else lookup<2>(s, req, given, use_try, *want, what);
    }

    void do_contains() {
        const int s = scope();
        const int k = static_cast<int>(in_.below(3));
        int given = -1;
        lookup_request req = read_request(s, given);
        req.props_type = 0;
        const roster::scope_context& c = context_at(given).context;
        const registry& r = live(s);
        const bool got = k == 0 ? r.contains<kind<0>>(c) : k == 1 ? r.contains<kind<1>>(c) : r.contains<kind<2>>(c);
        FUZZ_CHECK(got == select(s, k, req).has_value(),
                   "contains<kind" + std::to_string(k) + "> in s" + std::to_string(s) + context_text(req));
    }

    template <int N>
    roster::explanation explain(const registry& r, const roster::scope_context& c, const lookup_request& req) {
        if (req.props_type == 0) return r.explain<kind<N>>(c);
        if (req.props_type == 1) return r.explain<kind<N>>(c, roster::props{P{req.props_value}});
        return r.explain<kind<N>>(c, roster::props{Q{req.props_value}});
    }

    void do_explain() {
        const int s = scope();
        const int k = static_cast<int>(in_.below(3));
        int given = -1;
        const lookup_request req = read_request(s, given);
        const roster::scope_context& c = context_at(given).context;
        const registry& r = live(s);
        const roster::explanation got = k == 0 ? explain<0>(r, c, req) : k == 1 ? explain<1>(r, c, req) : explain<2>(r, c, req);

        // The reference's list: the matches, nearest scope first and in
        // precedence order; then the others, nearest scope first, newest first.
        struct row {
            std::size_t id;
            std::size_t distance;
            std::optional<key> match;
        };
        std::vector<row> rows;
        std::size_t distance = 0;
        for (int at = s; at >= 0; at = scopes_[static_cast<std::size_t>(at)].parent, ++distance)
            for (const std::size_t id : scopes_[static_cast<std::size_t>(at)].regs[static_cast<std::size_t>(k)])
                rows.push_back(row{id, distance, match(regs_[id], req)});
        std::stable_sort(rows.begin(), rows.end(), [&](const row& a, const row& b) {
            if (a.match.has_value() != b.match.has_value()) return a.match.has_value();
            if (a.distance != b.distance) return a.distance < b.distance;
            if (a.match) return precedes(*a.match, *b.match);
            return regs_[a.id].number > regs_[b.id].number;
        });
        const auto what = [&] {
            std::string out = "explain<kind" + std::to_string(k) + "> in s" + std::to_string(s) + context_text(req) + "\n  got:";
            for (const roster::explained_candidate& e : got.candidates)
                out += " " + e.scope + "#" + std::to_string(e.number) + "=" + roster::to_string(e.outcome);
            out += "\n  expected:";
            for (const row& w : rows)
                out += " s" + std::to_string(regs_[w.id].scope) + "#" + std::to_string(regs_[w.id].number) +
                       (w.match ? "(match)" : "");
            return out;
        };
        FUZZ_CHECK(got.candidates.size() == rows.size(), what());
        const bool found = !rows.empty() && rows.front().match.has_value();
        FUZZ_CHECK(got.found() == found, what());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const roster::explained_candidate& e = got.candidates[i];
            const registration& reg = regs_[rows[i].id];
            FUZZ_CHECK(e.scope == "s" + std::to_string(reg.scope) && e.number == reg.number &&
                           e.scope_distance == rows[i].distance && e.matches == rows[i].match.has_value(),
                       what() + "\n  at position " + std::to_string(i));
            roster::verdict want = roster::verdict::skipped;
            if (rows[i].match) {
                want = i == 0 ? roster::verdict::chosen
                       : rows[i].distance == rows.front().distance ? roster::verdict::outranked
                                                                  : roster::verdict::shadowed;
                const key& m = *rows[i].match;
                const roster::context_tier tier = m.tier == 0   ? roster::context_tier::exact
                                                  : m.tier == 1 ? roster::context_tier::base
                                                  : m.tier == 2 ? roster::context_tier::predicate
                                                                : roster::context_tier::unconstrained;
                FUZZ_CHECK(e.tier == tier && e.distance == m.distance && e.rank == m.rank,
                           what() + "\n  tier, distance or rank at position " + std::to_string(i));
            }
            FUZZ_CHECK(e.outcome == want, what() + "\n  verdict at position " + std::to_string(i) + ": " +
                                              roster::to_string(e.outcome) + ", expected " + roster::to_string(want));
        }
    }

    void check_counts() {
        for (std::size_t s = 0; s < scopes_.size(); ++s) {
            const roster::lookup_counts got = live(static_cast<int>(s)).lookups();
            const scope_model& m = scopes_[s];
            FUZZ_CHECK(got.hits == m.hits && got.misses == m.misses,
                       "s" + std::to_string(s) + ".lookups() = " + std::to_string(got.hits) + "/" +
                           std::to_string(got.misses) + ", the model " + std::to_string(m.hits) + "/" +
                           std::to_string(m.misses) + describe_registrations());
        }
    }

    fuzz::reader& in_;
    std::vector<scope_model> scopes_;
    std::vector<std::unique_ptr<scope_holder>> regs_scope_;
    std::vector<registration> regs_;
    std::shared_ptr<product> pending_instance_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ++fuzz::inputs;
    fuzz::reader in(data, size);
    harness h(in);
    h.run();
    return 0;
}
