from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.charter import load_charter
from chalicelib.domain import survey_token
from chalicelib.domain.interaction import Channel, Interaction, Platform
from chalicelib.domain.outbound import OutboundPost, PostKind
from chalicelib.domain.posting import Skipped, private_message, resolution_posts
from chalicelib.domain.sla_clock import BusinessCalendar, SlaClock
from chalicelib.domain.ticket import (
    AgentRequest,
    Opened,
    PendingTask,
    Place,
    Reopened,
    Ticket,
    TicketStatus,
    route,
)
from chalicelib.domain.workflow import (
    check_private_allowed,
    check_resolve_allowed,
    completion,
    rearmed,
)
from chalicelib.errors import RefusedError
from chalicelib.platforms.meta.normalise import interactions_from, parse_delivery
from tests.meta_payloads import load

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CHARTER = load_charter()
CLOCK = SlaClock(CHARTER, BusinessCalendar.from_charter(CHARTER, always_open=True))


def interaction(name: str) -> Interaction:
    [only] = interactions_from(parse_delivery(load(name)), received_at=NOW)
    return only


def ticket_from(name: str, **changes: object) -> Ticket:
    outcome = route(interaction(name), customer_ticket=None, item_ticket=None, now=NOW)
    assert isinstance(outcome, Opened)
    return outcome.ticket.model_copy(update=changes)


def waiting(ticket: Ticket, task: str) -> Ticket:
    pending = PendingTask(name=task, token="tok", entered_at="2026-11-18T10:00:00Z")
    return ticket.model_copy(update={"pending_task": pending})


# --- public first, then private -------------------------------------------------------------


def test_no_private_message_before_the_public_reply_on_a_public_case() -> None:
    with pytest.raises(RefusedError, match="reply publicly before"):
        check_private_allowed(ticket_from("feed_comment"))
    check_private_allowed(ticket_from("feed_comment", first_public_reply_at=NOW))


def test_a_case_that_started_in_private_may_answer_in_private_at_once() -> None:
    check_private_allowed(ticket_from("messenger_message"))


def test_closed_cases_take_no_action() -> None:
    with pytest.raises(RefusedError, match="closed"):
        check_private_allowed(ticket_from("messenger_message", status=TicketStatus.CLOSED))


def test_resolving_needs_an_answer_first() -> None:
    with pytest.raises(RefusedError, match="answer the customer"):
        check_resolve_allowed(ticket_from("feed_comment"))
    check_resolve_allowed(ticket_from("feed_comment", first_public_reply_at=NOW))


# --- which wait ends, and how ---------------------------------------------------------------


def test_the_first_reply_wait_ends_with_the_public_reply_and_sets_the_resolution_target() -> None:
    unanswered = waiting(ticket_from("feed_comment"), "await_first_reply")
    assert completion(unanswered, event="e1", now=NOW, clock=CLOCK) is None

    replied = unanswered.model_copy(
        update={"first_public_reply_at": NOW, "status": TicketStatus.REPLIED_PUBLICLY}
    )
    done = completion(replied, event="e1", now=NOW, clock=CLOCK)
    assert done is not None
    assert done.output["next"] == "await_resolution"
    assert done.output["wait"] == {"timeout": 7 * 24 * 3600, "level": 0}  # 7 days, always open
    assert done.ticket.resolution_due == NOW + timedelta(days=7)
    assert done.ticket.status is TicketStatus.AWAITING_RESOLUTION
    assert done.ticket.pending_task is not None
    assert done.ticket.pending_task.claimed_by == "e1"


def test_a_claimed_wait_ignores_other_events_but_not_its_own_retry() -> None:
    replied = waiting(ticket_from("feed_comment", first_public_reply_at=NOW), "await_first_reply")
    done = completion(replied, event="e1", now=NOW, clock=CLOCK)
    assert done is not None
    assert completion(done.ticket, event="e2", now=NOW, clock=CLOCK) is None  # duplicate
    assert completion(done.ticket, event="e1", now=NOW, clock=CLOCK) is not None  # retry


