"""Ctrl-C: SIGINT turns a blocked poll, consume, iteration or next_event into
KeyboardInterrupt within a poll slice. Each case runs in a child process that signals itself
from a timer thread, so a failure cannot interrupt the test session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

CHILD = textwrap.dedent(
    """
    import json, os, random, signal, sys, threading, time
    import steady

    settings, topic, call = json.loads(sys.argv[1])
    if call == "next_event":
        # The close after the interrupt does not wait long for the unread revoke.
        settings.update({"steady.events.enable": "true", "steady.revoke.drain.ms": 500})
    consumer = steady.Consumer(settings, [topic])
    sent = []

    def interrupt():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Timer(random.uniform(1.5, 2.5), interrupt).start()
    try:
        if call == "poll":
            consumer.poll(timeout=60)
        elif call == "consume":
            consumer.consume(100, timeout=60)
        elif call == "next_event":
            while True:  # past the assigned event, to a wait that only SIGINT ends
                event = consumer.next_event(timeout=60)
                if event is None:
                    break
                event.done()
        else:
            for _ in consumer:
                pass
        print(json.dumps({"error": "the call returned without KeyboardInterrupt"}))
    except KeyboardInterrupt:
        print(json.dumps({"latency": time.monotonic() - sent[0]}))
    consumer.close()
    """
)


@pytest.mark.parametrize("call", ["poll", "consume", "iterate", "next_event"])
def test_sigint_interrupts_a_blocked_call_promptly(
    call: str,
    settings: dict[str, str | int],
    filled_topic: Callable[[str, int, int], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    topic = filled_topic("sigint", 1, 0)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([settings, topic, call])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert "latency" in outcome, outcome
    with capsys.disabled():
        print(f"\nSIGINT → KeyboardInterrupt during {call}(): {outcome['latency'] * 1000:.1f} ms")
    assert outcome["latency"] < 0.2
