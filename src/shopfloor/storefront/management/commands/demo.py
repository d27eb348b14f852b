import time

from django.core.management.base import BaseCommand

from shopfloor.storefront.demo import seed_demo


class Command(BaseCommand):
    help = "Seed the demo data: two stores, associates, 200 customers, 100 products, 500 orders (idempotent)."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = seed_demo()
        if not result.created:
            self.stdout.write("The demo data is already there; nothing changed.")
            return
        figures = ", ".join(f"{count} {name}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"Seeded the demo data in {time.monotonic() - started:.1f} s: {figures}."
        ))
