"""Signed, expiring survey tokens: `<payload>.<signature>`, both base64url.

The payload binds the ticket and the expiry; the signature is HMAC-SHA256 with a server key.
Verification is constant-time and checks the signature before reading the payload.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from chalicelib.errors import SocialsavError


class SurveyTokenError(SocialsavError):
    code = "invalid_survey_token"


class SurveyTokenExpiredError(SurveyTokenError):
    code = "survey_token_expired"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def issue(ticket_id: str, expires_at: datetime, key: bytes) -> str:
    if not key:
        raise SurveyTokenError("no survey signing key configured")
    payload = _b64(f"{ticket_id}|{int(expires_at.timestamp())}".encode())
    return f"{payload}.{_signature(payload, key)}"


def verify(token: str, now: datetime, key: bytes) -> str:
    """The ticket id the token was issued for; raise if forged, altered or expired."""
    payload, _, signature = token.partition(".")
    if not key or not payload or not signature:
        raise SurveyTokenError("malformed survey token")
    if not hmac.compare_digest(signature.encode(), _signature(payload, key).encode()):
        raise SurveyTokenError("survey token signature does not match")
    try:
        ticket_id, _, expiry = _unb64(payload).decode().rpartition("|")
        expires = int(expiry)
    except ValueError as e:
        raise SurveyTokenError("malformed survey token") from e
    if now.timestamp() >= expires:
        raise SurveyTokenExpiredError("survey link expired")
    return ticket_id
