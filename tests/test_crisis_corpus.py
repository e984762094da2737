"""The crisis corpus: well formed, the size the problem needs, and split so that no paraphrase of a
test message is learned from."""

from __future__ import annotations

from collections import Counter

import pytest

from components.crisis_corpus import DEVELOPMENT, TEST, TRAIN, CorpusError, part_of, read_corpus, read_file
from tests.crisis.evaluate import HARD_NEGATIVE_CATEGORIES

CORPUS = read_corpus()


def test_the_corpus_has_the_size_of_the_problem():
    labels = Counter(example.label for example in CORPUS)
    hard = sum(example.category in HARD_NEGATIVE_CATEGORIES for example in CORPUS if example.label == "none")
    assert len(CORPUS) >= 8_000
    assert labels["crisis"] >= 3_000 and labels["distress"] >= 1_500 and labels["none"] >= 3_500
    assert hard >= 2_000


def test_every_category_of_the_taxonomy_is_covered():
    categories = {example.category for example in CORPUS}
    crisis_levels = {"wish_to_be_dead", "nonspecific_thoughts", "method", "intent", "plan"}
    behaviours = {"preparatory_acts", "aborted_attempt", "attempt", "self_harm"}
    warning_signs = {"hopelessness", "purposelessness", "trapped", "burden", "withdrawal", "unbearable_pain"}
    assert crisis_levels | behaviours | warning_signs <= categories


def test_a_batch_is_in_one_part_only_and_every_part_is_used():
    parts_of_batch: dict[str, set[str]] = {}
    for example in CORPUS:
        parts_of_batch.setdefault(example.batch, set()).add(example.part)
    assert all(len(parts) == 1 for parts in parts_of_batch.values())
    assert {part for parts in parts_of_batch.values() for part in parts} == {TRAIN, DEVELOPMENT, TEST}


def test_no_message_of_the_test_part_is_also_learned_from():
    train = {example.text.lower() for example in CORPUS if example.part == TRAIN}
    test = {example.text.lower() for example in CORPUS if example.part == TEST}
    assert not train & test


def test_the_part_of_a_batch_depends_on_its_id_alone():
    assert part_of("ide-plan-tonight") == part_of("ide-plan-tonight")
    assert Counter(part_of(f"batch-{number}") for number in range(2_000))[TEST] in range(240, 360)


def test_a_batch_without_a_category_is_refused(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("label: crisis\nbatches:\n  - id: x\n    messages: [a]\n")
    with pytest.raises(CorpusError, match="category"):
        read_file(broken)
