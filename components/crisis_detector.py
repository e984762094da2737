"""CrisisDetector: the NLU component that has the last word on `crisis` and `distress`.

It sits last in the pipeline, after DIETClassifier and FallbackClassifier, and reads
every message against phrases that staff keep in data/nlu/lookups/crisis_patterns.yml
and crisis_context.yml (plain words; see the header of crisis_patterns.yml). It is
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
  * `crisis_detector` in the parse result: where the decision came from ("pattern",
    "model", "veto") and why, for the staff review page and the evaluation.

How the phrases combine with the ML classifier (decided from measurements: DIET's
raw scores from a model trained without this component, on tests/crisis/labelled_set.yml;
DIET alone flags 43% of the hard negatives, because it learns crisis and distress from
their own examples and the other intents hold no near misses):
  1. A crisis phrase wins, whatever DIET said. A distress phrase gives distress, or
     crisis when DIET's crisis score reaches `ml_crisis_threshold`.
  2. No phrase fired: DIET's scores are read from `intent_ranking`, which still holds
     them when FallbackClassifier has put `nlu_fallback` on top. A crisis score of at
     least `ml_crisis_threshold` (0.99) gives crisis: the model alone errs toward help
     only where it is all but certain. Measured: 0.99 adds 0.4 points of crisis recall
     for 0.7 points of false alarms (1.6% -> 2.3%); 0.95 and 0.9 reach 3.1% and 3.4%;
     and on a batch of messages the phrases had never seen, 0.99 added 3 points of
     recall at no extra false alarm. `ml_checkin_threshold` (a crisis or distress score
     that gives the distress check-in) is off by default: at 0.9 it took false alarms
     to 5%, at 0.5 to 15%. Set it when DIET has hard negatives to learn from.
  3. A phrase matched but the message itself turned it off ("I would never kill
     myself", "how do I kill myself in minecraft", "can SSRIs make you suicidal", a past
     attempt with "I'm doing well now"), or the message holds a wording staff listed
     as not a crisis ("bored to death", "I'm not suicidal"): the detector trusts that
     over DIET, which cannot tell these apart, and takes crisis and distress off the top
     (the next intent if it clears `fallback_threshold`, else nlu_fallback).
     `veto_model_on_exception: false` turns this off.
  4. Otherwise an intent of crisis or distress that the detector did not confirm is
     taken off the top the same way: only this component says crisis.

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

from components.crisis_analysis import Finding
from components.crisis_matcher import CrisisRules
from components.crisis_rules import FORMAT_VERSION, CrisisRulesError, rule_files_fingerprint

logger = logging.getLogger(__name__)

CRISIS, DISTRESS = "crisis", "distress"
SAFETY_INTENTS = {CRISIS, DISTRESS}
SUBJECT_ENTITY = "crisis_subject"
DIAGNOSTICS = "crisis_detector"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent, IntentClassifier):
    """Sets `crisis` or `distress` from staff-written phrases; see the module docstring."""

    RULES_FILE = "crisis_rules.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Phrase files, relative to the project (where `rasa train` runs).
            "patterns": [
                "data/nlu/lookups/crisis_patterns.yml",
                "data/nlu/lookups/crisis_context.yml",
            ],
            # DIET's crisis score that gives crisis without a phrase (see the docstring).
            "ml_crisis_threshold": 0.99,
            # DIET's crisis or distress score that gives the check-in; None = off.
            "ml_checkin_threshold": None,
            # Keep equal to FallbackClassifier's threshold.
            "fallback_threshold": 0.6,
            "veto_model_on_exception": True,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The phrase files are not training data Rasa knows of: without this, a
        # retrain after editing them would reuse the cached component.
        return rule_files_fingerprint(_pattern_paths({**cls.get_default_config(), **config}))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        rules: CrisisRules | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.rules = rules

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
        except CrisisRulesError as error:
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
        return cls(config, model_storage, resource, rules)

    # -- processing ----------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        if self.rules is None:
            raise InvalidConfigException("CrisisDetector has not been trained.")
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        finding = self.rules.analyse(text)
        crisis_score, distress_score = _model_scores(message)
        source, checkin = "pattern", self._config["ml_checkin_threshold"]
        intent, confidence = finding.intent, 1.0
        if intent == DISTRESS and crisis_score >= self._config["ml_crisis_threshold"]:
            intent, confidence, source = CRISIS, crisis_score, "pattern+model"
        elif intent is None and not (finding.vetoed and self._config["veto_model_on_exception"]):
            if crisis_score >= self._config["ml_crisis_threshold"]:
                intent, confidence, source = CRISIS, crisis_score, "model"
            elif checkin is not None and max(crisis_score, distress_score) >= checkin:
                intent = DISTRESS
                confidence, source = max(crisis_score, distress_score), "model"

        if intent is None:
            self._take_safety_intents_off_top(message)
            if finding.vetoed:
                message.set(
                    DIAGNOSTICS,
                    {"source": "veto", "reasons": finding.reasons},
                    add_to_output=True,
                )
            return
        subject = finding.subject if finding.intent else finding.message_subject
        self._set_intent(message, intent, confidence)
        self._set_subject(message, finding, subject or "self", text)
        message.set(DIAGNOSTICS, {"source": source, "reasons": finding.reasons}, add_to_output=True)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(intent)] + ranking, add_to_output=True)

    def _set_subject(self, message: Message, finding: Finding, subject: str, text: str) -> None:
        start, end = (finding.start, finding.end) if finding.intent else (0, len(text))
        entities = [entity for entity in message.get(ENTITIES) or [] if entity.get("entity") != SUBJECT_ENTITY]
        entities.append(
            {
                "entity": SUBJECT_ENTITY,
                "value": subject,
                "start": start,
                "end": end,
                "confidence_entity": 1.0,
                "extractor": self.__class__.__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)

    def _take_safety_intents_off_top(self, message: Message) -> None:
        """Only this component says crisis or distress: demote an unconfirmed one."""
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) not in SAFETY_INTENTS | {DEFAULT_NLU_FALLBACK_INTENT_NAME}:
            return
        ranking = [
            entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) not in SAFETY_INTENTS
        ]
        if intent.get(INTENT_NAME_KEY) == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            return
        threshold = self._config["fallback_threshold"]
        best = next(
            (entry for entry in ranking if entry.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME),
            None,
        )
        if best is None or best.get(PREDICTED_CONFIDENCE_KEY, 0.0) < threshold:
            best = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: threshold,
            }
            ranking = [best] + ranking
        message.set(INTENT, dict(best), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _model_scores(message: Message) -> tuple[float, float]:
    """DIET's crisis and distress confidences, read past a FallbackClassifier verdict."""
    scores = {CRISIS: 0.0, DISTRESS: 0.0}
    entries = list(message.get(INTENT_RANKING_KEY) or []) + [message.get(INTENT) or {}]
    for entry in entries:
        name = entry.get(INTENT_NAME_KEY)
        if name in scores:
            scores[name] = max(scores[name], entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return scores[CRISIS], scores[DISTRESS]


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
