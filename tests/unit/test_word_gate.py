"""The word gate lets triage skip a pattern without running it; it must never skip a match."""

from __future__ import annotations

import re

import pytest

from bench.triage_eval import SETS, load, look_alikes
from chalicelib.charter import load_charter
from chalicelib.domain.rule_scanner import RuleScanner
from chalicelib.domain.triage import detect_language, fold
from chalicelib.domain.word_gate import gates, word_prefixes


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
        (r"\bacme( |-)forever", {"acme$"}),  # a space or a dash ends the word: not "acmefo"
        (r"#team ?acme|\bteam acme\b", {"teamac", "team$"}),  # "#teamacme" or "#team acme"
        (r"\b(foo)?bar", {"foobar", "bar"}),
        (r"\bc[o0]n+ard", {"con", "c0n"}),  # a small class is a choice of letters
        (r"\bd[i*]ck", {"dick", "d$"}),  # "*" ends the word: "d*ck" holds the word "d"
        (r"\?", {"?"}),  # no word: the sign itself
        (r"\b(x|\d+ ?%)", {"x", "%"}),
        (r"^(comment|combien)\b", {"commen", "combie"}),
    ],
)
def test_the_words_a_match_must_start_with(pattern: str, words: set[str]) -> None:
    assert gates(pattern)[0] == frozenset(words)  # the most telling set


@pytest.mark.parametrize(
    "pattern",
    [
        r"\s+",  # no word and no sign
        r"ab\b",  # may start inside a word
        r"\b(foo)*bar",  # "foofoobar" starts with neither "foobar" nor "bar"
        r"\b(x|\d+)",  # one branch has no word
    ],
)
def test_no_gate_when_unsure(pattern: str) -> None:
    assert gates(pattern) == []


def test_a_message_lists_its_word_beginnings_and_short_words_whole() -> None:
    assert word_prefixes("il a attendu") == {
        *("i", "il", "il$", "a", "a$"),
        *("a", "at", "att", "atte", "atten", "attend"),
    }


def test_a_match_may_need_several_words_or_a_sign() -> None:
    assert gates(r"\bvendeur\b.{0,60}\b(idiot|cretin)") == [
        frozenset({"vendeu"}),
        frozenset({"idiot", "cretin"}),
    ]
    assert gates(r"(?s)^(?!.*\bmoi)(?=.*\bplombier)") == [frozenset({"plombi"})]
    assert gates(r"(😡|🤬)") == [frozenset({"😡", "🤬"})]
    assert "?" in word_prefixes("ok ?")


def test_the_scanner_finds_exactly_the_rules_plain_regular_expressions_find() -> None:
    """The word gates and the factored alternations only save work: on every labelled message
    and look-alike, each rule matches if and only if one of its patterns, compiled as written,
    finds something."""
    charter = load_charter()
    rule_sets = [
        [rule for rules in charter.triage.rules.values() for rule in rules],
        charter.triage.high_priority,
        charter.triage.keep_visible,
    ]
    plain = {p: re.compile(p) for rules in rule_sets for rule in rules for p in rule.patterns}
    texts = [message.text for name in SETS for message in load(name)] + look_alikes()
    differences = []
    for rules in rule_sets:
        scanner = RuleScanner(rules)
        for text in texts:
            folded = fold(text)
            language = detect_language(folded, charter.brand.languages)
            found = [r.id for r in scanner.matching(folded, language, word_prefixes(folded))]
            expected = [
                rule.id
                for rule in rules
                if rule.language in ("any", language)
                and any(plain[p].search(folded) for p in rule.patterns)
            ]
            if found != expected:
                differences.append((text, found, expected))
    assert differences == []
    gated = [bool(gates(pattern)) for pattern in plain]
    assert sum(gated) > 0.9 * len(gated)  # the gate is used
