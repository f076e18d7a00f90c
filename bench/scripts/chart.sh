#!/usr/bin/env bash
# bench/scripts/chart.sh <lookup-output> <out.png> [keys]
# Draws the read-path ratios (time per lookup / the limit's, same run) of one
# key count as grouped bars, one group per variant, one bar per thread count.
# Needs gnuplot (Debian: gnuplot-nox).
set -euo pipefail
input=$1 out=$2 keys=${3:-1000}
data=$(mktemp)
trap 'rm -f "$data"' EXIT
awk -v keys="keys=$keys" '
    ($1 == "RATIO" && $2 !~ /_vs_/ || $1 == "REF") && $4 == keys {
        split($3, t, "="); v[$2, t[2]] = $5; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
    }
    END {
        print "variant t1 t2 t4"
        for (i = 1; i <= n; i++) { name = order[i]; gsub(/_/, "-", name)
            printf "%s %s %s %s\n", name, v[order[i], 1], v[order[i], 2], v[order[i], 4] }
    }' "$input" > "$data"
gnuplot <<GNUPLOT
set terminal pngcairo size 1100,560 font "DejaVu Sans,10"
set output "$out"
set termoption noenhanced
set yrange [0:*]
set title "roster read path, $keys string keys: time per lookup / unsynchronised unordered_map (same run; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -25 scale 0
set ylabel "ratio to the limit"
set grid ytics
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
plot "$data" using 2:xtic(1) title "1 thread", "" using 3 title "2 threads", "" using 4 title "4 threads"
GNUPLOT
echo "wrote $out"
