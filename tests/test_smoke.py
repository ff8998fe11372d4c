from tests.conftest import World, api


def test_health_probes_answer(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_api_without_token_is_401_in_the_error_envelope(world: World, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert api(world.a_owner) is not None
