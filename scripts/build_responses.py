"""Build domain/responses.yml, the assistant's Rasa responses, from the curated content in content/.

Content is edited in content/ (one file a topic, the helplines, the conversation texts); this script
turns it into the response variations Rasa selects by slot (conditional responses), so the replies,
the crisis reply included, are served by the Rasa server itself. Run by `make responses`.

Two rules are applied to every reply here rather than written by hand each time:
- once a conversation is flagged as a crisis (slot `crisis_flagged`), every reply carries a
  "Crisis lines" button, so help stays one tap away;
- every curated answer ends with the line that says where it comes from.

The crisis reply, the check-in and the English-only note also come in the languages of
content/languages.yml, chosen by the slot `language`; their English variations are pinned to
`language: en` so that two variations never match at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.crisis_levels import LEVEL_ENTITY, LEVELS, THOUGHTS  # noqa: E402
from content_library.load import (  # noqa: E402
    CRISIS_FLAG_SLOT,
    HELPLINES_BUTTON,
    NAMED_BUTTONS,
    Topic,
    buttons_for,
    load_conversation,
    load_crisis_words,
    load_helplines,
    load_languages,
    load_topics,
    with_helplines,
)
from content_library.next_steps import (  # noqa: E402
    NEXT_STEPS_REPLY,
    NextSteps,
    load_next_steps,
    load_translated_next_steps,
)

OUTPUT = Path(__file__).resolve().parent.parent / "domain" / "responses.yml"

MORE_BUTTON = {"title": "Tell me more", "payload": "/more_detail"}
SOURCE_BUTTON = {"title": "Where is this from?", "payload": "/ask_source"}


def slot_is(name: str, value) -> dict:
    return {"type": "slot", "name": name, "value": value}


def keep_help_in_reach(variations: list[dict]) -> list[dict]:
    """Give each variation a twin for flagged conversations that carries the crisis-lines button.

    Rasa picks at random among the conditional variations that match, so each variation is pinned
    to one value of `crisis_flagged`; unconditioned ones stay the default for unflagged talks.
    """
    result = []
    for variation in variations:
        condition = variation.get("condition", [])
        flagged_buttons = with_helplines(variation.get("buttons", []))
        result.append(
            {**variation, "buttons": flagged_buttons, "condition": [*condition, slot_is(CRISIS_FLAG_SLOT, True)]}
        )
        result.append(
            {**variation, "condition": [*condition, slot_is(CRISIS_FLAG_SLOT, False)]} if condition else variation
        )
    return result


def sources_sentence(topic: Topic) -> str:
    """ "Where is this from?" answered as a plain sentence, with the addresses people can open."""
    references = [source.reference for source in topic.sources]
    listed = "; ".join(references[:-1]) + " and " + references[-1] if len(references) > 1 else references[0]
    reviewed = f"{topic.reviewed.day} {topic.reviewed:%B %Y}"
    return (
        f"The answer on {topic.title} comes from {listed}. The team wrote it in its own words "
        f"and last reviewed it on {reviewed}. It is general information, not medical advice."
    )


def topic_responses(topics: dict[str, Topic], conversation: dict) -> dict[str, list[dict]]:
    """The short answer, the longer passage and the sources of each topic, chosen by slot `topic`."""
    # Without a topic yet: conditioned on that explicitly, so that its crisis-flagged twin cannot
    # match alongside a topic's own (Rasa would pick between them at random).
    no_topic = [slot_is("topic", None)]
    ask_which = {"condition": no_topic, **conversation_variation(conversation["texts"]["ask_which_topic"], topics)}
    answers, details, sources = [], [], []
    for topic in topics.values():
        on_topic = [slot_is("topic", topic.id)]
        related = [topics[other].button for other in topic.related]
        answers.append(
            {
                "condition": on_topic,
                "text": topic.answer_text,
                "buttons": [*related, MORE_BUTTON],
            }
        )
        details.append(
            {
                "condition": on_topic,
                "text": topic.detail_text,
                "buttons": [*related, SOURCE_BUTTON],
            }
        )
        sources.append({"condition": on_topic, "text": sources_sentence(topic), "buttons": related})
    all_sources = sorted({source.citation for topic in topics.values() for source in topic.sources})
    about_sources = {
        "condition": no_topic,
        "text": "My answers come from sources the team has reviewed: " + "; ".join(all_sources) + ".",
        "buttons": ask_which["buttons"],
    }
    return {
        "utter_answer": [*answers, ask_which],
        "utter_more_detail": [*details, ask_which],
        "utter_sources": [*sources, about_sources],
    }


def conversation_variation(entry, topics: dict[str, Topic], clinic_contact: str = "") -> dict:
    """A response from content/conversation.yml: plain text, or text with named buttons."""
    if isinstance(entry, str):
        entry = {"text": entry}
    variation = {"text": " ".join(entry["text"].split()).replace("{clinic_contact}", clinic_contact)}
    if entry.get("buttons"):
        variation["buttons"] = buttons_for(entry["buttons"], topics)
    return variation


def conversation_responses(topics: dict[str, Topic], conversation: dict) -> dict[str, list[dict]]:
    contact = " ".join(conversation["clinic_contact"].split())
    responses = {
        name: [conversation_variation(entry, topics, contact)] for name, entry in conversation["responses"].items()
    }
    # Saying "no" to the check-in leads into the emotional-toll topic itself, not just a button.
    toll = topics["emotional_toll"]
    support = responses["utter_distress_support"][0]
    support["text"] += f"\n\n{toll.answer_text}"
    return responses


def next_step_responses(next_steps: NextSteps, clinic_contact: str) -> dict[str, list[dict]]:
    """The offer that follows every crisis reply, and each step's reply, which offers the other steps
    so that none is a dead end. The safety plan's steps come as text on every channel but the widget's,
    which gets them as a form: a custom payload of words only, since what is typed stays in the browser."""
    buttons = [step.button for step in next_steps.steps.values()]
    responses = {NEXT_STEPS_REPLY: [{"text": next_steps.offer, "buttons": buttons}]}
    for step in next_steps.steps.values():
        others = [button for button in buttons if button != step.button]
        responses[step.response] = [{"text": step.text.replace("{clinic_contact}", clinic_contact), "buttons": others}]
    plan, plan_reply = next_steps.plan, next_steps.steps["safety_plan"].response
    [offered] = responses[plan_reply]
    as_text = {**offered, "text": "\n".join((offered["text"], plan.steps_text, plan.text_note))}
    as_form = {**offered, "channel": "socketio", "custom": {"data": {"safety_plan": plan.form}}}
    responses[plan_reply] = [as_text, as_form]
    return responses


def helpline_lines(country: dict) -> list[str]:
    return [f"- {line['name']}: {line['how']}" for line in country["lines"]]


def helpline_buttons(country: dict) -> list[dict]:
    buttons = []
    for line in country["lines"]:
        if "tel" in line:
            buttons.append({"title": f"Call {line['name']}", "payload": f"tel:{line['tel']}"})
        if "sms" in line:
            body = f"?body={line['keyword']}" if "keyword" in line else ""
            buttons.append({"title": f"Text {line['name']}", "payload": f"sms:{line['sms']}{body}"})
    emergency = country["emergency"].split()[0]
    buttons.append({"title": f"Call {emergency} (emergency)", "payload": f"tel:{emergency}"})
    return buttons


def crisis_places(helplines: dict) -> list[tuple[list[dict], dict | None]]:
    """Each place a crisis reply can be for: its slot conditions and its country (None: the directory).

    Rasa picks at random among matching conditions, so the conditions never overlap: what the
    person said (`country`) when they said it, else the page's or app's country (`page_country`),
    else the default country.
    """
    countries = {country["code"]: country for country in helplines["countries"]}
    places = []
    for code in [*countries, "intl"]:
        places.append(([slot_is("country", code)], countries.get(code)))
    for code in [*countries, "intl", None]:
        country = countries[helplines["default_country"]] if code is None else countries.get(code)
        places.append(([slot_is("country", None), slot_is("page_country", code)], country))
    return places


def crisis_wordings(words: dict) -> list[tuple[list[dict], str, str]]:
    """Each English wording with its slot conditions and the banner's subject: one per level for the
    writer (no level known: thoughts), one for someone writing about another person."""
    wordings = []
    for subject in ("self", None):
        for level in (*LEVELS, None):
            where = [slot_is("crisis_subject", subject), slot_is(LEVEL_ENTITY, level)]
            wordings.append((where, words["levels"][level or THOUGHTS], "self"))
    wordings.append(([slot_is("crisis_subject", "other")], words["other"], "other"))
    return wordings


def crisis_responses(helplines: dict, words: dict) -> dict[str, list[dict]]:
    """The crisis reply for each country, level and subject, chosen by slot; no action server."""
    international = helplines["international"]
    international_line = f"- {international['name']}: {international['how']}"
    default_code = helplines["default_country"]
    variations = []
    for who, template, subject in crisis_wordings(words):
        for where, country in crisis_places(helplines):
            if country is None:
                lines, emergency = [international_line], "your local emergency number"
                buttons = [{"title": international["name"], "payload": international["url"]}]
            else:
                lines, emergency = helpline_lines(country), country["emergency"]
                buttons = helpline_buttons(country)
                if where[-1] == slot_is("page_country", None) and country["code"] == default_code:
                    lines.append(f"Outside {country['name']}? {international_line[2:]}")
            variation = {
                "condition": [slot_is("language", "en"), *where, *who],
                "text": in_language(template, lines, emergency),
                "buttons": buttons,
            }
            variations.append(variation)
            variations.append(widget_twin(variation, subject, emergency))
    return {"utter_crisis": variations}


def in_language(template: str, lines: list[str], emergency: str) -> str:
    """A crisis template (content/crisis.yml, content/languages.yml) filled in: its {lines} on lines of
    their own, its {emergency} the number."""
    before, _, after = template.partition("{lines}")
    text = "\n".join(part for part in (" ".join(before.split()), *lines, " ".join(after.split())) if part)
    return text.replace("{emergency}", emergency)


def translated_crisis_responses(languages: dict, helplines: dict) -> list[dict]:
    """The crisis reply in each language of content/languages.yml, for every place (any subject)."""
    international = helplines["international"]
    variations = []
    for code, words in languages.items():
        titles = words["buttons"]
        for where, country in crisis_places(helplines):
            directory = f"- {words['directory']}: {international['url']}"
            if country is None:
                lines, emergency = [directory], words["local_emergency"]
                buttons = [{"title": international["name"], "payload": international["url"]}]
            else:
                lines = [f"- {line['name']}: {line.get('tel') or line.get('sms')}" for line in country["lines"]]
                lines.append(directory)
                emergency = country["emergency"]
                buttons = translated_buttons(helpline_buttons(country), titles)
            text = in_language(words["crisis"], lines, emergency)
            variation = {"condition": [slot_is("language", code), *where], "text": text, "buttons": buttons}
            variations.append(variation)
            variations.append(widget_twin(variation, "self", emergency))
    return variations


def translated_buttons(buttons: list[dict], titles: dict) -> list[dict]:
    """Call and text buttons with the language's verbs; the line's own name stays as it is."""
    translated = []
    for button in buttons:
        title = button["title"]
        for english, key in (("Call ", "call"), ("Text ", "text")):
            if title.startswith(english):
                title = f"{titles[key]}: {title.removeprefix(english)}"
        title = title.replace(" (emergency)", f" ({titles['emergency']})")
        translated.append({**button, "title": title})
    return translated


def translated_conversation_responses(languages: dict) -> dict[str, list[dict]]:
    """The check-in and the English-only note in each language, with its buttons' titles."""
    checkin, english_only = [], []
    for code, words in languages.items():
        titles = words["buttons"]
        helplines_button = {**HELPLINES_BUTTON, "title": titles["crisis_lines"]}
        answers = [
            {**NAMED_BUTTONS["yes"], "title": titles["yes"]},
            {**NAMED_BUTTONS["unsure"], "title": titles["unsure"]},
            {**NAMED_BUTTONS["no"], "title": titles["no"]},
            helplines_button,
        ]
        condition = [slot_is("language", code)]
        checkin.append({"condition": condition, "text": " ".join(words["checkin"].split()), "buttons": answers})
        english_only.append(
            {"condition": condition, "text": " ".join(words["english_only"].split()), "buttons": [helplines_button]}
        )
    return {"utter_distress_checkin": checkin, "utter_other_language": english_only}


