"""The admin read API: bearer-token protected, JSON in, JSON out."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.stack import AppProcess, eventually
from tests.meta_payloads import load


@pytest.mark.parametrize("path", ["/admin/tickets", "/admin/tickets/tk-anything"])
@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_admin_routes_need_the_bearer_token(app: AppProcess, path: str, token: str | None) -> None:
    response = app.admin(path, token=token)
    assert response.status == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_another_scheme_is_refused(app: AppProcess) -> None:
    response = app.request(
        "GET", "/admin/tickets", headers={"Authorization": "Basic local-admin-token"}
    )
    assert response.status == 401


def test_an_unknown_ticket_is_404(app: AppProcess) -> None:
    response = app.admin("/admin/tickets/tk-does-not-exist")
    assert response.status == 404
    assert response.json() == {"error": "not_found", "reason": "no ticket tk-does-not-exist"}


@pytest.mark.parametrize("query", ["status=lost", "limit=many"])
def test_bad_query_parameters_are_400(app: AppProcess, query: str) -> None:
    response = app.admin(f"/admin/tickets?{query}")
    assert response.status == 400
    assert response.json()["error"] == "invalid_request"


def test_tickets_are_listed_by_status_oldest_first(app: AppProcess, run: str) -> None:
    app.post_meta(load("feed_comment", run))
    app.post_meta(load("instagram_message", run))
    eventually(lambda: app.tickets_of(f"24680{run}") and app.tickets_of(f"IGSID_222{run}"))

    awaiting = app.admin("/admin/tickets?status=awaiting_public_reply&limit=500").json()
    in_private = app.admin("/admin/tickets?status=in_private&limit=500").json()
    assert f"24680{run}" in [t["customer"]["id"] for t in awaiting["tickets"]]
    assert f"24680{run}" not in [t["customer"]["id"] for t in in_private["tickets"]]
    assert f"IGSID_222{run}" in [t["customer"]["id"] for t in in_private["tickets"]]
    created = [t["created_at"] for t in awaiting["tickets"]]
    assert created == sorted(created)


def test_tickets_of_one_customer(app: AppProcess, run: str) -> None:
    app.post_meta(load("feed_comment", run))
    eventually(lambda: app.tickets_of(f"24680{run}"))
    key = quote(f"facebook#1234567890{run}#24680{run}")
    tickets = app.admin(f"/admin/tickets?customer={key}").json()["tickets"]
    assert [t["customer"]["id"] for t in tickets] == [f"24680{run}"]
    assert app.admin(f"/admin/tickets?customer={quote('facebook#nobody')}").json() == {
        "tickets": []
    }
