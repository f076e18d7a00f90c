// Tests of roster/etcd.hpp against real etcd servers (tests/support/etcd_cluster.hpp
// starts them on 127.0.0.1 with free ports and temporary directories).
// Measured latencies are printed, and appended to $ROSTER_ETCD_FIGURES when set.
#include "support/catch.hpp"
#include "support/etcd_cluster.hpp"

#include <roster/catalog.hpp>
#include <roster/counters.hpp>
#include <roster/etcd.hpp>
#include <roster/prometheus.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ROSTER_ETCD_ANNOUNCE_TOOL
#    error "ROSTER_ETCD_ANNOUNCE_TOOL: the path of roster_etcd_announce (tests/CMakeLists.txt defines it)"
#endif

using namespace std::chrono_literals;
using roster::etcd::key_value;
using roster_test::eventually;

namespace {

using value_ptr = std::shared_ptr<const std::string>;
using clock_type = std::chrono::steady_clock;

value_ptr decode_text(const key_value& kv) {
    if (kv.value.rfind("bad", 0) == 0) throw std::invalid_argument("value starts with \"bad\"");
    if (kv.value == "null") return nullptr; // refused by the registry's on_null policy
    return std::make_shared<const std::string>(kv.value);
}

template <class Mirror>
std::string read_value(const Mirror& m, std::string_view key) {
    std::string out = "<absent>";
    m.visit(key, [&](const value_ptr& v) { out = *v; });
    return out;
}

void figure(const std::string& line) {
    std::printf("etcd figure: %s\n", line.c_str());
    std::fflush(stdout);
    if (const char* path = std::getenv("ROSTER_ETCD_FIGURES"); path != nullptr && *path != '\0')
        std::ofstream(path, std::ios::app) << line << '\n';
}

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

/// The announcing process: roster_etcd_announce with a pipe to its stdin.
class announce_process {
public:
    announce_process(const std::vector<std::string>& endpoints, const std::string& prefix, int ttl,
                     const std::string& key, const std::string& value) {
        int to_child[2];
        int from_child[2];
        REQUIRE(::pipe(to_child) == 0);
        REQUIRE(::pipe(from_child) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(to_child[0], 0);
            ::dup2(from_child[1], 1);
            ::close(to_child[1]);
            ::close(from_child[0]);
            std::vector<std::string> args{ROSTER_ETCD_ANNOUNCE_TOOL, joined(endpoints), prefix, std::to_string(ttl), key,
                                          value};
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        in_ = to_child[1];
        out_ = ::fdopen(from_child[0], "r");
    }
    ~announce_process() {
        if (pid_ > 0) kill(SIGKILL);
        if (in_ >= 0) ::close(in_);
        if (out_ != nullptr) std::fclose(out_);
    }
    std::string read_line() {
        char buffer[4096];
        if (std::fgets(buffer, sizeof buffer, out_) == nullptr) return "<eof>";
        std::string line = buffer;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        return line;
    }
    void send(const std::string& line) {
        const std::string text = line + "\n";
        REQUIRE(::write(in_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    void kill(int signal) {
        ::kill(pid_, signal);
        wait();
    }

private:
    pid_t pid_ = -1;
    int in_ = -1;
    FILE* out_ = nullptr;
};

/// Change events, recorded as "kind key" lines.
struct event_log {
    std::mutex mutex;
    std::vector<std::string> lines;
    template <class Event>
    void operator()(const Event& e) {
        const std::lock_guard lock(mutex);
        lines.push_back(std::string(roster::to_string(e.kind)) + " " + (e.key ? *e.key : std::string()));
    }
    std::vector<std::string> take() {
        const std::lock_guard lock(mutex);
        return std::exchange(lines, {});
    }
};

} // namespace

TEST_CASE("a mirror reads the prefix, then follows puts and deletes, one version per watch response", "[etcd]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::client etcd(cluster.options(), "writer");
    etcd.put("svc/a", "1");
    etcd.put("svc/b", "2");
    etcd.put("other/x", "outside the prefix");

    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "svc/", decode_text);
    const auto synced = m.wait_synced(5s);
    CHECK(synced >= 3);
    CHECK(m.size() == 2);
    CHECK(read_value(m, "a") == "1");
    CHECK_FALSE(m.contains("x"));
    CHECK(m.status().synced);

    event_log log;
    auto sub = m.subscribe(std::ref(log));
    const auto before = m.version();
    const auto put_at = etcd.put("svc/c", "3");
    REQUIRE(m.wait_for_revision(put_at, 5s));
    CHECK(read_value(m, "c") == "3");
    CHECK(m.version() == before + 1);
    const auto changed_at = etcd.put("svc/a", "1b");
    REQUIRE(m.wait_for_revision(changed_at, 5s));
    CHECK(read_value(m, "a") == "1b");
    const auto removed_at = etcd.remove("svc/b");
    REQUIRE(m.wait_for_revision(removed_at, 5s));
    CHECK_FALSE(m.contains("b"));
    CHECK(m.status().revision == removed_at);
    CHECK(log.take() == std::vector<std::string>{"added c", "changed a", "removed b"});
    CHECK(m.status().connected);
    CHECK(m.status().last_error == std::nullopt);
}

TEST_CASE("a refused value is reported with its key and revision and the key keeps its last good value", "[etcd]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::client etcd(cluster.options(), "writer");
    etcd.put("svc/good", "v1");
    std::mutex mutex;
    std::vector<roster::etcd::refusal> heard;
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "svc/", decode_text,
                                      [&](const roster::etcd::refusal& r) {
                                          const std::lock_guard lock(mutex);
                                          heard.push_back(r);
                                      });
    m.wait_synced(5s);
    const auto bad_at = etcd.put("svc/good", "bad value");
    const auto null_at = etcd.put("svc/nothing", "null");
    REQUIRE(m.wait_for_revision(null_at, 5s));
    CHECK(read_value(m, "good") == "v1");
    CHECK_FALSE(m.contains("nothing"));
    const auto refusals = m.refusals();
    REQUIRE(refusals.size() == 2);
    CHECK(refusals[0].key == "good");
    CHECK(refusals[0].revision == bad_at);
    CHECK_THAT(refusals[0].message, roster_test::contains("registry \"services\""));
    CHECK_THAT(refusals[0].message, roster_test::contains("key \"good\""));
    CHECK_THAT(refusals[0].message, roster_test::contains("revision " + std::to_string(bad_at)));
    CHECK_THAT(refusals[0].message, roster_test::contains("the decoder threw: value starts with \"bad\""));
    CHECK(refusals[1].key == "nothing");
    CHECK_THAT(refusals[1].message, roster_test::contains("null"));
    CHECK(m.status().refused == 2);
    {
        const std::lock_guard lock(mutex);
        CHECK(heard.size() == 2);
    }
    // A good value clears the refusal; an empty key (the prefix itself) is refused too.
    const auto fixed_at = etcd.put("svc/good", "v2");
    const auto empty_at = etcd.put("svc/", "the prefix itself");
    REQUIRE(m.wait_for_revision(std::max(fixed_at, empty_at), 5s));
    CHECK(read_value(m, "good") == "v2");
    const auto now = m.refusals();
    REQUIRE(now.size() == 2);
    CHECK(now[0].key.empty());
    CHECK(now[1].key == "nothing");
    CHECK_THAT(m.prometheus(), roster_test::contains("roster_etcd_refused_keys{registry=\"services\"} 2"));
}

TEST_CASE("an announcement in one process appears, changes and disappears in another process's mirror", "[etcd]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "services/", decode_text);
    m.wait_synced(5s);

    auto start = clock_type::now();
    announce_process other(cluster.endpoints(), "services/", 5, "payments/10.0.0.7:8443", R"({"weight": 3})");
    REQUIRE(other.read_line() == "announced");
    const double announced_ms = ms_since(start);
    REQUIRE(eventually([&] { return m.contains("payments/10.0.0.7:8443"); }, 5000ms));
    const double appear_ms = ms_since(start);
    CHECK(read_value(m, "payments/10.0.0.7:8443") == R"({"weight": 3})");

    start = clock_type::now();
    other.send(R"(set {"weight": 5})");
    REQUIRE(eventually([&] { return read_value(m, "payments/10.0.0.7:8443") == R"({"weight": 5})"; }, 5000ms));
    const double change_ms = ms_since(start);
    CHECK(other.read_line() == "replaced");

    start = clock_type::now();
    other.send("quit");
    REQUIRE(eventually([&] { return !m.contains("payments/10.0.0.7:8443"); }, 5000ms));
    const double vanish_ms = ms_since(start);
    CHECK(other.wait() == 0);
    figure("two processes: appear " + std::to_string(appear_ms) + " ms after start (announce took " +
           std::to_string(announced_ms) + " ms), change visible after " + std::to_string(change_ms) +
           " ms, gone " + std::to_string(vanish_ms) + " ms after a clean shutdown");
}

TEST_CASE("kill -9 of the announcing process: its entry disappears within the TTL plus one second", "[etcd]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "services/", decode_text);
    m.wait_synced(5s);
    constexpr int ttl = 2;
    announce_process other(cluster.endpoints(), "services/", ttl, "victim", "here");
    REQUIRE(other.read_line() == "announced");
    REQUIRE(eventually([&] { return m.contains("victim"); }, 5000ms));
    // Alive past its TTL: the keep-alives work.
    std::this_thread::sleep_for(std::chrono::seconds(ttl) + 500ms);
    CHECK(m.contains("victim"));
    const auto killed = clock_type::now();
    other.kill(SIGKILL);
    REQUIRE(eventually([&] { return !m.contains("victim"); }, std::chrono::seconds(ttl + 1)));
    figure("kill -9: entry gone " + std::to_string(ms_since(killed)) + " ms after the kill (TTL " +
           std::to_string(ttl) + " s)");
}

TEST_CASE("two announcers racing for one key: exactly one wins and the others follow their duplicate policy",
          "[etcd]") {
    roster_test::etcd_cluster cluster;
    constexpr int racers = 6;
    std::vector<std::unique_ptr<roster::etcd::announcer>> announcers;
    for (int i = 0; i < racers; ++i)
        announcers.push_back(std::make_unique<roster::etcd::announcer>("racer" + std::to_string(i), cluster.options(),
                                                                       "svc/", 5s));
    std::atomic<int> won{0};
    std::atomic<int> refused{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < racers; ++i)
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            auto r = announcers[static_cast<std::size_t>(i)]->try_announce("leader", "racer" + std::to_string(i));
            if (r && *r == roster::add_status::added) ++won;
            else if (!r && r.error().code == roster::errc::duplicate_key) ++refused;
        });
    go = true;
    for (auto& t : threads) t.join();
    CHECK(won == 1);
    CHECK(refused == racers - 1);

