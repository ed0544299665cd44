"""Bad arguments raise ValueError naming the argument — never a panic or a Rust backtrace:
timeouts and counts out of range, strings that cannot be encoded as UTF-8, and topic names
Kafka would refuse."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import steady
from conftest import create_topic, unique

BAD_TIMEOUTS = [
    math.nan,
    -1,
    -0.001,
    -math.inf,
    math.inf,
    1e19,  # fits a Duration, not a deadline
    1e300,
    2**64,
    10**400,  # too large even for a float
]
SURROGATE = "t\udc80"  # a lone surrogate: a valid str, but not encodable as UTF-8


@pytest.fixture(scope="module")
def consumer(bootstrap: str) -> Iterator[steady.Consumer]:
    """One consumer of an empty topic for the whole module."""
    topic = unique("args")
    create_topic(bootstrap, topic, 1)
    settings = {"bootstrap.servers": bootstrap, "group.id": unique("args")}
    with steady.Consumer(settings, [topic]) as c:
        yield c


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=lambda t: f"{t!r:.12}")
def test_bad_timeouts_raise_value_error_naming_the_argument(
    consumer: steady.Consumer, timeout: float
) -> None:
    # A panic would raise PanicException, a BaseException that pytest.raises does not catch.
    with pytest.raises(ValueError, match=r"^timeout\b"):
        consumer.poll(timeout=timeout)
    with pytest.raises(ValueError, match=r"^timeout\b"):
        consumer.consume(10, timeout=timeout)
    with pytest.raises(ValueError, match=r"^probe_timeout\b"):
        steady.check({}, bootstrap_servers="127.0.0.1:1", probe_timeout=timeout)


def test_good_timeouts_are_accepted(consumer: steady.Consumer) -> None:
    assert consumer.poll(timeout=0) is None
    assert consumer.poll(timeout=0.05) is None
    assert consumer.poll(0.1) is None
    assert consumer.consume(10, timeout=0) == []
    assert consumer.consume(max_records=1, timeout=0.05) == []


def test_wrong_timeout_types_raise_type_error(consumer: steady.Consumer) -> None:
    with pytest.raises(TypeError, match="timeout"):
        consumer.poll(timeout="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout"):
        consumer.consume(10, timeout=[1])  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [0, -1, 2**64, 10**400])
def test_bad_max_records_raise_value_error_naming_it(
    consumer: steady.Consumer, count: int
) -> None:
    with pytest.raises(ValueError, match=r"^max_records\b"):
        consumer.consume(max_records=count, timeout=0)


def test_lone_surrogates_in_topics_raise_value_error_naming_the_item(bootstrap: str) -> None:
    settings = {"bootstrap.servers": bootstrap, "group.id": unique("utf8")}
    with pytest.raises(ValueError, match=r"^topics\[1\]") as caught:
        steady.Consumer(settings, ["fine", SURROGATE])
    assert isinstance(caught.value.__cause__, UnicodeEncodeError)
    assert not isinstance(caught.value, UnicodeError)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        (SURROGATE, "x", "setting key"),
        ("client.id", SURROGATE, "client.id"),
        ("group.id", SURROGATE, "group.id"),
    ],
)
def test_lone_surrogates_in_settings_raise_value_error_naming_them(
    bootstrap: str, key: str, value: str, named: str
) -> None:
    settings = {"bootstrap.servers": bootstrap, "group.id": unique("utf8"), key: value}
    with pytest.raises(ValueError, match=named):
        steady.Consumer(settings, ["fine"])
    with pytest.raises(ValueError, match=named):
        steady.check(settings)


@pytest.mark.parametrize(
    "argument",
    ["client", "client_version", "heartbeat", "broker_version", "bootstrap_servers", "group",
     "profile"],
)
def test_lone_surrogates_in_check_arguments_raise_value_error_naming_them(argument: str) -> None:
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        steady.check({}, **{argument: SURROGATE})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("topics", "named"),
    [
        ([], "topics"),
        ([""], r"topics\[0\]"),
        (["fine", "no spaces"], r"topics\[1\]"),
        (["ümlaut"], r"topics\[0\]"),
        (["x" * 250], r"topics\[0\]"),
        ([".."], r"topics\[0\]"),
        (["^"], r"topics\[0\]"),
    ],
)
def test_illegal_topics_raise_value_error_naming_them(
    bootstrap: str, topics: list[str], named: str
) -> None:
    settings = {"bootstrap.servers": bootstrap, "group.id": unique("topics")}
    with pytest.raises(ValueError, match=named) as caught:
        steady.Consumer(settings, topics)
    assert not isinstance(caught.value, steady.SteadyError)


def test_negative_counts_in_check_raise_config_error_naming_them() -> None:
    for argument in ("threads", "partitions"):
        with pytest.raises(steady.ConfigError, match=rf"^{argument}=-1\b"):
            steady.check({}, **{argument: -1})  # type: ignore[arg-type]


def test_a_properties_path_with_a_surrogate_is_an_ordinary_missing_file(tmp_path: Path) -> None:
    # On POSIX a lone surrogate in a path stands for an undecodable byte (PEP 383): no error
    # about encoding, just the file that is not there.
    path = os.path.join(str(tmp_path), "ne\udcffin.properties")
    with pytest.raises(steady.ConfigError, match="properties"):
        steady.check(path)
