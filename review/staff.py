"""Staff accounts from the command line.

    python -m review.staff add NAME        create an account (asks for the password twice)
    python -m review.staff password NAME   set a new password (ends nothing: sessions run out by themselves)
    python -m review.staff disable NAME    stop an account from signing in (its sessions end at once)
    python -m review.staff enable NAME

The password is asked at the terminal; when standard input is not a terminal (a script), its first
line is the password. Passwords never go on the command line, where other users could see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from review import accounts, audit
from review.database import StoreUnavailableError, own_tables_engine, prepare
from review.settings import Settings, SettingsError


def read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same password again: ") != password:
        raise accounts.AccountError("The two passwords differ.")
    return password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("add", "password", "disable", "enable"))
    parser.add_argument("username")
    args = parser.parse_args(argv)
    username = args.username.strip().lower()
    try:
        settings = Settings.from_env()
        prepare(settings)
        engine = own_tables_engine(settings)
        with engine.begin() as connection:
            if args.command == "add":
                accounts.add_staff(connection, username, read_password())
            elif args.command == "password":
                accounts.set_password(connection, username, read_password())
            else:
                accounts.set_active(connection, username, args.command == "enable")
            audit.record(connection, f"staff_{args.command}", username=username, client="command line")
    except (SettingsError, StoreUnavailableError, accounts.AccountError) as error:
        sys.exit(str(error))
    print(f"Done: {args.command} {username}.")


if __name__ == "__main__":
    main()
