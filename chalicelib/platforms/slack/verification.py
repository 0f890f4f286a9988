"""Slack request signatures: `v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's
signing secret, within five minutes of now (slack_sdk's SignatureVerifier does the arithmetic
and the constant-time comparison)."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.signature import SignatureVerifier

from chalicelib.errors import AuthenticationError

TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"


def verify_slack_request(raw_body: bytes, headers: Mapping[str, str], signing_secret: str) -> None:
    """Raise `AuthenticationError` unless Slack signed this very body, recently."""
    if not signing_secret:
        raise AuthenticationError("no Slack signing secret is configured")
    timestamp = headers.get(TIMESTAMP_HEADER)
    if timestamp is None or not timestamp.isdigit():
        raise AuthenticationError(f"missing or malformed {TIMESTAMP_HEADER}")
    verifier = SignatureVerifier(signing_secret)
    if not verifier.is_valid(raw_body, timestamp, headers.get(SIGNATURE_HEADER)):
        raise AuthenticationError("bad Slack signature, or a timestamp older than five minutes")