    roster::etcd::client etcd(cluster.options(), "reader");
    const auto held = etcd.get_prefix("svc/leader");
    REQUIRE(held.kvs.size() == 1);
    const std::string winner = held.kvs[0].value;

    roster::etcd::basic_announcer<roster::on_duplicate::keep_first> polite("polite", cluster.options(), "svc/", 5s);
    CHECK(polite.announce("leader", "polite") == roster::add_status::kept_existing);
    roster::etcd::basic_announcer<roster::on_duplicate::replace> pushy("pushy", cluster.options(), "svc/", 5s);
    CHECK(pushy.announce("leader", "pushy") == roster::add_status::replaced);
    CHECK(etcd.get_prefix("svc/leader").kvs.at(0).value == "pushy");
    CHECK(winner.rfind("racer", 0) == 0);

    // A refusal names the registry, the key, the site and the holder.
    auto late = announcers[0]->try_announce("leader", "again?");
    if (winner != "racer0") {
        REQUIRE_FALSE(late);
        CHECK_THAT(late.error().message, roster_test::contains("registry \"racer0\": duplicate key \"leader\""));
        CHECK_THAT(late.error().message, roster_test::contains("etcd.cpp"));
        CHECK_THAT(late.error().message, roster_test::contains("already held by lease"));
    }
    // Withdrawing a key another announcer took over leaves it alone.
    const auto winner_index = static_cast<std::size_t>(winner.back() - '0');
    CHECK(announcers[winner_index]->try_withdraw("leader"));
    CHECK(etcd.get_prefix("svc/leader").kvs.at(0).value == "pushy");
    CHECK(announcers[winner_index]->try_withdraw("never").error().code == roster::errc::not_found);
}

