"""Which intent classifier: candidates compared on the real-question development set and the NLU test set.

Each candidate is the shipped pipeline (config.yml) with its intent classifier swapped, trained on the
same data (`rasa train nlu`), then scored on the real-question development set
(tests/questions/faq_development.yml, as tests/questions/evaluate.py scores it: the answer the
assistant gives, fallback included) and on the held-out NLU test set (accuracy, macro F1), with its
training time and median parse time. The choice goes by real-question routing first (config.yml says
which won). Training several models takes a while (about 4 minutes each here): run it alone.

    .venv/bin/python bench/intent_classifier_choice.py [--only NAME ...]

Dense word vectors were not a candidate: no well-kept package on the registries ships English word
vectors for spaCy or Rasa (spaCy's vector models are published on GitHub, not PyPI), and nothing may
be downloaded at run time.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from actions.passage_search import PassageSearch  # noqa: E402
from content_library.load import load_topics  # noqa: E402
from tests.model_parser import model_parser  # noqa: E402
from tests.questions.evaluate import DEVELOPMENT_SET, figures, read_questions, route  # noqa: E402

RASA = PROJECT / ".venv" / "bin" / "rasa"
NLU_TEST = PROJECT / "tests" / "nlu" / "test_nlu.yml"
RETRIEVAL_INTENT = "faq"


def shipped_config() -> dict[str, Any]:
    return yaml.safe_load((PROJECT / "config.yml").read_text(encoding="utf-8"))


def with_classifier(config: dict[str, Any], replacement: list[dict[str, Any]]) -> dict[str, Any]:
    """The config with its DIETClassifier step replaced by these steps."""
    config = copy.deepcopy(config)
    at = next(i for i, step in enumerate(config["pipeline"]) if step["name"] == "DIETClassifier")
    config["pipeline"][at : at + 1] = replacement
    return config


def candidates() -> dict[str, dict[str, Any]]:
    shipped = shipped_config()
    diet = next(step for step in shipped["pipeline"] if step["name"] == "DIETClassifier")
    selector = {"name": "ResponseSelector", "retrieval_intent": RETRIEVAL_INTENT, "epochs": 80, "random_seed": 7}
    return {
        "DIET, no transformer (shipped)": {"config": shipped, "retrieval": False},
        "LogisticRegressionClassifier": {
            "config": with_classifier(shipped, [{"name": "LogisticRegressionClassifier", "random_state": 7}]),
            "retrieval": False,
        },
        "DIET + ResponseSelector (faq/<topic>)": {
            "config": with_classifier(shipped, [diet, selector]),
            "retrieval": True,
        },
    }


def retrieval_data(nlu_dir: Path, out: Path, topics: set[str]) -> None:
    """The NLU data with every topic intent made a retrieval intent `faq/<topic>`."""
    for path in nlu_dir.rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu", []):
            if block.get("intent") in topics:
                block["intent"] = f"{RETRIEVAL_INTENT}/{block['intent']}"
        target = out / path.relative_to(nlu_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


def retrieval_domain(out: Path, topics: set[str]) -> None:
    """A domain for NLU training: the conversation intents, `faq`, and one response per topic."""
    domain = yaml.safe_load((PROJECT / "domain" / "domain.yml").read_text(encoding="utf-8"))
    minimal = {
        "version": "3.1",
        "intents": [*domain["intents"], RETRIEVAL_INTENT],
        "responses": {f"utter_{RETRIEVAL_INTENT}/{topic}": [{"text": topic}] for topic in sorted(topics)},
    }
    (out / "domain.yml").write_text(yaml.safe_dump(minimal, sort_keys=False), encoding="utf-8")


def as_topic_intents(parsed: dict[str, Any]) -> dict[str, Any]:
    """A ResponseSelector parse, read as the shipped layout would: `faq` becomes `<topic>`."""
    selected = (parsed.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    key = (selected.get("response") or {}).get("intent_response_key") or ""
    topic = key.split("/", 1)[1] if "/" in key else None
    if topic is None:
        return parsed
    parsed = copy.deepcopy(parsed)
    for entry in [parsed["intent"], *parsed.get("intent_ranking", [])]:
        if entry.get("name") == RETRIEVAL_INTENT:
            entry["name"] = topic
    return parsed


def nlu_test_scores(parse, examples: list[tuple[str, str]]) -> tuple[float, float, float]:
    from sklearn.metrics import f1_score

    times, predicted = [], []
    for text, _ in examples:
        started = time.perf_counter()
        predicted.append(parse(text)["intent"]["name"])
        times.append(time.perf_counter() - started)
    truth = [intent for _, intent in examples]
    accuracy = sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth)
    macro_f1 = f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
    return accuracy, macro_f1, statistics.median(times) * 1000


def nlu_test_examples() -> list[tuple[str, str]]:
    document = yaml.safe_load(NLU_TEST.read_text(encoding="utf-8"))
    return [
        (line.strip()[2:].strip(), block["intent"])
        for block in document["nlu"]
        for line in block["examples"].splitlines()
        if line.strip()
    ]


def measure(name: str, candidate: dict[str, Any], work: Path) -> dict[str, Any]:
    topics = set(load_topics())
    folder = work / name.split(" ")[0].lower()
    folder.mkdir()
    config_path = folder / "config.yml"
    config_path.write_text(yaml.safe_dump(candidate["config"], sort_keys=False), encoding="utf-8")
    nlu_dir, domain = PROJECT / "data" / "nlu", PROJECT / "domain"
    if candidate["retrieval"]:
        nlu_dir, domain = folder / "nlu", folder / "domain.yml"
        retrieval_data(PROJECT / "data" / "nlu", nlu_dir, topics)
        retrieval_domain(folder, topics)
    command = [str(RASA), "train", "nlu", "-c", str(config_path), "-u", str(nlu_dir), "-d", str(domain)]
    command += ["--out", str(folder), "--fixed-model-name", "model"]
    started = time.perf_counter()
    with (folder / "train.log").open("w") as log:
        subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT)
    training_seconds = time.perf_counter() - started
    raw_parse = model_parser(folder / "model.tar.gz")

    def parse(text: str) -> dict[str, Any]:
        return as_topic_intents(raw_parse(text)) if candidate["retrieval"] else raw_parse(text)

    routed = figures(route(read_questions(DEVELOPMENT_SET), parse, PassageSearch(load_topics())))
    accuracy, macro_f1, parse_ms = nlu_test_scores(parse, nlu_test_examples())
    return {
        "candidate": name,
        "real covered": routed["covered questions reaching an acceptable answer"],
        "real uncovered told": routed["uncovered questions told so"],
        "NLU test accuracy": accuracy,
        "NLU test macro F1": macro_f1,
        "training s": training_seconds,
        "parse ms": parse_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="the candidates to measure (by name)")
    args = parser.parse_args()
    chosen = {name: c for name, c in candidates().items() if not args.only or name in args.only}
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, candidate in chosen.items():
            rows.append(measure(name, candidate, Path(work)))
            print(rows[-1], flush=True)
    header = list(rows[0])
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        numbers = list(row.values())[1:]
        cells = [row["candidate"], *(f"{value:.3f}" if value < 1 else f"{value:.1f}" for value in numbers)]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
