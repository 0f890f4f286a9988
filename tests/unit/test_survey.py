"""The survey's answer, its page and CSAT figures, without the network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from chalicelib import survey_page
from chalicelib.domain.survey import csat
from chalicelib.domain.ticket import SurveyAnswer, TicketStatus
from chalicelib.domain.workflow import Task, completion
from tests.unit.test_workflow_rules import CLOCK, NOW, ticket_from, waiting


def answer(rating: int, comment: str | None = None) -> SurveyAnswer:
    return SurveyAnswer(rating=rating, comment=comment, answered_at=NOW)


def test_an_answer_is_a_rating_from_1_to_5_with_a_short_optional_comment() -> None:
    assert answer(5, "  Great\n service ").comment == "Great service"
    assert answer(3, "   ").comment is None
    assert answer(4, "Fast").summary == "★★★★☆ 4/5: Fast"
    for rating in (0, 6):
        with pytest.raises(ValidationError):
            answer(rating)
    with pytest.raises(ValidationError):
        answer(5, "x" * 501)


def test_the_survey_wait_ends_when_the_answer_is_on_the_ticket() -> None:
    ticket = waiting(ticket_from("feed_comment", status=TicketStatus.RESOLVED), Task.AWAIT_SURVEY)
    assert completion(ticket, event="survey", now=NOW, clock=CLOCK) is None
    done = completion(
        ticket.model_copy(update={"survey": answer(2)}), event="survey", now=NOW, clock=CLOCK
    )
    assert done is not None
    assert done.output == {"survey": 2}
    assert done.ticket.pending_task is not None
    assert done.ticket.pending_task.claimed_by == "survey"


def test_csat_is_the_share_of_4_and_5_answers() -> None:
    base = ticket_from("feed_comment", resolved_at=NOW - timedelta(days=1))
    tickets = [base.model_copy(update={"survey": answer(rating)}) for rating in (5, 4, 2)] + [
        base,
        ticket_from("feed_comment"),
    ]  # one resolved without answer, one still open
    figures = csat(tickets)
    assert (figures.surveyed, figures.answers, figures.satisfied) == (4, 3, 2)
    assert figures.score == pytest.approx(2 / 3)
    assert figures.average == pytest.approx(11 / 3)
    assert figures.response_rate == 0.75
    empty = csat([])
    assert (empty.score, empty.average, empty.response_rate) == (None, None, None)


def test_the_page_escapes_what_it_shows_and_labels_every_control() -> None:
    html = survey_page.form(
        "en", brand="Acme", first_name="<script>x</script>", action="tok.sig", csrf="c"
    )
    assert "<script>x" not in html
    assert "&lt;script&gt;" in html
    assert html.count('type="radio" name="rating"') == 5
    assert html.count("<label>") == 5  # each radio inside its label
    assert '<label class="comment" for="comment">' in html
    assert 'maxlength="500"' in html
    assert "<script" not in html.replace("&lt;script", "")  # no JavaScript at all
    assert "http" not in html  # no external asset


def test_the_page_speaks_the_customer_language_and_falls_back_to_english() -> None:
    assert '<html lang="fr">' in survey_page.form(
        "fr", brand="Acme", first_name="Élodie", action="t", csrf="c"
    )
    assert '<html lang="en">' in survey_page.message("de", "expired_title", "expired")
    assert set(survey_page.TEXTS["fr"]) == set(survey_page.TEXTS["en"])
