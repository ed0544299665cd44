"""Consumer.ack(messages): many messages acked in one call, against the real broker. Each is
acked as its own Message.ack() would: commits cover only the contiguous prefix of acked
offsets, a bad item acks nothing, and after close it raises ClosedError."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

import steady
from conftest import committed

Settings = dict[str, "str | int"]


def take(consumer: steady.Consumer, n: int) -> list[steady.Message]:
    """The next `n` messages (within 60 s)."""
    got: list[steady.Message] = []
    deadline = time.monotonic() + 60
    while len(got) < n:
        assert time.monotonic() < deadline, f"only {len(got)} of {n} messages within 60 s"
        got.extend(consumer.consume(n - len(got), timeout=5))
    return got


def test_a_batch_ack_commits_what_it_acked_and_nothing_past_a_gap(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("batch-ack", 3, 10)
    group = str(settings["group.id"])
    with steady.Consumer(settings, [topic]) as consumer:
        got = take(consumer, 30)
        by_partition = {p: [m for m in got if m.partition == p] for p in range(3)}
        # Partition 0: every message, as a list, in reverse order.
        consumer.ack(list(reversed(by_partition[0])))
        # Partition 1: all but offset 4, as a generator.
        consumer.ack(m for m in by_partition[1] if m.offset != 4)
        # Partition 2: the first five as a tuple, then one more on its own.
        consumer.ack(tuple(by_partition[2][:5]))
        consumer.ack(by_partition[2][5])
        consumer.ack([])  # nothing to do
        consumer.commit()
        assert committed(bootstrap, group, topic, 3) == {0: 10, 1: 4, 2: 6}
        stats = consumer.stats()
        assert (stats["acked"], stats["in_flight"]) == (25, 5)
        # Acking again, in a batch or one by one, has no effect; the rest completes the topic.
        consumer.ack(by_partition[0] + by_partition[1] + by_partition[2])
        consumer.commit()
        assert committed(bootstrap, group, topic, 3) == {0: 10, 1: 10, 2: 10}
        assert consumer.stats()["in_flight"] == 0


def test_an_item_that_is_not_a_message_raises_type_error_and_acks_nothing(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("batch-ack-type", 1, 3)
    with steady.Consumer(settings, [topic]) as consumer:
        got = take(consumer, 3)
        with pytest.raises(TypeError, match=r"messages\[2\] must be a steady.Message, not int"):
            consumer.ack([got[0], got[1], 7])  # type: ignore[list-item]
        with pytest.raises(TypeError, match=r"messages\[0\] must be a steady.Message, not str"):
            consumer.ack("not messages")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="must be a steady.Message or an iterable of them"):
            consumer.ack(None)  # type: ignore[arg-type]

        def failing() -> Iterator[steady.Message]:
            yield got[0]
            raise RuntimeError("the iterable failed")

        with pytest.raises(RuntimeError, match="the iterable failed"):
            consumer.ack(failing())
        assert consumer.stats()["acked"] == 0
        consumer.ack(got)
        assert consumer.stats()["acked"] == 3


def test_a_batch_ack_after_close_raises_closed_error(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("batch-ack-closed", 1, 2)
    consumer = steady.Consumer(settings, [topic])
    got = take(consumer, 2)
    consumer.close()
    with pytest.raises(steady.ClosedError):
        consumer.ack(got)
    with pytest.raises(steady.ClosedError):
        consumer.ack(got[0])


def test_large_batches_acked_by_workers_while_the_main_thread_consumes(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    # Batches of up to 500 (the GIL is released for those of 256 and more) acked on four
    # threads while the main thread keeps consuming: every record is committed at the end.
    topic = filled_topic("batch-ack-threads", 4, 1000)
    batches: list[list[steady.Message]] = []
    lock = threading.Condition()
    done = False

    with steady.Consumer(settings, [topic]) as consumer:

        def worker() -> None:
            while True:
                with lock:
                    while not batches and not done:
                        lock.wait()
                    if not batches:
                        return
                    batch = batches.pop()
                consumer.ack(batch)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        received = 0
        deadline = time.monotonic() + 120
        while received < 4000:
            assert time.monotonic() < deadline, f"only {received} of 4000 records in 120 s"
            batch = consumer.consume(500, timeout=5)
            received += len(batch)
            with lock:
                batches.append(batch)
                lock.notify()
        with lock:
            done = True
            lock.notify_all()
        for t in threads:
            t.join(timeout=60)
        consumer.commit()
        stats = consumer.stats()
    assert (stats["acked"], stats["in_flight"]) == (4000, 0)
    group = str(settings["group.id"])
    assert committed(bootstrap, group, topic, 4) == {p: 1000 for p in range(4)}
