"""The quickstart example in docs/python.md runs as documented."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import committed, unique

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_checks_and_consumes_everything(
    bootstrap: str, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("quickstart", 3, 40)
    group = unique("quickstart")
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), bootstrap, topic, group],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.split()[:2] == ["error", "VR001"] for line in lines), done.stdout
    assert any("ST006" in line and "session.timeout.ms=25000" in line for line in lines)
    assert "processed 120 messages" in done.stdout
    assert committed(bootstrap, group, topic, 3) == {0: 40, 1: 40, 2: 40}


def test_docs_show_the_example_as_it_is() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "python.md").read_text()
    block = docs.split("```python\n", 1)[1].split("```\n", 1)[0]
    assert block == EXAMPLE.read_text()
