"""The local event-source runner behaves like Lambda's SQS event source mapping.

The handlers here are stand-ins for a Lambda function; the unit under test is the runner.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from mypy_boto3_sqs import SQSClient

from infra.local.emulator import Emulator
from infra.local.event_sources import SqsPoller


@pytest.fixture
def queues(sqs: SQSClient, emulator: Emulator) -> tuple[str, str]:
    name = f"runner-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )["QueueUrl"]
    return queue, dlq


def poller(sqs: SQSClient, queue: str, handler: Any, batch_size: int = 10) -> SqsPoller:
    return SqsPoller(
        client=sqs,
        queue_url=queue,
        handler=handler,
        function_name="test",
        batch_size=batch_size,
        function_timeout=30,
        stop=threading.Event(),
    )


def bodies(sqs: SQSClient, queue: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def send(sqs: SQSClient, queue: str, *items: str) -> None:
    for item in items:
        sqs.send_message(QueueUrl=queue, MessageBody=item)


def test_a_batch_arrives_as_a_lambda_sqs_event_and_is_deleted_on_success(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    queue, _ = queues
    send(sqs, queue, "a", "b", "c")
    seen: list[dict[str, Any]] = []
    received = poller(sqs, queue, lambda event, context: seen.append(event), batch_size=2)
    assert received.poll_once() == 2
    [event] = seen
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(queue.rsplit("/", 1)[1])
    assert {"messageId", "receiptHandle", "body", "attributes", "md5OfBody"} <= set(record)
    assert received.poll_once() == 1
    assert bodies(sqs, queue) == []


def test_a_failing_handler_returns_the_batch_then_the_dlq_takes_it(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    queue, dlq = queues
    send(sqs, queue, "poison")

    def fail(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("boom")

    runner = poller(sqs, queue, fail)
    assert runner.poll_once() == 1  # first receive: fails, stays on the queue
    assert runner.poll_once() == 1  # second receive: fails again
    assert runner.poll_once() == 0  # past maxReceiveCount the queue redrives it
    assert bodies(sqs, dlq) == ["poison"]


def test_a_batch_is_not_handed_out_again_while_its_handler_runs(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    queue, _ = queues  # the queue's visibility timeout is 0: a failure is retried at once
    send(sqs, queue, "slow")
    seen_meanwhile: list[int] = []

    def slow(event: dict[str, Any], context: Any) -> None:
        other_worker = poller(sqs, queue, lambda event, context: None)
        seen_meanwhile.append(other_worker.poll_once())
        raise RuntimeError("failed after a while")

    assert poller(sqs, queue, slow).poll_once() == 1
    assert seen_meanwhile == [0]  # as on AWS, where visibility outlasts the function's timeout
    assert bodies(sqs, queue) == ["slow"]  # failed: back on the queue after the queue's timeout


def test_reported_batch_item_failures_return_only_those_messages(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    queue, _ = queues
    send(sqs, queue, "good", "bad")

    def partial(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

    assert poller(sqs, queue, partial).poll_once() == 2
    assert bodies(sqs, queue) == ["bad"]  # "good" was deleted, "bad" is back on the queue


def test_the_context_carries_what_powertools_reads(sqs: SQSClient, queues: tuple[str, str]) -> None:
    queue, _ = queues
    send(sqs, queue, "x")
    contexts: list[Any] = []
    poller(sqs, queue, lambda event, context: contexts.append(context)).poll_once()
    [context] = contexts
    assert context.function_name == "test"
    assert context.get_remaining_time_in_millis() > 0
    assert context.aws_request_id
