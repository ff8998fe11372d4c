"""The `trunkshow` command: in-process for the database commands, as a real process for serving."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.conftest import PASSWORD, World
from trunkshow.cli import main
from trunkshow.stores.models import ApiToken, Membership, Store, User

TRUNKSHOW = str(Path(sys.executable).with_name("trunkshow"))


def run(capsys: Any, *argv: str) -> tuple[int, list[str], str]:
    """Run the command in this process: (exit code, stdout lines, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


# ---- createstore ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_createstore_creates_a_store_with_its_settings(capsys: Any) -> None:
    code, out, err = run(
        capsys,
        "createstore",
        "--slug", "maison-zoe",
        "--name", "Maison Zoë",
        "--time-zone", "Europe/Paris",
        "--currency", "eur",
        "--locale", "fr_FR",
        "--phone-region", "fr",
        "--country", "FR",
    )  # fmt: skip
    assert (code, out, err) == (0, ["Created store Maison Zoë (maison-zoe)"], "")
    store = Store.objects.get(slug="maison-zoe")
    assert (store.name, store.time_zone, store.currency, store.locale, store.phone_region, store.country) == (
        "Maison Zoë",
        "Europe/Paris",
        "EUR",
        "fr_FR",
        "FR",
        "FR",
    )


@pytest.mark.django_db
def test_createstore_with_defaults_is_a_us_store(capsys: Any) -> None:
    code, _out, _err = run(capsys, "createstore", "--slug", "atelier", "--name", "Atelier")
    assert code == 0
    store = Store.objects.get(slug="atelier")
    assert (store.time_zone, store.currency, store.locale, store.phone_region) == ("UTC", "USD", "en_US", "US")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "Bad Slug!", "--name", "X"], "slug: Use 1 to 50 lowercase letters, digits and hyphens"),
        (["--slug", "ok", "--name", "X", "--time-zone", "Mars/Olympus"], "“Mars/Olympus” is not a time zone"),
        (["--slug", "ok", "--name", "X", "--currency", "XYZ1"], "“XYZ1” is not a currency code"),
        (["--slug", "ok", "--name", "X", "--locale", "xx_YY_ZZ"], "“xx_YY_ZZ” is not a locale"),
        (["--slug", "ok", "--name", "X", "--phone-region", "QQ"], "“QQ” is not a phone region"),
        (["--slug", "ok", "--name", ""], "name: Give the store a name."),
    ],
)
def test_createstore_refuses_bad_values_with_the_reason_and_creates_nothing(
    capsys: Any, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "createstore", *args)
    assert code == 2
    assert out == []
    assert err.startswith("trunkshow: ")
    assert message in err
    assert Store.objects.count() == 0


@pytest.mark.django_db
def test_createstore_refuses_a_slug_already_taken(capsys: Any) -> None:
    assert run(capsys, "createstore", "--slug", "atelier", "--name", "Atelier")[0] == 0
    code, _out, err = run(capsys, "createstore", "--slug", "atelier", "--name", "Another")
    assert code == 2
    assert "A store with the slug “atelier” already exists." in err
    assert list(Store.objects.values_list("name", flat=True)) == ["Atelier"]


@pytest.mark.django_db
def test_createstore_without_its_required_arguments_says_which(capsys: Any) -> None:
    code, out, err = run(capsys, "createstore", "--name", "Atelier")
    assert code == 2
    assert out == []
    assert "the following arguments are required: --slug" in err
    assert Store.objects.count() == 0


# ---- createstaff ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_createstaff_with_a_password_adds_a_person_who_can_log_in(capsys: Any) -> None:
    run(capsys, "createstore", "--slug", "atelier", "--name", "Atelier")
    code, out, err = run(
        capsys, "createstaff", "--store", "atelier", "--email", "Ana@Example.COM", "--role", "owner",
        "--name", "Ana Ángeles", "--password", PASSWORD,
    )  # fmt: skip
    assert (code, out, err) == (0, ["Added ana@example.com to atelier as owner"], "")
    client = Client()
    assert client.login(username="ana@example.com", password=PASSWORD) is True
    with scopes_disabled():
        membership = Membership.objects.get(user__email="ana@example.com")
    assert (membership.store.slug, membership.role, membership.user.name) == ("atelier", "owner", "Ana Ángeles")


