"""Unit tests of components/crisis_detector.py, one behaviour each.

The detector is trained, persisted and loaded through Rasa's own LocalModelStorage,
Resource and ExecutionContext, with the project's real phrase files; nothing of
spaCy or Rasa is mocked.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from components.crisis_detector import CrisisDetector  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
PHRASES = PROJECT / "crisis" / "phrases"
PATTERN_FILES = [PHRASES / "crisis_patterns.yml", PHRASES / "crisis_context.yml"]
# What CrisisClassifier, before the detector in the pipeline, says of a message: here, by default,
# too little either way to decide anything or to overrule a phrase, so that a test sees the phrase
# rules alone.
UNDECIDED = {"crisis": 0.15, "distress": 0.15, "none": 0.7}


def train_and_load(storage_dir: Path, pattern_files: list[Path], **settings: float) -> CrisisDetector:
    """Trains a detector into `storage_dir`, then loads a fresh one from it."""
    config = {"patterns": [str(p) for p in pattern_files], **settings}
    storage_dir.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(storage_dir)
    resource = Resource("crisis_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    CrisisDetector.create(config, storage, resource, context).train(TrainingData())
    return CrisisDetector.load(config, storage, resource, context)


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> CrisisDetector:
    return train_and_load(tmp_path_factory.mktemp("storage"), PATTERN_FILES)


def parse(detector: CrisisDetector, text: str, **data: object) -> Message:
    message = Message(data={TEXT: text, "crisis_scores": UNDECIDED, **data})
    detector.process([message])
    return message


def intent_of(detector: CrisisDetector, text: str, **data: object) -> str | None:
    return (parse(detector, text, **data).get("intent") or {}).get("name")


def subject_of(message: Message) -> str | None:
    entities = [e for e in message.get("entities") or [] if e["entity"] == "crisis_subject"]
    return entities[0]["value"] if entities else None


# -- training, persistence, data files --------------------------------------------------


def test_training_persists_the_rules_with_the_model(tmp_path: Path) -> None:
    train_and_load(tmp_path, PATTERN_FILES)
    assert list(tmp_path.glob("crisis_detector/crisis_rules.json"))


def test_loaded_detector_sets_crisis_with_full_confidence(detector: CrisisDetector) -> None:
    message = parse(detector, "i want to kill myself")
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "crisis"


def test_phrase_added_to_the_data_file_is_matched_without_code_change(tmp_path: Path) -> None:
    for source in PATTERN_FILES:
        shutil.copy(source, tmp_path / source.name)
    patterns = tmp_path / "crisis_patterns.yml"
    text = "the lighthouse keeper signal"
    before = train_and_load(tmp_path / "before", [tmp_path / p.name for p in PATTERN_FILES])
    assert intent_of(before, f"tonight i am sending the {text}") is None

    patterns.write_text(patterns.read_text().replace("crisis:\n", f"crisis:\n  - {text}\n", 1))
    after = train_and_load(tmp_path / "after", [tmp_path / p.name for p in PATTERN_FILES])
    assert intent_of(after, f"tonight i am sending the {text}") == "crisis"


def test_malformed_data_file_stops_training(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("crisis:\n  - kill myself\nnegations:\n  - no\n")  # bare no = False
    with pytest.raises(InvalidConfigException, match="quotes"):
        train_and_load(tmp_path / "storage", [broken])


def test_a_key_written_twice_stops_training(tmp_path: Path) -> None:
    twice = tmp_path / "twice.yml"
    twice.write_text("groups:\n  PILLS: [pills]\n  PILLS: [tablets]\ncrisis:\n  - kill myself\n")
    with pytest.raises(InvalidConfigException, match="written twice"):
        train_and_load(tmp_path / "storage", [twice])


def test_editing_a_data_file_changes_the_training_fingerprint(tmp_path: Path) -> None:
    copy = tmp_path / "crisis_patterns.yml"
    shutil.copy(PATTERN_FILES[0], copy)
    config = {"patterns": [str(copy), str(PATTERN_FILES[1])]}
    before = CrisisDetector.fingerprint_addon(config)
    copy.write_text(copy.read_text() + "\n# a comment is a change too\n")
    assert CrisisDetector.fingerprint_addon(config) != before


# -- what counts as a crisis -------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["i keep killing myself in my head", "i want to kill myself", "i nearly killed myself"]
)
def test_phrases_match_on_word_roots(detector: CrisisDetector, text: str) -> None:
    assert intent_of(detector, text) == "crisis"


@pytest.mark.parametrize(
    "text",
    ["i want to kil myslef", "im so suicidial", "I DONT WANT TO LIVE ANYMORE", "i wanna kms"],
)
def test_misspellings_missing_apostrophes_and_capitals(detector: CrisisDetector, text: str) -> None:
    assert intent_of(detector, text) == "crisis"


def test_crisis_inside_a_long_message(detector: CrisisDetector) -> None:
    text = (
        "I've been on sertraline for eight weeks and then venlafaxine for another ten. "
        "My psychiatrist wants to add aripiprazole. Honestly I've been stockpiling my "
        "pills in case nothing works. Does augmentation usually help?"
    )
    assert intent_of(detector, text) == "crisis"


def test_a_gap_phrase_allows_a_few_words_in_between(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i keep fantasizing about dying") == "crisis"


def test_a_gap_may_not_hold_someone_else_or_a_negation(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i hope my mum doesn't die during her operation") is None


def test_the_past_tense_makes_an_attempt(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i took all my meds") == "crisis"
    assert intent_of(detector, "can i take all my meds at night") is None


def test_a_medication_routine_is_not_an_overdose(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i took all my pills today like i'm supposed to") is None


def test_distress_and_a_goodbye_is_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i can't take it anymore. goodbye") == "crisis"


def test_crisis_beats_distress(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i can't take it anymore, i want to die") == "crisis"


def test_warning_signs_are_distress(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i'm such a burden and there's no way out") == "distress"


# -- negation and the past ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["I would never kill myself", "i'm not going to hurt myself, just curious"])
def test_a_negated_phrase_is_not_a_crisis(detector: CrisisDetector, text: str) -> None:
    assert intent_of(detector, text) is None


def test_a_negation_that_does_not_negate_the_phrase_is_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i can't stop thinking about killing myself") == "crisis"


def test_a_phrase_that_carries_its_own_negation_is_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i don't want to wake up tomorrow") == "crisis"


def test_a_distant_past_attempt_is_a_check_in(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i tried to kill myself years ago, is ect safe for me") == "distress"


def test_a_past_attempt_with_recovery_is_not_flagged(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i tried to kill myself years ago but i'm doing better now") is None


def test_a_recent_attempt_is_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i tried to kill myself last night") == "crisis"


def test_a_death_told_in_the_past_is_not_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "my uncle killed himself, is depression genetic") is None


# -- who it is about ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["my friend says she wants to die", "my son is cutting himself"])
def test_another_person_gives_subject_other(detector: CrisisDetector, text: str) -> None:
    message = parse(detector, text)
    assert message.get("intent")["name"] == "crisis"
    assert subject_of(message) == "other"


def test_the_writer_gives_subject_self(detector: CrisisDetector) -> None:
    assert subject_of(parse(detector, "she makes me want to kill myself")) == "self"


def test_subject_entity_names_the_detector(detector: CrisisDetector) -> None:
    entity = parse(detector, "i want to die").get("entities")[0]
    assert entity["entity"] == "crisis_subject"
    assert entity["extractor"] == "CrisisDetector"


def test_people_in_general_are_a_topic(detector: CrisisDetector) -> None:
    assert intent_of(detector, "what do you say to a friend who wants to die") is None


# -- what is not a crisis -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to know if TMS works",
        "this traffic is killing me",
        "how do i kill the process on port 8080",
        "i cut myself shaving this morning",
        "i ran 5 kms today",
    ],
)
def test_idioms_and_other_senses_do_not_fire(detector: CrisisDetector, text: str) -> None:
    assert intent_of(detector, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "do antidepressants raise suicide risk?",
        "can ketamine help suicidal thoughts",
        "can ssris make you want to kill yourself",
    ],
)
def test_topic_questions_do_not_fire(detector: CrisisDetector, text: str) -> None:
    assert intent_of(detector, text) is None


def test_a_game_is_not_a_crisis(detector: CrisisDetector) -> None:
    assert intent_of(detector, "how do i kill myself in minecraft to respawn") is None


# -- the word after the ML classifier ----------------------------------------------------------


def test_crisis_overrides_a_prior_nlu_fallback(detector: CrisisDetector) -> None:
    fallback = {"name": "nlu_fallback", "confidence": 0.6}
    ranking = [fallback, {"name": "tms", "confidence": 0.3}, {"name": "crisis", "confidence": 0.2}]
    message = parse(detector, "i took all my pills", intent=fallback, intent_ranking=ranking)
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["crisis", "nlu_fallback", "tms"]


def test_an_unconfirmed_model_crisis_is_taken_off_the_top(detector: CrisisDetector) -> None:
    guess = {"name": "crisis", "confidence": 0.97}
    ranking = [guess, {"name": "tms", "confidence": 0.02}]
    message = parse(detector, "I would never kill myself", intent=guess, intent_ranking=ranking)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert "crisis" not in [r["name"] for r in message.get("intent_ranking")]


def scores(crisis: float, distress: float) -> dict[str, float]:
    return {"crisis": crisis, "distress": distress, "none": 1 - crisis - distress}


def test_a_confident_classifier_makes_a_crisis_without_a_phrase(detector: CrisisDetector) -> None:
    tms = {"name": "tms", "confidence": 0.8}
    message = parse(detector, "so that's my answer then", intent=tms, crisis_scores=scores(0.9, 0.05))
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("crisis_detector")["source"] == "classifier"


def test_an_unsure_classifier_gives_the_check_in(detector: CrisisDetector) -> None:
    tms = {"name": "tms", "confidence": 0.8}
    message = parse(detector, "so that's my answer then", intent=tms, crisis_scores=scores(0.35, 0.35))
    assert message.get("intent")["name"] == "distress"


def test_a_message_no_topic_claims_gets_the_check_in_at_a_lower_risk(tmp_path: Path) -> None:
    # config.yml sets both thresholds alike today (it says why); the lower one is a setting of its own
    detector = train_and_load(tmp_path, PATTERN_FILES, checkin_threshold=0.5, unclaimed_checkin_threshold=0.3)
    fallback = {"name": "nlu_fallback", "confidence": 0.5}
    tms = {"name": "tms", "confidence": 0.9}
    between = (detector.thresholds.checkin + detector.thresholds.unclaimed_checkin) / 2
    risk = scores(between / 2, between / 2)  # under the check-in threshold, over the one for unclaimed messages
    assert intent_of(detector, "what now", intent=tms, crisis_scores=risk) == "tms"
    assert intent_of(detector, "what now", intent=fallback, crisis_scores=risk) == "distress"


def test_a_phrase_the_message_turns_off_needs_a_surer_classifier_and_a_likely_crisis_is_still_asked(
    detector: CrisisDetector,
) -> None:
    text = "I would never kill myself"
    assert intent_of(detector, text, crisis_scores=scores(0.2, 0.05)) is None
    assert intent_of(detector, text, crisis_scores=scores(0.9, 0.05)) == "distress"
    assert parse(detector, text, crisis_scores=scores(0.9, 0.05)).get("crisis_detector")["source"] == "veto doubted"
    assert intent_of(detector, text, crisis_scores=scores(0.99, 0.0)) == "crisis"


def test_a_crisis_phrase_the_classifier_is_sure_of_gets_the_check_in_not_the_crisis_reply(
    detector: CrisisDetector,
) -> None:
    text = "took my sertraline twice by mistake, is that an overdose"
    assert intent_of(detector, text) == "crisis"
    message = parse(detector, text, crisis_scores=scores(0.05, 0.0))
    assert message.get("intent")["name"] == "distress"  # never left unasked
    assert message.get("crisis_detector")["source"] == "rules overruled"


def test_a_message_without_the_classifier_s_scores_is_refused(detector: CrisisDetector) -> None:
    with pytest.raises(InvalidConfigException, match="CrisisClassifier"):
        detector.process([Message(data={TEXT: "hello"})])


def test_the_phrases_read_the_normalised_message(detector: CrisisDetector) -> None:
    assert intent_of(detector, "i want to k.i.l.l m y s e l f") == "crisis"
    assert intent_of(detector, "ｉ ｗａｎｔ ｔｏ ｄｉｅ") == "crisis"


def test_another_intent_is_left_alone(detector: CrisisDetector) -> None:
    tms = {"name": "tms", "confidence": 0.9}
    message = parse(detector, "does tms hurt", intent=tms, intent_ranking=[tms])
    assert message.get("intent") == tms
    assert not message.get("entities")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Quiero morir esta noche", "crisis"),
        ("tomé todas las pastillas", "crisis"),
        ("je veux mourir", "crisis"),
        ("ich will nicht mehr leben", "crisis"),
        ("chcę umrzeć", "crisis"),
        ("não aguento mais", "distress"),
        ("no quiero morir, quiero saber más del TMS", None),
        ("non voglio morire", None),
        # bare nouns for suicide are a check-in: as often a death years ago or a school project
        ("trabalho da escola sobre suicidio", "distress"),
        # scripts without spaces: a phrase inside the text, and a Chinese negation just before it
        ("我真的不想活了", "crisis"),
        ("昨晚又割腕了", "crisis"),
        ("我不想去死", None),
        ("跳楼价大甩卖", None),
        ("またリスカしちゃった", "crisis"),
        ("もう死にたい", "crisis"),
        ("死にたくない", None),
    ],
)
def test_phrases_in_other_languages_count_unless_negated(detector: CrisisDetector, text: str, intent: str) -> None:
    assert intent_of(detector, text) == intent
