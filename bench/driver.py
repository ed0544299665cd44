#!/usr/bin/env python3
"""The benchmarks of bench/README.md: steady against each language's usual client.

Run by bench/run.sh, which starts the broker and builds the programs; this script runs them
(each run a process of its own), alternating, and writes bench/results/<lang>-*.json.

    driver.py --bootstrap HOST:PORT [--quick] [--only c,go,java,python,rust]
              [--parts throughput,latency,goodput] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BUILD = TARGET / "bench"
SNAP = BUILD / "snap"
JAVA_HOME = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")

LANGS = ["c", "go", "java", "python", "rust"]

# librdkafka's default fetch back-off, and steady's.
SAME = {"fetch.queue.backoff.ms": "10"}
LIBRDKAFKA_BACKOFF = {"fetch.queue.backoff.ms": "1000"}


def command(lang: str) -> list[str]:
    if lang == "c":
        return [str(BUILD / "bench-c")]
    if lang == "go":
        return [str(BUILD / "bench-go")]
    if lang == "python":
        return [str(BUILD / "python/bin/python"), str(BENCH / "python/bench.py")]
    if lang == "java":
        j = BUILD / "java"
        return [f"{JAVA_HOME}/bin/java", "-Xms512m", "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                f"-Dsteady.library={SNAP / 'libsteady.so'}", "-cp", f"{j}/classes:{j}/lib/*", "Bench"]
    raise ValueError(lang)


# Per language: (reader name, impl argument, side) — side "peer" is the reference.
READERS = {
    "c": [("plain_consumer_poll", "peer", "peer"),
          ("steady_poll_ack", "steady", "steady"),
          ("steady_poll_batch_ack", "steady-batch", "steady"),
          ("steady_poll_batch_ack_all", "steady-batch-all", "steady")],
    "go": [("confluent_kafka_go_poll", "peer", "peer"),
           ("steady_poll_ack", "steady", "steady"),
           ("steady_poll_batch_ack", "steady-batch", "steady"),
           ("steady_poll_batch_ack_all", "steady-batch-all", "steady")],
    "java": [("kafka_clients_poll", "peer", "peer"),
             ("steady_poll_ack", "steady", "steady"),
             ("steady_poll_batch_ack", "steady-batch", "steady"),
             ("steady_poll_batch_ack_all", "steady-batch-all", "steady")],
    "python": [("confluent_kafka_consume", "peer", "peer"),
               ("confluent_kafka_consume_store_offsets", "peer-alo", "peer"),
               ("steady_consume_ack", "steady", "steady"),
               ("steady_consume_batch_ack", "steady-batch", "steady")],
}

PEER_NAMES = {
    "c": "plain librdkafka loop (rd_kafka_consumer_poll)",
    "go": "confluent-kafka-go v2 Poll loop",
    "java": "kafka-clients KafkaConsumer.poll loop",
    "python": "confluent-kafka consume(num_messages=1000)",
}


def settings_for(lang: str, impl: str, config: str) -> list[str]:
    """The consumer settings of one reader under one configuration."""
    if config == "same":
        # steady's default is 10 already; kafka-clients has no such back-off.
        pairs = {} if (lang == "java") else SAME
    elif config == "librdkafka_backoff":
        pairs = {} if lang == "java" else LIBRDKAFKA_BACKOFF
    else:
        pairs = {}
    return [f"{k}={v}" for k, v in pairs.items()]


CONFIGS = {
    "same": "fetch.queue.backoff.ms=10 for every librdkafka-based reader (steady's default; "
            "kafka-clients has no such setting): the like-for-like comparison",
    "defaults": "every reader with its own defaults (librdkafka's fetch.queue.backoff.ms=1000 for "
                "the librdkafka peers, steady's 10)",
    "librdkafka_backoff": "fetch.queue.backoff.ms=1000 for every librdkafka-based reader, steady's "
                          "default overridden",
}


def spawn(cmd: list[str], name: str) -> subprocess.Popen:
    """Starts a benchmark process; its stderr (librdkafka's logs) goes to a file, never to a
    pipe nobody reads while waiting for another process."""
    logs = BUILD / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    err = open(logs / f"{name}.log", "w")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    p.log = logs / f"{name}.log"  # type: ignore[attr-defined]
    return p


def collect(p: subprocess.Popen, timeout: float) -> dict:
    """Waits for a spawned process; its RESULT line."""
    try:
        stdout, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        stdout, _ = p.communicate()
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = Path(p.log).read_text(errors="replace")[-2000:]  # type: ignore[attr-defined]
    raise RuntimeError(f"exit {p.returncode}: {stdout[-1000:]}{tail}")


def run(cmd: list[str], timeout: float = 900) -> dict:
    """Runs one benchmark process; its RESULT line as a dict."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{' '.join(cmd[:3])}…: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(int(mem) / 2**20, 1),
            "kernel": platform.release(), "loadavg_at_start": os.getloadavg(),
            "note": "2 vCPUs shared with the broker (a JVM on the same machine) and with other work"}


