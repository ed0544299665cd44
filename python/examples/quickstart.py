"""Check a consumer's settings, then consume a topic with a pool of worker threads.

    python quickstart.py BOOTSTRAP_SERVERS TOPIC [GROUP]

Reads TOPIC from the beginning, hands every message to a thread pool that acks it when done,
and stops once no message has arrived for 10 seconds.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import steady


def handle(message: steady.Message) -> None:
    """The application's work; it may take as long as it needs."""
    _ = message.value
    message.ack()


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    bootstrap, topic = argv[1], argv[2]
    group = argv[3] if len(argv) == 4 else "quickstart"

    # 1. The doctor: what in these settings would make the group rebalance?
    report = steady.check(
        {"session.timeout.ms": 40000, "max.poll.records": 2000},
        client="java",
        client_version="0.10.0",
        broker_version="0.10.0",
        rate=10,
        threads=2,
    )
    for finding in report.findings:
        fix = finding.recommendation
        advice = f" (set {fix.key}={fix.value})" if fix else ""
        print(f"{finding.severity:7} {finding.rule} {finding.key}: {finding.message}{advice}")

    # 2. The runtime: heartbeats and commits run on steady's own thread, so the handlers
    #    below can be as slow as they need without the group rebalancing.
    settings = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
    }
    with steady.Consumer(settings, [topic]) as consumer:
        for warning in consumer.warnings:
            print(f"consumer warning: {warning.rule} {warning.message}")
        with ThreadPoolExecutor(max_workers=4) as pool:
            while batch := consumer.consume(max_records=100, timeout=10.0):
                for message in batch:
                    pool.submit(handle, message)
        consumer.commit()
        stats = consumer.stats()
    print(f"processed {stats['acked']} messages, {stats['rebalances']} rebalance(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
