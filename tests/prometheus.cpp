// Tests for roster/prometheus.hpp: the catalog's counters in the Prometheus
// text exposition format 0.0.4. Every output is parsed with the strict parser
// of tests/support/prometheus_text.hpp (whose own tests come first: it must
// reject malformed text, or its approval would mean nothing). Every registry
// here has a name no other test uses (the catalog refuses two live listed
// registries with one name).
#include "support/catch.hpp"
#include "support/prometheus_text.hpp"

#include "roster/prometheus.hpp"
#include "roster/counters.hpp"

#include "roster/catalog.hpp"
#include "roster/registry.hpp"

#include <cmath>       // std::isnan, std::isinf
#include <string>      // std::string, std::to_string
#include <string_view> // std::string_view
#include <utility>     // std::pair
#include <vector>      // std::vector

namespace {

using per_key_registry = roster::registry<int, roster::listing::listed, roster::counters::per_key>;
using per_registry_registry = roster::registry<int, roster::listing::listed, roster::counters::per_registry>;
using uncounted_registry = roster::registry<int, roster::listing::listed>;

/// The names of the families of `e`, in order.
std::vector<std::string> family_names(const prometheus_text::exposition& e) {
    std::vector<std::string> out;
    for (const prometheus_text::family& f : e.families) out.push_back(f.name);
    return out;
}

/// The samples of family `name` that have label registry=`registry`.
std::vector<prometheus_text::sample> samples_of(const prometheus_text::exposition& e, std::string_view name,
                                                std::string_view registry) {
    std::vector<prometheus_text::sample> out;
    if (const prometheus_text::family* f = e.find_family(name)) {
        for (const prometheus_text::sample& s : f->samples) {
            const auto it = s.labels.find("registry");
            if (it != s.labels.end() && it->second == registry) out.push_back(s);
        }
    }
    return out;
}

/// A hand-made report (for inputs no live registry produces).
roster::registry_report report_named(std::string name) {
    roster::registry_report r;
    r.name = std::move(name);
    return r;
}

} // namespace

// ===========================================================================
// The parser the other tests rely on
// ===========================================================================

TEST_CASE("prometheus_text::parse: reads families with HELP, TYPE, labels, escapes, special values and timestamps",
          "[prometheus]") {
    const std::string text = "# HELP http_requests_total The total number of \\\\ requests.\\nSecond line.\n"
                             "# TYPE http_requests_total counter\n"
                             "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
                             "http_requests_total{ method = \"get\" , code=\"400\", } 3\n"
                             "\n"
                             "# A plain comment\n"
                             "# TYPE odd gauge\n"
                             "odd{path=\"C:\\\\dir\\\\file\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\"} -1.5e3\n"
                             "odd{v=\"nan\"} NaN\n"
                             "odd{v=\"+inf\"} +Inf\n"
                             "odd{v=\"-inf\"} -Inf\n"
                             "untyped_metric 42\n"
                             "# TYPE rpc_duration_seconds summary\n"
                             "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
                             "rpc_duration_seconds_sum 1.7560473e+07\n"
                             "rpc_duration_seconds_count 2693\n";

    const prometheus_text::exposition e = prometheus_text::parse(text);

    CHECK(family_names(e) ==
          std::vector<std::string>{"http_requests_total", "odd", "untyped_metric", "rpc_duration_seconds"});
    const prometheus_text::family* requests = e.find_family("http_requests_total");
    REQUIRE(requests != nullptr);
    CHECK(requests->type == "counter");
    CHECK(requests->help == "The total number of \\ requests.\nSecond line.");
    REQUIRE(requests->samples.size() == 2);
    CHECK(requests->samples[0].timestamp == 1395066363000);
    CHECK_FALSE(requests->samples[1].timestamp);
    CHECK(e.value("http_requests_total", {{"method", "post"}, {"code", "200"}}) == 1027.0);
    CHECK(e.value("http_requests_total", {{"method", "get"}, {"code", "400"}}) == 3.0);
    CHECK(e.value("odd", {{"path", "C:\\dir\\file"}, {"quote", "say \"hi\""}, {"nl", "a\nb"}}) == -1500.0);
    CHECK(std::isnan(*e.value("odd", {{"v", "nan"}})));
    CHECK(*e.value("odd", {{"v", "+inf"}}) > 0);
    CHECK(std::isinf(*e.value("odd", {{"v", "+inf"}})));
    CHECK(*e.value("odd", {{"v", "-inf"}}) < 0);
    CHECK(e.find_family("untyped_metric")->type == "untyped");
    CHECK(e.value("untyped_metric") == 42.0);
    CHECK(e.find_family("rpc_duration_seconds")->samples.size() == 3);
    CHECK(e.value("rpc_duration_seconds_count") == 2693.0);
    CHECK_FALSE(e.value("http_requests_total", {{"method", "post"}}));
    CHECK(e.samples().size() == 10);
}