TEST_CASE("etcd stopped and restarted under a mirror: the old snapshot serves, it reports itself disconnected, "
          "then catches up with every change made meanwhile",
          "[etcd]") {
    roster_test::etcd_cluster cluster({3});
    const auto endpoints = cluster.endpoints();
    auto pinned = cluster.options();
    pinned.endpoints = {endpoints[0]}; // the mirror reads only member 0
    auto others = cluster.options();
    others.endpoints = {endpoints[1], endpoints[2]};
    roster::etcd::client etcd(others, "writer");
    etcd.put("svc/kept", "k");
    etcd.put("svc/changed", "c1");
    etcd.put("svc/removed", "r");

    roster::etcd::mirror<value_ptr> m("services", pinned, "svc/", decode_text);
    m.wait_synced(5s);
    REQUIRE(m.size() == 3);
    event_log log;
    auto sub = m.subscribe(std::ref(log));

    cluster.kill(0, SIGTERM);
    const auto stopped = clock_type::now();
    REQUIRE(eventually([&] { return !m.status().connected; }, 5000ms));
    const double noticed_ms = ms_since(stopped);
    // Changes made while the mirror's member is down.
    etcd.put("svc/changed", "c2");
    etcd.remove("svc/removed");
    etcd.put("svc/added", "a");
    const auto last = etcd.put("svc/added2", "a2");
    std::this_thread::sleep_for(600ms);
    CHECK(m.size() == 3);                     // the old snapshot keeps serving
    CHECK(read_value(m, "changed") == "c1");
    const auto status = m.status();
    CHECK_FALSE(status.connected);
    CHECK(status.staleness >= 500ms);
    REQUIRE(status.last_error.has_value());
    CHECK(status.last_error->code == roster::errc::unavailable);
    CHECK_THAT(m.prometheus(), roster_test::contains("roster_etcd_connected{registry=\"services\"} 0"));

    const auto restarted = clock_type::now();
    cluster.restart(0);
    REQUIRE(m.wait_for_revision(last, 10s));
    const double caught_up_ms = ms_since(restarted);
    REQUIRE(eventually([&] { return m.status().connected; }, 5000ms));
    CHECK(m.size() == 4);
    CHECK(read_value(m, "changed") == "c2");
    CHECK_FALSE(m.contains("removed"));
    CHECK(read_value(m, "added2") == "a2");
    CHECK(m.status().reconnects >= 1);
    // Every change exactly once, none lost, none repeated.
    auto events = log.take();
    std::multiset<std::string> got(events.begin(), events.end());
    CHECK(got == std::multiset<std::string>{"changed changed", "removed removed", "added added", "added added2"});
    figure("member stopped: disconnection noticed after " + std::to_string(noticed_ms) +
           " ms; caught up " + std::to_string(caught_up_ms) + " ms after the restart began");
}

