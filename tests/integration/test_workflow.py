"""The ticket's life on the real state machine, executed by the emulator, with the SLA clock sped
up: first reply, escalation, private step, resolution, survey wait, closure, reopening.

Posts go to a local fake of the Graph API; signals and timers are real.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_sqs import SQSClient
from mypy_boto3_stepfunctions import SFNClient

from chalicelib.adapters.task_signals import TaskSignals
from chalicelib.domain import survey_token
from chalicelib.inbox_message import AgentAction
from infra.local.provision import StackOutputs
from tests.fakes.graph_server import FakeGraph
from tests.integration.conftest import FAST, FASTEST, PAGE_ID, Launch
from tests.integration.stack import (
    ADMIN_TOKEN,
    AppProcess,
    eventually,
    last_entry,
    one_ticket,
    ticket_when,
    types,
    waiting_for,
)
from tests.meta_payloads import load


def comment(app: AppProcess, run: str, name: str = "feed_comment") -> None:
    response = app.post_meta(load(name, run, page=PAGE_ID, fresh=True))
    assert response.status == 200, response.body


def task_token(dynamodb: DynamoDBClient, stack: StackOutputs, ticket_id: str) -> str:
    """The pending task's token, straight from the table (the admin API never shows it)."""
    item = dynamodb.get_item(
        TableName=stack.table_name,
        Key={"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "#TICKET"}},
    )["Item"]
    return str(item["pending_task"]["M"]["token"]["S"])


def history(sfn: SFNClient, ticket: dict[str, Any]) -> list[dict[str, Any]]:
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=ticket["workflow_execution_arn"]
    )
    return [dict(event) for page in pages for event in page["events"]]


def entered_states(sfn: SFNClient, ticket: dict[str, Any]) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in history(sfn, ticket)
        if "stateEnteredEventDetails" in e
    ]


def happy_path(states: list[str]) -> list[str]:
    """The states entered, without escalation loops (EscalateX, then AwaitX again)."""
    kept: list[str] = []
    for state in states:
        if state.startswith("Escalate"):
            continue
        if kept and state == kept[-1] and state.startswith("Await"):
            continue  # the wait re-entered after an escalation
        kept.append(state)
    return kept


