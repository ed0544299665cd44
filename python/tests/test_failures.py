"""Failed records against the real broker: Message.nack (redelivery with attempt numbers after
the back-off or the application's delay), Message.reject and records out of attempts (the
dead-letter topic, its headers, the "dead_lettered" event and the commit passing them, or
parked without one), and steady.ordering=key with many Python threads."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer as KafkaConsumer
from confluent_kafka import Producer

import steady
from conftest import committed, create_topic, unique

Settings = dict[str, "str | int"]
WAIT = 60.0  # seconds: the bound of every wait


def take(consumer: steady.Consumer, n: int) -> list[steady.Message]:
    """The next `n` messages (within WAIT seconds)."""
    got: list[steady.Message] = []
    deadline = time.monotonic() + WAIT
    while len(got) < n:
        assert time.monotonic() < deadline, f"only {len(got)} of {n} messages in time"
        got.extend(consumer.consume(n - len(got), timeout=5))
    return got


def next_one(consumer: steady.Consumer) -> steady.Message:
    message = consumer.poll(timeout=WAIT)
    assert message is not None, "no message in time"
    return message


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT} s"
        time.sleep(0.05)


def test_a_record_nacked_twice_comes_back_with_attempts_2_and_3_and_is_committed_after_its_ack(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("nack", 1, 1)
    group = str(settings["group.id"])
    settings["steady.retry.backoff.ms"] = 200
    with steady.Consumer(settings, [topic]) as consumer:
        first = next_one(consumer)
        assert (first.offset, first.attempt) == (0, 1)
        nacked = time.monotonic()
        first.nack("first failure")  # the back-off: 200 ms for attempt 1
        second = next_one(consumer)
        assert time.monotonic() - nacked >= 0.19
        assert (second.offset, second.attempt, second.value) == (0, 2, first.value)
        assert first.attempt == 1  # each delivery keeps its own number
        nacked = time.monotonic()
        second.nack("second failure", delay=0.5)  # the application's delay instead
        third = next_one(consumer)
        assert time.monotonic() - nacked >= 0.49
        assert (third.offset, third.attempt) == (0, 3)
        consumer.commit()
        # Nothing past the record is committed while it is not acked.
        assert committed(bootstrap, group, topic, 1)[0] < 1
        stats = consumer.stats()
        assert (stats["retries"], stats["retrying_records"], stats["in_flight"]) == (2, 0, 1)
        third.ack()
        consumer.commit()
        assert committed(bootstrap, group, topic, 1) == {0: 1}
        assert consumer.poll(timeout=0.5) is None  # acked: not delivered again


def test_a_rejected_record_and_one_out_of_attempts_land_in_the_dead_letter_topic(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("reject", 1, 5)
    dlq = filled_topic("reject-dlq", 1, 0)
    group = str(settings["group.id"])
    settings["steady.dlq.topic"] = dlq
    settings["steady.retry.max.attempts"] = 2
    events: list[tuple[str, list[steady.TopicPartition], object]] = []
    lock = threading.Lock()

    def on_dead_letter(consumer: steady.Consumer, event: steady.Event) -> None:
        with lock:
            events.append((event.kind, event.partitions, event.error))

    with steady.Consumer(settings, [topic], on_dead_letter=on_dead_letter) as consumer:
        for message in take(consumer, 5):
            if message.offset == 2:
                message.reject("cannot parse")
            elif message.offset == 4:
                message.nack("try 1", delay=0)
            else:
                message.ack()
        again = next_one(consumer)
        assert (again.offset, again.attempt) == (4, 2)
        again.nack("try 2")  # its last attempt: dead-lettered instead of retried
        wait_until(lambda: consumer.stats()["dead_lettered"] == 2, "two dead letters")
        consumer.commit()
        # Both count as acked once the dead-letter topic has them: the commit passes them.
        assert committed(bootstrap, group, topic, 1) == {0: 5}
        stats = consumer.stats()
        assert (stats["parked_records"], stats["dead_letter_failures"]) == (0, 0)
        assert stats["retries"] == 1
        wait_until(lambda: len(events) == 2, "two dead_lettered events")
    assert sorted(events, key=lambda e: e[1][0].offset or 0) == [
        ("dead_lettered", [steady.TopicPartition(topic, 0, 2)], None),
        ("dead_lettered", [steady.TopicPartition(topic, 0, 4)], None),
    ]

    reader = KafkaConsumer(
        {"bootstrap.servers": bootstrap, "group.id": unique("dlq-reader"),
         "auto.offset.reset": "earliest"}
    )
    reader.subscribe([dlq])
    letters = []
    deadline = time.monotonic() + WAIT
    while len(letters) < 2:
        assert time.monotonic() < deadline, f"only {len(letters)} dead letters in {dlq}"
        m = reader.poll(1.0)
        if m is not None and m.error() is None:
            letters.append(m)
    reader.close()
    by_offset = {}
    for letter in letters:
        headers = letter.headers() or []
        steady_headers = {k: v for k, v in headers if k.startswith("steady.")}
        by_offset[int(steady_headers["steady.source.offset"])] = (letter, headers, steady_headers)
    assert sorted(by_offset) == [2, 4]
    for offset, attempts, error in ((2, b"1", b"cannot parse"), (4, b"2", b"try 2")):
        letter, headers, steady_headers = by_offset[offset]
        assert (letter.key(), letter.value()) == (f"k{offset}".encode(), f"p0-{offset}".encode())
        # The original headers first, in order, then steady's.
        assert headers[:2] == [("n", str(offset).encode()), ("empty", None)]
        assert steady_headers == {
            "steady.source.topic": topic.encode(),
            "steady.source.partition": b"0",
            "steady.source.offset": str(offset).encode(),
            "steady.attempts": attempts,
            "steady.error": error,
        }


def test_a_rejected_record_without_a_dead_letter_topic_stays_pending(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("parked", 1, 3)
    group = str(settings["group.id"])
    with steady.Consumer(settings, [topic]) as consumer:
        for message in take(consumer, 3):
            if message.offset == 1:
                message.reject("poison")
            else:
                message.ack()
        consumer.commit()
        assert committed(bootstrap, group, topic, 1) == {0: 1}  # parked: never passed
        stats = consumer.stats()
        assert (stats["parked_records"], stats["dead_lettered"]) == (1, 0)
        assert "poison" in (stats["last_error"] or "")


def test_nack_and_reject_arguments_and_calls_after_close(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("nack-args", 1, 2)
    consumer = steady.Consumer(settings, [topic])
    message, other = take(consumer, 2)
    for delay in (-1, float("nan"), float("inf"), 1e19):
        with pytest.raises(ValueError, match="delay"):
            message.nack("bad delay", delay=delay)
    with pytest.raises(TypeError):
        message.nack("bad delay", delay="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        message.reject(7)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        message.reject("t\udc80")
    assert consumer.stats()["retries"] == 0  # none of those did anything
    message.ack()
    message.nack("already acked")  # ignored, like a second ack
    message.reject("already acked")
    assert consumer.stats()["dead_lettered"] == 0 and consumer.stats()["retries"] == 0
    consumer.close()
    with pytest.raises(steady.ClosedError):
        other.nack("after close")
    with pytest.raises(steady.ClosedError):
        other.reject("after close")


def test_ordering_key_never_runs_two_records_of_one_key_at_once_on_eight_threads(
    bootstrap: str, settings: Settings
) -> None:
    keys, per_key, partitions = 200, 10, 2
    topic = unique("ordering-key")
    create_topic(bootstrap, topic, partitions)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for n in range(per_key):
        for k in range(keys):
            producer.produce(topic, key=f"key-{k}".encode(), value=str(n).encode(),
                             partition=k % partitions)
    assert producer.flush(60) == 0, "records left unsent"
    total = keys * per_key
    settings["steady.ordering"] = "key"

    lock = threading.Lock()
    running: set[bytes] = set()
    violations: list[bytes] = []
    seen: dict[bytes, list[int]] = {}
    state = {"processed": 0, "most_at_once": 0}
    with steady.Consumer(settings, [topic]) as consumer:

        def worker() -> None:
            while True:
                with lock:
                    if state["processed"] >= total:
                        return
                message = consumer.poll(timeout=0.2)  # waits with the GIL released
                if message is None:
                    continue
                key = message.key
                assert key is not None
                with lock:
                    if key in running:
                        violations.append(key)
                    running.add(key)
                    state["most_at_once"] = max(state["most_at_once"], len(running))
                time.sleep(random.uniform(0, 0.002))  # the handler; releases the GIL too
                with lock:
                    running.discard(key)
                    seen.setdefault(key, []).append(int(message.value or b"-1"))
                    state["processed"] += 1
                message.ack()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads), f"{state} after 180 s"
        stats = consumer.stats()
    assert violations == []
    assert state["processed"] == total == stats["acked"]
    # Each key's records ran one at a time in offset (production) order, and different keys
    # ran side by side.
    assert seen == {f"key-{k}".encode(): list(range(per_key)) for k in range(keys)}
    assert state["most_at_once"] > 1
