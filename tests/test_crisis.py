"""Crisis handling end to end, over REST with the real servers."""

from __future__ import annotations

import time

import pytest

from tests.replies import TOPICS, button_payloads, said, texts

CRISIS_MESSAGE = "i want to kill myself"
SELF_OPENING = "You matter"
FRIEND_OPENING = "Thank you for looking out for them"


def crisis_reply(replies: list[dict]) -> str:
    found = [text for text in texts(replies) if text.startswith((SELF_OPENING, FRIEND_OPENING))]
    assert found, texts(replies)
    return found[0]


def test_a_crisis_as_the_first_message_gets_the_default_countrys_lines(rasa, sender):
    replies = rasa.say(sender, CRISIS_MESSAGE)
    reply = crisis_reply(replies)
    assert reply.startswith(SELF_OPENING)
    assert "call or text 988" in reply and "911" in reply
    assert {"tel:988", "sms:988", "tel:911"} <= set(button_payloads(replies))


def test_the_country_comes_from_the_page_metadata(rasa, sender):
    reply = crisis_reply(rasa.say(sender, CRISIS_MESSAGE, metadata={"country": "GB"}))
    assert "116 123" in reply and "999" in reply and "988" not in reply


def test_the_country_comes_from_what_the_person_says(rasa, sender):
    rasa.say(sender, "i'm in australia")
    reply = crisis_reply(rasa.say(sender, "i have a plan to end my life"))
    assert "13 11 14" in reply and "000" in reply


def test_an_unknown_country_gets_the_international_directory(rasa, sender):
    reply = crisis_reply(rasa.say(sender, CRISIS_MESSAGE, metadata={"country": "DE"}))
    assert "findahelpline.com" in reply and "local emergency number" in reply


def test_a_crisis_in_the_middle_of_a_topic_conversation(rasa, sender):
    assert TOPICS["ect"].answer_text in texts(rasa.say(sender, "what is ect"))
    crisis_reply(rasa.say(sender, "thanks. honestly i took all my pills an hour ago"))


def test_a_crisis_right_after_a_fallback_question(rasa, sender):
    assert said("did_you_mean") in texts(rasa.say(sender, "blorp fizzle wug"))
    crisis_reply(rasa.say(sender, "i dont want to wake up tomorrow"))


def test_the_flag_holds_and_every_later_reply_keeps_the_crisis_lines_in_reach(rasa, sender):
    crisis_reply(rasa.say(sender, CRISIS_MESSAGE))
    for message in ("what is tms", "i'm fine now, really", "thanks"):
        replies = rasa.say(sender, message)
        assert "/crisis" in button_payloads(replies), (message, replies)
        if message == "what is tms":
            assert TOPICS["tms"].answer_text in texts(replies)
    assert rasa.tracker(sender)["slots"]["crisis_flagged"] is True


@pytest.mark.parametrize(
    "message",
    [
        "I took 30 pills an hour ago",
        "im standing on the bridge right now and i'm going to jump",
        "i have the pills in my hand and im doing it tonight",
    ],
)
def test_danger_now_gets_the_emergency_number_first_and_is_asked_whether_safe(rasa, sender, message):
    reply = crisis_reply(rasa.say(sender, message, metadata={"country": "GB"}))
    first_sentence = reply.split(". ")[0]
    assert first_sentence.startswith(SELF_OPENING) and "call 999 now" in first_sentence, reply
    assert "somewhere safe" in reply and "anyone with you" in reply and "116 123" in reply
    assert rasa.tracker(sender)["slots"]["crisis_level"] == "danger"


@pytest.mark.parametrize(
    "message",
    [
        "i've been saving up my quetiapine for weeks and now i have enough",
        "i've written the letters and picked the date, after my son's birthday",
    ],
)
def test_a_plan_gets_the_lines_first_then_time_and_distance_from_the_means(rasa, sender, message):
    reply = crisis_reply(rasa.say(sender, message, metadata={"country": "GB"}))
    assert reply.index("116 123") < reply.index("time and distance") < reply.index("999"), reply
    assert "anyone with you" not in reply  # the danger-now question
    assert rasa.tracker(sender)["slots"]["crisis_level"] == "plan"


def test_thoughts_without_a_plan_get_the_lines_and_the_emergency_number_last(rasa, sender):
    reply = crisis_reply(rasa.say(sender, "lately i keep wishing i could go to sleep and not wake up"))
    assert "time and distance" not in reply and "anyone with you" not in reply
    assert reply.index("988") < reply.index("911")
    assert rasa.tracker(sender)["slots"]["crisis_level"] == "thoughts"


def test_a_yes_to_the_check_in_gets_the_reply_for_thoughts_not_an_earlier_level(rasa, sender):
    crisis_reply(rasa.say(sender, "I took 30 pills an hour ago"))
    rasa.say(sender, "i cant take this anymore")
    reply = crisis_reply(rasa.say(sender, "yes"))
    assert "anyone with you" not in reply and "time and distance" not in reply


