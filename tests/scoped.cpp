// Tests for roster/scoped.hpp: scopes chained to a parent and bound to a
// context (the hopscotch registry in C++). Every example of hopscotch's
// registry docs (https://hopscotch.readthedocs.io/) is reproduced; where
// roster follows the docs' stated intent rather than hopscotch's code, the
// test name says so. Then the precedence rules one by one, contexts, props,
// factories and their dependencies, shared instances, errors, explain(), and
// concurrency ([concurrency] cases are the ones the ThreadSanitizer build runs).
#include "support/allocations.hpp"
#include "support/catch.hpp"

#include "roster/scoped.hpp"
#include "roster/catalog.hpp"
#include "roster/counters.hpp"

#include <fmt/format.h>

#include <atomic>
#include <barrier>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

bool contains_text(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string at_line(unsigned line) { return fmt::format("scoped.cpp:{}", line); }

// --- the types of hopscotch's examples ---------------------------------------

/// A dataclass to give a greeting.
struct Greeting {
    Greeting() = default;
    explicit Greeting(std::string s) : salutation(std::move(s)) {}
    Greeting(const Greeting&) = default;
    Greeting& operator=(const Greeting&) = default;
    virtual ~Greeting() = default;
    std::string salutation = "Hello";
};

/// A replacement alternative for the default Greeting.
struct AnotherGreeting : Greeting {
    AnotherGreeting() : Greeting("Another Hello") {}
};

/// The person to greet, stored as the registry context.
struct Customer {
    std::string first_name;
};

struct FrenchCustomer : Customer {
    using roster_context = roster::context_type<FrenchCustomer, Customer>;
};

/// The third level of the hierarchy.
struct ParisCustomer : FrenchCustomer {
    using roster_context = roster::context_type<ParisCustomer, FrenchCustomer>;
};

/// Unrelated to Customer.
struct Robot {
    int serial = 0;
};

/// Props for a greeting (hopscotch's kwargs).
struct greeting_props {
    std::string salutation;
};

/// A greeting built from props.
std::shared_ptr<Greeting> greeting_from(const greeting_props& p) { return std::make_shared<Greeting>(p.salutation); }

using scoped = roster::scoped_registry;
using resolver = scoped::resolver;

} // namespace

// =============================================================================
// hopscotch's registry docs, example by example
// =============================================================================

TEST_CASE("scoped (hopscotch): registering AnotherGreeting as a kind of Greeting returns it for Greeting, built by "
          "the registry; the newest registration wins and the older one stays",
          "[scoped][hopscotch]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>(roster::construct<Greeting>); // the pluggable app's default
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>); // registry.register(AnotherGreeting, kind=Greeting)

    const std::shared_ptr<Greeting> greeting = registry.get<Greeting>();
    REQUIRE(greeting->salutation == "Another Hello");
    REQUIRE(dynamic_cast<AnotherGreeting*>(greeting.get()) != nullptr);
    REQUIRE(registry.size() == 2); // "the earlier one ... is still in the registry"
    // "I got back an instance, not the class": the registry constructs a new one per lookup.
    REQUIRE(registry.get<Greeting>() != greeting);
}

TEST_CASE("scoped (hopscotch): a registration without a kind is filed under its own type (hopscotch's code files a "
          "class under its first base only)",
          "[scoped][hopscotch]") {
    scoped registry{"registry"};
    registry.add_factory(roster::construct<AnotherGreeting>);
    REQUIRE(registry.contains<AnotherGreeting>());
    REQUIRE_FALSE(registry.contains<Greeting>());
    registry.add(std::make_shared<AnotherGreeting>());
    REQUIRE(registry.get<AnotherGreeting>()->salutation == "Another Hello");
}

TEST_CASE("scoped (hopscotch): a child finds the registration in its parent", "[scoped][hopscotch]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>);
    const auto child_registry = registry.child();
    REQUIRE(child_registry.get<Greeting>()->salutation == "Another Hello");
    REQUIRE(child_registry.parent() == &registry);
    REQUIRE(child_registry.size() == 0);
}

TEST_CASE("scoped (hopscotch): a child created with a context holds it, and the root has none", "[scoped][hopscotch]") {
    scoped registry{"registry"};
    const Customer customer{"mary"};
    const auto child_registry = registry.child(customer);
    REQUIRE_FALSE(registry.context()); // registry.context is None
    REQUIRE(child_registry.context().as<Customer>()->first_name == "mary");
    REQUIRE(child_registry.context().type_name() == roster::detail::type_name<Customer>());
}

TEST_CASE("scoped (hopscotch): with Greeting in general and AnotherGreeting for FrenchCustomer, a request with no "
          "context gets Hello",
          "[scoped][hopscotch][context]") {
    scoped registry{"registry"};
    registry.add_factory(roster::construct<Greeting>);
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);

    const auto child_registry = registry.child(roster::scope_context{}); // context=None
    REQUIRE(registry.get<Greeting>()->salutation == "Hello");
    REQUIRE(child_registry.get<Greeting>()->salutation == "Hello");

    const Customer mary{"mary"}; // "or any context that isn't FrenchCustomer"
    REQUIRE(registry.child(mary).get<Greeting>()->salutation == "Hello");
}

TEST_CASE("scoped (hopscotch): a child bound to a FrenchCustomer gets AnotherGreeting", "[scoped][hopscotch][context]") {
    scoped registry{"registry"};
    registry.add_factory(roster::construct<Greeting>);
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);

    const FrenchCustomer customer{{"marie"}};
    const auto child_registry = registry.child(customer);
    REQUIRE(child_registry.get<Greeting>()->salutation == "Another Hello");
}

TEST_CASE("scoped (hopscotch): a lookup may pass the context itself: the root, created without one, gets "
          "AnotherGreeting for a FrenchCustomer",
          "[scoped][hopscotch][context]") {
    scoped registry{"registry"};
    registry.add_factory(roster::construct<Greeting>);
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);

    const FrenchCustomer customer{{"marie"}};
    REQUIRE(registry.get<Greeting>(customer)->salutation == "Another Hello"); // registry.get(Greeting, context=customer)
    REQUIRE(registry.get<Greeting>()->salutation == "Hello");                 // only for that call
}

namespace {
/// C++ has no venusian scan(): the decorator's registration becomes an
/// explicit registration function, called at startup.
void register_injectables(scoped& registry) { registry.add_factory(roster::construct<Greeting>); }
} // namespace

TEST_CASE("scoped (hopscotch): scan() is an explicit registration function in C++, and a FrenchCustomer lookup then "
          "gets the general Greeting",
          "[scoped][hopscotch]") {
    scoped registry{"registry"};
    register_injectables(registry); // registry.scan()
    const FrenchCustomer customer{{"marie"}};
    REQUIRE(registry.get<Greeting>(customer)->salutation == "Hello");
}

TEST_CASE("scoped (hopscotch): a registered singleton is returned as is", "[scoped][hopscotch][instances]") {
    scoped registry{"registry"};
    const auto greeting = std::make_shared<Greeting>("I am a singleton");
    registry.add(greeting); // registry.register(greeting): filed under its own type
    const std::shared_ptr<Greeting> got = registry.get<Greeting>();
    REQUIRE(got == greeting);
    REQUIRE(got->salutation == "I am a singleton");
}

TEST_CASE("scoped (hopscotch): a singleton registered as a kind beats the built-in class at the same tier (hopscotch's "
          "documented intent; its code and the docs' own example return the class, 'Hello')",
          "[scoped][hopscotch][instances][precedence]") {
    scoped registry{"registry"};
    registry.add_factory(roster::construct<Greeting>);           // registry.register(Greeting)
    const auto greeting = std::make_shared<AnotherGreeting>();
    registry.add<Greeting>(greeting);                            // registry.register(greeting, kind=Greeting)
    REQUIRE(registry.get<Greeting>()->salutation == "Another Hello");
    REQUIRE(registry.get<Greeting>() == greeting);

    // Also when the singleton is the older registration: the rule is the kind
    // of registration, not its age.
    scoped reversed{"reversed"};
    reversed.add<Greeting>(greeting);
    reversed.add_factory(roster::construct<Greeting>);
    REQUIRE(reversed.get<Greeting>() == greeting);
}

