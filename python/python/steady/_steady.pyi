"""Type stubs of the extension module ``steady._steady``."""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, Literal, final

__all__ = [
    "ClosedError",
    "ConfigError",
    "Consumer",
    "Event",
    "Finding",
    "InternalError",
    "KafkaError",
    "Message",
    "Recommendation",
    "Report",
    "StalledError",
    "SteadyError",
    "TopicPartition",
    "__version__",
    "check",
]

__version__: str

_Value = str | int | float | bool
_Settings = Mapping[str, _Value] | str | os.PathLike[str]
_Severity = Literal["error", "warning", "info"]
_EventKind = Literal["assigned", "revoked", "lost", "committed", "dead_lettered"]
_CommitReason = Literal["background", "explicit", "revoke", "close"]
_OnPartitions = Callable[[Consumer, list[TopicPartition]], object]
_OnCommit = Callable[[Consumer, Event], object]
_OnDeadLetter = Callable[[Consumer, Event], object]

class SteadyError(Exception):
    """Base class of every error steady raises."""

class ConfigError(SteadyError):
    """Settings or arguments were refused; ``findings`` lists the rule findings behind it."""

    findings: list[Finding]

class KafkaError(SteadyError):
    """librdkafka or the broker reported an error, or the broker could not be reached."""

    code: int
    """librdkafka's error code (``rd_kafka_resp_err_t``), e.g. 82; for a fatal error the
    code that caused it."""
    name: str
    """librdkafka's name of the code, e.g. ``"FENCED_INSTANCE_ID"`` or ``"_TRANSPORT"``."""
    fatal: bool
    """The consumer cannot go on: every later call raises this error; only close() is left."""
    retriable: bool
    """Trying the same call again may succeed (brokers down, a coordinator moving)."""

class StalledError(SteadyError):
    """A record was not acked within ``steady.processing.timeout.ms``."""

    topic: str
    partition: int
    offset: int
    elapsed_ms: int

class ClosedError(SteadyError):
    """The consumer was closed."""

class InternalError(SteadyError):
    """steady itself failed (its poll thread died); only close() is left."""

    fatal: ClassVar[bool]
    """Always True."""

