"""GET /associates/{id}/statement.csv: ledger entries of a period with a running balance."""

import csv
import io
from datetime import UTC, datetime

import pytest

from shopfloor.commissions.models import LedgerEntry
from shopfloor.commissions.payouts import record_adjustment, record_payout
from tests.api.conftest import place_order
from tests.commissions.api.conftest import API, MONEY_MATRIX, PERSONAS, owner


def rows(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def at(entry, moment):
    # Entries are append-only; moving one in time for a test goes around the model.
    LedgerEntry.objects.filter(pk=entry.pk).update(created_at=moment)


@pytest.fixture
def history(world, ledger):
    """ana: Feb: earning 5.00 (approved), adjustment +10.00; Mar: earning 2.00 (pending), payout 4.00."""
    at(ledger.a1_earning, datetime(2026, 2, 10, 12, tzinfo=UTC))
    at(ledger.ana_adjustment, datetime(2026, 2, 20, 12, tzinfo=UTC))
    at(ledger.a2_earning, datetime(2026, 3, 5, 12, tzinfo=UTC))
    payout = record_payout(world.admin, world.ana, "4.00", "bank", reference="=HYPERLINK(1)")
    at(payout.ledger_entry, datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    return payout


def test_a_period_opens_with_the_balance_before_it_and_runs_through_approved_entries(world, ledger, history,
                                                                                    admin_api):
    response = admin_api.get(f"{API}/associates/{world.ana.pk}/statement.csv", {"from": "2026-03-01",
                                                                                 "to": "2026-03-31"})
    table = rows(response)
    assert table[0] == ["date", "entry_id", "kind", "status", "order_id", "order_external_id", "level",
                        "description", "amount", "currency", "running_balance"]
    assert table[1] == ["2026-03-01", "", "opening_balance", "", "", "", "", "Balance before the period", "",
                        "EUR", "15.00"]
    assert table[2] == ["2026-03-05T12:00:00+00:00", str(ledger.a2_earning.pk), "earning", "pending",
                        str(ledger.a2.pk), "A-2", "0", "Ten percent (v1) on SKU-1", "2.00", "EUR", "15.00"]
    assert table[3] == ["2026-03-31T23:30:00+00:00", str(history.ledger_entry.pk), "payout", "approved", "", "",
                        "0", "Payout by Bank transfer (=HYPERLINK(1))", "-4.00", "EUR", "11.00"]
    assert table[4] == ["2026-03-31", "", "closing_balance", "", "", "", "", "Balance at the end of the period",
                        "", "EUR", "11.00"]
    assert len(table) == 5
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{world.ana.pk}-2026-03-01-to-2026-03-31.csv"')


def test_days_are_whole_days_in_the_stores_time_zone(world, ledger, history, admin_api):
    world.north.timezone = "Europe/Lisbon"  # UTC+1 in summer time, which starts on 2026-03-29
    world.north.save()
    table = rows(admin_api.get(f"{API}/associates/{world.ana.pk}/statement.csv", {"from": "2026-04-01"}))
    # 23:30 UTC on 31 March is 00:30 on 1 April in Lisbon.
    assert [row[2] for row in table[1:]] == ["opening_balance", "payout", "closing_balance"]
    assert table[2][0] == "2026-04-01T00:30:00+01:00"
    assert (table[1][-1], table[-1][-1]) == ("15.00", "11.00")


def test_without_a_period_the_statement_closes_on_the_balance(world, ledger, history, admin_api):
    record_adjustment(world.admin, world.ana, "-1.00", "Lost sample")
    table = rows(admin_api.get(f"{API}/associates/{world.ana.pk}/statement.csv"))
    assert [row[2] for row in table[1:]] == ["opening_balance", "earning", "adjustment", "earning", "payout",
                                             "adjustment", "closing_balance"]
    assert [row[-1] for row in table[1:]] == ["0.00", "5.00", "15.00", "15.00", "11.00", "10.00", "10.00"]
    assert table[-1][-1] == admin_api.get(f"{API}/associates/{world.ana.pk}/balance").json()["balance"]
    assert table[6][7] == "Adjustment: Lost sample"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(world, ledger, admin_api):
    order = place_order(world, "=2+5", world.anas_customer, total="10.00")
    table = rows(admin_api.get(f"{API}/associates/{world.ana.pk}/statement.csv"))
    assert [row[5] for row in table if row[4] == str(order.pk)] == ["'=2+5"]


@pytest.mark.parametrize("params", [{"from": "2026-02-30"}, {"to": "March"}, {"from": "2026-03-02", "to": "2026-03-01"},
                                    {"currency": "12"}])
def test_a_bad_period_is_422(world, ledger, admin_api, params):
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/statement.csv", params).status_code == 422


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_downloads_a_statement(world, ledger, client_for, mode, persona):
    response = client_for(mode, persona).get(f"{API}/associates/{owner(world, mode).pk}/statement.csv")
    assert response.status_code == MONEY_MATRIX[persona]
    if response.status_code == 200:
        assert rows(response)[-1][-1] == ("15.00" if mode == "associate" else "7.00")
