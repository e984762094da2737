"""After a crisis the widget offers a safety plan: a form of the six steps, filled in on the person's
device only, kept across a reload, saved as a text file or printed, and never sent to the server."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from content_library.next_steps import load_next_steps, load_translated_next_steps
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_widget_accessibility import CONTRASTS

NEXT_STEPS = load_next_steps()
PLAN = NEXT_STEPS.plan
WIDTH = 360
TYPED = "When I stop answering my sister's texts"  # what the person writes in step 1
TYPED_LATER = "Walk the dog round the park"  # ... and in step 2


def step_box(chat, index: int):
    return chat.panel.get_by_role("form", name=PLAN.title).get_by_label(f"{index + 1}. {PLAN.steps[index].title}")


def stored_on_the_server(widget_stack, conversation_id: str) -> str:
    """The conversation as the server keeps it: its tracker over the HTTP API and its rows in the database."""
    tracker = json.dumps(widget_stack.rasa.tracker(conversation_id))
    with sqlite3.connect(widget_stack.rasa.db) as store:
        events = store.execute("SELECT data FROM events WHERE sender_id = ?", [conversation_id])
        rows = " ".join(row[0] for row in events)
    return f"{tracker} {rows}"


@pytest.mark.phone
def test_the_safety_plan_is_kept_in_the_browser_saved_printed_and_never_sent(chat, widget_stack):
    sent = []  # everything the page sends: socket.io's polling bodies and WebSocket frames
    chat.page.on("request", lambda request: sent.append(request.post_data or ""))
    chat.page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(str(frame))))
    chat.open()
    chat.say("i want to kill myself")
    offer = chat.answer(NEXT_STEPS.offer)
    expect(chat.answer("You matter")).to_be_visible()
    offer.get_by_role("button", name=NEXT_STEPS.steps["safety_plan"].label).click()

    form = chat.panel.get_by_role("form", name=PLAN.title)
    expect(form).to_contain_text(PLAN.form_note)
    expect(form.get_by_role("textbox")).to_have_count(len(PLAN.steps))
    for index, step in enumerate(PLAN.steps):
        expect(step_box(chat, index)).to_have_accessible_description(step.hint)
    step_box(chat, 0).focus()
    chat.page.keyboard.type(TYPED)
    chat.page.keyboard.press("Tab")  # the keyboard goes on to the next step
    expect(step_box(chat, 1)).to_be_focused()
    chat.page.keyboard.type(TYPED_LATER)
    assert chat.page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert chat.log.evaluate("log => log.scrollWidth <= log.clientWidth")
    contrasts = chat.page.locator("#trd-chat").evaluate(CONTRASTS)
    assert [(text, round(ratio, 2)) for text, ratio in contrasts if ratio < 4.5] == []
    chat.screenshot("filled")

    chat.page.reload()
    expect(step_box(chat, 0)).to_have_value(TYPED)
    expect(step_box(chat, 1)).to_have_value(TYPED_LATER)

    with chat.page.expect_download() as saving:
        form.get_by_role("button", name=PLAN.save_label).click()
    download = saving.value
    assert download.suggested_filename == PLAN.file_name
    saved = Path(download.path()).read_text(encoding="utf-8")
    assert saved.startswith(PLAN.title) and TYPED in saved and TYPED_LATER in saved
    assert all(f"Step {number} – {step.title}" in saved for number, step in enumerate(PLAN.steps, 1))

    # (a function, not an expression ending in one: Playwright would call that)
    chat.page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    form.get_by_role("button", name=PLAN.print_label).click()
    assert chat.page.evaluate("window.printed") == 1
    chat.page.emulate_media(media="print")  # on paper: the plan's text alone
    printout = chat.page.locator("#trd-chat .printout")
    expect(printout).to_be_visible()
    expect(printout).to_contain_text(TYPED)
    expect(chat.panel).to_be_hidden()
    chat.page.screenshot(path=SCREENSHOTS / f"{chat.name}-printed.png")
    chat.page.emulate_media(media="screen")

    conversation_id = chat.stored()["sessionId"].split(".")[0]
    assert NEXT_STEPS.steps["safety_plan"].text in stored_on_the_server(widget_stack, conversation_id)  # it is there
    for typed in (TYPED, TYPED_LATER):
        assert typed not in stored_on_the_server(widget_stack, conversation_id)
        assert not any(typed in body for body in sent)


def test_after_a_crisis_in_spanish_the_offer_and_the_plan_s_form_are_in_spanish(chat):
    spanish = load_translated_next_steps()["es"]
    chat.open()
    chat.say("ya no quiero vivir, esta noche me tomo todas las pastillas")
    offer = chat.answer(spanish.offer)
    offer.get_by_role("button", name=spanish.steps["safety_plan"].label).click()
    form = chat.panel.get_by_role("form", name=spanish.plan.title)
    expect(form).to_contain_text(spanish.plan.form_note)
    first = spanish.plan.steps[0]
    expect(form.get_by_label(f"1. {first.title}")).to_have_accessible_description(first.hint)
    expect(form.get_by_role("button", name=spanish.plan.save_label)).to_be_visible()
    expect(form).not_to_contain_text(PLAN.steps[0].title)
    form.scroll_into_view_if_needed()
    chat.screenshot("spanish-plan")
