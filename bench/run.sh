#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
#
# The vcrypto benchmark: the bare cryptodev against the vhost-user path
# (copy, zero-copy, transport only), interleaved A B A B per repetition;
# guests on one poller (scaling) and a light guest next to a heavy one
# (fairness).
# See bench/README.md.
#
#   bench/run.sh [--quick] [--out DIR] [options]
#
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ORIG_ARGS=("$@")

# As root, install what the build and the plots need (scripts/deps.sh);
# otherwise say what is missing and go on (plots are skipped without gnuplot).
# shellcheck source=../scripts/deps.sh
source "$root/scripts/deps.sh"
if [ "${VCRYPTO_NO_DEPS:-0}" != 1 ]; then
	vcrypto_install_packages "${VCRYPTO_BUILD_PACKAGES[@]}" "${VCRYPTO_BENCH_PACKAGES[@]}" || true
fi

usage()
{
	cat <<EOF
usage: bench/run.sh [--quick] [--out DIR] [options]

  --quick            CI smoke: one repetition, 64 B and 4 KiB, 0.1 s per case,
                     out of place too, a 1- and 4-guest scaling run, a 64 B /
                     64 KiB fairness run; no thresholds (about two minutes)
  --out DIR          results directory (default bench/results/<UTC timestamp>)
  --pmd LIST         aesni_mb,openssl (default both)
  --algo LIST        aes-cbc,aes-cbc-sha1,aes-256-gcm (default all)
  --sizes LIST       bytes, k suffix allowed (default 64,256,1k,4k,16k,64k)
  --depth LIST       requests in flight (default 1,32: latency and throughput)
  --modes LIST       vhost modes: copy,zc,null,null-zc,dpdk (default all five;
                     null and null-zc: transport only, nothing computed
                     (VCRYPTO_ENGINE_F_NULL_CRYPTO), copy or zero copy;
                     dpdk: the same guest served by DPDK 22.11's own
                     rte_vhost_crypto instead, AES-CBC and AES-CBC+HMAC-SHA1
                     up to 2 KiB only)
  --oop              also run copy and zc out of place (each destination, and
                     digest, in a second block of buffers, as AF_ALG and
                     dm-crypt in a Linux guest send them: vhost_bench --oop),
                     right after the in-place run of each repetition; the
                     report's modes copy-oop and zc-oop (on with --quick)
  --reps N           repetitions, interleaved (default 5)
  --c2c-wait S       a two-core case waits up to S seconds (default 20; --quick:
                     0) while the core-to-core latency says the VM's vCPUs
                     are placed apart (vhost_bench --c2c-wait)
  --retry-slow N     then up to N extra repetitions of each algorithm whose
                     two-core cases all ran with the vCPUs placed apart (the
                     report's c2c check; default 2, 0: none)
  --seconds S        measured seconds per case (default 1), after --warmup S (0.2)
  --scaling          also run 1,4,16,64 guests on one poller (--guests LIST,
                     --scaling-size BYTES (4k), --scaling-depth N (16), aes-cbc,
                     copy and zc)
  --scaling-only     only the scaling run
  --fairness         run the fairness case (the default; see --no-fairness): a
                     light guest (depth 1, aes-cbc) beside a heavy one on one
                     poller: alone, equal weights, light weight 4, heavy
                     rate-limited to half, heavy max_inflight 4
                     (--light-sizes LIST (64,4k), --heavy-sizes LIST (4k,64k),
                     --heavy-depth N (32), --fairness-seconds S (2), copy,
                     --fairness-algo LIST (aes-cbc; any of --algo's);
                     experiments: --fairness-qp N engine descriptors per queue
                     pair, --fairness-burst N poller burst; default: library's)
  --fairness-only    only the fairness case
  --no-fairness      skip the fairness case
  --path-cost        also measure the host path's own cycles per request
                     (bench/path_cost: guest and poller on one thread, best of
                     60 short windows; --pmd, --algo, --sizes, --modes apply)
  --path-cost-only   only that
  --host-cpu N       CPU of the host poller and of the bare loop (default 1)
  --guest-cpu N      CPU of the guest front end (default 0)
  --build-dir DIR    where bare_cryptodev and vhost_bench are (default build-bench;
                     configured and built there if missing)
  --no-plots         skip gnuplot
EOF
}

quick=0
out=""
pmds="aesni_mb,openssl"
algos="aes-cbc,aes-cbc-sha1,aes-256-gcm"
sizes="64,256,1k,4k,16k,64k"
depths="1,32"
modes="copy,zc,null,null-zc,dpdk"
oop=0
reps=5
retry_slow=2
c2c_wait=20
seconds=1
warmup=0.2
scaling=0
matrix=1
guests="1,4,16,64"
scaling_size=4k
scaling_depth=16
fairness=1
only_scaling=0 only_fairness=0
light_sizes=64,4k
heavy_sizes=4k,64k
heavy_depth=32
fair_seconds=2
fair_qp=0 fair_burst=0 fair_algo=aes-cbc
host_cpu=1
guest_cpu=0
path_cost=0 only_path=0 pc_windows=60
build="$root/build-bench"
plots=1
set_reps="" set_c2c="" set_sizes="" set_seconds="" set_guests="" set_light="" set_heavy="" set_fsec=""

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--pmd) pmds=$2; shift ;;
	--algo) algos=$2; shift ;;
	--sizes) sizes=$2; set_sizes=1; shift ;;
	--depth) depths=$2; shift ;;
	--modes) modes=$2; shift ;;
	--oop) oop=1 ;;
	--reps) reps=$2; set_reps=1; shift ;;
	--retry-slow) retry_slow=$2; shift ;;
	--c2c-wait) c2c_wait=$2; set_c2c=1; shift ;;
	--seconds) seconds=$2; set_seconds=1; shift ;;
	--warmup) warmup=$2; shift ;;
	--scaling) scaling=1 ;;
	--scaling-only) only_scaling=1 ;;
	--fairness) fairness=1 ;;
	--fairness-only) only_fairness=1 ;;
	--no-fairness) fairness=0 ;;
	--path-cost) path_cost=1 ;;
	--path-cost-only) path_cost=1 only_path=1 ;;
	--light-sizes) light_sizes=$2; set_light=1; shift ;;
	--heavy-sizes) heavy_sizes=$2; set_heavy=1; shift ;;
	--heavy-depth) heavy_depth=$2; shift ;;
	--fairness-seconds) fair_seconds=$2; set_fsec=1; shift ;;
	--fairness-qp) fair_qp=$2; shift ;;
	--fairness-burst) fair_burst=$2; shift ;;
	--fairness-algo) fair_algo=$2; shift ;;
	--guests) guests=$2; set_guests=1; shift ;;
	--scaling-size) scaling_size=$2; shift ;;
	--scaling-depth) scaling_depth=$2; shift ;;
	--host-cpu) host_cpu=$2; shift ;;
	--guest-cpu) guest_cpu=$2; shift ;;
	--build-dir) build=$2; shift ;;
	--no-plots) plots=0 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

