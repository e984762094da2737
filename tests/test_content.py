"""The curated content: complete, sourced, in the team's own words, and built into responses."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import pytest
import yaml

from components.crisis_levels import LEVELS
from content_library.load import load_crisis_words, load_helplines, load_languages, load_sources, load_topics
from content_library.next_steps import NEXT_STEPS_REPLY, load_next_steps, load_translated_next_steps
from scripts.build_responses import build, helpline_buttons

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT.parent / "shared" / "seeds"
GUIDE = PROJECT.parent / "shared" / "GUIDE.md"
EXCERPTS = PROJECT / "content" / "excerpts"


def guide_topics() -> set[str]:
    """The topic ids of the guide's table ("| id | covers |"): the product's definition of the topics."""
    section = GUIDE.read_text(encoding="utf-8").split("## Content topics", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z_]+) \|", section, flags=re.M)
    return set(rows) - {"id"}


GUIDE_TOPICS = guide_topics()
REQUIRED_COUNTRIES = {"us", "ca", "gb", "ie", "au", "nz"}
COPY_RUN = 7  # this many words in a row shared with a source article counts as copying
TOPICS = load_topics()
WORDS_OF_LANGUAGE = load_languages()
LANGUAGES = ["en", *WORDS_OF_LANGUAGE]


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


def test_every_source_is_a_seed_article_or_a_dated_page_with_the_passages_it_was_read_for():
    for source in load_sources().values():
        if source.file:
            assert (SEEDS / source.file).is_file(), source.file
            continue
        assert source.publisher and source.title and source.address.startswith(("https://", "http://")), source
        assert isinstance(source.read, datetime.date) and source.read <= datetime.date.today(), source
        excerpt = (EXCERPTS / source.excerpt).read_text(encoding="utf-8")
        assert excerpt.splitlines()[0].strip() == source.address, source.id
        assert len(excerpt.split()) >= 30, source.id


def test_every_excerpt_belongs_to_a_source():
    named = {source.excerpt for source in load_sources().values() if source.excerpt}
    assert {path.name for path in EXCERPTS.glob("*.txt")} == named


def source_texts() -> list[str]:
    seeds = [path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")]
    return seeds + [path.read_text(encoding="utf-8") for path in EXCERPTS.glob("*.txt")]


@pytest.mark.parametrize("topic_id", sorted(GUIDE_TOPICS))
def test_answers_are_in_our_own_words_not_copied_from_the_articles(topic_id):
    article_runs = set().union(*(runs(text, COPY_RUN) for text in source_texts()))
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


@pytest.mark.parametrize("topic_id", sorted(topic_id for topic_id in GUIDE_TOPICS if TOPICS[topic_id].not_covered))
def test_an_answer_says_in_itself_what_its_sources_do_not_cover(topic_id):
    topic = TOPICS[topic_id]
    answer = topic.answer_text
    assert "does not cover" in answer and answer.index(topic.short) < answer.index("does not cover")
    assert all(point in answer for point in topic.not_covered)


def test_every_answer_carries_one_short_citation_per_source():
    for topic in TOPICS.values():
        line = topic.answer_text.rsplit("\n\n", 1)[1]
        assert line == "From: " + "; ".join(source.citation for source in topic.sources)
        for source in topic.sources:
            assert source.title in line and (not source.publisher or source.publisher in line)
            assert not source.address or source.address not in line  # addresses are in "where is this from?"


def test_where_is_this_from_is_a_sentence_with_every_address_people_can_open():
    sources_replies = {conditions(v).get("topic"): v["text"] for v in build()["responses"]["utter_sources"]}
    for topic in TOPICS.values():
        reply = sources_replies[topic.id]
        assert reply.startswith(f"The answer on {topic.title} comes from ") and reply.endswith(".")
        assert all(source.address in reply for source in topic.sources if source.address)


def variations_rasa_could_pick(variations: list[dict], slots: dict, channel: str | None) -> list[dict]:
    """The variations Rasa 3.6 picks among at random (TemplatedNaturalLanguageGenerator): the
    conditional ones whose slots match, else the unconditional ones; in each, those for the output
    channel if there are any, else those for no channel."""
    conditional = [
        v
        for v in variations
        if "condition" in v and all(slots.get(slot) == value for slot, value in conditions(v).items())
    ]
    for candidates in (conditional, [v for v in variations if "condition" not in v]):
        for wanted in (channel, None):
            picked = [v for v in candidates if v.get("channel") == wanted]
            if picked:
                return picked
    return []


@pytest.mark.parametrize("channel", [None, "socketio"])
def test_exactly_one_variation_of_every_reply_fits_each_topic_crisis_flag_language_and_channel(channel):
    """Rasa picks at random among the variations that match: they must not overlap."""
    for name, variations in build()["responses"].items():
        if name == "utter_crisis":
            continue
        for topic, flagged, language, stated in itertools.product(
            [*GUIDE_TOPICS, None], (True, False), LANGUAGES, ("gb", None)
        ):
            slots = {"topic": topic, "crisis_flagged": flagged, "language": language, "country": stated}
            assert len(variations_rasa_could_pick(variations, slots, channel)) == 1, (name, slots)


def test_every_reply_keeps_the_crisis_lines_one_tap_away_once_flagged():
    """The crisis lines themselves (the crisis reply, and a country named once flagged) carry their
    own buttons; every other reply carries the "Crisis lines" button."""
    responses = build()["responses"]
    helplines = load_helplines()
    countries = {country["code"]: country for country in helplines["countries"]}
    directory = [{"title": helplines["international"]["name"], "payload": helplines["international"]["url"]}]
    for name, variations in responses.items():
        if name == "utter_crisis":
            continue
        flagged = [variation for variation in variations if conditions(variation).get("crisis_flagged") is True]
        assert flagged, name
        for variation in flagged:
            if name == "utter_country_noted":
                code = conditions(variation)["country"]
                assert variation["buttons"] == (helpline_buttons(countries[code]) if code in countries else directory)
            else:
                # in the reply's own language: a Spanish check-in carries "Líneas de crisis", and only it
                language = conditions(variation).get("language", "en")
                title = "Crisis lines" if language == "en" else WORDS_OF_LANGUAGE[language]["buttons"]["crisis_lines"]
                helplines = [button for button in variation["buttons"] if button["payload"] == "/crisis"]
                assert helplines[-1:] == [{"title": title, "payload": "/crisis"}], name


CRISIS_VARIATIONS = build()["responses"]["utter_crisis"]  # built once: the checks below ask thousands of times


def crisis_variations_for(slots: dict, channel: str | None) -> list[dict]:
    """The crisis variations Rasa could pick for these slot values on this channel."""
    return variations_rasa_could_pick(CRISIS_VARIATIONS, slots, channel)


@pytest.mark.parametrize("channel", [None, "socketio"])
def test_exactly_one_crisis_variation_fits_every_country_subject_level_and_channel(channel):
    codes = [*REQUIRED_COUNTRIES, "intl", None]
    subjects, levels = ("self", "other", None), (*LEVELS, None)
    for stated, page, subject, level, language in itertools.product(codes, codes, subjects, levels, LANGUAGES):
        slots = {
            "country": stated,
            "page_country": page,
            "crisis_subject": subject,
            "crisis_level": level,
            "language": language,
        }
        assert len(crisis_variations_for(slots, channel)) == 1, slots


def english_crisis_text(level: str | None, subject: str = "self") -> str:
    slots = {"country": "gb", "crisis_subject": subject, "crisis_level": level, "language": "en"}
    [variation] = crisis_variations_for(slots, None)
    return variation["text"]


def test_danger_now_gives_the_emergency_number_first_and_asks_whether_the_person_is_safe():
    text = english_crisis_text("danger")
    first_sentence = text.split(". ")[0]
    assert first_sentence.startswith("You matter") and "call 999 now" in first_sentence
    assert "somewhere safe" in text and "anyone with you" in text
    assert text.index("999") < text.index("116 123")


def test_a_plan_gives_the_lines_first_then_time_and_distance_from_the_means():
    text = english_crisis_text("plan")
    assert text.index("116 123") < text.index("time and distance") < text.index("999")
    assert "someone to be with you" in text


def test_thoughts_and_an_unknown_level_get_the_same_reply_with_the_number_last():
    text = english_crisis_text("thoughts")
    assert english_crisis_text(None) == text
    assert text.index("116 123") < text.index("999") and text.rstrip().endswith("now.")
    assert len({english_crisis_text(level) for level in LEVELS}) == 3
    assert all(english_crisis_text(level).startswith("You matter") for level in LEVELS)  # kindest first


def test_someone_writing_about_another_person_gets_the_same_reply_whatever_the_level():
    texts = {english_crisis_text(level, "other") for level in (*LEVELS, None)}
    assert len(texts) == 1 and "looking out for them" in texts.pop()


def test_a_text_line_that_asks_for_a_keyword_has_it_in_its_link():
    for country in load_helplines()["countries"]:
        for line in country["lines"]:
            if "keyword" in line:
                assert f"text {line['keyword']} to {line['sms']}" in line["how"], line
            elif "sms" in line:
                assert not re.search(r"text [A-Z]{2,} to", line["how"]), f"{line['name']} needs its keyword"
    [variation] = crisis_variations_for({"country": "gb", "crisis_subject": "self", "language": "en"}, None)
    assert {"title": "Text Shout", "payload": "sms:85258?body=SHOUT"} in variation["buttons"]


def test_the_crisis_words_name_the_guidance_they_follow():
    guidance = load_crisis_words()["guidance"]
    assert len(guidance) >= 3
    for entry in guidance:
        assert entry["title"] and entry["publisher"] and entry["followed"]
        assert entry["address"].startswith("https://")


def test_what_the_person_said_wins_over_the_page_country():
    english = {"crisis_subject": "self", "language": "en"}
    [variation] = crisis_variations_for({"country": "gb", "page_country": "us", **english}, None)
    assert "116 123" in variation["text"] and "988" not in variation["text"]
    [variation] = crisis_variations_for({"country": None, "page_country": "au", **english}, None)
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
            if where["language"] == "en":
                assert all(line["how"] in variation["text"] for line in country["lines"])
            else:  # the line's name and number, with the directory, in the person's language
                assert all(line.get("tel", line.get("sms")) in variation["text"] for line in country["lines"])
                assert "findahelpline.com" in variation["text"]
            assert any(button["payload"].startswith(("tel:", "sms:")) for button in variation["buttons"])


NEXT_STEPS = load_next_steps()
NEXT_STEPS_IN = {"en": NEXT_STEPS, **load_translated_next_steps()}


def next_steps_of(variation: dict):
    """The next steps in the language a variation is for."""
    return NEXT_STEPS_IN[conditions(variation)["language"]]


def test_the_next_steps_come_in_english_and_in_every_language_of_the_crisis_reply():
    assert set(NEXT_STEPS_IN) == set(LANGUAGES)
    variations = build()["responses"][NEXT_STEPS_REPLY]
    assert {conditions(variation)["language"] for variation in variations} == set(LANGUAGES)


def test_the_next_steps_follow_guidance_the_crisis_words_list():
    listed = {entry["title"] for entry in load_crisis_words()["guidance"]}
    assert "Stanley-Brown Safety Planning Intervention" in NEXT_STEPS.follows
    assert set(NEXT_STEPS.follows) <= listed


def test_the_safety_plan_has_the_six_stanley_brown_steps_as_text_and_as_the_widgets_form():
    for next_steps in NEXT_STEPS_IN.values():
        assert len(next_steps.plan.steps) == 6 and all(step.title and step.hint for step in next_steps.plan.steps)
    variations = build()["responses"][NEXT_STEPS.steps["safety_plan"].response]
    as_text = [variation for variation in variations if "channel" not in variation]
    widget = [variation for variation in variations if variation.get("channel") == "socketio"]
    assert as_text and widget and len(as_text) + len(widget) == len(variations)
    for variation in as_text:
        assert next_steps_of(variation).plan.steps_text in variation["text"] and "custom" not in variation
    for variation in widget:
        # only the words: the answers are typed and kept in the browser
        plan = next_steps_of(variation).plan
        assert variation["custom"]["data"] == {"safety_plan": plan.form}
        assert plan.steps_text not in variation["text"]


def test_every_next_step_is_offered_answered_by_its_own_intent_and_rule_and_offers_the_others():
    responses = build()["responses"]
    domain = yaml.safe_load((PROJECT / "domain" / "domain.yml").read_text())
    rules = yaml.safe_load((PROJECT / "data" / "rules" / "next_steps.yml").read_text())["rules"]
    answered = {rule["steps"][0]["intent"]: rule["steps"][1]["action"] for rule in rules}

    def buttons_of(variation: dict) -> list[dict]:
        return [step.button for step in next_steps_of(variation).steps.values()]

    assert all(buttons_of(v) == v["buttons"][: len(buttons_of(v))] for v in responses[NEXT_STEPS_REPLY])
    for step in NEXT_STEPS.steps.values():
        assert step.id in domain["intents"] and answered[step.id] == step.response
        for variation in responses[step.response]:
            others = [button for button in buttons_of(variation) if button["payload"] != step.button["payload"]]
            assert variation["buttons"][: len(others)] == others


def test_every_crisis_reply_is_flagged_and_then_followed_by_the_next_steps():
    rules = yaml.safe_load((PROJECT / "data" / "rules" / "safety.yml").read_text())["rules"]
    crisis_rules = [[step.get("action") for step in rule["steps"]] for rule in rules]
    crisis_rules = [actions for actions in crisis_rules if "utter_crisis" in actions]
    assert len(crisis_rules) == 3
    for actions in crisis_rules:
        assert actions[-3:] == ["utter_crisis", "action_flag_crisis", NEXT_STEPS_REPLY]


def test_the_crisis_reply_s_buttons_in_another_language_are_in_its_words():
    for variation in CRISIS_VARIATIONS:
        language = conditions(variation)["language"]
        if language == "en":
            continue
        words = WORDS_OF_LANGUAGE[language]["buttons"]
        for button in variation["buttons"]:
            title = button["title"]
            assert not title.startswith(("Call ", "Text ")) and "(emergency)" not in title
            # the emergency number's button: "Llamar: 112 (emergencias)"
            named = re.fullmatch(r"(.+): (\d+) \((.+)\)", title)
            if named and button["payload"] == f"tel:{named[2]}":
                assert (named[1], named[3]) == (words["call"], words["emergency"])
