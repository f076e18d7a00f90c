// tests/support/prometheus_text.hpp — a strict parser of the Prometheus text
// exposition format 0.0.4, so that tests (tests/prometheus.cpp) and the
// diagnostics example's checker (examples/diagnostics/check.cpp) validate
// roster::to_prometheus() output by parsing it, not by comparing strings.
//
//   prometheus_text::exposition e = prometheus_text::parse(text); // throws parse_error
//   e.value("roster_lookups_total", {{"registry", "codecs"}, {"outcome", "hit"}}); // std::optional<double>
//
// What it checks (https://prometheus.io/docs/instrumenting/exposition_formats/):
// - Lines end with a line feed, the last one included; empty lines are skipped.
// - `# HELP <name> <text>` (text escapes `\\` and `\n` only) and
//   `# TYPE <name> counter|gauge|histogram|summary|untyped`; other lines
//   starting with `#` are comments. At most one HELP and one TYPE per name;
//   a TYPE comes before the first sample of its family.
// - Samples: `name[{label="value",...}] value [timestamp]`; metric names
//   match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
//   (not starting with `__`), label values escape only `\\`, `\"` and `\n`
//   and are valid UTF-8; a label appears at most once per sample; a trailing
//   comma is allowed; values are floats (also NaN, +Inf, -Inf), timestamps
//   integers.
// - All lines of a family are one group (samples of a histogram or summary
//   family may be named <family>_bucket, _sum, _count); no two samples have
//   the same name and labels.
// Anything else throws prometheus_text::parse_error naming the line.
#pragma once

#include <cerrno>      // errno, ERANGE: strtod overflow
#include <limits>      // std::numeric_limits: NaN, infinity
#include <cstddef>     // std::size_t
#include <cstdint>     // std::int64_t
#include <cstdlib>     // std::strtod, std::strtoll
#include <map>         // labels, sorted
#include <optional>    // std::optional
#include <set>         // names already seen
#include <stdexcept>   // std::runtime_error
#include <string>      // std::string
#include <string_view> // std::string_view
#include <utility>     // std::move, std::pair
#include <vector>      // samples, families

namespace prometheus_text {

/// A label set: label name -> value (unescaped).
using labels = std::map<std::string, std::string>;

/// One sample line.
struct sample {
    std::string name;                     ///< the metric name of the line
    prometheus_text::labels labels;       ///< its labels, unescaped
    double value = 0;                     ///< its value
    std::optional<std::int64_t> timestamp; ///< its timestamp, when given
    std::size_t line = 0;                 ///< 1-based line number
};

/// One metric family: a name with its HELP, TYPE and samples.
struct family {
    std::string name;
    std::optional<std::string> help; ///< unescaped
    std::string type = "untyped";    ///< counter, gauge, histogram, summary or untyped
    std::vector<sample> samples;
};

/// A parsed exposition.
struct exposition {
    std::vector<family> families; ///< in order of appearance

    /// The family called `name`, or nullptr.
    const family* find_family(std::string_view name) const {
        for (const family& f : families) {
            if (f.name == name) return &f;
        }
        return nullptr;
    }

    /// Every sample, in order.
    std::vector<sample> samples() const {
        std::vector<sample> out;
        for (const family& f : families) out.insert(out.end(), f.samples.begin(), f.samples.end());
        return out;
    }

    /// The value of the sample `name` with exactly `labels`, or std::nullopt.
    std::optional<double> value(std::string_view name, const prometheus_text::labels& wanted = {}) const {
        for (const family& f : families) {
            for (const sample& s : f.samples) {
                if (s.name == name && s.labels == wanted) return s.value;
            }
        }
        return std::nullopt;
    }
};

/// What parse() throws: the line number and what is wrong with it.
class parse_error : public std::runtime_error {
public:
    parse_error(std::size_t line, const std::string& what)
        : std::runtime_error("line " + std::to_string(line) + ": " + what), line_(line) {}
    std::size_t line() const noexcept { return line_; }

private:
    std::size_t line_;
};

namespace detail {

inline bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Whether `s` is valid UTF-8 (no overlong forms, surrogates, or code points
/// above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        std::size_t length = 0;
        unsigned cp = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            cp = lead & 0x1Fu;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            cp = lead & 0x0Fu;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            cp = lead & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (next & 0x3Fu);
        }
        if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000)) return false;
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
        i += length;
    }
    return true;
}

