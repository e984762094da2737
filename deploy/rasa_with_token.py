"""Starts the Rasa server with its HTTP API token from RASA_TOKEN, not from the command line.

    python deploy/rasa_with_token.py run --enable-api --port 5005 ...     (the arguments of `rasa`)

Rasa 3.6 takes the token only as `rasa run --auth-token <token>`: no variable or file names it. A
process's arguments are readable by anyone on the machine (`ps`, /proc/<pid>/cmdline, the container's
host included), its environment only by its own user. This hands the token to Rasa's argument parser
inside the process; the arguments the kernel shows stay the ones this was started with.
"""

from __future__ import annotations

import os
import sys

from rasa.__main__ import main as rasa_main


def main() -> None:
    token = os.environ.get("RASA_TOKEN", "").strip()
    if not token:
        sys.exit("RASA_TOKEN is not set: the HTTP API would answer anyone who reaches it.")
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
