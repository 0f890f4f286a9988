"""Real-format Meta webhook payloads kept as JSON fixtures.

Ids in the fixtures end with `__RUN__`; tests replace it with a suffix of their own so that tests
sharing one local stack never touch each other's tickets.
"""

from __future__ import annotations

import uuid
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "meta"


def new_run() -> str:
    return "-" + uuid.uuid4().hex[:10]


def load(name: str, run: str = "") -> bytes:
    return (FIXTURES / f"{name}.json").read_text().replace("__RUN__", run).encode()
