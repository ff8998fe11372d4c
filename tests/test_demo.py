"""The demo store: loaded once through the services, kept on the second run, and realistic."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import time_machine
from django.contrib.auth import authenticate
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trunkshow.core.validation import fold
from trunkshow.customers.models import (
    ConsentEvent,
    Customer,
    CustomerPhone,
    ImportantDate,
    Interest,
    Note,
    Purchase,
    Size,
)
from trunkshow.customers.selectors import customer_search
from trunkshow.demo import CAST, SEGMENTS, UNKNOWN_TEXTER, WEBCHAT_VISITOR, demo_load, demo_sample_import
from trunkshow.stores.models import Membership, Store

PASSWORD = "demo owner password 1"


def _demo() -> Any:
    return Store.objects.get(slug="demo")


@pytest.mark.django_db
def test_demo_load_creates_the_store_then_keeps_it_on_the_second_run() -> None:
    assert demo_load(owner_password=PASSWORD, customers=12) is True
    store = _demo()
    with scope(store=store):
        ids = set(Customer.objects.filter(store=store).values_list("id", flat=True))
    # and, from the inbox demo, the person who texted from an unknown number and the web-chat visitor
    assert len(ids) == 12 + 2

    assert demo_load(owner_password="another password 2", customers=40) is False

    with scope(store=store):
        assert set(Customer.objects.filter(store=store).values_list("id", flat=True)) == ids
    assert Store.objects.filter(slug="demo").count() == 1
    # The first password stays the owner's.
    assert authenticate(username="owner@example.com", password=PASSWORD) is not None
    assert authenticate(username="owner@example.com", password="another password 2") is None


@pytest.mark.django_db
def test_demo_store_has_its_settings_and_four_staff_with_roles() -> None:
    demo_load(owner_password=PASSWORD, customers=0)
    store = _demo()
    assert (store.name, store.time_zone, store.currency, store.locale, store.phone_region, store.country) == (
        "Maison Demo Jewelers",
        "America/New_York",
        "USD",
        "en_US",
        "US",
        "US",
    )
    assert (store.address_line1, store.city, store.region, store.postal_code) == (
        "746 Madison Avenue",
        "New York",
        "NY",
        "10065",
    )
    assert store.opening_hours["sat"] == [["10:00", "13:00"], ["14:00", "17:00"]]
    assert store.opening_hours["mon"] == []
    with scope(store=store):
        roles = dict(Membership.objects.filter(store=store).values_list("user__email", "role"))
    assert roles == {
        "owner@example.com": "owner",
        "manager@example.com": "manager",
        "sofia@example.com": "associate",
        "james@example.com": "associate",
    }
    for email in roles:
        assert authenticate(username=email, password=PASSWORD) is not None, email


@pytest.mark.django_db
def test_demo_keeps_an_existing_login_and_its_password() -> None:
    from trunkshow.stores.models import User

    User.objects.create_user("james@example.com", "james's own password", name="James")
    assert demo_load(owner_password=PASSWORD, customers=2) is True
    assert authenticate(username="james@example.com", password="james's own password") is not None
    assert authenticate(username="james@example.com", password=PASSWORD) is None


@pytest.mark.django_db
def test_demo_load_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="customers must be 0 or more"):
        demo_load(owner_password=PASSWORD, customers=-1)
    assert Store.objects.filter(slug="demo").count() == 0


@pytest.mark.django_db
def test_demo_cast_comes_first_and_is_found_by_folded_and_partial_names() -> None:
    demo_load(owner_password=PASSWORD, customers=len(CAST))
    store = _demo()
    with scope(store=store):
        # The cast, then the inbox demo's people: the unknown texter (no name) and the web-chat visitor.
        names = list(Customer.objects.filter(store=store).order_by("id").values_list("first_name", "last_name"))
        assert names == [(first, last) for first, last, _country, _stone in CAST] + [("", ""), WEBCHAT_VISITOR[:2]]
        # Diacritics folded: what an associate types without the accents.
        assert [c.last_name for c in customer_search(store=store, q="szirmay")] == ["Szirmay"]
        assert [c.last_name for c in customer_search(store=store, q="muller")] == ["Müller"]
        assert [c.last_name for c in customer_search(store=store, q="nguyen")] == ["Nguyễn"]
        szirmay = Customer.objects.get(store=store, last_name="Szirmay")
        assert ("stone", "Sapphire") in set(szirmay.interests.values_list("kind", "value"))
        bought = {item["description"] for purchase in szirmay.purchases.all() for item in purchase.items}
        assert "Sapphire halo ring, 18k white gold" in bought


# The README's search examples, each with whom it finds in the demo (its cast comes first, always
# with the same phones and emails), so a new user who types them sees search work.
README_SEARCHES = [
    ("muller", "Müller"),
    ("nguyen", "Nguyễn"),
    ("914 555", "Goldberg"),
    ("(914) 555-0110", "Goldberg"),
    ("+1 914 555 0110", "Goldberg"),
    ("0036 20 123 5352", "Szirmay"),
    ("goldberg.zoe", "Goldberg"),
    ("wojciech", "Wójcik"),
    ("szirmai", "Szirmay"),
    # A name and the last digits of her phone, among the demo's other Goldbergs and Zoës.
    ("zoe 0110", "Goldberg"),
    ("goldberg 555-0110", "Goldberg"),
]


@pytest.mark.django_db
def test_the_readmes_search_examples_find_someone_in_the_demo() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    demo_load(owner_password=PASSWORD, customers=len(CAST))
    store = _demo()
    found = {}
    with scope(store=store):
        for q, _last in README_SEARCHES:
            assert f"`{q}`" in readme, q
            found[q] = [c.last_name for c in customer_search(store=store, q=q)][:1]
    assert found == {q: [last] for q, last in README_SEARCHES}


# The README's inbox searches: each finds the one demo conversation that holds every word, and
# marks the words as the message writes them.
README_INBOX_SEARCHES = [
    ("gold chains", "Hi, do you buy old gold? I have a few chains.", ["gold", "chains"]),
    (
        "pearl earrings",
        "Good afternoon, do you still have the pearl drop earrings from the Instagram post?",
        ["pearl", "earrings"],
    ),
    ("hand engraving", "Thank you, I will bring it tomorrow morning.", ["hand", "engraving"]),
    # Another form of the word: the message says "resizing".
    ("resize", "Hi, my mother's ring needs resizing from a K to an M, can you do that?", ["resizing"]),
]


@pytest.mark.django_db
def test_the_readmes_inbox_search_examples_find_their_conversation_in_the_demo() -> None:
    from trunkshow.inbox.selectors import InboxFilters, inbox_page
    from trunkshow.messaging.models import Message

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    demo_load(owner_password=PASSWORD, customers=len(CAST))
    store = _demo()
    with scope(store=store):
        owner = Membership.objects.get(store=store, role="owner").user
        for q, holds, marked in README_INBOX_SEARCHES:
            assert f"`{q}`" in readme, q
            page = inbox_page(store=store, user=owner, filters=InboxFilters(status="any", q=q))
            assert [row.conversation.pk for row in page.rows] == [
                Message.objects.get(store=store, body=holds).conversation_id
            ], q
            # The row shows the message holding the words, marked (for "hand engraving", the note
            # rather than the last message).
            match = page.rows[0].match
            assert match is not None and match.message_id is not None
            assert [match.text[start:end].lower() for start, end in match.marks] == marked, q


# The Interests filter's examples, in its hint on the customer list and in the README: each finds
# exactly the demo customers with the values a person reading it expects (the demo's own words).
GOLDS = ["Yellow gold", "White gold", "Rose gold", "18k gold"]
INTEREST_EXAMPLES = [
    ("sapphire, emerald", None, ["Sapphire", "Emerald"]),
    ("gold", None, GOLDS),
    ("sapph", None, ["Sapphire"]),
    ("pearls", None, ["Pearl"]),
    ("metal:gold", "metal", GOLDS),
    # A kind carries over to the terms after it in the box: both are metals.
    ("metal:gold, silver", "metal", [*GOLDS, "Sterling silver"]),
]


@pytest.mark.django_db
def test_the_interest_filters_examples_find_the_customers_they_promise_in_the_demo() -> None:
    from django.test import Client

    from trunkshow.customers.filtering import customers_filtered, filters_parse

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    demo_load(owner_password=PASSWORD, customers=120)
    store = _demo()
    client = Client()
    with scope(store=store):
        client.force_login(Membership.objects.get(store=store, role="owner").user)
    page = client.get("/customers/").content.decode()
    hint = page.split('id="f-interest-help">', 1)[1].split("</p>", 1)[0]
    found, expected = {}, {}
    with scope(store=store):
        for example, kind, values in INTEREST_EXAMPLES:
            assert example in hint, example
            assert f"`{example}`" in readme, example
            filters = filters_parse({"interest": [example]}, store=store)  # as the box sends it
            found[example] = set(customers_filtered(store=store, filters=filters).values_list("pk", flat=True))
            liked = Interest.objects.filter(store=store, value__in=values, **({"kind": kind} if kind else {}))
            expected[example] = set(liked.values_list("customer_id", flat=True))
            assert expected[example], example  # the demo has such customers
        gold_values = Interest.objects.filter(customer__in=found["gold"], value__icontains="gold")
        assert set(gold_values.values_list("value", flat=True)) == set(GOLDS)  # as the README says
    assert found == expected


@pytest.mark.django_db
def test_demo_with_500_customers_is_varied_valid_and_consistent() -> None:
    started = time.monotonic()
    assert demo_load(owner_password=PASSWORD, customers=500) is True
    elapsed = time.monotonic() - started
    print(f"demo_load(customers=500) took {elapsed:.1f} s")  # shown with -s; a figure, not a timed test
    store = _demo()
    today = dt.datetime.now(store.tz).date()
    with scope(store=store):
        # The 500, without the inbox demo's unknown texter and web-chat visitor.
        loaded = Customer.objects.filter(store=store).exclude(phones__e164=UNKNOWN_TEXTER[0])
        customers = list(loaded.exclude(emails__address=WEBCHAT_VISITOR[2]))
        assert len(customers) == 500

        # Every phone is stored as valid E.164, from many regions.
        phones = list(CustomerPhone.objects.filter(store=store).values_list("e164", flat=True))
        assert len(phones) == len(set(phones))
        regions = set()
        for e164 in phones:
            number = phonenumbers.parse(e164)
            assert phonenumbers.is_valid_number(number), e164
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164
            regions.add(phonenumbers.region_code_for_number(number))
        assert len(regions) >= 8, regions
        assert {"US", "GB", "FR", "DE", "CH", "IT", "ES", "JP"} <= regions

        # Names with diacritics, from many countries.
        accented = [c for c in customers if not (c.first_name + c.last_name).isascii()]
        assert len(accented) >= 100, len(accented)
        assert len({c.country for c in customers}) >= 12

        # Partners: some are customers pointing at each other, some are a name with a birthday.
        linked = [c for c in customers if c.partner_id]
        assert len(linked) >= 40
        by_id = {c.pk: c for c in customers}
        for customer in linked:
            assert by_id[customer.partner_id].partner_id == customer.pk
        named = [c for c in customers if c.partner_name]
        assert len(named) >= 60
        # A couple lives in one country; a partner's name is one person's: nobody else's partner, no
        # other customer (a trial had Reto Rochat and Łukasz Wójcik both with a "Wojciech Wójcik",
        # a third customer too), and no two customers of one name.
        assert [c.pk for c in linked if by_id[c.partner_id].country != c.country] == []
        own = [fold(f"{c.first_name} {c.last_name}") for c in customers]
        given = [fold(c.partner_name) for c in named]
        assert len(set(own)) == len(own)
        assert len(set(given)) == len(given)
        assert set(given) & set(own) == set()
        wojcik = next(c for c in customers if (c.first_name, c.last_name) == ("Łukasz", "Wójcik"))
        assert wojcik.partner_name == "Wojciech Wójcik"  # the README's `wojciech`
        assert any(c.partner_birthday_month and c.partner_birthday_year is None for c in named)

        # Birthdays with and without a year; anniversaries, engagements, weddings.
        assert sum(1 for c in customers if c.birthday_month and c.birthday_year is None) >= 30
        assert sum(1 for c in customers if c.birthday_year) >= 150
        kinds = set(ImportantDate.objects.filter(store=store).values_list("kind", flat=True))
        assert kinds == {"anniversary", "engagement", "wedding", "custom"}
        # Nobody engaged, married or celebrating before they were grown up (Thảo was engaged in 1993, born 1994).
        born = {c.pk: c.birthday_year for c in customers if c.birthday_year}
        too_young = [
            (d.customer_id, d.kind, d.year, born[d.customer_id])
            for d in ImportantDate.objects.filter(store=store, year__isnull=False, customer_id__in=born)
            if d.kind != "custom" and d.year < born[d.customer_id] + 20
        ]
        assert too_young == []

        # Interests of every kind; sizes in every ring system and both length units.
        assert set(Interest.objects.filter(store=store).values_list("kind", flat=True)) == {
            "metal",
            "stone",
            "style",
            "designer",
            "free",
        }
        sizes = set(Size.objects.filter(store=store).values_list("kind", "system"))
        assert {("ring", "US"), ("ring", "UK"), ("ring", "EU")} <= sizes
        assert {("bracelet", "cm"), ("necklace", "cm")} <= sizes
        assert ("bracelet", "in") in sizes or ("necklace", "in") in sizes

        # Purchases over the last three years, and totals that match them.
        purchases = Purchase.objects.filter(store=store)
        assert purchases.count() >= 500
        first_day = min(purchases.values_list("purchased_on", flat=True))
        last_day = max(purchases.values_list("purchased_on", flat=True))
        assert today - dt.timedelta(days=3 * 365 + 1) <= first_day
        assert last_day <= today
        assert (today - first_day).days >= 2 * 365
        totals = dict(purchases.values("customer_id").annotate(total=Sum("amount")).values_list("customer_id", "total"))
        for customer in customers:
            assert customer.lifetime_spend == totals.get(customer.pk, Decimal("0.00")), customer.pk
        assert all(p.associate_id is not None and p.items for p in purchases)

        # Notes by associates, spread over time rather than all written today.
        notes = list(Note.objects.filter(store=store).select_related("author"))
        assert len(notes) >= 300
        assert {n.author.email for n in notes} == {"sofia@example.com", "james@example.com", "manager@example.com"}
        assert len({n.created_at.date() for n in notes}) >= 200

        # Consent with evidence: in person, by form and by import, and some withdrawals.
        events = list(ConsentEvent.objects.filter(store=store))
        assert {e.method for e in events} == {"in_person", "form", "import", "keyword", "staff"}
        assert all(e.evidence_text for e in events)
        assert all(e.evidence_url and e.evidence_ip for e in events if e.method == "form")
        assert sum(1 for e in events if e.action == "withdrawn") >= 15

        # How we met and who looks after them.
        assert {c.source for c in customers} == {
            "walk_in",
            "web_form",
            "giveaway",
            "chat",
            "import",
            "referral",
            "trade_show",
        }
        assert sum(1 for c in customers if c.assigned_associate_id) >= 300
        # Customers became customers over three years, not all today.
        assert len({c.created_at.date() for c in customers}) >= 300


@pytest.mark.django_db
def test_demo_has_saved_segments_that_find_customers(tmp_path: Any) -> None:
    from trunkshow.customers.models import Segment
    from trunkshow.customers.segments import segment_customers

    demo_load(owner_password=PASSWORD, customers=120)
    store = _demo()
    with scope(store=store):
        segments = list(Segment.objects.filter(store=store).order_by("name"))
        assert [s.name for s in segments] == sorted(name for name, _f in SEGMENTS)
        counts = {s.name: segment_customers(store=store, segment=s).count() for s in segments}
        # Each segment finds exactly the customers its filters describe, checked by hand here.
        sapphire_texts = Customer.objects.filter(
            store=store,
            interests__kind="stone",
            interests__value_key="sapphire",
            current_consents__channel="sms",
            current_consents__purpose="marketing",
            current_consents__granted=True,
            phones__isnull=False,
        ).distinct()
        assert counts["Sapphire lovers who may get texts"] == sapphire_texts.count()
    assert counts["Birthdays in the next 30 days"] > 0


SAMPLE_EMAILS = ["helene.dubois@example.fr", "tomasz.nowak@example.pl", "aiyana@example.com", "kenji.w@example.jp"]


@pytest.mark.django_db
def test_demo_sample_export_imports_with_a_reason_for_every_line_it_skips(tmp_path: Any) -> None:
    from tests.customers.import_support import outcomes, run, upload

    demo_load(owner_password=PASSWORD, customers=60)
    store = _demo()
    path = tmp_path / "sample.csv"
    demo_sample_import(path=path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    job = run(store, None, upload(store, None, content, name="sample-pos-export.csv"))
    lines = outcomes(job)
    assert [(line, outcome) for line, outcome, _m in lines] == [
        (2, "created"),
        (3, "created"),
        (4, "created"),
        (5, "created"),
        (6, "created"),
        (7, "merged"),
        (8, "merged"),
        (9, "error"),
        (10, "error"),
    ]
    assert (job.created_count, job.merged_count, job.error_count) == (5, 2, 2)
    with scopes_disabled():
        # The ring size column: a European size told by its value, a US one by its half.
        rings = Size.objects.filter(store=store, kind="ring", customer__emails__address__in=SAMPLE_EMAILS).values_list(
            "customer__first_name", "system", "value"
        )
        assert sorted(rings) == [("Aiyana", "US", "6.5"), ("Hélène", "EU", "52")]
    demo_sample_import(path=path)  # kept once written
    assert path.read_bytes() == content


@pytest.mark.django_db
def test_the_demo_has_saved_replies_filled_in_for_the_customer() -> None:
    from trunkshow.inbox.models import SavedReply
    from trunkshow.inbox.replies import saved_reply_fill
    from trunkshow.messaging.models import Conversation
    from trunkshow.stores.models import User

    demo_load(owner_password=PASSWORD, customers=len(CAST))
    store = _demo()
    with scope(store=store):
        saved = list(SavedReply.objects.filter(store=store).values_list("title", flat=True))
        conversation = Conversation.objects.filter(store=store, customer__first_name="Zsófia").first()
        sofia = User.objects.get(email="sofia@example.com")
        ready = SavedReply.objects.get(store=store, title="Piece ready for collection")
        filled = saved_reply_fill(reply=ready, conversation=conversation, associate=sofia)
    assert saved == ["Piece ready for collection", "Ring size", "Thank you for your visit"]
    assert filled == (
        "Hi Zsófia, good news: your piece is ready. Come by whenever suits you; ask for Sofía. — Maison Demo Jewelers"
    )


@pytest.mark.django_db
def test_the_demo_has_whatsapp_templates_and_a_whatsapp_conversation_past_the_window() -> None:
    from trunkshow.messaging.models import Conversation, WhatsAppTemplate
    from trunkshow.messaging.selectors import whatsapp_window_closes_at

    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        templates = list(WhatsAppTemplate.objects.values_list("name", "approval_status"))
        closed = [
            c
            for c in Conversation.objects.filter(store=store, channel="whatsapp").exclude(status="closed")
            if whatsapp_window_closes_at(conversation=c) < timezone.now()
        ]
    assert templates == [
        ("Appointment reminder", "approved"),
        ("New collection preview", "pending"),
        ("Piece ready for collection", "approved"),
    ]
    assert len(closed) == 1


# Monday evening in New York, when the store is closed (loading the demo then used to answer every
# seeded message with "we are closed" and confirm the opt-out, stamped that evening), and Tuesday
# afternoon, when it is open (the seeded waits would all have alerted the managers at the next minute).
MONDAY_EVENING = dt.datetime(2026, 11, 24, 0, 53, tzinfo=dt.UTC)
TUESDAY_AFTERNOON = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("loaded_at", [MONDAY_EVENING, TUESDAY_AFTERNOON], ids=["closed", "open"])
def test_the_demo_inbox_is_history_nothing_sent_answered_or_alerted_for_it(
    db: Any, loaded_at: dt.datetime, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from trunkshow.core.models import LiveEvent
    from trunkshow.customers.models import CurrentConsent
    from trunkshow.demo import CONVERSATIONS, HISTORY_LINES, WEBCHAT_LINES
    from trunkshow.inbox.models import OverdueAlert, ReadState
    from trunkshow.inbox.services import inbox_tick
    from trunkshow.messaging.models import Conversation, Message, OptOut
    from trunkshow.messaging.outbox import outbox_sweep

    # What runs after the load commits (the worker's tasks are immediate in tests) runs here.
    with time_machine.travel(loaded_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        # The manager's note names the customer it is about, whoever the demo gave that conversation to.
        note = Message.objects.select_related("conversation__customer").get(store=store, direction="note")
        first = note.conversation.customer.first_name
        assert note.body == f"@James {first} prefers hand engraving: ask Pierre."
    scripted = [
        (dt.timedelta(minutes=m), text.replace("{first}", first))
        for _c, lines in CONVERSATIONS
        for m, _who, text in lines
    ]
    scripted.append((dt.timedelta(minutes=40), UNKNOWN_TEXTER[1]))
    scripted += [(dt.timedelta(minutes=m), text) for m, _who, text in WEBCHAT_LINES]
    with scope(store=store):
        # The three months of answered and closed conversations before the story (the response-time report's):
        # history too, recorded the same way, answered in minutes and closed.
        past = Message.objects.filter(store=store, provider_id__startswith="demo-past-")
        assert past.count() >= 2 and {m.body for m in past} <= {line for pair in HISTORY_LINES for line in pair}
        assert set(Conversation.objects.filter(messages__in=past).values_list("status", flat=True)) == {"closed"}
        messages = list(
            Message.objects.filter(store=store)
            .exclude(provider_id__startswith="demo-past-")
            .select_related("conversation")
        )
        # The scripted lines and nothing else: no "we are closed" answers, no opt-out confirmation.
        assert sorted((loaded_at - m.created_at, m.body) for m in messages) == sorted(scripted)
        assert [m.meta for m in messages if "system" in m.meta] == []
        # Each at its own time in the past, replies as they ended: delivered texts, sent emails.
        assert all(m.status_at == m.created_at < loaded_at for m in messages)
        assert sorted((m.channel, m.status, m.sent_at == m.created_at) for m in messages if m.direction == "out") == [
            ("email", "sent", True),
            ("email", "sent", True),
            ("email", "sent", True),
            ("sms", "delivered", True),
            ("sms", "delivered", True),
            ("webchat", "sent", True),
        ]
        # Nothing queued for the worker: not now, and not when it sweeps the outbox tomorrow.
        assert {m.provider for m in messages if m.direction != "note"} == {"demo"}
        assert outbox_sweep(now=loaded_at + dt.timedelta(days=1)) == []
        assert mailoutbox == []

        # The email threads have the subjects they were written under; the store's replies will be "Re:" them.
        assert sorted(
            Conversation.objects.filter(store=store, channel="email")
            .exclude(subject="")
            .values_list("subject", flat=True)
        ) == ["Emerald pendants", "Engraving our wedding date"]
        assert {m.meta["subject"] for m in messages if m.channel == "email" and m.direction == "in"} == {
            "Emerald pendants",
            "Re: Emerald pendants",
            "Engraving our wedding date",
            "Re: Engraving our wedding date",
        }
        # The conversations' clocks are the story's: begun with their first message, answered in minutes.
        conversations = list(Conversation.objects.filter(store=store).prefetch_related("messages"))
        for conversation in conversations:
            times = [m.created_at for m in conversation.messages.all() if m.direction != "note"]
            assert (conversation.created_at, conversation.last_message_at) == (min(times), max(times))
            assert conversation.customer.last_contact_at == max(times)
        first_responses = {
            c.messages.all()[0].body[:20]: c.first_response_seconds
            for c in conversations
            if not c.messages.all()[0].provider_id.startswith("demo-past-")
        }
        assert first_responses == {
            "Hi! Is the sapphire ": 6 * 60,
            "Hello, I would like ": 20 * 60,
            "Good afternoon, do y": None,
            "Hi, my mother's ring": 10 * 60,
            "Could you send me ph": 10 * 60,
            "Hello! Is the engrav": None,
            "Hi, do you buy old g": None,
            "Hello! Is the oval s": 5 * 60,
        }
        # Whoever answered or wrote a note had read the thread up to it.
        reads = {
            (r.user.email, r.conversation.messages.get(pk=r.last_read_message_id).body[:20])
            for r in ReadState.objects.filter(store=store).select_related("user", "conversation")
        }
        assert reads == {
            ("sofia@example.com", "It is! I have put it"),
            ("james@example.com", "About a week; we can"),
            ("manager@example.com", f"@James {first} prefers hand"[:20]),
            ("sofia@example.com", "Yes, two sizes up is"),
            ("sofia@example.com", "Take your time, they"),
            ("sofia@example.com", "It is! We can set it"),
        }

        # The STOP is an opt-out from when it was said.
        stop = next(m for m in messages if m.body == "STOP")
        opt_out = OptOut.objects.get(store=store)
        assert (opt_out.channel, opt_out.address, opt_out.keyword, opt_out.at) == (
            "sms",
            stop.from_address,
            "STOP",
            stop.created_at,
        )
        customer = stop.conversation.customer
        withdrawn = ConsentEvent.objects.filter(customer=customer, method="keyword")
        assert sorted(withdrawn.values_list("purpose", "action", "occurred_at")) == [
            ("marketing", "withdrawn", stop.created_at),
            ("service", "withdrawn", stop.created_at),
        ]
        assert set(
            CurrentConsent.objects.filter(customer=customer, channel="sms").values_list("granted", flat=True)
        ) == {False}

        # Waits already past the response target were alerted when they passed it, so the worker's
        # next minute alerts nobody about the seeded past. The STOP left nobody waiting: no alert for it.
        alerts = list(OverdueAlert.objects.filter(store=store))
        assert all(a.at < loaded_at for a in alerts)
        assert len(alerts) == (0 if loaded_at == MONDAY_EVENING else 4)
        assert stop.conversation_id not in {a.conversation_id for a in alerts}
        assert Conversation.objects.get(pk=stop.conversation_id).awaiting_since is None
    assert inbox_tick(now=loaded_at) == {"woken": 0, "alerted": 0}
    # Nothing was announced for the past: no messages, statuses, mentions or alerts on the live feed.
    with scope(store=store):
        assert set(LiveEvent.objects.filter(store=store).values_list("kind", flat=True)) <= {"conversation"}


def test_after_the_demo_loads_a_new_text_gets_the_stores_real_answers(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trunkshow.messaging.models import Message
    from trunkshow.messaging.services import message_receive

    with time_machine.travel(MONDAY_EVENING, tick=False):
        demo_load(owner_password=PASSWORD, customers=12)
        store = _demo()
        for n, body in enumerate(("Are you open tomorrow?", "STOP")):
            with scope(store=store), django_capture_on_commit_callbacks(execute=True):
                message_receive(
                    store=store,
                    channel="sms",
                    from_address=UNKNOWN_TEXTER[0],
                    body=body,
                    provider="sandbox",
                    provider_id=f"SBIN{n}",
                )
    with scope(store=store):
        answers = Message.objects.filter(store=store, direction="out", meta__has_key="system")
        assert [(m.meta["system"], m.status, m.created_at) for m in answers] == [
            ("out_of_hours", "sent", MONDAY_EVENING),
            ("opt_out_confirmation", "sent", MONDAY_EVENING),
        ]


@pytest.mark.django_db
def test_the_demo_inbox_has_photos_kept_as_uploads_are() -> None:
    """Zoë's email said "here are three we love" with no photo; a customer's text now has one too."""
    from django.test import Client

    from trunkshow.demo import EMERALDS, RESIZE
    from trunkshow.messaging.models import Attachment, Message

    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        emeralds = Message.objects.get(body=EMERALDS)
        resize = Message.objects.get(body=RESIZE)
        sent = list(Attachment.objects.filter(message=emeralds).order_by("id"))
        received = list(Attachment.objects.filter(message=resize))
        assert (emeralds.direction, emeralds.channel, emeralds.conversation.customer.first_name) == (
            "out",
            "email",
            "Zoë",
        )
        assert [a.filename for a in sent] == [
            "emerald-pendant-1.jpg",
            "emerald-pendant-2-colombian.jpg",
            "emerald-pendant-3.jpg",
        ]
        assert emeralds.meta["photos"] == [a.pk for a in sent]
        assert (resize.direction, [a.filename for a in received]) == ("in", ["IMG_2214.jpg"])
        owner = Membership.objects.get(store=store, role="owner").user
    client = Client()
    client.force_login(owner)
    for attachment in [*sent, *received]:
        for suffix in ("", "thumb/"):
            response = client.get(f"/inbox/attachments/{attachment.pk}/{suffix}")
            assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    thread = client.get(f"/inbox/{emeralds.conversation_id}/").content.decode()
    assert thread.count("/thumb/") >= 3


@pytest.mark.django_db
def test_thao_is_not_engaged_before_she_was_born() -> None:
    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        thao = Customer.objects.get(store=store, first_name="Thảo", last_name="Nguyễn")
        for date in ImportantDate.objects.filter(customer=thao, year__isnull=False):
            assert thao.birthday_year is None or date.year >= thao.birthday_year + 20, (date.kind, date.year)


@pytest.mark.django_db
def test_the_demos_notes_speak_of_each_customer_as_their_first_name_suggests() -> None:
    """A note says "her" of a woman, "his" of a man, "their" when the name is given to both (a trial had Thảo
    "wanting a surprise for his wife's birthday")."""
    from trunkshow.demo import MEN, WOMEN

    demo_load(owner_password=PASSWORD, customers=150)
    store = _demo()
    with scope(store=store):
        notes = [(n.customer.first_name, n.body) for n in Note.objects.filter(store=store).select_related("customer")]

    def says(body: str, *pronouns: str) -> bool:
        return bool(set(re.findall(r"[a-z]+", body.lower())) & set(pronouns))

    assert [(f, b) for f, b in notes if f in WOMEN and says(b, "his", "their")] == []
    assert [(f, b) for f, b in notes if f in MEN and says(b, "her", "their")] == []
    assert [(f, b) for f, b in notes if f not in WOMEN | MEN and says(b, "her", "his")] == []
    # Not a test that passes by saying nothing: women's and men's notes do speak of their families.
    assert any(f in WOMEN and says(b, "her") for f, b in notes)
    assert any(f in MEN and says(b, "his") for f, b in notes)


def test_every_first_name_in_the_demo_is_a_womans_a_mans_or_given_to_both() -> None:
    from trunkshow.demo import COUNTRIES, MEN, WOMEN

    names = {first for country in COUNTRIES for first in country.first_names} | {c[0] for c in CAST}
    assert not WOMEN & MEN
    assert (WOMEN | MEN) - names == set()  # no misspelt name that would never match
    assert names - WOMEN - MEN == {"Andrea", "Minh", "Luca", "Mackenzie", "Ren"}
    assert "Thảo" in WOMEN


@pytest.mark.django_db
def test_the_demos_note_naming_james_waits_for_him() -> None:
    from trunkshow.inbox.models import Mention

    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        assert [(m.user.email, m.message.body[:6], m.read_at) for m in Mention.objects.filter(store=store)] == [
            ("james@example.com", "@James", None)
        ]


@pytest.mark.django_db
def test_the_demo_inbox_has_a_web_chat_visitor_who_left_an_email_with_consent() -> None:
    """Every channel in the demo's inbox: the website's chat too, as the widget leaves it."""
    from django.conf import settings

    from trunkshow.demo import WEBCHAT_LINES, WEBCHAT_VISITOR
    from trunkshow.messaging.channels.webchat.services import consent_text
    from trunkshow.messaging.models import Conversation

    demo_load(owner_password=PASSWORD, customers=12)
    store = _demo()
    with scope(store=store):
        assert set(Conversation.objects.filter(store=store).values_list("channel", flat=True)) == {
            "sms",
            "whatsapp",
            "email",
            "webchat",
        }
        chat = Conversation.objects.select_related("customer", "webchat_visitor").get(store=store, channel="webchat")
        first, last, email = WEBCHAT_VISITOR
        customer = chat.customer
        assert (customer.first_name, customer.last_name, customer.source) == (first, last, "chat")
        assert list(customer.emails.values_list("address", flat=True)) == [email]
        assert [m.body for m in chat.messages.order_by("created_at")] == [text for _m, _w, text in WEBCHAT_LINES]
        # The consent they ticked, in the widget's words, with the page they were on.
        event = ConsentEvent.objects.get(customer=customer)
        assert (event.channel, event.purpose, event.action, event.method) == ("email", "service", "granted", "form")
        assert event.evidence_text == consent_text(store, "en")
        assert event.evidence_url == chat.webchat_visitor.page_url == settings.PUBLIC_URL.rstrip("/") + "/demo-site/"
        assert event.occurred_at == chat.webchat_visitor.identified_at == customer.created_at
        # Waiting for the answer to the second question.
        assert chat.status == "open" and chat.awaiting_since is not None
