// examples/diagnostics/check.cpp — checks what the diagnostics server served.
//
// Usage: diagnostics_check REGISTRY_JSON METRICS_TEXT [REGISTRY_HEADERS METRICS_HEADERS]
//   REGISTRY_JSON    the body of GET /debug/registry
//   METRICS_TEXT     the body of GET /metrics
//   *_HEADERS        the response headers (curl -D), to check Content-Type
// Parses the JSON with nlohmann::json and the metrics with the strict
// exposition-format parser of tests/support/prometheus_text.hpp, checks them
// against what main.cpp registers and looks up, and checks that both agree.
// Prints every failure and exits 1 if there is any, else prints "OK" and exits 0.
#include <roster/version.hpp>

#include "support/prometheus_text.hpp" // prometheus_text::parse (tests/support/)

#include <nlohmann/json.hpp> // nlohmann::json

#include <algorithm>   // std::transform
#include <cctype>      // std::tolower
#include <cstdio>      // std::printf, std::fprintf
#include <exception>   // std::exception
#include <fstream>     // std::ifstream
#include <optional>    // std::optional
#include <set>         // std::set
#include <sstream>     // std::ostringstream
#include <string>      // std::string
#include <utility>     // std::pair
#include <vector>      // std::vector

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr, "diagnostics_check: FAIL: %s\n", what.c_str());
}

std::optional<std::string> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The value of the last Content-Type header in curl -D output (the last
/// response, should there be several), or "".
std::string content_type(const std::string& headers) {
    std::string found;
    std::size_t start = 0;
    while (start < headers.size()) {
        std::size_t end = headers.find('\n', start);
        if (end == std::string::npos) end = headers.size();
        std::string line = headers.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name != "content-type") continue;
        const auto value = line.find_first_not_of(" \t", colon + 1);
        found = value == std::string::npos ? "" : line.substr(value);
    }
    return found;
}

/// The registry called `name` in the document, or nullptr.
const nlohmann::json* registry(const nlohmann::json& doc, const std::string& name) {
    for (const nlohmann::json& r : doc.at("registries")) {
        if (r.at("name") == name) return &r;
    }
    return nullptr;
}

/// The entry with key text `key` in a registry's JSON, or nullptr.
const nlohmann::json* entry(const nlohmann::json& reg, const std::string& key) {
    for (const nlohmann::json& e : reg.at("entries")) {
        if (e.at("key") == key) return &e;
    }
    return nullptr;
}

/// A JSON key text as the metrics label shows it: string keys lose their
/// quotes (the keys here have nothing to unescape).
std::string label_of(const std::string& key) {
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') return key.substr(1, key.size() - 2);
    return key;
}

std::string text(double value) { return std::to_string(value); }

void check_json(const nlohmann::json& doc) {
    const std::string version = std::to_string(ROSTER_VERSION_MAJOR) + "." + std::to_string(ROSTER_VERSION_MINOR) +
                                "." + std::to_string(ROSTER_VERSION_PATCH);
    check(doc.at("roster_version") == version, "roster_version is " + doc.at("roster_version").dump() +
                                                   ", expected \"" + version + "\"");
    std::set<std::string> names;
    for (const nlohmann::json& r : doc.at("registries")) names.insert(r.at("name").get<std::string>());
    check(names == std::set<std::string>{"codecs", "drivers", "status_texts"},
          "the registries are not exactly codecs, drivers, status_texts");

    if (const nlohmann::json* codecs = registry(doc, "codecs")) {
        check(codecs->at("state") == "frozen", "codecs is not reported frozen");
        check(codecs->at("frozen_at").is_object() && codecs->at("frozen_at").at("line").get<int>() > 0,
              "codecs has no frozen_at location");
        check(codecs->at("entries").size() == 3, "codecs does not have 3 entries");
        for (const char* key : {"\"gzip\"", "\"identity\"", "\"rot13\""})
            check(entry(*codecs, key) != nullptr, std::string("codecs has no entry ") + key);
        if (const nlohmann::json* gzip = entry(*codecs, "\"gzip\""))
            check(gzip->at("hits") == 3, "codecs: gzip was looked up 3 times, JSON says " + gzip->at("hits").dump());
        check(codecs->at("lookups").is_object() && codecs->at("lookups").at("hits").get<int>() > 0 &&
                  codecs->at("lookups").at("misses").get<int>() > 0,
              "codecs: lookups are not counted as hits > 0 and misses > 0");
        bool zstd = false;
        for (const nlohmann::json& m : codecs->at("missed_keys"))
            zstd = zstd || (m.at("key") == "\"zstd\"" && m.at("misses") == 2);
        check(zstd, "codecs: the 2 misses of \"zstd\" are not in missed_keys");
    }
    if (const nlohmann::json* drivers = registry(doc, "drivers")) {
        check(drivers->at("state") == "populated", "drivers is not reported populated");
        check(drivers->at("frozen_at").is_null(), "drivers has a frozen_at");
        check(drivers->at("lookups") == nlohmann::json{{"hits", 2}, {"misses", 1}},
              "drivers: lookups are " + drivers->at("lookups").dump() + ", expected 2 hits and 1 miss");
    }
    if (const nlohmann::json* status = registry(doc, "status_texts")) {
        check(entry(*status, "200") != nullptr && entry(*status, "404") != nullptr,
              "status_texts: integer keys 200 and 404 are not there as text");
    }
}

