#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcrypto authors
"""Summarise bench/run.sh's raw JSON lines: medians and min/max over the
repetitions, the vcrypto / bare ratio per case, the goals, the scaling and
fairness runs, results.json, table.txt and (with gnuplot) PNG plots.
Standard library only."""

import argparse
import glob
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

# copy-oop, zc-oop: copy and zc with every request out of place (vhost_bench --oop, run.sh --oop)
MODES = ["bare", "copy", "zc", "copy-oop", "zc-oop", "null", "null-zc", "dpdk"]
METRICS = ["notify_per_req", "ops_s", "gbps", "cyc_op", "cyc_op_busy", "cyc_op_cpu", "lat_p50_ns", "lat_p99_ns",
           "host_busy", "guest_busy", "host_cpu", "guest_cpu", "share_min", "share_max",
           "zc_frac", "enq_chunk", "req_round", "errors", "c2c_cyc", "cyc_best", "cyc_busy_best",
           "cyc_med", "cyc_busy_med"]
# A two-core repetition whose core-to-core latency (vhost_bench's probe between the poller and
# guest threads) exceeded this many times the run's lowest ran with the vCPUs placed apart
# (this VM moves between about 75 and 400 cycles one way): it is left out of the medians.
C2C_SLOW = 2.0


def load(d):
    rows = []
    for f in sorted(glob.glob(os.path.join(d, "raw", "*.jsonl"))):
        m = re.match(r"r(\d+)_", os.path.basename(f))
        rep = int(m.group(1)) if m else 0
        kind = ("scaling" if "_scaling_" in f else
                "fairness" if "_fairness" in f else "matrix")
        with open(f) as fh:
            for line in fh:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                r["rep"] = rep
                r["kind"] = r.get("kind", kind)
                if r.get("oop") and r.get("mode") in ("copy", "zc"):
                    r["mode"] += "-oop"
                rows.append(r)
    return rows


def c2c_values(rows):
    """The core-to-core latencies the rows measured."""
    return [r["c2c_cyc"] for r in rows if r.get("c2c_cyc", 0) > 0]


def c2c_floor(rows):
    """The run's lowest core-to-core latency (0 if none was measured)."""
    return min(c2c_values(rows), default=0)


def c2c_slow(r, floor):
    return floor > 0 and r.get("c2c_cyc", 0) > C2C_SLOW * floor


def summarise(rows, kind):
    groups = {}
    floor = c2c_floor(rows)
    for r in rows:
        if r["kind"] != kind:
            continue
        k = (r["pmd"], r["algo"], r["size"], r["depth"], r["mode"], r["guests"])
        groups.setdefault(k, []).append(r)
    out = []
    for k, rs_all in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2],
                                                            kv[0][3], MODES.index(kv[0][4]),
                                                            kv[0][5])):
        # Repetitions run with the vCPUs placed apart measure the placement: left out (all
        # of them kept if none is left).
        rs = [r for r in rs_all if not c2c_slow(r, floor)] or rs_all
        s = {"pmd": k[0], "algo": k[1], "size": k[2], "depth": k[3], "mode": k[4],
             "guests": k[5], "reps": len(rs), "reps_total": len(rs_all),
             "reps_slow": sum(c2c_slow(r, floor) for r in rs_all),
             "check": sorted({r.get("check", "none") for r in rs})}
        s["reps_clean"] = s["reps_total"] - s["reps_slow"]
        # Each repetition's throughput and placement, to compare two modes within one
        # repetition (pair_ratio)
        s["by_rep"] = {str(r["rep"]): {"ops_s": r["ops_s"], "cyc_op_cpu": r.get("cyc_op_cpu", 0),
                                       "slow": c2c_slow(r, floor)}
                       for r in rs_all if "ops_s" in r}
        add_stats(s, rs, METRICS, "lat_p50_ns")
        out.append(s)
    return out


