"""A crisis message gets a banner with the crisis lines of the page's country, pinned for good."""

from __future__ import annotations

from pathlib import Path

import yaml
from playwright.sync_api import expect

HELPLINES = yaml.safe_load((Path(__file__).resolve().parents[2] / "content" / "helplines.yml").read_text())
COUNTRY = {country["code"]: country for country in HELPLINES["countries"]}


def expect_gb_lines(banner) -> None:
    for line in COUNTRY["gb"]["lines"]:
        expect(banner).to_contain_text(f"{line['name']}: {line['how']}")  # "Samaritans: call 116 123 ..."
        for verb, scheme in (("Call", "tel"), ("Text", "sms")):
            if scheme in line:
                link = banner.get_by_role("link", name=f"{verb} {line['name']}")
                keyword = f"?body={line['keyword']}" if scheme == "sms" and "keyword" in line else ""
                expect(link).to_have_attribute("href", f"{scheme}:{line[scheme]}{keyword}")  # sms:85258?body=SHOUT
    emergency = COUNTRY["gb"]["emergency"]
    expect(banner.get_by_role("link", name=f"Call {emergency}")).to_have_attribute("href", f"tel:{emergency}")


def test_crisis_banner_has_the_page_country_lines_and_stays_pinned(chat):
    chat.open()
    chat.say("i want to kill myself")

    expect(chat.banner).to_be_visible()
    expect_gb_lines(chat.banner)
    expect(chat.banner).to_contain_text("116 123")
    for line in COUNTRY["us"]["lines"]:  # the default country's lines are not offered on a GB page
        expect(chat.banner).not_to_contain_text(line["name"])
    # In the conversation too, the call and text buttons are links, not messages.
    reply = chat.answer("You matter")
    expect(reply.get_by_role("link", name="Call Samaritans")).to_have_attribute("href", "tel:116123")
    expect(reply.get_by_role("button")).to_have_count(0)
    chat.screenshot("banner")

    chat.ask("What is ECT?")
    chat.ask("thanks")
    expect(chat.banner).to_be_in_viewport()
    assert chat.banner.bounding_box()["y"] < chat.log.bounding_box()["y"], "the banner is pinned above the log"

    chat.page.reload()
    expect_gb_lines(chat.banner)


def test_elsewhere_the_international_directory_is_a_link_that_opens_safely(chat, widget_stack):
    chat.page.goto(widget_stack.pages["FR"])
    chat.open()
    chat.say("i want to kill myself")

    directory = HELPLINES["international"]
    for link in (
        chat.banner.get_by_role("link", name=directory["name"]),
        chat.answer("You matter").get_by_role("link", name=directory["url"]),  # the address in the text
    ):
        expect(link).to_have_attribute("href", directory["url"].rstrip("/") + "/")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(chat.banner).not_to_contain_text("Samaritans")


def test_naming_a_city_after_the_crisis_reply_changes_the_banner_to_its_country(chat, widget_stack):
    chat.page.goto(widget_stack.pages["FR"])
    chat.open()
    chat.say("i want to kill myself")
    expect(chat.banner).not_to_contain_text("Samaritans")
    chat.say("i'm in manchester")
    expect(chat.answer("Thank you for telling me")).to_contain_text("116 123")
    expect_gb_lines(chat.banner)
