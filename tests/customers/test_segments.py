"""Segments: saved filters, through the API and the list page, with their bad input and rights."""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.customers import segments
from trunkshow.customers.models import Segment


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, body, content_type="application/json")


def saved(store: Any) -> list[tuple[str, dict[str, Any]]]:
    with scopes_disabled():
        return [(s.name, s.filters) for s in Segment.objects.filter(store=store).order_by("name")]


def test_staff_save_read_list_rename_and_delete_a_segment_through_the_api(world: World):
    make_customer(world.a, first_name="Sara", last_name="Fire", interests=[("stone", "Sapphire")])
    make_customer(world.a, first_name="Rudy", last_name="Red", interests=[("stone", "Ruby")])
    associate, manager = api(world.a_associate), api(world.a_manager)

    created = post(
        associate, "/api/v1/segments", {"name": " Sapphire lovers ", "filters": {"interest": "stone:Sapphire"}}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    sid = body["id"]
    assert (body["name"], body["filters"], body["customer_count"]) == (
        "Sapphire lovers",
        {"interest": ["stone:Sapphire"]},
        1,
    )
    assert associate.get(f"/api/v1/segments/{sid}").json()["customer_count"] == 1
    listed = associate.get("/api/v1/segments").json()["items"]
    assert [(s["id"], s["name"], s["customer_count"]) for s in listed] == [(sid, "Sapphire lovers", 1)]
    members = associate.get(f"/api/v1/segments/{sid}/customers").json()
    assert [c["display_name"] for c in members["items"]] == ["Sara Fire"]

    renamed = patch(
        manager, f"/api/v1/segments/{sid}", {"name": "Blue stones", "filters": {"interest": ["ruby", "sapphire"]}}
    )
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["filters"], renamed.json()["customer_count"]) == (
        "Blue stones",
        {"interest": ["ruby", "sapphire"]},
        2,  # fans of either
    )
    assert manager.delete(f"/api/v1/segments/{sid}").status_code == 204
    assert saved(world.a) == []


def test_an_associate_may_save_but_not_change_or_delete_a_segment(world: World):
    sid = post(api(world.a_associate), "/api/v1/segments", {"name": "Mine", "filters": {}}).json()["id"]
    for response in (
        patch(api(world.a_associate), f"/api/v1/segments/{sid}", {"name": "Ours"}),
        api(world.a_associate).delete(f"/api/v1/segments/{sid}"),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "forbidden",
            "message": "Only owners and managers can rename, change or delete segments.",
            "fields": {},
        }
    assert saved(world.a) == [("Mine", {})]


def test_bad_segments_are_refused_with_the_field_that_is_wrong_and_nothing_saved(world: World):
    client = api(world.a_owner)
    assert post(client, "/api/v1/segments", {"name": "VIP", "filters": {"spend_min": "1000"}}).status_code == 201
    cases = [
        ({"name": "vip", "filters": {}}, {"name": ["A segment named “vip” already exists; choose another name."]}),
        ({"name": "  ", "filters": {}}, {"name": ["Give the segment a name."]}),
        (
            {"name": "Colour", "filters": {"colour": "red"}},
            {
                "filters.colour": [
                    "Not a filter of the customer list; use q, interest, date, within, associate, contact_older_than, spend_min, spend_max, source, consent, sort."
                ]
            },
        ),
        (
            {"name": "Soon", "filters": {"date": "birthday"}},
            {"filters.within": ["Say within how many days (0 to 365)."]},
        ),
        (
            {"name": "Rich", "filters": {"spend_min": "lots"}},
            {"filters.spend_min": ["Give an amount such as 250 or 1200.50."]},
        ),
        (
            {"name": "Theirs", "filters": {"associate": str(world.b_associate.user.pk)}},
            {"filters.associate": ["No staff member with this id in this store."]},
        ),
        (
            {"name": "Nested", "filters": {"source": {"a": 1}}},
            {"filters": ["Each filter is a text (or a list of texts for interest)."]},
        ),
        ({"name": "x" * 101, "filters": {}}, None),
    ]
    for body, fields in cases:
        response = post(client, "/api/v1/segments", body)
        assert response.status_code == 400, body
        if fields is not None:
            assert response.json()["error"]["fields"] == fields, body
    assert saved(world.a) == [("VIP", {"spend_min": "1000.00"})]


