"""A trained model's NLU, loaded once in this process: what the server would parse for a text.

The evaluations (crisis detection, real questions) score every message through the whole pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def model_parser(model_path: Path) -> Callable[[str], dict[str, Any]]:
    with warnings.catch_warnings():  # libraries reset the filters while importing
        warnings.simplefilter("ignore")
        from rasa.core.agent import Agent
        from rasa.model import get_local_model
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # not one debug line per parsed message
        agent = Agent.load(get_local_model(str(model_path)))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))
