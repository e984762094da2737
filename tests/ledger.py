"""Appends a blind batch's figures to its ledger: the date, the batch, the figures, and the commit scored."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def record(ledger: Path, batch: Path, figures: list[str], model: Path) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT)
    cells = [str(datetime.date.today()), batch.name, *figures, f"{commit.stdout.strip()} ({model.name})"]
    with ledger.open("a", encoding="utf-8") as file:
        file.write("| " + " | ".join(cells) + " |\n")
    print(f"recorded in {ledger.relative_to(PROJECT)}")