TEST_CASE("scoped (hopscotch): props given at the lookup reach the factory", "[scoped][hopscotch][props]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>(greeting_from);
    REQUIRE(registry.get<Greeting>(roster::props{greeting_props{"Bonjour"}})->salutation == "Bonjour");
    REQUIRE(registry.child().get<Greeting>(roster::props{greeting_props{"Hallo"}})->salutation == "Hallo");
}

// =============================================================================
// Precedence
// =============================================================================

TEST_CASE("scoped: the nearest base wins by inheritance distance, never by registration order (hopscotch's code "
          "picks the base registered last)",
          "[scoped][precedence][context]") {
    const ParisCustomer pierre{};
    for (const bool customer_first : {true, false}) {
        CAPTURE(customer_first);
        scoped registry{"registry"};
        auto for_customer = [&] { registry.add(std::make_shared<Greeting>("for Customer"), roster::for_context<Customer>); };
        auto for_french = [&] {
            registry.add(std::make_shared<Greeting>("for FrenchCustomer"), roster::for_context<FrenchCustomer>);
        };
        if (customer_first) {
            for_customer();
            for_french();
        } else {
            for_french();
            for_customer();
        }
        registry.add(std::make_shared<Greeting>("unconstrained"));

        // ParisCustomer -> FrenchCustomer (distance 1) -> Customer (distance 2)
        REQUIRE(registry.get<Greeting>(pierre)->salutation == "for FrenchCustomer");
        const roster::explanation why = registry.explain<Greeting>(pierre);
        REQUIRE(why.candidates.size() == 3);
        CHECK(why.candidates[0].tier == roster::context_tier::base);
        CHECK(why.candidates[0].distance == 1);
        CHECK(why.candidates[1].condition == fmt::format("for context {}", roster::detail::type_name<Customer>()));
        CHECK(why.candidates[1].distance == 2);
        CHECK(contains_text(why.candidates[1].reason, "inheritance distance 1 < 2"));
        CHECK(why.candidates[2].tier == roster::context_tier::unconstrained);

        // An exact registration beats both.
        registry.add(std::make_shared<Greeting>("for ParisCustomer"), roster::for_context<ParisCustomer>);
        REQUIRE(registry.get<Greeting>(pierre)->salutation == "for ParisCustomer");
        // And a FrenchCustomer context is not a ParisCustomer.
        REQUIRE(registry.get<Greeting>(FrenchCustomer{})->salutation == "for FrenchCustomer");
    }
}

TEST_CASE("scoped: exact context beats a base, a base beats a predicate, a predicate beats unconstrained",
          "[scoped][precedence][context]") {
    scoped registry{"registry"};
    const ParisCustomer pierre{};
    registry.add(std::make_shared<Greeting>("unconstrained"));
    REQUIRE(registry.get<Greeting>(pierre)->salutation == "unconstrained");
    registry.add(std::make_shared<Greeting>("predicate"), roster::when([](const roster::scope_context&) { return true; }, 100));
    REQUIRE(registry.get<Greeting>(pierre)->salutation == "predicate");
    registry.add(std::make_shared<Greeting>("base"), roster::for_context<Customer>);
    REQUIRE(registry.get<Greeting>(pierre)->salutation == "base");
    registry.add(std::make_shared<Greeting>("exact"), roster::for_context<ParisCustomer>);
    REQUIRE(registry.get<Greeting>(pierre)->salutation == "exact");

    const roster::explanation why = registry.explain<Greeting>(pierre);
    REQUIRE(why.candidates.size() == 4);
    CHECK(why.candidates[0].tier == roster::context_tier::exact);
    CHECK(why.candidates[1].tier == roster::context_tier::base);
    CHECK(why.candidates[2].tier == roster::context_tier::predicate);
    CHECK(why.candidates[3].tier == roster::context_tier::unconstrained);
    CHECK(contains_text(why.candidates[0].reason, "an exact context match beats a base context match"));
    CHECK(contains_text(why.candidates[2].reason, "an exact context match beats a predicate match"));
}

TEST_CASE("scoped: matching predicates are ordered by their declared rank, not by registration order",
          "[scoped][precedence][predicate]") {
    scoped registry{"registry"};
    const Customer vip{"vip"};
    const Customer regular{"regular"};
    auto is_vip = [](const Customer& c) { return c.first_name == "vip"; };
    auto any_customer = [](const Customer&) { return true; };
    registry.add(std::make_shared<Greeting>("rank 10, vip"), roster::when<Customer>(is_vip, 10, "vip"));
    registry.add(std::make_shared<Greeting>("rank 1, any customer"), roster::when<Customer>(any_customer, 1));
    registry.add(std::make_shared<Greeting>("rank 5, any customer"), roster::when<Customer>(any_customer, 5));

    REQUIRE(registry.get<Greeting>(vip)->salutation == "rank 10, vip");
    REQUIRE(registry.get<Greeting>(regular)->salutation == "rank 5, any customer");

    const roster::explanation why = registry.explain<Greeting>(regular);
    REQUIRE(why.candidates.size() == 3);
    CHECK(why.candidates[0].rank == 5);
    CHECK(why.candidates[1].rank == 1);
    CHECK(contains_text(why.candidates[1].reason, "the higher rank wins (5 > 1)"));
    CHECK(why.candidates[2].outcome == roster::verdict::skipped);
    CHECK(contains_text(why.candidates[2].reason, "the predicate is false"));
    CHECK(why.candidates[2].condition == fmt::format("when \"vip\" on {} (rank 10)", roster::detail::type_name<Customer>()));
}

TEST_CASE("scoped: a typed predicate matches contexts of its type and types derived from it, and nothing else",
          "[scoped][predicate][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("customer predicate"),
                 roster::when<Customer>([](const Customer&) { return true; }, 1));
    REQUIRE(registry.get<Greeting>(ParisCustomer{})->salutation == "customer predicate");
    REQUIRE_FALSE(registry.contains<Greeting>(Robot{}));
    REQUIRE_FALSE(registry.contains<Greeting>());
    const auto why = registry.explain<Greeting>(Robot{});
    REQUIRE(why.candidates.size() == 1);
    CHECK(contains_text(why.candidates[0].reason, "is not a"));
}

TEST_CASE("scoped: an untyped predicate sees the lookup's context, empty when there is none",
          "[scoped][predicate][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("no context"),
                 roster::when([](const roster::scope_context& c) { return !c; }, 1, "no context"));
    registry.add(std::make_shared<Greeting>("a robot"),
                 roster::when([](const roster::scope_context& c) { return c.is<Robot>(); }, 1, "robot"));
    REQUIRE(registry.get<Greeting>()->salutation == "no context");
    const Robot r2d2{2};
    REQUIRE(registry.get<Greeting>(r2d2)->salutation == "a robot");
    REQUIRE_FALSE(registry.contains<Greeting>(Customer{"mary"}));
}

TEST_CASE("scoped: the nearest scope wins: a child's unconstrained registration beats its parent's exact-context one "
          "(as hopscotch's code does)",
          "[scoped][precedence][scopes]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("parent, exact"), roster::for_context<FrenchCustomer>);
    const FrenchCustomer marie{{"marie"}};
    auto request = registry.child(marie, "request");
    request.add(std::make_shared<Greeting>("child, unconstrained"));
    REQUIRE(request.get<Greeting>()->salutation == "child, unconstrained");

    const auto why = request.explain<Greeting>();
    REQUIRE(why.candidates.size() == 2);
    CHECK(why.candidates[0].scope == "request");
    CHECK(why.candidates[1].outcome == roster::verdict::shadowed);
    CHECK(why.candidates[1].scope_distance == 1);
    CHECK(contains_text(why.candidates[1].reason, "shadowed: the nearer scope \"request\" has a match"));
    // The parent alone still answers with its own.
    REQUIRE(registry.get<Greeting>(marie)->salutation == "parent, exact");
}