TEST_CASE("compaction past the mirror's revision: one full resync, no key lost or duplicated", "[etcd]") {
    roster_test::etcd_cluster cluster({3});
    const auto endpoints = cluster.endpoints();
    auto pinned = cluster.options();
    pinned.endpoints = {endpoints[0]};
    auto others = cluster.options();
    others.endpoints = {endpoints[1], endpoints[2]};
    roster::etcd::client etcd(others, "writer");
    for (int i = 0; i < 20; ++i) etcd.put("svc/k" + std::to_string(i), "v0");

    roster::etcd::mirror<value_ptr> m("services", pinned, "svc/", decode_text);
    m.wait_synced(5s);
    REQUIRE(m.size() == 20);

    cluster.kill(0, SIGKILL);
    std::int64_t last = 0;
    for (int i = 0; i < 20; i += 2) last = etcd.put("svc/k" + std::to_string(i), "v1");
    for (int i = 1; i < 20; i += 4) last = etcd.remove("svc/k" + std::to_string(i));
    for (int i = 20; i < 25; ++i) last = etcd.put("svc/k" + std::to_string(i), "new");
    etcd.try_compact(last).value();
    const auto version_before = m.version();

    cluster.restart(0);
    REQUIRE(m.wait_for_revision(last, 10s));
    CHECK(m.status().resyncs == 1);
    CHECK(m.version() == version_before + 1); // the resync replaced the set in one step

    const auto truth = etcd.get_prefix("svc/");
    std::map<std::string, std::string> expected;
    for (const auto& kv : truth.kvs) expected.emplace(kv.key.substr(4), kv.value);
    std::map<std::string, std::string> mirrored;
    std::size_t entries = 0;
    for (const auto& [key, value] : m.current()) {
        mirrored.emplace(key, *value);
        ++entries;
    }
    CHECK(entries == mirrored.size()); // no key twice
    CHECK(mirrored == expected);
    CHECK(mirrored.size() == 20);
}