@pytest.mark.django_db
def test_createstaff_without_a_password_prints_a_generated_one_that_works(capsys: Any) -> None:
    run(capsys, "createstore", "--slug", "atelier", "--name", "Atelier")
    code, out, _err = run(capsys, "createstaff", "--store", "atelier", "--email", "bo@example.com")
    assert code == 0
    assert out[0] == "Added bo@example.com to atelier as associate"
    assert out[1].startswith("Password: ")
    password = out[1].removeprefix("Password: ")
    assert len(password) == 16
    assert Client().login(username="bo@example.com", password=password) is True


@pytest.mark.django_db
def test_createstaff_no_password_leaves_the_login_unusable_until_a_reset(capsys: Any) -> None:
    run(capsys, "createstore", "--slug", "atelier", "--name", "Atelier")
    code, out, _err = run(capsys, "createstaff", "--store", "atelier", "--email", "cy@example.com", "--no-password")
    assert (code, out) == (0, ["Added cy@example.com to atelier as associate"])
    assert User.objects.get(email="cy@example.com").has_usable_password() is False


@pytest.mark.django_db
def test_createstaff_adds_someone_with_a_login_to_a_second_store_keeping_their_password(
    capsys: Any, world: World
) -> None:
    code, out, err = run(
        capsys, "createstaff", "--store", "bijoux", "--email", world.a_owner.email, "--role", "manager"
    )
    assert (code, out, err) == (0, [f"Added {world.a_owner.email} to bijoux as manager"], "")
    assert Client().login(username=world.a_owner.email, password=PASSWORD) is True
    with scopes_disabled():
        assert Membership.objects.filter(user=world.a_owner.user).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "nowhere", "--email", "x@example.com"], "trunkshow: no store with the slug 'nowhere'"),
        (["--store", "atelier", "--email", "not-an-email"], "“not-an-email” is not a valid email address"),
        (
            ["--store", "atelier", "--email", "x@example.com", "--password", "short"],
            "password: This password is too short",
        ),
        (["--store", "atelier", "--email", "ana@atelier.example.com"], "is already on the staff of Atelier Ana"),
        (
            ["--store", "atelier", "--email", "x@example.com", "--role", "boss"],
            "argument --role: invalid choice: 'boss'",
        ),
        (["--email", "x@example.com"], "the following arguments are required: --store"),
    ],
)
def test_createstaff_refuses_bad_arguments_with_the_reason(
    capsys: Any, world: World, args: list[str], message: str
) -> None:
    before = set(User.objects.values_list("email", flat=True))
    with scopes_disabled():
        memberships = Membership.objects.count()
    code, out, err = run(capsys, "createstaff", *args)
    assert code == 2
    assert out == []
    assert message in err
    assert set(User.objects.values_list("email", flat=True)) == before
    with scopes_disabled():
        assert Membership.objects.count() == memberships


# ---- token create --------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_create_prints_the_token_alone_on_the_last_line_and_it_opens_the_api(capsys: Any, world: World) -> None:
    code, out, err = run(capsys, "token", "create", "--store", "atelier", "--email", world.a_manager.email)
    assert code == 0
    assert err == ""
    assert out[0] == f"API token for {world.a_manager.email} in atelier (shown once; keep it secret):"
    token = out[-1]
    assert token == token.strip()
    assert " " not in token
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/store")
    assert response.status_code == 200
    assert response.json()["slug"] == "atelier"
    # Only its hash is kept, and its name says where it came from.
    with scope(store=world.a):
        stored = ApiToken.objects.get(membership=world.a_manager.membership, name="cli")
    assert stored.token_hash != token
    assert token.startswith(stored.prefix)


@pytest.mark.django_db
def test_token_create_takes_a_name(capsys: Any, world: World) -> None:
    code, _out, _err = run(
        capsys, "token", "create", "--store", "atelier", "--email", world.a_owner.email, "--name", "Shopify sync"
    )
    assert code == 0
    with scope(store=world.a):
        assert ApiToken.objects.filter(membership=world.a_owner.membership, name="Shopify sync").count() == 1


@pytest.mark.django_db
def test_token_of_one_store_does_not_open_another(capsys: Any, world: World) -> None:
    _code, out, _err = run(capsys, "token", "create", "--store", "bijoux", "--email", world.b_owner.email)
    response = Client(headers={"Authorization": f"Bearer {out[-1]}"}).get("/api/v1/store")
    assert response.status_code == 200
    assert response.json()["slug"] == "bijoux"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("store", "email", "message"),
    [
        ("nowhere", "ana@atelier.example.com", "trunkshow: no store with the slug 'nowhere'"),
        ("bijoux", "ana@atelier.example.com", "trunkshow: ana@atelier.example.com is not active staff of bijoux"),
        ("atelier", "olga@outside.example.net", "trunkshow: olga@outside.example.net is not active staff of atelier"),
        ("atelier", "nobody@example.com", "trunkshow: nobody@example.com is not active staff of atelier"),
    ],
)
def test_token_create_refuses_people_who_are_not_staff_of_the_store(
    capsys: Any, world: World, store: str, email: str, message: str
) -> None:
    with scopes_disabled():
        before = ApiToken.objects.count()
    code, out, err = run(capsys, "token", "create", "--store", store, "--email", email)
    assert (code, out, err.strip()) == (2, [], message)
    with scopes_disabled():
        assert ApiToken.objects.count() == before


