"""The fault tests' own PostgreSQL server: when it cannot start, the failure says why."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from scripts.stack import PostgresProgramError, PostgresServer

MACHINES_POSTGRESQL_PORT = 5432  # taken by the machine's own server


def test_a_server_that_cannot_start_says_why():
    folder = Path(tempfile.mkdtemp(prefix="throwaway-postgres-"))
    os.chmod(folder, 0o755)
    try:
        with pytest.raises(PostgresProgramError, match="(?i)address already in use|could not bind"):
            PostgresServer(MACHINES_POSTGRESQL_PORT, folder).create()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