TEST_CASE("scoped: a parent is searched only when the nearer scope has no matching candidate",
          "[scoped][precedence][scopes]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("parent"));
    auto request = registry.child("request");
    request.add(std::make_shared<Greeting>("child, robots only"), roster::for_context<Robot>);
    REQUIRE(request.get<Greeting>()->salutation == "parent"); // the child has a registration, but no match
    REQUIRE(request.get<Greeting>(Robot{})->salutation == "child, robots only");
}

TEST_CASE("scoped: an instance beats a factory at the same tier (hopscotch's documented intent; its code does "
          "the opposite)",
          "[scoped][precedence][instances]") {
    scoped registry{"registry"};
    const auto singleton = std::make_shared<Greeting>("instance");
    registry.add<Greeting>(singleton, roster::for_context<Customer>);
    registry.add_factory<Greeting>([] { return std::make_shared<Greeting>("factory"); }, roster::for_context<Customer>);
    REQUIRE(registry.get<Greeting>(Customer{"mary"}) == singleton);
    const auto why = registry.explain<Greeting>(Customer{"mary"});
    REQUIRE(why.candidates.size() == 2);
    CHECK(why.candidates[0].what == roster::registration_kind::instance);
    CHECK(contains_text(why.candidates[1].reason, "an instance beats a factory at the same tier"));
}

TEST_CASE("scoped: the tier comes before instance-over-factory: a factory for the exact context beats an "
          "unconstrained instance",
          "[scoped][precedence][instances]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("instance"));
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);
    REQUIRE(registry.get<Greeting>(FrenchCustomer{})->salutation == "Another Hello");
}

TEST_CASE("scoped: among otherwise equal registrations the newest wins", "[scoped][precedence]") {
    scoped registry{"registry"};
    CHECK(registry.add(std::make_shared<Greeting>("first")) == 1);
    CHECK(registry.add(std::make_shared<Greeting>("second")) == 2);
    REQUIRE(registry.get<Greeting>()->salutation == "second");
    const auto why = registry.explain<Greeting>();
    CHECK(why.candidates[0].number == 2);
    CHECK(contains_text(why.candidates[1].reason, "the newest registration wins (#2 > #1)"));
}

namespace {
struct Premium {
    int level = 1;
};
/// Two declared bases: FrenchCustomer first.
struct FrenchPremium : FrenchCustomer, Premium {
    using roster_context = roster::context_type<FrenchPremium, FrenchCustomer, Premium>;
};
/// The same two, declared in the other order.
struct PremiumFrench : Premium, FrenchCustomer {
    using roster_context = roster::context_type<PremiumFrench, Premium, FrenchCustomer>;
};
} // namespace

TEST_CASE("scoped: at equal inheritance distance the base declared first wins, whatever the registration order",
          "[scoped][precedence][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("premium"), roster::for_context<Premium>);
    registry.add(std::make_shared<Greeting>("french"), roster::for_context<FrenchCustomer>);
    registry.add(std::make_shared<Greeting>("customer"), roster::for_context<Customer>);
    REQUIRE(registry.get<Greeting>(FrenchPremium{})->salutation == "french");
    REQUIRE(registry.get<Greeting>(PremiumFrench{})->salutation == "premium");
    const auto why = registry.explain<Greeting>(FrenchPremium{});
    CHECK(contains_text(why.candidates[1].reason, "at equal distance, the base declared first wins"));
    CHECK(why.candidates[2].distance == 2); // Customer, through FrenchCustomer
}

TEST_CASE("scoped: a registration for an unrelated or a more derived context type, or needing a context the lookup "
          "lacks, does not match",
          "[scoped][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("paris"), roster::for_context<ParisCustomer>);
    REQUIRE_FALSE(registry.contains<Greeting>(FrenchCustomer{}));
    REQUIRE_FALSE(registry.contains<Greeting>(Robot{}));
    REQUIRE_FALSE(registry.contains<Greeting>());
    const auto why = registry.explain<Greeting>();
    REQUIRE(why.candidates.size() == 1);
    CHECK(why.candidates[0].outcome == roster::verdict::skipped);
    CHECK(contains_text(why.candidates[0].reason, "the lookup has no context"));
}

// =============================================================================
// Contexts
// =============================================================================

TEST_CASE("scoped: a child without its own context inherits its parent's, down to grandchildren; an empty context "
          "given to child() inherits too",
          "[scoped][context][scopes]") {
    const FrenchCustomer marie{{"marie"}};
    scoped registry{"registry", marie};
    const auto child = registry.child("child");
    const auto grandchild = child.child("grandchild");
    const auto explicit_empty = registry.child(roster::scope_context{}, "empty");
    REQUIRE(child.context().as<FrenchCustomer>() == &marie);
    REQUIRE(grandchild.context().as<FrenchCustomer>() == &marie);
    REQUIRE(explicit_empty.context().as<FrenchCustomer>() == &marie);

    const ParisCustomer pierre{};
    const auto rebound = child.child(pierre, "rebound");
    REQUIRE(rebound.context().as<ParisCustomer>() == &pierre);
    REQUIRE(grandchild.depth() == 2);
    REQUIRE(rebound.parent() == &child);
}

TEST_CASE("scoped: a lookup's context overrides the scope's for that call only", "[scoped][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("french"), roster::for_context<FrenchCustomer>);
    registry.add(std::make_shared<Greeting>("robot"), roster::for_context<Robot>);
    const FrenchCustomer marie{{"marie"}};
    const auto request = registry.child(marie);
    REQUIRE(request.get<Greeting>()->salutation == "french");
    REQUIRE(request.get<Greeting>(Robot{})->salutation == "robot");
    REQUIRE(request.get<Greeting>(roster::scope_context{})->salutation == "french"); // empty: the scope's
    REQUIRE(request.get<Greeting>()->salutation == "french");
}

TEST_CASE("scoped: a context given as a shared_ptr is owned by the scope; one given by reference is borrowed",
          "[scoped][context]") {
    scoped registry{"registry"};
    std::weak_ptr<FrenchCustomer> watch;
    {
        auto owned = std::make_shared<FrenchCustomer>();
        owned->first_name = "marie";
        watch = owned;
        const auto request = registry.child(std::move(owned));
        REQUIRE(request.context().owning());
        REQUIRE_FALSE(watch.expired());
        REQUIRE(request.context().as<Customer>()->first_name == "marie");
    }
    REQUIRE(watch.expired());

    const Customer mary{"mary"};
    const auto borrowed = registry.child(mary);
    REQUIRE_FALSE(borrowed.context().owning());
    REQUIRE(borrowed.context().as<Customer>() == &mary);
    REQUIRE_FALSE(registry.child(std::shared_ptr<Customer>{}).context()); // an empty pointer: none, inherited
}

TEST_CASE("scope_context: as<T> follows declared bases, applying base-class offsets, and is null for anything else",
          "[scoped][context]") {
    const FrenchPremium both{};
    const roster::scope_context context{both};
    REQUIRE(context.is<FrenchPremium>());
    REQUIRE(context.is<FrenchCustomer>());
    REQUIRE(context.is<Customer>());
    REQUIRE(context.is<Premium>());
    REQUIRE_FALSE(context.is<Robot>());
    REQUIRE_FALSE(context.is<ParisCustomer>());
    REQUIRE(context.as<Premium>() == static_cast<const Premium*>(&both)); // not the object's address
    REQUIRE(context.as<Customer>() == static_cast<const Customer*>(&both));
    REQUIRE(context.as<Robot>() == nullptr);
    REQUIRE(roster::scope_context{}.as<Customer>() == nullptr);
    REQUIRE(roster::scope_context{}.type_name() == "none");
}