def versions() -> dict:
    v = {}
    try:
        v["steady"] = json.loads((SNAP / "info.json").read_text())
    except OSError:
        pass
    for lang in ("c", "go", "java", "python"):
        try:
            v[lang] = run(command(lang) + ["version", "-", "-", "-", "0"], timeout=120)
        except Exception as e:  # noqa: BLE001 - recorded, not fatal
            v[lang] = {"error": str(e)[:200]}
    return v


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else 0.0


# ------------------------------------------------------------------ throughput

# kafka-clients has no fetch.queue.backoff.ms: Java runs only with the same (its own) defaults.
CONFIG_LANGS = {"same": {"c", "go", "java", "python"}, "defaults": {"c", "go", "python"},
                "librdkafka_backoff": {"c", "go", "python"}}


def throughput(args, langs: list[str], configs: list[str], topic: str, records: int) -> dict:
    langs = [l for l in langs if l in READERS]
    runs: dict = {l: {c: {r[0]: [] for r in READERS[l]} for c in configs if l in CONFIG_LANGS[c]}
                  for l in langs}
    for config in configs:
        for rnd in range(args.rounds):
            # Every language in every round; within a language each round starts one reader
            # later, so that no reader always runs right after the same one.
            for lang in langs:
                if lang not in CONFIG_LANGS[config]:
                    continue
                readers = READERS[lang]
                k = rnd % len(readers)
                for name, impl, _side in readers[k:] + readers[:k]:
                    cmd = command(lang) + ["throughput", impl, args.bootstrap, topic, str(records)]
                    cmd += settings_for(lang, impl, config)
                    try:
                        r = run(cmd)
                    except Exception as e:  # noqa: BLE001 - once more, then leave the run out
                        print(f"  {lang} {name}: run failed, once more: {str(e)[-300:]}", flush=True)
                        try:
                            r = run(cmd)
                        except Exception as e2:  # noqa: BLE001
                            print(f"  {lang} {name}: FAILED {str(e2)[-300:]}", flush=True)
                            continue
                    runs[lang][config][name].append(r)
                    print(f"  {config:<18} round {rnd + 1}/{args.rounds} {lang:<6} {name:<38} "
                          f"{r['rate']:>10,.0f} records/s {r['cpu_us']:6.2f} µs CPU/record", flush=True)
    out = {}
    for lang in langs:
        out[lang] = {}
        for config in configs:
            if lang not in CONFIG_LANGS[config]:
                continue
            readers = {}
            for name, impl, side in READERS[lang]:
                rs = runs[lang][config][name]
                readers[name] = {
                    "side": side, "impl_argument": impl,
                    "settings": settings_for(lang, impl, config),
                    "records_per_s": [round(r["rate"]) for r in rs],
                    "median_records_per_s": round(median([r["rate"] for r in rs])),
                    "cpu_us_per_record": [round(r["cpu_us"], 3) for r in rs],
                    "median_cpu_us_per_record": round(median([r["cpu_us"] for r in rs]), 3),
                    "seconds_with_join": [round(r["total_s"], 2) for r in rs],
                }
            ref = readers[READERS[lang][0][0]]["median_records_per_s"]
            ratios = {n: round(r["median_records_per_s"] / ref, 3) for n, r in readers.items()
                      if r["side"] == "steady"}
            if lang == "python":
                alo = readers["confluent_kafka_consume_store_offsets"]["median_records_per_s"]
                for name in ("steady_consume_ack", "steady_consume_batch_ack"):
                    ratios[f"{name}_vs_store_offsets"] = round(
                        readers[name]["median_records_per_s"] / alo, 3)
            out[lang][config] = {"about": CONFIGS[config], "readers": readers,
                                 "ratio_to_peer": ratios}
    return out


