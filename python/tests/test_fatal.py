"""Fatal errors against the real broker: a fenced static member and an assignor the broker does
not have. Each surfaces as a KafkaError with librdkafka's code and name and fatal=True within
30 s, every later call raises it again, and close() still works."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import steady

Settings = dict[str, "str | int"]
WITHIN = 30.0  # seconds, as every binding promises


def first_fatal(consumer: steady.Consumer, within: float) -> tuple[steady.KafkaError, float]:
    """The first error poll raises within `within` seconds, and when it came (s from now);
    acks whatever arrives before it."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        try:
            message = consumer.poll(timeout=0.5)
        except steady.KafkaError as e:
            return e, time.monotonic() - start
        if message is not None:
            message.ack()
    pytest.fail(f"no KafkaError within {within} s")


def assert_fatal_from_now_on(consumer: steady.Consumer, error: steady.KafkaError) -> None:
    """Every later poll, consume, iteration and commit raises the same fatal error."""
    for call in (
        lambda: consumer.poll(timeout=0),
        lambda: consumer.poll(timeout=5),
        lambda: consumer.consume(10, timeout=5),
        lambda: next(iter(consumer)),
        consumer.commit,
    ):
        with pytest.raises(steady.KafkaError) as again:
            call()
        assert (again.value.code, again.value.name, again.value.fatal) == (
            error.code,
            error.name,
            True,
        )
        assert not again.value.retriable


def test_a_fenced_static_member_gets_a_fatal_error_and_can_still_close(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("fenced", 1, 5)
    settings.update({"group.instance.id": "static-1", "session.timeout.ms": 6000})
    first = steady.Consumer(settings, [topic])
    try:
        assert first.poll(timeout=60) is not None, "no assignment within 60 s"
        with steady.Consumer(settings, [topic]) as second:
            error, after = first_fatal(first, WITHIN)
            assert (error.code, error.name) == (82, "FENCED_INSTANCE_ID"), str(error)
            assert error.fatal and not error.retriable
            assert isinstance(error, steady.SteadyError)
            assert "FENCED_INSTANCE_ID" in str(error)
            assert after < WITHIN
            assert_fatal_from_now_on(first, error)
            # The member that took the id over goes on.
            assert second.poll(timeout=60) is not None
    finally:
        first.close()  # succeeds after the fatal error
    first.close()


def test_an_unknown_server_side_assignor_is_fatal(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    settings.update({"group.protocol": "consumer", "group.remote.assignor": "bogus"})
    consumer = steady.Consumer(settings, [filled_topic("bogus-assignor", 1, 1)])
    try:
        error, _ = first_fatal(consumer, WITHIN)
        assert (error.code, error.name) == (112, "UNSUPPORTED_ASSIGNOR"), str(error)
        assert error.fatal and not error.retriable
        assert_fatal_from_now_on(consumer, error)
    finally:
        consumer.close()


def test_an_unreachable_broker_in_a_probe_is_a_retriable_kafka_error() -> None:
    with pytest.raises(steady.KafkaError, match="127.0.0.1:1") as caught:
        steady.check({}, bootstrap_servers="127.0.0.1:1", probe_timeout=3)
    e = caught.value
    assert (e.code, e.name, e.fatal, e.retriable) == (-195, "_TRANSPORT", False, True)


def test_internal_error_is_a_fatal_steady_error() -> None:
    assert issubclass(steady.InternalError, steady.SteadyError)
    assert steady.InternalError.fatal is True
    assert steady.InternalError("poll thread died").fatal is True