TEST_CASE("scope_context: the context's type is the static type it is bound with (roster cannot see dynamic types)",
          "[scoped][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("french"), roster::for_context<FrenchCustomer>);
    const FrenchCustomer marie{{"marie"}};
    const Customer& as_customer = marie;
    REQUIRE_FALSE(registry.contains<Greeting>(as_customer));
    REQUIRE(registry.contains<Greeting>(marie));
}

namespace {
struct legacy_person {
    std::string name;
};
struct legacy_user : legacy_person {};
} // namespace

/// A context type that cannot be edited declares its bases through the trait.
template <>
struct roster::context_traits<legacy_user> {
    using type = roster::context_type<legacy_user, legacy_person>;
};

TEST_CASE("scoped: context_traits declares the bases of a type that cannot be edited", "[scoped][context]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("person"), roster::for_context<legacy_person>);
    const legacy_user user{{"ada"}};
    REQUIRE(registry.get<Greeting>(user)->salutation == "person");
    REQUIRE(roster::scope_context{user}.as<legacy_person>()->name == "ada");
}

TEST_CASE("scope_context: converts implicitly from lvalues and shared_ptrs, never from strings or temporaries' "
          "pointers",
          "[scoped][context]") {
    STATIC_REQUIRE(std::is_convertible_v<const Customer&, roster::scope_context>);
    STATIC_REQUIRE(std::is_convertible_v<std::shared_ptr<Customer>, roster::scope_context>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<const char*, roster::scope_context>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<std::string, roster::scope_context>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<Customer*, roster::scope_context>);
    // child("name") names a scope.
    scoped registry{"registry"};
    REQUIRE(registry.child("request 7").name() == "request 7");
}

// =============================================================================
// Props
// =============================================================================

TEST_CASE("scoped: props skip instances in every scope searched (as hopscotch's code: parents too)",
          "[scoped][props][instances]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>(greeting_from);
    auto request = registry.child("request");
    const auto singleton = std::make_shared<Greeting>("singleton");
    request.add(singleton);

    REQUIRE(request.get<Greeting>() == singleton);
    REQUIRE(request.get<Greeting>(roster::props{greeting_props{"Bonjour"}})->salutation == "Bonjour");
    const auto why = request.explain<Greeting>(roster::props{greeting_props{"x"}});
    REQUIRE(why.candidates.size() == 2);
    CHECK(why.candidates[0].scope == "registry");
    CHECK(why.candidates[1].outcome == roster::verdict::skipped);
    CHECK(contains_text(why.candidates[1].reason, "props skip instances"));

    scoped only_instances{"only_instances"};
    only_instances.add(singleton);
    const auto miss = only_instances.try_get<Greeting>(roster::props{greeting_props{"x"}});
    REQUIRE(miss.error().code == roster::errc::not_found);
    CHECK(contains_text(miss.error().message, "props skip instances"));
}

TEST_CASE("scoped: with props, only factories taking exactly that props type are candidates", "[scoped][props]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>(greeting_from);
    registry.add_factory<Greeting>([](int times) { return std::make_shared<Greeting>(std::string(static_cast<std::size_t>(times), '!')); });
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>); // takes no props
    REQUIRE(registry.get<Greeting>(roster::props{3})->salutation == "!!!");
    REQUIRE(registry.get<Greeting>(roster::props{greeting_props{"Hi"}})->salutation == "Hi");
    const auto miss = registry.try_get<Greeting>(roster::props{2.5});
    REQUIRE_FALSE(miss);
    CHECK(contains_text(miss.error().message, "the factory takes no props, and the lookup gave props of type double"));
    CHECK(contains_text(miss.error().message, "the factory takes props of type int, and the lookup gave double"));
}

namespace {
struct required_props {
    explicit required_props(int v) : value(v) {}
    int value;
};
} // namespace

TEST_CASE("scoped: a factory taking props gets value-initialised props when the lookup gives none; one whose props "
          "cannot be value-initialised needs them",
          "[scoped][props]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>([](const greeting_props& p) {
        return std::make_shared<Greeting>(p.salutation.empty() ? std::string("default") : p.salutation);
    });
    REQUIRE(registry.get<Greeting>()->salutation == "default");

    scoped strict{"strict"};
    strict.add_factory<Greeting>([](required_props p) { return std::make_shared<Greeting>(std::to_string(p.value)); });
    REQUIRE(strict.get<Greeting>(roster::props{required_props{7}})->salutation == "7");
    const auto miss = strict.try_get<Greeting>();
    REQUIRE_FALSE(miss);
    CHECK(contains_text(miss.error().message, "(not default-constructible), and the lookup gave none"));
}

// =============================================================================
// Factories and their dependencies
// =============================================================================

namespace {
struct Renderer {
    std::shared_ptr<Greeting> greeting;
    std::string customer;
    std::string render() const { return greeting->salutation + ", " + customer; }
};

std::shared_ptr<Renderer> make_renderer(const resolver& r) {
    auto out = std::make_shared<Renderer>();
    out->greeting = r.get<Greeting>();
    const Customer* c = r.context_as<Customer>();
    out->customer = c != nullptr ? c->first_name : std::string("nobody");
    return out;
}
} // namespace

TEST_CASE("scoped: a parent's factory runs in the requesting child and resolves its dependencies through it "
          "(google/fruit#74)",
          "[scoped][factories][dependencies]") {
    scoped registry{"registry"};
    registry.add_factory(make_renderer);
    registry.add(std::make_shared<Greeting>("Hello"));
    auto request = registry.child("request");
    request.add(std::make_shared<Greeting>("Howdy"));

    REQUIRE(request.get<Renderer>()->render() == "Howdy, nobody");
    REQUIRE(registry.get<Renderer>()->render() == "Hello, nobody");
}

TEST_CASE("scoped: a parent's factory sees the requesting child's context, and so do its dependencies "
          "(mmerickel/wired#46)",
          "[scoped][factories][dependencies][context]") {
    scoped registry{"registry"};
    registry.add_factory(make_renderer);
    registry.add_factory(roster::construct<Greeting>);
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);

    const FrenchCustomer marie{{"marie"}};
    const Customer mary{"mary"};
    REQUIRE(registry.child(marie).get<Renderer>()->render() == "Another Hello, marie");
    REQUIRE(registry.child(mary).get<Renderer>()->render() == "Hello, mary");
    // A context passed to the lookup reaches the factory and its dependencies too.
    REQUIRE(registry.get<Renderer>(marie)->render() == "Another Hello, marie");
}

TEST_CASE("scoped: a factory may take the resolver and props together", "[scoped][factories][props]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("Hello"));
    registry.add_factory<Renderer>([](const resolver& r, const greeting_props& p) {
        auto out = std::make_shared<Renderer>();
        out->greeting = r.get<Greeting>();
        out->customer = p.salutation;
        return out;
    });
    REQUIRE(registry.get<Renderer>(roster::props{greeting_props{"world"}})->render() == "Hello, world");
    REQUIRE(&registry.child().get<Renderer>()->greeting->salutation == &registry.get<Greeting>()->salutation);
}

TEST_CASE("scoped: factories may return shared_ptr, unique_ptr or a value, and a function pointer works",
          "[scoped][factories]") {
    scoped registry{"registry"};
    registry.add_factory<Greeting>([] { return std::make_unique<AnotherGreeting>(); });
    REQUIRE(registry.get<Greeting>()->salutation == "Another Hello");
    registry.add_factory([] { return Greeting("by value"); });
    REQUIRE(registry.get<Greeting>()->salutation == "by value");
    std::shared_ptr<Greeting> (*pointer)(const greeting_props&) = &greeting_from;
    registry.add_factory<Greeting>(pointer);
    REQUIRE(registry.get<Greeting>(roster::props{greeting_props{"fp"}})->salutation == "fp");
}

namespace {
struct Chicken;
struct Egg {
    std::shared_ptr<Chicken> from;
};
struct Chicken {
    std::shared_ptr<Egg> from;
};
} // namespace

