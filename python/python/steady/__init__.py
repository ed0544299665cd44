"""steady keeps Kafka consumer groups stable.

- :func:`check` runs the rule checks ("the doctor") over a consumer's settings, client,
  broker and workload, and says what will make the group rebalance and what to set instead.
- :class:`Consumer` runs the Kafka side of a consumer (poll loop, heartbeats, rebalances,
  commits) on a thread of its own; the application takes :class:`Message` objects at its own
  pace, from any number of threads, and acks each one when it is processed.
"""

from steady._steady import *  # noqa: F403 (the names of _steady.__all__, __version__ included)
