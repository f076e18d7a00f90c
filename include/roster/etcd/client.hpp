// roster/etcd/client.hpp — roster::etcd::client: the calls roster makes to
// etcd (v3), over etcd's JSON gateway with libcurl. Part of the optional
// roster/etcd.hpp; include that header, not this one.
//
//   roster::etcd::options opts;
//   opts.endpoints = {"http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"};
//   roster::etcd::client etcd(opts);
//   etcd.put("services/payments/10.0.0.7:8443", R"({"weight": 3})");
//   for (const auto& kv : etcd.get_prefix("services/").kvs) ...
//
// Why the JSON gateway and libcurl: every etcd since 3.3 serves its v3 API as
// JSON over the client port (`/v3/kv/range`, `/v3/watch`, ...), so one
// HTTP/1.1 client reaches it with no generated code. libcurl is on every
// platform, is a C library (no ODR or ABI-tag questions in a header-only
// library), speaks TLS with client certificates, streams responses (the
// watch) and lets a callback abort a transfer (stopping a watch). The
// alternative, gRPC with etcd's protos, would need protoc-generated sources
// compiled into the user's build and gRPC's own runtime. See docs/distributed.md.
//
// Guarantees
// - Failover: a call that cannot reach its endpoint (connection refused or
//   reset, timeout, TLS failure, or an etcd member that answers "no leader" /
//   "unavailable") is retried on the next endpoint, each endpoint once per
//   call; the endpoint that answered becomes the one tried first.
// - Authentication: with `options::auth`, the client authenticates on first
//   use and again when etcd says the token expired. A refusal is an
//   errc::access_denied error.
// - Credentials never appear in any message, report or export: not the
//   password, not the token, not userinfo in an endpoint URL (shown as
//   scheme://host:port only).
// - Thread safety: every member may be called from any thread; calls are
//   serialised on one connection (a watch uses its own connection).
// - Errors: every try_ function returns roster::result; the plain one
//   raises it (unavailable_error, access_denied_error, error).
//
// Requirements: libcurl (Debian libcurl4-openssl-dev; CMake CURL::libcurl)
// and nlohmann/json (nlohmann-json3-dev).
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/error.hpp"
#include "roster/source_location.hpp"

#if !defined(__has_include)
#    error "roster/etcd.hpp needs __has_include"
#elif !__has_include(<curl/curl.h>)
#    error "roster/etcd.hpp needs libcurl (Debian: libcurl4-openssl-dev; CMake: CURL::libcurl)"
#elif !__has_include(<nlohmann/json.hpp>)
#    error "roster/etcd.hpp needs nlohmann/json (Debian: nlohmann-json3-dev; CMake: nlohmann_json::nlohmann_json)"
#endif

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>  // std::min
#include <atomic>     // std::atomic
#include <chrono>     // timeouts
#include <cstddef>    // std::size_t
#include <cstdint>    // std::int64_t
#include <functional> // std::function
#include <memory>     // std::unique_ptr
#include <mutex>      // std::mutex
#include <optional>   // std::optional
#include <string>     // std::string
#include <string_view>
#include <thread>     // std::this_thread::sleep_for
#include <utility>    // std::move
#include <vector>     // std::vector

