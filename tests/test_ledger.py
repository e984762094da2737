"""A blind batch's figures go at the end of its ledger's table, before any note written under it."""

from __future__ import annotations

from tests.ledger import with_row

LEDGER = """# Blind batches

| date | batch | figure |
|---|---|---:|
| 2026-12-01 | blind_1.yml | 0.9 |

Corrections after scoring: one label was fixed.
"""


def test_a_new_row_ends_the_table_and_the_note_after_it_stays_after_it():
    updated = with_row(LEDGER, "| 2026-12-04 | blind_2.yml | 0.8 |").splitlines()
    assert updated[4:6] == ["| 2026-12-01 | blind_1.yml | 0.9 |", "| 2026-12-04 | blind_2.yml | 0.8 |"]
    assert updated[-1] == "Corrections after scoring: one label was fixed."


def test_a_ledger_without_a_table_gets_the_row_at_its_end():
    assert with_row("# Blind batches\n", "| a | b |").splitlines() == ["# Blind batches", "| a | b |"]
