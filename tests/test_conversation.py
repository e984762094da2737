"""A whole conversation with the real Rasa server and action server, over the REST channel."""

from __future__ import annotations

from tests.replies import TOPICS, button_payloads, button_titles, said, texts


def test_first_reply_says_what_the_assistant_is_and_is_not_with_one_greeting(rasa, sender):
    replies = rasa.say(sender, "hi there")
    assert texts(replies) == [said("utter_intro"), said("utter_starters")]
    assert "not medical advice" in texts(replies)[0] and "not a crisis service" in texts(replies)[0]
    assert [payload.lstrip("/") for payload in button_payloads(replies)] == [
        "what_is_trd",
        "treatment_options",
        "outlook",
    ]


def test_the_chat_opening_gets_the_introduction_and_the_first_message_then_gets_no_other(rasa, sender):
    # /start is what the widget sends when its panel first opens, and Telegram's Start
    assert texts(rasa.say(sender, "/start")) == [said("utter_intro"), said("utter_starters")]
    assert texts(rasa.say(sender, "hello")) == [said("utter_greet")]
    replies = texts(rasa.say(sender, "how does ect work"))
    assert TOPICS["ect"].answer_text in replies and said("utter_intro") not in replies


def test_start_later_in_a_conversation_offers_the_starting_topics_again(rasa, sender):
    rasa.say(sender, "what is tms")
    assert texts(rasa.say(sender, "let's get started")) == [said("utter_starters")]


def test_the_first_reply_introduces_the_assistant_whatever_the_first_message(rasa, sender):
    replies = texts(rasa.say(sender, "how does ect work"))
    assert replies[0] == said("utter_intro")
    assert TOPICS["ect"].answer_text in replies
    assert said("utter_intro") not in texts(rasa.say(sender, "and tms?"))


def test_a_crisis_as_the_first_message_gets_help_before_any_introduction(rasa, sender):
    replies = texts(rasa.say(sender, "i want to end my life"))
    assert replies[0].startswith("You matter")
    assert said("utter_intro") not in replies


def test_a_topic_question_gets_its_curated_answer_source_and_related_topics(rasa, sender):
    replies = rasa.say(sender, "what does treatment resistant depression actually mean")
    topic = TOPICS["what_is_trd"]
    assert topic.answer_text in texts(replies)
    assert topic.source_line in texts(replies)[-1]
    related = [TOPICS[other].label for other in topic.related]
    assert set(related) <= set(button_titles(replies))
    assert 2 <= len(related) <= 3


def test_tell_me_more_and_sources_follow_the_last_topic(rasa, sender):
    rasa.say(sender, "how does electroconvulsive therapy work")
    more = rasa.say(sender, "tell me more")
    assert TOPICS["ect"].detail_text in texts(more)
    sources = rasa.say(sender, "where is this from?")
    assert all(source.title in texts(sources)[0] for source in TOPICS["ect"].sources)
    reviewed = TOPICS["ect"].reviewed
    assert f"last reviewed it on {reviewed.day} {reviewed:%B %Y}" in texts(sources)[0]

    rasa.say(sender, "what is tms")
    assert TOPICS["tms"].detail_text in texts(rasa.say(sender, "more details please"))


def test_a_topic_button_payload_answers_that_topic(rasa, sender):
    replies = rasa.say(sender, "/ketamine")
    assert TOPICS["ketamine"].answer_text in texts(replies)


def test_personal_medication_question_is_refused_kindly_with_general_topics(rasa, sender):
    replies = rasa.say(sender, "should i stop taking my sertraline because of the side effects")
    assert said("utter_medical_advice") in texts(replies)
    assert "prescriber" in said("utter_medical_advice")
    assert said("general_information") in texts(replies)
    assert "/side_effects" in button_payloads(replies)


def test_unclear_message_gets_did_you_mean_then_the_topic_list(rasa, sender):
    rasa.say(sender, "hello")
    first = rasa.say(sender, "blorp fizzle wug")
    assert said("did_you_mean") in texts(first)
    suggestions = button_payloads(first)
    assert 1 <= len(suggestions) <= 3 and all(payload.lstrip("/") in TOPICS for payload in suggestions)
    second = rasa.say(sender, "zorp quux")
    assert said("topics") in texts(second)
    assert len(button_payloads(second)) >= 5


def test_unclear_message_matching_a_passage_gets_that_passage_with_its_source(rasa, sender):
    # why lithium needs blood tests, without a word that names a topic: the NLU cannot place it, the
    # search can. (The schedule of the tests, "weekly until steady then every three months", was used
    # here until the NLU learned, from the folded question batches, to send it to psychotherapy.)
    replies = rasa.say(sender, "a harmful level is not far above a helpful one")
    assert said("maybe_this") in texts(replies)
    assert TOPICS["lithium"].answer_text in texts(replies)
    assert TOPICS["lithium"].detail_text in texts(rasa.say(sender, "tell me more"))


def test_out_of_scope_says_so_and_offers_topics(rasa, sender):
    replies = rasa.say(sender, "whats the weather going to be like in paris tomorrow")
    assert said("utter_out_of_scope") in texts(replies)
    assert button_payloads(replies)


def test_a_question_no_topic_answers_is_told_so_with_the_nearest_topics(rasa, sender):
    replies = rasa.say(sender, "how is ocd treated")
    assert said("utter_outside_content") in texts(replies)
    assert said("nearest_topics") in texts(replies)
    offered = button_payloads(replies)
    assert 1 <= len(offered) <= 3 and all(payload.lstrip("/") in TOPICS for payload in offered)


def test_human_handoff_gives_the_clinic_contact_and_the_crisis_line(rasa, sender):
    replies = rasa.say(sender, "can i talk to a real person please")
    assert "contact the clinic" in texts(replies)[-1]
    assert "/crisis" in button_payloads(replies)


def test_a_whole_conversation_keeps_its_thread(rasa, sender):
    script = [
        ("hey", "utter_starters"),
        ("is trd hopeless? do people ever get better", "outlook"),
        ("thanks", "utter_thank"),
        ("are you a bot", "utter_iamabot"),
        ("what can you do", "utter_capabilities"),
        ("bye", "utter_goodbye"),
    ]
    for message, expected in script:
        replies = texts(rasa.say(sender, message))
        wanted = TOPICS[expected].answer_text if expected in TOPICS else said(expected)
        assert wanted in replies, (message, replies)
    events = rasa.tracker(sender)["events"]
    user_messages = [event["text"] for event in events if event["event"] == "user"]
    assert user_messages == [message for message, _ in script]
