import ipaddress
import os

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _reachable(host: str) -> str:
    """Where a browser on this machine reaches a server listening on `host` (every address: the loopback)."""
    try:
        return "127.0.0.1" if ipaddress.ip_address(host).is_unspecified else host
    except ValueError:  # a host name
        return host


class Command(BaseCommand):
    help = "Migrate the database, then serve Shopfloor over ASGI with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="Seed the demo data first (idempotent).")
        parser.add_argument("--workers", type=int, default=1, help="Serving processes (uvicorn's workers).")
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Do not run background tasks (email, text messages, scheduled jobs) in the serving processes: "
                 "separate `shopfloor worker` processes do. Live broadcasts always run in the serving process.")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, host, port, demo, workers, no_worker, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        # The database's own parts that migrations create and Django cannot see (triggers) are all there.
        call_command("check", databases=["default"], fail_level="ERROR")
        if no_worker:
            # Read by every serving process's settings (uvicorn's workers are new processes).
            os.environ["SHOPFLOOR_WORKER"] = "false"
            settings.SHOPFLOOR["SERVER_WORKER"] = False
        base = f"http://{_reachable(host)}:{port}"
        if not settings.SHOPFLOOR["PUBLIC_URL"]:
            # Links in messages sent outside a request (the demo's payment link, a job's notification) point
            # here unless PUBLIC_URL says where the retailer serves Shopfloor; the workers inherit it.
            settings.SHOPFLOOR["PUBLIC_URL"] = os.environ["PUBLIC_URL"] = base
        if demo:
            call_command("demo")
        self.stdout.write(self.style.SUCCESS(f"Shopfloor is serving at {base}"))
        self.stdout.write(f"  console    {base}/console/")
        self.stdout.write(f"  admin      {base}/admin/")
        self.stdout.write(f"  demo shop  {base}/shop/")
        self.stdout.write(f"  API docs   {base}/api/v1/docs")
        if demo:
            from shopfloor.demo.seed import DEMO_LOGINS

            self.stdout.write(f"Demo logins (password for all: {DEMO_LOGINS['password']}):")
            for role, email in DEMO_LOGINS["accounts"]:
                self.stdout.write(f"  {role:<28} {email}")
        self.stdout.flush()
        uvicorn.run(
            "shopfloor.asgi:application", host=host, port=port, workers=workers,
            # The lifespan starts each serving process's task worker (shopfloor.asgi).
            proxy_headers=False, log_level="info" if settings.DEBUG else "warning", lifespan="on",
        )
