"""Finds the country whose crisis lines a conversation should get.

Two places say it, as two entities: the person ("I'm in the UK", "I'm in Leeds": a city stands for its
country, or just "australia") as `country`, and the page or app, in the message metadata
(`{"country": "GB"}`: the widget sends the page's country, the SMS channel the phone number's) as
`page_country`. They fill two slots, and the crisis
reply prefers what the person said: the page sends its country with every message, and must not
undo what the person told us earlier. A message that says nothing but where the person is ("i'm in
manchester", "we live in perth, australia") is also given the intent `inform_country` here: the
intent classifier learned places from a few dozen examples and reads an unseen city as an
unanswered question, while this list knows every place whose lines we keep.

The country names come from content/helplines.yml, read at training time and kept with the model,
so adding a country there needs no code. A country code we have no lines for becomes `intl`, which
gets the international directory.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

STATED = "country"
PAGE = "page_country"
INTERNATIONAL = "intl"
COUNTRIES_FILE = "countries.yml"
# A name counts only where it says where the person is, or when it is the whole message;
# "the states of mind" or "uk doctors say" are not a location.
LOCATION_CUES = r"(?:\bin|\bfrom|\blive in|\bliving in|\bbased in|\blocated in|\bcountry is)\s+(?:the\s+)?"
ISO_CODE = re.compile(r"^[a-z]{2}$")
# What may stand around the place names in a message that only says where the person is.
PLACE_STATEMENT_WORDS = (
    r"(?:i'?m|i am|we'?re|we are|i|we|live|living|based|located|staying|my|country|is|in|from|near|the)"
)
INFORM_COUNTRY = "inform_country"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CountryExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"helplines": "content/helplines.yml"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        names: dict[str, str],
        codes: dict[str, str],
    ):
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._names = names  # what people call a country -> its code
        self._codes = codes  # a country code in metadata -> the code whose lines serve it
        self._compile()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # content/helplines.yml is not training data Rasa knows of: without this, a retrain
        # after editing it would reuse the cached component.
        path = Path({**cls.get_default_config(), **config}["helplines"])
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CountryExtractor:
        return cls(config, model_storage, resource, {}, {})

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CountryExtractor:
        with model_storage.read_from(resource) as directory:
            countries = yaml.safe_load((directory / COUNTRIES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, countries["names"], countries["codes"])

    def train(self, training_data: TrainingData) -> Resource:
        helplines = yaml.safe_load(Path(self._config["helplines"]).read_text(encoding="utf-8"))
        names, codes = {}, {}
        for country in helplines["countries"]:
            for code in [country["code"], *country.get("also_serves", [])]:
                codes[code] = country["code"]
            for name in [*country["names"], *country.get("cities", [])]:
                if names.get(name.lower(), country["code"]) != country["code"]:
                    raise InvalidConfigException(
                        f"{self._config['helplines']}: {name!r} is named for two countries; keep it for one."
                    )
                names[name.lower()] = country["code"]
        self._names, self._codes = names, codes
        self._compile()
        with self._model_storage.write_to(self._resource) as directory:
            countries = yaml.safe_dump({"names": names, "codes": codes})
            (directory / COUNTRIES_FILE).write_text(countries, encoding="utf-8")
        return self._resource

    def _compile(self) -> None:
        # Longest names first, so "northern ireland" is read before "ireland".
        alternatives = "|".join(re.escape(name) for name in sorted(self._names, key=len, reverse=True))
        self._said = re.compile(rf"{LOCATION_CUES}({alternatives})(?!\w)", re.IGNORECASE)  # "d.c." ends in a dot
        self._alone = re.compile(rf"^\W*(?:the\s+)?({alternatives})\W*$", re.IGNORECASE)
        place = rf"(?:the\s+)?(?:{alternatives})(?!\w)"
        self._place_statement = re.compile(
            rf"^\W*(?:{PLACE_STATEMENT_WORDS}\W+)*{place}(?:\W+(?:{PLACE_STATEMENT_WORDS}\W+)*{place})?\W*$",
            re.IGNORECASE,
        )

    def code_for(self, value: Any) -> str | None:
        """The code we keep lines for, `intl` for another country's code, None for no country."""
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip().lower()
        if value in self._codes:
            return self._codes[value]
        if value in self._names:
            return self._names[value]
        return INTERNATIONAL if ISO_CODE.match(value) else None

    def _entities(self, message: Message) -> list[dict[str, Any]]:
        entities = []
        text = message.get(TEXT) or ""
        found = (self._said.search(text) or self._alone.search(text)) if self._names else None
        if found:
            start, end = found.span(1)
            entities.append(
                {"entity": STATED, "value": self._names[found.group(1).lower()], "start": start, "end": end}
            )
        metadata = message.get("metadata") or {}
        code = self.code_for(metadata.get("country")) if isinstance(metadata, dict) else None
        if code:
            entities.append({"entity": PAGE, "value": code})
        return entities

    def _says_only_where(self, message: Message) -> bool:
        return bool(self._names) and bool(self._place_statement.match(message.get(TEXT) or ""))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = self.add_extractor_name(self._entities(message))
            if entities:
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            if self._says_only_where(message):
                intent = {"name": INFORM_COUNTRY, "confidence": 1.0}
                ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != INFORM_COUNTRY]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