def add_stats(s, rs, metrics, cdf_by):
    """Median, min and max of each metric over the repetitions @rs into @s, and the
    latency CDF (and tail) of the repetition with the median @cdf_by."""
    for m in metrics:
        v = [r[m] for r in rs if m in r]
        if v:
            s[m] = {"median": statistics.median(v), "min": min(v), "max": max(v)}
    lat = [r for r in rs if "lat_cdf_ns" in r]
    if lat:
        lat.sort(key=lambda r: r[cdf_by])
        s["lat_cdf_ns"] = lat[len(lat) // 2]["lat_cdf_ns"]
        if "lat_tail_ns" in lat[len(lat) // 2]:
            s["lat_tail_ns"] = lat[len(lat) // 2]["lat_tail_ns"]


def med(s, m):
    return s[m]["median"] if m in s else float("nan")


def valid(c):
    """Whether a case's figures mean anything: its output check passed and no request failed."""
    return all(k in ("ok", "n/a", "none") for k in c["check"]) and not (
        isinstance(c.get("errors"), dict) and c["errors"].get("median", 0) > 0)


def add_ratios(cases):
    bare = {(c["pmd"], c["algo"], c["size"], c["depth"]): c for c in cases if c["mode"] == "bare"}
    for c in cases:
        b = bare.get((c["pmd"], c["algo"], c["size"], c["depth"]))
        # (no ratio to a bare run whose output check failed: crypto_aesni_mb AES-CBC at 64 KiB)
        if c["mode"] != "bare" and b and valid(b):
            v = pair_ratio(c, b)
            if v is not None:
                c["ratio_vs_bare"] = v
            # ops per second of host CPU time: less sensitive to a loaded machine
            v = pair_ratio(b, c, "cyc_op_cpu")
            if v is not None:
                c["ratio_vs_bare_cpu"] = v
    # against DPDK's own vhost-crypto host (mode dpdk) in the same run, where it can run
    dpdk = {(c["pmd"], c["algo"], c["size"], c["depth"]): c for c in cases if c["mode"] == "dpdk"}
    for c in cases:
        r = dpdk.get((c["pmd"], c["algo"], c["size"], c["depth"]))
        if c["mode"] in ("copy", "zc") and r:
            v = pair_ratio(c, r)
            if v is not None:
                c["ratio_vs_dpdk"] = v


def pair_ratio(a, b, m="ops_s"):
    """The median over repetitions of case @a's metric @m over case @b's in the same
    repetition (the same minute): over the repetitions in which both ran with the vCPUs
    placed close (a bare case always counts as close), else those in which both ran apart,
    else all (medians of differently placed repetitions would compare one placement with
    another). None if they share no repetition with both figures."""
    ra, rb = a.get("by_rep", {}), b.get("by_rep", {})
    both = [k for k in ra if k in rb and ra[k].get(m, 0) > 0 and rb[k].get(m, 0) > 0]
    use = ([k for k in both if not ra[k]["slow"] and not rb[k]["slow"]] or
           [k for k in both if ra[k]["slow"] and rb[k]["slow"]] or both)
    if not use:
        return None
    return statistics.median(ra[k][m] / rb[k][m] for k in use)


def fmt_ops(v):
    if v != v:
        return "-"
    if v >= 1e6:
        return "%.2fM" % (v / 1e6)
    if v >= 1e3:
        return "%.1fk" % (v / 1e3)
    return "%.0f" % v


def table(cases):
    hdr = ("%-8s %-12s %6s %3s %-8s %9s %19s %8s %8s %8s %8s %8s %6s %6s %6s %5s %5s %5s %5s %s" %
           ("pmd", "algo", "size", "dep", "mode", "ops/s", "[min - max]", "Gbit/s", "cyc/op",
            "cpucyc", "p50 ns", "p99 ns", "ratio", "r_cpu", "r_dpdk", "host%", "gst%",
            "reps", "c2c", "check"))
    lines = [hdr, "-" * len(hdr)]
    for c in cases:
        o = c.get("ops_s", {})
        lines.append("%-8s %-12s %6d %3d %-8s %9s %19s %8.3f %8.0f %8.0f %8s %8s %6s %6s %6s %5.0f %5.0f %5s %5s %s" % (
            c["pmd"], c["algo"], c["size"], c["depth"], c["mode"], fmt_ops(med(c, "ops_s")),
            "[%s - %s]" % (fmt_ops(o.get("min", float("nan"))), fmt_ops(o.get("max", float("nan")))),
            med(c, "gbps"),
            med(c, "cyc_op_busy") if c["mode"] != "bare" else med(c, "cyc_op"),
            med(c, "cyc_op_cpu"),
            "%.0f" % med(c, "lat_p50_ns") if "lat_p50_ns" in c else "-",
            "%.0f" % med(c, "lat_p99_ns") if "lat_p99_ns" in c else "-",
            "%.2f" % c["ratio_vs_bare"] if "ratio_vs_bare" in c else "-",
            "%.2f" % c["ratio_vs_bare_cpu"] if "ratio_vs_bare_cpu" in c else "-",
            "%.2f" % c["ratio_vs_dpdk"] if "ratio_vs_dpdk" in c else "-",
            100 * med(c, "host_busy") if c["mode"] != "bare" else 100 * med(c, "host_cpu"),
            100 * med(c, "guest_busy") if c["mode"] != "bare" else 0,
            "%d/%d%s" % (c["reps"], c["reps_total"],
                         "!" if not c["reps_clean"] else ""),
            "%.0f" % med(c, "c2c_cyc") if med(c, "c2c_cyc") > 0 else "-",
            ",".join(c["check"])))
    return "\n".join(lines)


def scaling_table(sc):
    hdr = "%-8s %-4s %6s %6s %5s %10s %19s %8s %9s %9s %8s" % (
        "pmd", "mode", "guests", "size", "depth", "ops/s", "[min - max]", "Gbit/s",
        "share_min", "share_max", "cpucyc")
    lines = [hdr, "-" * len(hdr)]
    for c in sc:
        o = c.get("ops_s", {})
        lines.append("%-8s %-4s %6d %6d %5d %10s %19s %8.3f %9.2f %9.2f %8.0f" % (
            c["pmd"], c["mode"], c["guests"], c["size"], c["depth"], fmt_ops(med(c, "ops_s")),
            "[%s - %s]" % (fmt_ops(o.get("min", float("nan"))), fmt_ops(o.get("max", float("nan")))),
            med(c, "gbps"), med(c, "share_min"), med(c, "share_max"), med(c, "cyc_op_cpu")))
    return "\n".join(lines)


def goals(cases, tsc_hz):
    """The performance goals of issue 8, evaluated on depth-32 medians (reported, not asserted)."""
    res = []

    def check(name, sel, want, key="ratio_vs_bare"):
        cs = [c for c in cases if sel(c) and key in c and valid(c)]
        if not cs:
            res.append({"goal": name, "result": "not measured"})
            return
        worst = min(cs, key=lambda c: c[key])
        res.append({"goal": name, "worst": round(worst[key], 3),
                    "worst_case": "%s %s %d B" % (worst["pmd"], worst["algo"], worst["size"]),
                    "result": "met" if worst[key] >= want else "MISSED"})

    for mode in ("copy", "zc"):
        check("crypto_openssl %s >= 0.95x bare at >= 2 KiB" % mode,
              lambda c: c["pmd"] == "openssl" and c["mode"] == mode and c["depth"] == 32
              and c["size"] >= 2048, 0.95)
        check("crypto_openssl %s >= 0.90x bare at 64 B" % mode,
              lambda c: c["pmd"] == "openssl" and c["mode"] == mode and c["depth"] == 32
              and c["size"] == 64, 0.90)
    check("crypto_aesni_mb zc >= 0.90x bare at >= 4 KiB",
          lambda c: c["pmd"] == "aesni_mb" and c["mode"] == "zc" and c["depth"] == 32
          and c["size"] >= 4096, 0.90)
    check("crypto_aesni_mb zc >= 0.5x bare at 64 B",
          lambda c: c["pmd"] == "aesni_mb" and c["mode"] == "zc" and c["depth"] == 32
          and c["size"] == 64, 0.5)
    for mode in ("copy", "zc"):
        check("vcrypto %s faster than DPDK's rte_vhost_crypto (same guest, same run)" % mode,
              lambda c: c["mode"] == mode and c["depth"] == 32, 1.0, key="ratio_vs_dpdk")
    for c in cases:
        if c["mode"] in ("null", "null-zc") and c["depth"] == 32 and c["size"] == 64 and \
                med(c, "cyc_op_busy") > 0:
            c["mops_per_host_core"] = tsc_hz / med(c, "cyc_op_busy") / 1e6 if tsc_hz else None
    # The two request paths have their own transport: crypto_openssl's requests take an op and
    # the queue pair; crypto_aesni_mb's (in place, or copies up to 4 KiB) CPU crypto in the poller.
    for pmd, path in (("openssl", "queue pair"), ("aesni_mb", "CPU crypto")):
        for mode, what in (("null", "copy"), ("null-zc", "zero copy")):
            check("transport only (%s, %s path) >= 20 Mops/s per host core, AES-CBC 64 B"
                  % (what, path),
                  lambda c: c["pmd"] == pmd and c["mode"] == mode and c["depth"] == 32
                  and c["size"] == 64 and c["algo"] == "aes-cbc"
                  and c.get("mops_per_host_core"), 20, key="mops_per_host_core")
    return res


def tsc_hz_guess(rows):
    for r in rows:
        if r.get("tsc_hz"):
            return r["tsc_hz"]
    # cyc_op / (1/ops_s) over bare rows: cycles per second of the TSC.
    for r in rows:
        if r["mode"] == "bare" and r["ops_s"] > 0 and r["cyc_op"] > 0:
            return r["cyc_op"] * r["ops_s"]
    for r in rows:
        if r["ops_s"] > 0 and r["cyc_op"] > 0:
            return r["cyc_op"] * r["ops_s"]
    return 0


def plots(d, cases, sc, fc=()):
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: gnuplot not found: no plots (apt-get install gnuplot-nox)", file=sys.stderr)
        return []
    pdir = os.path.join(d, "plots")
    os.makedirs(pdir, exist_ok=True)
    made = []
    keys = sorted({(c["pmd"], c["algo"]) for c in cases})
    colors = {"bare": "black", "copy": "blue", "zc": "dark-green", "copy-oop": "dark-cyan",
              "zc-oop": "dark-goldenrod", "null": "red", "null-zc": "orange", "dpdk": "purple"}
    for pmd, algo in keys:
        for depth in sorted({c["depth"] for c in cases}):
            series = []
            for mode in MODES:
                if mode in ("null", "null-zc"):
                    continue  # nothing encrypted: its Gbit/s would dwarf the others (see table)
                pts = sorted((c["size"], med(c, "gbps"), c["gbps"]["min"], c["gbps"]["max"])
                             for c in cases if c["pmd"] == pmd and c["algo"] == algo
                             and c["mode"] == mode and c["depth"] == depth and "gbps" in c
                             and valid(c))
                if not pts:
                    continue
                f = os.path.join(pdir, "tput_%s_%s_d%d_%s.dat" % (pmd, algo, depth, mode))
                with open(f, "w") as fh:
                    for p in pts:
                        fh.write("%d %g %g %g\n" % p)
                series.append((mode, f))
            if not series:
                continue
            png = os.path.join(pdir, "throughput_%s_%s_d%d.png" % (pmd, algo, depth))
            script = ["set terminal png size 900,560 noenhanced",
                      "set output '%s'" % png,
                      "set title 'crypto_%s %s, depth %d: throughput vs size (median, min-max bars)'"
                      % (pmd, algo, depth),
                      "set logscale x 2", "set logscale y 10",
                      "set xlabel 'request size (bytes)'",
                      "set ylabel 'Gbit/s (log scale)'", "set key top left", "set grid"]
            pl = []
            for mode, f in series:
                label = {"bare": "bare cryptodev",
                         "dpdk": "DPDK rte_vhost_crypto (copy)"}.get(mode) or "vcrypto " + {
                    "copy": "copy", "zc": "zero-copy", "copy-oop": "copy, out of place",
                    "zc-oop": "zero-copy, out of place", "null": "transport only (null crypto)",
                    "null-zc": "transport only, zero-copy"}[mode]
                pl.append("'%s' using 1:2:3:4 with yerrorlines lc rgb '%s' title '%s'"
                          % (f, colors[mode], label))
            script.append("plot " + ", ".join(pl))
            if run_gp(gp, script):
                made.append(png)
    # latency CDF at depth 1, smallest size measured, one chart per pmd/algo
    for pmd, algo in keys:
        d1 = [c for c in cases if c["pmd"] == pmd and c["algo"] == algo and c["depth"] == 1
              and "lat_cdf_ns" in c]
        if not d1:
            continue
        for size in sorted({c["size"] for c in d1})[:2]:
            series = []
            for c in d1:
                if c["size"] != size:
                    continue
                f = os.path.join(pdir, "lat_%s_%s_%d_%s.dat" % (pmd, algo, size, c["mode"]))
                with open(f, "w") as fh:
                    for p, v in enumerate(c["lat_cdf_ns"]):
                        fh.write("%g %d\n" % (v / 1000.0, p))
                series.append((c["mode"], f))
            png = os.path.join(pdir, "latency_cdf_%s_%s_%d.png" % (pmd, algo, size))
            script = ["set terminal png size 900,560 noenhanced", "set output '%s'" % png,
                      "set title 'crypto_%s %s %d B, depth 1: latency CDF' " % (pmd, algo, size),
                      "set logscale x 10", "set xlabel 'latency (us, guest submit to completion)'",
                      "set ylabel 'percentile'", "set key bottom right", "set grid",
                      "set yrange [0:100]"]
            script.append("plot " + ", ".join(
                "'%s' using 1:2 with lines lw 2 lc rgb '%s' title '%s'" % (f, colors[m], m)
                for m, f in series))
            if run_gp(gp, script):
                made.append(png)
    if sc:
        series = []
        for pmd in sorted({c["pmd"] for c in sc}):
            for mode in ("copy", "zc"):
                pts = sorted((c["guests"], med(c, "gbps"), med(c, "share_min"), med(c, "share_max"))
                             for c in sc if c["pmd"] == pmd and c["mode"] == mode)
                if not pts:
                    continue
                f = os.path.join(pdir, "scaling_%s_%s.dat" % (pmd, mode))
                with open(f, "w") as fh:
                    for p in pts:
                        fh.write("%d %g %g %g\n" % p)
                series.append(("%s %s" % (pmd, mode), f))
        png = os.path.join(pdir, "scaling.png")
        script = ["set terminal png size 900,560 noenhanced", "set output '%s'" % png,
                  "set title 'guests on one poller: total throughput'", "set logscale x 2",
                  "set xlabel 'guests (ports)'", "set ylabel 'Gbit/s'", "set grid",
                  "set key top right"]
        script.append("plot " + ", ".join("'%s' using 1:2 with linespoints title '%s'" % (f, t)
                                           for t, f in series))
        if run_gp(gp, script):
            made.append(png)
    if fc:
        made += fairness_plots(gp, pdir, fc)
    return made


FAIR_RUNS = ["alone", "equal", "weight", "rate", "inflight"]
FAIR_METRICS = ["light_ops_s", "light_gbps", "lat_p50_ns", "lat_p99_ns", "lat_p999_ns",
                "lat_max_ns", "lat_samples", "heavy_ops_s", "heavy_gbps", "heavy_rate_bytes",
                "heavy_throttled", "light_guest_ns", "heavy_guest_ns", "host_busy", "host_cpu",
                "guest_cpu", "host_preempt_s", "guest_preempt_s", "errors"]
FAIR_TAIL_MIN = 5000  # fewer light samples than this: p99.9 is about the maximum
FAIR_CPU_MIN = 0.8    # a busy-polling thread that got less of its core was crowded out


def fair_ok(r):
    """Both busy-polling threads (poller, guests) had their cores for >= 80 % of the window."""
    return r.get("host_cpu", 1) >= FAIR_CPU_MIN and r.get("guest_cpu", 1) >= FAIR_CPU_MIN


def summarise_fairness(rows):
    """Per (pmd, mode, light size, heavy size, heavy depth, run): medians and min/max over
    the repetitions, and the light latency ratios to the run "alone" of the same case."""
    groups = {}
    floor = c2c_floor(rows)
    for r in rows:
        if r["kind"] != "fairness":
            continue
        k = (r["pmd"], r["mode"], r["light_size"], r["heavy_size"], r["heavy_depth"],
             r["run_idx"], r.get("qp_descriptors", 0), r.get("burst", 0), r["algo"])
        groups.setdefault(k, []).append(r)
    out = []
    for k, rs_all in sorted(groups.items()):
        # Repetitions in which another process took a core, or run with the vCPUs placed
        # apart, measure the machine, not vcrypto: leave them out of the medians (all of
        # them if none is clean).
        clean = [r for r in rs_all if fair_ok(r) and not c2c_slow(r, floor)]
        rs = clean or rs_all
        s = {"pmd": k[0], "mode": k[1], "algo": rs[0]["algo"], "light_size": k[2],
             "heavy_size": k[3], "heavy_depth": k[4], "run_idx": k[5], "run": rs[0]["run"],
             "light_weight": rs[0]["light_weight"], "heavy_weight": rs[0]["heavy_weight"],
             "heavy_max_inflight": rs[0]["heavy_max_inflight"], "reps": len(rs),
             "reps_total": len(rs_all), "reps_crowded_out": sum(not fair_ok(r) for r in rs_all),
             "reps_slow": sum(c2c_slow(r, floor) for r in rs_all),
             "reps_clean": len(clean),
             "qp_descriptors": k[6] or None, "burst": k[7] or None,
             "check": sorted({r.get("check", "none") for r in rs} |
                             {r.get("heavy_check", "none") for r in rs})}
        add_stats(s, rs, FAIR_METRICS, "lat_p99_ns")
        out.append(s)
    def case(c):
        return (c["pmd"], c["mode"], c["algo"], c["light_size"], c["heavy_size"],
                c["heavy_depth"], c["qp_descriptors"], c["burst"])

    out.sort(key=lambda c: (c["pmd"], c["mode"], c["algo"], c["light_size"], c["heavy_size"],
                            c["heavy_depth"], c["run_idx"]))
    alone = {case(c): c for c in out if c["run"] == "alone"}
    for c in out:
        a = alone.get(case(c))
        if not a:
            continue
        for m in ("lat_p50_ns", "lat_p99_ns", "lat_p999_ns"):
            if med(a, m) > 0 and m in c:
                c["ratio_" + m[4:-3]] = med(c, m) / med(a, m)
    return out


def fmt_us(ns):
    if ns != ns:
        return "-"
    us = ns / 1000.0
    return "%.1f" % us if us < 1000 else "%.0f" % us


def fair_limit(c):
    if c["run"] == "weight":
        return "weights %d:%d" % (c["light_weight"], c["heavy_weight"])
    if c["run"] == "rate" and "heavy_rate_bytes" in c:
        return "heavy %.0f MB/s" % (med(c, "heavy_rate_bytes") / 1e6)
    if c["run"] == "inflight":
        return "heavy inflight %d" % c["heavy_max_inflight"]
    return "-" if c["run"] == "alone" else "weights 1:1"


def fairness_table(fc):
    hdr = ("%-8s %-12s %5s %5s %-8s %-18s %9s %19s %8s %8s %9s %6s %6s %7s %9s %7s %7s %5s" %
           ("pmd", "algo", "light", "heavy", "run", "limit", "light/s", "[min - max]", "p50 us",
            "p99 us", "p99.9 us", "x p50", "x p99", "x p99.9", "heavy/s", "Gbit/s", "preem/s",
            "reps"))
    lines = [hdr, "-" * len(hdr)]
    for c in fc:
        o = c.get("light_ops_s", {})
        few = med(c, "lat_samples") < FAIR_TAIL_MIN
        pre = med(c, "host_preempt_s") + med(c, "guest_preempt_s")
        lines.append("%-8s %-12s %5d %5d %-8s %-18s %9s %19s %8s %8s %9s %6s %6s %7s %9s %7s %7s %5s" % (
            c["pmd"], c["algo"], c["light_size"], c["heavy_size"], c["run"], fair_limit(c),
            fmt_ops(med(c, "light_ops_s")),
            "[%s - %s]" % (fmt_ops(o.get("min", float("nan"))), fmt_ops(o.get("max", float("nan")))),
            fmt_us(med(c, "lat_p50_ns")), fmt_us(med(c, "lat_p99_ns")),
            fmt_us(med(c, "lat_p999_ns")) + ("*" if few else ""),
            "%.1f" % c["ratio_p50"] if "ratio_p50" in c else "-",
            "%.1f" % c["ratio_p99"] if "ratio_p99" in c else "-",
            "%.1f" % c["ratio_p999"] if "ratio_p999" in c else "-",
            fmt_ops(med(c, "heavy_ops_s")) if c["run"] != "alone" else "-",
            "%.2f" % med(c, "heavy_gbps") if c["run"] != "alone" else "-",
            "%.0f" % pre if pre == pre else "-",
            "%d/%d%s" % (c["reps"], c["reps_total"],
                         "!" if not c["reps_clean"] else "")))
    return "\n".join(lines)


def fairness_plots(gp, pdir, fc):
    """Light-guest latency CDF per run, one chart per (pmd, light size, heavy size). The y
    axis is in 'nines' (-log10(1 - p)) so that the body and the tail both show."""
    made = []
    colors = {"alone": "black", "equal": "red", "weight": "orange", "rate": "blue",
              "inflight": "dark-green"}
    for key in sorted({(c["pmd"], c["algo"], c["light_size"], c["heavy_size"],
                        c["heavy_depth"]) for c in fc}):
        pmd, algo, ls, hs, hd = key
        # AES-CBC keeps its file names of before
        tag = pmd if algo == "aes-cbc" else "%s_%s" % (pmd, algo)
        series = []
        for c in sorted((c for c in fc if (c["pmd"], c["algo"], c["light_size"],
                                            c["heavy_size"], c["heavy_depth"]) == key
                         and "lat_cdf_ns" in c),
                        key=lambda c: c["run_idx"]):
            pts = [(p, v) for p, v in enumerate(c["lat_cdf_ns"]) if p < 100]
            pts += [(p, v) for p, v in c.get("lat_tail_ns", [])]
            f = os.path.join(pdir, "fair_%s_l%d_h%d_%s.dat" % (tag, ls, hs, c["run"]))
            with open(f, "w") as fh:
                for p, v in sorted(pts):
                    fh.write("%g %g\n" % (max(v, 1) / 1000.0, -math.log10(1 - p / 100.0)))
            series.append((c, f))
        if not series:
            continue
        png = os.path.join(pdir, "fairness_%s_l%d_h%d.png" % (tag, ls, hs))
        script = ["set terminal png size 900,560 noenhanced", "set output '%s'" % png,
                  "set title 'crypto_%s %s: light guest %d B depth 1 beside a heavy guest "
                  "%d B depth %d (one poller)'" % (pmd, algo, ls, hs, hd),
                  "set logscale x 10", "set xlabel 'light guest latency (us, submit to completion)'",
                  "set ylabel 'percentile'", "set key top left", "set grid",
                  "set yrange [0:4.2]",
                  "set ytics ('0' 0, '50' 0.30103, '90' 1, '99' 2, '99.9' 3, '99.99' 4)"]
        script.append("plot " + ", ".join(
            "'%s' using 1:2 with lines lw 2 lc rgb '%s' title '%s (%s)'"
            % (f, colors.get(c["run"], "gray"), c["run"], fair_limit(c)) for c, f in series))
        if run_gp(gp, script):
            made.append(png)
    return made


def run_gp(gp, script):
    p = subprocess.run([gp], input="\n".join(script) + "\n", text=True, capture_output=True)
    if p.returncode != 0:
        print("report: gnuplot failed: %s" % p.stderr.strip(), file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--slow-groups", action="store_true",
                    help="only print 'pmd algo' of each algorithm with a two-core case whose "
                    "repetitions all ran with the vCPUs placed apart")
    a = ap.parse_args()
    rows = load(a.dir)
    if not rows:
        print("report: no results in %s/raw" % a.dir, file=sys.stderr)
        return 1
    cases = summarise(rows, "matrix")
    if a.slow_groups:
        for g in sorted({(c["pmd"], c["algo"]) for c in cases
                         if not c["reps_clean"]}):
            print("%s %s" % g)
        return 0
    add_ratios(cases)
    sc = summarise(rows, "scaling")
    fc = summarise_fairness(rows)
    hz = tsc_hz_guess(rows)
    g = goals(cases, hz)
    meta = {}
    try:
        with open(os.path.join(a.dir, "meta.start.json")) as fh:
            meta = json.load(fh)
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(a.dir, "uptime_end.txt")) as fh:
            meta["uptime_end"] = json.loads(fh.read())
    except (OSError, ValueError):
        pass
    meta["tsc_hz"] = hz
    c2c = c2c_values(rows)
    if c2c:
        floor = min(c2c)
        meta["c2c_cyc"] = {"min": floor, "max": max(c2c), "reps": len(c2c),
                           "slow_reps": sum(c2c_slow(r, floor) for r in rows),
                           "slow_factor": C2C_SLOW}
    made = [] if a.no_plots else plots(a.dir, cases, sc, fc)
    res = {"meta": meta, "cases": cases, "scaling": sc, "fairness": fc, "goals": g,
           "plots": [os.path.basename(p) for p in made]}
    with open(os.path.join(a.dir, "results.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    txt = []
    txt.append("vcrypto benchmark  %s" % meta.get("started", ""))
    txt.append("load at start: %s" % meta.get("uptime_start", "?").strip())
    txt.append("load at end:   %s" % meta.get("uptime_end", "?").strip())
    txt.append("medians over %s repetitions; ratio = vcrypto ops/s / bare ops/s (wall clock) within a"
               " repetition, median over the repetitions; r_cpu = same per host CPU second;"
               % meta.get("reps", "?"))
    txt.append("cyc/op = host poller cycles in busy rounds per op (bare: all cycles per op);"
               " cpucyc = host thread CPU time per op in TSC cycles;")
    txt.append("host%/gst% = share of the window the poller / guest thread did work;"
               " latency at depth 1 only.")
    x = meta.get("c2c_cyc")
    if x:
        txt.append("c2c = one-way core-to-core latency between the poller and guest threads, "
                   "TSC cycles (this run: %.0f - %.0f);" % (x["min"], x["max"]))
        txt.append("  reps = repetitions in the medians / run: those with c2c over %.0fx the "
                   "run's lowest (vCPUs placed apart: %d of %d) are left out" %
                   (C2C_SLOW, x["slow_reps"], x["reps"]))
        txt.append("  ('!': all were, figures measure the placement).")
    if cases:
        txt.append("")
        txt.append(table(cases))
    if sc:
        txt.append("")
        txt.append("scaling (aes-cbc, share = per-guest ops x guests / total; 1.00 = fair):")
        txt.append(scaling_table(sc))
    if fc:
        txt.append("")
        txt.append("fairness (copy, one poller and queue pair: a light guest at depth 1 "
                   "beside a heavy guest at depth %d;" % fc[0]["heavy_depth"])
        txt.append("  light/s = light guest ops/s; p50..p99.9 = its latency; x p50.. = that "
                   "latency / the same in run 'alone';")
        txt.append("  heavy/s, Gbit/s = the heavy guest; rate = heavy limited to half its "
                   "bytes/s in 'equal'; * = p99.9 from < %d samples;" % FAIR_TAIL_MIN)
        txt.append("  preem/s = involuntary context switches of the poller and guest threads per "
                   "second (other processes taking the cores; each costs ms of latency);")
        txt.append("  reps = repetitions in the medians / run: those in which the poller or the "
                   "guest thread had its core for")
        txt.append("  less than %d %% of the window, or with c2c over %.0fx the run's lowest, "
                   "are left out ('!': all were," % (100 * FAIR_CPU_MIN, C2C_SLOW))
        txt.append("  nothing left out, figures measure the machine)):")
        opts = sorted({(c["qp_descriptors"], c["burst"]) for c in fc})
        if opts != [(None, None)]:
            txt.append("  non-default engine/poller options (qp_descriptors, burst): %s" % opts)
        txt.append(fairness_table(fc))
    if cases:
        txt.append("")
        txt.append("goals (not asserted):")
    for x in g if cases else []:
        txt.append("  %-84s %s%s" % (x["goal"], x["result"],
                                     " (worst %s: %s)" % (x["worst"], x["worst_case"])
                                     if "worst" in x else ""))
    bad = sorted({"%s %s %s %d B" % (c["pmd"], c["mode"], c["algo"], c["size"]) for c in cases
                  if not valid(c)})
    bad += sorted({"%s %s fairness light %d B / heavy %d B" % (
        c["pmd"], c["algo"], c["light_size"], c["heavy_size"]) for c in fc
                   if any(k not in ("ok", "n/a", "none") for k in c["check"])})
    if bad:
        txt.append("")
        txt.append("output check failed or requests failed (figures invalid; left out of the "
                   "goals and plots):")
        for b in bad:
            txt.append("  " + b)
    if made:
        txt.append("")
        txt.append("plots: %s" % os.path.join(a.dir, "plots"))
    s = "\n".join(txt) + "\n"
    with open(os.path.join(a.dir, "table.txt"), "w") as fh:
        fh.write(s)
    sys.stdout.write(s)
    errs = sum(med(c, "errors") for c in cases + sc + fc if "errors" in c)
    if errs:
        print("report: %d requests completed with an error status" % errs, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