/// The metrics must say what the JSON says, registry by registry.
void check_metrics(const prometheus_text::exposition& metrics, const nlohmann::json& doc) {
    for (const char* family : {"roster_lookups_total", "roster_key_lookups_total", "roster_registry_entries",
                               "roster_registry_frozen"}) {
        check(metrics.find_family(family) != nullptr, std::string("no family ") + family);
    }
    for (const nlohmann::json& r : doc.at("registries")) {
        const std::string name = r.at("name").get<std::string>();
        const auto entries = metrics.value("roster_registry_entries", {{"registry", name}});
        check(entries && *entries == static_cast<double>(r.at("entries").size()),
              name + ": roster_registry_entries does not match the JSON");
        const auto frozen = metrics.value("roster_registry_frozen", {{"registry", name}});
        check(frozen && *frozen == (r.at("state") == "frozen" ? 1.0 : 0.0),
              name + ": roster_registry_frozen does not match the JSON state");
        if (r.at("lookups").is_object()) {
            for (const char* outcome : {"hit", "miss"}) {
                const auto value = metrics.value("roster_lookups_total", {{"registry", name}, {"outcome", outcome}});
                const char* member = outcome == std::string("hit") ? "hits" : "misses";
                const auto expected = r.at("lookups").at(member).get<double>();
                check(value && *value == expected,
                      name + ": roster_lookups_total{outcome=\"" + outcome + "\"} is " +
                          (value ? text(*value) : "missing") + ", JSON says " + text(expected));
            }
        }
        for (const nlohmann::json& e : r.at("entries")) {
            if (e.at("hits").is_null()) continue;
            const std::string key = label_of(e.at("key").get<std::string>());
            const auto value =
                metrics.value("roster_key_lookups_total", {{"registry", name}, {"key", key}, {"outcome", "hit"}});
            check(value && *value == e.at("hits").get<double>(),
                  name + ": roster_key_lookups_total for key " + key + " does not match the JSON hits");
        }
        for (const nlohmann::json& m : r.at("missed_keys")) {
            const std::string key = label_of(m.at("key").get<std::string>());
            const auto value =
                metrics.value("roster_key_lookups_total", {{"registry", name}, {"key", key}, {"outcome", "miss"}});
            check(value && *value == m.at("misses").get<double>(),
                  name + ": roster_key_lookups_total for missed key " + key + " does not match the JSON");
        }
    }
    const auto gzip =
        metrics.value("roster_key_lookups_total", {{"registry", "codecs"}, {"key", "gzip"}, {"outcome", "hit"}});
    check(gzip && *gzip == 3.0, "codecs: roster_key_lookups_total{key=\"gzip\",outcome=\"hit\"} is not 3");
    const auto codecs_hits = metrics.value("roster_lookups_total", {{"registry", "codecs"}, {"outcome", "hit"}});
    check(codecs_hits && *codecs_hits > 0, "codecs: no hits counted");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 5) {
        std::fprintf(stderr, "usage: %s REGISTRY_JSON METRICS_TEXT [REGISTRY_HEADERS METRICS_HEADERS]\n", argv[0]);
        return 2;
    }
    const std::optional<std::string> json_text = read_file(argv[1]);
    const std::optional<std::string> metrics_text = read_file(argv[2]);
    if (!json_text || !metrics_text) {
        std::fprintf(stderr, "diagnostics_check: cannot read %s\n", !json_text ? argv[1] : argv[2]);
        return 1;
    }

    try {
        const nlohmann::json doc = nlohmann::json::parse(*json_text);
        check_json(doc);
        const prometheus_text::exposition metrics = prometheus_text::parse(*metrics_text);
        check_metrics(metrics, doc);
    } catch (const prometheus_text::parse_error& e) {
        check(false, std::string("the metrics are not valid exposition format: ") + e.what());
    } catch (const std::exception& e) {
        check(false, std::string("the JSON is not what it should be: ") + e.what());
    }

    if (argc == 5) {
        using expectation = std::pair<const char*, std::string>;
        for (const auto& [path, expected] : {expectation{argv[3], "application/json"},
                                             expectation{argv[4], "text/plain; version=0.0.4"}}) {
            const std::optional<std::string> headers = read_file(path);
            check(headers.has_value(), std::string("cannot read ") + path);
            if (!headers) continue;
            const std::string type = content_type(*headers);
            check(type.rfind(expected, 0) == 0,
                  std::string(path) + ": Content-Type is \"" + type + "\", expected \"" + expected + "...\"");
        }
    }

    if (failures > 0) {
        std::fprintf(stderr, "diagnostics_check: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("diagnostics_check: OK: /debug/registry and /metrics say the same, as expected\n");
    return 0;
}
