"""Triage of inbound messages by the charter's rules: category, priority, language.

Rule-based and explainable: the result names every rule that matched. Pure and fast: a message
is folded once (lower case, no accents) and runs only the patterns its words call up (see
rule_scanner). The charter's `keep_visible` rules veto hiding.
A second opinion (a small local model, say) can be plugged in later through `SecondOpinion`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.charter import CATEGORIES, Category, Language, Priority, without_accents
from chalicelib.domain.charter import Triage as TriageRules
from chalicelib.domain.rule_scanner import RuleScanner
from chalicelib.domain.word_gate import word_prefixes

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
    return without_accents(text, "NFKD").lower()


def detect_language(folded: str, languages: list[Language]) -> Language:
    """The brand language whose common words appear most; the first one on a tie."""
    words = _WORDS.findall(folded.replace("'", " "))
    scores = {
        lang: sum(w in _STOPWORDS.get(lang, frozenset()) for w in words) for lang in languages
    }
    return max(languages, key=lambda lang: (scores[lang], -languages.index(lang)))


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
        self._rules = RuleScanner([r for c in CATEGORIES for r in rules.rules.get(c, [])])
        self._high = RuleScanner(rules.high_priority)
        self._keep_visible = RuleScanner(rules.keep_visible)

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
        message (abuse, spam) must win by the charter's margin over the best answerable one
        (leaving out what `hidden_despite` says is no argument), or the message is answered."""
        if not scores:
            return self._config.fallback
        no_argument = {
            c
            for rule in self._config.hidden_despite
            if scores.get(rule.category, 0.0) >= rule.from_score
            for c in rule.of
        }
        scores = {c: v for c, v in scores.items() if c not in no_argument}
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
