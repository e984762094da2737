"""Serves the widget's demo page (a clinic's page with the widget on it) and the built widget.

The page carries a strict Content-Security-Policy: scripts and styles from this server only, and
connections to the Rasa server only, so the widget is shown to work with no inline code and no
request to any other host. Standard library only.
Usage: python webchat/serve.py --port 8000 --rasa-url http://localhost:5005 [--country US]
"""

from __future__ import annotations

import argparse
import contextlib
import html
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

WEBCHAT = Path(__file__).resolve().parent
BUNDLE = WEBCHAT / "dist" / "widget.js"
NOT_BUILT = b"The widget is not built: run `make webchat` (npm ci and npm run build in webchat/)."


def rasa_origins(rasa_url: str) -> tuple[str, str]:
    """The Rasa server's origin over HTTP (socket.io's polling) and over WebSocket."""
    parts = urlsplit(rasa_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"--rasa-url must be an http(s) address, not {rasa_url!r}")
    websocket = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{websocket}://{parts.netloc}"


def security_headers(rasa_url: str) -> dict[str, str]:
    connect = " ".join(rasa_origins(rasa_url))
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-cache",
    }


def demo_page(rasa_url: str, country: str | None) -> bytes:
    template = Template((WEBCHAT / "demo" / "index.html").read_text(encoding="utf-8"))
    country_attribute = f'data-country="{html.escape(country)}"' if country else ""
    return template.substitute(rasa_url=html.escape(rasa_url), country_attribute=country_attribute).encode()


def handler_for(rasa_url: str, country: str | None) -> type[BaseHTTPRequestHandler]:
    headers = security_headers(rasa_url)
    page = demo_page(rasa_url, country)

    class DemoHandler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "webchat-demo"

        def content(self) -> tuple[int, str, bytes]:
            path = urlsplit(self.path).path
            if path in ("/", "/index.html"):
                return 200, "text/html; charset=utf-8", page
            if path == "/widget.js":
                if not BUNDLE.exists():
                    return 503, "text/plain; charset=utf-8", NOT_BUILT
                return 200, "text/javascript; charset=utf-8", BUNDLE.read_bytes()
            if path == "/demo.css":
                return 200, "text/css; charset=utf-8", (WEBCHAT / "demo" / "demo.css").read_bytes()
            if path == "/favicon.ico":
                return 204, "image/x-icon", b""
            return 404, "text/plain; charset=utf-8", b"Not found"

        def respond(self, with_body: bool) -> None:
            status, content_type, body = self.content()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": content_type, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.respond(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
            self.respond(with_body=False)

    return DemoHandler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the chat widget's demo page.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: this machine only)")
    parser.add_argument("--rasa-url", default="http://localhost:5005", help="the Rasa server the widget talks to")
    parser.add_argument("--country", type=str.upper, help="the page's country (ISO code), for the crisis lines")
    args = parser.parse_args()
    try:
        rasa_origins(args.rasa_url)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    if not BUNDLE.exists():
        print(f"Warning: {NOT_BUILT.decode()}", flush=True)

    server = ThreadingHTTPServer((args.host, args.port), handler_for(args.rasa_url, args.country))
    server.daemon_threads = True
    address = f"http://localhost:{server.server_address[1]}/"
    print(f"Chat widget demo page: {address} (Rasa server: {args.rasa_url})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
