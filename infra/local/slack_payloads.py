"""Interaction payloads and slash commands in Slack's wire format, signed as Slack signs them
(for the tests, and for `python -m infra.local.slack` on the local stack).

Shapes follow Slack's reference (block_actions, view_submission, slash command form fields),
with the fields Slack sends that socialsav ignores kept in, so parsing is tested on the real thing.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

# the documented local value in .chalice/config.json, not a secret
SIGNING_SECRET = "local-slack-signing-secret"  # noqa: S105
TEAM = {"id": "T0SAV", "domain": "acme-sav"}


def user(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": "T0SAV"}


def block_action(
    ticket_id: str,
    action_id: str,
    *,
    agent: str = "U0MARIE",
    response_url: str = "https://hooks.slack.com/actions/T0SAV/1/x",
    team: str | None = None,
    action_ts: str | None = None,
) -> dict[str, Any]:
    if team is not None:
        action: dict[str, Any] = {
            "type": "static_select",
            "action_id": action_id,
            "block_id": f"ticket:{ticket_id}",
            "selected_option": {"text": {"type": "plain_text", "text": team}, "value": team},
            "placeholder": {"type": "plain_text", "text": "Escalate to team"},
        }
    else:
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": f"ticket:{ticket_id}",
            "text": {"type": "plain_text", "text": action_id},
            "value": ticket_id,
        }
    action["action_ts"] = action_ts or f"{time.time():.6f}"
    return {
        "type": "block_actions",
        "user": user(agent),
        "api_app_id": "A0SAV",
        "token": "verification-token-unused",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "C0AGENTS"},
        "trigger_id": f"{time.time():.0f}.1.trigger",
        "team": TEAM,
        "channel": {"id": "C0AGENTS", "name": "sav-agents"},
        "response_url": response_url,
        "actions": [action],
    }


def view_submission(
    view_id: str,
    callback_id: str,
    ticket_id: str,
    text: str = "",
    *,
    agent: str = "U0MARIE",
    confirm: bool = False,
) -> dict[str, Any]:
    block = "note" if callback_id == "resolve" else "reply"
    values: dict[str, Any] = {block: {"text": {"type": "plain_text_input", "value": text or None}}}
    if callback_id == "reply_publicly":
        selected = [{"text": {"type": "plain_text", "text": "Post"}, "value": "yes"}]
        values["confirm"] = {
            "confirm": {"type": "checkboxes", "selected_options": selected if confirm else []}
        }
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": user(agent),
        "api_app_id": "A0SAV",
        "token": "verification-token-unused",
        "trigger_id": f"{time.time():.0f}.2.trigger",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": ticket_id,
            "state": {"values": values},
            "hash": "1.abc",
        },
        "response_urls": [],
    }


def interaction_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_body(text: str, *, agent: str = "U0MARIE") -> bytes:
    return urlencode(
        {
            "token": "verification-token-unused",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C0AGENTS",
            "channel_name": "sav-agents",
            "user_id": agent,
            "user_name": agent.lower(),
            "command": "/sav",
            "text": text,
            "api_app_id": "A0SAV",
            "response_url": "https://hooks.slack.com/commands/T0SAV/1/x",
            "trigger_id": f"{time.time():.0f}.3.trigger",
        }
    ).encode()


def signed_headers(
    body: bytes, *, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
    }
