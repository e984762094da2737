"""The custom actions, run directly with rasa-sdk's Tracker and CollectingDispatcher."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis_flag import ActionFlagCrisis
from actions.fallback import ActionFallback
from actions.medical_advice import ActionOfferGeneralTopics
from content_library.load import HELPLINES_BUTTON
from tests.replies import TOPICS, said


def user_event(text: str, intent: str, ranking: list[tuple[str, float]] = ()) -> dict:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
        "entities": [],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def action_event(name: str) -> dict:
    return {"event": "action", "name": name}


def tracker(events: list[dict], slots: dict | None = None) -> Tracker:
    latest = next((event["parse_data"] for event in reversed(events) if event["event"] == "user"), {})
    return Tracker.from_dict(
        {"sender_id": "unit", "slots": slots or {}, "latest_message": latest, "events": events, "paused": False}
    )


async def run(action, events: list[dict], slots: dict | None = None) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    returned = await action.run(dispatcher, tracker(events, slots), {})
    return returned, dispatcher


@pytest.mark.asyncio
async def test_fallback_gives_a_matching_passage_with_its_source_and_sets_the_topic():
    message = user_event("electrical currents trigger a brief seizure to reset brain activity", "nlu_fallback")
    events, dispatcher = await run(ActionFallback(), [message])
    assert dispatcher.messages[0]["text"] == said("maybe_this")
    assert dispatcher.messages[1]["text"] == TOPICS["ect"].answer_text
    assert events == [SlotSet("topic", "ect")]


@pytest.mark.asyncio
async def test_fallback_asks_did_you_mean_with_the_likeliest_topics():
    ranking = [("nlu_fallback", 0.5), ("tms", 0.3), ("greet", 0.1), ("ect", 0.05), ("ketamine", 0.03), ("kap", 0.01)]
    events, dispatcher = await run(ActionFallback(), [user_event("wug blorp", "nlu_fallback", ranking)])
    assert dispatcher.messages[0]["text"] == said("did_you_mean")
    assert [button["payload"] for button in dispatcher.messages[0]["buttons"]] == ["/tms", "/ect", "/ketamine"]
    assert events == []


@pytest.mark.asyncio
async def test_fallback_says_the_content_does_not_cover_it_when_that_is_the_best_guess():
    ranking = [("nlu_fallback", 0.5), ("outside_content", 0.4), ("tms", 0.2), ("ect", 0.1)]
    events, dispatcher = await run(ActionFallback(), [user_event("tms for ocd in teens", "nlu_fallback", ranking)])
    assert dispatcher.messages[0]["response"] == "utter_outside_content"
    assert dispatcher.messages[1]["text"] == said("nearest_topics")
    assert [button["payload"] for button in dispatcher.messages[1]["buttons"]][:2] == ["/tms", "/ect"]
    assert events == []


@pytest.mark.asyncio
async def test_fallback_says_it_is_off_the_subject_when_that_is_the_best_guess():
    ranking = [("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("tms", 0.2)]
    _, dispatcher = await run(ActionFallback(), [user_event("best pizza near me", "nlu_fallback", ranking)])
    assert [message["response"] for message in dispatcher.messages] == ["utter_out_of_scope"]


@pytest.mark.asyncio
async def test_a_second_miss_in_a_row_gets_the_topic_list():
    ranking = [("nlu_fallback", 0.5), ("tms", 0.3)]
    history = [
        user_event("wug", "nlu_fallback", ranking),
        action_event("action_fallback"),
        action_event("action_listen"),
    ]
    _, dispatcher = await run(ActionFallback(), [*history, user_event("blorp", "nlu_fallback", ranking)])
    assert [message["text"] for message in dispatcher.messages] == [said("topics")]


@pytest.mark.asyncio
async def test_a_miss_after_an_answer_is_a_first_miss_again():
    ranking = [("nlu_fallback", 0.5), ("tms", 0.3)]
    history = [
        user_event("wug", "nlu_fallback", ranking),
        action_event("action_fallback"),
        action_event("action_listen"),
        user_event("what is tms", "tms"),
        action_event("utter_answer"),
        action_event("action_listen"),
    ]
    _, dispatcher = await run(ActionFallback(), [*history, user_event("blorp", "nlu_fallback", ranking)])
    assert dispatcher.messages[0]["text"] == said("did_you_mean")


@pytest.mark.asyncio
async def test_after_the_refusal_the_nearest_general_topics_are_offered():
    message = user_event("should i stop my sertraline because the side effects are bad", "medical_advice")
    events, dispatcher = await run(ActionOfferGeneralTopics(), [message])
    assert dispatcher.messages[0]["text"] == said("general_information")
    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads[0] == "/side_effects"
    assert len(payloads) == len(set(payloads)) <= 3
    assert events == []


@pytest.mark.asyncio
async def test_action_replies_keep_the_crisis_lines_in_reach_once_flagged():
    ranking = [("nlu_fallback", 0.5), ("tms", 0.3)]
    _, dispatcher = await run(ActionFallback(), [user_event("wug", "nlu_fallback", ranking)], {"crisis_flagged": True})
    assert HELPLINES_BUTTON in dispatcher.messages[-1]["buttons"]
    _, dispatcher = await run(ActionFallback(), [user_event("wug", "nlu_fallback", ranking)], {"crisis_flagged": False})
    assert HELPLINES_BUTTON not in dispatcher.messages[-1]["buttons"]


@pytest.mark.asyncio
async def test_the_flag_action_flags_the_conversation_and_says_nothing():
    returned, dispatcher = await run(ActionFlagCrisis(), [action_event("utter_crisis")])
    assert returned == [SlotSet("crisis_flagged", True)]
    assert dispatcher.messages == []
