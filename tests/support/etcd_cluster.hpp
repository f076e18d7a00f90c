// Real etcd servers for the tests of roster/etcd.hpp: each member an `etcd`
// process on 127.0.0.1 with free ports and a temporary data directory,
// started, killed (SIGKILL), stopped (SIGTERM) and restarted on demand, and
// everything removed at the end. Optionally TLS (a CA and a server
// certificate made with the openssl command) and authentication (user root).
//
// The etcd binary: $ROSTER_ETCD, else `etcd` on PATH (Debian: etcd-server).
#pragma once

#include <roster/etcd.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace roster_test {

/// The etcd binary to run, or "" when there is none.
inline std::string etcd_binary() {
    if (const char* given = std::getenv("ROSTER_ETCD"); given != nullptr && *given != '\0') return given;
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = dirs.find(':', start);
        const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/etcd";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return {};
}

/// A TCP port nobody listens on now (bound to 0 and released).
inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct cluster_settings {
    int members = 1;
    bool tls = false;           ///< serve https with a CA made for the test
    bool auth = false;          ///< enable authentication: user "root", password below
    std::string password = "s3cret-Pa55";
};

class etcd_cluster {
public:
    explicit etcd_cluster(cluster_settings settings = {}) : settings_(settings) {
        binary_ = etcd_binary();
        if (binary_.empty()) throw std::runtime_error("etcd not found (Debian: apt-get install etcd-server)");
        char tmpl[] = "/tmp/roster-etcd-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
        root_ = tmpl;
        if (settings_.tls) make_certificates();
        for (int i = 0; i < settings_.members; ++i)
            members_.push_back({"m" + std::to_string(i), free_port(), free_port(), -1});
        for (int i = 0; i < settings_.members; ++i) start(i, true);
        wait_healthy();
        if (settings_.auth) enable_auth();
    }

    etcd_cluster(const etcd_cluster&) = delete;
    etcd_cluster& operator=(const etcd_cluster&) = delete;

    ~etcd_cluster() {
        for (std::size_t i = 0; i < members_.size(); ++i) kill(static_cast<int>(i), SIGKILL);
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

    /// The client URLs of the members.
    std::vector<std::string> endpoints() const {
        std::vector<std::string> out;
        for (const auto& m : members_) out.push_back(url(m.client_port));
        return out;
    }

    /// Options for roster's client: every member, TLS and credentials as set.
    roster::etcd::options options() const {
        roster::etcd::options o;
        o.endpoints = endpoints();
        o.connect_timeout = std::chrono::milliseconds(500);
        o.request_timeout = std::chrono::milliseconds(2000);
        o.heartbeat = std::chrono::milliseconds(300);
        o.retry_min = std::chrono::milliseconds(50);
        o.retry_max = std::chrono::milliseconds(300);
        if (settings_.tls) o.tls.ca_file = (root_ / "ca.pem").string();
        if (settings_.auth) o.auth = roster::etcd::credentials{"root", settings_.password};
        return o;
    }

    const std::filesystem::path& directory() const noexcept { return root_; }

    /// Sends `signal` to member i and waits for it to exit.
    void kill(int i, int signal) {
        auto& m = members_[static_cast<std::size_t>(i)];
        if (m.pid <= 0) return;
        ::kill(m.pid, signal);
        int status = 0;
        ::waitpid(m.pid, &status, 0);
        m.pid = -1;
    }

    /// Starts member i again (same ports, same data directory).
    void restart(int i) {
        start(i, false);
        wait_healthy();
    }

    /// The index of the member that is the leader now (-1 if none answers).
    int leader() const {
        for (std::size_t i = 0; i < members_.size(); ++i) {
            if (members_[i].pid <= 0) continue;
            roster::etcd::options o = options();
            o.endpoints = {url(members_[i].client_port)};
            roster::etcd::client c(o, "probe");
            auto status = c.try_call("/v3/maintenance/status", nlohmann::json::object(), "status", "",
                                     roster::source_location::current());
            if (!status) continue;
            const auto me = (*status)["header"].value("member_id", std::string());
            if (!me.empty() && status->value("leader", std::string()) == me) return static_cast<int>(i);
        }
        return -1;
    }

private:
    struct member {
        std::string name;
        int client_port;
        int peer_port;
        pid_t pid;
    };

    std::string url(int port) const {
        return (settings_.tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
    }

    void start(int i, bool fresh) {
        auto& m = members_[static_cast<std::size_t>(i)];
        std::string cluster;
        for (const auto& other : members_) {
            if (!cluster.empty()) cluster += ',';
            cluster += other.name + "=http://127.0.0.1:" + std::to_string(other.peer_port);
        }
        const std::string dir = (root_ / m.name).string();
        std::vector<std::string> args{binary_,
                                      "--name=" + m.name,
                                      "--data-dir=" + dir,
                                      "--listen-client-urls=" + url(m.client_port),
                                      "--advertise-client-urls=" + url(m.client_port),
                                      "--listen-peer-urls=http://127.0.0.1:" + std::to_string(m.peer_port),
                                      "--initial-advertise-peer-urls=http://127.0.0.1:" + std::to_string(m.peer_port),
                                      "--initial-cluster=" + cluster,
                                      "--initial-cluster-state=new",
                                      "--initial-cluster-token=roster-test",
                                      "--heartbeat-interval=50",
                                      "--election-timeout=500",
                                      "--log-level=error"};
        if (settings_.tls) {
            args.push_back("--cert-file=" + (root_ / "server.pem").string());
            args.push_back("--key-file=" + (root_ / "server-key.pem").string());
        }
        static_cast<void>(fresh);
        const std::string log = (root_ / (m.name + ".log")).string();
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
            }
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(binary_.c_str(), argv.data());
            ::_exit(127);
        }
        m.pid = pid;
    }

    /// Waits until every running member serves a linearizable read.
    void wait_healthy() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (const auto& m : members_) {
            if (m.pid <= 0) continue;
            roster::etcd::options o = options();
            o.endpoints = {url(m.client_port)};
            o.auth.reset();
            roster::etcd::client c(o, "probe");
            for (;;) {
                auto r = c.try_range("health");
                if (r || r.error().code == roster::errc::access_denied) break;
                if (std::chrono::steady_clock::now() > deadline)
                    throw std::runtime_error("etcd did not become healthy: " + r.error().message);
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }

    void enable_auth() {
        roster::etcd::options o = options();
        o.auth.reset();
        roster::etcd::client c(o, "setup");
        const auto here = roster::source_location::current();
        c.try_call("/v3/auth/user/add", {{"name", "root"}, {"password", settings_.password}}, "add user", "", here).value();
        c.try_call("/v3/auth/role/add", {{"name", "root"}}, "add role", "", here).value();
        c.try_call("/v3/auth/user/grant", {{"user", "root"}, {"role", "root"}}, "grant", "", here).value();
        c.try_call("/v3/auth/enable", nlohmann::json::object(), "enable auth", "", here).value();
    }

    void make_certificates() {
        const std::string d = root_.string();
        std::ofstream(root_ / "san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
        const std::string script =
            "cd '" + d + "' && "
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=roster-test-ca -keyout ca-key.pem -out ca.pem && "
            "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr && "
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 "
            "-extfile san.cnf -out server.pem";
        if (std::system(("(" + script + ") > '" + d + "/openssl.log' 2>&1").c_str()) != 0)
            throw std::runtime_error("openssl failed: see " + d + "/openssl.log");
    }

    cluster_settings settings_;
    std::string binary_;
    std::filesystem::path root_;
    std::vector<member> members_;
};

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace roster_test
