"""Which crisis classifier: candidates compared on the crisis corpus's development part.

Each candidate learns from the corpus's training part and the NLU examples (as the component does),
then scores the development part (never the test part: that is for `make crisis-eval`). For each, the
thresholds are chosen on the development part as the decision uses them: the lowest crisis score that
keeps false alarms (crisis on `none`) at or under 1.5%, and the lowest check-in score (crisis plus
distress) that keeps check-ins on `none` at or under 5%; at those, it prints crisis recall, warning
signs caught (crisis or check-in), false alarms, check-ins on `none`, training time and time per message.
Usage: .venv/bin/python bench/crisis_classifier_choice.py
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from rasa.shared.nlu.training_data.loading import load_data

from components.crisis_classifier import CrisisClassifier, CrisisModel, training_set  # noqa: E402
from components.crisis_corpus import DEVELOPMENT, read_corpus  # noqa: E402

DEFAULT = CrisisClassifier.get_default_config()
LOGISTIC = {**DEFAULT, "estimator": "logistic_regression", "regularisation": 10.0}
CANDIDATES = {
    "words 1-2, logistic": {**LOGISTIC, "features": ["words"]},
    "characters 2-5, logistic": {**LOGISTIC, "features": ["characters"]},
    "words + characters, logistic": {**LOGISTIC, "features": ["words", "characters"]},
    "words + characters, logistic C=100": {**LOGISTIC, "features": ["words", "characters"], "regularisation": 100},
    "words 1-3 + characters 1-6, logistic": {
        **LOGISTIC,
        "features": ["words", "characters"],
        "word_ngrams": 3,
        "min_char_ngram": 1,
        "max_char_ngram": 6,
    },
    "words + roots + characters, logistic": LOGISTIC,
    "words + roots, logistic": {**LOGISTIC, "features": ["words", "roots"]},
    "words + characters, linear SVM C=2": {**DEFAULT, "features": ["words", "characters"]},
    "words + roots + characters, SVM C=0.1": {**DEFAULT, "regularisation": 0.1},
    "words + roots + characters, SVM C=0.5": {**DEFAULT, "regularisation": 0.5},
    "words + roots + characters, SVM C=2 (ours)": DEFAULT,
}
MAX_FALSE_ALARMS = 0.015
MAX_CHECKINS_ON_NONE = 0.05


def lowest_threshold(scores: list[float], allowed_share: float) -> float:
    """The lowest threshold at which no more than `allowed_share` of these scores reach it."""
    ordered = sorted(scores, reverse=True)
    allowed = int(allowed_share * len(ordered))
    return ordered[allowed] + 1e-9 if allowed < len(ordered) else 0.0


def decided(score: dict[str, float], crisis_threshold: float, checkin_threshold: float) -> str:
    if score["crisis"] >= crisis_threshold:
        return "crisis"
    return "distress" if 1 - score["none"] >= checkin_threshold else "none"


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def main() -> None:
    corpus = read_corpus()
    nlu = load_data(str(Path(__file__).resolve().parent.parent / "data" / "nlu"))
    development = [example for example in corpus if example.part == DEVELOPMENT]
    texts, labels, groups, _ = training_set(corpus, nlu)
    print(f"training on {len(texts)} messages; development part: {len(development)} messages\n")
    print(f"{'candidate':44} {'crisis':>7} {'warning':>8} {'false':>6} {'check':>6} {'train s':>8} {'ms/msg':>7}")
    for name, config in CANDIDATES.items():
        started = time.perf_counter()
        model = CrisisModel(config).fit(texts, labels, groups)
        trained = time.perf_counter() - started
        started = time.perf_counter()
        scores = [model.scores([example.text])[0] for example in development]
        per_message_ms = (time.perf_counter() - started) * 1000 / len(development)
        nones = [score for score, example in zip(scores, development, strict=True) if example.label == "none"]
        crisis_threshold = lowest_threshold([score["crisis"] for score in nones], MAX_FALSE_ALARMS)
        checkin_threshold = lowest_threshold(
            [1 - score["none"] for score in nones if score["crisis"] < crisis_threshold], MAX_CHECKINS_ON_NONE
        )

        outcomes = [
            (example.label, decided(score, crisis_threshold, checkin_threshold))
            for score, example in zip(scores, development, strict=True)
        ]
        crisis = [predicted for label, predicted in outcomes if label == "crisis"]
        distress = [predicted for label, predicted in outcomes if label == "distress"]
        none = [predicted for label, predicted in outcomes if label == "none"]
        print(
            f"{name:44} {share(crisis.count('crisis'), len(crisis)):7.3f}"
            f" {share(len(distress) - distress.count('none'), len(distress)):8.3f}"
            f" {share(none.count('crisis'), len(none)):6.3f} {share(none.count('distress'), len(none)):6.3f}"
            f" {trained:8.1f} {per_message_ms:7.2f}"
            f"   (thresholds: crisis {crisis_threshold:.3f}, check-in {checkin_threshold:.3f})"
        )


if __name__ == "__main__":
    main()
