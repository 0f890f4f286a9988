"""What the local fakes of outside APIs share: answering an HTTP request with JSON."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any


def answer_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    answer: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(answer).encode()
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