TEST_CASE("scoped: a dependency cycle is reported as factory_failed naming the cycle, not a stack overflow",
          "[scoped][factories][errors]") {
    scoped registry{"registry"};
    registry.add_factory([](const resolver& r) { return std::make_shared<Egg>(Egg{r.get<Chicken>()}); });
    registry.add_factory([](const resolver& r) { return std::make_shared<Chicken>(Chicken{r.get<Egg>()}); });

    const auto made = registry.try_get<Egg>();
    REQUIRE_FALSE(made);
    CHECK(made.error().code == roster::errc::factory_failed);
    // The inner failure is the cause; its message names the cycle.
    try {
        (void)made.value();
        FAIL("no exception");
    } catch (const roster::factory_error& e) {
        CHECK(contains_text(e.what(), "dependency cycle"));
        CHECK(contains_text(e.what(), "Egg"));
        CHECK(contains_text(e.what(), "Chicken"));
    }
    REQUIRE_THROWS_AS(registry.get<Chicken>(), roster::factory_error);
}

// =============================================================================
// Shared instances
// =============================================================================

namespace {
struct Database {
    explicit Database(std::string n) : name(std::move(n)) {}
    std::string name;
};
} // namespace

TEST_CASE("scoped: a shared instance is built once, lazily, and owned and cached by the scope holding its "
          "registration (boost-ext/di#431)",
          "[scoped][shared]") {
    std::weak_ptr<Database> watch;
    int built = 0;
    {
        scoped registry{"registry"};
        registry.add_factory(
            [&built] {
                ++built;
                return std::make_shared<Database>("main");
            },
            roster::lifetime::shared);
        REQUIRE(built == 0); // lazily
        {
            const auto a = registry.child("a");
            const auto b = registry.child("b");
            const std::shared_ptr<Database> from_a = a.get<Database>();
            REQUIRE(from_a == b.get<Database>());
            REQUIRE(from_a == registry.get<Database>());
            watch = from_a;
        }
        REQUIRE(built == 1);
        REQUIRE_FALSE(watch.expired()); // the children are gone, the root keeps it
        CHECK(registry.explain<Database>().candidates[0].what == roster::registration_kind::shared_factory);
    }
    REQUIRE(watch.expired()); // ... until the root goes
}

TEST_CASE("scoped: a shared registration in a child belongs to that child", "[scoped][shared][scopes]") {
    scoped registry{"registry"};
    int built = 0;
    auto make = [&built] { return std::make_shared<Database>("db " + std::to_string(++built)); };
    auto first = registry.child("first");
    auto second = registry.child("second");
    first.add_factory(make, roster::lifetime::shared);
    second.add_factory(make, roster::lifetime::shared);
    REQUIRE(first.get<Database>() == first.get<Database>());
    REQUIRE(first.get<Database>() != second.get<Database>());
    REQUIRE(built == 2);
    REQUIRE_FALSE(registry.contains<Database>());
}

TEST_CASE("scoped: a shared factory is built in the scope holding it, with that scope's context, so it cannot "
          "capture a shorter-lived request (roster's choice; fresh factories build in the requesting scope)",
          "[scoped][shared][dependencies]") {
    scoped registry{"registry"};
    registry.add(std::make_shared<Greeting>("root greeting"));
    registry.add_factory(make_renderer, roster::lifetime::shared);
    const FrenchCustomer marie{{"marie"}};
    auto request = registry.child(marie, "request");
    request.add(std::make_shared<Greeting>("request greeting"));
    REQUIRE(request.get<Renderer>()->render() == "root greeting, nobody");
}

TEST_CASE("scoped: a shared factory that throws caches nothing, and the next lookup builds again", "[scoped][shared][errors]") {
    scoped registry{"registry"};
    int attempts = 0;
    registry.add_factory(
        [&attempts] {
            if (++attempts == 1) throw std::runtime_error("not yet");
            return std::make_shared<Database>("ok");
        },
        roster::lifetime::shared);
    REQUIRE_THROWS_AS(registry.get<Database>(), std::runtime_error);
    REQUIRE(registry.get<Database>()->name == "ok");
    REQUIRE(registry.get<Database>() == registry.get<Database>());
    REQUIRE(attempts == 2);
}

TEST_CASE("scoped: a shared factory may be constrained; a fresh one builds anew every lookup", "[scoped][shared]") {
    scoped registry{"registry"};
    registry.add_factory([] { return std::make_shared<Database>("french"); }, roster::for_context<FrenchCustomer>,
                         roster::lifetime::shared);
    registry.add_factory([] { return std::make_shared<Database>("fresh"); }, roster::lifetime::fresh);
    const FrenchCustomer marie{{"marie"}};
    REQUIRE(registry.get<Database>(marie) == registry.get<Database>(marie));
    REQUIRE(registry.get<Database>()->name == "fresh");
    REQUIRE(registry.get<Database>() != registry.get<Database>());
}

// =============================================================================
// Errors and messages
// =============================================================================

namespace {
struct Greetings {}; // near "Greeting"
struct Farewell {};
} // namespace

TEST_CASE("scoped: a miss names the scope, the kind, the call site, the context, the scopes searched and the nearest "
          "kinds",
          "[scoped][errors]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>());
    registry.add(std::make_shared<Farewell>());
    const FrenchCustomer marie{{"marie"}};
    const auto request = registry.child(marie, "request");

    const unsigned line = __LINE__ + 1;
    const auto miss = request.try_get<Greetings>();
    REQUIRE_FALSE(miss);
    const std::string& message = miss.error().message;
    CHECK(miss.error().code == roster::errc::not_found);
    CHECK(contains_text(message, "roster: registry \"request\": no entry for key"));
    CHECK(contains_text(message, roster::detail::type_name<Greetings>()));
    CHECK(contains_text(message, at_line(line)));
    CHECK(contains_text(message, fmt::format("context: {}", roster::detail::type_name<FrenchCustomer>())));
    CHECK(contains_text(message, "scopes searched: \"request\", \"app\""));
    CHECK(contains_text(message, fmt::format("2 registered, nearest: \"{}\"", roster::detail::type_name<Greeting>())));
    REQUIRE_THROWS_AS(request.get<Greetings>(), roster::not_found_error);

    scoped empty{"empty"};
    CHECK(contains_text(empty.try_get<Greeting>().error().message, "no kind is registered in any scope searched"));
}

TEST_CASE("scoped: a miss with registrations of the kind says why each does not apply, with where it was added",
          "[scoped][errors]") {
    scoped registry{"app"};
    const unsigned line = __LINE__ + 1;
    registry.add(std::make_shared<Greeting>("robots"), roster::for_context<Robot>);
    const auto miss = registry.try_get<Greeting>(Customer{"mary"});
    REQUIRE_FALSE(miss);
    const std::string& message = miss.error().message;
    CHECK(contains_text(message, "1 registration of this kind, none applies: \"app\" #1 (instance"));
    CHECK(contains_text(message, fmt::format("the context {} is not a {}", roster::detail::type_name<Customer>(),
                                             roster::detail::type_name<Robot>())));
    CHECK(contains_text(registry.explain<Greeting>(Customer{"mary"}).to_string(), at_line(line)));
}

namespace {
struct factory_failure : std::runtime_error {
    explicit factory_failure(int c) : std::runtime_error("no database"), code(c) {}
    int code;
};
} // namespace

TEST_CASE("scoped: get lets a factory's exception propagate unchanged; try_get returns factory_failed keeping it as "
          "the cause",
          "[scoped][errors][factories]") {
    scoped registry{"app"};
    const unsigned line = __LINE__ + 1;
    registry.add_factory([]() -> std::shared_ptr<Database> { throw factory_failure(42); });

    try {
        (void)registry.get<Database>();
        FAIL("no exception");
    } catch (const factory_failure& e) {
        CHECK(e.code == 42);
    }
    const auto made = registry.child("request").try_get<Database>();
    REQUIRE_FALSE(made);
    CHECK(made.error().code == roster::errc::factory_failed);
    CHECK(contains_text(made.error().message, "roster: registry \"request\": create of key"));
    CHECK(contains_text(made.error().message, at_line(line)));
    CHECK(contains_text(made.error().message, "threw: no database"));
    REQUIRE(made.error().cause);
    REQUIRE_THROWS_AS(made.value(), factory_failure);
}

