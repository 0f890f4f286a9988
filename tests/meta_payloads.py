"""Real-format Meta webhook payloads kept as JSON fixtures.

Ids in the fixtures end with `__RUN__`; tests replace it with a suffix of their own so that tests
sharing one local stack never touch each other's tickets.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "meta"


def new_run() -> str:
    return "-" + uuid.uuid4().hex[:10]


def load(name: str, run: str = "", *, page: str | None = None, fresh: bool = False) -> bytes:
    """The fixture with this run's ids. `page` keeps the brand account's id fixed (an account
    socialsav holds a token for); `fresh` dates every event now (platform windows count)."""
    text = (FIXTURES / f"{name}.json").read_text()
    if page is not None:
        for account in ("1234567890", "17841400000000000"):
            text = text.replace(f'"{account}__RUN__"', f'"{page}"')
            text = text.replace(f'"{account}_', f'"{page}_')
    text = text.replace("__RUN__", run)
    if not fresh:
        return text.encode()
    return json.dumps(_dated_now(json.loads(text))).encode()


def _dated_now(value: Any) -> Any:
    now = time.time()
    if isinstance(value, dict):
        dated = {k: _dated_now(v) for k, v in value.items()}
        for key, seconds in (("created_time", int(now)), ("timestamp", int(now * 1000))):
            if key in dated:
                dated[key] = seconds
        if "time" in dated and isinstance(dated["time"], int):
            dated["time"] = int(now)
        return dated
    if isinstance(value, list):
        return [_dated_now(v) for v in value]
    return value
