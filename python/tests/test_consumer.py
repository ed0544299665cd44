"""steady.Consumer against the real broker: delivery, acks, commits, errors, closing."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

import pytest

import steady
from conftest import committed

Settings = dict[str, "str | int"]


def test_iterating_delivers_every_record_with_its_fields(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("iterate", 2, 10)
    seen: dict[tuple[int, int], steady.Message] = {}
    with steady.Consumer(settings, [topic]) as consumer:
        give_up = threading.Timer(60, consumer.close)  # ends the loop if records go missing
        give_up.start()
        for message in consumer:
            seen[(message.partition, message.offset)] = message
            message.ack()
            if len(seen) == 20:
                break
        give_up.cancel()
        consumer.commit()
        stats = consumer.stats()
    assert set(seen) == {(p, n) for p in range(2) for n in range(10)}
    sample = seen[(1, 3)]
    assert sample.topic == topic
    assert sample.value == b"p1-3" and sample.key == b"k3"
    assert sample.headers == [("n", b"3"), ("empty", None)]
    assert isinstance(sample.timestamp, int) and sample.timestamp > 0
    assert repr(sample) == f"Message(topic={topic!r}, partition=1, offset=3)"
    assert stats["delivered"] == stats["acked"] == 20
    assert committed(bootstrap, str(settings["group.id"]), topic, 2) == {0: 10, 1: 10}


def test_consume_returns_batches_and_an_empty_list_when_idle(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("batch", 1, 30)
    with steady.Consumer(settings, [topic]) as consumer:
        got: list[steady.Message] = []
        while len(got) < 30:
            batch = consumer.consume(max_records=7, timeout=30)
            assert 0 < len(batch) <= 7
            got.extend(batch)
        for message in got:
            message.ack()
        assert consumer.consume(max_records=7, timeout=0.5) == []
        assert consumer.poll(timeout=0) is None
    assert [m.offset for m in got] == list(range(30))


def test_unacked_records_are_not_committed(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("gap", 1, 10)
    with steady.Consumer(settings, [topic]) as consumer:
        got = []
        while len(got) < 10:
            got.extend(consumer.consume(10, timeout=30))
        for message in got:
            if message.offset != 4:
                message.ack()
        consumer.commit()
    # Offsets 5..9 are acked but 4 is not: only the contiguous prefix 0..3 is committed.
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 4}


def test_bad_settings_raise_config_error_naming_the_key(settings: Settings) -> None:
    settings["session.timeout.ms"] = "soon"
    with pytest.raises(steady.ConfigError, match="session.timeout.ms") as caught:
        steady.Consumer(settings, ["any-topic"])
    assert any(f.key == "session.timeout.ms" for f in caught.value.findings)
    assert all(f.severity == "error" for f in caught.value.findings)


def test_warnings_are_kept_on_the_consumer(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    settings["session.timeout.ms"] = 6000
    with steady.Consumer(settings, [filled_topic("warn", 1, 0)]) as consumer:
        assert "ST005" in {f.rule for f in consumer.warnings}
        assert all(f.severity != "error" for f in consumer.warnings)
        assert isinstance(consumer.check(), steady.Report)


def test_use_after_close_raises_closed_error(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("closed", 1, 3)
    consumer = steady.Consumer(settings, [topic])
    message = consumer.poll(timeout=30)
    assert message is not None
    consumer.close()
    consumer.close()  # idempotent
    with pytest.raises(steady.ClosedError):
        consumer.poll(timeout=1)
    with pytest.raises(steady.ClosedError):
        consumer.consume(10, timeout=1)
    with pytest.raises(steady.ClosedError):
        consumer.commit()
    assert list(consumer) == []


def test_a_stuck_message_raises_stalled_error_and_is_delivered_again(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("stall", 1, 3)
    settings["steady.processing.timeout.ms"] = 2000
    with steady.Consumer(settings, [topic]) as consumer:
        stuck = consumer.poll(timeout=30)
        assert stuck is not None and stuck.offset == 0
        deadline = time.monotonic() + 60
        with pytest.raises(steady.StalledError) as caught:
            while time.monotonic() < deadline:
                other = consumer.poll(timeout=1)
                if other is not None:
                    other.ack()
        stall = caught.value
        assert (stall.topic, stall.partition, stall.offset) == (topic, 0, 0)
        assert stall.elapsed_ms >= 2000
        # The member gives the partition up...
        while consumer.stats()["assignment"]:
            assert time.monotonic() < deadline, "the stalled member kept its partition"
            time.sleep(0.05)
        # ...then the handler finally returns. Its ack comes after the partition was given up,
        # so it commits nothing; the member rejoins only now, and the record comes again.
        stuck.ack()
        again = None
        while again is None or again.offset != 0:
            assert time.monotonic() < deadline + 60, "the stuck record was not delivered again"
            again = consumer.poll(timeout=1)
            if again is not None:
                again.ack()
        assert consumer.stats()["stalls"] == 1


def test_a_consumer_dropped_without_close_still_commits(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("dropped", 1, 5)
    consumer = steady.Consumer(settings, [topic])
    got: list[steady.Message] = []
    while len(got) < 5:
        got.extend(consumer.consume(5, timeout=30))
    for message in got:
        message.ack()
    del consumer, got, message
    gc.collect()
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 5}


def test_bad_call_arguments_raise_value_error(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    with steady.Consumer(settings, [filled_topic("args", 1, 0)]) as consumer:
        with pytest.raises(ValueError, match="timeout"):
            consumer.poll(timeout=-1)
        with pytest.raises(ValueError, match="max_records"):
            consumer.consume(0, timeout=1)
        with pytest.raises(TypeError):
            steady.Consumer(settings, "one-topic-as-a-string")
