"""A local stand-in for the Meta Graph API: answers like Graph, records every request.

Only what socialsav calls: comment replies (`/{id}/comments`, `/{id}/replies`), the Send API and
private replies (`/{page}/messages`), and hiding (`POST /{id}`).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.json_http import answer_json


@dataclass(frozen=True)
class GraphRequest:
    path: str
    body: dict[str, Any]

    @property
    def target(self) -> str:
        """The object posted to: the comment replied to, or the page sending a message."""
        return self.path.strip("/").split("/")[1]


class FakeGraph:
    def __init__(self) -> None:
        self.requests: list[GraphRequest] = []
        self._failures: dict[str, tuple[int, int | None]] = {}  # target → (status, times left)
        self.retry_after: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v21.0"

    def start(self) -> FakeGraph:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def fail(
        self, target: str, status: int, times: int | None = None, retry_after: int | None = None
    ) -> None:
        """Answer `status` to posts about `target` (`times` times, or always)."""
        with self._lock:
            self._failures[target] = (status, times)
            self.retry_after = retry_after

    def to(self, target: str) -> list[GraphRequest]:
        with self._lock:
            return [r for r in self.requests if r.target == target]

    def messages_to(self, recipient: str) -> list[GraphRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.endswith("/messages") and recipient in json.dumps(r.body["recipient"])
            ]

    def _answer(self, request: GraphRequest) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(request)
            failure = self._failures.get(request.target)
            if failure is not None:
                status, left = failure
                if left is None or left > 0:
                    self._failures[request.target] = (status, None if left is None else left - 1)
                    error = {"message": "(#2) Service temporarily unavailable", "code": 2}
                    if status < 500:
                        error = {"message": "(#100) Invalid parameter", "code": 100}
                    return status, {"error": {**error, "type": "OAuthException"}}
            n = next(self._ids)
        if request.path.endswith(("/comments", "/replies")):
            return 200, {"id": f"{request.target}_reply{n}"}
        if request.path.endswith("/messages"):
            recipient = request.body.get("recipient", {})
            return 200, {"recipient_id": recipient.get("id", "psid"), "message_id": f"m_sent{n}"}
        return 200, {"success": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                status, answer = fake._answer(GraphRequest(self.path, body))
                slow_down = status == 429 and fake.retry_after is not None
                headers = {"Retry-After": str(fake.retry_after)} if slow_down else {}
                answer_json(self, status, answer, headers)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
