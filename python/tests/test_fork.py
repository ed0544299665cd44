"""fork() with a live consumer (gunicorn or celery preloading the application): in the child
every method of the Consumer and of its Messages raises SteadyError naming the process that
created it, no buffered record is delivered there, and closing or collecting them does not
hang; the parent goes on as before.

The scenario runs in a separate process (forking pytest itself would fork its threads too), and
the forked child is killed by SIGALRM if anything in it hangs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable

SCRIPT = textwrap.dedent(
    """
    import gc, json, os, signal, sys, warnings
    import steady

    # Python 3.12+ warns about fork() in a process with threads: that is the point here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    settings, topic = json.loads(sys.argv[1])
    consumer = steady.Consumer(settings, [topic])
    message = consumer.poll(timeout=60)
    assert message is not None, "no message within 60 s"
    parent = os.getpid()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        signal.alarm(60)  # the default action ends the process, even one stuck in a lock
        os.close(read_end)
        calls = {
            "poll": lambda: consumer.poll(timeout=1),
            "consume": lambda: consumer.consume(10, timeout=1),
            "iterate": lambda: next(iter(consumer)),
            "commit": consumer.commit,
            "stats": consumer.stats,
            "check": consumer.check,
            "warnings": lambda: consumer.warnings,
            "close": consumer.close,
            "ack": message.ack,
            "nack": lambda: message.nack("in the child"),
            "reject": lambda: message.reject("in the child"),
            "ack_batch": lambda: consumer.ack([message]),
        }
        outcome = {}
        for name, call in calls.items():
            try:
                outcome[name] = "returned " + repr(call())
            except steady.SteadyError as e:
                outcome[name] = type(e).__name__ + ": " + str(e)
        outcome["data"] = [message.topic, message.offset, message.value.decode()]
        del calls, call, message, consumer  # the last references: collected here
        gc.collect()
        outcome["collected"] = True
        # A consumer made in the child works.
        fresh = steady.Consumer({**settings, "group.id": settings["group.id"] + "-child"}, [topic])
        got = fresh.poll(timeout=60)
        outcome["fresh"] = None if got is None else got.offset
        got.ack()
        fresh.close()
        os.write(write_end, json.dumps(outcome).encode())
        os.close(write_end)
        sys.exit(0)  # and the interpreter's own shutdown must not hang either
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        in_child = pipe.read()
    _, status = os.waitpid(child, 0)
    # The parent's consumer is untouched: it acks, delivers the next record and closes.
    message.ack()
    again = consumer.poll(timeout=60)
    assert again is not None and again.offset == 1, again
    again.ack()
    consumer.commit()
    consumer.close()
    print(json.dumps({"parent": parent, "child": child, "status": status, "in_child": in_child}))
    """
)


def test_a_consumer_used_after_fork_raises_in_the_child_and_nothing_hangs(
    settings: dict[str, str | int], filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("fork", 1, 10)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps([settings, topic])],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 0, f"child ended with wait status {result['status']}"
    outcome = json.loads(result["in_child"])
    parent, child = result["parent"], result["child"]
    consumer_calls = ("poll", "consume", "iterate", "commit", "stats", "check", "warnings")
    for name in consumer_calls + ("close", "ack_batch"):
        assert outcome[name] == (
            f"SteadyError: this Consumer was created in process {parent}; after fork() "
            f"create a new one in the child (process {child})"
        ), name
    for name in ("ack", "nack", "reject"):
        assert outcome[name].startswith(
            f"SteadyError: this Message was received in process {parent};"
        ), name
    assert outcome["data"] == [topic, 0, "p0-0"]  # its data stays readable
    assert outcome["collected"] is True
    assert outcome["fresh"] == 0
