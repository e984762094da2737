"""The curated content: complete, sourced, in the team's own words, and built into responses."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import yaml

from actions.content import load_helplines, load_sources, load_topics
from scripts.build_responses import build

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT.parent / "shared" / "seeds"
GUIDE_TOPICS = {
    "what_is_trd", "adequate_trial", "prevalence", "outlook", "causes", "misdiagnosis", "genetics",
    "co_occurring", "treatment_options", "medication_strategies", "ssri_snri", "ketamine", "kap", "tms",
    "ect", "ifs", "emdr", "psychodynamic", "therapy_and_medication", "lifestyle", "supplements",
    "surgery_absorption", "side_effects", "emotional_toll", "finding_help",
}  # fmt: skip
REQUIRED_COUNTRIES = {"us", "ca", "gb", "ie", "au", "nz"}
COPY_RUN = 7  # this many words in a row shared with a source article counts as copying
TOPICS = load_topics()


def sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2014", " ").replace("\u2013", " ")
    return re.findall(r"[a-z0-9']+", text)


def runs(text: str, length: int) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def test_every_guide_topic_has_exactly_one_content_file():
    assert set(TOPICS) == GUIDE_TOPICS
    for path in (PROJECT / "content" / "topics").glob("*.yml"):
        assert yaml.safe_load(path.read_text())["id"] == path.stem


@pytest.mark.parametrize("topic_id", sorted(GUIDE_TOPICS))
def test_a_topic_has_a_phone_sized_answer_a_longer_passage_sources_and_a_review_date(topic_id):
    topic = TOPICS[topic_id]
    assert 2 <= len(sentences(topic.short)) <= 5
    assert len(topic.detail) > len(topic.short) and topic.detail not in topic.short
    assert topic.sources and set(source.id for source in topic.sources) <= set(load_sources())
    assert isinstance(topic.reviewed, datetime.date) and topic.reviewed <= datetime.date.today()
    assert 2 <= len(topic.related) <= 3 and set(topic.related) <= GUIDE_TOPICS - {topic_id}
    assert len(topic.label) <= 24


def test_every_source_article_is_in_the_seeds():
    for source in load_sources().values():
        assert (SEEDS / source.file).is_file(), source.file


@pytest.mark.parametrize("topic_id", sorted(GUIDE_TOPICS))
def test_answers_are_in_our_own_words_not_copied_from_the_articles(topic_id):
    article_runs = set().union(*(runs(path.read_text(encoding="utf-8"), COPY_RUN) for path in SEEDS.glob("*.txt")))
    topic = TOPICS[topic_id]
    copied = runs(f"{topic.short} {topic.detail}", COPY_RUN) & article_runs
    assert not copied, [" ".join(run) for run in copied]


def test_crisis_lines_cover_the_required_countries_each_with_a_check_date():
    helplines = load_helplines()
    countries = {country["code"]: country for country in helplines["countries"]}
    assert set(countries) >= REQUIRED_COUNTRIES
    assert helplines["default_country"] in countries
    for country in countries.values():
        assert country["emergency"] and country["lines"]
        for line in country["lines"]:
            assert isinstance(line["checked"], datetime.date)
            assert line.get("tel") or line.get("sms")
    assert isinstance(helplines["international"]["checked"], datetime.date)


def conditions(variation: dict) -> dict:
    return {condition["name"]: condition["value"] for condition in variation.get("condition", [])}


def test_built_responses_have_an_answer_a_passage_and_sources_for_every_topic():
    responses = build()["responses"]
    for name in ("utter_answer", "utter_more_detail", "utter_sources"):
        topics_covered = {conditions(variation).get("topic") for variation in responses[name]}
        assert topics_covered == GUIDE_TOPICS | {None}, name


def test_exactly_one_variation_of_every_reply_fits_each_topic_and_crisis_flag():
    """Rasa picks at random among the conditional variations that match: they must not overlap."""
    for name, variations in build()["responses"].items():
        if name == "utter_crisis":
            continue
        for topic in [*GUIDE_TOPICS, None]:
            for flagged in (True, False):
                slots = {"topic": topic, "crisis_flagged": flagged}
                fitting = [
                    variation
                    for variation in variations
                    if "condition" in variation
                    and all(slots.get(slot) == value for slot, value in conditions(variation).items())
                ]
                defaults = [variation for variation in variations if "condition" not in variation]
                assert len(fitting) == 1 or (not fitting and len(defaults) == 1), (name, slots)


def test_every_reply_keeps_the_crisis_lines_one_tap_away_once_flagged():
    responses = build()["responses"]
    for name, variations in responses.items():
        if name == "utter_crisis":
            continue
        flagged = [variation for variation in variations if conditions(variation).get("crisis_flagged") is True]
        assert flagged, name
        assert all({"title": "Crisis lines", "payload": "/crisis"} in v["buttons"] for v in flagged), name


def crisis_variations_for(slots: dict, channel: str | None) -> list[dict]:
    """The crisis variations Rasa could pick for these slot values on this channel."""
    return [
        variation
        for variation in build()["responses"]["utter_crisis"]
        if variation.get("channel") == channel
        and all(slots.get(name) == value for name, value in conditions(variation).items())
    ]


@pytest.mark.parametrize("channel", [None, "socketio"])
def test_exactly_one_crisis_variation_fits_every_country_subject_and_channel(channel):
    codes = [*REQUIRED_COUNTRIES, "intl", None]
    for stated in codes:
        for page in codes:
            for subject in ("self", "other", None):
                slots = {"country": stated, "page_country": page, "crisis_subject": subject}
                assert len(crisis_variations_for(slots, channel)) == 1, slots


def test_what_the_person_said_wins_over_the_page_country():
    [variation] = crisis_variations_for({"country": "gb", "page_country": "us", "crisis_subject": "self"}, None)
    assert "116 123" in variation["text"] and "988" not in variation["text"]
    [variation] = crisis_variations_for({"country": None, "page_country": "au", "crisis_subject": "self"}, None)
    assert "13 11 14" in variation["text"]


def test_the_widget_gets_the_crisis_banner_with_the_same_text_and_links():
    variations = build()["responses"]["utter_crisis"]
    for plain, widget in zip(variations[::2], variations[1::2], strict=True):
        assert widget["channel"] == "socketio" and widget["text"] == plain["text"]
        assert widget["custom"]["data"]["crisis"]["links"] == plain["buttons"]


def test_the_crisis_reply_gives_the_numbers_as_text_and_as_call_or_text_links():
    helplines = {country["code"]: country for country in load_helplines()["countries"]}
    for variation in build()["responses"]["utter_crisis"]:
        where = conditions(variation)
        code = where["country"] or where.get("page_country")
        if code in helplines:
            country = helplines[code]
            assert country["emergency"] in variation["text"]
            assert all(line["how"] in variation["text"] for line in country["lines"])
            assert any(button["payload"].startswith(("tel:", "sms:")) for button in variation["buttons"])
