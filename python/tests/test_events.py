"""Events (rebalances and commit results), their callbacks, and partition control (pause,
resume, seek, position, committed) against the real broker: the event scenario every binding
runs, then misuse."""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from confluent_kafka import Producer

import steady
from conftest import committed, create_topic, unique

Settings = dict[str, "str | int"]
WAIT = 60.0  # seconds: the bound of every wait (CI is a busy 2-core box)
EVENTS = "steady.events.enable"


def produce_sequence(bootstrap: str, topic: str, partitions: int, numbers: range) -> None:
    """Writes records numbered `numbers` to every partition; the payload is the number (the
    offset too, when the partitions start empty and numbers follow on)."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for p in range(partitions):
        for n in numbers:
            producer.produce(topic, value=str(n).encode(), partition=p)
    assert producer.flush(60) == 0, "records left unsent"


def sequenced_topic(bootstrap: str, name: str, partitions: int, per_partition: int) -> str:
    """A fresh topic whose records carry their sequence number (0, 1, …) as the payload."""
    topic = unique(name)
    create_topic(bootstrap, topic, partitions)
    produce_sequence(bootstrap, topic, partitions, range(per_partition))
    return topic


def when(pair: tuple[float, object]) -> float:
    """The time of a (time, what) pair."""
    return pair[0]


def offsets(partitions: list[steady.TopicPartition]) -> dict[int, int | None]:
    """partition → offset of an event's partitions (one topic)."""
    return {tp.partition: tp.offset for tp in partitions}


class Deadline:
    """A bounded wait: `check(what)` fails the test once WAIT seconds have passed."""

    def __init__(self, seconds: float = WAIT) -> None:
        self.end = time.monotonic() + seconds

    def check(self, what: str) -> None:
        assert time.monotonic() < self.end, f"not within {WAIT:.0f} s: {what}"


@dataclass
class Seen:
    """What a member's events and records were, with the time each was received."""

    events: list[tuple[float, str, object]] = field(default_factory=list)
    records: dict[tuple[int, int], float] = field(default_factory=dict)  # (p, seq) → first seen
    first_of: dict[int, float] = field(default_factory=dict)  # partition → first record
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_event(self, kind: str, what: object) -> None:
        with self.lock:
            self.events.append((time.monotonic(), kind, what))

    def of_kind(self, kind: str) -> list[tuple[float, object]]:
        with self.lock:
            return [(t, what) for t, k, what in self.events if k == kind]

    def commits(self, reason: str) -> list[tuple[float, steady.Event]]:
        return [
            (t, e)
            for t, e in self.of_kind("committed")
            if isinstance(e, steady.Event) and e.commit_reason == reason
        ]

    def take(self, messages: list[steady.Message]) -> None:
        now = time.monotonic()
        for m in messages:
            assert m.value is not None and int(m.value) == m.offset
            self.records.setdefault((m.partition, m.offset), now)
            self.first_of.setdefault(m.partition, now)
            m.ack()


def read_events(consumer: steady.Consumer, seen: Seen) -> threading.Thread:
    """Reads `consumer`'s events with next_event on a thread of their own until it is closed;
    each is done (left as a context manager) once noted."""

    def run() -> None:
        while True:
            try:
                event = consumer.next_event(timeout=0.5)
            except steady.ClosedError:
                seen.add_event("closed", None)
                return
            if event is not None:
                with event:
                    seen.add_event(event.kind, event)

    reader = threading.Thread(target=run, name="test-b-events", daemon=True)
    reader.start()
    return reader