def test_a_move_to_private_request_leads_to_the_private_step() -> None:
    request = AgentRequest(action="private", text="hi", request_id="r1")
    ticket = waiting(ticket_from("messenger_message"), "await_first_reply").model_copy(
        update={"agent_request": request}
    )
    done = completion(ticket, event="r1", now=NOW, clock=CLOCK)
    assert done is not None
    assert done.output["next"] == "private"


def test_the_resolution_wait_ends_with_the_agent_request() -> None:
    ticket = waiting(
        ticket_from("feed_comment", first_public_reply_at=NOW, resolution_due=NOW + timedelta(1)),
        "await_resolution",
    )
    assert completion(ticket, event="x", now=NOW, clock=CLOCK) is None
    resolve = AgentRequest(action="resolve", request_id="r2")
    done = completion(
        ticket.model_copy(update={"agent_request": resolve}), event="r2", now=NOW, clock=CLOCK
    )
    assert done is not None
    assert done.output == {"next": "resolve", "wait": {"timeout": 86400, "level": 0}}


def test_a_running_resolution_wait_restarts_on_a_new_target_once_per_event() -> None:
    routed = waiting(
        ticket_from("feed_comment", first_public_reply_at=NOW, resolution_due=NOW + timedelta(5)),
        "await_resolution",
    )
    done = rearmed(routed, event="route-1", now=NOW, clock=CLOCK)
    assert done is not None
    assert done.output == {"next": "await_resolution", "wait": {"timeout": 5 * 86400, "level": 0}}
    assert done.ticket.pending_task is not None
    assert done.ticket.pending_task.claimed_by == "route-1"
    assert rearmed(done.ticket, event="route-2", now=NOW, clock=CLOCK) is None  # taken
    assert rearmed(done.ticket, event="route-1", now=NOW, clock=CLOCK) is not None  # its retry
    # nothing to restart before the first reply (the target is set then) or in another wait
    first = waiting(ticket_from("feed_comment"), "await_first_reply")
    assert rearmed(first, event="route-1", now=NOW, clock=CLOCK) is None


# --- platform rules -------------------------------------------------------------------------


def dm_ticket(last_customer_message: datetime) -> Ticket:
    return ticket_from("messenger_message", last_customer_private_at=last_customer_message)


def test_messenger_inside_24_hours_needs_no_tag() -> None:
    post = private_message(dm_ticket(NOW - timedelta(hours=23)), "hi", "k", NOW)
    assert isinstance(post, OutboundPost)
    assert (post.kind, post.tag, post.target_id) == (PostKind.MESSAGE, None, "24680")


def test_messenger_after_24_hours_uses_the_human_agent_tag_up_to_7_days() -> None:
    post = private_message(dm_ticket(NOW - timedelta(days=3)), "hi", "k", NOW)
    assert isinstance(post, OutboundPost)
    assert post.tag == "HUMAN_AGENT"
    late = private_message(dm_ticket(NOW - timedelta(days=8)), "hi", "k", NOW)
    assert isinstance(late, Skipped)
    assert "window" in late.reason


def test_one_private_reply_per_comment_within_7_days() -> None:
    fresh = ticket_from("feed_comment", first_public_reply_at=NOW)
    post = private_message(fresh, "hi", "k", NOW)
    assert isinstance(post, OutboundPost)
    assert (post.kind, post.target_id) == (PostKind.PRIVATE_REPLY, "1234567890_555_777")
    again = fresh.model_copy(update={"private_reply_sent_at": NOW})
    assert isinstance(private_message(again, "hi", "k", NOW), Skipped)
    old = fresh.model_copy(update={"created_at": NOW - timedelta(days=8)})
    skipped = private_message(old, "hi", "k", NOW)
    assert isinstance(skipped, Skipped)
    assert "7 days" in skipped.reason