def rust_throughput(args, configs: list[str], records: int) -> dict:
    """`steady bench` as today (its own alternation), on the same topic."""
    out = {}
    sets = {"same": ["--set", "fetch.queue.backoff.ms=10"], "defaults": [],
            "librdkafka_backoff": ["--set", "fetch.queue.backoff.ms=1000"]}
    for config in configs:
        path = BUILD / f"rust-{config}.json"
        cmd = [str(SNAP / "steady"), "bench", "--bootstrap-servers", args.bootstrap,
               "--records", str(records), "--runs", str(args.rounds), "--out", str(path)] + sets[config]
        print(f"  {config:<18} rust: {' '.join(cmd[1:])}", flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        if p.returncode:
            raise RuntimeError(f"steady bench: {p.stdout[-2000:]}{p.stderr[-2000:]}")
        r = json.loads(path.read_text())
        for line in p.stdout.splitlines():
            if line.startswith("  ") and "records/s" in line:
                print("    " + line.strip(), flush=True)
        out[config] = {"about": CONFIGS[config], "steady_bench": r}
    return out


# ------------------------------------------------------------------ latency

def latency(args, langs: list[str], topic: str) -> dict:
    """Per language, steady and its peer read the same paced stream at the same time."""
    out = {}
    # A fresh topic's first seconds are slow (leaders, the producer's first metadata): warm it.
    run([str(BUILD / "bench-c"), "produce", args.bootstrap, topic, "3", str(args.rate)], timeout=120)
    for lang in langs:
        if lang == "rust":
            continue
        try:
            out[lang] = latency_one(args, lang, topic)
        except Exception as e:  # noqa: BLE001 - one language's failure is recorded, the rest goes on
            print(f"  latency {lang}: FAILED {e}", flush=True)
            out[lang] = {"error": str(e)[-3000:]}
    return out


def latency_one(args, lang: str, topic: str) -> dict:
    results: dict = {}
    procs = {}
    for side in ("steady", "peer"):
        cmd = command(lang) + ["latency", side, args.bootstrap, topic, str(args.latency_s),
                               "bench.warmup.s=3"]
        procs[side] = spawn(cmd, f"latency-{lang}-{side}")
    time.sleep(12 if lang == "java" else 8)  # both joined: they read from the latest offset
    prod = run([str(BUILD / "bench-c"), "produce", args.bootstrap, topic,
                str(args.latency_s + 6), str(args.rate)], timeout=args.latency_s + 120)
    for side, p in procs.items():
        results[side] = collect(p, 180)
    s, pe = results["steady"], results["peer"]
    print(f"  latency {lang:<6} steady p50 {s['p50_us'] / 1000:7.2f} ms p99 {s['p99_us'] / 1000:7.2f} "
          f"max {s['max_us'] / 1000:7.1f} | peer p50 {pe['p50_us'] / 1000:7.2f} ms p99 "
          f"{pe['p99_us'] / 1000:7.2f} max {pe['max_us'] / 1000:7.1f} | producer send→ack p50 "
          f"{prod['send_to_ack_p50_us'] / 1000:.2f} p99 {prod['send_to_ack_p99_us'] / 1000:.2f} ms", flush=True)
    return {"rate_per_s": args.rate, "seconds": args.latency_s, "producer": prod,
            "steady": s, "peer": pe,
            "steady_minus_peer_us": {k: s[k] - pe[k] for k in
                                     ("p50_us", "p90_us", "p99_us", "p999_us", "max_us")}}


# ------------------------------------------------------------------ goodput

GOODPUT_SETTINGS = {"max.poll.interval.ms": "10000", "session.timeout.ms": "10000"}
GOODPUT_BENCH = {"bench.slow.ms": "12000", "bench.normal.ms": "10", "bench.slow.every": "50",
                 "bench.members": "3"}


def goodput(args, langs: list[str], topic: str) -> dict:
    """Every language's steady and peer at once (the handlers sleep; little CPU), one group
    each, on the same topic."""
    procs = {}
    pairs = [f"{k}={v}" for k, v in {**GOODPUT_SETTINGS, **GOODPUT_BENCH}.items()]
    for lang in langs:
        if lang == "rust":
            continue
        for side in ("steady", "peer"):
            cmd = command(lang) + ["goodput", side, args.bootstrap, topic, str(args.goodput_s)] + pairs
            procs[(lang, side)] = spawn(cmd, f"goodput-{lang}-{side}")
    out: dict = {}
    for (lang, side), p in procs.items():
        try:
            out.setdefault(lang, {})[side] = collect(p, args.goodput_s + 200)
        except Exception as e:  # noqa: BLE001 - recorded, the others go on
            print(f"  goodput {lang} {side}: FAILED {str(e)[-500:]}", flush=True)
            out.setdefault(lang, {})[side] = {"error": str(e)[-3000:]}
    for lang, r in out.items():
        s, pe = r["steady"], r["peer"]
        if "error" in s or "error" in pe:
            r["ratio_unique_processed"] = None
            continue
        r["ratio_unique_processed"] = round(s["unique"] / pe["unique"], 2) if pe["unique"] else None
        r["settings"] = {**GOODPUT_SETTINGS, **GOODPUT_BENCH}
        print(f"  goodput {lang:<6} steady {s['unique']:6} unique, {s['duplicates']} dup, "
              f"{s['rebalances']} assignments | peer {pe['unique']:6} unique, {pe['duplicates']} dup, "
              f"{pe['rebalances']} assignments | ratio {r['ratio_unique_processed']}", flush=True)
    return out


# ------------------------------------------------------------------ table

def table(results: dict) -> str:
    lines = []
    tp = results.get("throughput", {})
    if tp:
        lines.append("| language | configuration | peer | peer records/s | steady reader | steady records/s "
                     "| ratio | µs CPU/record steady / peer |")
        lines.append("|---|---|---|---:|---|---:|---:|---|")
        for lang, configs in tp.items():
            for config, c in configs.items():
                if lang == "rust":
                    r = c["steady_bench"]
                    plain = r["readers"]["plain_poll_loop"]
                    for name in ("steady_recv_ack", "steady_recv_batch_ack"):
                        s = r["readers"][name]
                        lines.append(f"| rust | {config} | rust-rdkafka BaseConsumer::poll | "
                                     f"{plain['median_records_per_s']:,.0f} | {name} | "
                                     f"{s['median_records_per_s']:,.0f} | "
                                     f"**{s['median_records_per_s'] / plain['median_records_per_s']:.2f}** | "
                                     f"{s['median_cpu_us_per_record']:.2f} / {plain['median_cpu_us_per_record']:.2f} |")
                    continue
                readers = c["readers"]
                peers = [n for n, r in readers.items() if r["side"] == "peer"]
                for name, s in readers.items():
                    if s["side"] != "steady":
                        continue
                    for pn in peers:
                        pe = readers[pn]
                        lines.append(f"| {lang} | {config} | {pn} | {pe['median_records_per_s']:,} | {name} | "
                                     f"{s['median_records_per_s']:,} | "
                                     f"**{s['median_records_per_s'] / pe['median_records_per_s']:.2f}** | "
                                     f"{s['median_cpu_us_per_record']:.2f} / {pe['median_cpu_us_per_record']:.2f} |")
    lat = results.get("latency", {})
    if lat:
        lines += ["", "| language | steady p50 / p99 / max ms | peer p50 / p99 / max ms | "
                      "steady − peer at p50 / p99 ms |", "|---|---|---|---|"]
        for lang, r in lat.items():
            if "error" in r:
                lines.append(f"| {lang} | failed | | |")
                continue
            s, pe, d = r["steady"], r["peer"], r["steady_minus_peer_us"]
            lines.append(f"| {lang} | {s['p50_us'] / 1e3:.2f} / {s['p99_us'] / 1e3:.2f} / {s['max_us'] / 1e3:.1f} "
                         f"| {pe['p50_us'] / 1e3:.2f} / {pe['p99_us'] / 1e3:.2f} / {pe['max_us'] / 1e3:.1f} "
                         f"| {d['p50_us'] / 1e3:+.2f} / {d['p99_us'] / 1e3:+.2f} |")
    gp = results.get("goodput", {})
    if gp:
        lines += ["", "| language | steady unique / duplicates / assignments | "
                      "peer unique / duplicates / assignments | ratio of records processed |",
                  "|---|---|---|---:|"]
        for lang, r in gp.items():
            s, pe = r["steady"], r["peer"]
            if "error" in s or "error" in pe:
                lines.append(f"| {lang} | failed | | |")
                continue
            lines.append(f"| {lang} | {s['unique']:,} / {s['duplicates']:,} / {s['rebalances']} | "
                         f"{pe['unique']:,} / {pe['duplicates']:,} / {pe['rebalances']} | "
                         f"**{r['ratio_unique_processed']}** |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(LANGS))
    ap.add_argument("--parts", default="throughput,latency,goodput")
    ap.add_argument("--configs", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--latency-s", type=float, default=None)
    ap.add_argument("--goodput-s", type=float, default=None)
    args = ap.parse_args()
    quick = args.quick
    args.rounds = args.rounds or (3 if quick else 5)
    args.latency_s = args.latency_s or (10 if quick else 30)
    args.goodput_s = args.goodput_s or (150 if quick else 300)
    configs = (args.configs or ("same" if quick else "same,defaults,librdkafka_backoff")).split(",")
    langs = [l for l in args.only.split(",") if l]
    parts = args.parts.split(",")
    out_dir = Path(args.out or (BENCH / "results" / ("quick" if quick else "")))
    out_dir.mkdir(parents=True, exist_ok=True)
    topic = f"steady-bench-{args.records}x100-p12"

    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    common = {"machine": machine(), "versions": versions(), "started": started,
              "mode": "quick" if quick else "full", "rounds": args.rounds}
    print(json.dumps(common["versions"], indent=None), flush=True)
    results: dict = {}
    t0 = time.time()

    def write(part: str) -> None:
        for lang, r in results[part].items():
            path = out_dir / f"{lang}-{part}.json"
            doc = {"language": lang, "part": part, **common,
                   "peer": PEER_NAMES.get(lang, "rust-rdkafka BaseConsumer::poll loop"),
                   "topic": topic if part == "throughput" else None,
                   "results": r, "finished": datetime.datetime.now(datetime.timezone.utc)
                   .isoformat(timespec="seconds")}
            path.write_text(json.dumps(doc, indent=2) + "\n")

    if "throughput" in parts:
        print(f"throughput: {args.records:,} records of 100 B in 12 partitions ({topic}), "
              f"{args.rounds} rounds, configurations {configs}", flush=True)
        results["throughput"] = throughput(args, langs, configs, topic, args.records)
        if "rust" in langs:
            results["throughput"]["rust"] = rust_throughput(args, configs, args.records)
        write("throughput")
    if "latency" in parts:
        lt = f"steady-bench-latency-p12"
        print(f"latency: {args.rate} records/s for {args.latency_s} s on {lt}", flush=True)
        results["latency"] = latency(args, langs, lt)
        write("latency")
    if "goodput" in parts:
        print(f"goodput: {args.goodput_s} s, every language at once on steady-bench-30000x100-p12", flush=True)
        results["goodput"] = goodput(args, langs, "steady-bench-30000x100-p12")
        write("goodput")
    summary = table(results)
    (out_dir / "summary.md").write_text(
        f"{common['mode']} run of {started}, {time.time() - t0:.0f} s, on {common['machine']['nproc']} × "
        f"{common['machine']['cpu']}, {common['machine']['memory_gib']} GiB\n\n{summary}\n")
    print("\n" + summary)
    print(f"\nwritten to {out_dir}/ in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
