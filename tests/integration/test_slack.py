"""Agents in Slack, on the local stack: signed interactions and commands in Slack's format go to
the app over HTTP; its Web API calls go to a local fake of Slack, its posts to a fake Graph API."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from infra.local.slack_payloads import (
    block_action,
    interaction_body,
    signed_headers,
    view_submission,
)
from tests.fakes.graph_server import FakeGraph
from tests.fakes.slack_server import FakeSlack, SlackCall
from tests.integration.conftest import (
    AGENTS_CHANNEL,
    ESCALATIONS_CHANNEL,
    FASTEST,
    MODERATION_CHANNEL,
    ONCALL_GROUPS,
    PAGE_ID,
    Launch,
)
from tests.integration.stack import (
    AppProcess,
    eventually,
    last_entry,
    one_ticket,
    ticket_when,
    types,
    waiting_for,
)
from tests.meta_payloads import load


def new_ticket(app: AppProcess, run: str, fixture: str = "feed_comment") -> dict[str, Any]:
    """The sample complaint (Jane Doe, high priority) as a ticket whose card is posted."""
    response = app.post_meta(load(fixture, run, page=PAGE_ID, fresh=True))
    assert response.status == 200, response.body
    ticket = one_ticket(app, f"24680{run}")
    return ticket_when(app, ticket["id"], lambda t: t["slack_card"] is not None)


def card_of(slack: FakeSlack, ticket: dict[str, Any]) -> SlackCall:
    return slack.wait_for("chat.postMessage", ticket["id"], channel=AGENTS_CHANNEL)


def opened_view(slack: FakeSlack, ticket_id: str, callback_id: str) -> dict[str, Any]:
    call = eventually(
        lambda: next(
            (
                c
                for c in slack.of("views.open")
                if c.args["view"]["private_metadata"] == ticket_id
                and c.args["view"]["callback_id"] == callback_id
            ),
            None,
        )
    )
    view: dict[str, Any] = call.args["view"]
    return view


def modal_text(view: dict[str, Any]) -> str:
    [reply] = [b for b in view["blocks"] if b.get("block_id") == "reply"]
    return str(reply["element"].get("initial_value", ""))


_MODALS = {"move_private": "send_private", "resolve": "resolve"}


def through_modal(
    app: AppProcess, slack: FakeSlack, ticket_id: str, button: str, text: str
) -> None:
    """Click `button` on the card, see its modal open, and submit `text` in it."""
    assert app.click(block_action(ticket_id, button)).status == 200
    callback_id = _MODALS[button]
    opened_view(slack, ticket_id, callback_id)
    submit = view_submission(f"V{uuid.uuid4().hex[:10]}", callback_id, ticket_id, text)
    response = app.click(submit)
    assert (response.status, response.body) == (200, b""), response.body


def reply_publicly(app: AppProcess, slack: FakeSlack, ticket: dict[str, Any]) -> dict[str, Any]:
    """Open the reply modal, add a line to the draft, post it: the ticket once replied."""
    assert app.click(block_action(ticket["id"], "reply_publicly")).status == 200
    draft = modal_text(opened_view(slack, ticket["id"], "reply_publicly"))
    text = draft.replace("Jane,", "Jane, I checked with the carrier myself.", 1)
    view = view_submission(f"V{uuid.uuid4().hex[:10]}", "reply_publicly", ticket["id"], text)
    response = app.click(view)
    assert (response.status, response.body) == (200, b""), response.body
    return ticket_when(app, ticket["id"], lambda t: t["first_public_reply_at"] is not None)


# --- the card -----------------------------------------------------------------------------------


def test_a_new_ticket_posts_its_card_and_stores_where_it_is(
    app: AppProcess, run: str, slack: FakeSlack
) -> None:
    ticket = new_ticket(app, run)
    card = card_of(slack, ticket)
    shown = card.blocks_text()
    for expected in (
        "Complaint · Facebook comment",
        "Jane Doe",
        "My order never arrived, this is the 3rd time I ask!",
        "high",
        "First public reply due <!date^",
        "reply_publicly",
        "move_private",
        "hide",
        "assign",
        "resolve",
        "warranty",
    ):
        assert expected in shown, expected
    assert ticket["slack_card"]["channel"] == AGENTS_CHANNEL
    # the stored ts is the posted message's: later updates edit that very card
    update = slack.wait_for("chat.update", ticket["id"], ts=ticket["slack_card"]["ts"])
    assert update.args["channel"] == AGENTS_CHANNEL


def test_an_escalation_updates_the_card_and_mentions_the_on_call_group(
    app: AppProcess, run: str, slack: FakeSlack
) -> None:
    ticket = new_ticket(app, run)  # high priority: its target passes in seconds locally
    ts = ticket["slack_card"]["ts"]
    mention = f"<!subteam^{ONCALL_GROUPS[0]}>"
    line = slack.wait_for("chat.postMessage", mention, thread_ts=ts)
    assert line.text.startswith(":rotating_light: Escalated: first reply target missed: ")
    notice = slack.wait_for("chat.postMessage", ticket["id"], channel=ESCALATIONS_CHANNEL)
    assert mention in notice.text
    escalated = ticket_when(app, ticket["id"], lambda t: t["escalation_level"] >= 1)
    assert escalated["first_response_breached"] is True
    assert slack.wait_for("chat.update", "target missed, escalation level 1", ts=ts)


# --- actions ------------------------------------------------------------------------------------


def test_reply_publicly_modal_is_prefilled_and_its_submit_posts_and_advances_the_workflow(
    app: AppProcess, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    ticket = new_ticket(app, run)
    assert app.click(block_action(ticket["id"], "reply_publicly")).status == 200
    view = opened_view(slack, ticket["id"], "reply_publicly")
    draft = modal_text(view)
    # the saved reply for an English complaint, personalised: first name, the point, signature
    assert draft.startswith("Hi Jane,")
    assert "My order never arrived, this is the 3rd time I ask" in draft
    assert draft.rstrip().endswith("AgentU0MARIE")  # the agent's first name (users.info)

    # sent unchanged, the human-touch check asks for confirmation on the modal
    unchanged = view_submission("VUNCHANGED" + run, "reply_publicly", ticket["id"], draft)
    answer = app.click(unchanged).json()
    assert answer["response_action"] == "errors"
    assert "unchanged" in answer["errors"]["reply"]

    replied = reply_publicly(app, slack, ticket)
    comment_id = f"{PAGE_ID}_555_777{run}"
    [post] = graph.to(comment_id)
    assert "I checked with the carrier myself." in post.body["message"]
    reply = last_entry(replied, "brand_public_reply")
    assert reply["actor"] == "agent:AgentU0MARIE"
    waiting_for(app, ticket["id"], "await_resolution")  # the workflow moved on
    assert slack.wait_for(
        "chat.postMessage",
        "Public reply sent by AgentU0MARIE",
        thread_ts=ticket["slack_card"]["ts"],
    )


def test_move_to_private_is_refused_before_the_public_reply(
    app: AppProcess, run: str, slack: FakeSlack
) -> None:
    ticket = new_ticket(app, run)
    hook = slack.response_url(f"private-{run}")
    response = app.click(block_action(ticket["id"], "move_private", response_url=hook))
    assert response.status == 200
    refusal = slack.wait_for("response_url", "reply publicly before sending a private message")
    assert refusal.args["response_type"] == "ephemeral"
    assert refusal.args["replace_original"] is False
    assert not [
        c for c in slack.of("views.open") if c.args["view"]["private_metadata"] == ticket["id"]
    ]
    assert app.ticket(ticket["id"])["agent_request"] is None


def test_move_to_private_after_the_public_reply_sends_the_private_reply(
    app: AppProcess, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    ticket = reply_publicly(app, slack, new_ticket(app, run))
    text = "Could you send me your order number here, Jane? Marie"
    through_modal(app, slack, ticket["id"], "move_private", text)
    ticket_when(app, ticket["id"], lambda t: t["status"] == "in_private", timeout=20)
    [message] = graph.messages_to(f"{PAGE_ID}_555_777{run}")
    assert message.body["message"]["text"] == text


def test_pii_in_a_public_reply_is_refused_on_the_modal(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    ticket = new_ticket(app, run)
    text = "Jane, write to jane.doe@example.com with order 12345678 please. Marie"
    answer = app.click(view_submission("VPII" + run, "reply_publicly", ticket["id"], text)).json()
    assert answer["response_action"] == "errors"
    assert "move the conversation to private" in answer["errors"]["reply"]
    time.sleep(0.5)
    assert graph.to(f"{PAGE_ID}_555_777{run}") == []
    assert app.ticket(ticket["id"])["first_public_reply_at"] is None


def test_hide_hides_the_comment_never_deletes_it_and_ends_the_ticket_moderated(
    app: AppProcess, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    ticket = new_ticket(app, run)
    assert app.click(block_action(ticket["id"], "hide")).status == 200
    moderated = ticket_when(app, ticket["id"], lambda t: t["status"] == "moderated")
    comment_id = f"{PAGE_ID}_555_777{run}"
    [hide] = graph.to(comment_id)
    assert hide.body["is_hidden"] is True  # a hide, on the comment itself: never a deletion
    note = last_entry(moderated, "moderated")
    assert note["actor"] == "agent:AgentU0MARIE"
    assert "hidden" in note["text"]
    assert "moderation charter https://" in note["text"]
    # The execution is stopped (moto 5.2.5 accepts StopExecution but keeps reporting RUNNING):
    # what matters is that no timer acts on the case any more.
    time.sleep(4)  # escalations come every 1.5-3 s on this stack
    later = app.ticket(ticket["id"])
    assert (later["escalation_level"], types(later)) == (
        moderated["escalation_level"],
        types(moderated),
    )
    assert slack.wait_for("chat.postMessage", ticket["id"], channel=MODERATION_CHANNEL)
    final = slack.wait_for("chat.update", "Moderated", ts=ticket["slack_card"]["ts"])
    assert "reply_publicly" not in final.blocks_text()  # no buttons on a finished case


def test_assign_and_escalate_to_a_team(app: AppProcess, run: str, slack: FakeSlack) -> None:
    ticket = reply_publicly(app, slack, new_ticket(app, run))
    app.click(block_action(ticket["id"], "assign", agent="U0PAUL"))
    assigned = ticket_when(app, ticket["id"], lambda t: t["assignee"] is not None)
    assert assigned["assignee"] == {"id": "U0PAUL", "name": "AgentU0PAUL"}
    app.click(block_action(ticket["id"], "route", team="warranty"))
    routed = ticket_when(app, ticket["id"], lambda t: t["routing"] == "warranty")
    assert routed["resolution_due"] is not None
    notice = slack.wait_for("chat.postMessage", ticket["id"], channel="#sav-garantie")
    assert "Resolution target: 7 business days" in notice.text
    assert slack.wait_for("chat.update", "<@U0PAUL>", ts=ticket["slack_card"]["ts"])


def test_resolve_runs_the_closure_step(
    app: AppProcess, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    ticket = reply_publicly(app, slack, new_ticket(app, run))
    note = "Parcel found at the depot, redelivered."
    through_modal(app, slack, ticket["id"], "resolve", note)
    resolved = ticket_when(app, ticket["id"], lambda t: t["status"] == "resolved", timeout=20)
    assert resolved["resolution_note"] == note
    closing = eventually(lambda: len(graph.to(f"{PAGE_ID}_555_777{run}")) >= 2)
    assert closing
    assert "/survey/" in graph.to(f"{PAGE_ID}_555_777{run}")[-1].body["message"]
    assert slack.wait_for("chat.update", "Resolved", ts=ticket["slack_card"]["ts"])


def test_a_double_click_or_a_double_submit_posts_once(
    app: AppProcess, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    ticket = new_ticket(app, run)
    text = "Jane, so sorry about your parcel: I am on it right now. AgentU0MARIE"
    submit = view_submission("VTWICE" + run, "reply_publicly", ticket["id"], text)
    answers: list[int] = []
    clicks = [
        threading.Thread(target=lambda: answers.append(app.click(submit).status)) for _ in range(2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    assert answers == [200, 200]
    ticket_when(app, ticket["id"], lambda t: t["first_public_reply_at"] is not None)
    time.sleep(1.5)  # a second post, if any, would have been made by now
    assert len(graph.to(f"{PAGE_ID}_555_777{run}")) == 1
    assert types(app.ticket(ticket["id"])).count("brand_public_reply") == 1


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-Slack-Signature": "v0=" + "0" * 64}, "bad Slack signature"),
        ({"X-Slack-Request-Timestamp": str(int(time.time()) - 301)}, "bad Slack signature"),
        ({"X-Slack-Request-Timestamp": "soon"}, "malformed"),
    ],
)
def test_a_bad_signature_or_a_stale_timestamp_is_refused_and_changes_nothing(
    app: AppProcess, run: str, slack: FakeSlack, headers: dict[str, str], reason: str
) -> None:
    ticket = new_ticket(app, run)
    body = interaction_body(block_action(ticket["id"], "assign", agent="U0INTRUDER"))
    signed = signed_headers(body)
    if "X-Slack-Request-Timestamp" in headers and headers["X-Slack-Request-Timestamp"].isdigit():
        # a correctly signed body, but signed too long ago (a replay)
        signed = signed_headers(body, timestamp=int(headers["X-Slack-Request-Timestamp"]))
    else:
        signed.update(headers)
    response = app.slack("actions", body, signed)
    assert response.status == 401
    assert response.json()["error"] == "unauthorized"
    assert reason in response.json()["reason"]
    command = app.slack("commands", b"command=%2Fsav&text=stats&user_id=U0INTRUDER", signed)
    assert command.status == 401
    time.sleep(0.5)
    assert app.ticket(ticket["id"])["assignee"] is None


def test_malformed_interactions_are_refused_with_the_reason(app: AppProcess) -> None:
    for body, reason in [
        (b"nopayload=1", "payload: missing"),
        (b"payload=%7Bnot-json", "payload: not JSON"),
        (b"payload=%7B%22type%22%3A%22block_actions%22%7D", "payload.block_actions.user"),
    ]:
        response = app.slack("actions", body)
        assert response.status == 400, body
        assert response.json()["reason"].startswith(reason)


# --- /sav ---------------------------------------------------------------------------------------


def test_sav_ticket_and_open(app: AppProcess, run: str, slack: FakeSlack) -> None:
    ticket = new_ticket(app, run)
    shown = app.sav(f"ticket {ticket['id']}")
    assert ticket["id"] in shown
    assert "Jane Doe" in shown
    assert "assigned to nobody" in shown
    assert app.sav("ticket tk-nope") == "No ticket `tk-nope`."

    agent = f"U0OPEN{run}"
    assert app.sav("open", agent=agent).startswith("You have no open tickets")
    second = new_ticket(app, run + "b")
    for case in (ticket, second):
        app.click(block_action(case["id"], "assign", agent=agent))
        ticket_when(app, case["id"], lambda t: t["assignee"] is not None)
    mine = app.sav("open", agent=agent)
    assert mine.startswith("Your open tickets (2), soonest deadline first:")
    assert mine.index(ticket["id"]) < mine.index(second["id"])  # opened first: due first


def test_sav_stats_and_usage(app: AppProcess, run: str, slack: FakeSlack) -> None:
    reply_publicly(app, slack, new_ticket(app, run))
    stats = app.sav("stats")
    assert stats.startswith("*Today's first responses*")
    assert "median first response:" in stats
    assert app.sav("dance").startswith("Usage: `/sav ticket <id>`")


def test_sav_peak_on_and_off(launch: Launch) -> None:
    app, _ = launch("peaks", 1200.0)  # the peaks stack: its peaks touch no other test
    answer = app.sav("peak on 2h 0.5")
    assert answer.startswith("Peak on until <!date^")
    peaks = app.admin("/admin/peaks").json()["peaks"]
    running = [p for p in peaks if p["factor"] == 0.5 and p["end"] > p["start"]]
    assert running
    assert app.sav("peak on soon 0.5").startswith("Give the peak's duration")
    assert app.sav("peak on 1h 3").startswith("The factor multiplies targets")
    assert app.sav("peak off").startswith("Peak ended")
    assert app.sav("peak off") == "No peak is running."


# --- a whole life -------------------------------------------------------------------------------


def test_a_ticket_goes_from_creation_to_closure_by_slack_interactions_alone(
    launch: Launch, run: str, slack: FakeSlack, graph: FakeGraph
) -> None:
    app, _ = launch("fastest", FASTEST)  # the 7-day survey wait lasts 5 s
    ticket = reply_publicly(app, slack, new_ticket(app, run))
    app.click(block_action(ticket["id"], "assign"))
    through_modal(app, slack, ticket["id"], "move_private", "Jane, your order number? Marie")
    ticket_when(app, ticket["id"], lambda t: t["status"] == "in_private", timeout=20)
    through_modal(app, slack, ticket["id"], "resolve", "Refunded.")
    closed = ticket_when(app, ticket["id"], lambda t: t["status"] == "closed", timeout=40)
    assert closed["assignee"]["id"] == "U0MARIE"
    # The thread is posted from the ticket's change stream, so it may trail the status by a beat.
    thread = closed["slack_card"]["ts"]
    for step in ("Public reply sent", "Assigned", "Private message sent", "Resolved", "Closed"):
        slack.wait_for("chat.postMessage", step, thread_ts=thread)
    assert slack.wait_for("chat.update", "Closed.", ts=thread)