def translated_next_step_responses(translations: dict[str, NextSteps], languages: dict) -> dict[str, list[dict]]:
    """The next steps in each language that has them, with that language's crisis-lines button, so that a
    crisis reply in Spanish is followed by the steps in Spanish. The buttons send the same intents."""
    responses: dict[str, list[dict]] = {}
    for code, next_steps in translations.items():
        helplines_button = {**HELPLINES_BUTTON, "title": languages[code]["buttons"]["crisis_lines"]}
        for name, variations in next_step_responses(next_steps, clinic_contact="").items():
            responses.setdefault(name, []).extend(
                {**v, "buttons": [*v["buttons"], helplines_button], "condition": [slot_is("language", code)]}
                for v in variations
            )
    return responses


def with_translations(responses: dict[str, list[dict]], translations: dict[str, list[dict]]) -> dict:
    """The responses with their translated variations; the English ones pinned to `language: en`."""
    for name, translated in translations.items():
        english = [{**v, "condition": [slot_is("language", "en"), *v.get("condition", [])]} for v in responses[name]]
        responses[name] = [*english, *translated]
    return responses


def country_named_responses(helplines: dict, words: dict, unflagged: list[dict]) -> list[dict]:
    """`utter_country_noted` in a flagged conversation: the lines of the country just named (the
    `country` slot), at once, each with the widget's twin that updates its banner. Only the person's
    own words count here: a country the assistant could not read keeps the slot as it was, and with
    none the reply gives the international directory."""
    international = helplines["international"]
    countries = {country["code"]: country for country in helplines["countries"]}
    variations = []
    for code in [*countries, "intl", None]:
        country = countries.get(code)
        if country is None:
            template, emergency = words["country_not_covered"], "your local emergency number"
            lines = [f"- {international['name']}: {international['how']}"]
            buttons = [{"title": international["name"], "payload": international["url"]}]
        else:
            template, emergency = words["country_named"].replace("{country}", country["name"]), country["emergency"]
            lines, buttons = helpline_lines(country), helpline_buttons(country)
        variation = {
            "condition": [slot_is(CRISIS_FLAG_SLOT, True), slot_is("country", code)],
            "text": in_language(template, lines, emergency),
            "buttons": buttons,
        }
        variations += [variation, widget_twin(variation, "self", emergency)]
    return [*unflagged, *variations]


