"""steady.ordering from Python: the setup of `steady bench-ordering` (the Rust side).

    python_bench.py --bootstrap HOST:PORT [--topic T] [--records 10000] [--keys 1000]
                    [--threads 16] [--max-ms 5] [--rounds 1] [--modes unordered,partition,key]
                    [--out FILE]

One partition holding RECORDS records (100 bytes, keys "k<n>" drawn from KEYS), read from the
start by one steady.Consumer per run in each steady.ordering mode, with THREADS Python
threads each calling poll(); the handler sleeps a uniform 0-MAX_MS ms (time.sleep releases the
GIL, so does poll while it waits), then acks. The topic (default
steady-bench-ordering-RECORDSxKEYS, the Rust benchmark's own) is made and filled with
confluent-kafka unless it holds RECORDS records in one partition already. Rounds alternate the
modes. A run's rate: records ÷ time from the first delivery to the last ack. Progress on
stderr; the result is one line on stdout, "RESULT {json}", and with --out the same JSON in a
file.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time

import confluent_kafka
from confluent_kafka.admin import AdminClient, NewTopic

import steady


def ensure_topic(bootstrap: str, topic: str, records: int, keys: int) -> None:
    """Creates and fills `topic` unless it holds `records` records in one partition."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    meta = admin.list_topics(timeout=30).topics.get(topic)
    if meta is not None and meta.error is None:
        probe = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "probe"})
        try:
            low, high = probe.get_watermark_offsets(
                confluent_kafka.TopicPartition(topic, 0), timeout=30
            )
        finally:
            probe.close()
        if len(meta.partitions) == 1 and high - low == records:
            return
        raise SystemExit(f"topic {topic} exists with {len(meta.partitions)} partitions and "
                         f"{high - low} records, not 1 and {records}")
    admin.create_topics([NewTopic(topic, 1, 1)], operation_timeout=60)[topic].result(90)
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    rng = random.Random(0x9E3779B97F4A7C15)
    payload = b"x" * 100
    for _ in range(records):
        key = f"k{rng.randrange(keys)}".encode()
        while True:
            try:
                producer.produce(topic, key=key, value=payload, partition=0)
                break
            except BufferError:
                producer.poll(0.01)
    if producer.flush(60) != 0:
        raise SystemExit("records left unsent")


def run_once(bootstrap: str, topic: str, mode: str, records: int, threads: int,
             max_ms: float) -> float:
    """Reads the whole topic once in `mode`; records/s from the first delivery to the last ack."""
    consumer = steady.Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"steady-bench-ordering-py-{time.time_ns()}",
        "auto.offset.reset": "earliest",
        "steady.ordering": mode,
    }, [topic])
    lock = threading.Lock()
    state: dict[str, float] = {"acked": 0, "first": 0.0, "last": 0.0}
    failed: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while True:
                with lock:
                    if state["acked"] >= records:
                        return
                message = consumer.poll(timeout=0.1)
                if message is None:
                    continue
                with lock:
                    if not state["first"]:
                        state["first"] = time.perf_counter()
                time.sleep(rng.uniform(0, max_ms) / 1000)
                message.ack()
                with lock:
                    state["acked"] += 1
                    if state["acked"] == records:
                        state["last"] = time.perf_counter()
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            failed.append(e)
            with lock:
                state["acked"] = records

    pool = [threading.Thread(target=worker, args=(t * 7919 + 1,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    consumer.close()
    if failed:
        raise SystemExit(f"{mode}: {failed[0]!r}")
    return records / (state["last"] - state["first"])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic")
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--keys", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--max-ms", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--modes", default="unordered,partition,key")
    ap.add_argument("--out")
    args = ap.parse_args(argv[1:])
    topic = args.topic or f"steady-bench-ordering-{args.records}x{args.keys}"
    modes = args.modes.split(",")
    ensure_topic(args.bootstrap, topic, args.records, args.keys)
    mean_s = args.max_ms / 2 / 1000
    limit = args.threads / mean_s
    runs: dict[str, list[float]] = {m: [] for m in modes}
    for rnd in range(args.rounds):
        for i in range(len(modes)):
            mode = modes[(i + rnd) % len(modes)]
            rate = run_once(args.bootstrap, topic, mode, args.records, args.threads, args.max_ms)
            print(f"round {rnd + 1} {mode:>9}: {rate:8.0f} records/s", file=sys.stderr, flush=True)
            runs[mode].append(rate)
    results = []
    for mode in modes:
        # One partition in partition order: one record at a time, whatever the threads.
        own = 1 / mean_s if mode == "partition" else limit
        rate = statistics.median(runs[mode])
        results.append({"mode": mode, "rate_median": round(rate, 1),
                        "runs": [round(r, 1) for r in runs[mode]], "limit": round(own, 1),
                        "of_limit": round(rate / own, 3)})
    doc = {"benchmark": "ordering", "language": "python", "records": args.records,
           "keys": args.keys, "partitions": 1, "threads": args.threads,
           "handler_ms": [0, args.max_ms], "limit": round(limit, 1), "rounds": args.rounds,
           "topic": topic, "steady": steady.__version__, "python": sys.version.split()[0],
           "finished_unix": int(time.time()), "results": results}
    print("RESULT " + json.dumps(doc), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
