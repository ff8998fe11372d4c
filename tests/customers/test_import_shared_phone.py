"""A phone is shared in a household: a line that matches a customer only by phone, under a name
that plainly differs, is reported naming whose phone it is, never merged into them; the same
person (the same name, an initial or short form, a customer without a name, an email of theirs)
still merges as before."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from tests.conftest import World, make_customer
from tests.customers.import_support import book, import_file, outcomes, run_counted
from trunkshow.customers import services
from trunkshow.customers.models import Customer
from trunkshow.messaging.services import message_receive

HEADER = "Name,Email,Phone,Birthday"
OK_PERSON = "Ok Person,ok.person@example.com,(914) 555-0177,1990-07-04"
REFUSED = (
    "The phone (914) 555-0177 is Elijah Schwartz's; the names differ, so this row was not merged. "
    "Add them by hand or correct the file."
)


def different(parts: str) -> str:
    """The report of a line whose phones and emails are several customers', ``parts`` saying whose."""
    return (
        f"This row's {parts}: different customers. "
        "Merge them first if they are one person, or correct the file; then import it again."
    )


ZOE_AND_ELIJAH = different("email zoe@example.com is Zoë Goldberg's and phone (914) 555-0177 is Elijah Schwartz's")


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def elijah(world: World, **fields: Any) -> Customer:
    fields = {"first_name": "Elijah", "last_name": "Schwartz", "phones": ["+1 914 555 0177"], **fields}
    return make_customer(world.a, world.a_owner, birthday_day=3, birthday_month=11, birthday_year=1958, **fields)


def test_a_stranger_on_a_customers_phone_is_reported_naming_them_and_nothing_is_written(world: World):
    elijah(world)
    before = book(world.a)
    job = import_file(world.a, world.a_owner, csv(OK_PERSON))
    assert outcomes(job) == [(2, "error", REFUSED)]
    assert (job.created_count, job.merged_count, job.unchanged_count, job.error_count) == (0, 0, 0, 1)
    assert book(world.a) == before
    # The same file again: the same report, and still nothing written.
    again = import_file(world.a, world.a_owner, csv(OK_PERSON))
    assert outcomes(again) == [(2, "error", REFUSED)]
    assert book(world.a) == before


@pytest.mark.parametrize(
    "name",
    [
        "Sarah Schwartz",  # a household: the same last name, another first name
        "Ok Person",
        "Person",  # no first name on the line: the last names tell
    ],
)
def test_another_first_name_on_the_phone_is_another_person(world: World, name: str):
    elijah(world)
    before = book(world.a)
    job = import_file(world.a, world.a_owner, csv(f"{name},,(914) 555-0177,"))
    assert outcomes(job) == [(2, "error", REFUSED)]
    assert book(world.a) == before


@pytest.mark.parametrize(
    ("name", "customer"),
    [
        ("ELIJAH SCHWARTZ", {}),
        ("Elijah Schwartz-Cohen", {}),  # the first name agrees: a changed last name is kept and said
        ("Élijah Schwartz", {}),
        ("E. Schwartz", {}),  # an initial
        ("Eli Schwartz", {}),  # a short form that begins the name
        ("Schwartz Elijah", {}),  # first and last swapped
        ("Eli Schwartz", {"first_name": "Elijah", "preferred_name": "Eli"}),
        ("Elijah Schwartz", {"first_name": "", "last_name": "Schwartz"}),  # the customer has no first name
        ("Sarah Schwartz", {"first_name": "", "last_name": "Schwartz"}),  # nor anything that tells them apart
        ("Schwartz", {}),  # one word on the line (read as a first name), one of the customer's
        ("Elijah", {}),
    ],
)
def test_the_same_person_on_the_phone_still_merges(world: World, name: str, customer: dict[str, str]):
    existing = elijah(world, **customer)
    job = import_file(world.a, world.a_owner, csv(f"{name},,(914) 555-0177,"))
    [(line, outcome, _message)] = outcomes(job)
    assert (line, outcome) in {(2, "merged"), (2, "unchanged")}
    with scope(store=world.a):
        assert list(Customer.objects.values_list("pk", flat=True)) == [existing.pk]


def test_a_customer_without_a_name_reached_by_that_phone_gets_the_lines_name(world: World):
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a, channel="sms", from_address="+19145550177", body="Hello", provider="test", provider_id="t-1"
        )
    texter = message.conversation.customer
    job = import_file(world.a, world.a_owner, csv(OK_PERSON))
    assert [(line, outcome) for line, outcome, _message in outcomes(job)] == [(2, "merged")]
    with scope(store=world.a):
        assert list(Customer.objects.values_list("pk", "first_name", "last_name")) == [(texter.pk, "Ok", "Person")]


def test_an_email_of_the_customer_matches_whatever_the_name(world: World):
    existing = elijah(world, emails=["ok.person@example.com"])
    job = import_file(world.a, world.a_owner, csv(OK_PERSON))
    [(line, outcome, message)] = outcomes(job)
    assert (line, outcome) == (2, "unchanged")
    assert message.endswith(
        "kept first name “Elijah” (the file has “Ok”); kept last name “Schwartz” (the file has “Person”); "
        "kept the birthday 1958-11-03 (the file has 1990-07-04)."
    )
    with scope(store=world.a):
        assert list(Customer.objects.values_list("pk", flat=True)) == [existing.pk]