@pytest.mark.django_db
def test_token_create_refuses_deactivated_staff(capsys: Any, world: World) -> None:
    from trunkshow.stores.services import staff_set_active

    with scope(store=world.a):
        staff_set_active(
            store=world.a,
            actor=world.a_owner.user,
            actor_membership=world.a_owner.membership,
            membership=world.a_associate.membership,
            active=False,
        )
    code, _out, err = run(capsys, "token", "create", "--store", "atelier", "--email", world.a_associate.email)
    assert code == 2
    assert f"{world.a_associate.email} is not active staff of atelier" in err


def test_token_without_a_subcommand_or_arguments_says_what_is_missing(capsys: Any) -> None:
    code, _out, err = run(capsys, "token")
    assert code == 2
    assert "required: token_command" in err or "the following arguments are required" in err
    code, _out, err = run(capsys, "token", "create", "--store", "atelier")
    assert code == 2
    assert "the following arguments are required: --email" in err


# ---- argument checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--port", "http"], "argument --port: 'http' is not a port number"),
        (["demo", "--port", "70000"], "argument --port: 70000 is not a port number (1 to 65535)"),
        (["serve", "--port", "0"], "argument --port: 0 is not a port number (1 to 65535)"),
        (["demo", "--customers", "-5"], "argument --customers: -5 is negative; give 0 or more"),
        (["web", "--workers", "many"], "argument --workers: 'many' is not a whole number"),
        (["fly"], "argument command: invalid choice: 'fly'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(capsys: Any, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == []
    assert message in err


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_demo_and_serve_refuse_a_port_in_use_before_touching_anything(capsys: Any, command: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, command, "--port", str(port))
    assert (code, out) == (2, [])
    assert err == f"trunkshow: cannot listen on 127.0.0.1:{port} (Address already in use); choose another with --port\n"


# ---- as real processes ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    """A laptop's environment: its own data dir, SQLite, no test settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "PYTEST_VERSION",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "PUBLIC_URL",
            "ALLOWED_HOSTS",
        }
    }
    env.update(TRUNKSHOW_DATA_DIR=str(data_dir), TRUNKSHOW_ENV="development", PYTHONUNBUFFERED="1")
    return env


