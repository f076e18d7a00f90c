#!/usr/bin/env bash
# bench/scripts/chart.sh <lookup-output> <out.png> [keys]
#
# Draws one key count of the read-path benchmark (bench/lookup.cpp; its output
# as the bench preset keeps it in build/bench/bench/results/lookup.txt) as
# horizontal bars: for every variant and thread count, its time per lookup
# divided by the limit's (the RATIO and REF lines, same run), labelled with
# the ratio and the absolute median time per lookup ("1.10× (13.2 ns)", from
# Google Benchmark's *_median lines). roster's variants come first, in
# colour; the baselines users write by hand (the REF lines) come last, grey
# and hatched, marked "(baseline)". A dashed line at 1 is the limit, whose
# own times are in the title. Exits non-zero, saying why, when the input
# lacks a key count's ratios or times, or when gnuplot is missing.
# Needs gnuplot with the pngcairo terminal (Debian: gnuplot-nox).
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 <lookup-output> <out.png> [keys (default 1000)]" >&2
    exit 2
fi
input=$1 out=$2 keys=${3:-1000}
if [[ ! -r $input ]]; then
    echo "chart.sh: cannot read $input" >&2
    exit 1
fi
if ! command -v gnuplot >/dev/null; then
    echo "chart.sh: gnuplot not found (Debian: apt-get install gnuplot-nox)" >&2
    exit 1
fi

data=$(mktemp)
settings=$(mktemp)
trap 'rm -f "$data" "$settings"' EXIT

