"""CrisisDetector: the NLU component that has the last word on `crisis` and `distress`.

It sits last in the pipeline, after DIETClassifier, FallbackClassifier and CrisisClassifier,
and reads every message, through the crisis normaliser (components/crisis_normalise.py), against
phrases that staff keep in crisis/phrases/crisis_patterns.yml and crisis_context.yml (plain
words; see the header of crisis_patterns.yml). It is
built like Rasa's RegexEntityExtractor and KeywordIntentClassifier: `train()` reads
and checks the phrase files and keeps them with the model, `load()` compiles them
once into spaCy matchers on word roots, `process()` runs on each message (well under
a millisecond; see bench/crisis_detector.py). The phrase files are read in
components/crisis_rules.py, compiled and matched in crisis_matcher.py (misspellings:
crisis_typos.py), and the context that turns a match off is in crisis_analysis.py.

What it sets
  * `intent` {"name": "crisis", "confidence": 1.0}, first in `intent_ranking`, when a
    crisis phrase counts; the same with "distress" for a distress phrase. Crisis beats
    distress.
  * the entity `crisis_subject` ("self", or "other" when the message is about someone
    else: "my friend says she wants to die"), extractor "CrisisDetector", on every
    crisis or distress it sets, so the domain can give the helping-a-friend reply.
  * the entity `crisis_level` (components/crisis_levels.py) on the same messages: for a crisis,
    "danger" when a danger-now phrase is in the message, else CrisisClassifier's level guess; for
    distress, "thoughts" (what a yes to the check-in that follows means), so the crisis reply fits
    what was said and a level from an earlier message never lingers.
  * `crisis_detector` in the parse result: where the decision came from ("rules",
    "classifier", "veto", "none"), what the rules found, and why, for the staff review page and
    the evaluation.

How the phrases and the classifier combine: components/crisis_decision.py, the one decision, from
this component's phrase rules and CrisisClassifier's calibrated scores. It refuses a message without
those scores: CrisisClassifier must come before it in the pipeline (Rasa's `required_components`
cannot say so, as a classifier feeds nothing to later components at training time). DIET still
learns the two safety intents from the NLU data, but its word is never final: an intent of crisis
or distress that the decision did not make is taken off the top and the message treated as one no
topic claims (nlu_fallback), which the decision has already read for a check-in.

Negation and the past (decided; tests/test_crisis_detector.py holds them):
  * A negation just before a phrase turns it off: "I would never kill myself", "I'm
    not going to hurt myself", "no plans to end my life" are not a crisis. Phrases
    that carry their own negation still count: "I don't want to live anymore", "I
    won't be here tomorrow". A negation that does not negate the phrase is ignored:
    "I can't stop thinking about killing myself" is a crisis.
  * The distant past ("years ago", "when I was 19", "used to", "in 2015") turns a
    crisis phrase into distress: a past attempt is the strongest risk factor there
    is, so the assistant checks in. When the message also says the person is well
    now ("I'm doing better", "clean for 8 years"), it is not flagged at all. A recent
    past ("last night", "again", "yesterday") stays a crisis: "I tried to kill myself
    last night". A death told in the past tense ("my uncle killed himself", "Robin
    Williams died by suicide") is not a crisis of anyone present.
  * Someone else: "my son is cutting himself" is a crisis about another person;
    "a friend who wants to die", "people who self harm" are a topic, not a crisis.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.crisis_classifier import LEVEL_GUESS, SCORES
from components.crisis_decision import CRISIS, DISTRESS, Thresholds, decide
from components.crisis_levels import LEVEL_ENTITY, THOUGHTS, level_of
from components.crisis_matcher import CrisisRules
from components.crisis_normalise import normalise
from components.crisis_other_languages import PHRASES_FILE, OtherLanguagePhrases, read_phrases
from components.crisis_rules import FORMAT_VERSION, CrisisRulesError, rule_files_fingerprint
from components.language_detector import OTHER_LANGUAGE_INTENT

logger = logging.getLogger(__name__)

SAFETY_INTENTS = {CRISIS, DISTRESS}
# Intents that mean no topic claims the message. DIET's own crisis or distress guess does not count:
# on the development part it made a check-in of factual treatment histories ("tried 4 pills, none
# helped"), which the classifier, trained on the corpus's near misses, reads better.
UNCLAIMED_INTENTS = {DEFAULT_NLU_FALLBACK_INTENT_NAME, "out_of_scope", "outside_content", OTHER_LANGUAGE_INTENT}
SUBJECT_ENTITY = "crisis_subject"
DIAGNOSTICS = "crisis_detector"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent, IntentClassifier):
    """Sets `crisis` or `distress` from staff-written phrases and the crisis classifier; see the module docstring."""

    RULES_FILE = "crisis_rules.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Phrase files, relative to the project (where `rasa train` runs).
            "patterns": [
                "crisis/phrases/crisis_patterns.yml",
                "crisis/phrases/crisis_context.yml",
            ],
            # The decision's thresholds on CrisisClassifier's calibrated scores (crisis_decision.py);
            # config.yml sets the values chosen on the corpus's development part.
            "crisis_threshold": 0.65,
            "checkin_threshold": 0.5,
            "unclaimed_checkin_threshold": 0.5,
            "veto_override_threshold": 0.97,
            "rules_overruled_threshold": 0.8,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The phrase files are not training data Rasa knows of: without this, a
        # retrain after editing them would reuse the cached component.
        return rule_files_fingerprint([*_pattern_paths({**cls.get_default_config(), **config}), PHRASES_FILE])

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        rules: CrisisRules | None = None,
        other_languages: OtherLanguagePhrases | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.rules = rules
        self.other_languages = other_languages
        self.thresholds = Thresholds(
            crisis=self._config["crisis_threshold"],
            checkin=self._config["checkin_threshold"],
            unclaimed_checkin=self._config["unclaimed_checkin_threshold"],
            veto_override=self._config["veto_override_threshold"],
            rules_overruled=self._config["rules_overruled_threshold"],
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        return cls(config, model_storage, resource)

    # -- training and persistence ------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        """Reads, checks and compiles the phrase files, and keeps them with the model.

        The crisis and distress examples in the NLU data train DIET, not this
        component: its phrases come only from the files.
        """
        try:
            self.rules = CrisisRules.from_files(_pattern_paths(self._config))
            self.other_languages = OtherLanguagePhrases(read_phrases())
        except (CrisisRulesError, ValueError) as error:
            raise InvalidConfigException(f"CrisisDetector: {error}") from error
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self.rules is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / self.RULES_FILE,
                {
                    "format": FORMAT_VERSION,
                    "rules": self.rules.data,
                    "typos": self.rules.typos,
                    "other_languages": self.other_languages.data,
                },
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisDetector:
        # No fallback to an empty detector: a model that cannot watch for a crisis
        # must not start.
        with model_storage.read_from(resource) as directory:
            stored = rasa.shared.utils.io.read_json_file(directory / cls.RULES_FILE)
        if stored.get("format") != FORMAT_VERSION:
            raise InvalidConfigException("CrisisDetector: the model was trained with another rules format; retrain.")
        rules = CrisisRules(stored["rules"], stored["typos"])
        return cls(config, model_storage, resource, rules, OtherLanguagePhrases(stored["other_languages"]))

    # -- processing ----------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        if self.rules is None:
            raise InvalidConfigException("CrisisDetector has not been trained.")
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        scores = message.get(SCORES)
        if scores is None:
            raise InvalidConfigException("CrisisDetector needs CrisisClassifier before it in the pipeline.")
        normalised = normalise(text)
        finding = self.rules.analyse(normalised)
        if finding.intent is None and not finding.vetoed:
            finding.intent, phrase = self.other_languages.intent(normalised)
            if phrase:
                finding.reasons.append(f"'{phrase}': {finding.intent} (other languages)")
        unclaimed = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in UNCLAIMED_INTENTS
        decision = decide(finding.intent, finding.vetoed, scores, unclaimed, self.thresholds)
        diagnostics = {
            "source": decision.source,
            "rules": finding.intent,
            "vetoed": finding.vetoed,
            "unclaimed": unclaimed,
            "reasons": finding.reasons,
        }
        message.set(DIAGNOSTICS, diagnostics, add_to_output=True)
        if decision.intent is None:
            self._take_safety_intents_off_top(message)
            return
        self._set_intent(message, decision.intent, 1.0)  # the guide's contract: a safety intent is certain
        subject = finding.subject if finding.intent else finding.message_subject
        level = level_of(message.get(LEVEL_GUESS) or THOUGHTS, finding.danger_now)
        self._set_entities(message, text, subject or "self", level if decision.intent == CRISIS else THOUGHTS)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(intent)] + ranking, add_to_output=True)

    def _set_entities(self, message: Message, text: str, subject: str, level: str) -> None:
        # The whole message: the rules read its normalised form, whose offsets are not the text's.
        mine = {SUBJECT_ENTITY: subject, LEVEL_ENTITY: level}
        entities = [entity for entity in message.get(ENTITIES) or [] if entity.get("entity") not in mine]
        for name, value in mine.items():
            entities.append(
                {
                    "entity": name,
                    "value": value,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
        message.set(ENTITIES, entities, add_to_output=True)

    def _take_safety_intents_off_top(self, message: Message) -> None:
        """Only the decision says crisis or distress: an unconfirmed one from DIET becomes nlu_fallback."""
        intent = message.get(INTENT) or {}
        ranking = [
            entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) not in SAFETY_INTENTS
        ]
        if intent.get(INTENT_NAME_KEY) in SAFETY_INTENTS:
            intent = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [dict(intent)] + [
                e for e in ranking if e.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME
            ]
            message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _pattern_paths(config: dict[str, Any]) -> list[Path]:
    """The configured phrase files; a relative path is tried from the working
    directory first (where `rasa train` runs), then from the project root."""
    patterns = config.get("patterns")
    if isinstance(patterns, str):
        patterns = [patterns]
    if not patterns:
        raise InvalidConfigException("CrisisDetector needs `patterns`: its phrase files.")
    paths = []
    for entry in patterns:
        path = Path(entry)
        if not path.is_absolute() and not path.exists():
            path = PROJECT_ROOT / path
        paths.append(path)
    return paths
