"""CrisisClassifier: crisis, distress or none, learned from the crisis corpus, for every message.

The phrase rules (components/crisis_detector.py) are precise but know only the wordings they were
written from; a classifier learned from many varied examples generalises to wordings nobody wrote
down. This one is separate from the intent classifier, because the intents answer "which topic" and
this answers "is this person at risk", with examples of its own: the crisis corpus (crisis/corpus/,
its training part only) plus the NLU examples (the safety intents' as their labels, every other
intent's as `none`: the questions people ask every day are what a crisis must be told from).

It reads each message through the crisis normaliser, so obfuscation is undone before it counts
words, their roots and letter n-grams. Its probabilities are calibrated: a linear SVM's margins
turned into probabilities by Platt scaling on folds split by corpus batch (a fold never holds a
paraphrase of what it was fitted on), with one model fitted on all of it, so a message costs one
prediction. A score of 0.8 means about eight in ten such messages were crises, which is what the
thresholds of the decision are set on.
It sets `crisis_scores` ({"crisis": p, "distress": p, "none": p}) on the message; CrisisDetector,
last in the pipeline, makes the one decision from these and the phrase rules. It also sets
`crisis_level_guess`, how urgent the message would be were it a crisis (components/crisis_levels.py):
a second linear model on the same features, learned from the corpus's crisis messages whose
category has one level, so the level costs no second reading of the message.

The features and the model were chosen by measurement on the corpus's development part:
bench/crisis_classifier_choice.py prints the comparison.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from components.crisis_corpus import LABELS, TRAIN, Example, fingerprint, read_corpus
from components.crisis_levels import LEVEL_OF_CATEGORY
from components.crisis_normalise import lemmatise, normalise

logger = logging.getLogger(__name__)

SCORES = "crisis_scores"
LEVEL_GUESS = "crisis_level_guess"
SAFETY_LABELS = {"crisis", "distress"}
MODEL_FILE = "crisis_classifier.skops"
CALIBRATION_FOLDS = 5
# The solvers visit examples in a random order: a fixed seed makes one corpus give one model, so a
# gate's figure moves only when the data or the code does.
SEED = 0


class CrisisModel:
    """TF-IDF features of the normalised message and a calibrated linear model; fitted or loaded.

    Features: word n-grams ("words"), the same of the words' roots ("roots", in the same vectoriser,
    each root marked so it never meets a word: one vectoriser costs a third of a millisecond a message),
    and letter n-grams within words ("characters").
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.kinds = set(config["features"])
        self.words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, config["word_ngrams"]),
            min_df=1,
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
        )
        self.characters = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(config["min_char_ngram"], config["max_char_ngram"]),
            min_df=2,
            sublinear_tf=True,
            max_features=config["max_char_features"],
        )
        self.estimator = config["estimator"]
        self.regularisation = config["regularisation"]
        self.classifier: CalibratedClassifierCV | None = None
        self.level_classifier: LinearSVC | None = None

    def _word_input(self, normalised: str) -> str:
        words = normalised if "words" in self.kinds else ""
        if "roots" not in self.kinds:
            return words
        return f"{words} | {' '.join(f'root_{root}' for root in lemmatise(normalised))}"

    def features(self, texts: list[str], fit: bool = False):
        normalised = [normalise(text) for text in texts]
        parts = []
        if self.kinds & {"words", "roots"}:
            words = [self._word_input(text) for text in normalised]
            parts.append(self.words.fit_transform(words) if fit else self.words.transform(words))
        if "characters" in self.kinds:
            parts.append(self.characters.fit_transform(normalised) if fit else self.characters.transform(normalised))
        return hstack(parts).tocsr()

    def fit(
        self, texts: list[str], labels: list[str], groups: list[str], levels: list[str | None] | None = None
    ) -> CrisisModel:
        """`levels`: each crisis message's level where its category has one (None elsewhere)."""
        features = self.features(texts, fit=True)
        folds = list(GroupKFold(CALIBRATION_FOLDS).split(features, labels, groups))
        if self.estimator == "logistic_regression":
            base = LogisticRegression(C=self.regularisation, class_weight="balanced", max_iter=3000, random_state=SEED)
        elif self.estimator == "linear_svm":
            base = LinearSVC(C=self.regularisation, class_weight="balanced", random_state=SEED)
        else:
            raise InvalidConfigException(f"CrisisClassifier: unknown estimator {self.estimator!r}.")
        self.classifier = CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False).fit(features, labels)
        rows = [row for row, level in enumerate(levels or []) if level]
        if rows:
            self.level_classifier = LinearSVC(C=self.regularisation, class_weight="balanced", random_state=SEED)
            self.level_classifier.fit(features[rows], [levels[row] for row in rows])
        return self

    def scores(self, texts: list[str]) -> list[dict[str, float]]:
        return [scores for scores, _ in self.read(texts)]

    def read(self, texts: list[str]) -> list[tuple[dict[str, float], str | None]]:
        """Each text's calibrated scores and its level were it a crisis (None without a level model)."""
        features = self.features(texts)
        probabilities = self.classifier.predict_proba(features)
        classes = list(self.classifier.classes_)
        scores = [{label: float(row[classes.index(label)]) for label in LABELS} for row in probabilities]
        levels = self.level_classifier.predict(features) if self.level_classifier else [None] * len(texts)
        return [(row, None if level is None else str(level)) for row, level in zip(scores, levels, strict=True)]