ROSTER_BEGIN_NAMESPACE
namespace etcd {

/// A user and password for etcd's authentication (`etcdctl auth enable`).
/// Never printed, logged, reported or exported.
struct credentials {
    std::string user;     ///< the etcd user name
    std::string password; ///< its password
};

/// TLS files, for `https://` endpoints. Empty members use libcurl's defaults
/// (the system's CA bundle; no client certificate).
struct tls_files {
    std::string ca_file;   ///< PEM file of the CA that signed the servers' certificates
    std::string cert_file; ///< PEM client certificate, when etcd asks for one (--client-cert-auth)
    std::string key_file;  ///< its PEM private key
};

/// How to reach one etcd cluster.
struct options {
    /// The members' client URLs, tried in order on failure:
    /// `http://host:port` or `https://host:port`.
    std::vector<std::string> endpoints{"http://127.0.0.1:2379"};
    /// Credentials, when the cluster has authentication enabled.
    std::optional<credentials> auth;
    /// TLS files, for https endpoints.
    tls_files tls;
    /// How long one connection attempt may take.
    std::chrono::milliseconds connect_timeout{1000};
    /// How long one request (not a watch) may take on one endpoint.
    std::chrono::milliseconds request_timeout{3000};
    /// The first pause between reconnection attempts (doubled up to retry_max).
    std::chrono::milliseconds retry_min{50};
    /// The longest pause between reconnection attempts.
    std::chrono::milliseconds retry_max{1000};
    /// How often a mirror confirms its connection with a linearizable read
    /// (what its staleness is measured against); also the announcer's
    /// shortest keep-alive period.
    std::chrono::milliseconds heartbeat{1000};
};

/// One key-value pair as etcd stores it.
struct key_value {
    std::string key;                ///< the full key
    std::string value;              ///< the value's bytes
    std::int64_t create_revision{}; ///< the revision that created the key
    std::int64_t mod_revision{};    ///< the revision of the last change
    std::int64_t version{};         ///< how many times the key changed since its creation
    std::int64_t lease{};           ///< the lease the key is attached to (0: none)
};

/// What a range read returns.
struct range_result {
    std::vector<key_value> kvs; ///< the pairs, in key order
    std::int64_t revision{};    ///< the store's revision the read was served at
};

/// What a compare-and-create returns.
struct create_outcome {
    bool created{};                   ///< true: the key was absent and now holds the value
    std::optional<key_value> existing; ///< when not created: the pair that is there
    std::int64_t revision{};          ///< the store's revision after the transaction
};

/// A lease granted by etcd.
struct lease {
    std::int64_t id{};  ///< the lease's ID
    std::int64_t ttl{}; ///< its TTL in seconds, as granted
};

namespace detail {

using ::roster::detail::text;

/// libcurl's global state, initialised once (thread-safe since C++11 statics).
inline void curl_global() {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    static_cast<void>(initialised);
}

/// Base64 (RFC 4648, with padding): how the JSON gateway carries bytes.
inline std::string base64_encode(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                       (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 2]));
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (i < in.size()) {
        auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

/// Decodes base64; std::nullopt on a character outside the alphabet.
inline std::optional<std::string> base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    out.reserve(in.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const int v = value(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFFu);
        }
    }
    return out;
}

/// The key just past every key that starts with `prefix` (etcd's range_end
/// for a prefix); "\0" (every key) for an empty prefix.
inline std::string prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(end.back());
        if (last < 0xFF) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');
}

/// An endpoint as messages show it: scheme://host:port, without userinfo,
/// path or query (so that credentials in a URL are never printed).
inline std::string shown_endpoint(std::string_view url) {
    std::string_view scheme;
    if (const auto sep = url.find("://"); sep != std::string_view::npos) {
        scheme = url.substr(0, sep + 3);
        url.remove_prefix(sep + 3);
    }
    if (const auto slash = url.find_first_of("/?#"); slash != std::string_view::npos) url = url.substr(0, slash);
    if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    return std::string(scheme) + std::string(url);
}

/// The endpoint URL without userinfo (what requests are sent to).
inline std::string base_url(std::string_view url) {
    std::string shown = shown_endpoint(url);
    if (shown.find("://") == std::string::npos) shown.insert(0, "http://");
    return shown;
}

/// An int64 the gateway sends as a string ("42") or, rarely, a number.
inline std::int64_t int64_of(const nlohmann::json& j, const char* member) {
    const auto it = j.find(member);
    if (it == j.end()) return 0;
    if (it->is_string()) {
        try {
            return std::stoll(it->get<std::string>());
        } catch (...) {
            return 0;
        }
    }
    if (it->is_number_integer()) return it->get<std::int64_t>();
    return 0;
}

/// A base64 member decoded ("" when absent or malformed).
inline std::string bytes_of(const nlohmann::json& j, const char* member) {
    const auto it = j.find(member);
    if (it == j.end() || !it->is_string()) return {};
    return base64_decode(it->get_ref<const std::string&>()).value_or(std::string{});
}

/// A key_value from the gateway's JSON (mvccpb.KeyValue).
inline key_value kv_of(const nlohmann::json& j) {
    return {bytes_of(j, "key"), bytes_of(j, "value"), int64_of(j, "create_revision"), int64_of(j, "mod_revision"),
            int64_of(j, "version"), int64_of(j, "lease")};
}

