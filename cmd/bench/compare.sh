#!/bin/sh
# compare.sh runs gokeras's reference workloads (go run ./cmd/bench) and
# PyTorch's torch_reference.py interleaved on the same machine, round after
# round, and prints each figure's medians and the ratio gokeras/PyTorch
# (below 1: gokeras is faster), PyTorch at its best thread setting.
#
#   cmd/bench/compare.sh [-r rounds] [-c wall|cpu] [-w "W1 W3 W4"] [-t "1 2"] path/to/torch_reference.py
#
#   -r  rounds (default 3); each round runs every workload once on each side
#   -c  wall (default): elapsed seconds, the figures to quote on a quiet
#       machine; cpu: process CPU seconds on both sides (PyTorch's
#       time.perf_counter is replaced by time.process_time), which on a
#       machine shared with other jobs do not count the time spent waiting
#       for a core, but add up every core a process used
#   -w  workloads (default "W1 W3 W4"; W2 adds about 3 minutes a round,
#       W5 and W6 under a minute each)
#   -t  PyTorch thread counts to try (default "1"; "1 2" tries both and keeps
#       the best: two threads help large batches on a quiet machine, and
#       are many times slower on a loaded one)
#
# BENCH=/path/to/binary uses a bench binary built before (for example
# from an older commit) instead of building ./cmd/bench.
#
# KERAS_HOME must point at Keras's cache (both sides read the data sets
# from it); /usr/bin/python3 must have torch. The output ends with one line
# per figure:
#
#   RATIO W1_bs32 gokeras=<median> torch=<best median> (t=<threads>) ratio=<gokeras/torch>
#
# (QUALITY lines give the accuracies, PEAK lines W1's share of the
# two-core sgemm peak, a median over the rounds)
# and the load average before and after, which says how far to trust it.
set -eu

rounds=3
clock=wall
works="W1 W3 W4"
threads="1"
while getopts r:c:w:t: opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	c) clock=$OPTARG ;;
	w) works=$OPTARG ;;
	t) threads=$OPTARG ;;
	*) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 [-r rounds] [-c wall|cpu] [-w \"W1 W3 W4\"] [-t \"1 2\"] path/to/torch_reference.py" >&2
	exit 2
fi
case $clock in wall | cpu) ;; *) echo "$0: -c $clock: want wall or cpu" >&2; exit 2 ;; esac
torch=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${BENCH:-}" ]; then
	cp "$BENCH" "$tmp/bench"
else
	(cd "$root" && go build -o "$tmp/bench" ./cmd/bench)
fi
log=$tmp/log
: >"$log"

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a; }

# py threads args...: torch_reference.py with OPENBLAS_NUM_THREADS=threads.
py() {
	t=$1
	shift
	if [ "$clock" = cpu ]; then
		OPENBLAS_NUM_THREADS=$t /usr/bin/python3 -c '
import sys, time
time.perf_counter = time.process_time
path = sys.argv[1]
sys.argv = sys.argv[1:]
exec(compile(open(path).read(), path, "exec"), {"__file__": path, "__name__": "__main__"})
' "$torch" --threads "$t" "$@"
	else
		OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$torch" --threads "$t" "$@"
	fi
}

# record round side metric value
record() { echo "$1 $2 $3 $4" >>"$log"; }

# gokeras round workload: runs cmd/bench, records its RESULT lines.
gokeras() {
	out=$("$tmp/bench" -w "$2" -clock "$clock" 2>&1) || true
	echo "$out" | sed 's/^/  gokeras: /'
	echo "$out" | awk -v r="$1" '
		/^RESULT W1 / { split($3, b, "="); split($4, v, "="); print r, "gokeras", "W1_bs" b[2], v[2] }
		/^RESULT W3 / { split($3, v, "="); print r, "gokeras", "W3", v[2] }
		/^RESULT W4 / { split($3, a, "="); split($4, b, "="); print r, "gokeras", "W4_latency_us", a[2]; print r, "gokeras", "W4_rows10000_ms", b[2] }
		/^RESULT W[256] / { split($3, v, "="); print r, "gokeras", $2, v[2] }
		/^INFO W1 / { for (i = 3; i <= NF; i++) if ($i ~ /^test_accuracy=/) { split($i, a, "="); print r, "gokeras", "W1_bs" substr($3, 4) "_test_accuracy", a[2] } }
		/^INFO W1 / { for (i = 3; i <= NF; i++) if ($i ~ /^peak_share=/) { split($i, a, "="); print r, "gokeras", "W1_bs" substr($3, 4) "_peak_share", a[2] } }
		/^INFO W3 / { for (i = 3; i <= NF; i++) if ($i ~ /^test_mae=/) { split($i, a, "="); split(a[2], m, ","); print r, "gokeras", "W3_test_mae_seed1", m[1] } }
	' >>"$log"
}