def training_set(corpus: list[Example], nlu: TrainingData) -> tuple[list[str], list[str], list[str], list[str | None]]:
    """Texts, labels, groups (for the calibration folds) and levels to learn from: the corpus's training
    part and the NLU examples. A text's level is set only for a crisis whose category has one."""
    texts, labels, groups, levels = [], [], [], []
    for example in corpus:
        if example.part == TRAIN:
            texts.append(example.text)
            labels.append(example.label)
            groups.append(example.batch)
            levels.append(LEVEL_OF_CATEGORY.get(example.category) if example.label == "crisis" else None)
    for message in nlu.intent_examples:
        intent = message.get(INTENT)
        texts.append(message.get(TEXT))
        labels.append(intent if intent in SAFETY_LABELS else "none")
        groups.append(f"nlu:{intent}")
        levels.append(None)
    return texts, labels, groups, levels


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisClassifier(GraphComponent):
    """Sets `crisis_scores` on every message; see the module docstring."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "features": ["words", "roots", "characters"],  # any of them
            "estimator": "linear_svm",  # or logistic_regression
            "word_ngrams": 2,
            "min_char_ngram": 2,
            "max_char_ngram": 5,
            "max_char_features": 200_000,
            "regularisation": 2.0,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The corpus is not training data Rasa knows of: without this, editing it would not retrain.
        return fingerprint()

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model: CrisisModel | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels, groups, levels = training_set(read_corpus(), training_data)
        if set(labels) != set(LABELS):
            raise InvalidConfigException("CrisisClassifier needs examples of crisis, distress and none.")
        self.model = CrisisModel(self._config).fit(texts, labels, groups, levels)
        logger.info("CrisisClassifier learned from %d messages.", len(texts))
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io

        with self._model_storage.write_to(self._resource) as directory:
            skops.io.dump(self.model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisClassifier:
        import skops.io

        # No fallback to an empty classifier: a model that cannot watch for a crisis must not start.
        with model_storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            component = cls(config, model_storage, resource)
            component.model = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            raise InvalidConfigException("CrisisClassifier has not been trained.")
        texts = [message.get(TEXT) or "" for message in messages]
        for message, (scores, level) in zip(messages, self.model.read(texts), strict=True):
            message.set(SCORES, scores, add_to_output=True)
            message.set(LEVEL_GUESS, level, add_to_output=True)
        return messages
