"""What a small local model would add as triage's second opinion: a probe, not part of the app.

    .venv/bin/pip install scikit-learn==1.9.1   # not a project dependency
    .venv/bin/python -m bench.second_opinion_probe

Trains a linear model (TF-IDF over character 2- to 5-grams and words, logistic regression) on the
development sets, then prints accuracy on the validation sets and the held-out set, for three ways
of combining it with the charter's rules, and how many look-alikes (genuine messages that look
like abuse or spam) each way would hide. With `--look-alikes`, half the look-alikes are added to
training as complaints (at a tenth of the weight) and only the other half is counted.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Callable

from bench.triage_eval import DEVELOPMENT, VALIDATION, load, look_alikes
from chalicelib.charter import load_charter
from chalicelib.domain.triage import HIDDEN, Triage, TriageResult, fold

_TOKEN = re.compile(r"\w+|[^\w\s]")
NEVER_TO_HIDE = ("complaint", "praise")


def counts(text: str) -> Counter[str]:
    """Character n-grams of each word (padded with spaces), words and word pairs."""
    folded, found = fold(text), Counter[str]()
    for word in folded.split():
        padded = f" {word} "
        for n in range(2, 6):
            found.update("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    tokens = _TOKEN.findall(folded)
    found.update("w:" + t for t in tokens)
    found.update(f"b:{a} {b}" for a, b in itertools.pairwise(tokens))
    return found


class Vectoriser:
    """Sublinear TF-IDF, each block (characters, words) L2-normalised, as scikit-learn does."""

    def __init__(self, texts: list[str]) -> None:
        df = Counter(k for text in texts for k in counts(text))
        n = len(texts)
        self.idf = {
            k: math.log((1 + n) / (1 + d)) + 1
            for k, d in df.items()
            if d >= 2 or not k.startswith("c:")
        }

    def __call__(self, text: str) -> dict[str, float]:
        found, out = counts(text), {}
        for chars in (True, False):
            block = {
                k: (1 + math.log(c)) * self.idf[k]
                for k, c in found.items()
                if k in self.idf and k.startswith("c:") == chars
            }
            norm = math.sqrt(sum(v * v for v in block.values())) or 1.0
            out.update({k: v / norm for k, v in block.items()})
        return out


Policy = Callable[[TriageResult, str, float], str]
POLICIES: dict[str, Policy] = {
    # the model never hides; it only moves between answered categories
    "rules hide": lambda r, m, p: r.category if m in HIDDEN or r.category in HIDDEN else m,
    # it may hide, unless a keep_visible rule matched, or rules say complaint or praise and it
    # is under 80 % sure
    "guarded": lambda r, m, p: (
        r.category
        if m in HIDDEN
        and (
            any(i.startswith("visible.") for i in r.rules)
            or (r.category in NEVER_TO_HIDE and p < 0.8)
        )
        else m
    ),
    # the model decides alone
    "model alone": lambda r, m, p: m,
}


def main(argv: list[str]) -> None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    train = [(m.text, m.category, 1.0) for name in DEVELOPMENT for m in load(name)]
    guard = look_alikes()
    if "--look-alikes" in argv:
        train += [(text, "complaint", 0.1) for text in guard[0::2]]
        guard = guard[1::2]
    vectorise = Vectoriser([t for t, _, _ in train])
    table = DictVectorizer()
    features = table.fit_transform([vectorise(t) for t, _, _ in train])
    model = LogisticRegression(C=10, max_iter=3000)
    model.fit(features, [c for _, c, _ in train], sample_weight=[w for _, _, w in train])
    charter = load_charter()
    triage = Triage(charter.triage, charter.brand.languages)

    def combined(texts: list[str], policy: Policy) -> list[str]:
        probabilities = model.predict_proba(table.transform([vectorise(t) for t in texts]))
        return [
            policy(triage.classify(text), model.classes_[p.argmax()], float(p.max()))
            for text, p in zip(texts, probabilities, strict=True)
        ]

    for label, policy in POLICIES.items():
        figures = []
        for name in (*VALIDATION, "evaluation"):
            messages = load(name)
            found = combined([m.text for m in messages], policy)
            right = sum(f == m.category for f, m in zip(found, messages, strict=True))
            hidden = sum(
                f in HIDDEN and m.category in NEVER_TO_HIDE
                for f, m in zip(found, messages, strict=True)
            )
            figures.append(f"{name} {right / len(messages):.1%} ({hidden} hidden)")
        look_alikes_hidden = sum(f in HIDDEN for f in combined(guard, policy))
        figures.append(f"look-alikes hidden {look_alikes_hidden}/{len(guard)}")
        print(f"{label:12} " + " | ".join(figures))


if __name__ == "__main__":
    main(sys.argv)
