"""Accepting a platform webhook: authenticate, validate, normalise, enqueue. Nothing else.

The route answers as soon as the interactions are durably queued, so Meta's delivery is
acknowledged fast; everything slow happens in the inbox consumer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chalicelib.domain.interaction import Interaction
from chalicelib.errors import PayloadTooLargeError
from chalicelib.platforms.meta.normalise import interactions_from, parse_delivery
from chalicelib.platforms.meta.verification import verify_signature


class Queue(Protocol):
    def publish(self, interactions: Sequence[Interaction], *, received_at: datetime) -> None: ...


def accept_meta_delivery(
    *,
    raw_body: bytes,
    signature: str | None,
    app_secret: str,
    max_bytes: int,
    queue: Queue,
    received_at: datetime,
) -> list[Interaction]:
    """Return the interactions queued; raise (and queue nothing) when the delivery is refused."""
    if len(raw_body) > max_bytes:
        raise PayloadTooLargeError(f"body exceeds {max_bytes} bytes")
    verify_signature(raw_body, signature, app_secret)
    interactions = interactions_from(parse_delivery(raw_body), received_at=received_at)
    if interactions:
        queue.publish(interactions, received_at=received_at)
    return interactions
