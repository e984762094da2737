"""The crisis corpus (crisis/corpus/, see its README): read, checked, and split by batch.

A batch is one scenario family with its paraphrases, so the split is by batch: paraphrases of one
message are never on both sides. Which part a batch is in follows from a hash of its id alone, so
adding a batch never moves another one, and the test part is never trained on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS_DIR = Path(__file__).resolve().parent.parent / "crisis" / "corpus"
LABELS = ("crisis", "distress", "none")
TRAIN, DEVELOPMENT, TEST = "train", "development", "test"
# Of every 20 batches: 3 to the test part, 3 to the development part, 14 to training.
PART_OF_TWENTY = {**dict.fromkeys(range(0, 3), TEST), **dict.fromkeys(range(3, 6), DEVELOPMENT)}


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    category: str
    batch: str
    language: str
    source: str  # the file's name
    fixed_part: str | None = None  # a file's `part:`, for data already tuned against

    @property
    def part(self) -> str:
        return self.fixed_part or part_of(self.batch)


def part_of(batch: str) -> str:
    bucket = int(hashlib.sha256(batch.encode()).hexdigest(), 16) % 20
    return PART_OF_TWENTY.get(bucket, TRAIN)


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yml"))


def read_file(path: Path) -> list[Example]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    file_label = document.get("label")
    fixed_part = document.get("part")
    if fixed_part not in (None, TRAIN):
        raise CorpusError(f"{path.name}: `part` can only be {TRAIN} (for data the detector was tuned on)")
    examples = []
    for batch in document.get("batches") or []:
        label = batch.get("label", file_label)
        if label not in LABELS or not batch.get("id") or not batch.get("category"):
            raise CorpusError(f"{path.name}: batch {batch.get('id')!r} needs an id, a category and a label")
        for text in batch.get("messages") or []:
            if not isinstance(text, str) or not text.strip():
                raise CorpusError(f"{path.name}: batch {batch['id']} has an empty or non-text message")
            examples.append(
                Example(
                    text.strip(),
                    label,
                    batch["category"],
                    batch["id"],
                    batch.get("language", "en"),
                    path.name,
                    fixed_part,
                )
            )
    return examples


def read_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    """Every message once. Two writers sometimes write the same short message in two batches; it is
    kept in the batch whose id sorts first, so that it is on one side of the split only."""
    examples = [example for path in corpus_files(directory) for example in read_file(path)]
    batches: dict[str, str] = {}
    for example in examples:
        if batches.setdefault(example.batch, example.source) != example.source:
            raise CorpusError(f"batch id {example.batch!r} is used in {batches[example.batch]} and {example.source}")
    first: dict[str, Example] = {}
    for example in sorted(examples, key=lambda example: example.batch):
        kept = first.setdefault(example.text.lower(), example)
        if kept.label != example.label:
            raise CorpusError(
                f"{example.text!r} is {kept.label} in {kept.batch} and {example.label} in {example.batch}"
            )
    return [example for example in examples if first[example.text.lower()] is example]


def fingerprint(directory: Path = CORPUS_DIR) -> str:
    digest = hashlib.sha256()
    for path in corpus_files(directory):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()
