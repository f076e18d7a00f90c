// examples/router/main.cpp — a real HTTP server (cpp-httplib) whose requests
// are dispatched by roster::handler_registry: Go 1.22's pattern grammar and
// order-free precedence, conflicts refused at registration, and 404, 405
// and redirects as results this program turns into responses.
//
// Usage: router [PORT_FILE]
//   Serves on 127.0.0.1 (a port the OS picks, written to PORT_FILE or
//   printed) until SIGTERM or SIGINT. ctest `example.router` runs it through
//   check.sh, which checks the answers with curl.
#include <roster/handler.hpp>

#include <httplib.h> // httplib::Server, Request, Response

#include "../common/serve.hpp" // examples::block_stop_signals, examples::serve

#include <cstdio>      // std::fprintf
#include <string>      // std::string
#include <string_view> // std::string_view

namespace {

struct route_args;
/// What the routes hold: a plain function; its arguments carry the match.
using route_fn = void (*)(const httplib::Request&, httplib::Response&, const route_args&);
struct route_args {
    const roster::route_match<route_fn>& match; // the pattern and the captured values
};

std::string text(std::string_view view) { return std::string(view); }

void home(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.set_content("home\n", "text/plain");
}
void list_users(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.set_content("users\n", "text/plain");
}
void show_user(const httplib::Request&, httplib::Response& res, const route_args& args) {
    res.set_content("user " + roster::path_unescape(args.match.value("id")) + "\n", "text/plain");
}
void create_user(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.status = 201;
    res.set_content("created\n", "text/plain");
}
void show_me(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.set_content("me\n", "text/plain"); // beats /users/{id}: a literal is more specific
}
void static_file(const httplib::Request& req, httplib::Response& res, const route_args&) {
    res.set_content("static " + req.path + "\n", "text/plain");
}
void file_path(const httplib::Request&, httplib::Response& res, const route_args& args) {
    res.set_content("file " + text(args.match.value("path")) + "\n", "text/plain");
}
void local_only(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.set_content("host-specific\n", "text/plain"); // a pattern with a host wins
}
void anywhere(const httplib::Request&, httplib::Response& res, const route_args&) {
    res.set_content("any host\n", "text/plain");
}

/// The request target's path, as sent (escaped), without the query.
std::string_view raw_path(const httplib::Request& req) {
    std::string_view target = req.target.empty() ? std::string_view(req.path) : std::string_view(req.target);
    return target.substr(0, target.find('?'));
}

} // namespace

int main(int argc, char** argv) {
    sigset_t stop_signals;
    if (!examples::block_stop_signals(stop_signals)) {
        std::fprintf(stderr, "router: cannot block SIGINT/SIGTERM\n");
        return 1;
    }

    roster::handler_registry<route_fn> routes("routes");
    // Registration order does not matter: the most specific pattern wins.
    routes.add("/static/", &static_file);
    routes.add("GET /users/{id}", &show_user);
    routes.add("GET /users/me", &show_me);
    routes.add("GET /users", &list_users);
    routes.add("POST /users", &create_user);
    routes.add("GET /files/{path...}", &file_path);
    routes.add("GET /{$}", &home);
    routes.add("GET /where", &anywhere);
    routes.add("GET 127.0.0.1/where", &local_only);

    // A conflict is refused, naming both patterns and an example request.
    const auto refused = routes.try_add("GET /{section}/me", &show_me);
    std::printf("router: refused as expected:\n%s\n", refused.error().message.c_str());
    routes.freeze(); // every route known: lock-free dispatch from here on

    httplib::Server server;
    server.set_pre_routing_handler([&routes](const httplib::Request& req, httplib::Response& res) {
        const std::string host = req.get_header_value("Host");
        const auto match = routes.match(req.method, host, raw_path(req));
        switch (match.status()) {
        case roster::route_status::matched:
            res.set_header("X-Route-Pattern", std::string(match.pattern()));
            match.handler()(req, res, route_args{match});
            break;
        case roster::route_status::not_found:
            res.status = 404;
            res.set_content("404 page not found\n", "text/plain");
            break;
        case roster::route_status::method_not_allowed:
            res.status = 405;
            res.set_header("Allow", match.allow_header());
            res.set_content("405 method not allowed\n", "text/plain");
            break;
        case roster::route_status::redirect: {
            std::string location = match.location();
            if (const auto q = req.target.find('?'); q != std::string::npos) location += req.target.substr(q);
            res.status = 301; // what Go 1.22's ServeMux answers
            res.set_header("Location", location);
            break;
        }
        }
        return httplib::Server::HandlerResponse::Handled;
    });
    return examples::serve(server, stop_signals, argc >= 2 ? argv[1] : nullptr, "router");
}
