"""The country extractor: trained from content/helplines.yml, persisted and loaded with the model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.country_extractor import CountryExtractor


@pytest.fixture(scope="module")
def extractor(tmp_path_factory) -> CountryExtractor:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("country_extractor")
    context = ExecutionContext(GraphSchema({}), "test")
    CountryExtractor.create({}, storage, resource, context).train(TrainingData())
    return CountryExtractor.load({}, storage, resource, context)


def found(extractor: CountryExtractor, text: str, metadata: dict | None = None) -> dict[str, str]:
    """The country entities found in a message, by entity name."""
    message = Message(data={"text": text, "metadata": metadata})
    extractor.process([message])
    return {entity["entity"]: entity["value"] for entity in message.get("entities", [])}


def country(extractor: CountryExtractor, text: str, metadata: dict | None = None) -> str | None:
    """The country the person named, or else the page's: the order the crisis reply uses."""
    entities = found(extractor, text, metadata)
    return entities.get("country") or entities.get("page_country")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'm in the UK", "gb"),
        ("I live in Northern Ireland", "gb"),
        ("im from ireland", "ie"),
        ("australia", "au"),
        ("based in toronto", "ca"),
        ("New Zealand.", "nz"),
        ("i live in the states", "us"),
    ],
)
def test_a_country_the_person_names_is_found(extractor, text, expected):
    assert country(extractor, text) == expected


HELPLINES = yaml.safe_load(Path("content/helplines.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("city", "expected"),
    [(city, place["code"]) for place in HELPLINES["countries"] for city in place["cities"]],
)
def test_every_listed_city_gives_its_country(extractor, city, expected):
    assert country(extractor, f"i'm in {city}") == expected
    assert country(extractor, city.title()) == expected  # the whole message


def test_each_country_lists_its_capital_and_ten_largest_cities():
    assert all(len(place["cities"]) >= 11 for place in HELPLINES["countries"])


def test_a_name_given_to_two_countries_stops_training(tmp_path):
    helplines = {**HELPLINES, "countries": [*HELPLINES["countries"]]}
    helplines["countries"][0] = {**helplines["countries"][0], "cities": ["dublin"]}
    path = tmp_path / "helplines.yml"
    path.write_text(yaml.safe_dump(helplines), encoding="utf-8")
    storage, context = LocalModelStorage(tmp_path / "model"), ExecutionContext(GraphSchema({}), "test")
    component = CountryExtractor.create({"helplines": str(path)}, storage, Resource("country"), context)
    with pytest.raises(InvalidConfigException, match="dublin"):
        component.train(TrainingData())


@pytest.mark.parametrize("text", ["what do uk doctors say about tms", "tell us more", "what is trd"])
def test_a_country_name_that_does_not_say_where_the_person_is_is_ignored(extractor, text):
    assert country(extractor, text) is None


def test_the_page_metadata_gives_the_country(extractor):
    assert country(extractor, "hello", {"country": "GB"}) == "gb"
    assert country(extractor, "hello", {"country": "uk"}) == "gb"


def test_a_territory_served_by_another_countrys_lines_gets_those_lines(extractor):
    assert country(extractor, "hello", {"country": "JE"}) == "gb"
    assert country(extractor, "hello", {"country": "IM"}) == "gb"


def test_a_country_without_lines_of_its_own_gets_the_international_directory(extractor):
    assert country(extractor, "hello", {"country": "DE"}) == "intl"


def test_what_the_person_says_and_the_page_are_kept_apart(extractor):
    assert found(extractor, "i'm in new zealand", {"country": "US"}) == {"country": "nz", "page_country": "us"}
    assert found(extractor, "what is tms", {"country": "US"}) == {"page_country": "us"}


@pytest.mark.parametrize("metadata", [None, {}, {"country": ""}, {"country": 42}, {"country": "not a country"}])
def test_missing_or_odd_metadata_gives_no_country(extractor, metadata):
    assert country(extractor, "hello", metadata) is None


def intent_of(extractor: CountryExtractor, text: str, intent: str = "out_of_content") -> str:
    """The intent after the extractor, given the classifier's guess before it."""
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6}})
    extractor.process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize(
    "text", ["i'm in manchester", "We live in Perth, Australia", "from cork", "i am based in the UK.", "auckland"]
)
def test_a_message_that_only_says_where_the_person_is_informs_the_country(extractor, text):
    assert intent_of(extractor, text) == "inform_country"


@pytest.mark.parametrize(
    "text",
    [
        "wait time for nhs talking therapies in manchester",
        "is ketamine legal in the uk",
        "i'm in a dark place",
        "i'm in london and i want to die",
    ],
)
def test_a_message_that_says_more_than_where_keeps_the_classifiers_intent(extractor, text):
    assert intent_of(extractor, text) == "out_of_content"
