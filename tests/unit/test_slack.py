"""Slack's edges without the network: signatures, payloads, what the card and modals show,
the on-call group per level, /sav parsing and the first-response figures."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block

from chalicelib.domain.stats import first_response_stats
from chalicelib.domain.ticket import Assignee, SlackCard, Ticket, TicketStatus
from chalicelib.errors import AuthenticationError, InvalidRequestError
from chalicelib.platforms.slack import blocks
from chalicelib.platforms.slack.payloads import (
    BlockActions,
    ViewSubmission,
    parse_command,
    parse_interaction,
)
from chalicelib.platforms.slack.verification import verify_slack_request
from chalicelib.slack_commands import parse_duration
from chalicelib.slack_desk import DeskChannels
from infra.local.slack_payloads import (
    SIGNING_SECRET,
    block_action,
    command_body,
    interaction_body,
    signed_headers,
    view_submission,
)
from tests.unit.test_workflow_rules import NOW, ticket_from

TEAMS = ["warranty", "refunds", "technical"]


def headers_for(body: bytes, **changes: str) -> dict[str, str]:
    return {k.lower(): v for k, v in {**signed_headers(body), **changes}.items()}


# --- signatures ---------------------------------------------------------------------------------


def test_a_body_signed_now_with_the_signing_secret_is_accepted() -> None:
    body = command_body("stats")
    verify_slack_request(body, headers_for(body), SIGNING_SECRET)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda body, h: (body + b"&x=1", h), "bad Slack signature"),
        (lambda body, h: (body, {**h, "x-slack-signature": "v0=" + "0" * 64}), "bad Slack"),
        (lambda body, h: (body, {k: v for k, v in h.items() if "signature" not in k}), "bad"),
        (lambda body, h: (body, {**h, "x-slack-request-timestamp": "12ab"}), "malformed"),
        (lambda body, h: (body, {}), "missing"),
    ],
)
def test_a_tampered_or_unsigned_request_is_refused(tamper: object, reason: str) -> None:
    body = command_body("stats")
    changed_body, headers = tamper(body, headers_for(body))  # type: ignore[operator]
    with pytest.raises(AuthenticationError, match=reason):
        verify_slack_request(changed_body, headers, SIGNING_SECRET)


def test_a_replayed_request_older_than_five_minutes_is_refused() -> None:
    body = command_body("stats")
    stale = {
        k.lower(): v for k, v in signed_headers(body, timestamp=int(time.time()) - 301).items()
    }
    with pytest.raises(AuthenticationError):
        verify_slack_request(body, stale, SIGNING_SECRET)
    recent = {
        k.lower(): v for k, v in signed_headers(body, timestamp=int(time.time()) - 200).items()
    }
    verify_slack_request(body, recent, SIGNING_SECRET)


def test_another_secret_or_no_secret_is_refused() -> None:
    body = command_body("stats")
    with pytest.raises(AuthenticationError):
        verify_slack_request(body, headers_for(body), "another-secret")
    with pytest.raises(AuthenticationError, match="no Slack signing secret"):
        verify_slack_request(body, headers_for(body), "")


# --- payloads -----------------------------------------------------------------------------------


def test_button_and_menu_clicks_name_their_ticket() -> None:
    click = parse_interaction(interaction_body(block_action("tk-1", "hide")))
    assert isinstance(click, BlockActions)
    assert (click.actions[0].action_id, click.actions[0].ticket_id) == ("hide", "tk-1")
    menu = parse_interaction(interaction_body(block_action("tk-2", "route", team="refunds")))
    assert isinstance(menu, BlockActions)
    assert menu.actions[0].ticket_id == "tk-2"
    assert menu.actions[0].selected_option is not None
    assert menu.actions[0].selected_option.value == "refunds"


def test_a_modal_submission_carries_its_text_and_confirmation() -> None:
    payload = view_submission("V1", "reply_publicly", "tk-1", "Hello Jane", confirm=True)
    submitted = parse_interaction(interaction_body(payload))
    assert isinstance(submitted, ViewSubmission)
    assert submitted.view.text(blocks.REPLY_BLOCK) == "Hello Jane"
    assert submitted.view.ticked(blocks.CONFIRM_BLOCK) is True
    empty = parse_interaction(interaction_body(view_submission("V2", "resolve", "tk-1")))
    assert isinstance(empty, ViewSubmission)
    assert empty.view.text(blocks.NOTE_BLOCK) == ""


def test_slash_command_fields_are_read_from_the_form() -> None:
    command = parse_command(command_body("peak on 2h 0.5", agent="U9"))
    assert (command.command, command.text, command.user_id) == ("/sav", "peak on 2h 0.5", "U9")
    with pytest.raises(InvalidRequestError, match="user_id"):
        parse_command(b"command=%2Fsav&text=open")


# --- what agents see ----------------------------------------------------------------------------


def carded(**changes: object) -> Ticket:
    card = SlackCard(channel="C1", ts="1.1", excerpt="My order never arrived")
    return ticket_from("feed_comment", slack_card=card, **changes)


def action_ids(shown: list[Block]) -> list[str]:
    return [
        element["action_id"]
        for block in (b.to_dict() for b in shown)
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_an_open_ticket_card_shows_the_case_and_every_action() -> None:
    ticket = carded(first_response_due=NOW + timedelta(minutes=23), priority="high")
    text, shown = blocks.card(ticket, NOW, TEAMS)
    rendered = str([b.to_dict() for b in shown])  # to_dict validates Slack's limits
    assert "Facebook comment" in text
    assert "Jane Doe" in rendered
    assert "My order never arrived" in rendered
    assert "(in 23 min)" in rendered
    assert ":red_circle: high" in rendered
    assert action_ids(shown) == [
        "reply_publicly",
        "move_private",
        "hide",
        "assign",
        "resolve",
        "route",
    ]


def test_a_finished_case_card_has_no_buttons() -> None:
    for status in (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.MODERATED):
        _, shown = blocks.card(carded(status=status), NOW, TEAMS)
        assert action_ids(shown) == []


def test_the_card_shows_who_has_the_case_and_a_missed_target() -> None:
    ticket = carded(
        assignee=Assignee(id="U1", name="Marie"),
        first_response_due=NOW - timedelta(minutes=5),
        escalation_level=2,
    )
    rendered = str([b.to_dict() for b in blocks.card(ticket, NOW, TEAMS)[1]])
    assert "<@U1>" in rendered
    assert "overdue by 5 min" in rendered
    assert "escalation level 2" in rendered


def test_modals_are_valid_block_kit_and_carry_their_ticket() -> None:
    ticket = carded()
    for view in (
        blocks.reply_modal(ticket, "Hi Jane, sorry. - Marie"),
        blocks.private_modal(ticket),
        blocks.resolve_modal(ticket),
    ):
        data = view.to_dict()  # raises on anything Slack would refuse
        assert data["private_metadata"] == ticket.id
    reply = blocks.reply_modal(ticket, "Hi Jane").to_dict()
    [field] = [b for b in reply["blocks"] if b.get("block_id") == blocks.REPLY_BLOCK]
    assert field["element"]["initial_value"] == "Hi Jane"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(23, "in 23 min"), (125, "in 2 h 05"), (-4, "overdue by 4 min"), (-0.2, "overdue by 1 min")],
)
def test_deadlines_read_as_people_say_them(minutes: float, expected: str) -> None:
    assert blocks.relative(NOW + timedelta(minutes=minutes), NOW) == expected


def test_each_escalation_level_mentions_its_on_call_group_and_the_last_repeats() -> None:
    channels = DeskChannels("C1", "C2", "C3", oncall_groups=("S1", "S2"))
    assert [channels.oncall(level) for level in (0, 1, 2, 3, 7)] == [None, "S1", "S2", "S2", "S2"]
    assert DeskChannels("C1", "C2", "C3").oncall(1) is None


# --- /sav ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("45min", timedelta(minutes=45)),
        ("0h", None),
        ("soon", None),
        ("", None),
    ],
)
def test_peak_durations(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


def test_first_response_figures() -> None:
    base = ticket_from("feed_comment")
    due = NOW + timedelta(minutes=60)
    tickets = [
        base.model_copy(
            update={"first_public_reply_at": NOW + timedelta(minutes=10), "first_response_due": due}
        ),
        base.model_copy(
            update={"first_public_reply_at": NOW + timedelta(minutes=90), "first_response_due": due}
        ),
        base.model_copy(update={"first_response_due": NOW - timedelta(minutes=1)}),
        base.model_copy(update={"status": TicketStatus.MODERATED}),
    ]
    figures = first_response_stats(iter(tickets), NOW)
    assert (figures.opened, figures.answered, figures.within_target) == (3, 2, 1)
    assert (figures.waiting, figures.overdue, figures.moderated) == (1, 1, 1)
    assert figures.median_minutes == 50
    assert figures.slowest_minutes == 90
    assert figures.within_target_share == 0.5
    assert first_response_stats([], NOW).median_minutes is None