def widget_twin(variation: dict, subject: str, emergency: str) -> dict:
    """The same reply for the web widget, with a marker it renders as a pinned crisis banner.

    Rasa's socket.io channel emits a custom payload's `data` as the message itself; other
    channels never see this variation.
    """
    banner = {"subject": subject, "emergency": emergency, "links": variation["buttons"]}
    return {**variation, "channel": "socketio", "custom": {"data": {"crisis": banner}}}


def build() -> dict:
    topics = load_topics()
    conversation = load_conversation()
    languages, helplines = load_languages(), load_helplines()
    responses = {**conversation_responses(topics, conversation), **topic_responses(topics, conversation)}
    responses.update(next_step_responses(load_next_steps(), " ".join(conversation["clinic_contact"].split())))
    translations = {
        **translated_conversation_responses(languages),
        **translated_next_step_responses(load_translated_next_steps(), languages),
    }
    responses = with_translations(responses, translations)
    responses = {name: keep_help_in_reach(variations) for name, variations in responses.items()}
    responses.update(crisis_responses(helplines, load_crisis_words()))
    responses["utter_crisis"] += translated_crisis_responses(languages, helplines)
    # the flagged twin keep_help_in_reach gave it is replaced by the named country's lines
    unflagged = [
        v for v in responses["utter_country_noted"] if slot_is(CRISIS_FLAG_SLOT, True) not in v.get("condition", [])
    ]
    responses["utter_country_noted"] = country_named_responses(helplines, load_crisis_words(), unflagged)
    return {"version": "3.1", "responses": responses}


def main() -> None:
    header = "# Built by scripts/build_responses.py from content/. Do not edit: edit content/ instead.\n"
    body = yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100)
    OUTPUT.write_text(header + body, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")


if __name__ == "__main__":
    main()
