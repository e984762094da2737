"""The widget with the keyboard alone, its landmarks for screen readers, and its colours' contrast."""

from __future__ import annotations

from playwright.sync_api import expect

from content_library.load import load_topics

TOPICS = load_topics()
MAX_TABS = 15

# Every visible text in the widget, with the WCAG 2 contrast of its colour on the background behind it.
CONTRASTS = """host => {
  const rgba = (css) => css.match(/[\\d.]+/g).map(Number);
  const opaque = (css) => (rgba(css)[3] ?? 1) > 0;
  const luminance = (css) => {
    const [r, g, b] = rgba(css).slice(0, 3).map((v) => v / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement || e.getRootNode().host) {
      const color = getComputedStyle(e).backgroundColor;
      if (opaque(color)) return color;
    }
    return "rgb(255, 255, 255)";
  };
  const results = [];
  const walker = document.createTreeWalker(host.shadowRoot, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.checkVisibility() || element.closest(".sr-only")) continue;
    const pair = [luminance(getComputedStyle(element).color), luminance(background(element))];
    const [light, dark] = pair.sort((a, b) => b - a);
    results.push([node.textContent.trim().slice(0, 50), (light + 0.05) / (dark + 0.05)]);
  }
  return results;
}"""


def tab_to(chat, target, key: str = "Tab") -> None:
    for _ in range(MAX_TABS):
        chat.page.keyboard.press(key)
        if target.evaluate("element => element.getRootNode().activeElement === element"):
            return
    raise AssertionError(f"{key} never reached {target}")


def test_the_whole_conversation_with_the_keyboard_alone(chat):
    tab_to(chat, chat.launcher)
    chat.page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    expect(chat.input).to_be_focused()

    chat.page.keyboard.type("What is ECT?")
    chat.page.keyboard.press("Enter")
    expect(chat.answer(TOPICS["ect"].short).locator(".source")).to_be_visible()

    # The suggestions sit just before the message box.
    tms = chat.answer(TOPICS["ect"].short).get_by_role("button", name=TOPICS["tms"].label, exact=True)
    tab_to(chat, tms, "Shift+Tab")
    chat.screenshot("suggestion-focused")
    chat.page.keyboard.press("Enter")
    expect(chat.answer(TOPICS["tms"].short)).to_be_visible()
    expect(chat.input).to_be_focused()

    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")

    chat.page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    expect(chat.answer(TOPICS["tms"].short)).to_be_visible()


def test_screen_readers_hear_new_messages_in_a_labelled_dialog(chat):
    chat.open()
    expect(chat.panel).to_have_accessible_name("Ask about treatment-resistant depression")
    expect(chat.log).to_have_attribute("aria-live", "polite")
    chat.say("What is ECT?")
    # New messages are added inside the live region, each saying who speaks.
    expect(chat.log.locator(".entry.user")).to_have_text(["You: What is ECT?"])
    expect(chat.answer(TOPICS["ect"].short)).to_contain_text(f"Assistant: {TOPICS['ect'].short}")


def test_text_contrast_meets_wcag_aa(chat):
    chat.open()
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short).locator(".source")).to_be_visible()
    chat.say("i want to kill myself")
    expect(chat.banner).to_be_visible()

    contrasts = chat.page.locator("#trd-chat").evaluate(CONTRASTS)
    texts = [text for text, _ in contrasts]
    assert any(text.startswith("From:") for text in texts) and "Talk to someone now" in texts
    too_low = [(text, round(ratio, 2)) for text, ratio in contrasts if ratio < 4.5]
    assert too_low == []
