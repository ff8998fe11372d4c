"""The response-time report (owners and managers) and the inbox settings that set its target (owners).

Waits are counted while the store is open, as the target counts them; "within target" is the
target's clock as it stood when the first answer came (kept on the conversation then).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django_scopes import scope

from tests.conftest import World, api, browser_client, make_customer
from trunkshow.core.models import AuditEntry
from trunkshow.inbox import reports
from trunkshow.inbox.services import conversation_status_set, inbox_settings, inbox_tick
from trunkshow.messaging.models import Conversation, Message, Response
from trunkshow.messaging.services import message_receive, message_send

NY = ZoneInfo("America/New_York")
# Tuesday 2026-11-17 to Wednesday 2026-11-18; the store opens 10:00–18:00 on weekdays.
HOURS = {day: [["10:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=NY)


def _asked_and_answered(
    world: World, phone: str, asked: dt.datetime, answered: dt.datetime, by: Any, channel: str = "sms"
) -> Conversation:
    make_customer(world.a, first_name=f"C{phone[-2:]}", phones=[phone], emails=[f"c{phone[-2:]}@example.com"])
    with scope(store=world.a):
        with time_machine.travel(asked, tick=False):
            inbound, _created = message_receive(
                store=world.a, channel=channel, from_address=phone, body="Hello?", provider="sandbox", provider_id=phone
            )
        with time_machine.travel(answered, tick=False):
            message_send(store=world.a, actor=by.user, conversation=inbound.conversation, body="Hello!")
        return Conversation.objects.get(pk=inbound.conversation_id)


def _open_store(world: World) -> None:
    world.a.opening_hours = HOURS
    world.a.save(update_fields=["opening_hours"])


def test_every_wait_a_person_ends_is_kept_and_automatic_answers_end_none(world: World) -> None:
    _open_store(world)
    # Two minutes before closing on Tuesday: the store's automatic answer goes out, the customer still waits.
    conversation = _asked_and_answered(world, "+12125550101", _at(17, 17, 58), _at(18, 10, 3), world.a_associate)
    with scope(store=world.a):
        assert Message.objects.filter(conversation=conversation, meta__system="out_of_hours").count() == 0
        first = Response.objects.get()
        assert (first.asked_at, first.clock_from, first.answered_at, first.answered_by_id, first.first) == (
            _at(17, 17, 58),
            _at(17, 17, 58),
            _at(18, 10, 3),
            world.a_associate.user.pk,
            True,
        )
        assert (first.channel, first.conversation_id) == ("sms", conversation.pk)
        # A second reply ends no wait; nothing more is kept.
        with time_machine.travel(_at(18, 10, 30), tick=False):
            message_send(store=world.a, actor=world.a_owner.user, conversation=conversation, body="And more.")
        assert Response.objects.count() == 1
        # She writes again after hours: told when the store opens (not a response), then answered in the morning.
        with time_machine.travel(_at(18, 19, 0), tick=False):
            message_receive(
                store=world.a,
                channel="sms",
                from_address="+12125550101",
                body="One more thing",
                provider="sandbox",
                provider_id="again",
            )
        assert Message.objects.filter(conversation=conversation, meta__system="out_of_hours").count() == 1
        assert Response.objects.count() == 1
        conversation.refresh_from_db()  # as a page loads it
        with time_machine.travel(_at(19, 10, 1), tick=False):
            message_send(store=world.a, actor=world.a_owner.user, conversation=conversation, body="Yes?")
        second = Response.objects.exclude(pk=first.pk).get()
        assert (second.asked_at, second.answered_at, second.answered_by_id, second.first) == (
            _at(18, 19, 0),
            _at(19, 10, 1),
            world.a_owner.user.pk,
            False,
        )
    conversation.refresh_from_db()
    assert conversation.first_response_seconds == int((_at(18, 10, 3) - _at(17, 17, 58)).total_seconds())


def test_a_wait_that_came_back_from_a_snooze_counts_the_target_from_its_return(world: World) -> None:
    _open_store(world)
    make_customer(world.a, first_name="Snoozy", phones=["+12125550109"])
    with scope(store=world.a):
        with time_machine.travel(_at(17, 11, 0), tick=False):
            inbound, _created = message_receive(
                store=world.a,
                channel="sms",
                from_address="+12125550109",
                body="Hi",
                provider="sandbox",
                provider_id="z",
            )
            conversation_status_set(
                store=world.a,
                actor=world.a_owner.user,
                conversation=inbound.conversation,
                status="snoozed",
                snoozed_until=_at(17, 11, 30),
            )
        inbox_tick(now=_at(17, 11, 30))
        conversation = Conversation.objects.get(pk=inbound.conversation_id)
        with time_machine.travel(_at(17, 11, 33), tick=False):
            message_send(store=world.a, actor=world.a_owner.user, conversation=conversation, body="Hello!")
        response = Response.objects.get()
        assert (response.asked_at, response.clock_from) == (_at(17, 11, 0), _at(17, 11, 30))
        report = reports.response_report(store=world.a, days=7, now=_at(17, 12, 0))
    # 33 minutes of waiting, 3 of them on the target's clock after the snooze: within 5 minutes.
    assert (report.total.seconds, report.total.within) == ([33 * 60], 1)


def test_the_report_counts_waits_while_open_against_the_target_as_it_is_now(world: World) -> None:
    _open_store(world)
    _asked_and_answered(world, "+12125550101", _at(17, 10, 0), _at(17, 10, 2), world.a_associate)
    # Written after closing, answered three minutes after opening: 14.5 hours lived, 3 minutes counted.
    _asked_and_answered(world, "+12125550102", _at(17, 19, 30), _at(18, 10, 3), world.a_associate)
    _asked_and_answered(world, "+12125550103", _at(18, 11, 0), _at(18, 11, 20), world.a_manager, channel="whatsapp")
    # Another store's answers are not this store's.
    make_customer(world.b, first_name="Bea", phones=["+33612345678"])
    with scope(store=world.b), time_machine.travel(_at(18, 11, 0), tick=False):
        other, _created = message_receive(
            store=world.b,
            channel="sms",
            from_address="+33612345678",
            body="Bonjour",
            provider="sandbox",
            provider_id="b",
        )
        message_send(store=world.b, actor=world.b_owner.user, conversation=other.conversation, body="Bonjour !")

    with scope(store=world.a):
        report = reports.response_report(store=world.a, days=7, now=_at(18, 12, 0))
    assert report.total.answered == 3
    assert report.total.seconds == [120, 180, 1200]
    assert report.total.median_seconds == 180
    assert report.total.median_real_seconds == 1200
    assert (report.total.within, report.total.within_percent) == (2, 67)
    assert [(d.date.day, d.figures.answered) for d in report.daily if d.figures.answered] == [(17, 1), (18, 2)]
    assert len(report.daily) == 7 and report.daily[-1].date == dt.date(2026, 11, 18)
    assert [(g.label, g.figures.answered, g.figures.within) for g in report.by_associate] == [
        ("Ali Associate", 2, 2),
        ("Max Manager", 1, 0),
    ]
    assert [(g.label, g.figures.answered) for g in report.by_channel] == [("Text message", 2), ("WhatsApp", 1)]

    # A target of 30 minutes reads the same waits again: all three within it.
    with scope(store=world.a):
        settings_row = inbox_settings(world.a)
        settings_row.response_target_minutes = 30
        settings_row.save()
        assert reports.response_report(store=world.a, days=7, now=_at(18, 12, 0)).total.within == 3

    # Seven days back from the 24th leave out the 17th.
    with scope(store=world.a):
        later = reports.response_report(store=world.a, days=7, now=_at(24, 12, 0))
    assert later.total.answered == 2


def test_customers_waiting_now_and_those_past_the_target_are_counted(world: World) -> None:
    _open_store(world)
    for n, minute in ((1, 0), (2, 58)):
        make_customer(world.a, first_name=f"W{n}", phones=[f"+1212555020{n}"])
        with scope(store=world.a), time_machine.travel(_at(17, 11, minute), tick=False):
            message_receive(
                store=world.a,
                channel="sms",
                from_address=f"+1212555020{n}",
                body="Hi",
                provider="sandbox",
                provider_id=f"w{n}",
            )
    with scope(store=world.a):
        report = reports.response_report(store=world.a, days=7, now=_at(17, 12, 0))
    assert (report.waiting, report.overdue, report.total.answered) == (2, 1, 0)


def test_the_page_for_owners_and_managers_with_a_clear_answer_for_a_wrong_period(world: World) -> None:
    _open_store(world)
    _asked_and_answered(world, "+12125550101", _at(17, 10, 0), _at(17, 10, 2), world.a_associate)
    with time_machine.travel(_at(18, 12, 0), tick=False):
        page = browser_client(world.a_manager).get("/inbox/response-times/?days=7")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Ali Associate" in text and "2 min" in text and "100%" in text
        assert "Change the target" not in text  # managers cannot change it; owners can
        assert "Change the target" in browser_client(world.a_owner).get("/inbox/response-times/").content.decode()

        wrong = browser_client(world.a_owner).get("/inbox/response-times/?days=12")
        assert wrong.status_code == 400
        assert "Choose a period of 7, 30 or 90 days (got “12”)." in wrong.content.decode()
        assert browser_client(world.a_owner).get("/inbox/response-times/?days=abc").status_code == 400

        refused = browser_client(world.a_associate).get("/inbox/response-times/")
        assert refused.status_code == 403
        assert "Only owners and managers can see the store" in refused.content.decode()
        # Store B's owner sees store B's report: none of store A's answers.
        other = browser_client(world.b_owner).get("/inbox/response-times/?days=7").content.decode()
        assert "Ali Associate" not in other


def test_owners_set_the_target_and_the_answer_when_closed_audited_and_bad_values_are_refused(world: World) -> None:
    owner = browser_client(world.a_owner)
    page = owner.get("/inbox/settings/")
    assert page.status_code == 200 and 'value="5"' in page.content.decode()

    for value, message in (
        ("0", "Give a number of minutes from 1 to 1440 (a day)."),
        ("1441", "Give a number of minutes from 1 to 1440 (a day)."),
        ("ten", "Give a whole number of minutes, like 5."),
        ("", "Give a number of minutes from 1 to 1440 (a day)."),
    ):
        bad = owner.post("/inbox/settings/", {"response_target_minutes": value, "out_of_hours_reply": "on"})
        assert bad.status_code == 400, value
        assert message in bad.content.decode()
    with scope(store=world.a):
        assert (inbox_settings(world.a).response_target_minutes, inbox_settings(world.a).out_of_hours_reply) == (
            5,
            True,
        )
    assert not AuditEntry.objects.with_scopes_disabled().filter(action="trunkshow.inbox.settings_changed").exists()

    saved = owner.post("/inbox/settings/", {"response_target_minutes": "15"})
    assert saved.status_code == 302
    with scope(store=world.a):
        assert (inbox_settings(world.a).response_target_minutes, inbox_settings(world.a).out_of_hours_reply) == (
            15,
            False,
        )
        assert inbox_settings(world.b).response_target_minutes == 5  # store B's own
    entry = AuditEntry.objects.with_scopes_disabled().get(action="trunkshow.inbox.settings_changed")
    assert (entry.store_id, entry.actor_id, entry.data) == (
        world.a.pk,
        world.a_owner.user.pk,
        {"response_target_minutes": 15, "out_of_hours_reply": False},
    )
    # The report measures against it.
    assert "your target of 15 min" in browser_client(world.a_owner).get("/inbox/response-times/").content.decode()

    for person in (world.a_manager, world.a_associate):
        refused = browser_client(person).post("/inbox/settings/", {"response_target_minutes": "1"})
        assert refused.status_code == 403
    with scope(store=world.a):
        assert inbox_settings(world.a).response_target_minutes == 15


def test_the_api_gives_the_same_figures_to_owners_and_managers_of_the_store_only(world: World) -> None:
    _open_store(world)
    _asked_and_answered(world, "+12125550101", _at(17, 10, 0), _at(17, 10, 2), world.a_associate)
    _asked_and_answered(world, "+12125550102", _at(17, 19, 30), _at(18, 10, 3), world.a_associate)
    with time_machine.travel(_at(18, 12, 0), tick=False):
        answer = api(world.a_manager).get("/api/v1/reports/response-times", {"days": "7"})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert (body["days"], body["target_minutes"], body["waiting"], body["overdue"]) == (7, 5, 0, 0)
        assert body["total"] == {
            "answered": 2,
            "median_wait_seconds": 150,
            "median_real_wait_seconds": (120 + int((_at(18, 10, 3) - _at(17, 19, 30)).total_seconds())) // 2,
            "within_target": 2,
            "within_target_percent": 100,
        }
        assert [(d["date"], d["answered"]) for d in body["daily"] if d["answered"]] == [
            ("2026-11-17", 1),
            ("2026-11-18", 1),
        ]
        assert [(g["key"], g["name"], g["answered"]) for g in body["by_associate"]] == [
            (str(world.a_associate.user.pk), "Ali Associate", 2)
        ]
        assert [(g["key"], g["name"]) for g in body["by_channel"]] == [("sms", "Text message")]

        wrong = api(world.a_owner).get("/api/v1/reports/response-times", {"days": "12"})
        assert wrong.status_code == 400
        assert "Choose a period of 7, 30 or 90 days" in wrong.content.decode()
        unknown = api(world.a_owner).get("/api/v1/reports/response-times", {"store": "bijoux"})
        assert unknown.status_code == 400
        assert api(world.a_associate).get("/api/v1/reports/response-times").status_code == 403
        # Store B's token sees store B's (empty) report.
        other = api(world.b_owner).get("/api/v1/reports/response-times", {"days": "7"}).json()
        assert (other["total"]["answered"], other["by_associate"]) == (0, [])


def test_conversations_answered_before_waits_were_kept_bring_their_first_answer(transactional_db: Any) -> None:
    """Migration messaging.0011: the first answers conversations kept (0009) become their first waits."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("messaging", "0010_message_arrival_order")], [("messaging", "0011_responses")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    store = old.get_model("stores", "Store").objects.create(slug="old", name="Old Shop", time_zone="America/New_York")
    user = old.get_model("stores", "User").objects.create(email="ann@old.example", name="Ann")
    conversations = old.get_model("messaging", "Conversation")
    answered = conversations.objects.create(
        store=store,
        channel="email",
        first_response_seconds=240,
        first_response_at=_at(17, 10, 4),
        first_response_by=user,
        last_message_at=_at(17, 10, 4),
    )
    conversations.objects.create(store=store, channel="sms", last_message_at=_at(17, 10, 4))  # never answered

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = list(new.get_model("messaging", "Response").objects.values())
    assert [
        (
            r["conversation_id"],
            r["channel"],
            r["asked_at"],
            r["clock_from"],
            r["answered_at"],
            r["answered_by_id"],
            r["first"],
        )
        for r in rows
    ] == [(answered.pk, "email", _at(17, 10, 0), _at(17, 10, 0), _at(17, 10, 4), user.pk, True)]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
