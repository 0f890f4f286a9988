"""Calls to the Slack Web API (slack_sdk's WebClient), or, without a bot token, their log.

The base URL comes from configuration, so tests point it at a local fake speaking Slack's wire
format. Rate limits (429 + Retry-After), server errors and dropped connections are retried by
slack_sdk's retry handlers.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Protocol

from aws_lambda_powertools import Logger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from chalicelib.errors import SocialsavError

logger = Logger(child=True)


class SlackCallError(SocialsavError):
    """Slack refused or could not be reached: the reason is Slack's error code."""

    code = "slack_unavailable"


class SlackApi(Protocol):
    def post(
        self, channel: str, text: str, blocks: Sequence[Block] = (), thread_ts: str | None = None
    ) -> str: ...
    def update(self, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> None: ...
    def open_view(self, trigger_id: str, view: View) -> None: ...
    def display_name(self, user_id: str, fallback: str) -> str: ...
    def respond(self, response_url: str, text: str) -> None: ...


class SlackWeb:
    def __init__(self, token: str, base_url: str, timeout: int = 5) -> None:
        retries = [
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
        self._client = WebClient(
            token=token, base_url=base_url, timeout=timeout, retry_handlers=retries
        )
        self._timeout = timeout

    def post(
        self, channel: str, text: str, blocks: Sequence[Block] = (), thread_ts: str | None = None
    ) -> str:
        try:
            response = self._client.chat_postMessage(
                channel=channel, text=text, blocks=list(blocks) or None, thread_ts=thread_ts
            )
        except SlackClientError as e:
            raise _failure("chat.postMessage", e) from e
        return str(response["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> None:
        try:
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=list(blocks))
        except SlackClientError as e:
            raise _failure("chat.update", e) from e

    def open_view(self, trigger_id: str, view: View) -> None:
        try:
            self._client.views_open(trigger_id=trigger_id, view=view)
        except SlackClientError as e:
            raise _failure("views.open", e) from e

    def display_name(self, user_id: str, fallback: str) -> str:
        """The agent's real name (its first word signs replies); `fallback` if unknown."""
        try:
            profile = self._client.users_info(user=user_id)["user"]["profile"]
        except (SlackClientError, KeyError, TypeError):
            return fallback
        return str(profile.get("first_name") or profile.get("real_name") or fallback)

    def respond(self, response_url: str, text: str) -> None:
        """A message only the acting agent sees, through the interaction's response URL."""
        response = WebhookClient(response_url, timeout=self._timeout).send(
            text=text, response_type="ephemeral", replace_original=False
        )
        if response.status_code != 200:
            raise SlackCallError(f"response_url: HTTP {response.status_code} {response.body}")


def _failure(method: str, e: SlackClientError) -> SlackCallError:
    if isinstance(e, SlackApiError):
        return SlackCallError(f"{method}: {e.response.get('error', 'error')}")
    return SlackCallError(f"{method}: {type(e).__name__}")


class SlackLog:
    """No bot token (the local default): every call is written to the log, readably."""

    def __init__(self) -> None:
        self._ts = itertools.count(1)

    def post(
        self, channel: str, text: str, blocks: Sequence[Block] = (), thread_ts: str | None = None
    ) -> str:
        ts = f"{next(self._ts)}.000000"
        where = f"{channel} (thread {thread_ts})" if thread_ts else channel
        logger.info(f"slack post to {where}: {text}", slack_ts=ts, blocks=_readable(blocks))
        return ts

    def update(self, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> None:
        logger.info(f"slack card {channel}/{ts} updated: {text}", blocks=_readable(blocks))

    def open_view(self, trigger_id: str, view: View) -> None:
        logger.info(f"slack modal opened: {view.callback_id}", view=view.to_dict())

    def display_name(self, user_id: str, fallback: str) -> str:
        return fallback

    def respond(self, response_url: str, text: str) -> None:
        logger.info(f"slack ephemeral answer: {text}")


def _readable(blocks: Sequence[Block]) -> list[str]:
    """Each block's text, as an agent would read it."""
    lines: list[str] = []
    for block in blocks:
        data = block.to_dict()
        text = data.get("text")
        if isinstance(text, dict):
            lines.append(str(text.get("text", "")))
        for part in data.get("fields", []) + data.get("elements", []):
            label = part.get("text")
            lines.append(
                str(label.get("text") if isinstance(label, dict) else label or json.dumps(part))
            )
    return [line for line in lines if line]
