// bench/support/boost_flat.hpp — the boost::unordered_flat_map anchor shared
// by the read-path benchmarks (lookup, hot_reload).
//
// Built only where Boost 1.81 or later is found (Debian 12: libboost1.81-dev;
// its default libboost-dev is 1.74, which has no flat map). Where it is absent
// ROSTER_BENCH_HAS_BOOST_FLAT is 0 and boost_flat_skipped() prints why.
//
// The map is given std::hash<std::string_view> through a transparent hasher,
// the same hash function as the standard limit's std::hash<std::string>, so
// the two anchors differ only in their layout; lookups take a string_view.
#pragma once

#include <cstdio>      // std::printf
#include <functional>  // std::hash, std::equal_to
#include <string>      // keys
#include <string_view> // lookups

#if __has_include(<boost/unordered/unordered_flat_map.hpp>)
#    include <boost/unordered/unordered_flat_map.hpp>
#    define ROSTER_BENCH_HAS_BOOST_FLAT 1
#else
#    define ROSTER_BENCH_HAS_BOOST_FLAT 0
#endif

namespace bench {
#if ROSTER_BENCH_HAS_BOOST_FLAT
/// std::hash<std::string_view>, usable for std::string and std::string_view alike.
struct boost_flat_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
/// boost::unordered_flat_map keyed by std::string, looked up by std::string_view.
template <class Value>
using boost_flat_map = boost::unordered_flat_map<std::string, Value, boost_flat_hash, std::equal_to<>>;
#endif

/// Prints the REF line that says the boost anchor was not built, where it was not.
inline void boost_flat_skipped() {
#if !ROSTER_BENCH_HAS_BOOST_FLAT
    std::printf("REF boost_flat_sv skipped: <boost/unordered/unordered_flat_map.hpp> not found (Boost 1.81 or later; "
                "Debian 12: libboost1.81-dev)\n");
#endif
}
} // namespace bench