TEST_CASE("a 3-member cluster loses its leader: the mirror and the announcer carry on through the other members",
          "[etcd]") {
    roster_test::etcd_cluster cluster({3});
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "svc/", decode_text);
    m.wait_synced(5s);
    roster::etcd::announcer self("self", cluster.options(), "svc/", 2s);
    self.announce("me", "alive");
    REQUIRE(eventually([&] { return m.contains("me"); }, 5000ms));

    const int leader = cluster.leader();
    REQUIRE(leader >= 0);
    const auto killed = clock_type::now();
    cluster.kill(leader, SIGKILL);
    roster::etcd::client etcd(cluster.options(), "writer");
    std::int64_t after = 0;
    REQUIRE(eventually(
        [&] {
            auto put = etcd.try_put("svc/after", "written after the leader died");
            if (put) after = *put;
            return static_cast<bool>(put);
        },
        10000ms));
    const double write_ms = ms_since(killed);
    REQUIRE(m.wait_for_revision(after, 10s));
    const double visible_ms = ms_since(killed);
    CHECK(read_value(m, "after") == "written after the leader died");
    // The lease is kept alive through the survivors: still there after twice its TTL.
    std::this_thread::sleep_for(4s);
    CHECK(m.contains("me"));
    CHECK(self.status().connected);
    CHECK(self.announce("me-too", "also") == roster::add_status::added);
    REQUIRE(eventually([&] { return m.contains("me-too"); }, 5000ms));
    figure("leader killed: first write accepted after " + std::to_string(write_ms) + " ms, visible in the mirror after " +
           std::to_string(visible_ms) + " ms");
}

TEST_CASE("with authentication, a wrong password is a clear error, nothing is mirrored and no credential is shown",
          "[etcd]") {
    roster_test::cluster_settings settings;
    settings.auth = true;
    roster_test::etcd_cluster cluster(settings);
    roster::etcd::client admin(cluster.options(), "admin");
    admin.put("svc/a", "1");

    auto wrong = cluster.options();
    wrong.auth->password = "not-the-Pa55word";
    roster::etcd::mirror<value_ptr> m("services", wrong, "svc/", decode_text);
    auto synced = m.try_wait_synced(2s);
    REQUIRE_FALSE(synced);
    CHECK(synced.error().code == roster::errc::access_denied);
    CHECK_THAT(synced.error().message, roster_test::contains("authentication failed"));
    CHECK(m.size() == 0);
    CHECK_FALSE(m.status().synced);
    const auto everything = synced.error().message + m.prometheus() + m.status().last_error.value().message;
    CHECK(everything.find("not-the-Pa55word") == std::string::npos);
    CHECK(everything.find(settings.password) == std::string::npos);

    roster::etcd::announcer denied("denied", wrong, "svc/", 5s);
    auto announced = denied.try_announce("x", "y");
    REQUIRE_FALSE(announced);
    CHECK(announced.error().code == roster::errc::access_denied);
    CHECK(announced.error().message.find("not-the-Pa55word") == std::string::npos);

    // Credentials in an endpoint URL are not shown either.
    auto in_url = cluster.options();
    in_url.endpoints = {"http://root:url-Secret@" + cluster.endpoints()[0].substr(7)};
    in_url.auth->password = "wrong-again";
    roster::etcd::client leaky(in_url, "leaky");
    auto r = leaky.try_range("svc/a");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("url-Secret") == std::string::npos);
    CHECK(r.error().message.find("wrong-again") == std::string::npos);

    roster::etcd::mirror<value_ptr> right("services-ok", cluster.options(), "svc/", decode_text);
    right.wait_synced(5s);
    CHECK(read_value(right, "a") == "1");
}

