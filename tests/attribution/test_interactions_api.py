"""POST/GET /interactions and /attribution-settings through HTTP, with the persona matrix (STYLE.md 18)."""

import pytest

from shopfloor.attribution.models import AttributionSettings, Interaction
from shopfloor.attribution.services import record_interaction
from tests.api.conftest import API
from tests.conftest import PERSONAS, user_for

# A customer the caller may not see is, in a body, an unknown id: 422 naming customer_id (never 404 or 403,
# which would tell them apart from one that does not exist).
CREATED = {
    "associate": {"owner": 201, "colleague": 422, "other_store": 422, "manager": 201, "other_manager": 422,
                  "admin": 422, "customer": 403, "anonymous": 401},
    "team": {"owner": 201, "colleague": 201, "other_store": 422, "manager": 201, "other_manager": 422,
             "admin": 422, "customer": 403, "anonymous": 401},
}


def subject(world, mode):
    return world.anas_customer if mode == "associate" else world.toms_customer


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_an_interaction_answers_by_persona_and_selling_mode(world, client_for, mode, persona):
    customer = subject(world, mode)
    response = client_for(mode, persona).post(f"{API}/interactions", {"kind": "chat", "customer_id": customer.pk},
                                              content_type="application/json")
    assert response.status_code == CREATED[mode][persona], response.content
    if response.status_code == 201:
        body = response.json()
        interaction = Interaction.objects.get()
        assert body["id"] == interaction.pk and body["customer_id"] == customer.pk and body["kind"] == "chat"
        assert interaction.associate.user == user_for(world, mode, persona)
    else:
        assert Interaction.objects.count() == 0


def test_an_interaction_is_recorded_as_the_callers_own_and_once_per_source_ref(world, api_as):
    api = api_as(world.ana.user)
    body = {"kind": "lookbook_opened", "customer_id": world.anas_customer.pk, "source_ref": "lookbook:7",
            "occurred_at": "2025-03-04T10:15:00+01:00"}
    first = api.post(f"{API}/interactions", body, content_type="application/json")
    again = api.post(f"{API}/interactions", {**body, "kind": "call"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["associate_id"] == world.ana.pk
    assert first.json()["occurred_at"] == "2025-03-04T09:15:00Z"
    assert Interaction.objects.count() == 1


def test_managers_and_admins_record_for_an_associate_and_associates_only_for_themselves(world, api_as, admin_api):
    body = {"kind": "call", "visitor_id": "visitor-0123456789abcdef", "associate_id": world.bruno.pk}
    assert api_as(world.nora.user).post(f"{API}/interactions", body, content_type="application/json").status_code == 201
    assert admin_api.post(f"{API}/interactions", body, content_type="application/json").status_code == 201
    assert api_as(world.ana.user).post(f"{API}/interactions", body, content_type="application/json").status_code == 403
    other_store = api_as(world.sam.user).post(f"{API}/interactions", body, content_type="application/json")
    assert other_store.status_code == 422 and other_store.json()["detail"][0]["loc"] == ["body", "associate_id"]
    assert Interaction.objects.filter(associate=world.bruno).count() == 2


@pytest.mark.parametrize("body, loc", [
    ({"kind": "chat"}, ["body", "customer_id"]),
    ({"kind": "wave", "visitor_id": "v-1"}, ["body", "kind"]),
    ({"kind": "chat", "visitor_id": "v-1", "occurred_at": "2999-01-01T00:00:00Z"}, ["body", "occurred_at"]),
    ({"kind": "chat", "visitor_id": "v-1", "occurred_at": "2025-01-01T00:00:00"}, ["body", "occurred_at"]),
])
def test_bad_interactions_are_422_naming_the_field_and_write_nothing(world, api_as, body, loc):
    response = api_as(world.ana.user).post(f"{API}/interactions", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert Interaction.objects.count() == 0


LISTED = {
    "ana": {"ana-alice"},
    "bruno": {"bruno-beatriz", "bruno-alice"},
    "nora": {"ana-alice", "bruno-beatriz", "bruno-alice"},
    "tom": {"tom-visitor", "tina-carla"},
    "tina": {"tom-visitor", "tina-carla"},
    "sam": {"tom-visitor", "tina-carla"},
    "admin": {"ana-alice", "bruno-beatriz", "bruno-alice", "tom-visitor", "tina-carla"},
}


@pytest.mark.parametrize("who", sorted(LISTED))
def test_each_person_lists_the_interactions_their_role_and_selling_mode_allow(world, api_as, who):
    record_interaction(world.ana, "chat", customer=world.anas_customer, source_ref="ana-alice")
    record_interaction(world.bruno, "chat", customer=world.brunos_customer, source_ref="bruno-beatriz")
    # Bruno chatted with Ana's customer: Ana sees it on her customer, Bruno as his own.
    record_interaction(world.bruno, "call", customer=world.anas_customer, source_ref="bruno-alice")
    record_interaction(world.tom, "chat", visitor_id="visitor-0123456789abcdef", source_ref="tom-visitor")
    record_interaction(world.tina, "chat", customer=world.toms_customer, source_ref="tina-carla")
    user = world.admin if who == "admin" else getattr(world, who).user
    response = api_as(user).get(f"{API}/interactions")
    assert response.status_code == 200
    refs = {item["source_ref"] for item in response.json()["items"]}
    if who == "ana":
        # Bruno's call with Alice is on Ana's customer.
        assert refs == {"ana-alice", "bruno-alice"}
    else:
        assert refs == LISTED[who]
    assert response.json()["count"] == len(refs)


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_customers_interactions_answer_404_to_those_who_may_not_see_the_customer(world, client_for, mode, persona):
    customer = subject(world, mode)
    owner = world.ana if mode == "associate" else world.tom
    record_interaction(owner, "chat", customer=customer)
    response = client_for(mode, persona).get(f"{API}/interactions", {"customer_id": customer.pk})
    # Reading filters by the customer in the query: one the caller may not see is 404, as behind a URL.
    expected = {who: {201: 200, 422: 404}.get(status, status) for who, status in CREATED[mode].items()}
    expected.update(owner=200, manager=200, admin=200)
    assert response.status_code == expected[persona]
    if response.status_code == 200:
        assert [item["customer_id"] for item in response.json()["items"]] == [customer.pk]


@pytest.mark.parametrize("persona, status", [
    ("admin", 200), ("manager", 403), ("owner", 403), ("customer", 403), ("anonymous", 401),
])
def test_only_admins_change_the_attribution_windows(world, client_for, persona, status):
    response = client_for("associate", persona).put(f"{API}/attribution-settings", {"influence_window_days": 7},
                                                    content_type="application/json")
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"attribution_window_days": 30, "influence_window_days": 7}
    else:
        assert not AttributionSettings.objects.exists()


def test_staff_read_the_windows_and_bad_windows_are_422(world, api_as, admin_api):
    assert api_as(world.ana.user).get(f"{API}/attribution-settings").json() == {
        "attribution_window_days": 30, "influence_window_days": 14,
    }
    response = admin_api.put(f"{API}/attribution-settings", {"attribution_window_days": 0},
                             content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "attribution_window_days"]
    assert not AttributionSettings.objects.exists()
