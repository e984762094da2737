"""Staff accounts from the command line.

    python -m review.staff add NAME        create a reviewer's account (asks for the password twice)
    python -m review.staff add NAME --role administrator
    python -m review.staff role NAME administrator|reviewer
                                           change an account's role (at once, in its open sessions too)
    python -m review.staff password NAME   set a new password (ends nothing: sessions run out by themselves)
    python -m review.staff disable NAME    stop an account from signing in (its sessions end at once)
    python -m review.staff enable NAME

Reviewers read and review conversations; administrators may also export them and read the audit log
(review/roles.py).

The password is asked at the terminal, twice; when standard input is not a terminal (a script), its
first line is the password, and a second line, when there is one, must be the same. Passwords never go
on the command line, where other users could see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from review import accounts, audit, roles
from review.database import StoreUnavailableError, own_tables_engine, prepare
from review.settings import Settings, SettingsError


def read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
        again = getpass.getpass("The same password again: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
        # a script may give the password once; given twice, a mistyped copy is refused as at the terminal
        second_line = sys.stdin.readline()
        again = second_line.rstrip("\n") if second_line else password
    if again != password:
        raise accounts.AccountError("The two passwords differ.")
    return password


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", choices=roles.ROLES, default=roles.NEW_ACCOUNT)
    role = commands.add_parser("role")
    role.add_argument("username")
    role.add_argument("role", choices=roles.ROLES)
    for command in ("password", "disable", "enable"):
        commands.add_parser(command).add_argument("username")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    username = args.username.strip().lower()
    try:
        settings = Settings.from_env()
        prepare(settings)
        engine = own_tables_engine(settings)
        with engine.begin() as connection:
            if args.command == "add":
                accounts.add_staff(connection, username, read_password(), args.role)
            elif args.command == "role":
                accounts.set_role(connection, username, args.role)
            elif args.command == "password":
                accounts.set_password(connection, username, read_password())
            else:
                accounts.set_active(connection, username, args.command == "enable")
            given_role = {"role": args.role} if "role" in args else None
            audit.record(
                connection, f"staff_{args.command}", username=username, client="command line", details=given_role
            )
    except (SettingsError, StoreUnavailableError, accounts.AccountError) as error:
        sys.exit(str(error))
    print(f"Done: {args.command} {username}" + (f", {args.role}." if "role" in args else "."))


if __name__ == "__main__":
    main()
