"""The template tags that say moments and addresses: `{% when value "recent" %}` and `|email_breaks`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trunkshow.core.templatetags.trunkshow import recent_moment

NEW_YORK = ZoneInfo("America/New_York")
# 6:00 PM on Tuesday 24 November 2026 in New York.
NOW = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (dt.timedelta(hours=1), "5:00\u202fPM"),
        # 6:30 PM on the 23rd in New York (11:30 PM UTC): yesterday there.
        (dt.timedelta(hours=23, minutes=30), "Yesterday, 6:30\u202fPM"),
        (dt.timedelta(days=3), "Sat, 6:00\u202fPM"),
        (dt.timedelta(days=-1, hours=-15), "Thu, 9:00\u202fAM"),
        (dt.timedelta(hours=-15), "Tomorrow, 9:00\u202fAM"),
        (dt.timedelta(days=40), "Oct 15, 7:00\u202fPM"),
        (dt.timedelta(days=400), "Oct 20, 2025"),
    ],
)
def test_a_moment_is_said_from_the_stores_today(ago: dt.timedelta, said: str) -> None:
    assert recent_moment(NOW - ago, tz=NEW_YORK, locale="en_US", now=NOW) == said


def test_today_is_the_stores_today_not_utcs() -> None:
    # 1:30 AM UTC on the 25th is 8:30 PM on the 24th in New York: today there, tomorrow in UTC.
    late = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)
    assert recent_moment(late, tz=NEW_YORK, locale="en_US", now=NOW) == "8:30\u202fPM"
    assert recent_moment(late, tz=dt.UTC, locale="en_US", now=NOW) == "Tomorrow, 1:30\u202fAM"


def test_the_locale_writes_the_day_and_the_time_its_own_way() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert (
        recent_moment(NOW - dt.timedelta(days=3), tz=paris, locale="fr_FR", now=NOW) == "dim. 00:00"
    )  # Wednesday 00:00 there: Sunday
    assert recent_moment(NOW - dt.timedelta(days=40), tz=paris, locale="fr_FR", now=NOW) == "16 oct. 01:00"
    assert recent_moment(NOW - dt.timedelta(days=400), tz=paris, locale="de_DE", now=NOW) == "21.10.2025"


def test_an_email_address_may_wrap_after_its_at_sign_and_stays_escaped() -> None:
    from trunkshow.core.templatetags.trunkshow import email_breaks

    assert email_breaks("obriain.siobhan@mail.example") == "obriain.siobhan@<wbr>mail.example"
    assert email_breaks('"<b>"@x.example') == "&quot;&lt;b&gt;&quot;@<wbr>x.example"
    assert email_breaks("no-at-sign<i>") == "no-at-sign&lt;i&gt;"
    assert email_breaks(None) == ""
