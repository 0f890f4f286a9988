"""Triage of inbound messages by the charter's rules: category, priority, language.

Rule-based and explainable: the result names every rule that matched. Pure and fast: patterns are
compiled once per process, a message is folded once (lower case, no accents) and runs only the
patterns its words call up (see word_gate). The charter's `keep_visible` rules veto hiding.
A second opinion (a small local model, say) can be plugged in later through `SecondOpinion`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.charter import CATEGORIES, Category, Language, Priority, Rule, compiled
from chalicelib.domain.charter import Triage as TriageRules
from chalicelib.domain.word_gate import gate, word_prefixes

_WORDS = re.compile(r"[a-z']+")
HIDDEN: frozenset[str] = frozenset({"abuse", "spam"})  # categories the troll policy hides
_STOPWORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les de des du un une et est je j tu il elle nous vous pas ne n mon ma mes votre "
        "vos ton ta pour avec sur dans que qui quoi ce cette c ai suis sont rien toujours merci "
        "bonjour svp depuis mais ou au aux chez plus tres deja jamais colis commande".split()
    ),
    "en": frozenset(
        "the a an and is are i you my your to of for with on in it this that not no have has "
        "was were please thanks thank hello hi why what how when can do does did be been just "
        "still me our we they order package".split()
    ),
}


@dataclass(frozen=True)
class TriageResult:
    category: Category
    priority: Priority
    language: Language
    rules: tuple[str, ...]  # the ids of every rule that matched, for the record


class SecondOpinion(Protocol):
    """Reviews a rule-based result; returns a replacement, or None to keep it."""

    def review(self, text: str, first: TriageResult) -> TriageResult | None: ...


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def detect_language(folded: str, languages: list[Language]) -> Language:
    """The brand language whose common words appear most; the first one on a tie."""
    words = _WORDS.findall(folded.replace("'", " "))
    scores = {
        lang: sum(w in _STOPWORDS.get(lang, frozenset()) for w in words) for lang in languages
    }
    return max(languages, key=lambda lang: (scores[lang], -languages.index(lang)))


class _Scanner:
    """Which of some rules match a message. Each pattern is filed under the words that open
    every match (its word gate), so a message only runs the patterns its own words call up,
    plus the few with no gate."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._ungated: list[tuple[int, int]] = []  # (pattern number, rule number)
        self._by_word: dict[str, list[tuple[int, int]]] = {}
        self._patterns: list[re.Pattern[str]] = []
        for number, rule in enumerate(self.rules):
            for source in rule.patterns:
                entry = (len(self._patterns), number)
                self._patterns.append(compiled(source))
                words = gate(source)
                if words is None:
                    self._ungated.append(entry)
                for word in words or ():
                    self._by_word.setdefault(word, []).append(entry)

    def matching(self, folded: str, language: Language, prefixes: frozenset[str]) -> list[Rule]:
        """The rules that match, in their charter order."""
        found: set[int] = set()
        tried: set[int] = set()
        called = (entry for word in prefixes for entry in self._by_word.get(word, ()))
        for pattern, number in itertools.chain(self._ungated, called):
            if number in found or pattern in tried:
                continue
            tried.add(pattern)
            in_language = self.rules[number].language in ("any", language)
            if in_language and self._patterns[pattern].search(folded):
                found.add(number)
        return [self.rules[number] for number in sorted(found)]


class Triage:
    def __init__(
        self,
        rules: TriageRules,
        languages: list[Language],
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self._config = rules
        self._languages = languages
        self._second_opinion = second_opinion
        self._category_of = {r.id: c for c in CATEGORIES for r in rules.rules.get(c, [])}
        self._rules = _Scanner([r for c in CATEGORIES for r in rules.rules.get(c, [])])
        self._high = _Scanner(rules.high_priority)
        self._keep_visible = _Scanner(rules.keep_visible)

    def classify(self, text: str | None) -> TriageResult:
        original = text or ""
        folded = fold(original)
        language = detect_language(folded, self._languages)
        prefixes = word_prefixes(folded)
        scores: dict[Category, float] = {}
        matched: list[str] = []
        for rule in self._rules.matching(folded, language, prefixes):
            category = self._category_of[rule.id]
            scores[category] = scores.get(category, 0.0) + rule.weight
            matched.append(rule.id)
        visible = [r.id for r in self._keep_visible.matching(folded, language, prefixes)]
        if visible:
            matched.extend(visible)
            scores = {c: v for c, v in scores.items() if c not in HIDDEN}
        category = self._decide(scores)
        priority = self._config.priorities[category]
        if category == "complaint":
            emotion = [r.id for r in self._high.matching(folded, language, prefixes)]
            if self._shouting(original):
                emotion.append("high.shouting")
            if emotion:
                priority = "high"
                matched.extend(emotion)
        result = TriageResult(category, priority, language, tuple(matched))
        if self._second_opinion is not None:
            return self._second_opinion.review(original, result) or result
        return result

    def _decide(self, scores: dict[Category, float]) -> Category:
        """The highest score, ties to the category listed first; but a category that hides the
        message (abuse, spam) must win by the charter's margin, or the message is answered."""
        if not scores:
            return self._config.fallback
        best = max(scores, key=lambda c: (scores[c], -CATEGORIES.index(c)))
        if best in HIDDEN:
            answerable = {c: v for c, v in scores.items() if c not in HIDDEN}
            if answerable:
                runner_up = max(answerable, key=lambda c: (answerable[c], -CATEGORIES.index(c)))
                if scores[best] - answerable[runner_up] < self._config.hide_margin:
                    return runner_up
        return best

    def _shouting(self, text: str) -> bool:
        letters = [c for c in text if c.isalpha()]
        if len(letters) < self._config.shouting_min_letters:
            return False
        return sum(c.isupper() for c in letters) / len(letters) >= self._config.shouting_ratio
