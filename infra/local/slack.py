"""Act as Slack on the local stack: signed clicks, modal submissions and `/sav` commands.

    python -m infra.local.slack click <ticket-id> reply_publicly|move_private|hide|assign|resolve
    python -m infra.local.slack click <ticket-id> route --team warranty
    python -m infra.local.slack submit <ticket-id> reply_publicly "text" [--confirm]
    python -m infra.local.slack submit <ticket-id> send_private|resolve "text"
    python -m infra.local.slack sav "open"

Requests are signed with the local stage's SLACK_SIGNING_SECRET and sent to 127.0.0.1:$PORT
(8000). Without a bot token the app writes the cards and modals it would show to its log.
"""

from __future__ import annotations

import argparse
import os
import urllib.error
import urllib.request
import uuid

from infra.local.app_server import stage_environment
from infra.local.slack_payloads import (
    block_action,
    command_body,
    interaction_body,
    signed_headers,
    view_submission,
)


def send(path: str, body: bytes) -> None:
    secret = stage_environment()["SLACK_SIGNING_SECRET"]
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/slack/{path}"
    request = urllib.request.Request(
        url, data=body, method="POST", headers=signed_headers(body, secret=secret)
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            print(response.status, response.read().decode() or "(empty: Slack closes the modal)")
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="U0SAM", help="the Slack user acting")
    commands = parser.add_subparsers(dest="command", required=True)
    click = commands.add_parser("click", help="a button on the ticket's card")
    click.add_argument("ticket_id")
    click.add_argument("action")
    click.add_argument("--team", help="for route: the team chosen in the menu")
    submit = commands.add_parser("submit", help="submit a modal")
    submit.add_argument("ticket_id")
    submit.add_argument("callback_id")
    submit.add_argument("text", nargs="?", default="")
    submit.add_argument("--confirm", action="store_true", help="tick the human-touch override")
    sav = commands.add_parser("sav", help="the /sav slash command")
    sav.add_argument("text")
    args = parser.parse_args()

    if args.command == "click":
        payload = block_action(args.ticket_id, args.action, agent=args.agent, team=args.team)
        send("actions", interaction_body(payload))
    elif args.command == "submit":
        view_id = f"V{uuid.uuid4().hex[:10].upper()}"
        payload = view_submission(
            view_id,
            args.callback_id,
            args.ticket_id,
            args.text,
            agent=args.agent,
            confirm=args.confirm,
        )
        send("actions", interaction_body(payload))
    else:
        send("commands", command_body(args.text, agent=args.agent))


if __name__ == "__main__":
    main()