/// The revision in a response's header.
inline std::int64_t header_revision(const nlohmann::json& j) {
    const auto it = j.find("header");
    return it == j.end() ? 0 : int64_of(*it, "revision");
}

/// What one HTTP exchange gave.
struct http_reply {
    bool reached = false; ///< false: no HTTP answer (error says why)
    long status = 0;      ///< the HTTP status, when reached
    std::string body;     ///< the response body
    std::string error;    ///< libcurl's reason, when not reached
};

struct curl_deleter {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct slist_deleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

/// One libcurl handle: one connection, reused by successive requests of one
/// thread at a time. Streams the body to `on_data` when given; `keep_going`
/// is polled while a transfer waits (about every second, and on each chunk)
/// and ends it when it returns false.
class http_session {
public:
    using data_callback = std::function<bool(std::string_view)>;
    using poll_callback = std::function<bool()>;

    http_session() { curl_global(); }

    /// POSTs `body` (JSON) to `url`; `timeout` 0 means none (a watch).
    http_reply post(const std::string& url, const std::string& body, const std::string& authorization,
                    const tls_files& tls, std::chrono::milliseconds connect_timeout,
                    std::chrono::milliseconds timeout, const data_callback& on_data = {},
                    const poll_callback& keep_going = {}) {
        http_reply reply;
        if (!handle_) handle_.reset(curl_easy_init());
        CURL* h = handle_.get();
        if (h == nullptr) {
            reply.error = "libcurl could not create a handle";
            return reply;
        }
        curl_easy_reset(h);
        std::unique_ptr<curl_slist, slist_deleter> headers;
        auto add_header = [&](const std::string& line) {
            curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
            if (grown != nullptr) {
                static_cast<void>(headers.release());
                headers.reset(grown);
            }
        };
        add_header("Content-Type: application/json");
        // Ask etcd to refuse (rather than serve stale data from) a member cut
        // off from its leader: the gateway passes this on as gRPC metadata.
        add_header("Grpc-Metadata-hasleader: true");
        if (!authorization.empty()) add_header("Authorization: " + authorization);

        transfer state{&reply.body, on_data ? &on_data : nullptr, keep_going ? &keep_going : nullptr};
        char error_buffer[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &transfer::write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
        if (keep_going) {
            curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &transfer::progress);
            curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
        }
        if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
        if (!tls.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert_file.c_str());
        if (!tls.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key_file.c_str());

        const CURLcode code = curl_easy_perform(h);
        // The handle keeps pointers to these; the next request resets it.
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
        if (code != CURLE_OK) {
            reply.error = error_buffer[0] != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(code));
            if (state.stopped) reply.error = "stopped";
            return reply;
        }
        reply.reached = true;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
        return reply;
    }

private:
    struct transfer {
        std::string* body;
        const data_callback* on_data;
        const poll_callback* keep_going;
        bool stopped = false;

        static std::size_t write(char* data, std::size_t size, std::size_t count, void* user) {
            auto& self = *static_cast<transfer*>(user);
            const std::size_t bytes = size * count;
            if (self.on_data != nullptr) {
                if (!(*self.on_data)(std::string_view(data, bytes))) {
                    self.stopped = true;
                    return 0; // aborts the transfer
                }
            } else {
                self.body->append(data, bytes);
            }
            return bytes;
        }
        static int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
            auto& self = *static_cast<transfer*>(user);
            if (self.keep_going != nullptr && !(*self.keep_going)()) {
                self.stopped = true;
                return 1; // aborts the transfer
            }
            return 0;
        }
    };

    std::unique_ptr<CURL, curl_deleter> handle_;
};

/// Splits a stream of concatenated JSON objects (the gateway's watch
/// stream) into whole objects, whatever the chunking.
class json_object_splitter {
public:
    /// Appends `chunk`; calls `on_object(text)` for each object completed.
    template <class F>
    void feed(std::string_view chunk, F&& on_object) {
        for (char c : chunk) {
            if (depth_ == 0) {
                if (c == '{') {
                    current_.assign(1, c);
                    depth_ = 1;
                }
                continue; // whitespace and delimiters between objects
            }
            current_ += c;
            if (in_string_) {
                if (escaped_) escaped_ = false;
                else if (c == '\\') escaped_ = true;
                else if (c == '"') in_string_ = false;
            } else if (c == '"') {
                in_string_ = true;
            } else if (c == '{') {
                ++depth_;
            } else if (c == '}' && --depth_ == 0) {
                on_object(std::string_view(current_));
                current_.clear();
            }
        }
    }

private:
    std::string current_;
    int depth_ = 0;
    bool in_string_ = false;
    bool escaped_ = false;
};

} // namespace detail

