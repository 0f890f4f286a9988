"""Authenticating Meta: the subscription handshake and the payload signature."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from chalicelib.errors import AuthenticationError, ForbiddenError

SIGNATURE_HEADER = "x-hub-signature-256"
_PREFIX = "sha256="


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Check `X-Hub-Signature-256` against the raw bytes Meta sent (never re-serialised JSON)."""
    if not app_secret:
        raise AuthenticationError("the Meta app secret is not configured")
    if not header:
        raise AuthenticationError("missing X-Hub-Signature-256 header")
    if not header.startswith(_PREFIX):
        raise AuthenticationError("X-Hub-Signature-256 must start with 'sha256='")
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    received = header[len(_PREFIX) :].strip().lower()
    if not hmac.compare_digest(expected.encode(), received.encode("utf-8", "replace")):
        raise AuthenticationError("X-Hub-Signature-256 does not match the body")


def sign(raw_body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `raw_body` (used by tests and the README's curl)."""
    return _PREFIX + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def answer_handshake(params: Mapping[str, str], verify_token: str) -> str:
    """Return the challenge to echo when the subscription request carries our verify token."""
    # Some proxies rewrite the dots in `hub.mode` to underscores; accept both spellings.
    mode = params.get("hub.mode") or params.get("hub_mode")
    token = params.get("hub.verify_token") or params.get("hub_verify_token") or ""
    challenge = params.get("hub.challenge") or params.get("hub_challenge")
    if not verify_token:
        raise ForbiddenError("the Meta verify token is not configured")
    if mode != "subscribe" or not challenge:
        raise ForbiddenError("not a subscription request")
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise ForbiddenError("verify token does not match")
    return challenge
