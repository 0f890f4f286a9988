"""The word gate lets triage skip a pattern without running it; it must never skip a match."""

from __future__ import annotations

import re

import pytest

from bench.triage_eval import SETS, load, look_alikes
from chalicelib.charter import load_charter
from chalicelib.domain.triage import fold
from chalicelib.domain.word_gate import gate, word_prefixes


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\b(arnaque|scam)\b", {"arnaqu", "scam$"}),
        (r"\b(a|ont|avait) attendu", {"attend"}),  # the most telling word, not "a"
        (r"\b(rembourse|refund)\w*", {"rembou", "refund"}),
        (r"\bchaque fois|\bprix (a|ont)", {"chaque$", "prix$"}),
        (r"(?<!no )\b(hidden|surprise)", {"hidden", "surpri"}),
        (r"(?s)^(?!.*\bfake).*\byou have been", {"have$"}),
        (r"\bj.ai (recu|eu)\b", {"recu$", "eu$"}),
        (r"\bacme( |-)forever", {"acme"}),  # not "acmefo": a space or a dash comes between
        (r"#team ?acme|\bteam acme\b", {"team", "team$"}),
        (r"^(comment|combien)\b", {"commen", "combie"}),
    ],
)
def test_the_words_a_match_must_start_with(pattern: str, words: set[str]) -> None:
    assert gate(pattern) == frozenset(words)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\?",  # no word at all
        r"(😡|🤬)",
        r"ab\b",  # may start inside a word
        r"\b(foo)?bar",  # "bar" may be the end of "foobar"
        r"\b(x|\d+ ?%)",  # one branch has no word
    ],
)
def test_no_gate_when_unsure(pattern: str) -> None:
    assert gate(pattern) is None


def test_a_message_lists_its_word_beginnings_and_short_words_whole() -> None:
    assert word_prefixes("il a attendu") == {
        *("i", "il", "il$", "a", "a$"),
        *("a", "at", "att", "atte", "atten", "attend"),
    }


def test_the_gate_never_hides_a_match_in_the_charter_or_the_labelled_sets() -> None:
    charter = load_charter()
    patterns = [
        pattern
        for rules in [
            *charter.triage.rules.values(),
            charter.triage.high_priority,
            charter.triage.keep_visible,
        ]
        for rule in rules
        for pattern in rule.patterns
    ]
    gated = [(gate(p), re.compile(p)) for p in patterns]
    texts = [message.text for name in SETS for message in load(name)] + look_alikes()
    missed = []
    for text in texts:
        folded = fold(text)
        beginnings = word_prefixes(folded)
        missed += [
            (text, compiled.pattern)
            for words, compiled in gated
            if words is not None and words.isdisjoint(beginnings) and compiled.search(folded)
        ]
    assert missed == []
    assert sum(words is not None for words, _ in gated) > len(gated) / 2  # the gate is used
