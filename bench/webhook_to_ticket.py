"""Measure, on the local stack, how long a signed Meta comment takes to be acknowledged and to
become a ticket visible in the admin API, then how fast Slack's requests on those tickets are
answered (Slack gives up after 3 s). Prints figures; asserts nothing.

    .venv/bin/python -m bench.webhook_to_ticket [COUNT]
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
import urllib.request
import uuid

from chalicelib.platforms.meta.verification import sign
from infra.local.app_server import AppServer, stage_environment
from infra.local.emulator import start_emulator
from infra.local.provision import provision
from infra.local.slack_payloads import block_action, command_body, interaction_body, signed_headers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def comment(page: str, user: str, n: int) -> bytes:
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": f"{page}_1_{n}",
        "post_id": f"{page}_1",
        "parent_id": f"{page}_1",
        "from": {"id": user, "name": "Bench User"},
        "message": "Where is my parcel?",
        "created_time": int(time.time()),
    }
    delivery = {
        "object": "page",
        "entry": [
            {"id": page, "time": int(time.time()), "changes": [{"field": "feed", "value": value}]}
        ],
    }
    return json.dumps(delivery).encode()


def call(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        data: bytes = response.read()
        return data


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(count: int) -> None:
    emulator = start_emulator(0)
    os.environ.update(emulator.client_environment())
    os.environ.update(provision().environment())
    port = free_port()
    server = AppServer("127.0.0.1", port)
    server.start()
    secret = stage_environment()["META_APP_SECRET"]
    admin = {"Authorization": f"Bearer {stage_environment()['ADMIN_API_TOKEN']}"}
    base = f"http://127.0.0.1:{port}"
    acks: list[float] = []
    to_ticket: list[float] = []
    slack: dict[str, list[float]] = {"slack: modal opened": [], "slack: action queued": []}
    slack["slack: /sav stats"] = []
    slack_secret = stage_environment()["SLACK_SIGNING_SECRET"]
    try:
        page = "9" + uuid.uuid4().hex[:8]
        for n in range(count):
            user = f"u{n}"
            body = comment(page, user, n)
            started = time.perf_counter()
            call(
                f"{base}/webhooks/meta",
                body,
                {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
            )
            acks.append(time.perf_counter() - started)
            while True:
                listed = json.loads(call(f"{base}/admin/tickets?limit=500", headers=admin))
                if any(t["customer"]["id"] == user for t in listed["tickets"]):
                    break
                time.sleep(0.01)
            to_ticket.append(time.perf_counter() - started)
        tickets = json.loads(call(f"{base}/admin/tickets?limit=500", headers=admin))["tickets"]
        for ticket in tickets[:count]:
            for name, body in (
                ("slack: modal opened", interaction_body(block_action(ticket["id"], "resolve"))),
                ("slack: action queued", interaction_body(block_action(ticket["id"], "assign"))),
                ("slack: /sav stats", command_body("stats")),
            ):
                path = "commands" if "/sav" in name else "actions"
                started = time.perf_counter()
                call(f"{base}/slack/{path}", body, signed_headers(body, secret=slack_secret))
                slack[name].append(time.perf_counter() - started)
    finally:
        server.stop()
        emulator.stop()
    figures = {"webhook acknowledged": acks, "ticket visible": to_ticket, **slack}
    for name, values in figures.items():
        print(
            f"{name:22} n={len(values)}  median={statistics.median(values) * 1000:.0f} ms  "
            f"p95={percentile(values, 0.95) * 1000:.0f} ms  max={max(values) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