TEST_CASE("prometheus_text::parse: accepts an empty text", "[prometheus]") {
    CHECK(prometheus_text::parse("").families.empty());
}

TEST_CASE("prometheus_text::parse: rejects text that is not the exposition format", "[prometheus]") {
    const std::vector<std::pair<const char*, std::string>> bad = {
        {"no final line feed", "a 1"},
        {"metric name starting with a digit", "1abc 1\n"},
        {"metric name with a dash", "a-b 1\n"},
        {"missing value", "a{x=\"1\"}\n"},
        {"missing blank before the value", "a{x=\"1\"}1\n"},
        {"value that is not a number", "a abc\n"},
        {"hexadecimal value", "a 0x1p3\n"},
        {"value with trailing junk", "a 1.5x\n"},
        {"label value without quotes", "a{x=1} 1\n"},
        {"unterminated label value", "a{x=\"1} 1\n"},
        {"unterminated label set", "a{x=\"1\" 1\n"},
        {"invalid escape in a label value", "a{x=\"\\t\"} 1\n"},
        {"label value that is not UTF-8", "a{x=\"\xff\"} 1\n"},
        {"label name starting with a digit", "a{1x=\"1\"} 1\n"},
        {"reserved label name", "a{__name__=\"1\"} 1\n"},
        {"label given twice", "a{x=\"1\",x=\"2\"} 1\n"},
        {"empty label in the middle", "a{x=\"1\",,y=\"2\"} 1\n"},
        {"duplicate sample", "a{x=\"1\"} 1\na{x=\"1\"} 2\n"},
        {"timestamp that is not an integer", "a 1 1.5\n"},
        {"text after the timestamp", "a 1 2 3\n"},
        {"second TYPE", "# TYPE a counter\n# TYPE a gauge\na 1\n"},
        {"unknown type", "# TYPE a meter\na 1\n"},
        {"TYPE without a type", "# TYPE a\n"},
        {"text after the type", "# TYPE a counter extra\n"},
        {"TYPE after the samples", "a 1\n# TYPE a counter\n"},
        {"second HELP", "# HELP a one\n# HELP a two\na 1\n"},
        {"HELP without a metric name", "# HELP\n"},
        {"a family that is not one group", "a{x=\"1\"} 1\nb 1\na{x=\"2\"} 2\n"},
    };
    for (const auto& [what, text] : bad) {
        INFO(what);
        CHECK_THROWS_AS(prometheus_text::parse(text), prometheus_text::parse_error);
    }
}

TEST_CASE("prometheus_text::parse: names the line of the error", "[prometheus]") {
    try {
        (void)prometheus_text::parse("a 1\nb 2\nc{x=\"} 3\n");
        FAIL("no parse_error");
    } catch (const prometheus_text::parse_error& e) {
        CHECK(e.line() == 3);
        CHECK(std::string(e.what()).find("line 3") != std::string::npos);
    }
}

// ===========================================================================
// to_prometheus
// ===========================================================================

