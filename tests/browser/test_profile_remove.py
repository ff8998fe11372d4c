"""Removing something from a profile asks first; a stray tap loses nothing."""

from django_scopes import scope

from tests.browser.conftest import log_in
from tests.conftest import World, make_customer


def test_removing_a_phone_asks_and_cancel_keeps_it(phone, live_server_url, world: World):
    customer = make_customer(
        world.a, world.a_associate, first_name="Kati", last_name="Szirmay", phones=["+19145550142", "+442079460958"]
    )
    log_in(phone, live_server_url, world.a_associate)
    phone.goto(f"/customers/{customer.pk}/")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    phone.once("dialog", dismiss)
    phone.get_by_role("button", name="Remove phone +442079460958").click()
    phone.wait_for_timeout(300)
    assert asked == ["Remove phone +442079460958?"]
    with scope(store=world.a):
        assert sorted(customer.phones.values_list("e164", flat=True)) == ["+19145550142", "+442079460958"]

    phone.once("dialog", lambda dialog: dialog.accept())
    with phone.expect_navigation():
        phone.get_by_role("button", name="Remove phone +442079460958").click()
    with scope(store=world.a):
        assert list(customer.phones.values_list("e164", flat=True)) == ["+19145550142"]