def test_event_scenario_two_members(bootstrap: str, settings: Settings) -> None:
    partitions, per_partition = 4, 100
    topic = sequenced_topic(bootstrap, "events", partitions, per_partition)
    group = str(settings["group.id"])
    settings.update(
        {
            "partition.assignment.strategy": "cooperative-sticky",
            "session.timeout.ms": 10000,
            "enable.auto.commit": "false",  # every commit event below is one the test made
        }
    )
    a_seen, b_seen = Seen(), Seen()
    revoke_ended: list[float] = []
    callback_threads: set[str] = set()

    def on_assign(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        callback_threads.add(threading.current_thread().name)
        a_seen.add_event("assigned", parts)

    def on_revoke(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        a_seen.add_event("revoked", parts)
        time.sleep(0.3)  # the handler's work (flushing a batch); it acks nothing
        revoke_ended.append(time.monotonic())

    def on_lost(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        a_seen.add_event("lost", parts)

    def on_commit(consumer: steady.Consumer, event: steady.Event) -> None:
        a_seen.add_event("committed", event)

    # 1. Member A (callbacks: steady.events.enable defaults to true); its first event is
    # assigned with all 4 partitions, none committed.
    a = steady.Consumer(
        settings,
        [topic],
        on_assign=on_assign,
        on_revoke=on_revoke,
        on_lost=on_lost,
        on_commit=on_commit,
    )
    b: steady.Consumer | None = None
    b_reader: threading.Thread | None = None
    try:
        wait = Deadline()
        while not a_seen.events:
            wait.check("A's first event")
            time.sleep(0.02)
        _, kind, first = a_seen.events[0]
        assert kind == "assigned" and isinstance(first, list)
        assert offsets(first) == {p: None for p in range(partitions)}
        assert {tp.topic for tp in first} == {topic}
        assert callback_threads == {"steady-events"}

        # 2. A consumes and acks 200 records, then commits: a committed event, reason
        # explicit, no error, the acked offsets.
        taken: list[steady.Message] = []
        while len(taken) < 200:
            wait.check("A's first 200 records")
            taken.extend(a.consume(max_records=200 - len(taken), timeout=1))
        a_seen.take(taken)
        acked: dict[int, int] = {}
        for m in taken:
            acked[m.partition] = max(acked.get(m.partition, 0), m.offset + 1)
        a.commit()
        while not a_seen.commits("explicit"):
            wait.check("A's explicit commit event")
            time.sleep(0.02)
        (_, explicit), *_ = a_seen.commits("explicit")
        assert explicit.kind == "committed" and explicit.error is None
        # The acked prefix; a partition with nothing acked commits where it starts (or not).
        a_committed = offsets(explicit.partitions)
        assert {p: o for p, o in a_committed.items() if p in acked} == acked
        assert all(a_committed.get(p) in (None, 0) for p in range(partitions) if p not in acked)
        for p in range(partitions):
            assert a.committed(topic, p) == a_committed.get(p)
        assert committed(bootstrap, group, topic, partitions) == {
            p: -1001 if a_committed.get(p) is None else a_committed[p] for p in range(partitions)
        }

        # 3. Member B (next_event, on a reader thread). A has a strict subset revoked; B is
        # assigned those partitions, starting from A's committed prefix, after a commit of A
        # covering them, and gets their first records only after A's revoke handler returned.
        settings[EVENTS] = "true"
        b = steady.Consumer(settings, [topic])
        b_reader = read_events(b, b_seen)
        while not b_seen.of_kind("assigned"):
            wait.check("B's assignment")
            b_seen.take(b.consume(timeout=0.2))
        assert not b_seen.first_of, "B got records before its assigned event"
        (b_assigned_at, b_assigned), *_ = b_seen.of_kind("assigned")
        assert isinstance(b_assigned, steady.Event)
        moved = offsets(b_assigned.partitions)
        revoked = [parts for _, parts in a_seen.of_kind("revoked")]
        assert len(revoked) == 1 and isinstance(revoked[0], list)
        assert set(offsets(revoked[0])) == set(moved)
        assert 0 < len(moved) < partitions
        assert all(o is None for o in offsets(revoked[0]).values())
        assert len(revoke_ended) == 1
        # B starts where A's commits before B's assignment left the partitions: the explicit
        # one, or the revoke's (which also commits where an untouched partition starts).
        before_b: dict[int, int | None] = {}
        for t, e in sorted(a_seen.commits("explicit") + a_seen.commits("revoke"), key=when):
            if t < b_assigned_at:
                before_b.update(offsets(e.partitions))
        assert moved == {p: before_b.get(p) for p in moved}
        assert all(moved[p] == o for p, o in acked.items() if p in moved)
        kept = sorted(set(range(partitions)) - set(moved))

        # 4. Partition control on A. Q is seeked back to its start so records flow while P is
        # paused; position reports the seek target before delivery.
        p_, q = kept[0], kept[-1] if len(kept) > 1 else kept[0]
        a.pause(topic, p_)
        paused_at = time.monotonic()
        assert f"{topic}/{p_}" in a.stats()["paused_partitions"]
        if q != p_:
            a.seek(topic, q, 0)
            assert a.position(topic, q) == 0
            q_first: list[int] = []
            while len(q_first) < 20:
                wait.check("A's records of the seeked partition while another is paused")
                got = a.consume(timeout=0.2)
                assert all(m.partition != p_ for m in got), "a record of a paused partition"
                q_first.extend(m.offset for m in got if m.partition == q)
                a_seen.take(got)
                b_seen.take(b.consume(timeout=0))
            assert q_first[0] == 0 and q_first == sorted(q_first)
        else:  # a single kept partition: a short window in which nothing of it comes
            window = Deadline(2)
            while time.monotonic() < window.end:
                got = a.consume(timeout=0.2)
                assert all(m.partition != p_ for m in got), "a record of a paused partition"
        assert paused_at < time.monotonic()
        # Back to the start of P while it is paused, then resume: its records flow from there.
        a.seek(topic, p_, 0)
        assert a.position(topic, p_) == 0
        a.resume(topic, p_)
        p_first: list[int] = []
        while not p_first:
            wait.check("A's records of the resumed partition")
            got = a.consume(timeout=0.2)
            p_first.extend(m.offset for m in got if m.partition == p_)
            a_seen.take(got)
            b_seen.take(b.consume(timeout=0))
        assert p_first[0] == 0, "the seek target was not delivered again"
        on_broker = committed(bootstrap, group, topic, partitions)[p_]
        assert a.committed(topic, p_) == (None if on_broker < 0 else on_broker)

        # 5. Every record seen at least once across A and B. A few more records first, so that
        # both members have something new to commit when they close.
        per_partition += 10
        produce_sequence(bootstrap, topic, partitions, range(per_partition - 10, per_partition))
        everything = {(p, n) for p in range(partitions) for n in range(per_partition)}
        while set(a_seen.records) | set(b_seen.records) != everything:
            wait.check("every record")
            a_seen.take(a.consume(timeout=0.1))
            b_seen.take(b.consume(timeout=0.1))
        for p in moved:  # B's first record of a moved partition came after A's handler ended
            assert b_seen.first_of[p] > revoke_ended[0]
        assert a.stats()["revoke_handler_timeouts"] == 0

        # 6. Close A: a revoke of its whole assignment, then the close commit, then its
        # dispatcher thread is gone (close joined it).
        a.close()
        tail = [(k, what) for _, k, what in a_seen.events][-2:]
        assert [k for k, _ in tail] == ["revoked", "committed"]
        assert isinstance(tail[0][1], list) and set(offsets(tail[0][1])) == set(kept)
        close_commit = tail[1][1]
        assert isinstance(close_commit, steady.Event)
        assert close_commit.commit_reason == "close" and close_commit.error is None
        assert offsets(close_commit.partitions) == {p: per_partition for p in kept}
        assert not [t for t in threading.enumerate() if t.name == "steady-events"]
        with pytest.raises(steady.ClosedError):
            a.pause(topic, kept[0])

        # B, read with next_event: its events end with the close commit, then Closed.
        b.close()
        b_reader.join(timeout=WAIT)
        assert not b_reader.is_alive()
        kinds = [k for _, k, _ in b_seen.events]
        assert kinds[-3:] == ["revoked", "committed", "closed"], kinds
        (_, b_close), *_ = b_seen.commits("close")
        assert isinstance(b_close, steady.Event) and b_close.error is None
        assert b.stats()["revoke_handler_timeouts"] == 0
    finally:
        a.close()
        if b is not None:
            b.close()
    assert committed(bootstrap, group, topic, partitions) == {
        p: per_partition for p in range(partitions)
    }


def test_next_event_needs_events_on_and_names_the_setting(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    with steady.Consumer(settings, [filled_topic("events-off", 1, 0)]) as consumer:
        with pytest.raises(ValueError, match=EVENTS):
            consumer.next_event(timeout=0)
        with pytest.raises(ValueError, match="timeout"):
            consumer.next_event(timeout=-1)


def test_callbacks_turn_events_on_unless_explicitly_off(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("events-default", 1, 0)
    for off in ("false", False, "FALSE"):
        with pytest.raises(ValueError, match=EVENTS):
            steady.Consumer({**settings, EVENTS: off}, [topic], on_commit=print)
    with pytest.raises(TypeError, match="on_revoke"):
        steady.Consumer(settings, [topic], on_revoke=42)  # type: ignore[arg-type]
    with steady.Consumer(settings, [topic], on_lost=print) as consumer:
        # The callbacks read the events: next_event cannot compete with them.
        with pytest.raises(ValueError, match="on_lost"):
            consumer.next_event(timeout=0)
    # No callback (None counts as none): events stay off.
    with steady.Consumer(settings, [topic], on_assign=None) as consumer:
        with pytest.raises(ValueError, match=EVENTS):
            consumer.next_event(timeout=0)


def test_partition_control_of_an_unassigned_partition_is_refused(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("control-unassigned", 1, 1)
    assigned = threading.Event()
    with steady.Consumer(settings, [topic], on_assign=lambda c, p: assigned.set()) as consumer:
        assert assigned.wait(WAIT)
        assert consumer.position(topic, 0) in (None, 0)
        calls: list[Callable[[], object]] = [
            lambda: consumer.pause(topic, 1),
            lambda: consumer.resume(topic, 1),
            lambda: consumer.seek(topic, 1, 0),
            lambda: consumer.position(topic, 1),
            lambda: consumer.committed("other-topic", 0),
        ]
        for call in calls:
            with pytest.raises(ValueError, match="not assigned"):
                call()
        with pytest.raises(ValueError, match="offset"):
            consumer.seek(topic, 0, -1)
        with pytest.raises(ValueError, match="partition"):
            consumer.pause(topic, 2**31)
        with pytest.raises(ValueError, match="partition"):
            consumer.pause(topic, -1)
        with pytest.raises(TypeError):
            consumer.pause(topic, "0")  # type: ignore[arg-type]


def test_calls_after_close_raise_closed_error(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("events-closed", 1, 0)
    settings[EVENTS] = "true"
    consumer = steady.Consumer(settings, [topic])
    consumer.close()
    calls: list[Callable[[], object]] = [
        lambda: consumer.pause(topic, 0),
        lambda: consumer.resume(topic, 0),
        lambda: consumer.seek(topic, 0, 0),
        lambda: consumer.position(topic, 0),
        lambda: consumer.committed(topic, 0),
    ]
    for call in calls:
        with pytest.raises(steady.ClosedError):
            call()
    # next_event returns what was queued before the close, then raises ClosedError.
    wait = Deadline()
    with pytest.raises(steady.ClosedError):
        while True:
            wait.check("ClosedError from next_event")
            consumer.next_event(timeout=1)
    with pytest.raises(steady.ClosedError):
        consumer.next_event(timeout=None)


def test_a_raising_callback_is_logged_and_events_go_on(
    settings: Settings,
    filled_topic: Callable[[str, int, int], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic = filled_topic("events-raise", 1, 3)
    commits: queue.Queue[steady.Event] = queue.Queue()

    def on_assign(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        raise RuntimeError("loading state failed")

    def on_commit(consumer: steady.Consumer, event: steady.Event) -> None:
        commits.put(event)

    with caplog.at_level(logging.ERROR, logger="steady"):
        with steady.Consumer(
            settings, [topic], on_assign=on_assign, on_commit=on_commit
        ) as consumer:
            # The assigned event was done although its callback raised: records flow.
            got: list[steady.Message] = []
            wait = Deadline()
            while len(got) < 3:
                wait.check("records after a raising on_assign")
                got.extend(consumer.consume(3, timeout=1))
            for m in got:
                m.ack()
            consumer.commit()
            event = commits.get(timeout=WAIT)
            assert (event.kind, event.commit_reason) == ("committed", "explicit")
            assert offsets(event.partitions) == {0: 3}
    failures = [r for r in caplog.records if r.name == "steady"]
    assert len(failures) == 1, failures
    assert "on_assign" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert isinstance(failures[0].exc_info[1], RuntimeError)
    assert getattr(failures[0], "facility", None) == "callback"


def test_close_from_a_callback_handles_the_close_events(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("events-close-inside", 1, 2)
    kinds: list[str] = []
    closed = threading.Event()
    got: list[steady.Message] = []

    def on_revoke(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        kinds.append("revoked")

    def on_commit(consumer: steady.Consumer, event: steady.Event) -> None:
        kinds.append(f"committed:{event.commit_reason}")
        if event.commit_reason == "explicit":
            got[1].ack()  # something new for the close commit
            consumer.close()  # on the dispatcher thread: it runs the close's callbacks itself
            closed.set()

    settings["enable.auto.commit"] = "false"
    consumer = steady.Consumer(settings, [topic], on_revoke=on_revoke, on_commit=on_commit)
    wait = Deadline()
    while len(got) < 2:
        wait.check("2 records")
        got.extend(consumer.consume(2, timeout=1))
    got[0].ack()
    consumer.commit()
    assert closed.wait(WAIT)
    with pytest.raises(steady.ClosedError):
        consumer.poll(timeout=0)
    consumer.close()
    assert kinds == ["committed:explicit", "revoked", "committed:close"], kinds
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 2}
    assert consumer.stats()["revoke_handler_timeouts"] == 0


def test_on_assign_can_seek_before_the_first_record(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("events-assign-seek", 2, 10)
    positions: dict[int, int | None] = {}

    def on_assign(consumer: steady.Consumer, parts: list[steady.TopicPartition]) -> None:
        # The partitions stay paused until this returns: state (here: offsets) loads first.
        for tp in parts:
            consumer.seek(tp.topic, tp.partition, 7)
            positions[tp.partition] = consumer.position(tp.topic, tp.partition)

    with steady.Consumer(settings, [topic], on_assign=on_assign) as consumer:
        got: list[steady.Message] = []
        wait = Deadline()
        while len(got) < 6:
            wait.check("6 records")
            got.extend(consumer.consume(10, timeout=1))
        for m in got:
            m.ack()
    assert positions == {0: 7, 1: 7}
    delivered = sorted((m.partition, m.offset) for m in got)
    assert delivered == [(p, n) for p in (0, 1) for n in (7, 8, 9)]


def test_a_collected_consumer_with_callbacks_still_closes(
    bootstrap: str, settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("events-collected", 1, 3)
    consumer = steady.Consumer(settings, [topic], on_commit=lambda c, e: None)
    got: list[steady.Message] = []
    wait = Deadline()
    while len(got) < 3:
        wait.check("3 records")
        got.extend(consumer.consume(3, timeout=1))
    for m in got:
        m.ack()
    del consumer, got, m
    gc.collect()
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: 3}
    while [t for t in threading.enumerate() if t.name == "steady-events"]:
        wait.check("the dispatcher thread to end")
        time.sleep(0.02)


def test_topic_partition_is_a_value() -> None:
    tp = steady.TopicPartition("t", 1, 5)
    assert (tp.topic, tp.partition, tp.offset) == ("t", 1, 5)
    assert tp == steady.TopicPartition("t", 1, 5) != steady.TopicPartition("t", 1)
    assert len({tp, steady.TopicPartition("t", 1, 5)}) == 1
    shown = "TopicPartition(topic='t', partition=0, offset=None)"
    assert repr(steady.TopicPartition("t", 0)) == shown
    with pytest.raises(ValueError, match="partition"):
        steady.TopicPartition("t", -1)
