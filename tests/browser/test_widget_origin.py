"""Only pages on the configured origins may open the widget's connection, whatever the transport.

Rasa's own channel leaves origins to Sanic's CORS, which never checks a WebSocket handshake; the
project's channel (channels/socketio.py) has engine.io refuse every other browser Origin.
"""

from __future__ import annotations

from playwright.sync_api import expect

OPENS = """url => new Promise((resolve) => {
  const socket = new WebSocket(url);
  socket.onopen = () => { socket.close(); resolve(true); };
  socket.onerror = () => resolve(false);
})"""


def test_a_page_on_another_origin_cannot_connect(chat, widget_stack):
    websocket_url = widget_stack.rasa.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    assert chat.page.evaluate(OPENS, websocket_url) is True  # from the allowed origin

    # The same page, but from http://localhost:<port>: another origin.
    chat.page.goto(widget_stack.page_url.replace("127.0.0.1", "localhost"))
    assert chat.page.evaluate(OPENS, websocket_url) is False
    chat.open(online=False)
    expect(chat.status).to_contain_text("You're offline")
    chat.say("hello")
    expect(chat.entries("user")).to_have_count(1)
    assert chat.stored()["sessionId"] is None  # the server never confirmed a session