def test_the_email_tells_whose_line_it_is_when_the_phone_is_also_theirs(world: World):
    """A phone two of a household hold: the phone's other holder plainly is someone else, so the
    line is the email's customer's, and nothing about the phone changes."""
    elijah(world)
    sarah = make_customer(
        world.a,
        world.a_owner,
        first_name="Sarah",
        last_name="Schwartz",
        emails=["sarah@example.com"],
        phones=["+1 914 555 0177"],
    )
    job = import_file(world.a, world.a_owner, csv("Sarah Schwartz,sarah@example.com,(914) 555-0177,1961-02-14"))
    assert outcomes(job) == [(2, "merged", "Merged into Sarah Schwartz: filled the birthday.")]
    with scope(store=world.a):
        assert sorted(Customer.objects.get(pk=sarah.pk).phones.values_list("e164", flat=True)) == ["+19145550177"]


def not_theirs(parts: str, person: str) -> str:
    """The report of a line whose email (or phone) is ``person``'s and whose phone someone else's."""
    return (
        f"This row's {parts}: different customers, so this row was not merged. If the phone is shared, "
        f"add it to {person} by hand; otherwise correct the file. Then import it again."
    )


def test_an_email_of_one_customer_and_a_phone_of_another_are_not_merged(world: World):
    """The new user's file: Zoë's email and Ethan's phone on a line of another name. It was merged
    into Zoë, who got Ethan's number (a search for it found both)."""
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", emails=["goldberg.zoe@example.net"])
    make_customer(world.a, world.a_owner, first_name="Ethan", last_name="Patel", phones=["(914) 555-0184"])
    before = book(world.a)
    content = b"First Name,Last Name,Email,Phone\nConflict,Person,goldberg.zoe@example.net,(914) 555-0184\n"
    refused = not_theirs(
        "email goldberg.zoe@example.net is Zoë Goldberg's and phone (914) 555-0184 is Ethan Patel's", "Zoë Goldberg"
    )
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [(2, "error", refused)]
    assert (job.created_count, job.merged_count, job.unchanged_count, job.error_count) == (0, 0, 0, 1)
    assert book(world.a) == before
    assert outcomes(import_file(world.a, world.a_owner, content)) == [(2, "error", refused)]
    assert book(world.a) == before


def test_the_email_does_not_carry_a_namesakes_phone_to_its_customer(world: World):
    """Sarah's own line with Elijah's phone: a household phone or a typing error, nothing tells; an
    import does not make her its second holder (before, she got it). Added by hand, it is hers."""
    elijah(world)
    sarah = make_customer(
        world.a, world.a_owner, first_name="Sarah", last_name="Schwartz", emails=["sarah@example.com"]
    )
    before = book(world.a)
    content = csv("Sarah Schwartz,sarah@example.com,(914) 555-0177,")
    refused = not_theirs(
        "email sarah@example.com is Sarah Schwartz's and phone (914) 555-0177 is Elijah Schwartz's", "Sarah Schwartz"
    )
    assert outcomes(import_file(world.a, world.a_owner, content)) == [(2, "error", refused)]
    assert book(world.a) == before
    with scope(store=world.a):
        services.customer_phone_add(store=world.a, actor=None, customer=sarah, number="+1 914 555 0177")
    assert outcomes(import_file(world.a, world.a_owner, content)) == [
        (2, "unchanged", "Already up to date (Sarah Schwartz).")
    ]


def test_a_second_phone_of_another_customer_is_not_merged(world: World):
    """Found by the phone that is theirs (the names agree), the line's other phone is a stranger's."""
    elijah(world)
    make_customer(world.a, world.a_owner, first_name="Ethan", last_name="Patel", phones=["(914) 555-0184"])
    before = book(world.a)
    job = import_file(world.a, world.a_owner, csv('Elijah Schwartz,,"(914) 555-0177; (914) 555-0184",'))
    assert outcomes(job) == [
        (
            2,
            "error",
            not_theirs(
                "phone (914) 555-0177 is Elijah Schwartz's and phone (914) 555-0184 is Ethan Patel's",
                "Elijah Schwartz",
            ),
        )
    ]
    assert book(world.a) == before


