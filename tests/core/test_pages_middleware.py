"""The API passes by the middleware that pages need (sessions, language, CSRF, messages):
what it must still do without them, and what pages must keep."""

from django.test import Client
from django.utils import translation

from tests.conftest import World, api, browser_client


def test_an_api_answer_sets_no_cookie_even_for_a_logged_in_browser(world: World):
    client = browser_client(world.a_owner)  # a session cookie, as a browser that is logged in sends
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.a_owner.token}"
    response = client.get("/api/v1/store")
    assert response.status_code == 200
    assert response.json()["slug"] == world.a.slug
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_without_a_token_the_api_is_anonymous_whatever_the_session(world: World):
    client = browser_client(world.a_owner)
    response = client.post("/api/v1/customers", data={"first_name": "Ada"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert not response.cookies


def test_the_api_needs_no_csrf_token_and_pages_still_do(world: World):
    strict = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {world.a_owner.token}"})
    created = strict.post("/api/v1/customers", data={"first_name": "Ada"}, content_type="application/json")
    assert created.status_code == 201
    page = Client(enforce_csrf_checks=True)
    page.force_login(world.a_owner.user)
    refused = page.post("/customers/new/", data={"first_name": "Grace"})
    assert refused.status_code == 403


def test_a_language_a_page_chose_does_not_linger_into_an_api_answer(world: World):
    # Django activates a page's language on the thread that serves it and leaves it there; the
    # next request on that thread may be the API's, which speaks English.
    widget = Client(headers={"Accept-Language": "fr"})
    assert widget.get(f"/widget/api/{world.a.slug}/config")["Content-Language"] == "fr"
    try:
        assert translation.get_language() == "fr"  # the test client serves on this thread
        response = api(world.a_owner).get("/api/v1/customers", {"limit": "0"})
        assert response.status_code == 400
        assert translation.get_language() == "en"
        assert "Content-Language" not in response
    finally:
        translation.deactivate()


def test_pages_still_choose_the_language_and_keep_sessions(world: World):
    client = browser_client(world.a_owner)
    response = client.get("/customers/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert response["X-Frame-Options"] == "DENY"
    docs = Client().get("/api/v1/docs")
    assert docs["X-Frame-Options"] == "DENY"