/// A cursor over one line.
class line_reader {
public:
    line_reader(std::string_view text, std::size_t number) : text_(text), number_(number) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw parse_error(number_, what + " in \"" + std::string(text_) + "\"");
    }

    bool done() const { return pos_ == text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    std::string_view rest() const { return text_.substr(pos_); }

    bool accept(char c) {
        if (peek() != c || done()) return false;
        ++pos_;
        return true;
    }
    void expect(char c, const char* what) {
        if (!accept(c)) fail(std::string("expected ") + what);
    }
    /// Skips spaces and tabs; returns how many.
    std::size_t skip_blanks() {
        const std::size_t start = pos_;
        while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
        return pos_ - start;
    }

    /// A metric name: [a-zA-Z_:][a-zA-Z0-9_:]*.
    std::string metric_name() {
        const std::size_t start = pos_;
        if (done() || !(is_name_start(text_[pos_]) || text_[pos_] == ':')) fail("expected a metric name");
        while (!done() && (is_name_start(text_[pos_]) || is_digit(text_[pos_]) || text_[pos_] == ':')) ++pos_;
        return std::string(text_.substr(start, pos_ - start));
    }

    /// A label name: [a-zA-Z_][a-zA-Z0-9_]*, not reserved (`__` prefix).
    std::string label_name() {
        const std::size_t start = pos_;
        if (done() || !is_name_start(text_[pos_])) fail("expected a label name");
        while (!done() && (is_name_start(text_[pos_]) || is_digit(text_[pos_]))) ++pos_;
        std::string name(text_.substr(start, pos_ - start));
        if (name.size() >= 2 && name[0] == '_' && name[1] == '_') fail("reserved label name " + name);
        return name;
    }

    /// A quoted label value (escapes \\, \" and \n), unescaped.
    std::string label_value() {
        expect('"', "'\"' opening a label value");
        std::string out;
        for (;;) {
            if (done()) fail("unterminated label value");
            const char c = text_[pos_++];
            if (c == '"') break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (done()) fail("unterminated escape in a label value");
            const char e = text_[pos_++];
            if (e == '\\') out += '\\';
            else if (e == '"') out += '"';
            else if (e == 'n') out += '\n';
            else fail(std::string("invalid escape \\") + e + " in a label value");
        }
        if (!valid_utf8(out)) fail("label value is not valid UTF-8");
        return out;
    }

    /// A token up to the next blank or the end.
    std::string_view token() {
        const std::size_t start = pos_;
        while (!done() && text_[pos_] != ' ' && text_[pos_] != '\t') ++pos_;
        return text_.substr(start, pos_ - start);
    }

private:
    std::string_view text_;
    std::size_t number_;
    std::size_t pos_ = 0;
};

/// A sample value: a float as Go's ParseFloat reads it, NaN, +Inf or -Inf.
inline double parse_value(std::string_view token, const line_reader& line) {
    if (token.empty()) line.fail("missing sample value");
    if (token == "NaN" || token == "Nan" || token == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (token == "+Inf" || token == "Inf" || token == "+inf" || token == "inf")
        return std::numeric_limits<double>::infinity();
    if (token == "-Inf" || token == "-inf") return -std::numeric_limits<double>::infinity();
    // Digits, sign, '.', exponent only: strtod would also take hex floats,
    // "infinity" and leading blanks.
    for (const char c : token) {
        if (!(is_digit(c) || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'))
            line.fail("invalid sample value " + std::string(token));
    }
    const std::string text(token);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || text == "." || errno == ERANGE)
        line.fail("invalid sample value " + text);
    return value;
}

/// A timestamp: an integer (milliseconds since the epoch).
inline std::int64_t parse_timestamp(std::string_view token, const line_reader& line) {
    std::size_t i = (token.size() > 1 && (token[0] == '-' || token[0] == '+')) ? 1 : 0;
    if (i == token.size()) line.fail("invalid timestamp " + std::string(token));
    for (; i < token.size(); ++i) {
        if (!is_digit(token[i])) line.fail("invalid timestamp " + std::string(token));
    }
    const std::string text(token);
    errno = 0;
    const long long value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE) line.fail("timestamp out of range " + text);
    return static_cast<std::int64_t>(value);
}

/// HELP text: escapes \\ and \n only (any other backslash is itself).
inline std::string unescape_help(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
            out += text[i + 1] == 'n' ? '\n' : '\\';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

/// The family a sample named `name` belongs to, given the families declared
/// so far (a histogram's or summary's _bucket/_sum/_count samples belong to it).
inline std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string_view s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
            const std::string base = name.substr(0, name.size() - s.size());
            const auto it = types.find(base);
            if (it != types.end() && (it->second == "histogram" || it->second == "summary") &&
                (s != "_bucket" || it->second == "histogram"))
                return base;
        }
    }
    return name;
}

} // namespace detail

