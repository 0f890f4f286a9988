"""The satisfaction survey on the local stack: the link from a real resolution message, over
HTTP and in headless Chromium (Debian's, driven by Playwright's Python API)."""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from chalicelib.domain import survey_token
from tests.fakes.graph_server import FakeGraph
from tests.fakes.slack_server import FakeSlack
from tests.integration.conftest import PAGE_ID, Launch
from tests.integration.stack import (
    PROJECT_DIR,
    AppProcess,
    last_entry,
    one_ticket,
    ticket_when,
    waiting_for,
)
from tests.meta_payloads import load

SURVEY_KEY = b"local-survey-signing-key"  # the documented local value in .chalice/config.json
ARTIFACTS = PROJECT_DIR / "build" / "test-artifacts"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def resolved(app: AppProcess, graph: FakeGraph, run: str) -> tuple[dict[str, Any], str]:
    """A ticket answered by the page and resolved by an agent, and the survey link its
    resolution message carried."""
    app.post_meta(load("feed_comment", run, page=PAGE_ID, fresh=True))
    app.post_meta(load("feed_page_reply", run, page=PAGE_ID, fresh=True))
    ticket = one_ticket(app, f"24680{run}")
    waiting_for(app, ticket["id"], "await_resolution")
    assert app.act(ticket["id"], "resolve", text="Parcel found").status == 202
    waiting_for(app, ticket["id"], "await_survey")
    message = graph.to(f"{PAGE_ID}_555_777{run}")[-1].body["message"]
    link = re.search(r"https?://\S+/survey/\S+", message)
    assert link, message
    return ticket, link.group(0)


def path_of(link: str) -> str:
    return urllib.parse.urlparse(link).path


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def answered_and_closed(app: AppProcess, ticket_id: str) -> dict[str, Any]:
    # the survey wait lasts 504 s on this stack: closing now means the answer ended it
    return ticket_when(app, ticket_id, lambda t: t["status"] == "closed", timeout=20)


# --- over HTTP ------------------------------------------------------------------------------------


def test_an_answer_is_stored_once_and_ends_the_survey_wait(
    app: AppProcess, graph: FakeGraph, slack: FakeSlack, run: str
) -> None:
    ticket, link = resolved(app, graph, run)
    page = app.request("GET", path_of(link))
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Referrer-Policy"] == "same-origin"
    html = page.body.decode()
    assert "Hi Jane," in html
    assert "Acme" in html
    assert "Doe" not in html  # nothing of the customer beyond the first name
    body = urllib.parse.urlencode(
        {"rating": "4", "comment": "Quick and kind", "csrf": csrf_of(html)}
    ).encode()
    thanks = app.request("POST", path_of(link), body, FORM)
    assert thanks.status == 200
    assert "Your answer has been recorded" in thanks.body.decode()

    closed = answered_and_closed(app, ticket["id"])
    assert closed["survey"]["rating"] == 4
    assert closed["survey"]["comment"] == "Quick and kind"
    assert last_entry(closed, "survey_answered")["text"] == "★★★★☆ 4/5: Quick and kind"
    assert slack.wait_for("chat.update", "Survey: ★★★★☆ 4/5", ts=closed["slack_card"]["ts"])

    again = body.replace(b"rating=4", b"rating=1")
    second = app.request("POST", path_of(link), again, FORM)
    assert second.status == 409
    assert "already recorded" in second.body.decode()
    assert app.ticket(ticket["id"])["survey"]["rating"] == 4
    assert app.request("GET", path_of(link)).body.decode().count("already recorded") == 1

    figures = app.admin("/admin/csat?days=1").json()
    assert figures["answers"] >= 1
    assert 0 < figures["csat"] <= 1


def test_posts_without_the_form_token_or_from_another_site_store_nothing(
    app: AppProcess, graph: FakeGraph, run: str
) -> None:
    ticket, link = resolved(app, graph, run)
    csrf = csrf_of(app.request("GET", path_of(link)).body.decode())
    no_token = app.request("POST", path_of(link), b"rating=5", FORM)
    assert no_token.status == 403
    body = urllib.parse.urlencode({"rating": "5", "csrf": csrf}).encode()
    cross_site = app.request(
        "POST", path_of(link), body, {**FORM, "Origin": "https://evil.example"}
    )
    assert cross_site.status == 403
    bad_rating = app.request("POST", path_of(link), body.replace(b"rating=5", b"rating=9"), FORM)
    assert bad_rating.status == 400
    assert "Please choose a rating" in bad_rating.body.decode()
    for unreadable in (b"rating=5&comment=\xff\xfe", b"comment=" + b"x" * 9000):
        assert app.request("POST", path_of(link), unreadable, FORM).status == 400
    assert app.ticket(ticket["id"])["survey"] is None


