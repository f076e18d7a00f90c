// examples/request.cpp — per-request scopes with roster::scoped_registry.
//
// A toy web application. At startup, one registry ("app") receives the
// services and is frozen. Each request gets a cheap child scope bound to the
// customer it serves, and registers what belongs to that request alone (its
// id). Handlers ask the request scope for the best implementation of a kind
// for this customer: a French customer gets the French greeting, a VIP the
// VIP one, everyone else the default. The page renderer is registered in the
// app but built in the request scope, so it sees the request's customer and
// id; the database is shared, built once on first use, owned by the app.
//
// Shows: child(customer), for_context<T>, when<T>(predicate, rank), instances
// and fresh/shared factories, a factory resolving its dependencies through
// the requesting scope, explain(), a miss, and requests served on several
// threads. Returns 0 when everything behaved as documented (ctest runs it
// as `example.request`).
#include <roster/scoped.hpp>

#include <atomic>  // std::atomic<int>: database builds, failures
#include <cstdio>  // std::printf
#include <memory>  // std::shared_ptr, std::make_shared
#include <string>  // std::string
#include <thread>  // std::thread: concurrent requests
#include <utility> // std::move
#include <vector>  // std::vector

// The application's types live in a named namespace, so that messages and
// explain() print `shop::Greeting` rather than `{anonymous}::Greeting`.
namespace shop {

// --- the request context: who is being served ------------------------------

struct Customer {
    std::string name;
    bool vip = false;
};

/// Declares its place in the hierarchy, so registrations for Customer match
/// a FrenchCustomer too (one step away), and FrenchCustomer ones match exactly.
struct FrenchCustomer : Customer {
    using roster_context = roster::context_type<FrenchCustomer, Customer>;
};

// --- the kinds of things the app needs ---------------------------------------

struct Greeting {
    virtual ~Greeting() = default;
    virtual std::string greet(const std::string& name) const = 0;
};
struct EnglishGreeting final : Greeting {
    std::string greet(const std::string& name) const override { return "Hello, " + name; }
};
struct FrenchGreeting final : Greeting {
    std::string greet(const std::string& name) const override { return "Bonjour, " + name; }
};
struct VipGreeting final : Greeting {
    std::string greet(const std::string& name) const override { return "Welcome back, " + name + "!"; }
};

/// Expensive to build: shared by every request, built on first use.
struct Database {
    std::string orders_of(const std::string& name) const { return name == "marie" ? "2 orders" : "no orders"; }
};
std::atomic<int> databases_built{0};

/// Registered by each request in its own scope.
struct RequestId {
    int value = 0;
};

/// Built per request, from the request scope: its greeting, the database,
/// the request id and the customer (the lookup's context).
struct PageRenderer {
    std::shared_ptr<Greeting> greeting;
    std::shared_ptr<Database> database;
    int request_id = 0;
    std::string customer;
    std::string render() const {
        return "#" + std::to_string(request_id) + " " + greeting->greet(customer) + " (" +
               database->orders_of(customer) + ")";
    }
};

using app_registry = roster::scoped_registry;

/// Startup: everything the app provides, then freeze (lookups become lock-free).
void register_services(app_registry& app) {
    app.add_factory<Greeting>([] { return std::make_shared<EnglishGreeting>(); });            // the default
    app.add<Greeting>(std::make_shared<FrenchGreeting>(), roster::for_context<FrenchCustomer>); // French customers
    app.add<Greeting>(std::make_shared<VipGreeting>(),                                          // VIPs, any nationality
                      roster::when<Customer>([](const Customer& c) { return c.vip; }, 10, "vip"));
    app.add_factory(
        [] {
            databases_built.fetch_add(1);
            return std::make_shared<Database>();
        },
        roster::lifetime::shared);
    app.add_factory([](const app_registry::resolver& r) { // built in the request scope that asks
        auto page = std::make_shared<PageRenderer>();
        page->greeting = r.get<Greeting>();     // the best greeting for this request's customer
        page->database = r.get<Database>();     // the app's shared one
        page->request_id = r.get<RequestId>()->value; // registered by the request itself
        page->customer = r.context_as<Customer>()->name;
        return page;
    });
    app.freeze();
}

/// One request: a child scope bound to the customer, its own registrations,
/// then the handler's lookups.
std::string handle(const app_registry& app, const Customer& customer, int id) {
    auto request = app.child(customer, "request " + std::to_string(id));
    request.add(std::make_shared<RequestId>(RequestId{id}));
    return request.get<PageRenderer>()->render();
}
std::string handle_french(const app_registry& app, const FrenchCustomer& customer, int id) {
    auto request = app.child(customer, "request " + std::to_string(id)); // bound as a FrenchCustomer
    request.add(std::make_shared<RequestId>(RequestId{id}));
    return request.get<PageRenderer>()->render();
}

int failures = 0;
void expect_equal(const std::string& got, const std::string& want) {
    std::printf("%s\n", got.c_str());
    if (got != want) {
        std::printf("UNEXPECTED: wanted \"%s\"\n", want.c_str());
        ++failures;
    }
}

} // namespace shop

