"""The response-time report: how fast the store answered its customers, against its own target.

Every wait counts: each time a customer wrote and waited, until the first answer by a person
(``messaging.models.Response``, written by ``messaging.services._conversation_outbound``; the
report never walks the messages). Waits are counted as the target counts them, while the store is
open (a text at 21:00 answered at 10:02 the next morning waited 2 minutes of opening time); the
wait with closed hours included, what the customer lived, is given beside it. "Within target" is
against the store's target as it is now, on the target's clock (from the customer's message, or
from when the conversation came back to open if that was later, ADR 0010), so changing the
target re-reads the past with it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.inbox.services import WAITING_STATUSES, inbox_settings, response_due_at
from trunkshow.messaging.models import ChannelKind, Conversation, Response
from trunkshow.stores import hours
from trunkshow.stores.models import Membership, Store

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def period_parse(raw: str | None) -> int:
    """The report's period in days, from the page's or the API's ``days``; one of PERIODS."""
    if raw in (None, ""):
        return DEFAULT_PERIOD
    try:
        days = int(str(raw))
    except ValueError:
        days = 0
    if days not in PERIODS:
        raise ValidationError(
            {"days": [_("Choose a period of 7, 30 or 90 days (got “%(value)s”).") % {"value": str(raw)[:20]}]}
        )
    return days


@dataclass
class Figures:
    """The answered waits of one group: how many, their median (counted while the store was open, as
    the target counts, and as the customer lived it), and how many were answered within the target."""

    seconds: list[int] = field(default_factory=list)  # while open
    real_seconds: list[int] = field(default_factory=list)  # closed hours included
    within: int = 0

    def add(self, open_seconds: int, real_seconds: int, within: bool) -> None:
        self.seconds.append(open_seconds)
        self.real_seconds.append(real_seconds)
        self.within += within

    # Read once the report is built (the page and the chart read each several times): sorted once.
    @cached_property
    def median_real_seconds(self) -> int | None:
        return round(statistics.median(self.real_seconds)) if self.real_seconds else None

    @property
    def answered(self) -> int:
        return len(self.seconds)

    @cached_property
    def median_seconds(self) -> int | None:
        return round(statistics.median(self.seconds)) if self.seconds else None

    @property
    def within_percent(self) -> int | None:
        return round(100 * self.within / len(self.seconds)) if self.seconds else None


@dataclass
class Day:
    date: dt.date
    figures: Figures


@dataclass
class Group:
    label: str
    figures: Figures
    key: str = ""  # the channel's code, or the staff member's user id ("" for former staff)


@dataclass
class ResponseReport:
    days: int
    since: dt.datetime
    until: dt.datetime
    target_minutes: int
    total: Figures
    daily: list[Day]
    by_associate: list[Group]
    by_channel: list[Group]
    waiting: int  # customers waiting for an answer now
    overdue: int  # of them, past the target now


def response_report(*, store: Store, days: int, now: dt.datetime | None = None) -> ResponseReport:
    """The waits people ended in the last ``days`` days (the store's local days, today included)."""
    now = now or clock.now()
    tz = hours.zone(store)
    today = now.astimezone(tz).date()
    first_day = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first_day, dt.time(), tzinfo=tz)
    target = inbox_settings(store).response_target_minutes
    rows = (
        Response.objects.filter(store=store, answered_at__gte=since, answered_at__lte=now)
        .order_by()
        .values_list("asked_at", "clock_from", "answered_at", "answered_by_id", "channel")
    )
    open_clock = hours.OpenClock(store, since - dt.timedelta(days=hours.HORIZON_DAYS), now)
    target_seconds = target * 60
    total = Figures()
    daily: dict[dt.date, Figures] = defaultdict(Figures)
    by_user: dict[int | None, Figures] = defaultdict(Figures)
    by_channel: dict[str, Figures] = defaultdict(Figures)
    for asked_at, clock_from, answered_at, user_id, channel in rows.iterator(chunk_size=2000):
        open_wait = open_clock.seconds(asked_at, answered_at)
        # Against today's target, on the target's clock (from when the conversation came back to open, if later).
        on_clock = open_wait if clock_from <= asked_at else open_clock.seconds(clock_from, answered_at)
        within = on_clock <= target_seconds
        real = int((answered_at - asked_at).total_seconds())
        for figures in (total, daily[answered_at.astimezone(tz).date()], by_user[user_id], by_channel[channel]):
            figures.add(open_wait, real, within)
    waiting = overdue = 0
    for conversation in Conversation.objects.filter(
        store=store, status__in=WAITING_STATUSES, awaiting_since__isnull=False
    ).only("pk", "status", "awaiting_since", "reopened_at"):
        waiting += 1
        due = response_due_at(store, conversation, target)
        overdue += due is not None and due <= now
    return ResponseReport(
        days=days,
        since=since,
        until=now,
        target_minutes=target,
        total=total,
        daily=[
            Day(first_day + dt.timedelta(days=i), daily.get(first_day + dt.timedelta(days=i), Figures()))
            for i in range(days)
        ],
        by_associate=_by_associate(store, by_user),
        by_channel=sorted(
            (
                Group(str(ChannelKind(c).label) if c in ChannelKind.values else c, f, key=c)
                for c, f in by_channel.items()
            ),
            key=lambda g: (-g.figures.answered, g.label),
        ),
        waiting=waiting,
        overdue=overdue,
    )


def _by_associate(store: Store, by_user: dict[int | None, Figures]) -> list[Group]:
    members = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            store=store, user_id__in=[u for u in by_user if u is not None]
        ).select_related("user")
    }
    groups = []
    for user_id, figures in by_user.items():
        user = members.get(user_id) if user_id is not None else None
        label = (user.name or user.email) if user is not None else _("Former staff")
        groups.append(Group(label, figures, key=str(user_id) if user is not None else ""))
    return sorted(groups, key=lambda g: (-g.figures.answered, g.label))


def chart(report: ResponseReport, width: int = 640, height: int = 180) -> dict[str, Any]:
    """The daily medians as bars of an SVG (drawn by the template), with the target as a line.

    The scale reaches at least twice the target, so the line sits in the chart; a day far past it
    is drawn to the top (its figure is in the table below the chart).
    """
    top = max(2 * report.target_minutes * 60, 60)
    medians = [d.figures.median_seconds for d in report.daily if d.figures.median_seconds is not None]
    if medians:
        top = max(top, min(max(medians), 6 * report.target_minutes * 60))
    plot_h = height - 18  # the day labels go below
    step = width / max(1, len(report.daily))
    bars = []
    for i, day in enumerate(report.daily):
        median = day.figures.median_seconds
        if median is None:
            continue
        h = max(2.0, plot_h * min(median, top) / top)
        bars.append(
            {
                "x": round(i * step + step * 0.15, 1),
                "y": round(plot_h - h, 1),
                "w": round(max(1.0, step * 0.7), 1),
                "h": round(h, 1),
                "over": median > report.target_minutes * 60,
                "day": day,
            }
        )
    label_every = 1 if len(report.daily) <= 7 else 7 if len(report.daily) <= 30 else 14
    labels = [
        {"x": round(i * step + step / 2, 1), "day": day.date}
        for i, day in enumerate(report.daily)
        if (len(report.daily) - 1 - i) % label_every == 0
    ]
    return {
        "width": width,
        "height": height,
        "plot_h": plot_h,
        "bars": bars,
        "labels": labels,
        "target_y": round(plot_h - plot_h * report.target_minutes * 60 / top, 1),
        "top_minutes": round(top / 60),
    }
