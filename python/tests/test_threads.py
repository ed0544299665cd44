"""Threads: acks from a pool in any order, other Python threads running while a call blocks,
and close() from another thread ending a blocked iteration."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import steady
from conftest import committed

Settings = dict[str, "str | int"]


def test_pool_acks_out_of_order_and_nothing_is_lost(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    partitions, per_partition = 4, 50
    topic = filled_topic("pool", partitions, per_partition)
    processed: set[tuple[int, int]] = set()
    lock = threading.Lock()
    rng = random.Random(7)

    def handle(message: steady.Message, delay: float) -> None:
        time.sleep(delay)  # uneven work: acks arrive out of offset order
        with lock:
            processed.add((message.partition, message.offset))
        message.ack()

    with steady.Consumer(settings, [topic]) as consumer:
        with ThreadPoolExecutor(max_workers=8) as pool:
            delivered = 0
            while delivered < partitions * per_partition:
                batch = consumer.consume(max_records=64, timeout=30)
                assert batch, "no records within 30 s"
                for message in batch:
                    pool.submit(handle, message, rng.uniform(0, 0.02))
                delivered += len(batch)
        consumer.commit()
        stats = consumer.stats()

    expected = {(p, n) for p in range(partitions) for n in range(per_partition)}
    assert processed == expected
    assert stats["acked"] == len(expected) and stats["in_flight"] == 0
    end = {p: per_partition for p in range(partitions)}
    assert committed(bootstrap, str(settings["group.id"]), topic, partitions) == end


def test_other_threads_run_while_poll_blocks(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    ticks: list[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    with steady.Consumer(settings, [filled_topic("gil", 1, 0)]) as consumer:
        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            start = time.monotonic()
            assert consumer.poll(timeout=1.5) is None
            end = time.monotonic()
        finally:
            stop.set()
            thread.join()
    during = [t for t in ticks if start < t < end]
    # A poll holding the GIL would leave the ticker (100 ticks/s) almost no turn at all.
    assert len(during) >= 30, f"only {len(during)} ticks while poll waited {end - start:.2f} s"


def test_close_from_another_thread_ends_a_blocked_iteration(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    consumer = steady.Consumer(settings, [filled_topic("wake", 1, 0)])
    finished = threading.Event()
    received: list[steady.Message] = []

    def iterate() -> None:
        received.extend(consumer)
        finished.set()

    thread = threading.Thread(target=iterate)
    thread.start()
    time.sleep(0.5)  # let the iteration block on the empty topic
    assert not finished.is_set()
    consumer.close()
    assert finished.wait(timeout=30), "iteration still blocked after close()"
    thread.join()
    assert received == []
