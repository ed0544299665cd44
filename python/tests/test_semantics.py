"""The semantics every binding shares (docs/semantics.md), row by row, against the real broker:
acks and closes repeated, calls after close, messages read after ack and after close, and what
a message keeps alive."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

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


def fields(message: steady.Message) -> tuple[object, ...]:
    """Everything a message says about its record."""
    return (
        message.topic,
        message.partition,
        message.offset,
        message.key,
        message.value,
        message.headers,
        message.timestamp,
    )


def test_a_second_ack_has_no_effect(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("ack-twice", 1, 2)
    with steady.Consumer(settings, [topic]) as consumer:
        first, second = take(consumer, 2)
        first.ack()
        first.ack()  # returns normally, changes nothing
        consumer.commit()
        stats = consumer.stats()
        assert (stats["acked"], stats["in_flight"]) == (1, 1)
        # The second message is still unacked: the first ack twice did not stand in for it.
        assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 1}
        second.ack()


def test_a_message_reads_the_same_after_ack_and_after_close(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("read-after", 1, 1)
    consumer = steady.Consumer(settings, [topic])
    (message,) = take(consumer, 1)
    before = fields(message)
    assert before[0] == topic and before[4] == b"p0-0"
    message.ack()
    assert fields(message) == before
    consumer.close()
    assert fields(message) == before
    assert repr(message) == f"Message(topic={topic!r}, partition=0, offset=0)"


def test_ack_after_close_raises_closed_error(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    settings["steady.revoke.drain.ms"] = 1000  # close waits this long for the unacked message
    with steady.Consumer(settings, [filled_topic("ack-after-close", 1, 1)]) as consumer:
        (message,) = take(consumer, 1)
    with pytest.raises(steady.ClosedError):
        message.ack()
    with pytest.raises(steady.ClosedError):
        message.ack()  # and again: the consumer stays closed


def test_calls_after_close_raise_closed_error_and_iteration_ends(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    consumer = steady.Consumer(settings, [filled_topic("after-close", 1, 3)])
    consumer.close()
    for call in (
        lambda: consumer.poll(timeout=1),
        lambda: consumer.poll(timeout=None),
        lambda: consumer.consume(10, timeout=1),
        consumer.commit,
    ):
        with pytest.raises(steady.ClosedError):
            call()
    assert list(consumer) == []
    with consumer:  # entering and leaving a closed consumer is fine: close has no effect
        pass


def test_a_second_close_returns_only_after_the_first_finished(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("close-twice", 1, 2)
    group = str(settings["group.id"])
    settings.update({"enable.auto.commit": "false", "steady.revoke.drain.ms": 3000})
    consumer = steady.Consumer(settings, [topic])
    acked, unacked = take(consumer, 2)
    acked.ack()
    # The first close waits steady.revoke.drain.ms for `unacked`, then commits offset 1.
    first = threading.Thread(target=consumer.close)
    first.start()
    deadline = time.monotonic() + 30
    while True:  # until the first close has begun: deliveries have stopped
        assert time.monotonic() < deadline, "close() did not stop deliveries within 30 s"
        try:
            consumer.poll(timeout=0.05)
        except steady.ClosedError:
            break
    assert first.is_alive(), "the first close ended before the drain; the test proves nothing"
    consumer.close()  # the second close, while the first one drains
    assert committed(bootstrap, group, topic, 1) == {0: 1}
    first.join(timeout=30)
    assert not first.is_alive()
    with pytest.raises(steady.ClosedError):
        unacked.ack()


def test_concurrent_closes_all_return_after_the_commit(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("close-many", 1, 2)
    group = str(settings["group.id"])
    settings.update({"enable.auto.commit": "false", "steady.revoke.drain.ms": 2000})
    consumer = steady.Consumer(settings, [topic])
    acked, _unacked = take(consumer, 2)
    acked.ack()
    start = threading.Barrier(4)
    seen: list[dict[int, int]] = []
    errors: list[BaseException] = []

    def close() -> None:
        start.wait(timeout=30)
        try:
            consumer.close()
            seen.append(committed(bootstrap, group, topic, 1))
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=close) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a close() did not return within 90 s"
    assert errors == []
    # Whichever close returned, the final commit was already made.
    assert seen == [{0: 1}] * 4


def test_messages_do_not_keep_the_consumer_open(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("msg-alive", 1, 3)
    group = str(settings["group.id"])
    settings.update({"enable.auto.commit": "false", "steady.revoke.drain.ms": 1000})
    consumer = steady.Consumer(settings, [topic])
    messages = take(consumer, 3)
    messages[0].ack()
    messages[1].ack()
    kept = messages[2]
    before = fields(kept)
    del consumer, messages
    gc.collect()
    # Collecting the Consumer closed it — committing the acked prefix — although a message
    # of it is still alive; that message only reads and fails to ack.
    assert committed(bootstrap, group, topic, 1) == {0: 2}
    assert fields(kept) == before
    with pytest.raises(steady.ClosedError):
        kept.ack()


def test_collecting_messages_does_not_close_the_consumer(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("msg-gone", 1, 4)
    with steady.Consumer(settings, [topic]) as consumer:
        for message in take(consumer, 2):
            message.ack()
        del message
        gc.collect()
        for message in take(consumer, 2):
            message.ack()
        consumer.commit()
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 4}
