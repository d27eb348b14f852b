"""The `shopfloor` command: Django's management commands with Shopfloor's settings.

    shopfloor serve [--host H --port P] [--demo]   migrate, then serve over ASGI (uvicorn)
    shopfloor demo                                 seed the demo data (idempotent)
    shopfloor createadmin --email E --password P   create or reset an admin
    shopfloor token create --email EMAIL           print a new API token once
    shopfloor worker                               run background tasks
"""

import os
import sys

ALIASES: dict[str, str] = {}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "shopfloor"
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
