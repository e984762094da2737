"""Runs the review app: `python -m review [--host HOST] [--port PORT]` (REVIEW_HOST, REVIEW_PORT by default)."""

from __future__ import annotations

import argparse
import logging
import sys

from review.app import create_app
from review.database import StoreUnavailableError, prepare
from review.settings import Settings, SettingsError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    # Sanic logs its own lines; the app's go to the same output, in the same shape
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s  %(message)s"))
    logging.getLogger("review").addHandler(handler)
    logging.getLogger("review").setLevel(logging.INFO)
    try:
        settings = Settings.from_env()
        prepare(settings)
    except (SettingsError, StoreUnavailableError) as error:
        sys.exit(f"The review app cannot start: {error}")
    app = create_app(settings)
    app.run(host=args.host or settings.host, port=args.port or settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
