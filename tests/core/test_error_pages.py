"""Error pages a person may see: ours, never Django's technical pages."""

from tests.conftest import World, browser_client


def test_a_missing_page_is_our_404_without_the_url_list(world: World):
    response = browser_client(world.a_associate).get("/customers/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist, or it belongs to another store." in body
    assert "URLconf" not in body


def test_demo_links_follow_the_port_and_every_interface_is_allowed(monkeypatch):
    import os

    from trunkshow.cli import _listen_env

    # _listen_env writes os.environ; a copy keeps what it writes out of the tests that run after.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    assert _listen_env("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert os.environ["PUBLIC_URL"] == "http://127.0.0.1:8765"
    assert "ALLOWED_HOSTS" not in os.environ
    monkeypatch.delenv("PUBLIC_URL")
    url = _listen_env("0.0.0.0", 8766)  # noqa: S104 - what the demo does with --host 0.0.0.0
    assert url.endswith(":8766")
    assert os.environ["PUBLIC_URL"] == url
    assert os.environ["ALLOWED_HOSTS"] == "*"


def test_a_public_url_that_was_set_is_kept(monkeypatch):
    from trunkshow.cli import _listen_env

    monkeypatch.setenv("PUBLIC_URL", "https://shop.example.com")
    _listen_env("127.0.0.1", 9000)
    import os

    assert os.environ["PUBLIC_URL"] == "https://shop.example.com"
