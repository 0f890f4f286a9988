from __future__ import annotations

import hashlib
import hmac

import pytest

from chalicelib.errors import AuthenticationError, ForbiddenError
from chalicelib.platforms.meta.verification import answer_handshake, sign, verify_signature
from tests.meta_payloads import load

SECRET = "app-secret"


def test_sign_is_hmac_sha256_of_the_raw_body_in_lowercase_hex() -> None:
    body = load("feed_comment")
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(body, SECRET) == f"sha256={expected}"


def test_a_good_signature_passes_including_non_ascii_bodies() -> None:
    body = load("feed_comment")  # contains an emoji and accents, as raw UTF-8
    verify_signature(body, sign(body, SECRET), SECRET)


def test_uppercase_hex_is_accepted() -> None:
    body = b'{"object":"page"}'
    verify_signature(body, "sha256=" + sign(body, SECRET)[7:].upper(), SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("sha1=abc", "must start with"),
        ("sha256=" + "0" * 64, "does not match"),
        ("sha256=é", "does not match"),
    ],
)
def test_bad_signatures_are_refused(header: str | None, reason: str) -> None:
    with pytest.raises(AuthenticationError, match=reason):
        verify_signature(b"{}", header, SECRET)


def test_a_signature_over_a_reserialised_body_does_not_match() -> None:
    body = load("feed_comment")
    other = body.replace(b": ", b":")
    with pytest.raises(AuthenticationError):
        verify_signature(other, sign(body, SECRET), SECRET)


def test_no_configured_secret_refuses_everything() -> None:
    with pytest.raises(AuthenticationError, match="not configured"):
        verify_signature(b"{}", sign(b"{}", ""), "")


def test_handshake_echoes_the_challenge() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert answer_handshake(params, "tok") == "1158201444"


def test_handshake_accepts_underscored_names() -> None:
    params = {"hub_mode": "subscribe", "hub_verify_token": "tok", "hub_challenge": "7"}
    assert answer_handshake(params, "tok") == "7"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "tok"},
        {},
    ],
)
def test_handshake_refusals(params: dict[str, str]) -> None:
    with pytest.raises(ForbiddenError):
        answer_handshake(params, "tok")


def test_handshake_refused_when_no_token_is_configured() -> None:
    with pytest.raises(ForbiddenError, match="not configured"):
        answer_handshake(
            {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, ""
        )
