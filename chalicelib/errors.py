"""Errors raised by socialsav code. The HTTP edge (app.py) maps each class to one status code."""

from __future__ import annotations


class SocialsavError(Exception):
    """Base class; `code` is the machine-readable reason given to API clients."""

    code = "error"


class InvalidRequestError(SocialsavError):
    code = "invalid_request"


class PayloadTooLargeError(SocialsavError):
    code = "payload_too_large"


class AuthenticationError(SocialsavError):
    code = "unauthorized"


class ForbiddenError(SocialsavError):
    code = "forbidden"


class NotFoundError(SocialsavError):
    code = "not_found"


class EnqueueError(SocialsavError):
    """The durable hand-off failed: the caller must answer 5xx so the platform retries."""

    code = "enqueue_failed"


class ConcurrentUpdateError(SocialsavError):
    """Someone else changed the ticket first; processing the message again will succeed."""

    code = "concurrent_update"


class InvalidMessageError(SocialsavError):
    """A queue message we cannot read: retrying will not help; it belongs in the DLQ."""

    code = "invalid_message"


class RefusedError(SocialsavError):
    """The request is understood but the case's rules forbid it now (e.g. private before public)."""

    code = "refused"


class PostFailedError(SocialsavError):
    """A platform refused or kept failing an outbound post."""

    code = "post_failed"

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.retryable = retryable


class ConfirmationNeededError(RefusedError):
    """Allowed, but the agent must confirm first (a reply that lacks the human touch)."""

    code = "needs_confirmation"


class NotYetKnownError(SocialsavError):
    """The message refers to an item not processed yet: retrying later will find it."""

    code = "not_yet_known"
