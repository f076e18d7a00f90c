// The per-request cost of roster::scoped_registry: creating a child scope
// bound to the request's context plus one lookup through it, against one
// lookup in the root with the same context, side by side in one run.
//
//   scoped_root_lookup             root.get<Greeting>(context): the baseline
//   scoped_child_lookup            root.child(context) + child.get<Greeting>()
//   scoped_child_only              root.child(context) alone
//   scoped_child_named_lookup      the same with a 24-character scope name
//                                  (beyond the small-string buffer: one allocation)
//   scoped_child_register_lookup   child + one add() of a request-local
//                                  instance + the lookup (the child's map is
//                                  created: allocations)
//   scoped_root_lookup_mutable     the baseline on a root that is not frozen
//                                  (shared_mutex read lock)
//   scoped_child_lookup_mutable    child + lookup on that root
//   scoped_root_factory            root.get<Renderer>(context): a fresh factory
//                                  resolving a Greeting through the root
//   scoped_child_factory           child + the same factory through the child
//
// The root holds 16 kinds; Greeting has 3 registrations (unconstrained, for
// Customer, for FrenchCustomer), and lookups alternate between a
// FrenchCustomer (exact match) and a Customer context. Each lookup copies the
// std::shared_ptr out and reads through it. Allocations per operation are
// counted (replaced operator new, per thread). After the run:
//   RATIO <name>_vs_root threads=<n> keys=16 <value>
// value = the variant's time per operation / its baseline's (the frozen or
// mutable root lookup, or the root factory), medians, same run.
// Target: scoped_child_lookup_vs_root <= 2.
#include "roster/scoped.hpp"

#include "support/harness.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bench_scoped {

struct Customer {
    std::string name;
};
struct FrenchCustomer : Customer {
    using roster_context = roster::context_type<FrenchCustomer, Customer>;
};

struct Greeting {
    explicit Greeting(int v) : value(v) {}
    int value;
};
struct Renderer {
    std::shared_ptr<Greeting> greeting;
};
struct RequestId {
    int value = 0;
};

/// Other kinds, so that the root's map is not trivially small.
template <int I>
struct filler {
    int value = I;
};

using registry_t = roster::scoped_registry;

template <int... I>
void add_fillers(registry_t& root, std::integer_sequence<int, I...>) {
    (root.add(std::make_shared<filler<I>>()), ...);
}

void populate(registry_t& root) {
    add_fillers(root, std::make_integer_sequence<int, 13>{});
    root.add(std::make_shared<Greeting>(1));
    root.add(std::make_shared<Greeting>(2), roster::for_context<Customer>);
    root.add(std::make_shared<Greeting>(3), roster::for_context<FrenchCustomer>);
    root.add_factory([](const registry_t::resolver& r) { return std::make_shared<Renderer>(Renderer{r.get<Greeting>()}); });
}

struct fixture {
    registry_t frozen{"bench.frozen"};
    registry_t mutable_root{"bench.mutable"};
    FrenchCustomer marie;
    Customer mary{"mary"};
    std::vector<std::uint32_t> order;

    fixture() {
        populate(frozen);
        populate(mutable_root);
        frozen.freeze();
        marie.name = "marie";
        for (std::uint32_t i = 0; i < 64; ++i) order.push_back(i);
    }
};

const fixture& the_fixture() {
    static const fixture f;
    return f;
}

template <class Lookup>
void run(benchmark::State& state, Lookup lookup) {
    const fixture& f = the_fixture();
    bench::run_lookups(state, f.order, [&](std::uint32_t index) { return lookup(f, index); });
}

/// Calls `use(context)` with the FrenchCustomer on even indices, the
/// Customer on odd ones (both borrowed: no reference count is touched).
template <class F>
long with_context(const fixture& f, std::uint32_t index, F&& use) {
    const roster::scope_context context = index % 2 == 0 ? roster::scope_context(f.marie) : roster::scope_context(f.mary);
    return use(context);
}

const char long_name[] = "request 0123456789abcdef"; // 24 characters

long scoped_root_lookup(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) { return long{f.frozen.get<Greeting>(c)->value}; });
}
long scoped_child_lookup(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        const auto request = f.frozen.child(c);
        return long{request.get<Greeting>()->value};
    });
}
long scoped_child_only(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        const auto request = f.frozen.child(c);
        benchmark::DoNotOptimize(&request);
        return static_cast<long>(request.depth());
    });
}
long scoped_child_named_lookup(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        const auto request = f.frozen.child(c, long_name);
        return long{request.get<Greeting>()->value};
    });
}
long scoped_child_register_lookup(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        auto request = f.frozen.child(c);
        request.add(std::make_shared<RequestId>(RequestId{static_cast<int>(i)}));
        return long{request.get<Greeting>()->value} + request.get<RequestId>()->value;
    });
}
long scoped_root_lookup_mutable(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) { return long{f.mutable_root.get<Greeting>(c)->value}; });
}
long scoped_child_lookup_mutable(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        const auto request = f.mutable_root.child(c);
        return long{request.get<Greeting>()->value};
    });
}
long scoped_root_factory(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) { return long{f.frozen.get<Renderer>(c)->greeting->value}; });
}
long scoped_child_factory(const fixture& f, std::uint32_t i) {
    return with_context(f, i, [&](const roster::scope_context& c) {
        const auto request = f.frozen.child(c);
        return long{request.get<Renderer>()->greeting->value};
    });
}

struct variant {
    const char* name;
    long (*lookup)(const fixture&, std::uint32_t);
    const char* baseline; // nullptr: a baseline itself
};
constexpr variant variants[] = {
    {"scoped_root_lookup", scoped_root_lookup, nullptr},
    {"scoped_child_lookup", scoped_child_lookup, "scoped_root_lookup"},
    {"scoped_child_only", scoped_child_only, "scoped_root_lookup"},
    {"scoped_child_named_lookup", scoped_child_named_lookup, "scoped_root_lookup"},
    {"scoped_child_register_lookup", scoped_child_register_lookup, "scoped_root_lookup"},
    {"scoped_root_lookup_mutable", scoped_root_lookup_mutable, nullptr},
    {"scoped_child_lookup_mutable", scoped_child_lookup_mutable, "scoped_root_lookup_mutable"},
    {"scoped_root_factory", scoped_root_factory, nullptr},
    {"scoped_child_factory", scoped_child_factory, "scoped_root_factory"},
};

void print_ratios(const bench::median_reporter& reporter) {
    std::printf("\n# per-request scope: time per operation / the same lookup in the root's, medians, same run\n");
    for (const auto& [id, time] : reporter.times()) {
        const auto& [name, threads, keys] = id;
        for (const variant& v : variants) {
            if (v.baseline != nullptr && name == v.name)
                reporter.print_ratio("RATIO", name, "_vs_root", v.baseline, threads, keys, time);
        }
    }
    reporter.print_allocations();
}

} // namespace bench_scoped

int main(int argc, char** argv) {
    using namespace bench_scoped;
    for (const variant& v : variants) {
        benchmark::RegisterBenchmark(v.name, [lookup = v.lookup](benchmark::State& state) { run(state, lookup); })
            ->Arg(16)
            ->Threads(1)
            ->Threads(2)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(3)
            ->ReportAggregatesOnly(true);
    }
    return bench::run_and_report(argc, argv, print_ratios);
}