TEST_CASE("scoped: a null product is factory_failed", "[scoped][errors][factories]") {
    scoped registry{"app"};
    registry.add_factory([] { return std::shared_ptr<Database>{}; });
    const auto made = registry.try_get<Database>();
    REQUIRE_FALSE(made);
    CHECK(made.error().code == roster::errc::factory_failed);
    CHECK(contains_text(made.error().message, "produced a null"));
    REQUIRE_THROWS_AS(registry.get<Database>(), roster::factory_error);
}

TEST_CASE("scoped: a null instance or a null factory is refused at add, naming the scope, the kind and the call site",
          "[scoped][errors]") {
    scoped registry{"app"};
    const unsigned line = __LINE__ + 1;
    const auto refused = registry.try_add<Greeting>(std::shared_ptr<AnotherGreeting>{});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == roster::errc::null_value);
    CHECK(contains_text(refused.error().message, "roster: registry \"app\": refused a value"));
    CHECK(contains_text(refused.error().message, at_line(line)));
    CHECK(contains_text(refused.error().message, "the value is null"));
    REQUIRE_THROWS_AS(registry.add(std::shared_ptr<Greeting>{}), roster::null_value_error);

    std::shared_ptr<Greeting> (*none)() = nullptr;
    REQUIRE_THROWS_AS(registry.add_factory<Greeting>(none), roster::null_value_error);
    REQUIRE_FALSE(registry.try_add_factory<Greeting>(std::function<std::shared_ptr<Greeting>()>{}));
    REQUIRE(registry.size() == 0);
}

TEST_CASE("scoped: after freeze, registration into that scope is refused naming where it was frozen; lookups and "
          "children go on",
          "[scoped][errors][lifecycle]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("root"));
    const unsigned frozen_line = __LINE__ + 1;
    registry.freeze();
    REQUIRE(registry.frozen());
    REQUIRE(registry.frozen_at()->line() == frozen_line);
    registry.freeze(); // idempotent: the first location stays
    REQUIRE(registry.frozen_at()->line() == frozen_line);

    const auto late = registry.try_add(std::make_shared<Greeting>("late"));
    REQUIRE_FALSE(late);
    CHECK(late.error().code == roster::errc::frozen);
    CHECK(contains_text(late.error().message, "cannot add key"));
    CHECK(contains_text(late.error().message, "the registry was frozen at "));
    CHECK(contains_text(late.error().message, at_line(frozen_line)));
    REQUIRE_THROWS_AS(registry.add_factory(roster::construct<Greeting>), roster::frozen_error);
    REQUIRE_FALSE(registry.try_add_factory(roster::construct<Greeting>, roster::lifetime::shared));

    REQUIRE(registry.get<Greeting>()->salutation == "root");
    auto request = registry.child("request");
    REQUIRE_FALSE(request.frozen());
    request.add(std::make_shared<Greeting>("request"));
    REQUIRE(request.get<Greeting>()->salutation == "request");
}

TEST_CASE("scoped: contains says whether a lookup would find something, without building it", "[scoped]") {
    scoped registry{"app"};
    int built = 0;
    registry.add_factory(
        [&built] {
            ++built;
            return std::make_shared<Database>("db");
        },
        roster::for_context<FrenchCustomer>, roster::lifetime::shared);
    REQUIRE(registry.contains<Database>(FrenchCustomer{}));
    REQUIRE_FALSE(registry.contains<Database>());
    const ParisCustomer pierre{};
    REQUIRE(registry.child(pierre).contains<Database>());
    REQUIRE(built == 0);
}

// =============================================================================
// explain()
// =============================================================================

TEST_CASE("scoped: explain lists every candidate in precedence order, each with its verdict and reason",
          "[scoped][explain]") {
    scoped registry{"app"};
    registry.add_factory(roster::construct<Greeting>);                                                  // #1
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<Customer>);  // #2
    registry.add(std::make_shared<Greeting>("robots"), roster::for_context<Robot>);                   // #3
    const auto request = registry.child("request");
    const FrenchCustomer marie{{"marie"}};
    auto bound = registry.child(marie, "bound");
    bound.add(std::make_shared<Greeting>("bound, robots"), roster::for_context<Robot>);                // bound #1

    const roster::explanation why = bound.explain<Greeting>();
    REQUIRE(why.found());
    CHECK(why.registry == "bound");
    CHECK(why.context == roster::detail::type_name<FrenchCustomer>());
    CHECK(why.props == "none");
    CHECK(why.searched == std::vector<std::string>{"bound", "app"});
    REQUIRE(why.candidates.size() == 4);

    const auto& winner = why.candidates[0];
    CHECK(winner.outcome == roster::verdict::chosen);
    CHECK(winner.scope == "app");
    CHECK(winner.number == 2);
    CHECK(winner.what == roster::registration_kind::factory);
    CHECK(winner.implementation == roster::detail::type_name<AnotherGreeting>());
    CHECK(winner.tier == roster::context_tier::base);
    CHECK(winner.distance == 1);
    CHECK(contains_text(winner.reason, "chosen: a base context match beats an unconstrained registration (over #1)"));

    CHECK(why.candidates[1].outcome == roster::verdict::outranked);
    CHECK(why.candidates[1].number == 1);
    CHECK(why.candidates[2].outcome == roster::verdict::skipped); // nearest scope first among the skipped
    CHECK(why.candidates[2].scope == "bound");
    CHECK(why.candidates[3].outcome == roster::verdict::skipped);
    CHECK(why.candidates[3].scope == "app");
    CHECK(why.winner() == &why.candidates[0]);
    REQUIRE(request.get<Greeting>()->salutation == "Hello");
}

TEST_CASE("scoped: explain of a miss lists the scopes searched and the context used", "[scoped][explain]") {
    scoped registry{"app"};
    const Customer mary{"mary"};
    const auto request = registry.child(mary, "request");
    const roster::explanation why = request.explain<Greeting>();
    REQUIRE_FALSE(why.found());
    REQUIRE(why.winner() == nullptr);
    CHECK(why.candidates.empty());
    const std::string text = why.to_string();
    CHECK(contains_text(text, "roster: registry \"request\": explain kind"));
    CHECK(contains_text(text, fmt::format("context: {}", roster::detail::type_name<Customer>())));
    CHECK(contains_text(text, "scopes searched: \"request\", \"app\""));
    CHECK(contains_text(text, "no registration of this kind in any scope searched"));
    CHECK(contains_text(text, "nothing matches: get() throws not_found_error"));
}

TEST_CASE("scoped: explain's text numbers the candidates and gives each its scope, age, kind, constraint, tier, "
          "source location and reason",
          "[scoped][explain]") {
    scoped registry{"app"};
    const unsigned line = __LINE__ + 1;
    registry.add<Greeting>(std::make_shared<AnotherGreeting>(), roster::for_context<Customer>);
    registry.add(std::make_shared<Greeting>());
    const unsigned explain_line = __LINE__ + 1;
    const std::string text = registry.explain<Greeting>(ParisCustomer{}).to_string();
    CHECK(contains_text(text, at_line(explain_line)));
    CHECK(contains_text(text, fmt::format("1. chosen    \"app\" #1 instance {}, for context {} [base context, distance 2], "
                                          "added at ",
                                          roster::detail::type_name<AnotherGreeting>(),
                                          roster::detail::type_name<Customer>())));
    CHECK(contains_text(text, at_line(line)));
    CHECK(contains_text(text, "2. outranked \"app\" #2 instance"));
    CHECK(contains_text(text, "outranked: a base context match beats an unconstrained registration"));
}