/// The etcd v3 calls roster needs, with failover across endpoints and
/// authentication. Usable on its own (an operator tool, a test).
class client {
public:
    /// A client of the cluster `opts` describes; `name` is what messages call
    /// it (the mirror or announcer's name). Connects lazily, on first use.
    explicit client(options opts, std::string name = "etcd")
        : options_(std::move(opts)), name_(std::move(name)) {
        if (options_.endpoints.empty()) options_.endpoints.emplace_back("http://127.0.0.1:2379");
    }

    /// The name messages use.
    const std::string& name() const noexcept { return name_; }
    /// The options (credentials included: do not print them).
    const options& settings() const noexcept { return options_; }
    /// The endpoint tried first (the last that answered), as messages show it.
    std::string endpoint() const { return detail::shown_endpoint(options_.endpoints[preferred_.load()]); }

    // ------------------------------------------------------------ KV

    /// Reads the keys in [key, range_end) (just `key` when range_end is
    /// empty) at `revision` (0: the latest), at most `limit` (0: all).
    result<range_result> try_range(std::string_view key, std::string_view range_end = {}, std::int64_t revision = 0,
                                   std::int64_t limit = 0, source_location where = source_location::current()) {
        nlohmann::json body{{"key", detail::base64_encode(key)}};
        if (!range_end.empty()) body["range_end"] = detail::base64_encode(range_end);
        if (revision > 0) body["revision"] = std::to_string(revision);
        if (limit > 0) body["limit"] = std::to_string(limit);
        auto reply = try_call("/v3/kv/range", body, "read", key, where);
        if (!reply) return reply.error();
        range_result out;
        out.revision = detail::header_revision(*reply);
        if (const auto kvs = reply->find("kvs"); kvs != reply->end())
            for (const auto& kv : *kvs) out.kvs.push_back(detail::kv_of(kv));
        return out;
    }

    /// Every key starting with `prefix`, read at one revision (paged by
    /// `page` keys per request, so a large prefix never needs one huge
    /// response).
    result<range_result> try_get_prefix(std::string_view prefix, std::int64_t page = 5000,
                                        source_location where = source_location::current()) {
        const std::string end = detail::prefix_end(prefix);
        range_result all;
        std::string from(prefix);
        for (;;) {
            auto part = try_range(from, end, all.revision, page, where);
            if (!part) return part.error();
            if (all.revision == 0) all.revision = part->revision;
            const bool more = page > 0 && static_cast<std::int64_t>(part->kvs.size()) == page;
            for (auto& kv : part->kvs) all.kvs.push_back(std::move(kv));
            if (!more) return all;
            from = all.kvs.back().key;
            from.push_back('\0'); // the next key after the last one read
        }
    }

    /// try_get_prefix(), raising its error.
    range_result get_prefix(std::string_view prefix, source_location where = source_location::current()) {
        return try_get_prefix(prefix, 5000, where).value();
    }

    /// Writes `key` = `value` (attached to `lease_id` when not 0).
    /// @returns the revision of the write.
    result<std::int64_t> try_put(std::string_view key, std::string_view value, std::int64_t lease_id = 0,
                                 source_location where = source_location::current()) {
        nlohmann::json body{{"key", detail::base64_encode(key)}, {"value", detail::base64_encode(value)}};
        if (lease_id != 0) body["lease"] = std::to_string(lease_id);
        auto reply = try_call("/v3/kv/put", body, "write", key, where);
        if (!reply) return reply.error();
        return detail::header_revision(*reply);
    }

    /// try_put(), raising its error.
    std::int64_t put(std::string_view key, std::string_view value, std::int64_t lease_id = 0,
                     source_location where = source_location::current()) {
        return try_put(key, value, lease_id, where).value();
    }

