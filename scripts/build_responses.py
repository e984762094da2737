"""Build domain/responses.yml, the assistant's Rasa responses, from the curated content in content/.

Content is edited in content/ (one file a topic, the helplines, the conversation texts); this script
turns it into the response variations Rasa selects by slot (conditional responses), so the replies,
the crisis reply included, are served by the Rasa server itself. Run by `make responses`.

Two rules are applied to every reply here rather than written by hand each time:
- once a conversation is flagged as a crisis (slot `crisis_flagged`), every reply carries a
  "Crisis lines" button, so help stays one tap away;
- every curated answer ends with the line that says where it comes from.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.content import (  # noqa: E402
    Topic,
    buttons_for,
    load_conversation,
    load_helplines,
    load_topics,
    with_helplines,
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
            {**variation, "buttons": flagged_buttons, "condition": [*condition, slot_is("crisis_flagged", True)]}
        )
        result.append(
            {**variation, "condition": [*condition, slot_is("crisis_flagged", False)]} if condition else variation
        )
    return result


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
        titles = "; ".join(f'"{source.title}"' for source in topic.sources)
        sources.append(
            {
                "condition": on_topic,
                "text": (
                    f"The answer on {topic.title} "
                    f"comes from {titles}. The team wrote it in its own words from the article"
                    f"{'s' if len(topic.sources) > 1 else ''} and last reviewed it on "
                    f"{topic.reviewed.isoformat()}. It is general information, not medical advice."
                ),
                "buttons": related,
            }
        )
    all_titles = sorted({f'"{source.title}"' for topic in topics.values() for source in topic.sources})
    about_sources = {
        "condition": no_topic,
        "text": "My answers come from articles the team has reviewed: " + "; ".join(all_titles) + ".",
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


def helpline_lines(country: dict) -> list[str]:
    return [f"- {line['name']}: {line['how']}" for line in country["lines"]]


def helpline_buttons(country: dict) -> list[dict]:
    buttons = []
    for line in country["lines"]:
        if "tel" in line:
            buttons.append({"title": f"Call {line['name']}", "payload": f"tel:{line['tel']}"})
        if "sms" in line:
            buttons.append({"title": f"Text {line['name']}", "payload": f"sms:{line['sms']}"})
    emergency = country["emergency"].split()[0]
    buttons.append({"title": f"Call {emergency} (emergency)", "payload": f"tel:{emergency}"})
    return buttons


def crisis_text(subject: str, lines: list[str], emergency: str) -> str:
    numbers = "\n".join(lines)
    if subject == "other":
        return (
            "Thank you for looking out for them. If they are in danger right now, call "
            f"{emergency} and stay with them if it is safe. These lines also help people who are "
            f"worried about someone:\n{numbers}\nTake what they said seriously. You don't have to "
            "handle this alone."
        )
    return (
        "You matter, and I'm really glad you told me. I can't help in a crisis, but people can, "
        f"right now:\n{numbers}\nIf you are in danger, call {emergency} now."
    )


def crisis_responses(helplines: dict) -> dict[str, list[dict]]:
    """The crisis reply for each country and for self or other, chosen by slot; no action server."""
    countries = {country["code"]: country for country in helplines["countries"]}
    international = helplines["international"]
    international_line = f"- {international['name']}: {international['how']}"
    default = countries[helplines["default_country"]]
    variations = []
    # Rasa picks at random among matching conditions, so the conditions never overlap: what the
    # person said (`country`) when they said it, else the page's or app's country (`page_country`).
    places = [("country", code) for code in [*countries, "intl"]]
    places += [("page_country", code) for code in [*countries, "intl", None]]
    for subject in ("self", "other", None):
        for slot, code in places:
            if code == "intl":
                lines, emergency = [international_line], "your local emergency number"
                buttons = [{"title": international["name"], "payload": international["url"]}]
            else:
                country = countries[code] if code else default
                lines, emergency = helpline_lines(country), country["emergency"]
                buttons = helpline_buttons(country)
                if code is None:
                    lines.append(f"Outside {country['name']}? {international_line[2:]}")
            where = [slot_is(slot, code)] if slot == "country" else [slot_is("country", None), slot_is(slot, code)]
            variation = {
                "condition": [*where, slot_is("crisis_subject", subject)],
                "text": crisis_text(subject or "self", lines, emergency),
                "buttons": buttons,
            }
            variations.append(variation)
            variations.append(widget_twin(variation, subject or "self", emergency))
    return {"utter_crisis": variations}


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
    responses = {**conversation_responses(topics, conversation), **topic_responses(topics, conversation)}
    responses = {name: keep_help_in_reach(variations) for name, variations in responses.items()}
    responses.update(crisis_responses(load_helplines()))
    return {"version": "3.1", "responses": responses}


def main() -> None:
    header = "# Built by scripts/build_responses.py from content/. Do not edit: edit content/ instead.\n"
    body = yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100)
    OUTPUT.write_text(header + body, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")


if __name__ == "__main__":
    main()
