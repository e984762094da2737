"""Adds a blind batch's figures to its ledger: the date, the batch, the figures, and the commit scored."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def with_row(text: str, row: str) -> str:
    """The ledger with the row at the end of its table, so that notes written after the table stay after it."""
    lines = text.splitlines()
    last_row = max((number for number, line in enumerate(lines) if line.startswith("|")), default=len(lines) - 1)
    return "\n".join([*lines[: last_row + 1], row, *lines[last_row + 1 :]]) + "\n"


def record(ledger: Path, batch: Path, figures: list[str], model: Path) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT)
    cells = [str(datetime.date.today()), batch.name, *figures, f"{commit.stdout.strip()} ({model.name})"]
    ledger.write_text(with_row(ledger.read_text(encoding="utf-8"), "| " + " | ".join(cells) + " |"), encoding="utf-8")
    print(f"recorded in {ledger.relative_to(PROJECT)}")