// =============================================================================
// Scopes, policies, names
// =============================================================================

TEST_CASE("scoped: scopes have names (children default to \"child\"), a parent and a depth; a root may have a "
          "context",
          "[scoped][scopes]") {
    const Customer mary{"mary"};
    scoped root{"root", mary};
    REQUIRE(root.name() == "root");
    REQUIRE(root.parent() == nullptr);
    REQUIRE(root.depth() == 0);
    REQUIRE(root.context().as<Customer>() == &mary);
    const auto child = root.child();
    REQUIRE(child.name() == "child");
    REQUIRE(child.depth() == 1);
    REQUIRE(root.child("").name() == "child");
    REQUIRE(root.child(mary, "request 1").name() == "request 1");
    REQUIRE(scoped{}.name() == "scoped_registry");
    REQUIRE(scoped{""}.name() == "scoped_registry");
    // An unnamed child is called "child" in its messages.
    CHECK(contains_text(child.try_get<Greeting>().error().message, "roster: registry \"child\": no entry for key"));
}

TEST_CASE("scoped: locking::none gives unsynchronised scopes with the same behaviour", "[scoped][policies]") {
    roster::basic_scoped_registry<roster::locking::none> registry{"single-threaded"};
    registry.add_factory(roster::construct<Greeting>);
    registry.add(std::make_shared<Greeting>("french"), roster::for_context<FrenchCustomer>);
    auto request = registry.child();
    REQUIRE(request.get<Greeting>()->salutation == "Hello");
    REQUIRE(request.get<Greeting>(ParisCustomer{})->salutation == "french");
    STATIC_REQUIRE(std::is_same_v<roster::scoped_registry::locking_policy, roster::locking::shared_mutex>);
    STATIC_REQUIRE(std::is_same_v<decltype(registry)::locking_policy, roster::locking::none>);
}

TEST_CASE("scoped: the verdicts, tiers and registration kinds have names", "[scoped]") {
    STATIC_REQUIRE(std::string_view(roster::to_string(roster::verdict::chosen)) == "chosen");
    STATIC_REQUIRE(std::string_view(roster::to_string(roster::verdict::shadowed)) == "shadowed");
    STATIC_REQUIRE(std::string_view(roster::to_string(roster::context_tier::base)) == "base context");
    STATIC_REQUIRE(std::string_view(roster::to_string(roster::registration_kind::shared_factory)) == "shared factory");
    const roster::constraint none;
    CHECK(none.kind() == roster::constraint_kind::none);
    CHECK(none.describe() == "unconstrained");
    const roster::constraint ranked = roster::when([](const roster::scope_context&) { return true; }, 3);
    CHECK(ranked.describe() == "when a predicate (rank 3)");
    CHECK(ranked.rank() == 3);
}

// =============================================================================
// Concurrency
// =============================================================================

TEST_CASE("scoped: a lazily shared instance is built exactly once under concurrent first use",
          "[scoped][shared][concurrency]") {
    constexpr int threads = 8;
    for (int round = 0; round < 20; ++round) {
        scoped registry{"app"};
        std::atomic<int> built{0};
        registry.add_factory(
            [&built] {
                built.fetch_add(1);
                std::this_thread::yield();
                return std::make_shared<Database>("main");
            },
            roster::lifetime::shared);
        registry.freeze();

        std::vector<std::shared_ptr<Database>> seen(threads);
        std::barrier start(threads);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const auto request = registry.child("request");
                start.arrive_and_wait();
                seen[static_cast<std::size_t>(t)] = request.get<Database>();
            });
        }
        for (auto& thread : pool) thread.join();
        REQUIRE(built.load() == 1);
        for (const auto& db : seen) REQUIRE(db == seen.front());
    }
}

TEST_CASE("scoped: many threads look up through their own child scopes while the root is frozen",
          "[scoped][concurrency]") {
    scoped registry{"app"};
    registry.add_factory(roster::construct<Greeting>);
    registry.add_factory<Greeting>(roster::construct<AnotherGreeting>, roster::for_context<FrenchCustomer>);
    registry.add_factory(make_renderer);
    registry.add_factory([] { return std::make_shared<Database>("shared"); }, roster::lifetime::shared);
    registry.freeze();

    constexpr int threads = 4;
    std::atomic<int> wrong{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const FrenchCustomer marie{{"marie"}};
                const Customer mary{"mary"};
                const bool french = (i + t) % 2 == 0;
                auto request = french ? registry.child(marie, "request") : registry.child(mary, "request");
                if (i % 3 == 0) request.add(std::make_shared<Greeting>("local"));
                const std::string expected = i % 3 == 0 ? "local" : (french ? "Another Hello" : "Hello");
                if (request.get<Greeting>()->salutation != expected) wrong.fetch_add(1);
                if (request.get<Renderer>()->customer != (french ? "marie" : "mary")) wrong.fetch_add(1);
                if (request.get<Database>()->name != "shared") wrong.fetch_add(1);
            }
        });
    }
    for (auto& thread : pool) thread.join();
    REQUIRE(wrong.load() == 0);
}

TEST_CASE("scoped: registering into a child while other threads read through it is safe",
          "[scoped][concurrency]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("root"));
    registry.freeze();
    auto request = registry.child("request");

    constexpr int readers = 3;
    std::atomic<bool> done{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < readers; ++t) {
        pool.emplace_back([&] {
            while (!done.load()) {
                const std::string s = request.get<Greeting>()->salutation;
                if (s != "root" && s.rfind("local ", 0) != 0) wrong.fetch_add(1);
                (void)request.contains<Database>();
                (void)request.explain<Greeting>();
            }
        });
    }
    for (int i = 0; i < 200; ++i) request.add(std::make_shared<Greeting>("local " + std::to_string(i)));
    request.add_factory([] { return std::make_shared<Database>("late"); }, roster::lifetime::shared);
    done.store(true);
    for (auto& thread : pool) thread.join();
    REQUIRE(wrong.load() == 0);
    REQUIRE(request.get<Greeting>()->salutation == "local 199");
    REQUIRE(request.size() == 201);
}

TEST_CASE("scoped: registering into an unfrozen root while children read it is safe", "[scoped][concurrency]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("first"));
    std::atomic<bool> done{false};
    std::atomic<int> wrong{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 2; ++t) {
        pool.emplace_back([&] {
            const FrenchCustomer marie{{"marie"}};
            while (!done.load()) {
                const auto request = registry.child(marie);
                if (!request.get<Greeting>()) wrong.fetch_add(1);
                (void)request.try_get<Database>();
            }
        });
    }
    for (int i = 0; i < 200; ++i) {
        registry.add(std::make_shared<Greeting>("root " + std::to_string(i)), roster::for_context<Customer>);
    }
    registry.freeze();
    done.store(true);
    for (auto& thread : pool) thread.join();
    REQUIRE(wrong.load() == 0);
    REQUIRE(registry.get<Greeting>(FrenchCustomer{})->salutation == "root 199");
}

// --- registrations of a scope: the first of a kind, later ones, failed ones -------

namespace {
/// Kinds that only fill a scope (for the lookups of other kinds).
template <int I>
struct filler_kind {
    int value = I;
};

template <int... I>
void add_filler_kinds(scoped& scope, std::integer_sequence<int, I...>) {
    (scope.add(std::make_shared<filler_kind<I>>()), ...);
}

template <int... I>
bool finds_filler_kinds(const scoped& scope, std::integer_sequence<int, I...>) {
    return ((scope.get<filler_kind<I>>()->value == I) && ...);
}
} // namespace

