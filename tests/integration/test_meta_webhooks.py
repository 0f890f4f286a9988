"""Meta webhooks over real HTTP to the local stack, through SQS, into DynamoDB tickets."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_sqs import SQSClient
from mypy_boto3_stepfunctions import SFNClient

from chalicelib.platforms.meta.verification import sign
from infra.local.provision import StackOutputs
from tests.integration.stack import (
    META_APP_SECRET,
    AppProcess,
    eventually,
    free_port,
    last_entry,
    one_ticket,
    ticket_when,
)
from tests.meta_payloads import load

# Long enough for the consumer to have processed anything that was (wrongly) enqueued.
SETTLE_SECONDS = 2.0


def event_marker(dynamodb: DynamoDBClient, table: str, item_key: str) -> dict[str, Any] | None:
    item = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"EVENT#{item_key}"}, "sk": {"S": "#EVENT"}}
    ).get("Item")
    return dict(item) if item else None


def customer_entries(ticket: dict[str, Any]) -> int:
    return [e["type"] for e in ticket["timeline"]].count("customer_message")


# --- the subscription handshake ---------------------------------------------------------------


def test_handshake_answers_the_challenge_as_plain_text(app: AppProcess) -> None:
    response = app.request(
        "GET",
        "/webhooks/meta?hub.mode=subscribe&hub.verify_token=local-meta-verify-token"
        "&hub.challenge=1158201444",
    )
    assert response.status == 200
    assert response.body == b"1158201444"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_handshake_with_a_wrong_token_is_forbidden(app: AppProcess) -> None:
    response = app.request(
        "GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
    )
    assert response.status == 403
    assert response.json()["error"] == "forbidden"


# --- authentication and validation: refused requests write nothing ----------------------------


def test_a_signed_comment_becomes_a_ticket(app: AppProcess, run: str, sfn: SFNClient) -> None:
    response = app.post_meta(load("feed_comment", run))
    assert response.status == 200
    assert response.json() == {"accepted": 1}

    ticket = one_ticket(app, f"24680{run}")
    assert ticket["platform"] == "facebook"
    assert ticket["status"] == "awaiting_public_reply"
    assert ticket["customer"] == {
        "id": f"24680{run}",
        "name": "Jane Doe",
        "first_name": "Jane",
        "handle": None,
    }
    assert [(p["channel"], p["thread_id"]) for p in ticket["places"]] == [
        ("public_comment", f"1234567890_555_777{run}")
    ]
    [entry] = ticket["timeline"]
    assert entry["type"] == "customer_message"
    assert "3rd time" in entry["text"]

    # its workflow runs on the emulator, named after the ticket, waiting for the first reply
    waiting = ticket_when(app, ticket["id"], lambda t: t["pending_task"] is not None)
    assert waiting["pending_task"]["name"] == "await_first_reply"
    assert waiting["first_response_due"] is not None
    execution = sfn.describe_execution(executionArn=waiting["workflow_execution_arn"])
    assert execution["name"] == ticket["id"]
    assert execution["status"] == "RUNNING"
    assert json.loads(execution["input"])["ticket_id"] == ticket["id"]


def assert_nothing_written(
    app: AppProcess, dynamodb: DynamoDBClient, stack: StackOutputs, run: str
) -> None:
    time.sleep(SETTLE_SECONDS)
    assert app.tickets_of(f"24680{run}") == []
    key = f"facebook#1234567890_555_777{run}"
    assert event_marker(dynamodb, stack.table_name, key) is None


def test_a_missing_signature_is_refused(
    app: AppProcess, run: str, dynamodb: DynamoDBClient, stack: StackOutputs
) -> None:
    response = app.post_meta(load("feed_comment", run), signature=None)
    assert response.status == 401
    assert response.json() == {
        "error": "unauthorized",
        "reason": "missing X-Hub-Signature-256 header",
    }
    assert_nothing_written(app, dynamodb, stack, run)


def test_a_bad_signature_is_refused(
    app: AppProcess, run: str, dynamodb: DynamoDBClient, stack: StackOutputs
) -> None:
    body = load("feed_comment", run)
    forged = app.post_meta(body, signature="sha256=" + "ab" * 32)
    assert forged.status == 401
    assert forged.json()["reason"] == "X-Hub-Signature-256 does not match the body"
    # signed with another secret, or over other bytes
    other_body = load("feed_comment", run + "x")
    assert app.post_meta(body, signature=sign(other_body, META_APP_SECRET)).status == 401
    assert_nothing_written(app, dynamodb, stack, run)


def test_malformed_json_is_a_400_with_the_reason(
    app: AppProcess, run: str, dynamodb: DynamoDBClient, stack: StackOutputs
) -> None:
    body = load("feed_comment", run)[:-5]
    response = app.post_meta(body)
    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["reason"].startswith("body is not valid JSON")
    assert_nothing_written(app, dynamodb, stack, run)


def test_an_unknown_shape_is_a_400_naming_the_field(app: AppProcess) -> None:
    response = app.post_meta(b'{"object":"page","entry":[{"time":1}]}')
    assert response.status == 400
    assert response.json()["reason"] == "entry.0.id: Field required"


def test_an_oversized_body_is_refused_before_anything_else(app: AppProcess) -> None:
    response = app.post_meta(b" " * (1_048_576 + 1), signature=None)
    assert response.status == 413
    assert response.json()["error"] == "payload_too_large"


# --- exactly once, threading, brand messages --------------------------------------------------


def test_a_delivery_with_several_entries_opens_one_ticket_per_customer(
    app: AppProcess, run: str
) -> None:
    response = app.post_meta(load("multi_entry", run))
    assert response.json() == {"accepted": 3}
    for customer in ("1001", "1004", "1005"):
        one_ticket(app, customer + run)
    time.sleep(SETTLE_SECONDS)
    assert app.tickets_of("1002" + run) == []  # a reaction is not a conversation


def test_redelivery_of_the_same_delivery_makes_exactly_one_ticket(
    app: AppProcess, run: str
) -> None:
    body = load("feed_comment", run)
    # Meta retries, sometimes while the first attempt is still being processed
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: app.post_meta(body).status, range(4)))
    assert statuses == [200] * 4
    ticket = one_ticket(app, f"24680{run}")
    time.sleep(SETTLE_SECONDS)  # a late duplicate has had time to be processed, too
    assert app.post_meta(body).status == 200
    time.sleep(SETTLE_SECONDS)
    again = one_ticket(app, f"24680{run}")
    assert again["id"] == ticket["id"]
    assert [e["type"] for e in again["timeline"]].count("customer_message") == 1


def test_a_comment_then_a_private_message_from_the_same_person_is_one_ticket(
    app: AppProcess, run: str
) -> None:
    app.post_meta(load("feed_comment", run))
    ticket = one_ticket(app, f"24680{run}")
    app.post_meta(load("messenger_message", run))
    app.post_meta(load("feed_followup", run))
    updated = ticket_when(app, ticket["id"], lambda t: customer_entries(t) == 3)
    assert [(p["channel"], p["thread_id"]) for p in updated["places"]] == [
        ("public_comment", f"1234567890_555_777{run}"),
        ("private_message", f"24680{run}"),
    ]
    assert customer_entries(updated) == 3
    assert len(app.tickets_of(f"24680{run}")) == 1


def test_a_page_echo_is_a_timeline_entry_not_a_ticket(app: AppProcess, run: str) -> None:
    app.post_meta(load("messenger_message", run))
    ticket = one_ticket(app, f"24680{run}")
    assert app.post_meta(load("messenger_echo", run)).status == 200
    updated = ticket_when(
        app, ticket["id"], lambda t: any(e["type"] == "brand_private_reply" for e in t["timeline"])
    )
    echo = last_entry(updated, "brand_private_reply")
    assert (echo["type"], echo["actor"]) == ("brand_private_reply", "brand")
    assert app.tickets_of(f"1234567890{run}") == []  # the page never becomes a customer
    assert len(app.tickets_of(f"24680{run}")) == 1


def test_the_page_native_public_reply_is_recorded_as_the_first_public_reply(
    app: AppProcess, run: str
) -> None:
    app.post_meta(load("feed_comment", run))
    ticket = one_ticket(app, f"24680{run}")
    app.post_meta(load("feed_page_reply", run))
    updated = ticket_when(app, ticket["id"], lambda t: t["first_public_reply_at"] is not None)
    assert last_entry(updated, "brand_public_reply")["actor"] == "brand"
    # the reply ended the workflow's wait for a first reply: it now awaits the resolution
    moved_on = ticket_when(
        app,
        ticket["id"],
        lambda t: t["pending_task"] is not None and t["pending_task"]["name"] == "await_resolution",
    )
    assert moved_on["status"] == "awaiting_resolution"


def test_instagram_comment_and_dm_become_tickets(app: AppProcess, run: str) -> None:
    app.post_meta(load("instagram_comment", run))
    app.post_meta(load("instagram_message", run))
    comment_ticket = one_ticket(app, f"6789{run}")
    dm_ticket = one_ticket(app, f"IGSID_222{run}")
    assert (comment_ticket["platform"], comment_ticket["status"]) == (
        "instagram",
        "awaiting_public_reply",
    )
    assert dm_ticket["status"] == "in_private"


# --- nothing accepted is lost ---------------------------------------------------------------


def test_queue_unavailable_answers_503_and_writes_nothing(
    app_env: dict[str, str],
    logs_dir: Path,
    app: AppProcess,
    run: str,
    dynamodb: DynamoDBClient,
    stack: StackOutputs,
) -> None:
    # A second app whose SQS endpoint is a closed port: DynamoDB and the rest stay reachable.
    broken = AppProcess(
        {
            **app_env,
            "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{free_port()}",
            "LOCAL_EVENT_SOURCES": "off",
        },
        logs_dir / "broken-sqs.log",
    )
    try:
        broken.wait_ready()
        response = broken.post_meta(load("feed_comment", run))
    finally:
        broken.stop()
    assert response.status == 503
    assert response.json()["error"] == "enqueue_failed"
    assert_nothing_written(app, dynamodb, stack, run)


def test_a_poison_message_ends_in_the_dead_letter_queue(
    app: AppProcess, run: str, sqs: SQSClient, stack: StackOutputs
) -> None:
    poison = json.dumps({"kind": "interaction", "interaction": {"oops": run}})
    sqs.send_message(
        QueueUrl=stack.inbox_queue_url,
        MessageBody=poison,
        MessageGroupId=f"poison{run}",
        MessageDeduplicationId=f"poison{run}",
    )

    def in_dlq() -> dict[str, Any] | None:
        messages = sqs.receive_message(
            QueueUrl=stack.inbox_dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
        ).get("Messages", [])
        return next((dict(m) for m in messages if m["Body"] == poison), None)

    dead = eventually(in_dlq, timeout=30)
    # tried as often as the redrive policy allows (3 locally), then set aside, not dropped
    assert int(dead["Attributes"]["ApproximateReceiveCount"]) >= 3


def test_a_page_reply_delivered_before_the_comment_it_answers_is_kept(
    app: AppProcess, run: str
) -> None:
    # Meta does not order separate deliveries: the reply is retried until its comment is known.
    app.post_meta(load("feed_page_reply", run, fresh=True))
    time.sleep(0.5)
    app.post_meta(load("feed_comment", run, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    replied = ticket_when(
        app, ticket["id"], lambda t: t["first_public_reply_at"] is not None, timeout=20
    )
    assert last_entry(replied, "brand_public_reply")["item_id"] == f"1234567890_555_779{run}"
