"""Deliver SQS messages to the app's queue handlers the way Lambda's event source mapping does.

`chalice local` serves HTTP routes only. This runner polls each queue a handler subscribes to,
invokes the handler with a Lambda-shaped SQS event, deletes what succeeded and leaves what failed
on the queue: it becomes visible again after the queue's visibility timeout, and the queue's
redrive policy moves it to the dead-letter queue after the configured number of receives.

On AWS the visibility timeout is at least six times the function's timeout, so a batch is never
handed out again while a function is still working on it. Locally the queues' timeout is short, so
failures are retried in seconds; the runner keeps that invariant by holding a batch invisible for a
function timeout while the handler runs, and giving failed messages the queue's own timeout back.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

logger = Logger(service="local-event-sources")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes Powertools and Chalice read from a Lambda context."""

    function_name: str
    timeout_ms: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:local"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


def lambda_event(messages: list[MessageTypeDef], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def failed_ids(result: Any) -> set[str]:
    """Message ids a handler reported as failed (Lambda's ReportBatchItemFailures response)."""
    if isinstance(result, dict):
        return {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    return set()


class SqsPoller(threading.Thread):
    def __init__(
        self,
        *,
        client: SQSClient,
        queue_url: str,
        handler: Handler,
        function_name: str,
        batch_size: int,
        function_timeout: int,
        stop: threading.Event,
    ) -> None:
        """`function_timeout` (seconds) is the deployed functions' `lambda_timeout`."""
        super().__init__(name=f"sqs-{function_name}", daemon=True)
        self._client = client
        self._queue_url = queue_url
        self._handler = handler
        self._function_name = function_name
        self._batch_size = batch_size
        self._function_timeout = function_timeout
        self._stopping = stop
        attributes = client.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"]
        )["Attributes"]
        self._queue_arn = attributes["QueueArn"]
        self._retry_after = int(attributes["VisibilityTimeout"])
        self._region = self._queue_arn.split(":")[3]

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception:
                if self._stopping.is_set():
                    return  # the emulator went away first during shutdown
                logger.exception("polling failed", queue=self._queue_url)
                self._stopping.wait(1)

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch and deliver it; return how many messages were received."""
        response = self._client.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=min(self._batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=max(self._function_timeout, self._retry_after),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if messages:
            self.deliver(messages)
        return len(messages)

    def deliver(self, messages: list[MessageTypeDef]) -> None:
        event = lambda_event(messages, self._queue_arn, self._region)
        context = LambdaContext(self._function_name, timeout_ms=self._function_timeout * 1000)
        try:
            failed = failed_ids(self._handler(event, context))
        except Exception:
            logger.exception(
                "handler failed; the batch returns to the queue",
                function=self._function_name,
                messages=len(messages),
            )
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._client.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        retried = [m for m in messages if m["MessageId"] in failed]
        if retried:
            self._client.change_message_visibility_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self._retry_after,
                    }
                    for i, m in enumerate(retried)
                ],
            )
