"""Importing a point-of-sale export: created, merged, unchanged; consent as evidence; resumable, cancellable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import World, make_customer
from tests.customers.import_support import book, import_file, outcomes, run, run_counted, shopify, upload
from trunkshow.customers import importing, services
from trunkshow.customers.importing import jobs
from trunkshow.customers.models import (
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    CurrentConsent,
    Customer,
    CustomerEdit,
    ImportJob,
    ImportRow,
    Source,
)
from trunkshow.customers.suppression import suppression_add

CLARA = (
    "Clara,Berg,Clara@Example.com,yes,Berg & Co,1 Main St,Apt 2,Boston,MA,US,02110,(617) 555-0142,no,"
    '"$1,234.50",3,"sapphire, Pearls",Loves rings,no'
)


def customer(store, **lookup):
    with scope(store=store):
        return Customer.objects.get(**lookup)


def test_a_shopify_export_creates_customers_with_everything_it_holds(world: World, settings):
    job = upload(world.a, world.a_manager, shopify(CLARA))
    stored = settings.DATA_DIR / job.stored_path
    assert stored.exists()
    job = run(world.a, world.a_manager, job)
    assert outcomes(job) == [(2, "created", "")]
    with scope(store=world.a):
        clara = Customer.objects.get()
        assert (clara.first_name, clara.last_name, clara.address_line1, clara.address_line2) == (
            "Clara",
            "Berg",
            "1 Main St",
            "Apt 2",
        )
        assert (clara.city, clara.region, clara.country, clara.postal_code, clara.source) == (
            "Boston",
            "MA",
            "US",
            "02110",
            Source.IMPORT,
        )
        assert list(clara.phones.values_list("e164", "is_primary")) == [("+16175550142", True)]
        assert list(clara.emails.values_list("address", flat=True)) == ["clara@example.com"]
        assert sorted(clara.interests.values_list("kind", "value")) == [("free", "Pearls"), ("free", "sapphire")]
        assert list(clara.notes.values_list("body", "author")) == [("Loves rings", world.a_manager.user.pk)]
        assert (clara.imported_spend, clara.lifetime_spend) == (Decimal("1234.50"), Decimal("1234.50"))
        assert clara.search_text == "clara berg clara@example.com 16175550142"
        event = ConsentEvent.objects.get()
        assert (event.channel, event.purpose, event.action, event.method, event.staff_user_id) == (
            "email",
            "marketing",
            "granted",
            "import",
            world.a_manager.user.pk,
        )
        assert event.evidence_text == (
            f"Imported from customers.csv (SHA-256 {job.file_sha256}), row 2, column “Accepts Email Marketing”: “yes”"
        )
        assert list(CurrentConsent.objects.values_list("channel", "granted", "event")) == [("email", True, event.pk)]
    assert job.stored_path == "" and not stored.exists()


def test_reimporting_the_same_file_changes_nothing(world: World):
    content = shopify(CLARA, "Dora,Diaz,,,,,,,,,,+1 212 555 0100,yes,10,,,,", "Nobody,Without Contacts,,,,,,,,,,,,,,,,")
    first = import_file(world.a, world.a_owner, content)
    assert [o[1] for o in outcomes(first)] == ["created", "created", "created"]
    with scopes_disabled():
        before = {
            "customers": list(Customer.objects.order_by("id").values()),
            "events": ConsentEvent.objects.count(),
            "edits": CustomerEdit.objects.count(),
        }
    second = import_file(world.a, world.a_owner, content)
    assert outcomes(second) == [
        (2, "unchanged", "Already up to date (Clara Berg)."),
        (3, "unchanged", "Already up to date (Dora Diaz)."),
        (4, "unchanged", "Already up to date (Nobody Without Contacts)."),
    ]
    assert (second.created_count, second.merged_count, second.unchanged_count) == (0, 0, 3)
    with scopes_disabled():
        after = {
            "customers": list(Customer.objects.order_by("id").values()),
            "events": ConsentEvent.objects.count(),
            "edits": CustomerEdit.objects.count(),
        }
    assert after == before


def test_a_duplicate_by_phone_or_email_merges_filling_blanks_and_keeping_what_differs(world: World):
    existing = make_customer(
        world.a, world.a_owner, first_name="Clara", last_name="Bergström", phones=["+1 617 555 0142"], city=""
    )
    job = import_file(world.a, world.a_owner, shopify(CLARA))
    assert outcomes(job) == [
        (
            2,
            "merged",
            "Merged into Clara Bergström: filled address line 1; filled address line 2; filled city; "
            "filled state / province / region; filled postal code; filled country; added email clara@example.com; "
            "added interest “sapphire”; added interest “Pearls”; added a note; spend before Trunkshow 0.00 → 1234.50; "
            "email marketing granted; kept last name “Bergström” (the file has “Berg”).",
        )
    ]
    with scope(store=world.a):
        clara = Customer.objects.get()
        assert clara.pk == existing.pk
        assert (clara.last_name, clara.city, clara.lifetime_spend) == ("Bergström", "Boston", Decimal("1234.50"))
        assert list(clara.emails.values_list("address", flat=True)) == ["clara@example.com"]
        assert clara.edits.filter(changes__has_key="city").exists()


def test_a_tag_equal_to_an_interest_of_another_kind_is_that_interest_and_adds_nothing(world: World):
    zsofia = make_customer(
        world.a,
        world.a_owner,
        first_name="Zsófia",
        last_name="Szirmay",
        phones=["+36 20 123 5352"],
        country="HU",
        interests=[("stone", "Opal")],
    )
    row = "Zsófia,Szirmay,,,,,,,,HU,,0036 20 123 5352,,,,OPAL,,"
    first = import_file(world.a, world.a_owner, shopify(row))
    second = import_file(world.a, world.a_owner, shopify(row))
    assert outcomes(first) == [(2, "unchanged", "Already up to date (Zsófia Szirmay).")]
    assert outcomes(second) == [(2, "unchanged", "Already up to date (Zsófia Szirmay).")]
    with scope(store=world.a):
        assert list(zsofia.interests.values_list("kind", "value")) == [("stone", "Opal")]
        assert not zsofia.edits.filter(changes__has_key="interest").exists()


def test_a_merge_adds_a_value_named_twice_in_one_cell_once(world: World):
    ana = make_customer(world.a, world.a_owner, first_name="Ana", last_name="Ruiz", phones=["+1 212 555 0100"])
    row = 'Ana,Ruiz,,,,,,,,,,+1 212 555 0100,,,,"stone: Opal; opal; Opal",,'
    job = import_file(world.a, world.a_owner, shopify(row))
    assert outcomes(job) == [(2, "merged", "Merged into Ana Ruiz: added interest “Opal”.")]
    again = import_file(world.a, world.a_owner, shopify(row))
    assert outcomes(again) == [(2, "unchanged", "Already up to date (Ana Ruiz).")]
    with scope(store=world.a):
        assert list(ana.interests.values_list("kind", "value")) == [("stone", "Opal")]


def test_a_new_customer_gets_one_interest_for_a_value_named_twice(world: World):
    job = import_file(world.a, world.a_owner, shopify('Ana,Ruiz,,,,,,,,,,,,,,"opal; stone: Opal; OPAL",,'))
    assert outcomes(job) == [(2, "created", "")]
    with scope(store=world.a):
        assert list(Customer.objects.get().interests.values_list("kind", "value")) == [("stone", "Opal")]


def test_the_same_person_twice_in_one_file_is_merged_not_duplicated(world: World):
    content = shopify(
        "Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,", "Ana,Ruiz,ana@example.com,,,,,Lyon,,,,+1 212 555 0100,,,,,,"
    )
    job = import_file(world.a, world.a_owner, content)
    with scopes_disabled():
        assert Customer.objects.count() == 1
    assert outcomes(job) == [
        (2, "created", ""),
        (3, "merged", "Merged into Ana Ruiz, created from row 2 of this file: filled city; added phone +12125550100."),
    ]


def test_a_line_matching_two_customers_is_reported_not_guessed(world: World):
    """Two customers of one name: the line says whose each of its phone and email is, by name."""
    make_customer(world.a, first_name="Ana", last_name="Ruiz", phones=["+1 212 555 0100"])
    make_customer(world.a, first_name="Ana", last_name="Ruiz", emails=["ana@example.com"])
    before = book(world.a)
    job = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,ana@example.com,,,,,,,,,+1 212 555 0100,,,,,,"))
    assert outcomes(job) == [
        (
            2,
            "error",
            "This row's email ana@example.com is Ana Ruiz's and phone (212) 555-0100 is Ana Ruiz's: different "
            "customers. Merge them first if they are one person, or correct the file; then import it again.",
        )
    ]
    assert book(world.a) == before


def test_a_line_without_phone_or_email_beside_a_namesake_reached_by_one_is_created_and_says_so(world: World):
    zoe = make_customer(world.a, first_name="Zoë", last_name="Goldberg", emails=["zoe@example.com"])
    job = import_file(world.a, world.a_owner, shopify("Zoe,Goldberg,,,,,,,,,,,,,,,asked about pearls,"))
    (created,) = outcomes(job)
    assert created == (
        2,
        "created",
        f"Customer no. {zoe.pk} is called Zoë Goldberg too; this row has no phone or email to tell them apart, "
        "so merge the two if they are one person.",
    )
    # The line's own namesake made by the same file the first time is the same person: no note then.
    again = import_file(world.a, world.a_owner, shopify("Zoe,Goldberg,,,,,,,,,,,,,,,asked about pearls,"))
    assert [outcome for _line, outcome, _message in outcomes(again)] == ["unchanged"]
    with scopes_disabled():
        assert Customer.objects.filter(store=world.a, last_name="Goldberg").count() == 2


def test_a_line_without_phone_or_email_matching_two_namesakes_is_reported_not_guessed(world: World):
    for _twice in range(2):
        make_customer(world.a, first_name="Ana", last_name="Ruiz", source=Source.IMPORT)
    before = book(world.a)
    job = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,,,,,,Lyon,,,,,,,,,,"))
    assert outcomes(job) == [
        (
            2,
            "error",
            "More than one customer without a phone or email is named Ana Ruiz. "
            "Merge them first, then import the file again.",
        )
    ]
    assert book(world.a) == before


def test_an_erased_customers_phone_or_email_is_not_imported(world: World):
    with scope(store=world.a):
        suppression_add(store=world.a, phones=["+12125550100"], emails=["gone@example.com"])
    content = shopify(
        "Gone,Person,,,,,,,,,,(212) 555-0100,,,,,,",
        "Gone,Again,GONE@example.com,,,,,,,,,,,,,,,",
        "Ana,Ruiz,,,,,,,,,,,,,,,,",
        "Hélène,Dubois,gone@example.com,,,,,,,,,212 555 0100,,,,,,",
    )
    job = import_file(world.a, world.a_owner, content)
    # Results are stored and shown: they name what to remove by kind, never the erased person's values.
    with scopes_disabled():
        stored = " ".join(ImportRow.objects.filter(job=job).values_list("message", flat=True))
    assert "212" not in stored and "gone@" not in stored
    assert outcomes(job) == [
        (
            2,
            "error",
            "The phone on this row belonged to a customer erased at their request and is never imported again; "
            "remove it from the row to import the rest.",
        ),
        (
            3,
            "error",
            "The email on this row belonged to a customer erased at their request and is never imported again; "
            "remove it from the row to import the rest.",
        ),
        (4, "created", ""),
        (
            5,
            "error",
            "The phone and the email on this row belonged to a customer erased at their request and are never "
            "imported again; remove them from the row to import the rest.",
        ),
    ]


def test_consent_events_only_when_the_file_changes_the_current_state(world: World):
    clara = make_customer(world.a, world.a_owner, phones=["+1 617 555 0142"], emails=["clara@example.com"])
    with scope(store=world.a):
        services.consent_record(
            store=world.a,
            actor=world.a_owner.user,
            customer=clara,
            grant=services.ConsentGrant(
                channel="sms",
                purpose="marketing",
                method=ConsentMethod.IMPORT,
                evidence_text="Imported from till.csv, line 7, column “SMS”: “yes”",
            ),
        )
    # The file: email yes (new), SMS no (withdraws the grant an earlier import recorded; one given
    # another way is kept: tests/customers/test_import_consent.py).
    line = "Clara,Customer,clara@example.com,yes,,,,,,,,(617) 555-0142,no,,,,,"
    job = import_file(world.a, world.a_owner, shopify(line))
    assert outcomes(job)[0][2] == "Merged into Clara Customer: email marketing granted; text marketing withdrawn."
    with scope(store=world.a):
        assert list(ConsentEvent.objects.order_by("id").values_list("channel", "action", "method")) == [
            ("sms", "granted", "import"),
            ("email", "granted", "import"),
            ("sms", "withdrawn", "import"),
        ]
        assert dict(CurrentConsent.objects.values_list("channel", "granted")) == {"sms": False, "email": True}
    again = import_file(world.a, world.a_owner, shopify(line))
    assert outcomes(again)[0][1] == "unchanged"
    with scope(store=world.a):
        assert ConsentEvent.objects.count() == 3


def test_an_import_never_undoes_a_withdrawal_made_another_way(world: World):
    clara = make_customer(world.a, world.a_owner, phones=["+1 617 555 0142"])
    with scope(store=world.a):
        services.consent_record(
            store=world.a,
            actor=None,
            customer=clara,
            grant=services.ConsentGrant(
                channel="sms",
                purpose="marketing",
                action=ConsentAction.WITHDRAWN,
                method=ConsentMethod.KEYWORD,
                occurred_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
            ),
        )
    job = import_file(world.a, world.a_owner, shopify("Clara,Customer,,,,,,,,,,(617) 555-0142,yes,,,,,"))
    assert outcomes(job) == [
        (
            2,
            "unchanged",
            "Nothing new for Clara Customer; kept text marketing withdrawn (withdrawn on 2026-03-01, "
            "Keyword reply; an import does not undo that).",
        )
    ]
    with scope(store=world.a):
        assert ConsentEvent.objects.count() == 1


def test_total_spent_replaces_the_imported_part_of_lifetime_spend(world: World):
    import_file(world.a, world.a_owner, shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,100.00,,,,"))
    ana = customer(world.a)
    with scope(store=world.a):
        services.purchase_create(
            store=world.a,
            actor=None,
            customer=ana,
            purchased_on=dt.date(2026, 1, 2),
            items=[{"description": "Ring"}],
            amount="50",
        )
    job = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,ana@example.com,,,,,,,,,,,150.00,,,,"))
    assert outcomes(job)[0][2] == "Merged into Ana Ruiz: spend before Trunkshow 100.00 → 150.00."
    ana = customer(world.a)
    assert (ana.imported_spend, ana.lifetime_spend, ana.purchase_count) == (Decimal("150.00"), Decimal("200.00"), 1)


def test_a_note_already_on_the_profile_is_not_added_twice(world: World):
    ana = make_customer(world.a, emails=["ana@example.com"])
    with scope(store=world.a):
        services.note_create(store=world.a, actor=None, customer=ana, body="Loves rings")
    job = import_file(world.a, world.a_owner, shopify("Clara,Customer,ana@example.com,,,,,,,,,,,,,,Loves rings,"))
    assert outcomes(job) == [(2, "unchanged", "Already up to date (Clara Customer).")]


@pytest.mark.parametrize("date", ["birthday", "partner_birthday", "anniversary"])
@pytest.mark.parametrize(
    ("value", "mapped", "store", "expected"),
    [
        ("1990-05-31", "birthday", "a", (31, 5, 1990)),
        ("05/31/1990", "birthday", "a", (31, 5, 1990)),
        ("31/05/1990", "birthday", "b", (31, 5, 1990)),
        ("04/05/1990", "birthday", "a", (5, 4, 1990)),
        ("04/05/1990", "birthday", "b", (4, 5, 1990)),
        ("04/05/1990", "birthday_dmy", "a", (4, 5, 1990)),
        ("04/05/1990", "birthday_mdy", "b", (5, 4, 1990)),
        ("31.05.1990", "birthday", "a", (31, 5, 1990)),
        ("May 31, 1990", "birthday", "b", (31, 5, 1990)),
        ("31 mai 1990", "birthday", "b", (31, 5, 1990)),
        ("--05-31", "birthday", "a", (31, 5, None)),
        ("05/31", "birthday", "a", (31, 5, None)),
        ("1990-05-31 00:00:00", "birthday", "a", (31, 5, 1990)),
    ],
)
def test_dates_in_the_formats_exports_use(world: World, date, value, mapped, store, expected):
    """The birthday, the partner's birthday and the anniversary are read alike, each in the order
    its mapping says (the store's, or day/month/year, or month/day/year)."""
    the_store = getattr(world, store)
    field = mapped.replace("birthday", date, 1)
    import_file(the_store, None, f'Name,Birthday\nAna Ruiz,"{value}"\n'.encode(), mapping={"Birthday": field})
    ana = customer(the_store)
    with scope(store=the_store):
        dates = {
            "birthday": (ana.birthday_day, ana.birthday_month, ana.birthday_year),
            "partner_birthday": (ana.partner_birthday_day, ana.partner_birthday_month, ana.partner_birthday_year),
            "anniversary": ana.important_dates.filter(kind="anniversary").values_list("day", "month", "year").first(),
        }
    none = (None, None, None)
    assert dates == {"birthday": none, "partner_birthday": none, "anniversary": None, date: expected}


def test_a_killed_run_resumes_after_the_last_finished_batch_with_the_same_rows(world: World, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    lines = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(5)]
    job = upload(world.a, world.a_owner, shopify(*lines))
    calls = {"n": 0}
    real = jobs._run_batch

    def dies_on_second_batch(ctx, job, batch, progress):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the worker killed mid-run: nothing of this batch is committed
        return real(ctx, job, batch, progress)

    monkeypatch.setattr(jobs, "_run_batch", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run(world.a, world.a_owner, job)
    with scope(store=world.a):
        job.refresh_from_db()
        assert (job.status, job.processed_rows, ImportRow.objects.count(), Customer.objects.count()) == (
            "running",
            2,
            2,
            2,
        )
        monkeypatch.setattr(jobs, "_run_batch", real)
        job = importing.import_run(store=world.a, job_id=job.pk)
        assert (job.status, job.processed_rows, job.created_count) == ("done", 5, 5)
        assert list(ImportRow.objects.values_list("line", "outcome")) == [(n, "created") for n in range(2, 7)]
        assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["P0", "P1", "P2", "P3", "P4"]


def test_cancel_during_the_run_stops_after_the_current_batch(world: World, monkeypatch, settings):
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    lines = [f"P{i},Q,p{i}@example.com,,,,,,,,,,,,,,," for i in range(5)]
    job = upload(world.a, world.a_owner, shopify(*lines))
    stored = settings.DATA_DIR / job.stored_path
    seen = []

    def cancel_after_first(job):
        seen.append(job.processed_rows)
        if job.status == "running" and job.processed_rows == 2:
            importing.import_cancel(store=world.a, actor=world.a_owner.user, job=job)

    with scope(store=world.a):
        importing.import_start(store=world.a, actor=None, job=job, mapping=job.mapping, enqueue=False)
        job = importing.import_run(store=world.a, job_id=job.pk, progress=cancel_after_first)
        assert (job.status, job.processed_rows, job.created_count, job.cancel_requested) == ("cancelled", 2, 2, True)
        assert Customer.objects.count() == 2
        assert job.stored_path == "" and not stored.exists()
    assert seen == [2, 2]


def test_start_queues_the_task_which_runs_in_the_stores_scope(world: World, django_capture_on_commit_callbacks):
    job = upload(world.a, world.a_owner, shopify(CLARA))
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        importing.import_start(store=world.a, actor=world.a_owner.user, job=job, mapping=job.mapping)
        assert ImportJob.objects.get().status == "queued"
    assert len(callbacks) == 1
    with scopes_disabled():
        assert ImportJob.objects.get().status == "done"
        assert Customer.objects.get().store == world.a


def test_files_are_stored_under_the_stores_folder_with_a_server_chosen_name(world: World, settings):
    job = upload(world.a, world.a_owner, shopify(CLARA), name="../../etc/passwd\u202ecsv.csv")
    assert job.file_name == "passwd\u202ecsv.csv"
    stored = settings.DATA_DIR / job.stored_path
    assert stored.parent == settings.DATA_DIR / "imports" / str(world.a.pk)
    assert stored.name.endswith(".csv") and len(stored.name) == 36
    assert stored.read_bytes() == shopify(CLARA)


def test_reimporting_reads_each_batch_at_once_rather_than_line_by_line(world: World, django_assert_max_num_queries):
    lines = [f"P{i},Q,p{i}@example.com,yes,,,,,,,,+1 212 555 {i:04d},,10.00,,gold,a note,"[:200] for i in range(30)]
    content = shopify(*lines)
    import_file(world.a, world.a_owner, content)
    # 23: the run's claim is a lock and an unlock query on PostgreSQL (import recovery), a
    # batch's commit there is preceded by SET LOCAL synchronous_commit (ADR 0005, 11), and the
    # run reads the store's interests once, as a file with tags needs (ADR 0005, 6).
    job = run_counted(world.a, world.a_owner, content, django_assert_max_num_queries(23))
    assert (job.unchanged_count, job.merged_count, job.created_count) == (30, 0, 0)


def _book(store):
    with scope(store=store):
        return [
            (
                c.first_name,
                c.last_name,
                c.search_text,
                c.sort_name,
                c.lifetime_spend,
                sorted(c.phones.values_list("e164", flat=True)),
                sorted(c.emails.values_list("address", flat=True)),
                sorted(c.interests.values_list("value", flat=True)),
                [
                    e.evidence_text.replace(e.evidence_text.split("SHA-256 ")[1][:64], "")
                    for e in c.consent_events.all()
                ],
            )
            for c in Customer.objects.order_by("sort_name")
        ]


def test_a_large_file_is_checked_in_a_second_process_with_the_same_results(world: World, monkeypatch):
    """From PROCESS_MIN_ROWS lines on, a spawned process checks each batch while the run writes
    the one before; what is stored and reported is what checking in line gives."""
    import resource

    lines = [
        CLARA,
        CLARA.replace("Clara,Berg,Clara@Example.com", "Ödön,Szirmay,odon@example.hu").replace("555-0142", "555-0143"),
        CLARA.replace("Clara@Example.com", "not an email").replace("555-0142", "555-0144"),
        CLARA.replace("(617) 555-0142", "12").replace("Clara@Example.com", "c2@example.com"),
        CLARA.replace("Clara,Berg", "Anna,Nagy")
        .replace("Clara@Example.com", "anna@example.com")
        .replace("555-0142", "555-0145"),
    ]
    content = shopify(*lines)
    with scopes_disabled():  # store b reads the file as store a does
        for name in ("phone_region", "locale", "currency", "time_zone"):
            setattr(world.b, name, getattr(world.a, name))
        world.b.save()
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)  # three batches, so the next is checked while one is written
    inline = import_file(world.b, world.b_owner, content)

    monkeypatch.setattr(jobs, "PROCESS_MIN_ROWS", len(lines))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    in_process = import_file(world.a, world.a_manager, content)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)

    assert after.ru_utime + after.ru_stime > before.ru_utime + before.ru_stime  # a child process ran (and ended)
    assert in_process.status == inline.status == "done"
    assert outcomes(in_process) == outcomes(inline)
    assert [o for _line, o, _m in outcomes(in_process)] == ["created", "created", "error", "error", "created"]
    assert _book(world.a) == _book(world.b) and len(_book(world.a)) == 3


def test_a_line_repeating_one_of_an_earlier_batch_names_the_line_that_created_the_customer(world: World, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_ROWS", 2)
    job = import_file(
        world.a,
        world.a_owner,
        shopify(
            "Ana,Ruiz,ana@example.com,,,,,,,,,,,,,,,",
            "Bea,Berg,bea@example.com,,,,,,,,,,,,,,,",
            "Ana,Ruiz,ana@example.com,,,,,Lyon,,,,,,,,,,",
            "Bea,Berg,bea@example.com,,,,,,,,,,,,,,,",
        ),
    )
    assert outcomes(job)[2:] == [
        (4, "merged", "Merged into Ana Ruiz, created from row 2 of this file: filled city."),
        (5, "unchanged", "Already up to date (Bea Berg, created from row 3 of this file)."),
    ]
    again = import_file(world.a, world.a_owner, shopify("Ana,Ruiz,ana@example.com,,,,,Paris,,,,,,,,,,"))
    assert outcomes(again) == [(2, "unchanged", "Nothing new for Ana Ruiz; kept city “Lyon” (the file has “Paris”).")]