TEST_CASE("to_prometheus: the output parses, with one HELP and one TYPE for every family", "[prometheus]") {
    per_key_registry codecs{"prom.shape.codecs"};
    codecs.add("gzip", 1);
    CHECK(codecs.get("gzip"));
    CHECK_FALSE(codecs.get("zstd"));
    uncounted_registry drivers{"prom.shape.drivers"};

    const std::string text = roster::to_prometheus({codecs.report(), drivers.report()});
    const prometheus_text::exposition e = prometheus_text::parse(text);

    CHECK(family_names(e) == std::vector<std::string>{"roster_lookups_total", "roster_key_lookups_total",
                                                      "roster_untracked_key_misses_total",
                                                      "roster_registry_entries", "roster_registry_frozen"});
    for (const prometheus_text::family& f : e.families) {
        INFO(f.name);
        CHECK(f.help);
        CHECK_FALSE(f.samples.empty());
        for (const prometheus_text::sample& s : f.samples) {
            CHECK(s.name == f.name);
            CHECK_FALSE(s.timestamp);
            CHECK(s.value >= 0);
        }
    }
    CHECK(e.find_family("roster_lookups_total")->type == "counter");
    CHECK(e.find_family("roster_key_lookups_total")->type == "counter");
    CHECK(e.find_family("roster_untracked_key_misses_total")->type == "counter");
    CHECK(e.find_family("roster_registry_entries")->type == "gauge");
    CHECK(e.find_family("roster_registry_frozen")->type == "gauge");
}

TEST_CASE("to_prometheus: roster_lookups_total counts the hits and misses of every counted registry",
          "[prometheus]") {
    per_key_registry codecs{"prom.totals.codecs"};
    per_registry_registry drivers{"prom.totals.drivers"};
    codecs.add("gzip", 1);
    drivers.add("sqlite", 1);
    for (int i = 0; i < 4; ++i) CHECK(codecs.get("gzip"));
    CHECK_FALSE(codecs.get("zstd"));
    CHECK_FALSE(codecs.get("zstd"));
    CHECK(drivers.get("sqlite"));
    CHECK_FALSE(drivers.get("mysql"));

    const auto e = prometheus_text::parse(roster::to_prometheus({codecs.report(), drivers.report()}));

    CHECK(e.value("roster_lookups_total", {{"registry", "prom.totals.codecs"}, {"outcome", "hit"}}) == 4.0);
    CHECK(e.value("roster_lookups_total", {{"registry", "prom.totals.codecs"}, {"outcome", "miss"}}) == 2.0);
    CHECK(e.value("roster_lookups_total", {{"registry", "prom.totals.drivers"}, {"outcome", "hit"}}) == 1.0);
    CHECK(e.value("roster_lookups_total", {{"registry", "prom.totals.drivers"}, {"outcome", "miss"}}) == 1.0);
    CHECK(e.find_family("roster_lookups_total")->samples.size() == 4);
    // per_registry counts no keys.
    CHECK(samples_of(e, "roster_key_lookups_total", "prom.totals.drivers").empty());
    CHECK(samples_of(e, "roster_untracked_key_misses_total", "prom.totals.drivers").empty());
}

TEST_CASE("to_prometheus: roster_key_lookups_total gives hits per registered key and misses per missed key",
          "[prometheus]") {
    per_key_registry codecs{"prom.keys.codecs"};
    codecs.add("gzip", 1);
    codecs.add("lz4", 2);
    for (int i = 0; i < 3; ++i) CHECK(codecs.get("gzip"));
    CHECK_FALSE(codecs.get("zstd"));
    CHECK_FALSE(codecs.get("zstd"));
    CHECK_FALSE(codecs.get("brotli"));

    const auto e = prometheus_text::parse(roster::to_prometheus({codecs.report()}));
    const std::string r = "prom.keys.codecs";

    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "gzip"}, {"outcome", "hit"}}) == 3.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "lz4"}, {"outcome", "hit"}}) == 0.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "zstd"}, {"outcome", "miss"}}) == 2.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "brotli"}, {"outcome", "miss"}}) == 1.0);
    CHECK(samples_of(e, "roster_key_lookups_total", r).size() == 4);
    CHECK(e.value("roster_untracked_key_misses_total", {{"registry", r}}) == 0.0);
    CHECK(e.value("roster_registry_entries", {{"registry", r}}) == 2.0);
    CHECK(e.value("roster_registry_frozen", {{"registry", r}}) == 0.0);
}

TEST_CASE("to_prometheus: misses of keys beyond the tracked ones go to roster_untracked_key_misses_total",
          "[prometheus]") {
    per_key_registry reg{"prom.untracked"};
    for (int i = 0; i < 300; ++i) CHECK_FALSE(reg.get("missing-" + std::to_string(i)));
    const roster::registry_report report = reg.report();
    REQUIRE(report.other_misses > 0);

    const auto e = prometheus_text::parse(roster::to_prometheus({report}));

    CHECK(e.value("roster_untracked_key_misses_total", {{"registry", "prom.untracked"}}) ==
          static_cast<double>(report.other_misses));
    double tracked = 0;
    for (const auto& s : samples_of(e, "roster_key_lookups_total", "prom.untracked")) {
        CHECK(s.labels.at("outcome") == "miss");
        tracked += s.value;
    }
    CHECK(tracked + static_cast<double>(report.other_misses) == 300.0);
    CHECK(e.value("roster_lookups_total", {{"registry", "prom.untracked"}, {"outcome", "miss"}}) == 300.0);
}

