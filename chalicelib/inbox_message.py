"""The wire format of messages on the inbox queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib.domain.interaction import Interaction
from chalicelib.errors import InvalidMessageError


class InteractionReceived(BaseModel):
    """A platform told us about an interaction; `received_at` is when the webhook arrived."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["interaction"] = "interaction"
    interaction: Interaction
    received_at: datetime


def parse_inbox_message(body: str) -> InteractionReceived:
    try:
        return InteractionReceived.model_validate_json(body)
    except ValidationError as e:
        raise InvalidMessageError(f"unreadable inbox message: {e.errors()[0]['msg']}") from e
