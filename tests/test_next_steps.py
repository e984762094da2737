"""After the crisis reply the conversation offers next steps, each answered, over REST with the real servers."""

from __future__ import annotations

import pytest
import yaml

from content_library.load import CONTENT_DIR, HELPLINES_BUTTON, load_conversation
from content_library.next_steps import load_next_steps, load_translated_next_steps
from tests.replies import button_payloads, button_titles, texts
from tests.test_crisis import CRISIS_MESSAGE, SELF_OPENING, crisis_reply

NEXT_STEPS = load_next_steps()
STEPS = NEXT_STEPS.steps
TRANSLATED = load_translated_next_steps()
CLINIC_CONTACT = " ".join(load_conversation()["clinic_contact"].split())


def step_reply(step_id: str) -> str:
    return STEPS[step_id].text.replace("{clinic_contact}", CLINIC_CONTACT)


def offered_steps(replies: list[dict]) -> list[str]:
    return [payload for payload in button_payloads(replies) if payload.lstrip("/") in STEPS]


def test_a_crisis_reply_comes_first_and_is_followed_by_the_next_steps(rasa, sender):
    replies = rasa.say(sender, CRISIS_MESSAGE)
    said = texts(replies)
    assert said[0].startswith(SELF_OPENING)
    assert said.index(NEXT_STEPS.offer) > said.index(crisis_reply(replies))
    assert offered_steps(replies) == [step.button["payload"] for step in STEPS.values()]
    assert HELPLINES_BUTTON["payload"] in button_payloads(replies[-1:])  # the conversation is flagged by then


def test_a_yes_to_the_check_in_gets_the_next_steps_too(rasa, sender):
    rasa.say(sender, "i cant take this anymore")
    replies = rasa.say(sender, "yes")
    crisis_reply(replies)
    assert NEXT_STEPS.offer in texts(replies)


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_each_next_step_is_answered_and_offers_the_others_and_the_crisis_lines(rasa, sender, step_id):
    rasa.say(sender, CRISIS_MESSAGE)
    replies = rasa.say(sender, STEPS[step_id].button["payload"])
    assert step_reply(step_id) in texts(replies)[0]
    others = [step.button["payload"] for step in STEPS.values() if step.id != step_id]
    assert offered_steps(replies) == others
    assert HELPLINES_BUTTON["payload"] in button_payloads(replies)
    assert rasa.tracker(sender)["slots"]["crisis_flagged"] is True


def test_outside_the_widget_the_safety_plan_comes_as_its_six_steps_in_text(rasa, sender):
    rasa.say(sender, CRISIS_MESSAGE)
    [plan] = texts(rasa.say(sender, "/safety_plan"))
    for number, step in enumerate(NEXT_STEPS.plan.steps, 1):
        assert f"Step {number} – {step.title}: {step.hint}" in plan
    assert plan.endswith(NEXT_STEPS.plan.text_note)


@pytest.mark.parametrize(
    ("typed", "step_id"),
    [("can you help me make a safety plan", "safety_plan"), ("give me a grounding exercise", "grounding_exercise")],
)
def test_a_step_can_be_typed_as_well_as_tapped(rasa, sender, typed, step_id):
    assert step_reply(step_id) in texts(rasa.say(sender, typed))[-1]


def test_the_next_steps_need_no_action_server(rasa_without_actions, sender):
    replies = rasa_without_actions.say(sender, CRISIS_MESSAGE)
    crisis_reply(replies)
    assert NEXT_STEPS.offer in texts(replies)
    assert step_reply("grounding_exercise") in texts(rasa_without_actions.say(sender, "/grounding_exercise"))[0]


@pytest.mark.parametrize(
    ("language", "message"),
    [("es", "ya no quiero vivir, esta noche me tomo todas las pastillas"), ("zh", "我不想活了，药已经攒够了")],
)
def test_after_a_crisis_in_another_language_the_next_steps_come_in_it(rasa, sender, language, message):
    translated = TRANSLATED[language]
    replies = rasa.say(sender, message)
    assert translated.offer in texts(replies)
    labels = [step.label for step in translated.steps.values()]
    assert button_titles(replies[-1:])[: len(labels)] == labels
    [plan] = texts(rasa.say(sender, "/safety_plan"))
    assert plan.startswith(translated.steps["safety_plan"].text)
    first = translated.plan.steps[0]
    assert f"{translated.plan.step_label.format(number=1)} – {first.title}: {first.hint}" in plan
    assert NEXT_STEPS.plan.steps[0].title not in plan


def test_english_after_another_language_gets_the_next_steps_in_english(rasa, sender):
    rasa.say(sender, "ya no quiero vivir, esta noche me tomo todas las pastillas")
    assert NEXT_STEPS.offer in texts(rasa.say(sender, CRISIS_MESSAGE))


def test_a_translation_that_drops_a_step_is_refused(tmp_path):
    entry = yaml.safe_load((CONTENT_DIR / "next_steps.yml").read_text(encoding="utf-8"))
    del entry["languages"]["fr"]["steps"]["grounding_exercise"]
    (tmp_path / "next_steps.yml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="fr"):
        load_translated_next_steps(tmp_path)