# One row per bar: y, ratio, ns, thread slot (0..2), baseline (0/1), label.
# The y tick labels (variant names) and the plot's ranges go to $settings.
awk -v keys="$keys" -v data="$data" -v settings="$settings" '
    function ns(value, unit) {
        if (unit == "ns") return value
        if (unit == "us") return value * 1e3
        if (unit == "ms") return value * 1e6
        if (unit == "s") return value * 1e9
        return -1
    }
    function fmt_ns(t) { return t < 10 ? sprintf("%.1f ns", t) : sprintf("%.0f ns", t) }
    # Colour codes, which Google Benchmark writes even into a file when TERM says colour.
    { gsub(/\033\[[0-9;]*[A-Za-z]/, "") }
    # Google Benchmark console: <name>/<keys>/[<options>/]real_time/threads:<n>_median <time> <unit> ...
    $1 ~ /_median$/ && NF >= 3 {
        n = split($1, part, "/")
        if (n >= 4 && part[2] == keys) {
            threads = part[n]; sub(/^threads:/, "", threads); sub(/_median$/, "", threads)
            t = ns($2, $3)
            if (t > 0) time[part[1], threads] = t
        }
    }
    ($1 == "RATIO" || $1 == "REF") && $2 !~ /_vs_/ && $4 == "keys=" keys {
        split($3, th, "=")
        ratio[$2, th[2]] = $5
        if (!($2 in seen)) { seen[$2] = 1; names[++count] = $2; baseline[$2] = ($1 == "REF") }
        if (!(th[2] in seen_threads)) { seen_threads[th[2]] = 1; threads_list[++thread_count] = th[2] }
    }
    END {
        if (count == 0) { print "chart.sh: no RATIO/REF lines for keys=" keys > "/dev/stderr"; exit 1 }
        # Thread counts ascending.
        for (i = 1; i <= thread_count; i++)
            for (j = i + 1; j <= thread_count; j++)
                if (threads_list[j] + 0 < threads_list[i] + 0) { x = threads_list[i]; threads_list[i] = threads_list[j]; threads_list[j] = x }
        if (thread_count > 3) { print "chart.sh: more than 3 thread counts; the script draws 3" > "/dev/stderr"; exit 1 }
        # roster variants in the order of docs/benchmarks.md, any other after them
        # (sorted), then the baselines.
        split("roster_frozen_sv roster_frozen_cstr roster_frozen_miss_sv roster_unlocked_sv roster_sharded_sv " \
              "roster_mutable_sv roster_mutable_cstr roster_mutable_get_sv " \
              "roster_factory_create_sv roster_frozen_factory_create_sv " \
              "std_limit_string std_limit_miss_string boost_flat_sv shared_mutex_baseline_cstr c10_style_cstr", preferred, " ")
        shown = 0
        for (i = 1; i in preferred; i++) if (preferred[i] in seen && !baseline[preferred[i]]) { order[++shown] = preferred[i]; placed[preferred[i]] = 1 }
        m = 0
        for (i = 1; i <= count; i++) if (!(names[i] in placed) && !baseline[names[i]]) rest[++m] = names[i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (rest[j] < rest[i]) { x = rest[i]; rest[i] = rest[j]; rest[j] = x }
        for (i = 1; i <= m; i++) { order[++shown] = rest[i]; placed[rest[i]] = 1 }
        for (i = 1; i in preferred; i++) if (preferred[i] in seen && baseline[preferred[i]]) { order[++shown] = preferred[i]; placed[preferred[i]] = 1 }
        for (i = 1; i <= count; i++) if (!(names[i] in placed)) order[++shown] = names[i]

        # Top to bottom: one group of bars per variant, a wider gap before the baselines.
        y = 0; max_ratio = 1; tics = ""
        for (i = 1; i <= shown; i++) {
            name = order[i]
            if (i > 1 && baseline[name] && !baseline[order[i - 1]]) { y -= 2.2; separator = y + 1.0 }
            else if (i > 1) y -= 1.2
            for (k = 1; k <= thread_count; k++) {
                t = threads_list[k]
                if (!((name, t) in ratio)) continue
                if (!((name, t) in time)) {
                    print "chart.sh: no median time for " name " threads=" t " keys=" keys " (Google Benchmark console lines missing?)" > "/dev/stderr"
                    exit 1
                }
                bar_y = y - (k - 1) * 0.3
                printf "%.2f %s %.3f %d %d \"%.2f× (%s)\"\n", bar_y, ratio[name, t], time[name, t], k - 1, baseline[name], ratio[name, t], fmt_ns(time[name, t]) > data
                if (ratio[name, t] + 0 > max_ratio) max_ratio = ratio[name, t] + 0
            }
            label = name (baseline[name] ? " (baseline)" : "")
            tics = tics (tics == "" ? "" : ", ") sprintf("\"%s\" %.2f", label, y - 0.3)
        }
        limit = ""
        for (k = 1; k <= thread_count; k++) {
            t = threads_list[k]
            if (!(("limit_sv", t) in time)) { print "chart.sh: no median time for limit_sv threads=" t " keys=" keys > "/dev/stderr"; exit 1 }
            limit = limit (limit == "" ? "" : ", ") fmt_ns(time["limit_sv", t]) " (" t (t == 1 ? " thread" : " threads") ")"
        }
        print "set ytics (" tics ")" > settings
        printf "set yrange [%.2f:%.2f]\n", y - 1.0, 0.7 > settings
        # Room right of the longest bar for its label.
        printf "set xrange [0:%.3f]\n", max_ratio * 1.28 + 0.25 > settings
        printf "limit_times = \"%s\"\n", limit > settings
        if (separator != "") printf "set arrow from graph 0, first %.2f to graph 1, first %.2f nohead dt 3 lc rgb \"#808080\"\n", separator, separator > settings
        for (k = 1; k <= 3; k++) printf "threads%d = \"%s\"\n", k - 1, (k <= thread_count ? threads_list[k] (threads_list[k] == 1 ? " thread" : " threads") : "") > settings
    }' "$input"

# box <thread slot> <baseline 0/1>: the plot clause of one set of bars.
box() {
    printf '"%s" using 2:(bar(%d,%d)):(0):2:(bar(%d,%d)-h):(bar(%d,%d)+h)' "$data" "$1" "$2" "$1" "$2" "$1" "$2"
}

gnuplot <<GNUPLOT
set terminal pngcairo size 1200,1100 font "DejaVu Sans,10"
set output "$out"
set encoding utf8
set termoption noenhanced
load "$settings"
set title sprintf("roster read path, $keys string keys: time per lookup / the limit's, same run (lower is better)\n" . \
                  "the limit, dashed at 1: unsynchronised std::unordered_map with roster's string hash, find(string_view)\n%s", limit_times) font ",11"
set xlabel "time per lookup / the limit's (bar labels: that ratio, and the median time per lookup)"
set ytics scale 0 nomirror
set xtics nomirror
set grid xtics
set border 3
set lmargin 34
set rmargin 4
set key outside below center vertical maxrows 2 samplen 2 spacing 1.2 width 2
set bmargin 6
set style textbox opaque noborder margins 1,1
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lw 1.5 lc rgb "black"
h = 0.13
bar(thread, base) = (\$4 == thread && \$5 == base) ? \$1 : NaN
plot \
    $(box 0 0) with boxxyerror fs solid 0.9 border lc rgb "#3b2a63" lc rgb "#7b52c7" title threads0, \
    $(box 0 1) with boxxyerror fs solid 1.0 border lc rgb "#404040" lc rgb "#d0d0d0" title "baseline, " . threads0, \
    $(box 1 0) with boxxyerror fs solid 0.9 border lc rgb "#14513b" lc rgb "#24a577" title threads1, \
    $(box 1 1) with boxxyerror fs solid 1.0 border lc rgb "#404040" lc rgb "#a8a8a8" title "baseline, " . threads1, \
    $(box 2 0) with boxxyerror fs solid 0.9 border lc rgb "#1d4c6b" lc rgb "#5fb2e6" title threads2, \
    $(box 2 1) with boxxyerror fs solid 1.0 border lc rgb "#404040" lc rgb "#808080" title "baseline, " . threads2, \
    $(box 0 1) with boxxyerror fs transparent pattern 4 noborder lc rgb "#303030" notitle, \
    $(box 1 1) with boxxyerror fs transparent pattern 4 noborder lc rgb "#303030" notitle, \
    $(box 2 1) with boxxyerror fs transparent pattern 4 noborder lc rgb "#303030" notitle, \
    "$data" using (\$2 + 0.02):1:6 with labels left offset 0.4,0 boxed font ",9" notitle
GNUPLOT
echo "wrote $out"
