"""Every answer under /api/ is in the error envelope, even when no handler ran."""

from tests.conftest import World, api


def test_an_unknown_api_path_is_a_404_in_the_envelope(world: World):
    response = api(world.a_owner).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}}


def test_a_method_the_endpoint_lacks_is_a_405_in_the_envelope(world: World):
    response = api(world.a_owner).put("/api/v1/customers", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": "This endpoint does not accept PUT.", "fields": {}}
    }
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_missing_token_is_a_401_in_the_envelope(client, db):
    response = client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="trunkshow"'