def test_another_stores_segment_is_a_404_everywhere(world: World):
    with scope(store=world.b):
        theirs = segments.segment_create(store=world.b, actor=None, name="Perles", filters={"source": "chat"})
    client = api(world.a_owner)
    for response in (
        client.get(f"/api/v1/segments/{theirs.pk}"),
        client.get(f"/api/v1/segments/{theirs.pk}/customers"),
        client.get(f"/api/v1/segments/{theirs.pk}/export"),
        patch(client, f"/api/v1/segments/{theirs.pk}", {"name": "Mine now"}),
        client.delete(f"/api/v1/segments/{theirs.pk}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/segments").json() == {"items": []}
    assert saved(world.b) == [("Perles", {"source": "chat"})]


def test_segment_customers_never_holds_erased_customers_and_survives_a_departed_associate(world: World):
    import datetime as dt

    from trunkshow.customers.models import Customer
    from trunkshow.stores.models import Membership

    kept = make_customer(world.a, first_name="Kept", assigned_associate_id=world.a_associate.user.pk)
    gone = make_customer(world.a, first_name="Gone", assigned_associate_id=world.a_associate.user.pk)
    with scope(store=world.a):
        Customer.objects.filter(pk=gone.pk).update(erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        segment = segments.segment_create(
            store=world.a,
            actor=None,
            name="Ali's",
            filters={"associate": str(world.a_associate.user.pk), "sort": "newest"},
        )
        assert [c.pk for c in segments.segment_customers(store=world.a, segment=segment)] == [kept.pk]
        Membership.objects.filter(pk=world.a_associate.membership.pk).delete()
        # The associate left: that filter no longer checks out and is dropped, the order stays.
        assert segments.segment_filter(store=world.a, segment=segment).params() == {"sort": "newest"}


def test_the_list_page_saves_shows_picks_renames_and_deletes_segments(world: World):
    make_customer(world.a, first_name="Sara", interests=[("stone", "Sapphire")])
    make_customer(world.a, first_name="Rudy", interests=[("stone", "Ruby")])
    page = browser_client(world.a_manager)
    response = page.post("/customers/segments/new/", {"name": "Sapphires", "interest": "stone:sapphire"})
    assert response.status_code == 302
    with scopes_disabled():
        segment = Segment.objects.get(store=world.a)
    assert response["Location"] == f"/customers/?interest=stone%3Asapphire&segment={segment.pk}"
    listed = page.get(response["Location"])
    assert listed.context["active_segment"] == segment
    assert [(s["segment"].name, s["count_text"]) for s in listed.context["segments"]] == [("Sapphires", "1 customer")]
    assert "Saved the segment “Sapphires” (1 customer)." in listed.content.decode()

    duplicate = page.post("/customers/segments/new/", {"name": "SAPPHIRES", "source": "chat"}, follow=True)
    # Refused, it is shown at the list's own address with its filters (a reload does not post again).
    assert duplicate.redirect_chain == [("/customers/?source=chat", 302)]
    assert duplicate.context["save_errors"] == {
        "name": ["A segment named “SAPPHIRES” already exists; choose another name."]
    }
    assert duplicate.context["save_name"] == "SAPPHIRES"
    assert [c["label"] for c in duplicate.context["chips"]] == ["Met: Wrote to us"]
    assert "already exists" not in page.get("/customers/?source=chat").content.decode()  # said once

    assert page.post(f"/customers/segments/{segment.pk}/rename/", {"name": "Blue"}).status_code == 302
    manage = page.get("/customers/segments/")
    assert [(r["segment"].name, r["count_text"], r["chips"]) for r in manage.context["rows"]] == [
        ("Blue", "1 customer", ["Stone: sapphire"])
    ]
    assert page.post(f"/customers/segments/{segment.pk}/delete/").status_code == 302
    assert saved(world.a) == []


def test_the_segments_page_says_a_segments_search_too(world: World):
    make_customer(world.a, first_name="Thao", last_name="Nguyen", emails=["thao@example.com"])
    page = browser_client(world.a_manager)
    saved_one = page.post("/customers/segments/new/", {"name": "Nguyens", "q": "nguyen", "source": "chat"})
    assert saved_one.status_code == 302
    manage = page.get("/customers/segments/")
    assert [(r["segment"].name, r["chips"]) for r in manage.context["rows"]] == [
        ("Nguyens", ["Search: “nguyen”", "Met: Wrote to us"])
    ]
    assert "Search: “nguyen”" in manage.content.decode()


def test_an_associate_sees_segments_but_gets_403_with_the_reason_on_rename_and_delete(world: World):
    with scope(store=world.a):
        segment = segments.segment_create(store=world.a, actor=None, name="VIP", filters={})
    page = browser_client(world.a_associate)
    for url in (f"/customers/segments/{segment.pk}/rename/", f"/customers/segments/{segment.pk}/delete/"):
        response = page.post(url, {"name": "Mine"})
        assert response.status_code == 403
        assert "Only owners and managers can rename, change or delete segments." in response.content.decode()
    manage = page.get("/customers/segments/")
    assert manage.status_code == 200 and manage.context["can_manage"] is False
    assert saved(world.a) == [("VIP", {})]


def test_a_segment_whose_filters_were_changed_no_longer_claims_the_list(world: World):
    make_customer(world.a, first_name="Sara", interests=[("stone", "Sapphire")], source="chat")
    make_customer(world.a, first_name="Sam", interests=[("stone", "Sapphire")])
    page = browser_client(world.a_manager)
    with scope(store=world.a):
        segment = segments.segment_create(
            store=world.a,
            actor=None,
            name="Chatty sapphires",
            filters={"interest": ["stone:sapphire"], "source": "chat"},
        )
    opened = page.get(f"/customers/?interest=stone%3Asapphire&source=chat&segment={segment.pk}")
    html = opened.content.decode()
    assert opened.context["segment_is_list"] is True
    assert "(changed)" not in html
    assert html.count('aria-current="true"') == 1
    assert "<title>Chatty sapphires · Customers" in html

    # The "Met: Wrote to us" chip removed: the list is no longer that segment, and says so.
    chip = next(c for c in opened.context["chips"] if c["name"] == "source")
    changed = page.get("/customers/" + chip["url"])
    html = changed.content.decode()
    assert changed.context["total"] == 2
    assert changed.context["segment_is_list"] is False
    assert (
        '<span class="summary-text" title="Chatty sapphires">Chatty sapphires</span> <span class="summary-changed">(changed)</span>'
        in html
    )
    assert 'aria-current="true"' not in html
    assert "<title>Chatty sapphires (changed) · Customers" in html
    assert "Save these filters into “Chatty sapphires”" in html
