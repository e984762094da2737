"""Folds a scored blind question batch into the NLU training data (after the ledger has its figures).

    python tests/questions/fold.py tests/questions/blind_3.yml    # writes data/nlu/folded/blind_questions_3.yml

Each question goes under the first intent it accepts: a batch that has been looked at can never be a
test again, so it teaches the wording it showed to be missing. A question already in the training data
under another intent is left out and named (rasa data validate refuses one text with two labels).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
NLU = PROJECT / "data" / "nlu"
FOLDED = NLU / "folded"


def intents_of_examples() -> dict[str, str]:
    """Every NLU training example's text (spaces normalised, lower case) and its intent."""
    known = {}
    for path in NLU.rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
                text = line.strip().removeprefix("- ").strip()
                if text:
                    known[" ".join(text.lower().split())] = block["intent"]
    return known


def without_conflicts(questions: list[dict]) -> list[dict]:
    known = intents_of_examples()
    kept = []
    for question in questions:
        text, intent = " ".join(question["text"].lower().split()), question["accept"][0]
        if known.get(text, intent) != intent:
            print(f"left out (already an example of {known[text]}): {question['text']}")
        else:
            kept.append(question)
    return kept


def nlu_document(questions: list[dict]) -> str:
    by_intent: dict[str, list[str]] = {}
    for question in questions:
        by_intent.setdefault(question["accept"][0], []).append(" ".join(question["text"].split()))
    blocks = []
    for intent in sorted(by_intent):
        examples = "".join(f"    - {text}\n" for text in by_intent[intent])
        blocks.append(f"- intent: {intent}\n  examples: |\n{examples}")
    return "nlu:\n" + "".join(blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("batch", type=Path)
    args = parser.parse_args(argv)
    number = re.fullmatch(r"blind_(\d+)\.yml", args.batch.name)
    if not number:
        parser.error("a blind question batch is named blind_<number>.yml")
    target = FOLDED / f"blind_questions_{number.group(1)}.yml"
    if target.exists():
        parser.error(f"{target} exists: a batch is folded once")
    questions = without_conflicts(yaml.safe_load(args.batch.read_text(encoding="utf-8"))["questions"])
    header = (
        f'version: "3.1"\n\n# Blind question batch {number.group(1)} (tests/questions/{args.batch.name}), '
        "folded in after it was scored once\n# (tests/questions/blind_ledger.md); each question under the first "
        "intent it accepts.\n"
    )
    target.write_text(header + nlu_document(questions), encoding="utf-8")
    print(f"wrote {target.relative_to(PROJECT)} ({len(questions)} questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