if [ "$quick" = 1 ]; then
	[ -n "$set_reps" ] || reps=1
	[ -n "$set_sizes" ] || sizes="64,4k"
	[ -n "$set_seconds" ] || seconds=0.1
	[ -n "$set_guests" ] || guests="1,4"
	[ -n "$set_light" ] || light_sizes=64
	[ -n "$set_heavy" ] || heavy_sizes=64k
	[ -n "$set_fsec" ] || fair_seconds=0.1
	[ -n "$set_c2c" ] || c2c_wait=0
	retry_slow=0
	oop=1
	warmup=0.05
	scaling=1
	path_cost=1
	pc_windows=3
fi
# --path-cost-only: nothing else
if [ "$only_path" = 1 ]; then
	matrix=0 scaling=0 fairness=0
fi
# --scaling-only / --fairness-only: no matrix, and only the parts named
if [ "$only_scaling" = 1 ] || [ "$only_fairness" = 1 ]; then
	matrix=0
	[ "$only_scaling" = 1 ] && scaling=1
	[ "$only_fairness" = 1 ] && fairness=1
	[ "$only_fairness" = 1 ] || fairness=0
fi
[ "$reps" -ge 1 ] 2>/dev/null || { echo "run.sh: --reps must be >= 1" >&2; exit 2; }
[ "$retry_slow" -ge 0 ] 2>/dev/null || { echo "run.sh: --retry-slow must be >= 0" >&2; exit 2; }