# torch round workload
torchside() {
	for t in $threads; do
		case $2 in
		W1)
			for bs in 32 512; do
				out=$(py "$t" --w mlp --bs $bs --epochs 5 2>&1) || true
				echo "$out" | sed "s/^/  torch t=$t: /"
				echo "$out" | awk -v r="$1" -v s="torch-t$t" -v bs=$bs '
					/^epoch [0-9]+: / { n++; e[n] = $3 }
					/ test_acc / { for (i = 1; i <= NF; i++) if ($i == "test_acc") print r, s, "W1_bs" bs "_test_accuracy", $(i + 1) }
					END { if (n) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (e[j] < e[i]) { x = e[i]; e[i] = e[j]; e[j] = x }
						m = (n % 2) ? e[(n + 1) / 2] : (e[n / 2] + e[n / 2 + 1]) / 2; print r, s, "W1_bs" bs, m } }' >>"$log"
			done
			;;
		W3)
			out=$(py "$t" --w reg 2>&1) || true
			echo "$out" | sed "s/^/  torch t=$t: /"
			echo "$out" | awk -v r="$1" -v s="torch-t$t" '/^RESULT / { for (i = 1; i <= NF; i++) { if ($i == "total_s") print r, s, "W3", $(i + 1); if ($i == "test_mae") print r, s, "W3_test_mae_seed1", $(i + 1) } }' >>"$log"
			;;
		W4)
			out=$(py "$t" --w predict 2>&1) || true
			echo "$out" | sed "s/^/  torch t=$t: /"
			echo "$out" | awk -v r="$1" -v s="torch-t$t" '/^RESULT / { for (i = 1; i <= NF; i++) { if ($i == "latency_us") print r, s, "W4_latency_us", $(i + 1); if ($i == "batch10000_s") print r, s, "W4_rows10000_ms", 1000 * $(i + 1) } }' >>"$log"
			;;
		W2 | W5 | W6)
			w=cnn
			[ "$2" = W5 ] && w=lstm
			[ "$2" = W6 ] && w=gru
			out=$(py "$t" --w $w 2>&1) || true
			echo "$out" | sed "s/^/  torch t=$t: /"
			echo "$out" | awk -v r="$1" -v s="torch-t$t" -v id="$2" '/^RESULT / { for (i = 1; i <= NF; i++) if ($i == "s_per_100") print r, s, id, $(i + 1) }' >>"$log"
			;;
		esac
	done
}

# The BLAS PyTorch loads decides its dense figures: Debian's python3-torch
# runs on whatever libblas.so.3 the alternatives system points at, and the
# reference BLAS (what a bare `apt-get install python3-torch` may leave)
# makes its matrix products several times slower than OpenBLAS
# (libopenblas0-pthread). Say which one it is, and warn on the reference.
blas=$(/usr/bin/python3 -c '
import torch
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
print(",".join(libs) or "none")
' 2>/dev/null || echo unknown)
echo "TORCH_BLAS $blas"
case $blas in
*openblas* | *mkl*) ;;
*) echo "$0: warning: PyTorch loads $blas, not OpenBLAS or MKL: its figures are not its best (apt-get install libopenblas0-pthread)" >&2 ;;
esac
echo "START $(date -u +%Y-%m-%dT%H:%M:%SZ) clock=$clock rounds=$rounds workloads=\"$works\" torch_threads=\"$threads\" load=$(load) cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo n/a)"
r=1
while [ $r -le "$rounds" ]; do
	for w in $works; do
		echo "ROUND $r $w gokeras load=$(load)"
		gokeras $r "$w"
		echo "ROUND $r $w torch load=$(load)"
		torchside $r "$w"
	done
	r=$((r + 1))
done
echo "END $(date -u +%Y-%m-%dT%H:%M:%SZ) load=$(load)"

# Medians per side and metric, then gokeras against PyTorch's best side.
sort -k3,3 -k2,2 -k4,4g "$log" | awk -v clock="$clock" '
	{ key = $3 SUBSEP $2; n[key]++; v[key, n[key]] = $4; metrics[$3] = 1; sides[$2] = 1 }
	function med(key,   c) { c = n[key]; if (!c) return ""; return (c % 2) ? v[key, (c + 1) / 2] : (v[key, c / 2] + v[key, c / 2 + 1]) / 2 }
	function all(key,   c, s, i) { c = n[key]; s = ""; for (i = 1; i <= c; i++) s = s (i > 1 ? "," : "") v[key, i]; return s }
	END {
		for (m in metrics) {
			g = med(m SUBSEP "gokeras"); best = ""; bs = ""
			for (s in sides) if (s != "gokeras") { t = med(m SUBSEP s); if (t != "" && (best == "" || (m ~ /accuracy/ ? t > best : t < best))) { best = t; bs = s } }
			if (m ~ /accuracy|mae/) { printf "QUALITY %s gokeras=%s torch=%s (%s)\n", m, g, best, bs; continue }
			if (m ~ /peak_share/) { printf "PEAK %s gokeras=%s runs=%s\n", m, g, all(m SUBSEP "gokeras"); continue }
			if (g == "" || best == "") continue
			printf "RATIO %s gokeras=%.4g torch=%.4g (%s) ratio=%.3f clock=%s gokeras_runs=%s torch_runs=%s\n", m, g, best, bs, g / best, clock, all(m SUBSEP "gokeras"), all(m SUBSEP bs)
		}
	}' | sort
