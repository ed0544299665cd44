"""bench-python: steady's Python package against a plain confluent-kafka consumer loop.

    bench.py throughput steady|steady-batch|steady-noack|peer|peer-alo BOOTSTRAP TOPIC RECORDS [KEY=VALUE ...]
    bench.py latency    steady|peer                       BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
    bench.py goodput    steady|peer                       BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]

steady: Consumer.consume(max_records=bench.batch) and Message.ack() per record; steady-batch:
the same records, acked with one Consumer.ack(messages) per batch once every record of it was
read (at least once all the same); steady-noack the same without ack (for information: it is
not at least once). peer: confluent-kafka's
Consumer.consume(num_messages=bench.batch) with its defaults (auto commit of what was
returned); peer-alo: its at-least-once loop, enable.auto.offset.store=false and
store_offsets(message) after each record. Every reader reads key, value, headers and
timestamp of every record. KEY=VALUE pairs are consumer settings for both, except bench.*
(bench/README.md). The result is one line on stdout: "RESULT {json}".
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time


def cpu_seconds() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def result(**values: object) -> None:
    print("RESULT " + json.dumps(values), flush=True)


def main(argv: list[str]) -> int:
    kind, impl, bootstrap, topic, n = argv[1:6]
    settings: dict[str, str] = {}
    opts: dict[str, str] = {}
    for kv in argv[6:]:
        k, _, v = kv.partition("=")
        (opts if k.startswith("bench.") else settings)[k] = v
    group = f"bench-python-{kind}-{os.getpid()}-{time.time_ns()}"
    base = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"}

    def peer(extra: dict[str, str] | None = None, **kw: object):
        import confluent_kafka

        c = confluent_kafka.Consumer({**base, **(extra or {}), **settings}, **kw)
        return c

    def steady_consumer(extra: dict[str, str] | None = None):
        import steady

        return steady.Consumer({**base, **(extra or {}), **settings}, [topic])

    if kind == "version":
        import confluent_kafka
        import steady

        result(steady=steady.__version__, confluent_kafka=confluent_kafka.__version__,
               librdkafka_bundled=confluent_kafka.libversion()[0], python=sys.version.split()[0])
        return 0
    if kind == "throughput":
        return throughput(impl, topic, int(n), int(opts.get("bench.batch", "1000")), peer, steady_consumer)
    if kind == "latency":
        return latency(impl, topic, float(n), float(opts.get("bench.warmup.s", "3")), peer, steady_consumer)
    if kind == "goodput":
        return goodput(impl, topic, float(n), opts, peer, steady_consumer)
    raise SystemExit(f"unknown kind {kind}")


def throughput(impl, topic, total, batch, peer, steady_consumer) -> int:
    records = payload = keys = headers = stamps = 0
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    first = 0.0
    deadline = t0 + 600
    if impl in ("peer", "peer-alo"):
        alo = impl == "peer-alo"
        c = peer({"enable.auto.offset.store": "false"} if alo else None)
        c.subscribe([topic])
        store = c.store_offsets
        while records < total and time.perf_counter() < deadline:
            ms = c.consume(num_messages=batch, timeout=0.1)
            if ms and not records:
                first = time.perf_counter()
            for m in ms:
                if m.error():
                    continue
                records += 1
                k, v, h, ts = m.key(), m.value(), m.headers(), m.timestamp()
                payload += len(v)
                keys += len(k)
                headers += len(h) if h else 0
                stamps += ts[0] != 0
                if alo:
                    store(message=m)
        end = time.perf_counter()
        c.close()
    else:
        ack, ack_batch = impl == "steady", impl == "steady-batch"
        c = steady_consumer()
        while records < total and time.perf_counter() < deadline:
            ms = c.consume(max_records=batch, timeout=0.1)
            if ms and not records:
                first = time.perf_counter()
            for m in ms:
                records += 1
                k, v, h, ts = m.key, m.value, m.headers, m.timestamp
                payload += len(v)
                keys += len(k)
                headers += len(h)
                stamps += ts is not None
                if ack:
                    m.ack()
            if ack_batch:
                c.ack(ms)
        end = time.perf_counter()
        c.close()
    cpu = cpu_seconds() - cpu0
    if records < total:
        raise SystemExit("did not read every record in 600 s")
    if not keys or stamps != records:
        raise SystemExit("keys or timestamps missing")
    result(records=records, rate=records / (end - first), cpu_us=cpu * 1e6 / records,
           total_s=end - t0, payload_bytes=payload, headers=headers)
    return 0


def latency(impl, topic, seconds, warm, peer, steady_consumer) -> int:
    lat: list[int] = []
    state = {"start": 0.0, "last": 0.0, "first_sent": 0}
    t0 = time.monotonic()

    def take(value: bytes, at: int) -> None:
        if len(value) < 8:
            return
        sent = int.from_bytes(value[:8], "little")
        state["last"] = time.monotonic()
        if not state["start"]:
            state["start"], state["first_sent"] = state["last"], sent
        if sent - state["first_sent"] >= warm * 1e6:
            lat.append(at - sent)

    def done() -> bool:
        now = time.monotonic()
        if not state["start"]:
            if now - t0 > 120:
                raise SystemExit("no record in 120 s")
            return False
        return now - state["start"] > seconds or now - state["last"] > 5

    latest = {"auto.offset.reset": "latest"}
    if impl == "peer":
        c = peer(latest)
        c.subscribe([topic])
        while not done():
            m = c.poll(0.1)
            if m is None or m.error():
                continue
            at = time.time_ns() // 1000
            k, v, h, ts = m.key(), m.value(), m.headers(), m.timestamp()
            take(v, at)
        c.close()
    else:
        c = steady_consumer(latest)
        while not done():
            m = c.poll(0.1)
            if m is None:
                continue
            at = time.time_ns() // 1000
            k, v, h, ts = m.key, m.value, m.headers, m.timestamp
            take(v, at)
            m.ack()
        c.close()
    if not lat:
        raise SystemExit("no record after the warm-up")
    lat.sort()
    n = len(lat)
    result(records=n, p50_us=lat[n // 2], p90_us=lat[n * 9 // 10], p99_us=lat[n * 99 // 100],
           p999_us=lat[n * 999 // 1000], max_us=lat[-1])
    return 0


def goodput(impl, topic, seconds, opts, peer, steady_consumer) -> int:
    slow = int(opts.get("bench.slow.ms", "12000")) / 1000
    normal = int(opts.get("bench.normal.ms", "10")) / 1000
    every = int(opts.get("bench.slow.every", "50"))
    members = int(opts.get("bench.members", "3"))
    done: dict[tuple[int, int], int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    counts = {"rebalances": 0, "errors": 0, "reported": 0}

    def handle(p: int, o: int) -> None:
        time.sleep(slow if o % every == every - 1 else normal)
        with lock:
            done[(p, o)] = done.get((p, o), 0) + 1

    def member_peer() -> None:
        def on_assign(consumer, partitions):
            with lock:
                counts["rebalances"] += 1

        # At least once: the offset is stored after the handler (auto commit of stored offsets).
        c = peer({"enable.auto.offset.store": "false"})
        c.subscribe([topic], on_assign=on_assign)
        while not stop.is_set():
            m = c.poll(0.1)
            if m is None:
                continue
            if m.error():
                with lock:
                    counts["errors"] += 1
                continue
            m.key(), m.value(), m.headers(), m.timestamp()
            handle(m.partition(), m.offset())
            try:
                c.store_offsets(message=m)
            except Exception:
                with lock:
                    counts["errors"] += 1
        with lock:
            counts["reported"] += 1
        c.close()

    def member_steady() -> None:
        c = steady_consumer()
        while not stop.is_set():
            try:
                m = c.poll(0.1)
            except Exception:
                with lock:
                    counts["errors"] += 1
                continue
            if m is None:
                continue
            m.key, m.value, m.headers, m.timestamp
            handle(m.partition, m.offset)
            m.ack()
        with lock:
            counts["rebalances"] += c.stats()["rebalances"]
            counts["reported"] += 1
        c.close()

    threads = [threading.Thread(target=member_peer if impl == "peer" else member_steady)
               for _ in range(members)]
    for t in threads:
        t.daemon = True
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    with lock:
        processed, unique = sum(done.values()), len(done)
    # Each member finishes the record in hand and reports (within a slow handler's time).
    for _ in range(300):
        with lock:
            if counts["reported"] >= members:
                break
        time.sleep(0.1)
    result(processed=processed, unique=unique, duplicates=processed - unique,
           rebalances=counts["rebalances"], errors=counts["errors"], seconds=seconds,
           members=members)
    for t in threads:
        t.join(timeout=60)
    os._exit(0)  # a member that cannot leave the group in time ends with the process


if __name__ == "__main__":
    sys.exit(main(sys.argv))
