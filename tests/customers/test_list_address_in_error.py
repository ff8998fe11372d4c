"""The customer list under an address in error: a filter with a bad value lists and exports nobody
(never the whole book, never the search alone), and parts that are not filters are named."""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled

from tests.conftest import World, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.customers import services


def _book(world: World) -> None:
    grant = services.ConsentGrant(channel="email", purpose="marketing")
    make_customer(
        world.a, world.a_owner, first_name="Mailer", last_name="Abel", emails=["m@example.com"], consents=[grant]
    )
    make_customer(world.a, world.a_owner, first_name="Quiet", last_name="Abel", emails=["q@example.com"])


def _exports(store: Any) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(store=store, action="trunkshow.customer.exported").count()


def test_a_bad_window_lists_nobody_and_offers_no_export(world: World):
    _book(world)
    response = browser_client(world.a_owner).get("/customers/?date=birthday&within=-1&consent=email")
    assert response.status_code == 200
    assert response.context["filter_errors"] == {"within": ["Give a whole number of days from 0 to 365."]}
    assert (response.context["rows"], response.context["total"]) == ([], 0)
    assert response.context["can_export"] is False
    page = response.content.decode()
    assert "/customers/export/" not in page
    assert "Fix the filters first" in page
    assert "No customers are listed until they are fixed." in page


def test_a_spend_band_upside_down_lists_nobody(world: World):
    _book(world)
    response = browser_client(world.a_owner).get("/customers/?spend_min=5000&spend_max=100")
    assert response.context["filter_errors"] == {"spend_max": ["The highest spend is below the lowest."]}
    assert (response.context["rows"], response.context["can_export"]) == ([], False)


def test_the_export_refuses_filters_in_error_and_logs_nothing(world: World):
    _book(world)
    client = browser_client(world.a_owner)
    response = client.get("/customers/export/?date=birthday&within=-1&consent=email")
    assert response.status_code == 302
    assert response["Location"] == "/customers/?date=birthday&within=-1&consent=email"
    assert _exports(world.a) == 0
    shown = client.get(response["Location"])
    assert [str(m) for m in shown.context["messages"]] == ["Give a whole number of days from 0 to 365."]
    assert shown.context["rows"] == []


def test_an_unknown_part_is_named_left_out_and_not_exported(world: World):
    _book(world)
    response = browser_client(world.a_owner).get("/customers/?foo=bar&consent=email")
    assert response.context["filter_errors"] == {}
    assert response.context["filter_notes"] == ["The address has a part this page does not know, left out: foo."]
    assert [c.display_name for c in response.context["rows"]] == ["Mailer Abel"]
    assert response.context["can_export"] is False
    page = response.content.decode()
    assert "marked below" not in page
    assert "The address has a part this page does not know, left out: foo." in page


def test_another_lists_paging_is_the_first_page(world: World):
    _book(world)
    client = browser_client(world.a_owner)
    for address in ("/customers/?page=999", "/customers/?cursor=garbage", "/customers/?after=garbage"):
        response = client.get(address)
        assert response.context["filter_notes"] == ["That page of the list no longer exists; here is the first page."]
        assert [c.display_name for c in response.context["rows"]] == ["Mailer Abel", "Quiet Abel"]
        assert "marked below" not in response.content.decode()


def test_another_stores_segment_in_the_address_is_ignored(world: World):
    with scope(store=world.b):
        from trunkshow.customers import segments

        other = segments.segment_create(
            store=world.b, actor=world.b_owner.user, name="B's", filters={"consent": "email"}
        )
    _book(world)
    response = browser_client(world.a_owner).get(f"/customers/?segment={other.pk}")
    assert response.context["active_segment"] is None
    assert len(response.context["rows"]) == 2