int main() {
    using namespace shop;
    app_registry app{"app"};
    register_services(app);

    const Customer mary{"mary", false};
    FrenchCustomer marie;
    marie.name = "marie";
    const Customer vip{"grace", true};
    FrenchCustomer vip_french;
    vip_french.name = "amelie";
    vip_french.vip = true;

    std::printf("# requests\n");
    expect_equal(handle(app, mary, 1), "#1 Hello, mary (no orders)");
    expect_equal(handle_french(app, marie, 2), "#2 Bonjour, marie (2 orders)");
    expect_equal(handle(app, vip, 3), "#3 Welcome back, grace! (no orders)");
    // An exact context match (FrenchCustomer) beats a predicate, whatever its rank.
    expect_equal(handle_french(app, vip_french, 4), "#4 Bonjour, amelie (no orders)");
    if (databases_built.load() != 1) {
        std::printf("UNEXPECTED: the shared database was built %d times\n", databases_built.load());
        ++failures;
    }

    // Why did request 4 get the French greeting? explain() lists every candidate.
    std::printf("\n# explain\n");
    {
        const auto request = app.child(vip_french, "request 4");
        const roster::explanation why = request.explain<Greeting>();
        std::printf("%s\n", why.to_string().c_str());
        if (!why.found() || why.winner()->tier != roster::context_tier::exact || why.candidates.size() != 3) {
            std::printf("UNEXPECTED: explain() chose something else\n");
            ++failures;
        }
    }

    // A lookup that cannot succeed names the scope, the kind, the context and
    // the scopes searched: outside a request, there is no RequestId.
    std::printf("\n# a miss\n");
    {
        const auto outside = app.child(mary, "background job");
        const auto page = outside.try_get<PageRenderer>();
        if (page) {
            std::printf("UNEXPECTED: a page without a request id\n");
            ++failures;
        } else {
            std::printf("%s\n", page.error().message.c_str());
        }
    }

    // Many requests at once: the app is frozen (read without locks), each
    // thread makes its own request scopes.
    std::printf("\n# concurrent requests\n");
    std::atomic<int> wrong{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < 250; ++i) {
                const int id = 1000 * (t + 1) + i;
                const std::string page = (i % 2 == 0) ? handle(app, mary, id) : handle_french(app, marie, id);
                const std::string want = "#" + std::to_string(id) +
                                         (i % 2 == 0 ? " Hello, mary (no orders)" : " Bonjour, marie (2 orders)");
                if (page != want) wrong.fetch_add(1);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    std::printf("1000 requests on 4 threads: %d wrong; database built %d time(s)\n", wrong.load(),
                databases_built.load());
    if (wrong.load() != 0 || databases_built.load() != 1) ++failures;

    return failures == 0 ? 0 : 1;
}