bare="$build/bench/bare_cryptodev"
vhost="$build/bench/vhost_bench"
pcost="$build/bench/path_cost"
if [ ! -x "$bare" ] || [ ! -x "$vhost" ] || [ ! -x "$pcost" ]; then
	echo "run.sh: building the benchmarks in $build" >&2
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
		-DVCRYPTO_BUILD_BENCH=ON >/dev/null
	cmake --build "$build" -j2 --target bare_cryptodev vhost_bench path_cost >/dev/null
fi

[ -n "$out" ] || out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out/raw"
rm -f "$out"/raw/*.jsonl

{
	echo "{"
	echo "  \"started\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
	echo "  \"uptime_start\": \"$(uptime)\","
	echo "  \"nproc\": $(nproc),"
	echo "  \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //; s/"/\\"/g')\","
	echo "  \"git\": \"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo -dirty)\","
	echo "  \"command\": \"bench/run.sh $(printf '%s ' "${ORIG_ARGS[@]:-}" | sed 's/"/\\"/g')\","
	echo "  \"reps\": $reps, \"seconds\": $seconds, \"warmup\": $warmup,"
	echo "  \"host_cpu\": $host_cpu, \"guest_cpu\": $guest_cpu,"
	echo "  \"fairness_seconds\": $fair_seconds, \"heavy_depth\": $heavy_depth"
	echo "}"
} >"$out/meta.start.json"

common=(--sizes "$sizes" --depth "$depths" --seconds "$seconds" --warmup "$warmup")
two=(--host-cpu "$host_cpu" --guest-cpu "$guest_cpu" --c2c-wait "$c2c_wait")
status=0
run()
{
	# run OUTFILE CMD...: one benchmark process; its JSON lines go to OUTFILE.
	local f=$1
	shift
	if ! "$@" >>"$f" 2>>"$out/log.txt"; then
		echo "run.sh: FAILED: $*" | tee -a "$out/log.txt" >&2
		status=1
	fi
}

# --oop: the modes that run out of place as well (copy and zc of --modes)
oop_modes=""
if [ "$oop" = 1 ]; then
	oop_modes=$(tr , '\n' <<<"$modes" | { grep -x -e copy -e zc || true; } | paste -sd, -)
fi

# run_algo REP PMD ALGO: the bare loop, then vhost_bench (in place, then out of place
# with --oop), for one algorithm.
run_algo()
{
	run "$out/raw/r${1}_${2}_${3}_bare.jsonl" \
		"$bare" --pmd "$2" --algo "$3" --cpu "$host_cpu" "${common[@]}"
	run "$out/raw/r${1}_${2}_${3}_vhost.jsonl" \
		"$vhost" --pmd "$2" --algo "$3" --modes "$modes" "${two[@]}" "${common[@]}"
	if [ -n "$oop_modes" ]; then
		run "$out/raw/r${1}_${2}_${3}_vhost_oop.jsonl" \
			"$vhost" --pmd "$2" --algo "$3" --modes "$oop_modes" --oop "${two[@]}" \
			"${common[@]}"
	fi
}

IFS=, read -r -a pmd_list <<<"$pmds"
IFS=, read -r -a algo_list <<<"$algos"
echo "run.sh: results in $out (uptime: $(uptime | sed 's/.*load/load/'))" >&2
for ((r = 1; r <= reps; r++)); do
	for pmd in "${pmd_list[@]}"; do
		if [ "$matrix" = 1 ]; then
			for algo in "${algo_list[@]}"; do
				echo "run.sh: rep $r/$reps $pmd $algo: bare, then vhost ($modes)" \
					"${oop_modes:+"and out of place ($oop_modes)"}" >&2
				run_algo "$r" "$pmd" "$algo"
			done
		fi
		if [ "$scaling" = 1 ]; then
			for m in copy zc; do
				echo "run.sh: rep $r/$reps $pmd scaling $guests guests ($m)" >&2
				run "$out/raw/r${r}_${pmd}_scaling_${m}.jsonl" \
					"$vhost" --pmd "$pmd" --algo aes-cbc --modes "$m" \
					--sizes "$scaling_size" --depth 1 --scaling "$guests" \
					--scaling-depth "$scaling_depth" --seconds "$seconds" \
					--warmup "$warmup" "${two[@]}"
			done
		fi
		if [ "$fairness" = 1 ]; then
			echo "run.sh: rep $r/$reps $pmd fairness: light $light_sizes beside heavy" \
				"$heavy_sizes x$heavy_depth (alone, equal, weight, rate, inflight)" >&2
			run "$out/raw/r${r}_${pmd}_fairness.jsonl" \
				"$vhost" --pmd "$pmd" --modes copy --fairness --algo "$fair_algo" \
				--light-sizes "$light_sizes" --heavy-sizes "$heavy_sizes" \
				--heavy-depth "$heavy_depth" --seconds "$fair_seconds" \
				--qp-descriptors "$fair_qp" --burst "$fair_burst" \
				--warmup "$warmup" --host-cpu "$host_cpu" --guest-cpu "$guest_cpu"
		fi
	done
done
# The VM may place its two vCPUs apart for minutes (c2c, see report.py): repeat the
# algorithms whose two-core cases all ran so, bare included, while there are any.
for ((x = 1; matrix == 1 && x <= retry_slow; x++)); do
	mapfile -t slow < <(python3 "$here/report.py" --dir "$out" --slow-groups)
	[ "${#slow[@]}" -gt 0 ] || break
	r=$((reps + x))
	for g in "${slow[@]}"; do
		read -r pmd algo <<<"$g"
		echo "run.sh: extra rep $r $pmd $algo: its two-core repetitions all ran with the" \
			"vCPUs placed apart" >&2
		run_algo "$r" "$pmd" "$algo"
	done
done
if [ "$path_cost" = 1 ]; then
	# Host path's own cycles per request (guest and poller on one thread, best window).
	for pmd in "${pmd_list[@]}"; do
		echo "run.sh: $pmd path cost ($modes)" >&2
		run "$out/path_cost.jsonl" taskset -c "$host_cpu" "$pcost" --pmd "$pmd" --algo "$algos" \
			--sizes "$sizes" --modes "$modes" --windows "$pc_windows"
	done
	python3 - "$out/path_cost.jsonl" <<'PY' | tee "$out/path_cost.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("path cost: host cycles per request, guest and poller on one thread (best window)")
print("%-9s %-13s %-5s %7s %10s %10s %12s" % ("pmd", "algo", "mode", "size", "host cyc", "guest cyc", "Mops/core"))
for d in rows:
    print("%-9s %-13s %-5s %7d %10.0f %10.0f %12.2f" % (d["pmd"], d["algo"], d["mode"], d["size"],
          d["host_cyc_op"], d["guest_cyc_op"], d["host_mops_per_core"]))
PY
fi
echo "\"$(uptime)\"" >"$out/uptime_end.txt"

if [ "$only_path" = 1 ]; then
	exit $status
fi
report=(python3 "$here/report.py" --dir "$out")
[ "$plots" = 1 ] || report+=(--no-plots)
"${report[@]}" || status=1
exit $status
