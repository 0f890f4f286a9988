"""A local stand-in for the Slack Web API and interaction response URLs: answers like Slack,
records every call.

Web API methods are `POST/GET /api/<method>` with form, JSON or query parameters and an
`{"ok": ...}` answer; response URLs are `POST /response/<id>` with a JSON message.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from tests.fakes.json_http import answer_json

BOT_TOKEN = "test-bot-token"  # what the apps under test send as their bot token


@dataclass(frozen=True)
class SlackCall:
    method: str  # "chat.postMessage", or "response_url"
    args: dict[str, Any]
    token: str | None

    @property
    def text(self) -> str:
        return str(self.args.get("text", ""))

    def blocks_text(self) -> str:
        """Everything the blocks show, flattened: for assertions on what an agent reads."""
        blocks = self.args.get("blocks") or self.args.get("view", {}).get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return json.dumps(blocks, ensure_ascii=False)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[SlackCall] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._errors: dict[str, str] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def fail(self, method: str, error: str) -> None:
        """Answer `{"ok": false, "error": error}` to every call of `method` from now on."""
        with self._lock:
            self._errors[method] = error

    def of(self, method: str, **matching: Any) -> list[SlackCall]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and all(c.args.get(k) == v for k, v in matching.items())
            ]

    def wait_for(
        self, method: str, contains: str = "", timeout: float = 20, **matching: Any
    ) -> SlackCall:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.of(method, **matching):
                if contains in call.text or contains in call.blocks_text():
                    return call
            time.sleep(0.05)
        seen = [(c.method, c.text[:80]) for c in self.of(method, **matching)]
        raise AssertionError(f"no {method} {matching} containing {contains!r}; seen: {seen}")

    def _answer(self, call: SlackCall) -> dict[str, Any]:
        with self._lock:
            self.calls.append(call)
            error = self._errors.get(call.method)
            ts = f"{int(time.time())}.{next(self._ts):06d}"
        if call.method == "response_url":
            return {"ok": True}
        if call.token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        if error:
            return {"ok": False, "error": error}
        if call.method == "chat.postMessage":
            return {"ok": True, "channel": call.args.get("channel"), "ts": ts, "message": {}}
        if call.method == "chat.update":
            return {"ok": True, "channel": call.args.get("channel"), "ts": call.args.get("ts")}
        if call.method == "views.open":
            return {"ok": True, "view": {"id": f"V{ts.replace('.', '')}"}}
        if call.method == "users.info":
            user = str(call.args.get("user"))
            profile = {"real_name": f"Agent {user}", "first_name": f"Agent{user}"}
            return {"ok": True, "user": {"id": user, "profile": profile}}
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve(b"")

            def do_POST(self) -> None:
                self._serve(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

            def _serve(self, body: bytes) -> None:
                url = urlparse(self.path)
                args: dict[str, Any] = dict(parse_qsl(url.query))
                if body and "json" in self.headers.get("Content-Type", ""):
                    args.update(json.loads(body))
                elif body:
                    args.update(parse_qsl(body.decode()))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ") or None
                token = token or args.pop("token", None)
                if url.path.startswith("/response/"):
                    method = "response_url"
                else:
                    method = url.path.removeprefix("/api/")
                answer_json(self, 200, fake._answer(SlackCall(method, args, token)))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