TEST_CASE("to_prometheus: a registry without counters appears only in the entries and frozen gauges",
          "[prometheus]") {
    uncounted_registry reg{"prom.uncounted"};
    reg.add("a", 1);
    reg.add("b", 2);
    CHECK(reg.get("a"));
    reg.freeze();

    const auto e = prometheus_text::parse(roster::to_prometheus({reg.report()}));

    CHECK(family_names(e) == std::vector<std::string>{"roster_registry_entries", "roster_registry_frozen"});
    CHECK(e.value("roster_registry_entries", {{"registry", "prom.uncounted"}}) == 2.0);
    CHECK(e.value("roster_registry_frozen", {{"registry", "prom.uncounted"}}) == 1.0);
}

TEST_CASE("to_prometheus: label values escape backslash, double quote and newline", "[prometheus]") {
    per_key_registry reg{"prom.escape \"quoted\" back\nline"};
    const std::string quotes = "say \"hi\""; // registered keys cannot hold control characters,
    reg.add(quotes, 1);
    CHECK(reg.get(quotes));
    CHECK_FALSE(reg.get("miss\"\n")); // looked-up keys can

    const std::string text = roster::to_prometheus({reg.report()});
    const auto e = prometheus_text::parse(text);

    // No backslash, valid UTF-8: the labels are the names' own text.
    const std::string r = "prom.escape \"quoted\" back\nline";
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", quotes}, {"outcome", "hit"}}) == 1.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "miss\"\n"}, {"outcome", "miss"}}) == 1.0);
    CHECK(e.value("roster_registry_entries", {{"registry", r}}) == 1.0);
    // The raw text holds the exposition's escapes, and no sample spans two lines.
    CHECK(text.find(R"(key="say \"hi\"")") != std::string::npos);
    CHECK(text.find(R"(key="miss\"\n")") != std::string::npos);
    CHECK(text.find(R"(registry="prom.escape \"quoted\" back\nline")") != std::string::npos);
}

TEST_CASE("to_prometheus: a name or key with a backslash is labelled as roster quotes it, so labels never collide",
          "[prometheus]") {
    per_key_registry reg{"prom.back\\slash"};
    const std::string odd = "a\"b\\c";
    reg.add(odd, 1);
    CHECK(reg.get(odd));
    reg.add("\\x41", 2); // the four characters \ x 4 1, not "A"
    reg.add("A", 3);

    const std::string text = roster::to_prometheus({reg.report()});
    const auto e = prometheus_text::parse(text);

    const std::string r = R"("prom.back\\slash")";
    CHECK(e.value("roster_registry_entries", {{"registry", r}}) == 3.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", R"("a\"b\\c")"}, {"outcome", "hit"}}) ==
          1.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", R"("\\x41")"}, {"outcome", "hit"}}) == 0.0);
    CHECK(e.value("roster_key_lookups_total", {{"registry", r}, {"key", "A"}, {"outcome", "hit"}}) == 0.0);
}

TEST_CASE("to_prometheus: string keys lose their quotes, other keys keep their text", "[prometheus]") {
    roster::basic_registry<int, std::string, roster::listing::listed, roster::counters::per_key> status{
        "prom.int_keys"};
    status.add(404, "Not Found");
    CHECK(status.get(404));
    CHECK_FALSE(status.get(500));
    per_key_registry names{"prom.string_keys"};
    names.add("42", 1);
    CHECK(names.get("42"));
    // Non-ASCII text, and (in a missed key) a tab and a control character,
    // come back as the key's own bytes.
    const std::string accented = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    names.add(accented, 2);
    CHECK(names.get(accented));
    const std::string control = "tab\there \x01\x7f";
    CHECK_FALSE(names.get(control));

    const auto e = prometheus_text::parse(roster::to_prometheus({status.report(), names.report()}));

    CHECK(e.value("roster_key_lookups_total", {{"registry", "prom.int_keys"}, {"key", "404"}, {"outcome", "hit"}}) ==
          1.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.int_keys"}, {"key", "500"}, {"outcome", "miss"}}) == 1.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.string_keys"}, {"key", "42"}, {"outcome", "hit"}}) == 1.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.string_keys"}, {"key", accented}, {"outcome", "hit"}}) == 1.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.string_keys"}, {"key", control}, {"outcome", "miss"}}) == 1.0);
}