def test_someone_worried_about_another_person_gets_the_helping_a_friend_reply(rasa, sender):
    reply = crisis_reply(rasa.say(sender, "my friend says she wants to die and i dont know what to do"))
    assert reply.startswith(FRIEND_OPENING) and "988" in reply


def test_warning_signs_get_a_direct_check_in_and_yes_leads_to_the_crisis_reply(rasa, sender):
    replies = rasa.say(sender, "i cant take this anymore")
    assert said("utter_distress_checkin") in texts(replies)
    assert "/crisis" in button_payloads(replies)
    crisis_reply(rasa.say(sender, "yes"))


@pytest.mark.parametrize("answer", ["yes", "kind of", "sometimes", "i don't know", "maybe"])
def test_a_typed_yes_or_unsure_answer_to_the_check_in_gets_the_crisis_reply_and_flags_it(rasa, sender, answer):
    rasa.say(sender, "everything feels hopeless and i cant see a way out")
    crisis_reply(rasa.say(sender, answer))
    assert rasa.tracker(sender)["slots"]["crisis_flagged"] is True
    assert "/crisis" in button_payloads(rasa.say(sender, "what is tms"))


def test_the_check_in_offers_yes_not_sure_and_no_and_both_first_lead_to_the_crisis_reply(rasa, sender):
    replies = rasa.say(sender, "i cant take this anymore")
    buttons = {button["title"]: button["payload"] for reply in replies for button in reply.get("buttons", [])}
    assert buttons["Yes"] == buttons["Not sure"] == "/crisis" and buttons["No"] == "/deny"
    crisis_reply(rasa.say(sender, buttons["Not sure"]))
    assert rasa.tracker(sender)["slots"]["crisis_flagged"] is True


def test_unsure_out_of_the_check_in_is_not_a_crisis(rasa, sender):
    rasa.say(sender, "what is ect")
    replies = rasa.say(sender, "maybe")
    assert not any(text.startswith((SELF_OPENING, FRIEND_OPENING)) for text in texts(replies))
    assert rasa.tracker(sender)["slots"]["crisis_flagged"] is False


def test_no_to_the_check_in_leads_to_support_and_the_emotional_toll_topic(rasa, sender):
    rasa.say(sender, "whats even the point anymore")
    replies = rasa.say(sender, "no")
    assert any(
        said("utter_distress_support") in text and TOPICS["emotional_toll"].short in text for text in texts(replies)
    )


def test_staff_are_alerted_with_the_conversation_id_and_time_but_no_text(rasa, alert_receiver, sender):
    rasa.say(sender, CRISIS_MESSAGE)
    alerts = alert_receiver.wait_for(sender)
    assert len(alerts) == 1
    assert set(alerts[0]) == {"alert", "alert_id", "conversation_id", "time"}
    assert "kill" not in str(alerts[0])


def test_each_crisis_reply_alerts_staff_once_however_long_the_conversation(rasa, alert_receiver, sender):
    for text in (CRISIS_MESSAGE, "thank you", "what is trd?", "i want to end my life", "what is ketamine?"):
        rasa.say(sender, text)
    assert len(alert_receiver.wait_for(sender, count=2)) == 2
    time.sleep(1)  # an alert sent twice, or for an earlier reply again, would come in meanwhile
    assert len(alert_receiver.alerts_for(sender)) == 2


def test_the_crisis_reply_is_sent_with_the_action_server_down_and_a_dead_alert_receiver(
    rasa_without_actions, hanging_receiver, sender
):
    started = time.monotonic()
    reply = crisis_reply(rasa_without_actions.say(sender, CRISIS_MESSAGE, metadata={"country": "NZ"}))
    waited = time.monotonic() - started
    assert "1737" in reply and "111" in reply
    # The alert receiver holds every request for a minute; the reply must not wait for it.
    assert waited < hanging_receiver.hang_seconds / 4
    assert hanging_receiver.received == []


@pytest.mark.parametrize(
    ("place", "lines", "emergency"),
    [("i'm in the uk", "116 123", "999"), ("im in leeds", "116 123", "999"), ("i live in brisbane", "13 11 14", "000")],
)
def test_naming_a_country_or_city_after_the_crisis_reply_gives_its_lines_at_once(rasa, sender, place, lines, emergency):
    crisis_reply(rasa.say(sender, CRISIS_MESSAGE))
    [reply] = texts(rasa.say(sender, place))
    assert lines in reply and f"call {emergency}" in reply and "988" not in reply
    assert "keep that in mind" not in reply


def test_a_country_the_lines_do_not_cover_gets_the_directory_after_the_crisis_reply(rasa, sender):
    crisis_reply(rasa.say(sender, CRISIS_MESSAGE, metadata={"country": "DE"}))
    [reply] = texts(rasa.say(sender, "i'm in germany", metadata={"country": "DE"}))
    assert "findahelpline.com" in reply and "local emergency number" in reply


def test_naming_a_city_in_a_conversation_without_a_crisis_is_only_noted(rasa, sender):
    assert texts(rasa.say(sender, "i'm in london"))[-1] == said("utter_country_noted")  # after the introduction
    assert rasa.tracker(sender)["slots"]["country"] == "gb"