    /// Deletes `key` (and, with `whole_prefix`, every key starting with it).
    /// @returns the revision after the delete.
    result<std::int64_t> try_remove(std::string_view key, bool whole_prefix = false,
                                    source_location where = source_location::current()) {
        nlohmann::json body{{"key", detail::base64_encode(key)}};
        if (whole_prefix) body["range_end"] = detail::base64_encode(detail::prefix_end(key));
        auto reply = try_call("/v3/kv/deleterange", body, "delete", key, where);
        if (!reply) return reply.error();
        return detail::header_revision(*reply);
    }

    /// try_remove(), raising its error.
    std::int64_t remove(std::string_view key, bool whole_prefix = false,
                        source_location where = source_location::current()) {
        return try_remove(key, whole_prefix, where).value();
    }

    /// Creates `key` = `value` under `lease_id` only if the key does not
    /// exist, in one transaction (compare create_revision == 0): of several
    /// processes racing, exactly one creates it.
    result<create_outcome> try_create(std::string_view key, std::string_view value, std::int64_t lease_id = 0,
                                      source_location where = source_location::current()) {
        const std::string k = detail::base64_encode(key);
        nlohmann::json put{{"key", k}, {"value", detail::base64_encode(value)}};
        if (lease_id != 0) put["lease"] = std::to_string(lease_id);
        nlohmann::json body{
            {"compare", nlohmann::json::array({{{"key", k}, {"target", "CREATE"}, {"result", "EQUAL"},
                                                {"create_revision", "0"}}})},
            {"success", nlohmann::json::array({{{"request_put", put}}})},
            {"failure", nlohmann::json::array({{{"request_range", {{"key", k}}}}})}};
        auto reply = try_call("/v3/kv/txn", body, "create", key, where);
        if (!reply) return reply.error();
        create_outcome out;
        out.revision = detail::header_revision(*reply);
        out.created = reply->value("succeeded", false);
        if (!out.created) {
            if (const auto responses = reply->find("responses"); responses != reply->end())
                for (const auto& r : *responses)
                    if (const auto range = r.find("response_range"); range != r.end())
                        if (const auto kvs = range->find("kvs"); kvs != range->end() && !kvs->empty())
                            out.existing = detail::kv_of(kvs->front());
        }
        return out;
    }

    /// Compacts the store's history up to `revision` (watches older than it
    /// are cancelled; roster's mirrors then resync).
    result<void> try_compact(std::int64_t revision, source_location where = source_location::current()) {
        auto reply = try_call("/v3/kv/compaction", {{"revision", std::to_string(revision)}, {"physical", true}},
                              "compact", std::to_string(revision), where);
        if (!reply) return reply.error();
        return {};
    }

    // ------------------------------------------------------------ leases

    /// Grants a lease of `ttl` seconds (etcd may round it up to its minimum).
    result<lease> try_grant(std::chrono::seconds ttl, source_location where = source_location::current()) {
        auto reply = try_call("/v3/lease/grant", {{"TTL", std::to_string(ttl.count())}}, "grant a lease for", "", where);
        if (!reply) return reply.error();
        return lease{detail::int64_of(*reply, "ID"), detail::int64_of(*reply, "TTL")};
    }

    /// Renews lease `id` once. @returns its remaining TTL in seconds; 0 when
    /// the lease no longer exists (it expired or was revoked).
    result<std::int64_t> try_keep_alive(std::int64_t id, source_location where = source_location::current()) {
        auto reply = try_call("/v3/lease/keepalive", {{"ID", std::to_string(id)}}, "keep alive lease",
                              std::to_string(id), where);
        if (!reply) return reply.error();
        const auto it = reply->find("result");
        return it == reply->end() ? std::int64_t{0} : detail::int64_of(*it, "TTL");
    }

    /// Revokes lease `id`: every key attached to it is deleted at once.
    result<void> try_revoke(std::int64_t id, source_location where = source_location::current()) {
        auto reply = try_call("/v3/lease/revoke", {{"ID", std::to_string(id)}}, "revoke lease", std::to_string(id), where);
        if (!reply) return reply.error();
        return {};
    }

    // ------------------------------------------------------------ raw

