from tests.browser.conftest import screenshot


def test_server_answers_health_in_a_phone_browser(phone):
    phone.goto("/healthz")
    assert phone.locator("body").inner_text().strip() == '{"status": "ok"}'
    assert screenshot(phone, "healthz-phone").exists()
