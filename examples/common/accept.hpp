// examples/common/accept.hpp — HTTP content negotiation for the examples'
// endpoints that answer in more than one format: which of two media types a
// request's Accept header prefers (RFC 9110, section 12.5.1).
//
//   if (examples::prefers(request.get_header_value("Accept"), "text/html", "application/json"))
//       ...HTML...
//   else
//       ...JSON...
//
// A browser sends "text/html,application/xhtml+xml,...,*/*;q=0.8": HTML.
// curl sends "*/*", scripts often nothing: the fallback (the second type).
#pragma once

#include <cctype>      // std::tolower
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view

namespace examples {

namespace accept_detail {

/// `text` without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const std::size_t last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

/// `text` in lower case (media types and parameter names are case-insensitive).
inline std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// The value of a qvalue ("1", "0.8", "0.125"), or -1 when it is malformed.
inline double parse_q(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
    double value = text[0] == '1' ? 1.0 : 0.0;
    if (text.size() == 1) return value;
    if (text[1] != '.' || text.size() > 5) return -1;
    double scale = 0.1;
    for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value += scale * (text[i] - '0');
    }
    return value > 1.0 ? -1 : value;
}

} // namespace accept_detail

/// The quality the Accept header `accept` gives the media type `type`
/// ("text/html"): the q of the most specific media range that matches it
/// ("text/html" before "text/*" before "*/*"; on a tie, the first), 0 when
/// none does. Malformed ranges are ignored. An empty header accepts
/// everything (RFC 9110: no Accept field means any type): 1.
inline double accept_quality(std::string_view accept, std::string_view type) {
    namespace ad = accept_detail;
    if (ad::trim(accept).empty()) return 1.0;
    const std::string wanted = ad::lower(type);
    const std::size_t slash = wanted.find('/');
    const std::string_view wanted_type = std::string_view(wanted).substr(0, slash);

    int best_specificity = -1;
    double best_q = 0.0;
    while (!accept.empty()) {
        const std::size_t comma = accept.find(',');
        const std::string_view item = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);

        const std::size_t semicolon = item.find(';');
        const std::string range = ad::lower(ad::trim(item.substr(0, semicolon)));
        const std::size_t range_slash = range.find('/');
        if (range_slash == std::string::npos || range_slash == 0 || range_slash + 1 == range.size()) continue;

        double q = 1.0;
        for (std::string_view params = semicolon == std::string_view::npos ? std::string_view{} : item.substr(semicolon + 1);
             !params.empty();) {
            const std::size_t next = params.find(';');
            const std::string_view param = ad::trim(params.substr(0, next));
            params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
            const std::size_t equals = param.find('=');
            if (equals != std::string_view::npos && ad::lower(ad::trim(param.substr(0, equals))) == "q")
                q = ad::parse_q(ad::trim(param.substr(equals + 1)));
        }
        if (q < 0) continue; // malformed qvalue

        int specificity = -1;
        if (range == wanted) specificity = 2;
        else if (range.compare(range_slash, std::string::npos, "/*") == 0 &&
                 std::string_view(range).substr(0, range_slash) == wanted_type)
            specificity = 1;
        else if (range == "*/*") specificity = 0;
        if (specificity > best_specificity) {
            best_specificity = specificity;
            best_q = q;
        }
    }
    return best_q;
}

/// Whether the Accept header `accept` prefers `type` to `fallback`: true
/// only when it gives `type` a higher quality (a tie, "*/*" or no header
/// at all, keeps the fallback).
inline bool prefers(std::string_view accept, std::string_view type, std::string_view fallback) {
    return accept_quality(accept, type) > accept_quality(accept, fallback);
}

} // namespace examples
