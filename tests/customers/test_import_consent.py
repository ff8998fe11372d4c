"""Consent in an import is evidence of its kind: a file's "no" withdraws only what an import granted,
never a consent the customer gave in person, on a form, by a text or to staff; and a file imported
before is older than every consent recorded since, so importing it again changes none."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from tests.conftest import World, api, make_customer
from tests.customers.import_support import book, import_file, outcomes
from tests.customers.test_api_support import post
from trunkshow.customers import services
from trunkshow.customers.models import ConsentEvent, ConsentMethod, CurrentConsent, Customer, ImportJob

HEADER = "First Name,Last Name,Email,Phone,Accepts SMS Marketing"


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def sms_marketing(store, customer_id: int) -> list[tuple[str, str]]:
    """The customer's text-marketing ledger, oldest first: (action, method)."""
    with scope(store=store):
        return list(
            ConsentEvent.objects.filter(customer_id=customer_id, channel="sms", purpose="marketing")
            .order_by("occurred_at", "id")
            .values_list("action", "method")
        )


def uploaded_on(job: ImportJob) -> str:
    """The day the store's staff saw the file uploaded (store A is in New York)."""
    return job.created_at.astimezone(job.store.tz).date().isoformat()


def test_the_same_old_file_does_not_withdraw_consent_given_in_person_since(world: World):
    """The new user's case: "no" on a new customer records nothing; the customer then signs up for
    texts at the counter; the identical file again wrote "text marketing withdrawn" over it."""
    content = csv("Stale,Consent,,(914) 555-0199,no")
    first = import_file(world.a, world.a_owner, content)
    assert outcomes(first) == [(2, "created", "")]
    with scope(store=world.a):
        stale = Customer.objects.get()
    given = post(
        api(world.a_associate),
        f"/{stale.pk}/consent",
        {
            "channel": "sms",
            "purpose": "marketing",
            "method": "in_person",
            "evidence_text": "Signed the sign-up card at the counter.",
            "occurred_at": "2026-11-20T16:00:00Z",
        },
    )
    assert given.status_code == 201
    before = book(world.a)
    again = import_file(world.a, world.a_owner, content)
    assert outcomes(again) == [
        (
            2,
            "unchanged",
            "Nothing new for Stale Consent; kept text marketing granted (granted on 2026-11-20, In person; "
            "a file's “no” withdraws only what an import granted; “unsubscribed” withdraws any).",
        )
    ]
    assert (again.created_count, again.merged_count, again.unchanged_count, again.error_count) == (0, 0, 1, 0)
    assert book(world.a) == before
    assert sms_marketing(world.a, stale.pk) == [("granted", "in_person")]


@pytest.mark.parametrize(
    ("method", "shown"),
    [
        (ConsentMethod.IN_PERSON, "In person"),
        (ConsentMethod.FORM, "Web form"),
        (ConsentMethod.KEYWORD, "Keyword reply"),  # the customer's own START
        (ConsentMethod.STAFF, "Recorded by staff"),
    ],
)
def test_a_files_no_never_withdraws_consent_given_another_way(world: World, method: str, shown: str):
    """A new file, never imported: its "no" is most often a till's default (the customer never
    signed up there), not a withdrawal, and weaker evidence than the store's own record."""
    clara = make_customer(world.a, world.a_owner, first_name="Clara", last_name="Berg", phones=["+1 914 555 0142"])
    with scope(store=world.a):
        services.consent_record(
            store=world.a,
            actor=world.a_owner.user,
            customer=clara,
            grant=services.ConsentGrant(
                channel="sms",
                purpose="marketing",
                method=method,
                occurred_at=dt.datetime(2026, 3, 1, 17, tzinfo=dt.UTC),
            ),
        )
    before = book(world.a)
    job = import_file(world.a, world.a_owner, csv("Clara,Berg,,(914) 555-0142,no"))
    assert outcomes(job) == [
        (
            2,
            "unchanged",
            f"Nothing new for Clara Berg; kept text marketing granted (granted on 2026-03-01, {shown}; "
            "a file's “no” withdraws only what an import granted; “unsubscribed” withdraws any).",
        )
    ]
    assert book(world.a) == before