    /// POSTs `body` to the gateway path `path` (e.g. "/v3/kv/range"), with
    /// failover and authentication; `action` and `key` word the error.
    /// @returns the parsed response.
    result<nlohmann::json> try_call(std::string_view path, const nlohmann::json& body, std::string_view action,
                                    std::string_view key, const source_location& where) {
        const std::lock_guard lock(mutex_);
        return call_locked(path, body.dump(), action, key, where, session_);
    }

    /// The watch stream: POSTs `body` (a WatchRequest) to /v3/watch on the
    /// preferred endpoint, on its own connection, calling `on_message` for
    /// each response object (return false to end the watch) and `keep_going`
    /// about once a second. Returns when the stream ends: an error saying
    /// why (errc::unavailable for a lost connection), or success if a
    /// callback ended it. Not retried: the caller resumes from its revision.
    template <class OnMessage, class KeepGoing>
    result<void> watch(const nlohmann::json& body, OnMessage&& on_message, KeepGoing&& keep_going,
                       const source_location& where) {
        std::string authorization;
        std::size_t index = 0;
        {
            const std::lock_guard lock(mutex_);
            if (options_.auth && token_.empty()) {
                auto ok = authenticate_locked(preferred_.load(), where, session_);
                if (!ok) return ok.error();
            }
            authorization = token_;
            index = preferred_.load();
        }
        detail::json_object_splitter splitter;
        bool ended_by_callback = false;
        detail::http_session stream;
        const auto reply = stream.post(
            detail::base_url(options_.endpoints[index]) + "/v3/watch", body.dump(), authorization, options_.tls,
            options_.connect_timeout, std::chrono::milliseconds{0},
            [&](std::string_view chunk) {
                bool go_on = true;
                splitter.feed(chunk, [&](std::string_view object) {
                    if (!go_on) return;
                    auto parsed = nlohmann::json::parse(object, nullptr, false);
                    if (parsed.is_discarded() || !on_message(parsed)) go_on = false;
                });
                if (!go_on) ended_by_callback = true;
                return go_on;
            },
            [&] { return static_cast<bool>(keep_going()); });
        if (ended_by_callback || reply.error == "stopped") return {};
        if (!reply.reached)
            return unavailable(where, "watch", "", {detail::shown_endpoint(options_.endpoints[index]) + ": " + reply.error});
        if (reply.status == 401 || reply.status == 403) {
            const std::lock_guard lock(mutex_);
            token_.clear(); // expired: authenticate again on the next attempt
        }
        return unavailable(where, "watch", "",
                           {detail::shown_endpoint(options_.endpoints[index]) + ": the stream ended (HTTP " +
                            std::to_string(reply.status) + ")"});
    }

    /// Moves the preferred endpoint to the next one (after a watch on it failed).
    void rotate() noexcept {
        const std::size_t n = options_.endpoints.size();
        std::size_t current = preferred_.load();
        preferred_.compare_exchange_strong(current, (current + 1) % n);
    }

private:
    result<nlohmann::json> call_locked(std::string_view path, const std::string& body, std::string_view action,
                                       std::string_view key, const source_location& where,
                                       detail::http_session& session) {
        std::vector<std::string> failures;
        const std::size_t n = options_.endpoints.size();
        const std::size_t first = preferred_.load();
        for (std::size_t attempt = 0; attempt < n; ++attempt) {
            const std::size_t index = (first + attempt) % n;
            if (options_.auth && token_.empty()) {
                auto ok = authenticate_locked(index, where, session);
                if (!ok) {
                    if (ok.error().code == errc::access_denied) return ok.error();
                    failures.push_back(ok.error().message);
                    continue;
                }
            }
            for (int auth_retry = 0; auth_retry < 2; ++auth_retry) {
                const auto reply = session.post(detail::base_url(options_.endpoints[index]) + std::string(path), body,
                                                token_, options_.tls, options_.connect_timeout,
                                                options_.request_timeout);
                const std::string shown = detail::shown_endpoint(options_.endpoints[index]);
                if (!reply.reached) {
                    failures.push_back(shown + ": " + reply.error);
                    break;
                }
                auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
                if (reply.status == 200 && !parsed.is_discarded() && parsed.is_object()) {
                    preferred_.store(index);
                    return parsed;
                }
                const std::string reason = server_reason(parsed, reply);
                if (options_.auth && auth_retry == 0 && token_expired(reason)) {
                    token_.clear();
                    auto ok = authenticate_locked(index, where, session);
                    if (!ok) return ok.error();
                    continue;
                }
                if (reason.find("permission denied") != std::string::npos ||
                    reason.find("user name is empty") != std::string::npos)
                    return denied(where, action, key, shown + ": " + reason);
                if (retryable(reply.status, reason)) {
                    failures.push_back(shown + ": " + reason);
                    break;
                }
                // etcd answered and refused the request itself: not retried.
                return error_info{errc::unavailable, framed(where, action, key, {shown + ": " + reason})};
            }
        }
        return unavailable(where, action, key, failures);
    }

