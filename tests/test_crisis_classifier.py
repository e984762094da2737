"""Unit tests of components/crisis_classifier.py: trained on the real corpus through Rasa's own model
storage, persisted, loaded, and asked about messages it never learned from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from components.crisis_classifier import LEVEL_GUESS, SCORES, CrisisClassifier, training_set  # noqa: E402
from components.crisis_corpus import TEST, TRAIN, read_corpus  # noqa: E402
from components.crisis_levels import LEVEL_OF_CATEGORY, LEVELS  # noqa: E402

NLU = TrainingData(
    [
        Message(data={TEXT: "what is tms", "intent": "tms"}),
        Message(data={TEXT: "i want to end my life", "intent": "crisis"}),
        Message(data={TEXT: "i feel like a burden", "intent": "distress"}),
    ]
)


RESOURCE, CONTEXT = Resource("crisis_classifier"), ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def trained_storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rasa's model storage after one training on the corpus (a training takes a minute or two)."""
    directory = tmp_path_factory.mktemp("storage")
    CrisisClassifier.create({}, LocalModelStorage(directory), RESOURCE, CONTEXT).train(NLU)
    return directory


@pytest.fixture(scope="module")
def classifier(trained_storage: Path) -> CrisisClassifier:
    return CrisisClassifier.load({}, LocalModelStorage(trained_storage), RESOURCE, CONTEXT)


def scores_of(classifier: CrisisClassifier, text: str) -> dict[str, float]:
    return read(classifier, text).get(SCORES)


def read(classifier: CrisisClassifier, text: str) -> Message:
    message = Message(data={TEXT: text})
    classifier.process([message])
    return message


def test_it_learns_from_the_training_part_and_the_nlu_examples_only():
    corpus = read_corpus()
    texts, labels, _, _ = training_set(corpus, NLU)
    assert not {example.text for example in corpus if example.part == TEST} & set(texts)
    assert len(texts) == sum(example.part == TRAIN for example in corpus) + len(NLU.intent_examples)
    assert labels[-3:] == ["none", "crisis", "distress"]  # another intent is none; safety intents as they are


def test_levels_are_learned_from_the_crisis_messages_whose_category_has_one():
    corpus = read_corpus()
    _, _, _, levels = training_set(corpus, NLU)
    training = [example for example in corpus if example.part == TRAIN]
    for example, level in zip(training, levels[: len(training)], strict=True):
        expected = LEVEL_OF_CATEGORY.get(example.category) if example.label == "crisis" else None
        assert level == expected, example
    assert set(levels) == {*LEVELS, None}
    assert levels[-3:] == [None, None, None]  # the NLU examples have no category


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i swallowed the whole box of my sertraline about twenty minutes ago", "danger"),
        ("i have been putting my quetiapine aside every night and now there is enough", "plan"),
        ("lately i keep wishing i could just go to sleep and never wake up", "thoughts"),
    ],
)
def test_every_message_gets_the_level_it_would_have_as_a_crisis(classifier, text, level):
    assert read(classifier, text).get(LEVEL_GUESS) == level


def test_a_loaded_classifier_gives_a_probability_to_each_label(classifier):
    scores = scores_of(classifier, "is ECT safe for older people")
    assert set(scores) == {"crisis", "distress", "none"}
    assert sum(scores.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("i have been putting my quetiapine aside every night and now there is enough", "crisis"),
        ("i'm so tired of being a weight on everyone around me", "distress"),
        ("how many sessions of tms do people usually need", "none"),
    ],
)
def test_the_likeliest_label_is_the_right_one_for_plain_messages(classifier, text, label):
    scores = scores_of(classifier, text)
    assert max(scores, key=scores.get) == label, scores


def test_an_obfuscated_message_is_scored_as_its_plain_words(classifier):
    plain = scores_of(classifier, "i want to kill myself tonight")
    hidden = scores_of(classifier, "i want to k.i.l.l mys3lf toniiiight")
    assert hidden["crisis"] == pytest.approx(plain["crisis"], abs=0.02)


def test_training_writes_one_model_file(trained_storage: Path):
    assert list(trained_storage.rglob("*.*")) == [trained_storage / "crisis_classifier" / "crisis_classifier.skops"]
