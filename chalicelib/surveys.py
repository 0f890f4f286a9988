"""The satisfaction survey behind a resolution message's link.

The link's token is signed, bound to the ticket and expiring. An answer is stored once (a
conditional write with a per-ticket marker), goes on the timeline (so the Slack card shows it),
and ends the workflow's survey wait at once. A forged or altered link answers 403, an expired
one 410, an unknown ticket 404, too many requests 429: each with a friendly page and nothing
stored. The form carries a CSRF token derived from the link's, and a cross-site post is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from chalicelib import survey_page
from chalicelib.adapters.ticket_store import DuplicateEventError
from chalicelib.domain import survey_token
from chalicelib.domain.ticket import EntryType, SurveyAnswer, Ticket
from chalicelib.errors import ConcurrentUpdateError, InvalidRequestError
from chalicelib.forms import parse_form
from chalicelib.survey_page import Page
from chalicelib.ticket_workflow import TicketWorkflowService, WorkflowStore, entry

logger = Logger(child=True)

MAX_FORM_BYTES = 8192  # a rating and 500 characters of comment fit many times over


class Limiter(Protocol):
    def allow(self, client_id: str, now: datetime) -> bool: ...


class Surveys:
    def __init__(
        self,
        tickets: WorkflowStore,
        workflow: TicketWorkflowService,
        limiter: Limiter,
        key: Callable[[], bytes],
        brand: str,
        now: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._workflow = workflow
        self._limiter = limiter
        self._key = key
        self._brand = brand
        self._now = now

    def show(self, token: str, *, client: str, language: str | None) -> Page:
        found = self._open(token, client, language)
        if isinstance(found, Page):
            return found
        if found.survey is not None:
            return self._message(found.language, "thanks_title", "already")
        return Page(200, self._form(found, token))

    def answer(
        self,
        token: str,
        body: bytes,
        *,
        client: str,
        language: str | None,
        same_origin: bool,
    ) -> Page:
        found = self._open(token, client, language)
        if isinstance(found, Page):
            return found
        ticket = found
        try:
            if len(body) > MAX_FORM_BYTES:
                raise InvalidRequestError(f"form over {MAX_FORM_BYTES} bytes")
            form = parse_form(body)
        except InvalidRequestError as e:
            logger.warning("survey post unreadable", ticket_id=ticket.id, reason=str(e))
            error = survey_page.texts(ticket.language)["missing"]
            return Page(400, self._form(ticket, token, error))
        given = form.get("csrf", "").encode()
        if not same_origin or not hmac.compare_digest(given, self._csrf(token).encode()):
            logger.warning("survey post refused: cross-site or no CSRF token", ticket_id=ticket.id)
            return Page(403, survey_page.message(ticket.language, "invalid_title", "invalid"))
        if ticket.survey is not None:
            return self._message(ticket.language, "thanks_title", "already", status=409)
        try:
            answer = SurveyAnswer(
                rating=int(form.get("rating", "")),
                comment=form.get("comment"),
                answered_at=self._now(),
            )
        except (ValueError, ValidationError):
            error = survey_page.texts(ticket.language)["missing"]
            return Page(400, self._form(ticket, token, error))
        return self._record(ticket, answer)

    def _open(self, token: str, client: str, language: str | None) -> Ticket | Page:
        if not self._limiter.allow(client, self._now()):
            return Page(429, survey_page.message(language, "slow_title", "slow"))
        try:
            ticket_id = survey_token.verify(token, self._now(), self._key())
        except survey_token.SurveyTokenExpiredError:
            return Page(410, survey_page.message(language, "expired_title", "expired"))
        except survey_token.SurveyTokenError as e:
            logger.warning("survey token refused", reason=str(e))
            return Page(403, survey_page.message(language, "invalid_title", "invalid"))
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            return Page(404, survey_page.message(language, "invalid_title", "invalid"))
        return ticket

    def _record(self, ticket: Ticket, answer: SurveyAnswer) -> Page:
        for _ in range(3):  # the ticket may change under us (the workflow, an agent)
            try:
                stored = self._tickets.update(
                    ticket,
                    ticket.model_copy(update={"survey": answer}),
                    entries=[
                        entry(
                            f"survey#{ticket.id}",
                            EntryType.SURVEY_ANSWERED,
                            answer.answered_at,
                            answer.summary,
                            actor="customer",
                        )
                    ],
                    markers=[f"{ticket.id}#survey"],
                )
            except DuplicateEventError:
                return self._message(ticket.language, "thanks_title", "already", status=409)
            except ConcurrentUpdateError:
                ticket = self._tickets.get(ticket.id) or ticket
                continue
            logger.info("survey answered", ticket_id=ticket.id, rating=answer.rating)
            self._workflow.signal_if_ready(stored, event="survey")
            return self._message(ticket.language, "thanks_title", "thanks")
        raise ConcurrentUpdateError(f"ticket {ticket.id} kept changing")

    def _csrf(self, token: str) -> str:
        return hmac.new(self._key(), b"survey-csrf|" + token.encode(), hashlib.sha256).hexdigest()

    def _form(self, ticket: Ticket, token: str, error: str | None = None) -> str:
        return survey_page.form(
            ticket.language,
            brand=self._brand,
            first_name=ticket.customer.first_name,
            action=token,
            csrf=self._csrf(token),
            error=error,
        )

    def _message(self, language: str | None, title: str, text: str, status: int = 200) -> Page:
        return Page(status, survey_page.message(language, title, text, brand=self._brand))
