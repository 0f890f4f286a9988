"""Triage on the labelled sets (tests/fixtures/triage). `bench/triage_eval.py` prints the full
figures; these tests hold the line on what must never regress.

The rules are tuned on the development sets (`DEVELOPMENT` in the bench) only; the `VALIDATION`
sets are scored but never read, to tell whether a change generalises; `evaluation.jsonl` is held
out: it is scored, never read.
"""

from __future__ import annotations

import pytest

from bench.triage_eval import SETS, evaluate, look_alikes
from chalicelib.charter import load_charter
from chalicelib.domain.triage import HIDDEN, Triage

# Measured on the held-out set when the rules last changed (see the README). The target
# is 90 %: not reached yet, and this floor only stops it from getting worse. It went from 0.83
# to 0.82 once, on purpose: rules narrowed so that 400 more everyday look-alikes are answered
# let one held-out abuse message through as a complaint (answered, never hidden by mistake).
EVALUATION_ACCURACY_FLOOR = 0.82


@pytest.mark.parametrize("name", SETS)
def test_no_complaint_or_praise_is_ever_classified_abuse_or_spam(name: str) -> None:
    # both are hidden: hiding a legitimate complaint is the worst error, it looks like censorship
    assert evaluate(name).hidden_by_mistake() == []


def test_the_sets_are_real_and_balanced() -> None:
    report = evaluate("evaluation")
    assert len(report.results) >= 300
    assert {m.language for m, _ in report.results} == {"fr", "en"}
    assert {m.category for m, _ in report.results} == {
        "complaint",
        "question",
        "contact_request",
        "praise",
        "abuse",
        "spam",
    }


def test_accuracy_on_the_held_out_set_does_not_regress() -> None:
    assert evaluate("evaluation").accuracy >= EVALUATION_ACCURACY_FLOOR


def test_language_detection() -> None:
    assert evaluate("evaluation").share("language") >= 0.95


# Written to look like abuse or spam without being either: a customer who reports an insult, a
# neutral mention of a group or a disability, French "retard" (a delay), a photo link, a question
# about the Acme giveaway, a YouTuber's plug for their test of the brand's scooter. These few are
# still hidden; fixing one makes this test fail, on purpose, so the list only ever shrinks.
KNOWN_WRONGLY_HIDDEN = {
    "Le vendeur, pas un con, m'a conseillé le bon modèle",
    "The driver's dog is a pig lol he sniffed my parcel",
    "The driver was late because a cow was on the road",
    "The driver was stuck behind a pig farm lorry",
    "Follow back? lol no, just fix my dishwasher",
    "Follow back pls, need to send you pics of the damage privately 📸",
    "Suivez-moi pr que je vs envoie la vidéo du lave-linge qui saute comme un kangourou 🦘",
    "My new TV keeps auto-playing a music ad for 'Bitch Better Have My Money' on the home screen"
    " while my kids are using it. Why are there ads on a £900 telly?",
    "Abonnez-vous à ma chaîne YouTube, j'ai fait le test complet de la trottinette @ZappShop et"
    " elle est incroyable ! Lien en commentaire 👇",
}


def test_look_alikes_of_abuse_and_spam_are_answered_not_hidden() -> None:
    charter = load_charter()
    triage = Triage(charter.triage, charter.brand.languages)
    texts = look_alikes()
    hidden = {text for text in texts if triage.classify(text).category in HIDDEN}
    assert len(texts) > 1200
    assert hidden == KNOWN_WRONGLY_HIDDEN
