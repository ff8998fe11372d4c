"""The API writes JSON with orjson and says the same as Django's encoder would (ADR 0019)."""

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder

from tests.conftest import World, api, make_customer
from trunkshow.core.api import JSONRenderer


def test_the_renderer_writes_what_djangos_encoder_writes():
    data = {
        "at": dt.datetime(2026, 11, 25, 12, 30, 5, 123456, tzinfo=dt.UTC),
        "paris": dt.datetime(2026, 11, 25, 13, 30, tzinfo=ZoneInfo("Europe/Paris")),
        "naive": dt.datetime(2026, 11, 25, 12, 30),
        "on": dt.date(2026, 2, 28),
        "opens": dt.time(10, 0, 0, 500000),
        "spend": Decimal("1234.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "said": gettext_lazy("Not found."),
        "name": "Zoë Ægir 王",
        "by_id": {1: "one", 2: ["a", None, True, 2.5]},
    }
    written = JSONRenderer().render(None, data, response_status=200)  # type: ignore[arg-type]
    assert json.loads(written) == json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert json.loads(written)["at"] == "2026-11-25T12:30:05.123Z"
    assert "Zoë Ægir 王".encode() in written  # UTF-8, not \\u escapes


def test_an_api_answer_is_utf8_json_with_the_dates_and_amounts_as_before(world: World):
    customer = make_customer(world.a, world.a_owner, first_name="Zoë", last_name="Goldberg")
    response = api(world.a_owner).get(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Zoë".encode() in response.content
    body = response.json()
    assert body["first_name"] == "Zoë"
    assert body["lifetime_spend"] == "0.00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", body["created_at"])


def test_what_orjson_refuses_is_written_the_slow_way():
    # A lone surrogate repeated back in a message, an integer past 64 bits: json writes them.
    data = {"message": "“\ud800x” is not a field.", "big": 2**70}
    written = JSONRenderer().render(None, data, response_status=400)  # type: ignore[arg-type]
    assert json.loads(written) == data


def test_an_answer_repeating_half_a_utf16_pair_is_a_400_not_a_500(world: World):
    response = api(world.a_owner).post(
        "/api/v1/customers", '{"first_name": "Ana", "language": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]