def test_a_partners_phone_is_the_households_and_joins_the_customer(world: World):
    """Partners linked in the store: the file giving one of them the other's number is their
    household's phone, added and said so."""
    ethan = make_customer(world.a, world.a_owner, first_name="Ethan", last_name="Patel", phones=["(914) 555-0184"])
    zoe = make_customer(
        world.a,
        world.a_owner,
        first_name="Zoë",
        last_name="Goldberg",
        emails=["goldberg.zoe@example.net"],
        partner_id=ethan.pk,
    )
    content = b"First Name,Last Name,Email,Phone\nZoe,Goldberg,goldberg.zoe@example.net,(914) 555-0184\n"
    job = import_file(world.a, world.a_owner, content)
    assert outcomes(job) == [
        (2, "merged", "Merged into Zoë Goldberg: added phone +19145550184 (their partner Ethan Patel's too).")
    ]
    with scope(store=world.a):
        assert list(zoe.phones.values_list("e164", flat=True)) == ["+19145550184"]
        assert list(ethan.phones.values_list("e164", flat=True)) == ["+19145550184"]
    assert outcomes(import_file(world.a, world.a_owner, content)) == [
        (2, "unchanged", "Already up to date (Zoë Goldberg).")
    ]


def test_once_added_by_hand_the_line_finds_its_own_customer(world: World):
    elijah(world)
    assert outcomes(import_file(world.a, world.a_owner, csv(OK_PERSON)))[0][2] == REFUSED
    ok = make_customer(world.a, world.a_owner, first_name="Ok", last_name="Person", phones=["+1 914 555 0177"])
    job = import_file(world.a, world.a_owner, csv(OK_PERSON))
    [(line, outcome, _message)] = outcomes(job)
    assert (line, outcome) == (2, "merged")
    with scope(store=world.a):
        ok.refresh_from_db()
        assert (ok.birthday_day, ok.birthday_month, ok.birthday_year) == (4, 7, 1990)
        assert list(ok.emails.values_list("address", flat=True)) == ["ok.person@example.com"]
    assert [o[1] for o in outcomes(import_file(world.a, world.a_owner, csv(OK_PERSON)))] == ["unchanged"]


def test_a_phone_two_other_people_hold_names_both(world: World):
    elijah(world)
    make_customer(world.a, world.a_owner, first_name="Sarah", last_name="Schwartz", phones=["+1 914 555 0177"])
    job = import_file(world.a, world.a_owner, csv(OK_PERSON))
    assert outcomes(job) == [
        (
            2,
            "error",
            "The phone (914) 555-0177 is Elijah Schwartz and Sarah Schwartz's; the names differ, so this row "
            "was not merged. Add them by hand or correct the file.",
        )
    ]


def test_two_lines_of_one_household_in_one_file(world: World):
    """The first creates the customer; the second, another name on that phone, is reported."""
    job = import_file(
        world.a,
        world.a_owner,
        csv("Elijah Schwartz,,(914) 555-0177,", "Sarah Schwartz,sarah@example.com,(914) 555-0177,"),
    )
    assert outcomes(job) == [
        (2, "created", ""),
        (
            3,
            "error",
            "The phone (914) 555-0177 is Elijah Schwartz's; the names differ, so this row was not merged. "
            "Add them by hand or correct the file.",
        ),
    ]
    with scope(store=world.a):
        assert list(Customer.objects.values_list("first_name", flat=True)) == ["Elijah"]


def test_the_name_check_costs_no_query_per_line(world: World, django_assert_max_num_queries):
    """The names compared are those of the customers the batch already read for the match."""
    for i in range(30):
        make_customer(world.a, world.a_owner, first_name=f"Holder{i}", last_name="Q", phones=[f"+1 212 555 {i:04d}"])
    content = csv(*(f"Stranger{i} Z,,+1 212 555 {i:04d}," for i in range(30)))
    job = run_counted(world.a, world.a_owner, content, django_assert_max_num_queries(22))
    assert (job.error_count, job.merged_count, job.created_count) == (30, 0, 0)


def test_an_email_and_a_phone_of_two_customers_are_reported_naming_whose_each_is(world: World):
    """The phone agrees with the line's name (Eli for Elijah), the email is someone else's: the line
    is not guessed, and the message says whose each is, as the store writes the number."""
    elijah(world)
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", emails=["zoe@example.com"])
    before = book(world.a)
    job = import_file(world.a, world.a_owner, csv("Eli Schwartz,zoe@example.com,(914) 555-0177,"))
    assert outcomes(job) == [
        (
            2,
            "error",
            ZOE_AND_ELIJAH,
        )
    ]
    assert book(world.a) == before


def test_a_phone_two_namesakes_hold_names_both(world: World):
    elijah(world)
    elijah(world, first_name="Eli", emails=["eli@example.com"])
    job = import_file(world.a, world.a_owner, csv("Elijah Schwartz,,(914) 555-0177,"))
    assert outcomes(job) == [
        (
            2,
            "error",
            different("phone (914) 555-0177 is Elijah Schwartz and Eli Schwartz's"),
        )
    ]


def test_a_customer_found_earlier_in_the_file_is_named_too(world: World):
    """The phone's customer was created two lines above, in the same batch."""
    make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg", emails=["zoe@example.com"])
    job = import_file(
        world.a,
        world.a_owner,
        csv("Elijah Schwartz,,(914) 555-0177,", "Eli Schwartz,zoe@example.com,(914) 555-0177,"),
    )
    assert outcomes(job) == [
        (2, "created", ""),
        (
            3,
            "error",
            ZOE_AND_ELIJAH,
        ),
    ]
