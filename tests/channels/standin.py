"""A local stand-in for the messaging platforms' APIs, on 127.0.0.1.

The real platforms are outside this machine, so the Rasa server under test sends its replies here
instead (each connector's API address is configurable). The stand-in records every call as the
platform would receive it and answers as the platform does, so the connectors' own clients (aiogram,
slack_sdk, twilio, fbmessenger) run unchanged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    platform: str  # telegram, slack, twilio, facebook
    method: str  # the last part of the path: sendMessage, chat.postMessage, Messages.json, messages
    body: dict


def answer(call: Call, number: int) -> tuple[int, dict]:
    """What each platform answers to a call, in the shape its client reads."""
    if call.platform == "telegram":
        if call.method == "sendMessage":
            chat = {"id": int(call.body["chat_id"]), "type": "private"}
            return 200, {"ok": True, "result": {"message_id": number, "date": 0, "chat": chat, "text": ""}}
        return 200, {"ok": True, "result": True}
    if call.platform == "slack":
        return 200, {"ok": True, "channel": call.body.get("channel"), "ts": f"{time.time():.6f}"}
    if call.platform == "twilio":
        return 201, {
            "sid": f"SM{number:032x}",
            "status": "queued",
            **{key.lower(): value for key, value in call.body.items()},
        }
    return 200, {"recipient_id": call.body.get("recipient", {}).get("id"), "message_id": f"m_{number}"}


@dataclass
class PlatformStandIn:
    calls: list[Call] = field(default_factory=list)
    url: str = ""

    def start(self) -> PlatformStandIn:
        stand_in, numbers = self, count(1)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw)
                else:
                    body = dict(parse_qsl(raw))
                path = urlsplit(self.path).path.strip("/").split("/")
                call = Call(path[0], path[-1], body)
                stand_in.calls.append(call)
                status, reply = answer(call, next(numbers))
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        return self

    def received(self, platform: str, method: str, to: Callable[[dict], bool]) -> list[dict]:
        return [
            call.body
            for call in list(self.calls)
            if call.platform == platform and call.method == method and to(call.body)
        ]

    def wait_for(
        self, platform: str, method: str, to: Callable[[dict], bool], count: int = 1, seconds: float = 30
    ) -> list[dict]:
        """The calls sent so far, once there are at least `count` (the bound is generous: a reply takes ~1 s)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.received(platform, method, to)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.received(platform, method, to)