TEST_CASE("to_prometheus: text that is not valid UTF-8 becomes valid UTF-8 labels, distinct for distinct text",
          "[prometheus]") {
    // An invalid byte is shown as \xHH (quoted, as in messages); the code
    // point U+0085 as itself: the keys "\x85" and "\xc2\x85" stay apart.
    per_key_registry reg{"prom.bad_utf8"};
    reg.add("bad\xff", 1);
    reg.add("\x85", 2);
    reg.add("\xc2\x85", 3);
    // Registry names with an invalid byte: \xff and \xfe once both became
    // U+FFFD, two identical series.
    const roster::registry_report ff = report_named("prom.name\xff");
    const roster::registry_report fe = report_named("prom.name\xfe");

    const std::string text = roster::to_prometheus({reg.report(), ff, fe});
    const auto e = prometheus_text::parse(text); // rejects duplicate series

    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.bad_utf8"}, {"key", R"("bad\xff")"}, {"outcome", "hit"}}) == 0.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.bad_utf8"}, {"key", R"("\x85")"}, {"outcome", "hit"}}) == 0.0);
    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.bad_utf8"}, {"key", "\xc2\x85"}, {"outcome", "hit"}}) == 0.0);
    CHECK(e.value("roster_registry_entries", {{"registry", R"("prom.name\xff")"}}) == 0.0);
    CHECK(e.value("roster_registry_entries", {{"registry", R"("prom.name\xfe")"}}) == 0.0);
}

TEST_CASE("to_prometheus: keys that print the same are summed into one sample", "[prometheus]") {
    roster::registry_report r = report_named("prom.same_text");
    r.entries.push_back(roster::entry_report{"<key of type point>", {}, 2});
    r.entries.push_back(roster::entry_report{"<key of type point>", {}, 3});
    r.lookups = roster::lookup_counts{5, 0};

    const auto e = prometheus_text::parse(roster::to_prometheus({r}));

    CHECK(e.value("roster_key_lookups_total",
                  {{"registry", "prom.same_text"}, {"key", "<key of type point>"}, {"outcome", "hit"}}) == 5.0);
    CHECK(e.value("roster_registry_entries", {{"registry", "prom.same_text"}}) == 2.0);
}

TEST_CASE("to_prometheus: a registry name given twice keeps its first report", "[prometheus]") {
    roster::registry_report first = report_named("prom.twice");
    first.entries.resize(1);
    roster::registry_report second = report_named("prom.twice");
    second.entries.resize(5);
    second.state = roster::lifecycle::frozen;

    const auto e = prometheus_text::parse(roster::to_prometheus({first, second}));

    CHECK(e.value("roster_registry_entries", {{"registry", "prom.twice"}}) == 1.0);
    CHECK(e.value("roster_registry_frozen", {{"registry", "prom.twice"}}) == 0.0);
}

TEST_CASE("to_prometheus: no reports give an empty exposition", "[prometheus]") {
    CHECK(roster::to_prometheus(std::vector<roster::registry_report>{}).empty());
}

TEST_CASE("to_prometheus: without arguments it exports every listed registry", "[prometheus]") {
    per_registry_registry reg{"prom.catalog"};
    reg.add("a", 1);
    CHECK(reg.get("a"));

    const auto e = prometheus_text::parse(roster::to_prometheus());

    CHECK(e.value("roster_lookups_total", {{"registry", "prom.catalog"}, {"outcome", "hit"}}) == 1.0);
    CHECK(e.find_family("roster_registry_entries")->samples.size() == roster::catalog::instance().size());
}

TEST_CASE("prometheus_content_type: is text/plain version 0.0.4 in UTF-8", "[prometheus]") {
    CHECK(roster::prometheus_content_type == "text/plain; version=0.0.4; charset=utf-8");
}
