"""The wire format of messages on the inbox queue: interactions and agents' requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chalicelib.domain.interaction import Interaction
from chalicelib.errors import InvalidMessageError


class InteractionReceived(BaseModel):
    """A platform told us about an interaction; `received_at` is when the webhook arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["interaction"] = "interaction"
    interaction: Interaction
    received_at: datetime


class AgentAction(BaseModel):
    """An agent asked for something on a ticket (from Slack, or the admin API)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["agent_action"] = "agent_action"
    request_id: str = Field(min_length=1, max_length=128)
    ticket_id: str
    action: Literal["reply_publicly", "send_private", "resolve", "hide", "assign", "route"]
    text: str | None = Field(default=None, max_length=8000)
    agent: str | None = Field(default=None, max_length=100)  # signs replies: "Marie Curie"
    agent_id: str | None = Field(default=None, max_length=64)  # the Slack user, for "assign"
    team: str | None = Field(default=None, max_length=64)  # for "route"
    confirm: bool = False  # send a public reply despite the human-touch check's flags
    requested_at: datetime


InboxMessage = Annotated[InteractionReceived | AgentAction, Field(discriminator="kind")]
_INBOX = TypeAdapter[InteractionReceived | AgentAction](InboxMessage)


def parse_inbox_message(body: str) -> InteractionReceived | AgentAction:
    try:
        return _INBOX.validate_json(body)
    except ValidationError as e:
        raise InvalidMessageError(f"unreadable inbox message: {e.errors()[0]['msg']}") from e