def replied_by_the_page(app: AppProcess, run: str) -> dict[str, Any]:
    """A customer's comment, answered natively by the page: the ticket awaits its resolution."""
    comment(app, run)
    app.post_meta(load("feed_page_reply", run, page=PAGE_ID, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    return waiting_for(app, ticket["id"], "await_resolution")


@pytest.fixture
def fast(launch: Launch) -> AppProcess:
    return launch("fast", FAST)[0]


@pytest.fixture
def fastest(launch: Launch) -> tuple[AppProcess, StackOutputs]:
    return launch("fastest", FASTEST)


# --- the first reply ----------------------------------------------------------------------------


def test_a_ticket_answered_in_time_is_not_escalated(
    fast: AppProcess, run: str, graph: FakeGraph
) -> None:
    comment(fast, run)
    ticket = one_ticket(fast, f"24680{run}")
    waiting_for(fast, ticket["id"], "await_first_reply")
    text = "Hi Jane, sorry about your parcel: we're looking into it now. - Sam"
    assert fast.act(ticket["id"], "reply_publicly", text=text, agent="Sam").status == 202

    replied = waiting_for(fast, ticket["id"], "await_resolution")
    assert replied["status"] == "awaiting_resolution"
    assert replied["escalation_level"] == 0
    assert replied["first_response_breached"] is False
    assert "escalated" not in types(replied)
    reply = last_entry(replied, "brand_public_reply")
    assert (reply["type"], reply["actor"], reply["text"]) == (
        "brand_public_reply",
        "agent:Sam",
        text,
    )
    # posted once, in the customer's thread, as the page
    [posted] = graph.to(f"{PAGE_ID}_555_777{run}")
    assert posted.path.endswith("/comments")
    assert posted.body == {"message": text, "access_token": "page-token"}
    [record] = replied["outbox"]
    assert (record["status"], record["attempts"]) == ("sent", 1)
    # the id Graph gave the new comment: its webhook echo will be recognised as ours
    assert re.fullmatch(rf"{PAGE_ID}_555_777{run}_reply\d+", record["platform_id"])


def test_a_missed_target_escalates_level_1_then_2_until_the_reply(
    fast: AppProcess, run: str
) -> None:
    comment(fast, run)
    ticket = one_ticket(fast, f"24680{run}")
    escalated = ticket_when(fast, ticket["id"], lambda t: t["escalation_level"] >= 2, timeout=30)
    assert escalated["first_response_breached"] is True
    notes = [e["text"] for e in escalated["timeline"] if e["type"] == "escalated"]
    assert notes[:2] == [
        "first reply target missed: escalation level 1",
        "first reply target missed: escalation level 2",
    ]
    assert escalated["status"] == "awaiting_public_reply"  # escalation never answers for us

    fast.post_meta(load("feed_page_reply", run, page=PAGE_ID, fresh=True))
    answered = waiting_for(fast, ticket["id"], "await_resolution")
    assert answered["first_public_reply_at"] is not None
    assert answered["status"] == "awaiting_resolution"


# --- public first, then private -----------------------------------------------------------------


def test_a_private_message_before_the_public_reply_is_refused(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    comment(app, run)
    ticket = one_ticket(app, f"24680{run}")
    response = app.act(ticket["id"], "send_private", text="What is your order number?")
    assert response.status == 409
    assert response.json() == {
        "error": "refused",
        "reason": "this case started in public: reply publicly before sending a private message",
    }
    after = app.ticket(ticket["id"])
    assert after["agent_request"] is None
    assert types(after) == ["customer_message"]
    assert graph.messages_to(f"24680{run}") == []


def test_public_reply_then_dm_then_resolution_in_every_place_with_the_survey_link(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    customer = f"24680{run}"
    first_thread, second_thread = f"{PAGE_ID}_555_777{run}", f"{PAGE_ID}_556_888{run}"
    comment(app, run)
    ticket = one_ticket(app, customer)
    comment(app, run, "feed_comment_second_post")
    app.post_meta(load("messenger_message", run, page=PAGE_ID, fresh=True))
    ticket_when(app, ticket["id"], lambda t: len(t["places"]) == 3)

    app.act(ticket["id"], "reply_publicly", text="Hi Jane, we're on it. - Sam", agent="Sam")
    waiting_for(app, ticket["id"], "await_resolution")
    app.act(ticket["id"], "send_private", text="Jane, could you confirm your address?", agent="Sam")
    in_private = ticket_when(app, ticket["id"], lambda t: t["status"] == "in_private")
    assert last_entry(in_private, "brand_private_reply")["actor"] == "agent:Sam"
    [dm] = graph.messages_to(customer)
    assert dm.body["messaging_type"] == "RESPONSE"  # inside the 24 h window: no tag needed
    assert dm.body["message"] == {"text": "Jane, could you confirm your address?"}

    waiting_for(app, ticket["id"], "await_resolution")
    app.act(ticket["id"], "resolve", text="Parcel found and re-shipped", agent="Sam")
    resolved = waiting_for(app, ticket["id"], "await_survey")
    assert resolved["status"] == "resolved"
    assert resolved["resolution_note"] == "Parcel found and re-shipped"

    # the closing message in both public threads and in the open DM, each with the link
    closing = [
        graph.to(first_thread)[-1].body["message"],
        graph.to(second_thread)[-1].body["message"],
        graph.messages_to(customer)[-1].body["message"]["text"],
    ]
    assert len(graph.to(first_thread)) == 2  # the agent's reply, then the resolution
    assert len(graph.to(second_thread)) == 1
    for text in closing:
        assert text.startswith("Hi Jane,")
        link = text.rsplit(" ", 1)[1]
        assert link.startswith(f"{app.base_url}/survey/")
        token = link.rsplit("/", 1)[1]
        key = b"local-survey-signing-key"
        assert survey_token.verify(token, datetime.now(UTC), key) == ticket["id"]
    assert {r["status"] for r in resolved["outbox"]} == {"sent"}
    assert len(resolved["outbox"]) == 5


def test_duplicate_signals_change_nothing(app: AppProcess, run: str, sfn: SFNClient) -> None:
    comment(app, run)
    ticket = one_ticket(app, f"24680{run}")
    waiting_for(app, ticket["id"], "await_first_reply")

    reply = load("feed_page_reply", run, page=PAGE_ID, fresh=True)
    app.post_meta(reply)
    settled = waiting_for(app, ticket["id"], "await_resolution")
    events = len(history(sfn, settled))

    # the same native reply delivered again, and the same agent request sent twice
    app.post_meta(reply)
    app.act(ticket["id"], "resolve", text="done", request_id=f"req{run}")
    app.act(ticket["id"], "resolve", text="done", request_id=f"req{run}")
    resolved = waiting_for(app, ticket["id"], "await_survey")
    assert types(resolved).count("brand_public_reply") == 1
    assert types(resolved).count("agent_request") == 1
    assert types(resolved).count("resolved") == 1
    assert entered_states(sfn, resolved).count("Resolve") == 1
    assert len(history(sfn, resolved)) > events


def test_a_failing_post_is_retried_by_the_state_machine_then_recorded_as_failed(
    app: AppProcess, run: str, graph: FakeGraph, sfn: SFNClient
) -> None:
    thread = f"{PAGE_ID}_555_777{run}"
    ticket = replied_by_the_page(app, run)

    graph.fail(thread, 500)  # Graph keeps failing for this thread
    app.act(ticket["id"], "resolve", text="Refund issued")
    after = waiting_for(app, ticket["id"], "await_survey", timeout=40)

    # three attempts of the step (the ASL's Retry), each retried once over HTTP
    assert entered_states(sfn, after).count("Resolve") == 1
    scheduled = [e for e in history(sfn, after) if e["type"] == "TaskScheduled"]
    assert len(graph.to(thread)) == 6
    [record] = [r for r in after["outbox"] if r["post"]["target_id"] == thread]
    assert (record["status"], record["attempts"]) == ("failed", 3)
    assert "Graph API 500" in record["reason"]
    failures = [e["text"] for e in after["timeline"] if e["type"] == "post_failed"]
    assert failures[0].startswith("resolve: Graph API 500")
    assert failures[-1] == "resolve: gave up (PostFailed)"
    # the ticket is not lost: resolved, waiting for the survey
    assert after["status"] == "resolved"
    assert "ResolveFailed" in entered_states(sfn, after)
    assert len(scheduled) >= 3


def resolution_waits(sfn: SFNClient, ticket: dict[str, Any]) -> list[int]:
    """The timeout of each resolution wait the execution entered, in order."""
    return [
        json.loads(e["stateEnteredEventDetails"]["input"])["step"]["wait"]["timeout"]
        for e in history(sfn, ticket)
        if e.get("stateEnteredEventDetails", {}).get("name") == "AwaitResolution"
    ]


def test_routing_after_the_first_reply_restarts_the_resolution_wait_on_the_teams_target(
    fast: AppProcess, run: str, sfn: SFNClient
) -> None:
    ticket = replied_by_the_page(fast, run)
    [default] = resolution_waits(sfn, ticket)  # the charter's 7 business days
    assert fast.act(ticket["id"], "route", team="refunds", agent="Sam").status == 202
    routed = ticket_when(fast, ticket["id"], lambda t: t["routing"] == "refunds")

    def restarted_wait() -> list[int] | None:
        waits = resolution_waits(sfn, ticket)
        return waits if len(waits) >= 2 else None

    waits = eventually(restarted_wait)
    assert len(waits) == 2  # restarted once, not resolved or escalated
    # the new wait ends at the team's target (5 business days from the route), at 600x speed
    due = datetime.fromisoformat(routed["resolution_due"])
    routed_at = datetime.fromisoformat(last_entry(routed, "routed")["at"])
    expected = (due - routed_at).total_seconds() / FAST
    assert abs(waits[1] - expected) <= 2
    assert waits[1] < default
    # the ticket holds the new wait's token, once the workflow consumer has stored it
    restarted = ticket_when(
        fast,
        ticket["id"],
        lambda t: t["pending_task"]["entered_at"] != ticket["pending_task"]["entered_at"],
    )
    assert restarted["pending_task"]["name"] == "await_resolution"
    assert restarted["status"] == "awaiting_resolution"


# --- closure and reopening ----------------------------------------------------------------------


def test_survey_timeout_closes_the_ticket_in_few_transitions(
    fastest: tuple[AppProcess, StackOutputs], run: str, sfn: SFNClient, dynamodb: DynamoDBClient
) -> None:
    app, outputs = fastest
    ticket = replied_by_the_page(app, run)
    resolution_token = task_token(dynamodb, outputs, ticket["id"])
    app.act(ticket["id"], "resolve", text="Sorted")
    closed = ticket_when(app, ticket["id"], lambda t: t["status"] == "closed", timeout=30)

    assert closed["closed_at"] is not None
    assert types(closed)[-1] == "closed"
    execution = sfn.describe_execution(executionArn=closed["workflow_execution_arn"])
    eventually(
        lambda: (
            sfn.describe_execution(executionArn=closed["workflow_execution_arn"])["status"]
            == "SUCCEEDED"
        )
    )
    # A slow machine may let the 1-second first-reply target pass before the reply is seen:
    # escalation loops are timing, not the happy path, so they are set aside here.
    states = happy_path(entered_states(sfn, closed))
    assert states == [
        "AwaitFirstReply",
        "AfterFirstReply",
        "AwaitResolution",
        "AfterResolutionWait",
        "Resolve",
        "AwaitSurvey",
        "Close",
        "Closed",
    ]
    assert execution["name"] == ticket["id"]
    # a late signal, once the execution is over, is dropped without error and moves nothing
    events = len(history(sfn, closed))
    signals = TaskSignals(boto3.client("stepfunctions"))
    assert signals.succeed(resolution_token, {"next": "resolve"}) is False
    assert len(history(sfn, closed)) == events


def test_a_customer_writing_again_within_the_window_reopens_the_ticket(
    fastest: tuple[AppProcess, StackOutputs], run: str, sfn: SFNClient
) -> None:
    app, _ = fastest
    ticket = replied_by_the_page(app, run)
    app.act(ticket["id"], "resolve")
    ticket_when(app, ticket["id"], lambda t: t["status"] == "closed", timeout=30)

    comment(app, run, "feed_followup")  # "Still waiting..." in the same thread
    reopened = ticket_when(app, ticket["id"], lambda t: t["status"] == "awaiting_public_reply")
    assert reopened["reopen_count"] == 1
    assert "reopened" in types(reopened)[-2:]
    assert "Still waiting..." in [e["text"] for e in reopened["timeline"]]
    assert reopened["first_public_reply_at"] is None  # the new life needs its own reply
    assert len(app.tickets_of(f"24680{run}")) == 1
    running = eventually(lambda: app.ticket(ticket["id"])["workflow_execution_arn"])
    assert running.endswith(f":{ticket['id']}-r1")
    assert sfn.describe_execution(executionArn=running)["status"] == "RUNNING"


# --- settings that shape the clock and the posts --------------------------------------------


def test_a_declared_peak_tightens_the_target_of_tickets_opened_inside_it(
    launch: Launch, run: str
) -> None:
    app, _ = launch("peaks", 1200.0)  # its own stack: the peak must not touch other tests
    comment(app, run)
    before = one_ticket(app, f"24680{run}")

    def target_minutes(ticket: dict[str, Any]) -> float:
        due = datetime.fromisoformat(ticket["first_response_due"])
        return (due - datetime.fromisoformat(ticket["created_at"])).total_seconds() / 60

    # the sample is a high-priority complaint: 60 minutes (always open locally)
    assert (before["category"], before["priority"]) == ("complaint", "high")
    assert round(target_minutes(before)) == 60
    now = datetime.now(UTC)
    peak = {
        "start": now.isoformat(),
        "end": now.replace(year=now.year + 1).isoformat(),
        "factor": 0.5,
    }
    declared = app.request(
        "POST",
        "/admin/peaks",
        json.dumps(peak).encode(),
        {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
    )
    assert declared.status == 201, declared.body
    assert app.admin("/admin/peaks").json()["peaks"][0]["factor"] == 0.5

    comment(app, run + "p")
    during = one_ticket(app, f"24680{run}p")
    assert round(target_minutes(during)) == 30


@pytest.mark.parametrize(
    ("peak", "reason"),
    [
        (
            {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z", "factor": 0.5},
            "end after it starts",
        ),
        (
            {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z", "factor": 2},
            "factor: Input should be less than or equal to 1",
        ),
    ],
)
def test_invalid_peaks_are_refused(app: AppProcess, peak: dict[str, Any], reason: str) -> None:
    response = app.request(
        "POST",
        "/admin/peaks",
        json.dumps(peak).encode(),
        {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert reason in response.json()["reason"]


def test_without_a_page_token_posts_are_recorded_as_dry_runs(
    app: AppProcess, run: str, graph: FakeGraph
) -> None:
    # this page (id with the run suffix) has no token configured: nothing may reach Graph
    app.post_meta(load("feed_comment", run, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    app.act(ticket["id"], "reply_publicly", text="Hi Jane, on it. - Sam", agent="Sam")
    replied = waiting_for(app, ticket["id"], "await_resolution")
    [record] = replied["outbox"]
    assert record["status"] == "dry_run"
    assert record["post"]["text"] == "Hi Jane, on it. - Sam"
    assert graph.to(f"1234567890_555_777{run}") == []
    assert last_entry(replied, "brand_public_reply")["actor"] == "agent:Sam"


def test_action_requests_are_validated(app: AppProcess, run: str) -> None:
    comment(app, run)
    ticket = one_ticket(app, f"24680{run}")
    unknown = app.act(ticket["id"], "delete_comment")
    assert unknown.status == 400
    assert unknown.json()["reason"].startswith("action: Input should be")
    assert app.act(ticket["id"], "reply_publicly", text="  ").status == 409
    assert app.act("tk-nope", "resolve").status == 404


def test_a_request_no_longer_allowed_when_carried_out_is_recorded_not_dropped(
    app: AppProcess, run: str, sqs: SQSClient, stack: StackOutputs, graph: FakeGraph
) -> None:
    # The API accepted it earlier (202); by the time the consumer runs it, the rules forbid it.
    comment(app, run)
    ticket = one_ticket(app, f"24680{run}")
    accepted = AgentAction(
        request_id=f"late{run}",
        ticket_id=ticket["id"],
        action="send_private",
        text="What is your order number?",
        agent="Sam",
        requested_at=datetime.now(UTC),
    )
    sqs.send_message(
        QueueUrl=stack.inbox_queue_url,
        MessageBody=accepted.model_dump_json(),
        MessageGroupId=f"ticket{run}",
        MessageDeduplicationId=f"late{run}",
    )
    refused = ticket_when(
        app, ticket["id"], lambda t: "agent_request_refused" in types(t), timeout=20
    )
    assert last_entry(refused, "agent_request_refused")["text"] == (
        "send_private: this case started in public: reply publicly before sending a private message"
    )
    assert refused["agent_request"] is None
    assert graph.messages_to(f"24680{run}") == []
