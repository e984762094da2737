"""Folds a scored blind batch into the crisis corpus as training data (after the ledger has its figures).

    python tests/crisis/fold.py tests/crisis/blind/batch_8.yml      # writes crisis/corpus/blind_8.yml

The messages are grouped into one corpus batch per label, kind and language (`blind8-crisis-explicit-en`);
the file says `part: train`, because a batch that has been looked at can never be a test again.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from components.crisis_corpus import CORPUS_DIR  # noqa: E402

CATEGORY_OF_KIND = {"explicit": "mixed"}  # a blind batch's crisis messages are of every category


def corpus_document(number: str, items: list[dict]) -> dict:
    batches: dict[str, dict] = {}
    for item in items:
        kind, language = item["kind"], item.get("language", "en")
        batch_id = f"blind{number}-{item['label']}-{kind.replace('_', '-')}-{language}"
        batch = batches.setdefault(
            batch_id,
            {"id": batch_id, "label": item["label"], "category": CATEGORY_OF_KIND.get(kind, kind), "messages": []},
        )
        if language != "en":
            batch["language"] = language
        batch["messages"].append(item["text"])
    return {"part": "train", "batches": list(batches.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("batch", type=Path)
    args = parser.parse_args(argv)
    number = re.fullmatch(r"batch_(\d+)\.yml", args.batch.name)
    if not number:
        parser.error("a blind batch is named batch_<number>.yml")
    target = CORPUS_DIR / f"blind_{number.group(1)}.yml"
    if target.exists():
        parser.error(f"{target} exists: a batch is folded once")
    items = yaml.safe_load(args.batch.read_text(encoding="utf-8"))
    header = (
        f"# Blind batch {number.group(1)} (tests/crisis/blind/{args.batch.name}), folded in after it was scored\n"
        "# once (the ledger, tests/crisis/blind_ledger.md). Training data only: it has been looked at since.\n"
    )
    body = yaml.safe_dump(corpus_document(number.group(1), items), sort_keys=False, allow_unicode=True, width=100)
    target.write_text(header + body, encoding="utf-8")
    print(f"wrote {target.relative_to(PROJECT)} ({len(items)} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
