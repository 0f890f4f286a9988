"""Talking to the local stack over real HTTP, as Meta and an admin would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from chalicelib.platforms.meta.verification import sign
from infra.local.slack_payloads import command_body, interaction_body, signed_headers

PROJECT_DIR = Path(__file__).resolve().parents[2]
META_APP_SECRET = "local-meta-app-secret"  # the documented local value in .chalice/config.json
ADMIN_TOKEN = "local-admin-token"

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class AppProcess:
    """`python -m infra.local.app_server` in a child process, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "infra.local.app_server"],
            cwd=PROJECT_DIR,
            env={**os.environ, **env, "PORT": str(self.port)},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._log_path = log_path

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"app exited: {self._log_path.read_text()[-3000:]}")
            try:
                if self.request("GET", "/health").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"app not ready: {self._log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._log.close()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return HttpResponse(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as e:
            return HttpResponse(e.code, e.read(), dict(e.headers))

    def post_meta(self, body: bytes, signature: str | None = "sign") -> HttpResponse:
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = sign(body, META_APP_SECRET)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return self.request("POST", "/webhooks/meta", body, headers)

    def slack(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> HttpResponse:
        """POST to /slack/<path>, signed as Slack signs (unless `headers` are given)."""
        return self.request("POST", f"/slack/{path}", body, headers or signed_headers(body))

    def click(self, payload: dict[str, Any]) -> HttpResponse:
        return self.slack("actions", interaction_body(payload))

    def sav(self, text: str, agent: str = "U0MARIE") -> str:
        """`/sav <text>` as `agent`: the ephemeral answer's text."""
        response = self.slack("commands", command_body(text, agent=agent))
        assert response.status == 200, response.body
        answer = response.json()
        assert answer["response_type"] == "ephemeral"
        return str(answer["text"])

    def admin(self, path: str, token: str | None = ADMIN_TOKEN) -> HttpResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.request("GET", path, headers=headers)

    def act(self, ticket_id: str, action: str, **fields: Any) -> HttpResponse:
        """An agent's request through the admin API."""
        body = json.dumps({"action": action, **fields}).encode()
        return self.request(
            "POST",
            f"/admin/tickets/{ticket_id}/actions",
            body,
            {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
        )

    def tickets_of(self, customer_id: str) -> list[dict[str, Any]]:
        response = self.admin("/admin/tickets?limit=500")
        assert response.status == 200, response.body
        return [t for t in response.json()["tickets"] if t["customer"]["id"] == customer_id]

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = self.admin(f"/admin/tickets/{ticket_id}")
        assert response.status == 200, response.body
        found: dict[str, Any] = response.json()
        return found


def eventually(check: Callable[[], T | None], timeout: float = 15, interval: float = 0.1) -> T:
    """Poll `check` until it returns something truthy; the queue consumer is asynchronous."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def ticket_when(
    app: AppProcess,
    ticket_id: str,
    condition: Callable[[dict[str, Any]], bool],
    timeout: float = 15,
) -> dict[str, Any]:
    """The ticket as soon as `condition` holds for it."""

    def check() -> dict[str, Any] | None:
        ticket = app.ticket(ticket_id)
        return ticket if condition(ticket) else None

    return eventually(check, timeout=timeout)


def one_ticket(app: AppProcess, customer_id: str) -> dict[str, Any]:
    tickets = eventually(lambda: app.tickets_of(customer_id))
    assert len(tickets) == 1, tickets
    return app.ticket(tickets[0]["id"])


def last_entry(ticket: dict[str, Any], entry_type: str) -> dict[str, Any]:
    """The ticket's latest timeline entry of that type (escalations may come in between)."""
    found: list[dict[str, Any]] = [e for e in ticket["timeline"] if e["type"] == entry_type]
    assert found, f"no {entry_type} entry in {[e['type'] for e in ticket['timeline']]}"
    return found[-1]


def types(ticket: dict[str, Any]) -> list[str]:
    return [e["type"] for e in ticket["timeline"]]


def waiting_for(app: AppProcess, ticket_id: str, task: str, timeout: float = 20) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        ticket = app.ticket(ticket_id)
        pending = ticket["pending_task"]
        return ticket if pending and pending["name"] == task else None

    return eventually(check, timeout=timeout)