TEST_CASE("scoped: several registrations of one kind in a child keep their numbers, their order and the precedence "
          "rules, and a shared one stays built as more are added",
          "[scoped][scopes][precedence]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("root"));
    registry.freeze();
    auto request = registry.child("request");
    int built = 0;
    CHECK(request.add_factory(
              [&built] {
                  ++built;
                  return std::make_shared<Database>("first");
              },
              roster::lifetime::shared) == 1);
    const std::shared_ptr<Database> first = request.get<Database>();
    CHECK(request.add(std::make_shared<Greeting>("general")) == 2);
    CHECK(request.add(std::make_shared<Greeting>("for customers"), roster::for_context<Customer>) == 3);
    for (int i = 0; i < 5; ++i) {
        // later registrations of Database, for another context: they are filed after the first, which stays put
        request.add_factory([] { return std::make_shared<Database>("robots"); }, roster::for_context<Robot>);
    }
    CHECK(request.add(std::make_shared<Greeting>("newer general")) == 9);
    REQUIRE(request.size() == 9);

    CHECK(request.get<Greeting>()->salutation == "newer general");                    // the newest wins
    CHECK(request.get<Greeting>(FrenchCustomer{})->salutation == "for customers");    // a base beats unconstrained
    CHECK(request.get<Database>() == first);                                          // still the cached one
    CHECK(built == 1);
    CHECK(request.get<Database>(Robot{})->name == "robots");

    const roster::explanation why = request.explain<Greeting>();
    REQUIRE(why.candidates.size() == 4); // three in the child, one in the root
    CHECK(why.candidates[0].number == 9);
    CHECK(why.candidates[0].outcome == roster::verdict::chosen);
    CHECK(why.candidates[1].number == 2);
    CHECK(why.candidates[1].outcome == roster::verdict::outranked);
    CHECK(why.candidates[2].scope == "app"); // shadowed
    CHECK(why.candidates[3].number == 3);    // skipped: needs a context
    CHECK(why.candidates[3].outcome == roster::verdict::skipped);
    CHECK(request.report().entries.size() == 9);
}

TEST_CASE("scoped: a child holding many other kinds still passes a lookup of a kind it lacks to its parent",
          "[scoped][scopes]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("root"));
    registry.freeze();
    auto request = registry.child("request");
    add_filler_kinds(request, std::make_integer_sequence<int, 80>{});
    CHECK(request.size() == 80);
    CHECK(finds_filler_kinds(request, std::make_integer_sequence<int, 80>{}));
    CHECK(request.get<Greeting>()->salutation == "root");
    CHECK_FALSE(request.contains<Database>());
    CHECK_FALSE(registry.contains<filler_kind<0>>());
}

TEST_CASE("scoped: an add that runs out of memory leaves the scope exactly as it was, and the next add gets the "
          "number it would have had",
          "[scoped][errors][scopes]") {
    scoped registry{"app"};
    registry.add(std::make_shared<Greeting>("root"));
    registry.freeze();
    // Every allocation an add can make, failed in turn: the kind's first
    // registration in the scope, then a later one of the same kind.
    for (std::size_t nth = 1;; ++nth) {
        auto request = registry.child("request");
        request.add(std::make_shared<Database>("kept"));
        const auto first = std::make_shared<Greeting>("first local");
        const auto second = std::make_shared<Greeting>("second local");
        bool failed = false;
        {
            const roster_test::allocation_failure fail(nth);
            try {
                request.add(first);
                request.add(second);
            } catch (const std::bad_alloc&) {
                failed = true;
            }
        }
        if (!failed) {
            CHECK(request.size() == 3);
            CHECK(request.get<Greeting>() == second);
            break;
        }
        INFO("allocation " << nth << " failed");
        const std::size_t kept = request.size(); // 1: the first add failed; 2: the second did
        REQUIRE((kept == 1 || kept == 2));
        CHECK(request.explain<Greeting>().candidates.size() == kept); // the child's Greetings, then the root's
        CHECK(request.get<Greeting>()->salutation == (kept == 1 ? "root" : "first local"));
        CHECK(request.get<Database>()->name == "kept");
        CHECK(request.add(std::make_shared<Greeting>("after")) == kept + 1);
        CHECK(request.get<Greeting>()->salutation == "after");
        CHECK(request.size() == kept + 1);
    }
}

// --- built on the core: report, counters, catalog listing ----------------------

TEST_CASE("scoped: a listed root scope is in the catalog, reports one entry per registration, and leaves when "
          "destroyed",
          "[scoped][observability]") {
    {
        roster::basic_scoped_registry<roster::listing::listed> app{"scoped-listed-app"};
        const unsigned line = __LINE__ + 1;
        app.add_factory<Greeting>(roster::construct<Greeting>);
        app.add<Greeting>(std::make_shared<Greeting>("hi"), roster::for_context<Customer>);
        REQUIRE(roster::catalog::instance().contains("scoped-listed-app"));
        const roster::registry_report report = roster::catalog::instance().at("scoped-listed-app");
        CHECK(report.name == "scoped-listed-app");
        CHECK(report.key_type == "kind");
        REQUIRE(report.entries.size() == 2);
        CHECK(contains_text(report.entries[0].key, "Greeting"));
        const bool located = contains_text(roster::detail::describe(report.entries[0].where), at_line(line)) ||
                             contains_text(roster::detail::describe(report.entries[1].where), at_line(line));
        CHECK(located);
        CHECK(report.state == roster::lifecycle::populated);
        CHECK_FALSE(report.lookups.has_value()); // no counters:: policy

        // Child scopes are never listed: per-request scopes would collide by name.
        auto request = app.child("request");
        CHECK_FALSE(roster::catalog::instance().contains("request"));
        CHECK(request.get<Greeting>() != nullptr);

        app.freeze();
        CHECK(roster::catalog::instance().at("scoped-listed-app").state == roster::lifecycle::frozen);

        // A second live listed scope under the same name is refused.
        CHECK_THROWS_AS(roster::basic_scoped_registry<roster::listing::listed>{"scoped-listed-app"},
                        roster::duplicate_key_error);
    }
    CHECK_FALSE(roster::catalog::instance().contains("scoped-listed-app"));
}

TEST_CASE("scoped: counters::per_registry counts a hit in the scope that answered and a miss in the scope asked",
          "[scoped][observability]") {
    using counted = roster::basic_scoped_registry<roster::counters::per_registry, roster::listing::listed>;
    counted app{"scoped-counted-app"};
    app.add_factory<Greeting>(roster::construct<Greeting>);
    auto request = app.child("request");
    request.add<Customer>(std::make_shared<Customer>());

    CHECK(request.get<Greeting>() != nullptr);      // answered by app
    CHECK(request.get<Customer>() != nullptr);      // answered by request
    CHECK_FALSE(request.try_get<Renderer>());       // missed, asked of request
    CHECK(request.contains<Greeting>());            // contains() is not counted
    (void)request.explain<Greeting>();              // nor is explain()

    CHECK(app.lookups().hits == 1);
    CHECK(app.lookups().misses == 0);
    CHECK(request.lookups().hits == 1);
    CHECK(request.lookups().misses == 1);

    const roster::registry_report report = roster::catalog::instance().at("scoped-counted-app");
    REQUIRE(report.lookups.has_value());
    CHECK(report.lookups->hits == 1);
    CHECK(report.entries.size() == 1);
    CHECK(request.report().entries.size() == 1);
    CHECK(request.report().name == "request");
}

TEST_CASE("scoped: counted lookups from many threads through child scopes add up exactly",
          "[scoped][observability][concurrency]") {
    roster::basic_scoped_registry<roster::counters::per_key> app{"scoped-counted-threads"};
    app.add<Greeting>(std::make_shared<Greeting>("shared"));
    app.freeze();
    constexpr int threads = 4;
    constexpr int per_thread = 500;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) {
                auto request = app.child("request");
                (void)request.get<Greeting>();
                (void)request.try_get<Renderer>();
            }
        });
    }
    for (std::thread& th : pool) th.join();
    CHECK(app.lookups().hits == threads * per_thread);
    CHECK(app.lookups().misses == 0);
    const roster::registry_report report = app.report();
    REQUIRE(report.entries.size() == 1);
    CHECK(report.entries[0].hits == std::optional<std::uint64_t>(threads * per_thread));
}