def _get(url: str, token: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_until_up(url: str, process: subprocess.Popen[str], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"trunkshow exited with {process.returncode}:\n{log.read_text()}")
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "var"
    yield path


def _start_demo(data_dir: Path, port: int, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [TRUNKSHOW, "demo", "--port", str(port), "--customers", "5"],
        env=_env(data_dir),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
    )


def _stop(process: subprocess.Popen[str], sig: int) -> int:
    os.killpg(process.pid, sig) if sig == signal.SIGINT else process.send_signal(sig)
    try:
        return process.wait(timeout=20)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def test_demo_serves_with_a_worker_stops_cleanly_and_keeps_its_data_and_password(
    data_dir: Path, tmp_path: Path
) -> None:
    port = _free_port()
    log = tmp_path / "demo-1.log"
    process = _start_demo(data_dir, port, log)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
        assert _get(f"http://127.0.0.1:{port}/login/")[0] == 200
        ready_status, ready = _get(f"http://127.0.0.1:{port}/readyz")
        assert ready_status == 200, ready
    finally:
        code = _stop(process, signal.SIGTERM)  # as systemd or a container runtime stops it
    output = log.read_text()
    assert code == 0, output
    assert not _group_alive(process.pid), "the web server or the worker outlived trunkshow"
    assert "Huey consumer started" in output  # the worker ran beside the web server
    assert f"  Trunkshow is running at http://127.0.0.1:{port}" in output
    assert "  Log in as owner@example.com" in output
    password_file = data_dir / "demo-owner-password"
    password = password_file.read_text().strip()
    assert f"  Password: {password}   (kept in {password_file})" in output
    assert "Loading the demo store with 5 customers" in output
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    assert (data_dir / "trunkshow.sqlite3").exists()
    assert (data_dir / "trunkshow.sqlite3-wal").exists() or _journal_mode(data_dir) == "wal"

    # A token made by the CLI in that data dir opens the API of the running demo.
    port = _free_port()
    log = tmp_path / "demo-2.log"
    process = _start_demo(data_dir, port, log)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
        made = subprocess.run(
            [TRUNKSHOW, "token", "create", "--store", "demo", "--email", "owner@example.com"],
            env=_env(data_dir),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        token = made.stdout.splitlines()[-1]
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/store", token)
        assert (status, b'"slug": "demo"' in body or b'"slug":"demo"' in body) == (200, True), body
        assert _get(f"http://127.0.0.1:{port}/api/v1/store", "not-a-token")[0] == 401
        # The sample store website's chat works on the address the demo runs on this time.
        assert _get(f"http://127.0.0.1:{port}/demo-site/")[0] == 200
        config = urllib.request.Request(
            f"http://127.0.0.1:{port}/widget/api/demo/config", headers={"Origin": f"http://127.0.0.1:{port}"}
        )
        with urllib.request.urlopen(config, timeout=10) as response:
            assert response.status == 200
    finally:
        code = _stop(process, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
    output = log.read_text()
    assert code == 0, output
    assert not _group_alive(process.pid)
    assert "The demo store is already loaded; keeping its data." in output
    assert f"  Password: {password}   " in output
    assert _count_customers(data_dir) == 5 + 2  # and the unknown texter and the web-chat visitor of the inbox demo


def _journal_mode(data_dir: Path) -> str:
    import sqlite3

    with sqlite3.connect(data_dir / "trunkshow.sqlite3") as db:
        return str(db.execute("PRAGMA journal_mode").fetchone()[0])


def _count_customers(data_dir: Path) -> int:
    import sqlite3

    with sqlite3.connect(data_dir / "trunkshow.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM customers_customer").fetchone()[0])


def test_createstore_createstaff_and_token_create_work_as_commands(data_dir: Path) -> None:
    env = _env(data_dir)

    def trunkshow(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TRUNKSHOW, *argv], env=env, capture_output=True, text=True, timeout=120)

    assert trunkshow("migrate").returncode == 0
    made = trunkshow("createstore", "--slug", "atelier", "--name", "Atelier Ana", "--time-zone", "America/New_York")
    assert (made.returncode, made.stdout, made.stderr) == (0, "Created store Atelier Ana (atelier)\n", "")
    staff = trunkshow("createstaff", "--store", "atelier", "--email", "ana@example.com", "--role", "owner")
    assert staff.returncode == 0
    assert staff.stdout.splitlines()[0] == "Added ana@example.com to atelier as owner"
    token = trunkshow("token", "create", "--store", "atelier", "--email", "ana@example.com")
    assert token.returncode == 0
    assert len(token.stdout.splitlines()[-1]) >= 32
    refused = trunkshow("token", "create", "--store", "atelier", "--email", "nobody@example.com")
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        2,
        "",
        "trunkshow: nobody@example.com is not active staff of atelier\n",
    )


def test_web_and_worker_run_alone_and_stop_cleanly_on_the_signals_systemd_sends(data_dir: Path, tmp_path: Path) -> None:
    env = _env(data_dir)
    assert subprocess.run([TRUNKSHOW, "migrate"], env=env, timeout=120).returncode == 0
    port = _free_port()
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    web = subprocess.Popen(
        [TRUNKSHOW, "web", "--port", str(port)], env=env, stdout=web_log.open("w"), stderr=subprocess.STDOUT, text=True
    )
    worker = subprocess.Popen(
        [TRUNKSHOW, "worker"], env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", web, web_log)
        deadline = time.monotonic() + 60
        while "Huey consumer started" not in worker_log.read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, worker_log.read_text()
            time.sleep(0.3)
        assert "Huey consumer started" in worker_log.read_text()
    finally:
        web.send_signal(signal.SIGTERM)  # KillSignal of trunkshow-web@.service
        worker.send_signal(signal.SIGINT)  # KillSignal of trunkshow-worker@.service
        web_code, worker_code = web.wait(timeout=30), worker.wait(timeout=30)
    # `trunkshow web` became uvicorn, so the signal reached the server itself, which finished its
    # requests and then re-raised SIGTERM (systemd counts death by SIGTERM as a clean stop).
    assert (web_code, worker_code) == (-signal.SIGTERM, 0), web_log.read_text() + worker_log.read_text()
    assert "Finished server process" in web_log.read_text()
    assert "Consumer exiting." in worker_log.read_text()