/// Parses `text` as the text exposition format 0.0.4.
/// @throws parse_error on anything the format does not allow (see the file comment).
inline exposition parse(std::string_view text) {
    exposition out;
    std::map<std::string, std::size_t> family_index; // name -> index in out.families
    std::map<std::string, std::string> types;        // declared TYPEs
    std::set<std::string> helped;                    // names with a HELP
    std::set<std::string> closed;                    // families whose group has ended
    std::set<std::pair<std::string, labels>> series; // name + labels already seen
    std::string current;                             // the family of the previous line

    const auto family_for = [&](const std::string& name) -> family& {
        const auto it = family_index.find(name);
        if (it != family_index.end()) return out.families[it->second];
        family_index.emplace(name, out.families.size());
        out.families.push_back(family{name, std::nullopt, "untyped", {}});
        return out.families.back();
    };
    // Moving to the lines of `name`: the previous family's group ends, and a
    // family may not come back once its group has ended.
    const auto enter = [&](const std::string& name, const detail::line_reader& line) {
        if (name == current) return;
        if (closed.count(name) != 0) line.fail("lines of family " + name + " are not grouped together");
        if (!current.empty()) closed.insert(current);
        current = name;
    };

    std::size_t number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        ++number;
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) throw parse_error(number, "the last line does not end with a line feed");
        const std::string_view raw = text.substr(start, end - start);
        start = end + 1;
        detail::line_reader line(raw, number);

        line.skip_blanks();
        if (line.done()) continue; // empty line

        if (line.accept('#')) {
            line.skip_blanks();
            const std::string_view keyword = line.token();
            if (keyword != "HELP" && keyword != "TYPE") continue; // a comment
            if (line.skip_blanks() == 0) line.fail("expected a metric name after " + std::string(keyword));
            const std::string name = line.metric_name();
            if (keyword == "HELP") {
                if (!line.done() && line.skip_blanks() == 0) line.fail("expected a blank after the metric name");
                if (!helped.insert(name).second) line.fail("second HELP for " + name);
                enter(name, line);
                family_for(name).help = detail::unescape_help(line.rest());
                if (!detail::valid_utf8(line.rest())) line.fail("HELP text is not valid UTF-8");
            } else {
                if (line.skip_blanks() == 0) line.fail("expected a type after the metric name");
                const std::string type(line.token());
                line.skip_blanks();
                if (!line.done()) line.fail("unexpected text after the type");
                if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
                    type != "untyped")
                    line.fail("unknown metric type " + type);
                if (types.count(name) != 0) line.fail("second TYPE for " + name);
                const auto existing = family_index.find(name);
                if (existing != family_index.end() && !out.families[existing->second].samples.empty())
                    line.fail("TYPE for " + name + " after its samples");
                enter(name, line);
                types.emplace(name, type);
                family_for(name).type = type;
            }
            continue;
        }

        sample s;
        s.line = number;
        s.name = line.metric_name();
        std::size_t blanks = line.skip_blanks();
        if (line.accept('{')) {
            line.skip_blanks();
            while (!line.accept('}')) {
                std::string label = line.label_name();
                line.skip_blanks();
                line.expect('=', "'=' after a label name");
                line.skip_blanks();
                std::string value = line.label_value();
                if (!s.labels.emplace(label, std::move(value)).second) line.fail("label " + label + " given twice");
                line.skip_blanks();
                if (line.accept(',')) {
                    line.skip_blanks();
                    continue;
                }
                line.expect('}', "',' or '}' after a label value");
                break;
            }
            blanks = line.skip_blanks();
        }
        if (line.done()) line.fail("missing sample value");
        if (blanks == 0) line.fail("expected a blank before the sample value");
        s.value = detail::parse_value(line.token(), line);
        if (!line.done()) {
            line.skip_blanks();
            if (!line.done()) {
                s.timestamp = detail::parse_timestamp(line.token(), line);
                line.skip_blanks();
                if (!line.done()) line.fail("unexpected text after the timestamp");
            }
        }
        const std::string family_name = detail::family_of(s.name, types);
        enter(family_name, line);
        if (!series.emplace(s.name, s.labels).second) line.fail("duplicate sample " + s.name);
        family_for(family_name).samples.push_back(std::move(s));
    }
    return out;
}

} // namespace prometheus_text
