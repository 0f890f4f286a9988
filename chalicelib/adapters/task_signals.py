"""Completing Step Functions tasks (the callback pattern)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

logger = Logger(child=True)

# The task is over (timed out, already completed, or its execution ended): a late signal is
# dropped, not retried.
_TERMINAL = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


class TaskSignals:
    def __init__(self, client: SFNClient) -> None:
        self._client = client

    def succeed(self, token: str, output: Mapping[str, Any]) -> bool:
        return self._send(
            lambda: self._client.send_task_success(taskToken=token, output=json.dumps(output))
        )

    def fail(self, token: str, error: str, cause: str) -> bool:
        return self._send(
            lambda: self._client.send_task_failure(
                taskToken=token, error=error, cause=cause[:32768]
            )
        )

    def _send(self, call: Any) -> bool:
        try:
            call()
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code not in _TERMINAL:
                raise
            logger.info("late signal dropped", reason=code)
            return False
        return True