@pytest.mark.parametrize(
    ("make_token", "status", "text"),
    [
        (
            lambda: survey_token.issue("tk-x", datetime.now(UTC) - timedelta(days=1), SURVEY_KEY),
            410,
            "expired",
        ),
        (
            lambda: survey_token.issue("tk-x", datetime.now(UTC) + timedelta(days=1), b"forger"),
            403,
            "not valid",
        ),
        (lambda: "not-a-token", 403, "not valid"),
        (
            lambda: survey_token.issue(
                "tk-nope", datetime.now(UTC) + timedelta(days=1), SURVEY_KEY
            ),
            404,
            "not valid",
        ),
    ],
)
def test_expired_forged_and_unknown_links_answer_a_friendly_page(
    app: AppProcess, make_token: Any, status: int, text: str
) -> None:
    token = make_token()
    for method, body in (("GET", None), ("POST", b"rating=5&csrf=x")):
        page = app.request(method, f"/survey/{token}", body, FORM if body else {})
        assert page.status == status
        assert text in page.body.decode()


def test_altered_links_are_refused(app: AppProcess, graph: FakeGraph, run: str) -> None:
    ticket, link = resolved(app, graph, run)
    token = path_of(link).rsplit("/", 1)[1]
    payload, signature = token.split(".")
    other = survey_token.issue(ticket["id"], datetime.now(UTC) + timedelta(days=400), b"x")
    altered = f"{other.split('.')[0]}.{signature}"
    assert app.request("GET", f"/survey/{altered}").status == 403
    assert app.request("GET", f"/survey/{payload}.{signature[:-2]}AA").status == 403


def test_french_customers_get_the_page_in_french(
    app: AppProcess, graph: FakeGraph, run: str
) -> None:
    app.post_meta(load("feed_comment_fr", run, page=PAGE_ID, fresh=True))
    ticket = one_ticket(app, f"24681{run}")
    assert ticket["language"] == "fr"
    token = survey_token.issue(ticket["id"], datetime.now(UTC) + timedelta(days=1), SURVEY_KEY)
    html = app.request("GET", f"/survey/{token}").body.decode()
    assert '<html lang="fr">' in html
    assert "Votre avis compte" in html
    assert "Bonjour Élodie," in html


def test_too_many_requests_from_one_address_are_slowed_down(launch: Launch) -> None:
    app, _ = launch("survey-limit", 1200.0, {"SURVEY_REQUESTS_PER_MINUTE": "5"})
    # the allowance is per clock minute: start early in one, so all seven requests share it
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    statuses = [app.request("GET", "/survey/not-a-token").status for _ in range(7)]
    assert statuses[:5] == [403] * 5
    assert statuses[5:] == [429, 429]


# --- in a browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,  # the page must work without JavaScript
    )
    yield context.new_page()
    context.close()


def test_a_customer_rates_and_comments_on_a_phone(
    app: AppProcess, graph: FakeGraph, run: str, phone: Page
) -> None:
    ticket, link = resolved(app, graph, run)
    response = phone.goto(link)
    assert response is not None
    assert response.status == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "survey-mobile.png"), full_page=True)
    phone.get_by_label("5, very satisfied").check()
    phone.get_by_label(re.compile("Anything to add")).fill("Parcel arrived, thanks Sam!")
    phone.get_by_role("button", name="Send my answer").click()
    assert phone.get_by_role("heading").inner_text() == "Thank you!"
    assert "Your answer has been recorded" in phone.content()
    closed = answered_and_closed(app, ticket["id"])
    assert closed["survey"]["rating"] == 5
    assert closed["survey"]["comment"] == "Parcel arrived, thanks Sam!"


def test_the_survey_works_with_the_keyboard_alone(
    app: AppProcess, graph: FakeGraph, run: str, phone: Page
) -> None:
    ticket, link = resolved(app, graph, run)
    phone.goto(link)
    phone.keyboard.press("Tab")  # the first rating option
    assert phone.evaluate("document.activeElement.value") == "5"
    phone.keyboard.press("ArrowDown")  # radio buttons move with the arrows: 4
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "comment"
    phone.keyboard.type("Good")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    assert phone.get_by_role("heading").inner_text() == "Thank you!"
    assert answered_and_closed(app, ticket["id"])["survey"]["rating"] == 4


def test_expired_and_forged_links_show_a_friendly_page_in_the_browser(
    app: AppProcess, phone: Page
) -> None:
    expired = survey_token.issue("tk-x", datetime.now(UTC) - timedelta(days=1), SURVEY_KEY)
    response = phone.goto(f"{app.base_url}/survey/{expired}")
    assert response is not None
    assert response.status == 410
    assert phone.get_by_role("heading").inner_text() == "This survey has closed"
    forged = survey_token.issue("tk-x", datetime.now(UTC) + timedelta(days=1), b"forger")
    response = phone.goto(f"{app.base_url}/survey/{forged}")
    assert response is not None
    assert response.status == 403
    assert phone.get_by_role("heading").inner_text() == "This link does not work"