def test_a_file_saying_the_customer_unsubscribed_withdraws_any_consent_older_than_the_file(world: World):
    """Revocation by any reasonable means is honoured (RELIABILITY.md): "unsubscribed" in the till's
    export is the customer taking consent back, not a default; the same file again, after the
    customer signed up anew at the counter, is older than that and changes nothing."""
    clara = make_customer(world.a, world.a_owner, first_name="Clara", last_name="Berg", phones=["+1 914 555 0142"])
    grant = services.ConsentGrant(channel="sms", purpose="marketing", method=ConsentMethod.IN_PERSON)
    with scope(store=world.a):
        services.consent_record(store=world.a, actor=world.a_owner.user, customer=clara, grant=grant)
    content = csv("Clara,Berg,,(914) 555-0142,Unsubscribed")
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "merged", "Merged into Clara Berg: text marketing withdrawn.")]
    assert sms_marketing(world.a, clara.pk) == [("granted", "in_person"), ("withdrawn", "import")]
    with scope(store=world.a):
        # Recorded after the file's first upload (the ledger is append-only: its time is now).
        services.consent_record(store=world.a, actor=world.a_owner.user, customer=clara, grant=grant)
    before = book(world.a)
    again = import_file(world.a, world.a_owner, content)
    assert [outcome for _line, outcome, _message in outcomes(again)] == ["unchanged"]
    assert "after this file was first uploaded" in outcomes(again)[0][2]
    assert book(world.a) == before


def test_a_later_files_no_withdraws_what_an_import_granted(world: World):
    """The flag turned off in the till: the next export's "no" withdraws the consent an earlier
    export gave, as before."""
    import_file(world.a, world.a_owner, csv("Dora,Diaz,,(914) 555-0150,yes"))
    job = import_file(world.a, world.a_owner, csv("Dora,Diaz,,(914) 555-0150,no", "Eve,Ng,,(914) 555-0151,no"))
    assert outcomes(job) == [(2, "merged", "Merged into Dora Diaz: text marketing withdrawn."), (3, "created", "")]
    with scope(store=world.a):
        dora = Customer.objects.get(first_name="Dora")
        assert CurrentConsent.objects.get(customer=dora).granted is False
    assert sms_marketing(world.a, dora.pk) == [("granted", "import"), ("withdrawn", "import")]


def test_a_file_imported_before_does_not_undo_a_newer_import(world: World):
    """An old export uploaded again after a newer one: it is older than everything recorded since
    its first upload, in either direction."""
    old = csv("Dora,Diaz,,(914) 555-0150,yes")
    newer = csv("Dora,Diaz,,(914) 555-0150,no")
    first = import_file(world.a, world.a_owner, old)
    import_file(world.a, world.a_owner, newer)
    with scope(store=world.a):
        dora = Customer.objects.get()
        withdrawn = CurrentConsent.objects.get(customer=dora).event.occurred_at.astimezone(world.a.tz).date()
    before = book(world.a)
    again = import_file(world.a, world.a_owner, old)
    assert outcomes(again) == [
        (
            2,
            "unchanged",
            f"Nothing new for Dora Diaz; kept text marketing withdrawn (withdrawn on {withdrawn.isoformat()} by an "
            f"import, after this file was first uploaded on {uploaded_on(first)}).",
        )
    ]
    assert book(world.a) == before
    assert sms_marketing(world.a, dora.pk) == [("granted", "import"), ("withdrawn", "import")]


def test_a_file_with_two_answers_for_one_person_changes_nothing_the_second_time(world: World):
    """Within the first run the later line wins, as before; the same file again wrote both again."""
    content = csv("Dora,Diaz,,(914) 555-0150,yes", "Dora,Diaz,,(914) 555-0150,no")
    first = import_file(world.a, world.a_owner, content)
    assert [o[:2] for o in outcomes(first)] == [(2, "created"), (3, "merged")]
    before = book(world.a)
    again = import_file(world.a, world.a_owner, content)
    assert [o[:2] for o in outcomes(again)] == [(2, "unchanged"), (3, "unchanged")]
    assert book(world.a) == before


def test_a_file_imported_before_still_records_consent_nobody_recorded(world: World):
    """Imported first without its consent column, then again with it: nothing recorded since the
    first upload, so the file's answers are the only evidence and are recorded."""
    content = csv("Dora,Diaz,,(914) 555-0150,yes")
    import_file(world.a, world.a_owner, content, mapping={"Accepts SMS Marketing": ""})
    with scope(store=world.a):
        dora = Customer.objects.get()
    assert sms_marketing(world.a, dora.pk) == []
    again = import_file(world.a, world.a_owner, content)
    assert outcomes(again) == [(2, "merged", "Merged into Dora Diaz: text marketing granted.")]
    assert sms_marketing(world.a, dora.pk) == [("granted", "import")]