def test_resolution_goes_to_every_public_place_and_the_open_dm() -> None:
    ticket = ticket_from(
        "feed_comment",
        places=(
            Place(channel=Channel.PUBLIC_COMMENT, thread_id="A"),
            Place(channel=Channel.PUBLIC_COMMENT, thread_id="B"),
            Place(channel=Channel.PRIVATE_MESSAGE, thread_id="24680"),
        ),
        last_customer_private_at=NOW,
    )
    posts = resolution_posts(
        ticket, public_text="Solved.", private_text="Closed.", survey_link="https://s/1", now=NOW
    )
    assert [(p.kind, p.target_id, p.text) for p in posts if isinstance(p, OutboundPost)] == [
        (PostKind.PUBLIC_REPLY, "A", "Solved. https://s/1"),
        (PostKind.PUBLIC_REPLY, "B", "Solved. https://s/1"),
        (PostKind.MESSAGE, "24680", "Closed. https://s/1"),
    ]
    assert len({p.key for p in posts}) == 3


def test_no_survey_link_in_a_public_x_reply_when_a_dm_is_open() -> None:
    ticket = ticket_from("feed_comment", platform=Platform.X).model_copy(
        update={
            "places": (
                Place(channel=Channel.PUBLIC_COMMENT, thread_id="A"),
                Place(channel=Channel.PRIVATE_MESSAGE, thread_id="c"),
            )
        }
    )
    posts = resolution_posts(
        ticket, public_text="Solved.", private_text="Closed.", survey_link="L", now=NOW
    )
    # X is not connected yet: both are recorded as skipped, and the public one has no link
    assert all(isinstance(p, Skipped) for p in posts)


# --- reopening ------------------------------------------------------------------------------


def closed(ago: timedelta) -> Ticket:
    return ticket_from(
        "feed_comment", status=TicketStatus.CLOSED, closed_at=NOW - ago, first_public_reply_at=NOW
    )


def test_writing_again_within_the_window_reopens_the_same_ticket() -> None:
    outcome = route(
        interaction("messenger_message"),
        customer_ticket=closed(timedelta(days=2)),
        item_ticket=None,
        now=NOW,
    )
    assert isinstance(outcome, Reopened)
    assert outcome.ticket.id == outcome.before.id
    assert outcome.ticket.reopen_count == 1
    assert outcome.ticket.execution_name.endswith("-r1")
    assert outcome.ticket.status is TicketStatus.IN_PRIVATE
    assert outcome.ticket.first_public_reply_at is None
    assert outcome.ticket.closed_at is None
    assert [p.channel for p in outcome.ticket.places] == [
        Channel.PUBLIC_COMMENT,
        Channel.PRIVATE_MESSAGE,
    ]


def test_after_the_window_a_new_ticket_is_linked_to_the_old_one() -> None:
    old = closed(timedelta(days=8))
    outcome = route(
        interaction("messenger_message"), customer_ticket=old, item_ticket=None, now=NOW
    )
    assert isinstance(outcome, Opened)
    assert outcome.ticket.id != old.id
    assert outcome.ticket.previous_ticket_id == old.id


# --- survey tokens --------------------------------------------------------------------------

KEY = b"k" * 32


def test_survey_token_round_trip() -> None:
    token = survey_token.issue("tk-1", NOW + timedelta(days=14), KEY)
    assert survey_token.verify(token, NOW, KEY) == "tk-1"


def test_survey_token_expiry() -> None:
    token = survey_token.issue("tk-1", NOW + timedelta(days=14), KEY)
    with pytest.raises(survey_token.SurveyTokenExpiredError):
        survey_token.verify(token, NOW + timedelta(days=14), KEY)


@pytest.mark.parametrize("tamper", ["payload", "signature", "key", "garbage"])
def test_survey_token_tampering(tamper: str) -> None:
    token = survey_token.issue("tk-1", NOW + timedelta(days=14), KEY)
    payload, signature = token.split(".")
    forged = {
        "payload": survey_token.issue("tk-2", NOW + timedelta(days=14), KEY).split(".")[0]
        + "."
        + signature,
        "signature": payload + "." + signature[:-2] + "AA",
        "key": token,
        "garbage": "not-a-token",
    }[tamper]
    key = b"other-key" if tamper == "key" else KEY
    with pytest.raises(survey_token.SurveyTokenError):
        survey_token.verify(forged, NOW, key)
