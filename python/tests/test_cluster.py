"""Failover from Python on the three-broker cluster of tests/kafka (`--brokers 3`).

The leader of the consumed partitions is crashed (kill -9) while a steady consumer on four
threads and a confluent-kafka consumer (the same handler, another group with the same
coordinator) read; it is started again later. steady loses nothing, ends with its committed
offsets at the end of every partition, and its group does not rebalance; the confluent-kafka
consumer's rebalances are counted."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer as KafkaConsumer

import steady
from conftest import KAFKA_SH, committed, produce, unique

INSTANCE = "cluster"
BROKERS = 3
PARTITIONS = 6
PER_PARTITION = 2_000
THREADS = 4
HANDLER_SECONDS = 0.001
SESSION = {"session.timeout.ms": 30000, "heartbeat.interval.ms": 3000}
WAIT = 300.0


def kafka(*args: str) -> str:
    """Runs kafka.sh on the cluster instance and returns what it printed."""
    return subprocess.run(
        [str(KAFKA_SH), *args, "--instance", INSTANCE],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The cluster's bootstrap list; the cluster is stopped afterwards (it costs CPU idle)."""
    out = kafka("start", "--brokers", str(BROKERS))
    yield out.strip().splitlines()[-1].removeprefix("bootstrap=")
    kafka("stop")


def wait_until(what: str, condition: Any) -> None:
    """Waits for `condition()` to hold, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.05)


class PlainGroup:
    """A confluent-kafka poll loop on a thread, counting its assignment callbacks."""

    def __init__(self, bootstrap: str, group: str, topic: str) -> None:
        self.rebalances = 0
        self.assigned = 0
        self.stop = threading.Event()
        self.consumer = KafkaConsumer(
            {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest", **SESSION}
        )
        self.consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _on_assign(self, _: Any, partitions: list[Any]) -> None:
        self.rebalances += 1
        self.assigned += len(partitions)

    def _on_revoke(self, _: Any, partitions: list[Any]) -> None:
        self.rebalances += 1
        self.assigned -= len(partitions)

    def _run(self) -> None:
        while not self.stop.is_set():
            message = self.consumer.poll(0.1)
            if message is not None and message.error() is None:
                time.sleep(HANDLER_SECONDS)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.consumer.close()


def test_leader_crashed_under_a_python_consumer(cluster: str) -> None:
    topic = unique("failover")
    kafka("topic", "create", topic, str(PARTITIONS))
    produce(cluster, topic, PARTITIONS, PER_PARTITION)
    group = unique("failover-steady")
    coordinator = kafka("coordinator", group).strip()
    plain_group = next(
        g for g in (unique("failover-plain") for _ in range(64)) if kafka("coordinator", g).strip() == coordinator
    )
    handled: Counter[tuple[int, int]] = Counter()
    lock = threading.Lock()
    plain = PlainGroup(cluster, plain_group, topic)
    settings = {"bootstrap.servers": cluster, "group.id": group, "auto.offset.reset": "earliest", **SESSION}
    total = PARTITIONS * PER_PARTITION
    try:
        with steady.Consumer(settings, [topic]) as consumer:

            def work() -> None:
                while True:
                    try:
                        message = consumer.poll(timeout=0.1)
                    except steady.ClosedError:
                        return
                    if message is None:
                        continue
                    time.sleep(HANDLER_SECONDS)
                    with lock:
                        handled[(message.partition, message.offset)] += 1
                    message.ack()

            workers = [threading.Thread(target=work) for _ in range(THREADS)]
            for w in workers:
                w.start()
            wait_until("steady's first assignment", lambda: len(consumer.stats()["assignment"]) == PARTITIONS)
            wait_until("the plain group's first assignment", lambda: plain.assigned == PARTITIONS)
            steady_before, plain_before = consumer.stats()["rebalances"], plain.rebalances

            wait_until("a fifth of the records", lambda: len(handled) >= total // 5)
            leader = kafka("leaders", topic).splitlines()[0].split()[1]
            kafka("crash", "--broker", leader)
            wait_until("three fifths of the records", lambda: len(handled) >= total * 3 // 5)
            kafka("resume", "--broker", leader)
            wait_until("every record", lambda: len(handled) == total)
            steady_rebalances = consumer.stats()["rebalances"] - steady_before
            consumer.close()
            for w in workers:
                w.join()
    finally:
        plain.close()
    plain_rebalances = plain.rebalances - plain_before
    duplicates = sum(n - 1 for n in handled.values())
    print(f"steady: duplicates {duplicates}, rebalances {steady_rebalances}; plain: rebalances {plain_rebalances}")
    assert set(handled) == {(p, o) for p in range(PARTITIONS) for o in range(PER_PARTITION)}
    assert steady_rebalances == 0
    assert committed(cluster, group, topic, PARTITIONS) == {p: PER_PARTITION for p in range(PARTITIONS)}
