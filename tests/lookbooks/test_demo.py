"""The demo data holds looks, published lookbooks (one already opened) and message templates."""

from django.test import Client

from shopfloor.demo.seed import seed_demo
from shopfloor.lookbooks.models import Look, Lookbook, LookbookStatus
from shopfloor.outreach.models import MessageTemplate


def test_the_demo_has_looks_lookbooks_and_templates(db):
    seed_demo()
    assert set(Look.objects.values_list("title", flat=True)) == {"Long summer evenings", "Porto kitchen classics"}
    lookbooks = Lookbook.objects.filter(status=LookbookStatus.PUBLISHED)
    assert lookbooks.count() == 2
    assert lookbooks.filter(opened_at__isnull=False, author__name="Ana Ribeiro").count() == 1
    assert all(lookbook.items.count() >= 3 for lookbook in lookbooks)
    assert MessageTemplate.objects.count() == 2
    for lookbook in lookbooks:
        assert Client().get(f"/c/lookbook/{lookbook.token}").status_code == 200
    # Seeding again writes nothing.
    seed_demo()
    assert Lookbook.objects.count() == 2