    result<void> authenticate_locked(std::size_t index, const source_location& where, detail::http_session& session) {
        const nlohmann::json body{{"name", options_.auth->user}, {"password", options_.auth->password}};
        const auto reply = session.post(detail::base_url(options_.endpoints[index]) + "/v3/auth/authenticate",
                                        body.dump(), "", options_.tls, options_.connect_timeout,
                                        options_.request_timeout);
        const std::string shown = detail::shown_endpoint(options_.endpoints[index]);
        if (!reply.reached) return error_info{errc::unavailable, framed(where, "authenticate to", "", {shown + ": " + reply.error})};
        auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
        if (reply.status == 200 && parsed.is_object() && parsed.contains("token")) {
            token_ = parsed["token"].get<std::string>();
            return {};
        }
        const std::string reason = server_reason(parsed, reply);
        if (retryable(reply.status, reason))
            return error_info{errc::unavailable, framed(where, "authenticate to", "", {shown + ": " + reason})};
        return denied(where, "authenticate to", "", shown + ": " + reason);
    }

    static std::string server_reason(const nlohmann::json& parsed, const detail::http_reply& reply) {
        if (parsed.is_object()) {
            for (const char* member : {"error", "message"}) {
                const auto it = parsed.find(member);
                if (it != parsed.end() && it->is_string()) return it->get<std::string>();
            }
        }
        return "HTTP " + std::to_string(reply.status);
    }

    static bool token_expired(std::string_view reason) noexcept {
        return reason.find("invalid auth token") != std::string_view::npos ||
               reason.find("auth token is expired") != std::string_view::npos;
    }

    static bool retryable(long status, std::string_view reason) noexcept {
        return status >= 500 || reason.find("no leader") != std::string_view::npos ||
               reason.find("leader changed") != std::string_view::npos ||
               reason.find("unavailable") != std::string_view::npos ||
               reason.find("timed out") != std::string_view::npos ||
               reason.find("not capable") != std::string_view::npos;
    }

    std::string framed(const source_location& where, std::string_view action, std::string_view key,
                       const std::vector<std::string>& reasons) const {
        detail::text out;
        out << "roster: registry " << detail::text::quoted_name{name_} << ": etcd could not " << action;
        if (!key.empty()) out << " key " << ::roster::detail::quoted(key);
        out << " at " << ::roster::detail::describe(where);
        for (std::size_t i = 0; i < reasons.size(); ++i) out << (i == 0 ? ": " : "; ") << reasons[i];
        return out.str();
    }

    error_info unavailable(const source_location& where, std::string_view action, std::string_view key,
                           const std::vector<std::string>& failures) const {
        std::vector<std::string> reasons = failures;
        if (reasons.empty()) reasons.emplace_back("no endpoint answered");
        return {errc::unavailable, framed(where, action, key, reasons) + " (" +
                                       std::to_string(options_.endpoints.size()) + " endpoint" +
                                       ::roster::detail::plural(options_.endpoints.size()) + " tried)"};
    }

    error_info denied(const source_location& where, std::string_view action, std::string_view key,
                      const std::string& reason) const {
        // The reason is etcd's own text, which never echoes the password.
        return {errc::access_denied,
                framed(where, action, key, {reason}) + " (the configured credentials were refused; they are not shown)"};
    }

    options options_;
    std::string name_;
    std::mutex mutex_;                       // serialises calls on session_, guards token_
    detail::http_session session_;
    std::string token_;                      // never printed
    std::atomic<std::size_t> preferred_{0};
};

} // namespace etcd
ROSTER_END_NAMESPACE