@final
class Recommendation:
    """The setting to change and the value to give it; unpacks as ``key, value``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...
    def __iter__(self) -> Iterator[str]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Finding:
    """One problem found by one rule."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def rule(self) -> str:
        """Stable rule id, e.g. ``"ST006"``."""
    @property
    def severity(self) -> _Severity: ...
    @property
    def key(self) -> str:
        """The setting concerned (or ``"broker"``, ``"client"``, ``"group"``)."""
    @property
    def message(self) -> str: ...
    @property
    def recommendation(self) -> Recommendation | None: ...
    @property
    def source(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Report:
    """The outcome of a check: findings, most severe first."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def errors(self) -> list[Finding]: ...
    @property
    def warnings(self) -> list[Finding]: ...
    @property
    def infos(self) -> list[Finding]: ...
    @property
    def summary(self) -> dict[str, int]:
        """Counts by severity: ``{"errors": n, "warnings": n, "info": n}``."""
    def to_json(self) -> str:
        """The report as JSON, the same shape as ``steady doctor --format json``."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Finding]: ...

@final
class Message:
    """One Kafka record; call :meth:`ack` once it is processed, from any thread."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> list[tuple[str, bytes | None]]: ...
    @property
    def timestamp(self) -> int | None:
        """Milliseconds since the epoch, or None."""
    @property
    def attempt(self) -> int:
        """How many times the record was delivered, this time included: 1, then one more
        for every :meth:`nack`."""
    def ack(self) -> None:
        """Marks the message processed. Any thread, any order; again: no effect.

        Raises ClosedError once its consumer is closed or was collected."""
    def nack(self, reason: str, delay: float | None = None) -> None:
        """The handler failed (``reason``): deliver the record again after ``delay`` seconds,
        or with None after the back-off (``steady.retry.backoff.ms``, doubled per attempt up
        to ``steady.retry.backoff.max.ms``); once it used up ``steady.retry.max.attempts`` it
        is dead-lettered instead. The committed offset stays before it until it is acked or
        dead-lettered. Ignored like :meth:`ack` when already acked or nacked, or revoked.

        A delay that is NaN, negative, infinite or too large raises ValueError; ClosedError
        once the consumer is closed."""
    def reject(self, reason: str) -> None:
        """The record can never be processed (``reason``): dead-letter it now, no retries.

        With ``steady.dlq.topic`` it is produced there and counts as acked once the broker
        has it; without, it stays pending (parked). Ignored like :meth:`ack`; ClosedError
        once the consumer is closed."""

@final
class TopicPartition:
    """A partition of a topic, and an offset where there is one.

    In an event: for "assigned" the committed offset the partition starts from (None: nothing
    committed, ``auto.offset.reset`` applies); for "committed" the offset committed (the next
    one to read); for "dead_lettered" the offset of the record sent to the dead-letter topic;
    None for "revoked" and "lost"."""

    def __new__(cls, topic: str, partition: int, offset: int | None = None) -> TopicPartition: ...
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int | None: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Event:
    """A rebalance, a commit result or a dead letter; call :meth:`done` (or leave a ``with``
    block) once it is handled.

    steady waits for a "revoked" event to be done (within ``steady.revoke.drain.ms``) before
    it commits the acked prefix of those partitions, and keeps "assigned" partitions paused
    until their event is done (at most ``steady.processing.timeout.ms``). Collecting the event
    also makes it done. Its fields stay readable after."""

    @property
    def kind(self) -> _EventKind: ...
    @property
    def partitions(self) -> list[TopicPartition]:
        """The partitions concerned, with offsets for "assigned" and "committed"."""
    @property
    def commit_reason(self) -> _CommitReason | None:
        """For "committed": why the commit was made; else None."""
    @property
    def error(self) -> KafkaError | None:
        """For "committed": the error when the commit failed; for "dead_lettered": the error
        when the produce to the dead-letter topic failed (the record stays pending and is
        sent again); else None."""
    def done(self) -> None:
        """Marks the event handled. Again: no effect."""
    def __enter__(self) -> Event: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

@final
class Consumer:
    """A Kafka consumer whose poll loop runs on a thread of its own.

    A slow handler never makes the group rebalance. Use it as a context manager and iterate
    over it, or call :meth:`poll` / :meth:`consume`; ack every message when it is processed.
    It closes on :meth:`close`, at the end of a ``with`` block or when it is collected (never
    because a message was). After ``fork()`` every method raises SteadyError in the child.

    Events (rebalances, commit results, dead letters) are read with :meth:`next_event` when
    ``steady.events.enable`` is true, or handed to the callbacks: ``on_assign(consumer,
    partitions)``, ``on_revoke(consumer, partitions)``, ``on_lost(consumer, partitions)``,
    ``on_commit(consumer, event)`` and ``on_dead_letter(consumer, event)`` run on the
    consumer's own thread "steady-events", and each event is done when its callback returns
    or raises (the exception is logged on the ``steady`` logger). Any callback makes ``steady.events.enable`` default to true; with it
    set to false a callback raises ValueError.

    Log records go to :mod:`logging`: steady's own (start-up findings, rebalances, errors) to
    the logger ``"steady"``, librdkafka's lines to ``"steady.librdkafka"``, at ERROR, WARNING,
    INFO or DEBUG, with a ``facility`` attribute ("config", "rebalance", … or librdkafka's,
    e.g. "CGRPOP"). They are logged on the consumer's thread "steady-log", never on a thread
    that polls Kafka.
    """

    def __new__(
        cls,
        settings: _Settings,
        topics: Sequence[str],
        *,
        on_assign: _OnPartitions | None = None,
        on_revoke: _OnPartitions | None = None,
        on_lost: _OnPartitions | None = None,
        on_commit: _OnCommit | None = None,
        on_dead_letter: _OnDeadLetter | None = None,
    ) -> Consumer: ...
    def poll(self, timeout: float | None = None) -> Message | None:
        """The next message, waiting up to ``timeout`` seconds (None: until one arrives).

        A timeout that is NaN, negative, infinite or too large raises ValueError."""
    def consume(self, max_records: int = 500, timeout: float | None = None) -> list[Message]:
        """Up to ``max_records`` messages, waiting up to ``timeout`` seconds for the first."""
    def ack(self, messages: Message | Iterable[Message], /) -> None:
        """Marks ``messages`` processed in one call: a :class:`Message` or an iterable of them
        (a list from :meth:`consume`, say), each acked as its own :meth:`Message.ack` would,
        in the order given. Ack only messages that are processed: commits never pass an
        unacked one.

        TypeError (and nothing acked) when an item is not a Message; ClosedError once the
        consumer is closed."""
    def commit(self) -> None:
        """Commits the acked prefix of every assigned partition now."""
    def next_event(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting up to ``timeout`` seconds (None: until one comes); None when
        none came in time.

        ValueError when ``steady.events.enable`` is not true or the consumer has callbacks.
        After close: the events still queued, then ClosedError."""
    def pause(self, topic: str, partition: int) -> None:
        """No record of the partition is delivered once this returns, until :meth:`resume`.

        ValueError when the partition is not assigned to this consumer (as for every
        partition call)."""
    def resume(self, topic: str, partition: int) -> None:
        """Lifts :meth:`pause`."""
    def seek(self, topic: str, partition: int, offset: int) -> None:
        """The next record delivered from the partition is ``offset`` (≥ 0)."""
    def position(self, topic: str, partition: int) -> int | None:
        """The offset of the next record the application gets from the partition, or None."""
    def committed(self, topic: str, partition: int) -> int | None:
        """The group's committed offset of the partition (asks the coordinator), or None."""
    def stats(self) -> dict[str, Any]:
        """A snapshot of the runtime's counters."""
    def metrics_text(self) -> str:
        """The consumer's metrics in the Prometheus text exposition format (version 0.0.4),
        as ``steady.metrics.listen=HOST:PORT`` serves them at ``/metrics``; also after close."""
    def check(self) -> Report:
        """Re-runs the rule checks with the live processing figures."""
    @property
    def warnings(self) -> list[Finding]:
        """Warning and info findings of the check made when the consumer was built."""
    def close(self) -> None:
        """Stops deliveries and wakes every blocked call, waits up to steady.revoke.drain.ms
        for the records in flight to be acked (by any thread), commits the acked prefix and
        leaves the group. Again, also from another thread at the same time: returns once the
        first close is done. With callbacks it then waits for their thread to end; called from
        a callback, it runs the callbacks of the close's own events (the final revoke, the
        close commit) before it returns."""
    def __enter__(self) -> Consumer: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
    def __iter__(self) -> Iterator[Message]: ...
    def __next__(self) -> Message: ...

def check(
    settings: _Settings,
    *,
    client: Literal["java", "librdkafka", "steady"] | None = None,
    client_version: str | None = None,
    heartbeat: Literal["coupled", "decoupled"] | None = None,
    broker_version: str | None = None,
    bootstrap_servers: str | None = None,
    group: str | None = None,
    rate: float | None = None,
    threads: int | None = None,
    record_ms_p99: float | None = None,
    record_ms_p50: float | None = None,
    partitions: int | None = None,
    profile: Literal["apache", "alibaba", "azure-event-hubs"] | None = None,
    probe_timeout: float = 10.0,
) -> Report:
    """Checks consumer settings and says what will make the group rebalance or misbehave.

    ``settings`` is a dict of key → value or the path of a ``.properties`` file. The broker is
    described by ``broker_version`` or probed at ``bootstrap_servers`` (not both); ``profile``
    None means ``"apache"``. Rules whose inputs are unknown stay silent.
    """
