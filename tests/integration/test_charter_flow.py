"""The moderation charter on the local stack: triage on every ticket, the troll policy, the
PII guard and the human touch on agents' public replies."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from chalicelib.charter import load_charter
from tests.fakes.graph_server import FakeGraph
from tests.fakes.slack_server import FakeSlack
from tests.integration.conftest import AGENTS_CHANNEL, MODERATION_CHANNEL, PAGE_ID
from tests.integration.stack import AppProcess, eventually, one_ticket, ticket_when
from tests.meta_payloads import load

CHARTER_URL = load_charter().brand.charter_url


def moderated(app: AppProcess, page: str, customer: str) -> dict[str, Any]:
    """The customer's ticket once moderated (the default list shows open tickets only)."""
    key = quote(f"facebook#{page}#{customer}")
    [ticket] = eventually(lambda: app.admin(f"/admin/tickets?customer={key}").json()["tickets"])
    return ticket_when(app, ticket["id"], lambda t: t["status"] == "moderated")


def test_every_ticket_shows_its_category_priority_and_language(app: AppProcess, run: str) -> None:
    app.post_meta(load("feed_comment", run))
    ticket = one_ticket(app, f"24680{run}")
    assert (ticket["category"], ticket["priority"], ticket["language"]) == (
        "complaint",
        "high",
        "en",
    )
    assert "complaint.delivery" in ticket["triage_rules"]
    assert "high.repeated_contact" in ticket["triage_rules"]


def test_insults_at_the_brand_make_a_high_complaint_that_is_answered_not_hidden(
    app: AppProcess, run: str
) -> None:
    app.post_meta(load("feed_comment_brand_insult", run))
    ticket = one_ticket(app, f"86420{run}")
    assert (ticket["category"], ticket["priority"]) == ("complaint", "high")
    running = ticket_when(app, ticket["id"], lambda t: t["workflow_execution_arn"] is not None)
    assert running["status"] == "awaiting_public_reply"


def test_an_abusive_comment_is_hidden_never_deleted_and_the_ticket_moderated(
    app: AppProcess, run: str, graph: FakeGraph, slack: FakeSlack
) -> None:
    comment_id = f"{PAGE_ID}_555_901{run}"
    app.post_meta(load("feed_comment_abusive", run, page=PAGE_ID))
    ticket = moderated(app, PAGE_ID, f"13579{run}")
    assert ticket["category"] == "abuse"
    note = ticket["timeline"][-1]
    assert note["type"] == "moderated"
    assert note["text"].startswith("abuse (abuse.")
    assert note["text"].endswith(f"hidden, under the moderation charter {CHARTER_URL}")
    [hide] = graph.to(comment_id)
    assert hide.path == f"/v21.0/{comment_id}"
    assert hide.body == {"is_hidden": True, "access_token": "page-token"}
    assert ticket["workflow_execution_arn"] is None  # not answered: no workflow
    [record] = ticket["outbox"]
    assert (record["post"]["kind"], record["status"]) == ("hide", "sent")
    notice = slack.wait_for("chat.postMessage", ticket["id"], channel=MODERATION_CHANNEL)
    assert CHARTER_URL in notice.text
    cards = slack.of("chat.postMessage", channel=AGENTS_CHANNEL)
    assert not [c for c in cards if ticket["id"] in c.blocks_text()]
    assert ticket["slack_card"] is None  # nothing for agents to answer


def test_without_a_token_the_hide_is_a_visible_dry_run(app: AppProcess, run: str) -> None:
    app.post_meta(load("feed_comment_abusive", run))
    ticket = moderated(app, f"1234567890{run}", f"13579{run}")
    [record] = ticket["outbox"]
    assert (record["post"]["kind"], record["status"]) == ("hide", "dry_run")
    assert "hidden (dry run)" in ticket["timeline"][-1]["text"]


def test_spam_is_hidden_too_without_a_notice(
    app: AppProcess, run: str, graph: FakeGraph, slack: FakeSlack
) -> None:
    app.post_meta(load("feed_comment_spam", run, page=PAGE_ID))
    ticket = moderated(app, PAGE_ID, f"97531{run}")
    assert ticket["category"] == "spam"
    assert graph.to(f"{PAGE_ID}_555_902{run}")[0].body["is_hidden"] is True
    time.sleep(0.5)  # the notice, if any, is sent with the moderation
    posts = slack.of("chat.postMessage", channel=MODERATION_CHANNEL)
    assert not [p for p in posts if ticket["id"] in p.text]


def test_a_public_reply_with_sensitive_data_is_refused(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    app.post_meta(load("feed_comment", run, page=PAGE_ID, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    response = app.act(
        ticket["id"],
        "reply_publicly",
        agent="Sam",
        confirm=True,
        text="Hi Jane, your order #A-10234 left today, write to support@acme.example - Sam",
    )
    assert response.status == 409
    assert response.json() == {
        "error": "refused",
        "reason": "a public reply must not contain an e-mail address or an order number: "
        "move the conversation to private to ask for or give it",
    }
    time.sleep(1.5)
    assert graph.to(f"{PAGE_ID}_555_777{run}") == []
    assert app.ticket(ticket["id"])["first_public_reply_at"] is None


def test_a_reply_without_the_human_touch_needs_confirmation(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    app.post_meta(load("feed_comment", run, page=PAGE_ID, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    bare = app.act(ticket["id"], "reply_publicly", text="We are looking into it.", agent="Sam")
    assert bare.status == 409
    assert bare.json()["error"] == "needs_confirmation"
    assert "does not address the customer by name" in bare.json()["reason"]
    assert "not signed with your first name" in bare.json()["reason"]

    confirmed = app.act(
        ticket["id"], "reply_publicly", text="We are looking into it.", agent="Sam", confirm=True
    )
    assert confirmed.status == 202
    ticket_when(app, ticket["id"], lambda t: t["first_public_reply_at"] is not None)
    assert graph.to(f"{PAGE_ID}_555_777{run}")[0].body["message"] == "We are looking into it."


def test_the_draft_is_the_personalised_saved_reply(app: AppProcess, run: str) -> None:
    app.post_meta(load("feed_comment", run))
    ticket = one_ticket(app, f"24680{run}")
    draft = app.admin(f"/admin/tickets/{ticket['id']}/draft?agent=Sam%20Martin").json()
    assert draft["text"].startswith("Hi Jane, we're really sorry: you tell us \"My order never")
    assert draft["text"].endswith("- Sam")
    assert draft["human_touch"] == ["it is a saved reply sent unchanged"]
    assert app.admin(f"/admin/tickets/{ticket['id']}/draft").status == 400