TEST_CASE("over TLS with a CA made by the test, the mirror and the announcer work; without the CA nothing connects",
          "[etcd]") {
    roster_test::cluster_settings settings;
    settings.tls = true;
    roster_test::etcd_cluster cluster(settings);
    REQUIRE(cluster.endpoints()[0].rfind("https://", 0) == 0);
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "svc/", decode_text);
    m.wait_synced(5s);
    roster::etcd::announcer self("self", cluster.options(), "svc/", 5s);
    self.announce("secure", "yes");
    REQUIRE(eventually([&] { return m.contains("secure"); }, 5000ms));

    auto untrusted = cluster.options();
    untrusted.tls.ca_file.clear(); // the system's CAs do not know the test's CA
    roster::etcd::client c(untrusted, "untrusted");
    auto r = c.try_range("svc/secure");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == roster::errc::unavailable);
    CHECK_THAT(r.error().message, roster_test::contains("certificate"));
}

TEST_CASE("readers on many threads see whole snapshots while the watch applies changes", "[etcd][threads]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::client etcd(cluster.options(), "writer");
    etcd.put("svc/a", "0");
    etcd.put("svc/b", "0");
    roster::etcd::mirror<value_ptr> m("services", cluster.options(), "svc/", decode_text);
    m.wait_synced(5s);
    std::atomic<bool> done{false};
    std::atomic<long> torn{0};
    std::atomic<long> reads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            while (!done.load()) {
                // a and b are written together (one transaction): a snapshot has equal values.
                const auto snap = m.current();
                std::string a, b;
                snap->visit("a", [&](const value_ptr& v) { a = *v; });
                snap->visit("b", [&](const value_ptr& v) { b = *v; });
                if (a != b) ++torn;
                static_cast<void>(m.status());
                ++reads;
            }
        });
    std::int64_t last = 0;
    for (int i = 1; i <= 30; ++i) {
        const std::string v = std::to_string(i);
        const nlohmann::json body{
            {"success",
             nlohmann::json::array(
                 {{{"request_put", {{"key", roster::etcd::detail::base64_encode("svc/a")},
                                    {"value", roster::etcd::detail::base64_encode(v)}}}},
                  {{"request_put", {{"key", roster::etcd::detail::base64_encode("svc/b")},
                                    {"value", roster::etcd::detail::base64_encode(v)}}}}})}};
        auto reply = etcd.try_call("/v3/kv/txn", body, "write", "svc/a", roster::source_location::current());
        REQUIRE(reply);
        last = roster::etcd::detail::header_revision(*reply);
    }
    REQUIRE(m.wait_for_revision(last, 5s));
    done = true;
    for (auto& t : readers) t.join();
    CHECK(torn == 0);
    CHECK(reads > 0);
    CHECK(read_value(m, "a") == "30");
}

TEST_CASE("a listed, counted mirror is in the catalog like any registry, and its report carries the etcd side",
          "[etcd]") {
    roster_test::etcd_cluster cluster;
    roster::etcd::client etcd(cluster.options(), "writer");
    const auto put_at = etcd.put("svc/a", "1");
    roster::etcd::mirror<value_ptr, roster::listing::listed, roster::counters::per_registry> m(
        "listed-services", cluster.options(), "svc/", decode_text);
    m.wait_synced(5s);
    CHECK(read_value(m, "a") == "1");
    CHECK_FALSE(m.get("missing").has_value());
    CHECK(m.lookups().hits == 1);
    CHECK(m.lookups().misses == 1);

    bool listed = false;
    for (const roster::registry_report& r : roster::catalog::instance().snapshot()) {
        if (r.name != "listed-services") continue;
        listed = true;
        REQUIRE(r.entries.size() == 1);
        CHECK(r.entries[0].key == "\"a\"");
        REQUIRE(r.lookups.has_value());
        CHECK(r.lookups->hits == 1);
    }
    CHECK(listed);

    const auto report = m.report();
    CHECK(report.registry.name == "listed-services");
    CHECK(report.etcd.revision == put_at);
    CHECK(report.etcd.synced);
    CHECK(report.etcd.endpoint == cluster.endpoints()[0]);
    const std::string text = roster::to_prometheus() + m.prometheus();
    CHECK_THAT(text, roster_test::contains("roster_etcd_revision{registry=\"listed-services\"} " + std::to_string(put_at)));
    CHECK_THAT(text, roster_test::contains("registry=\"listed-services\""));
}
