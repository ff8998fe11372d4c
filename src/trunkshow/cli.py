"""The ``trunkshow`` command: demo, serve, web, worker, migrate, createstore, createstaff, token, import, email."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from trunkshow.core.limits import WS_MAX_FRAME


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")
    import django

    django.setup()


def _lan_address() -> str | None:
    """This machine's address on its network (no packet is sent), for a phone at the counter."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _listen_env(host: str, port: int) -> str:
    """Make links in emails and the allowed hosts follow where we listen, unless set; the URL to open."""
    everywhere = host in ("0.0.0.0", "::")  # noqa: S104 - deciding what to print and allow
    lan = _lan_address() if everywhere else None
    url = f"http://{lan or ('127.0.0.1' if everywhere else host)}:{port}"
    os.environ.setdefault("PUBLIC_URL", url)
    if everywhere and not os.environ.get("ALLOWED_HOSTS") and os.environ.get("TRUNKSHOW_ENV") != "production":
        # Listening on every interface on a laptop: phones reach it by whatever address they know.
        os.environ["ALLOWED_HOSTS"] = "*"
    return url


def _fail(message: str) -> int:
    print(f"trunkshow: {message}", file=sys.stderr)
    return 2


def _validation_message(exc: Any) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trunkshow", *args.rest])
    return 0


def cmd_createstore(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ValidationError

    from trunkshow.stores.services import store_create

    fields = {
        k: getattr(args, k) for k in ("time_zone", "currency", "locale", "phone_region", "country") if getattr(args, k)
    }
    try:
        store = store_create(slug=args.slug, name=args.name, **fields)
    except ValidationError as exc:
        return _fail(_validation_message(exc))
    print(f"Created store {store.name} ({store.slug})")
    return 0


def cmd_createstaff(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ValidationError

    from trunkshow.stores.models import Store, User
    from trunkshow.stores.services import staff_create

    store = Store.objects.filter(slug=args.store).first()
    if store is None:
        return _fail(f"no store with the slug {args.store!r}")
    password = args.password
    generated = False
    # Someone who already has a login (staff of another store) keeps their password.
    has_login = User.objects.filter(email__iexact=args.email.strip()).exists()
    if password is None and not args.no_password and not has_login:
        password, generated = secrets.token_urlsafe(12), True
    try:
        membership = staff_create(
            store=store, email=args.email, role=args.role, name=args.name or "", password=password
        )
    except ValidationError as exc:
        return _fail(_validation_message(exc))
    print(f"Added {membership.user.email} to {store.slug} as {membership.role}")
    if generated:
        print(f"Password: {password}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ValidationError
    from django_scopes import scopes_disabled

    from trunkshow.stores.models import Membership, Store
    from trunkshow.stores.services import token_create

    store = Store.objects.filter(slug=args.store).first()
    if store is None:
        return _fail(f"no store with the slug {args.store!r}")
    with scopes_disabled():
        membership = (
            Membership.objects.filter(store=store, user__email=args.email.strip().lower(), is_active=True)
            .select_related("user")
            .first()
        )
    if membership is None:
        return _fail(f"{args.email} is not active staff of {args.store}")
    try:
        _token, raw = token_create(store=store, membership=membership, name=args.name or "cli")
    except ValidationError as exc:
        return _fail(_validation_message(exc))
    print(f"API token for {membership.user.email} in {store.slug} (shown once; keep it secret):")
    print(raw)
    return 0


# sysexits.h, which Postfix's pipe(8) reads: a bounce with our reason, or a later retry.
EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 65, 67, 75


def cmd_email_receive(args: argparse.Namespace) -> int:
    """One message on stdin, as a mail server's pipe delivers it: the same path as the webhook."""
    _setup()
    from django.conf import settings
    from django.db import DatabaseError
    from django_scopes import scope

    from trunkshow.messaging.channels.email.inbound import Refused, email_receive, route_raw

    raw = sys.stdin.buffer.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
    try:
        if not raw.strip():
            raise Refused(400, "empty", "No message on standard input.")
        route = route_raw(raw=raw, recipient=args.recipient or "", store_slug=args.store or "")
        with scope(store=route.store):
            message, created = email_receive(route=route, raw=raw, recipient=args.recipient or "")
    except Refused as refused:
        print(f"trunkshow: message refused: {refused.reason}", file=sys.stderr)
        return EX_NOUSER if refused.status == 404 else EX_DATAERR
    except (OSError, DatabaseError) as exc:
        print(f"trunkshow: message not stored, try again later: {exc.__class__.__name__}", file=sys.stderr)
        return EX_TEMPFAIL
    state = "stored" if created else "already stored"
    print(f"{state}: message {message.pk} in conversation {message.conversation_id} of {route.store.slug}")
    return 0


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


class _ProgressBar:
    """A one-line progress bar on stderr, redrawn in place; into a file or a pipe (a log), a line
    at each tenth of the way instead, each written once."""

    def __init__(self, total: int, width: int = 30) -> None:
        self.total, self.width, self.started = max(total, 1), width, time.monotonic()
        self.live = sys.stderr.isatty()
        self.shown: tuple[int, int] | None = None  # what was last written: (rows done, tenth)

    def __call__(self, job: Any) -> None:
        done = job.processed_rows
        percent = done * 100 // self.total
        step = (done, percent // 10) if self.live else (-1, percent // 10)
        if step == self.shown:
            return
        self.shown = step
        filled = int(self.width * done / self.total)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% {done:,}/{_rows(self.total)}, {rate:,.0f}/s"
        )
        sys.stderr.write(f"\r{line}" if self.live else f"{line}\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.live and self.shown is not None:
            sys.stderr.write("\n")


def _print_mapping(columns: list[str], mapping: dict[str, str]) -> None:
    """What each column is imported as, and the columns left out by name, as the web's mapping step
    shows them ("Do not import"), with how to map one."""
    from trunkshow.customers.importing import mapping as m

    width = max(len(column) for column in columns)
    print("Columns (change one with --map 'COLUMN=FIELD'):", file=sys.stderr)
    for column in columns:
        field = mapping.get(column, m.IGNORE)
        shown = f"{m.FIELDS[field]} ({field})" if field else str(m.FIELDS[m.IGNORE])
        print(f"  {column:<{width}}  → {shown}", file=sys.stderr)
    left_out = [column for column in columns if not mapping.get(column)]
    if left_out:
        print(
            f"Not imported: {', '.join(f'“{c}”' for c in left_out)}. To import one, run again with "
            f"--map 'COLUMN=FIELD', FIELD one of {', '.join(f for f in m.FIELDS if f)}.",
            file=sys.stderr,
        )


def cmd_import_customers(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django_scopes import scope

    from trunkshow.customers import importing
    from trunkshow.customers.importing import encodings
    from trunkshow.customers.importing.reading import DELIMITERS, ENCODING_LABELS
    from trunkshow.customers.models import ImportOutcome, ImportRow
    from trunkshow.stores.models import Store

    store = Store.objects.filter(slug=args.store).first()
    if store is None:
        return _fail(f"no store with the slug {args.store!r}")
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{args.file}: no such file")
    overrides: dict[str, str] = {}
    for item in args.mapping or []:
        column, sep, field = item.partition("=")
        if not sep:
            return _fail(f"--map {item!r}: write it as COLUMN=FIELD, like 'Mobile=phone' (FIELD empty to skip)")
        column, field = column.strip(), field.strip()
        if overrides.get(column, field) != field:
            return _fail(f"--map names the column {column!r} twice ({overrides[column]!r} and {field!r}): map it once")
        overrides[column] = field
    names = ", ".join(encodings.CHOICES)
    if args.encoding is not None and encodings.choice(args.encoding) is None:
        return _fail(f"--encoding {args.encoding!r}: not an encoding we read; use one of {names}")
    with scope(store=store):
        try:
            with open(path, "rb") as fh:
                # The mapping is checked with the header before the job is made: a refused command
                # leaves no import, no audit entry and no stored file behind, only its message. Nobody
                # sees a preview before the run, so an encoding in doubt is refused, not guessed.
                job = importing.import_upload(
                    store=store,
                    actor=None,
                    file_name=path.name,
                    stream=fh,
                    mapping=overrides,
                    encoding=args.encoding,
                    sure=True,
                )
        except ValidationError as exc:
            hint = ""
            if "encoding" in getattr(exc, "message_dict", {}):
                hint = f" Run again with --encoding NAME, NAME one of {names}."
            return _fail(f"{path.name}: {' '.join(exc.messages)}{hint}")
        print(
            f"{path.name}: {_rows(job.total_rows or 0)}, {ENCODING_LABELS.get(job.encoding, job.encoding)}, "
            f"separated by {DELIMITERS.get(job.delimiter, job.delimiter)}",
            file=sys.stderr,
        )
        _print_mapping(job.columns, job.mapping)
        if args.dry_run:  # nothing stays: not the waiting upload, its stored file or an emptied folder
            stored = Path(settings.DATA_DIR) / job.stored_path
            stored.unlink(missing_ok=True)
            for folder in (stored.parent, stored.parent.parent):
                with contextlib.suppress(OSError):  # not empty: another upload is waiting there
                    folder.rmdir()
            job.delete()
            print(f"Nothing imported (--dry-run): {path.name} has {_rows(job.total_rows or 0)} to import.")
            return 0
        job = importing.import_start(store=store, actor=None, job=job, enqueue=False)
        bar = _ProgressBar(job.total_rows or 0)
        try:
            job = importing.import_run(store=store, job_id=job.pk, progress=bar)
        finally:
            bar.close()
        if job.status == "failed":
            return _fail(f"{path.name}: {job.failure}")
        print(
            f"Imported {path.name} into {store.slug}: {job.created_count:,} created, {job.merged_count:,} merged, "
            f"{job.unchanged_count:,} unchanged, {job.error_count:,} not imported."
        )
        errors = ImportRow.objects.filter(job=job, outcome=ImportOutcome.ERROR).order_by("line")
        for row in errors[:20]:
            print(f"  {'line' if job.line_numbers else 'row'} {row.line}: {row.message}")
        if job.error_count > 20:
            print(
                f"  ... and {job.error_count - 20:,} more: see the import's page, or GET /api/v1/imports/{job.pk}/rows?outcome=error"
            )
    return 0


def _uvicorn(host: str, port: int, workers: int = 1) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "trunkshow.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--no-server-header",
        # Live events are small JSON objects; per-message compression kept a zlib compressor and
        # decompressor per open socket (about 40 KB each, measured with tracemalloc) for nothing.
        "--ws-per-message-deflate",
        "false",
        "--ws-max-size",
        str(WS_MAX_FRAME),
    ]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if os.environ.get("TRUSTED_PROXY_COUNT", "0") not in {"", "0"}:
        cmd += ["--proxy-headers", "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")]
    return cmd


def cmd_web(args: argparse.Namespace) -> int:
    _setup()  # refuse bad settings here, in one line, rather than in every uvicorn worker
    # Become uvicorn, so a process manager's SIGTERM reaches the server and no child is orphaned.
    cmd = _uvicorn(args.host, args.port, args.workers)
    os.execv(cmd[0], cmd)  # noqa: S606 - an argument list, no shell
    return 0  # not reached


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    # Each app's tasks.py registers its tasks when imported; the worker must know them all.
    autodiscover_modules("tasks")
    huey_settings: dict[str, Any] = settings.HUEY
    options: dict[str, Any] = dict(huey_settings.get("consumer", {}))
    if args.workers:
        options["workers"] = args.workers
    consumer = HUEY.create_consumer(**options)
    consumer.run()
    return 0


def _serve(host: str, port: int) -> int:
    """Web and worker in one process group; Ctrl-C stops both."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trunkshow.settings"}
    worker = subprocess.Popen([sys.executable, "-m", "trunkshow.cli", "worker"], env=env)
    web = subprocess.Popen(_uvicorn(host, port), env=env)
    children = [web, worker]

    def stop(signum: int, frame: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for child in children:
                code = child.poll()
                if code is not None:
                    stop(signal.SIGTERM, None)
                    for other in children:
                        other.wait(timeout=10)
                    return 0 if code in (0, -15) else code
            with contextlib.suppress(subprocess.TimeoutExpired):
                web.wait(timeout=0.5)
    except KeyboardInterrupt:
        stop(signal.SIGTERM, None)
        for child in children:
            child.wait(timeout=10)
        return 0


def _port_taken(host: str, port: int) -> str | None:
    """Why we cannot listen there, checked before migrating and loading rather than after."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            # As uvicorn does: a port left in TIME_WAIT by the last run is free to use.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        return f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port"
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    if problem := _port_taken(args.host, args.port):
        return _fail(problem)
    _listen_env(args.host, args.port)
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return _serve(args.host, args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    if problem := _port_taken(args.host, args.port):
        return _fail(problem)
    url = _listen_env(args.host, args.port)
    # The demo may be opened from phones on the shop's network: no tracebacks or settings on error pages.
    os.environ.setdefault("DEBUG", "false")
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from trunkshow.demo import DEMO_SLUG, demo_load, demo_sample_import, demo_site_allow
    from trunkshow.stores.models import Store

    data_dir: Path = settings.DATA_DIR
    print(f"Data directory: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    password_file = data_dir / "demo-owner-password"
    if not password_file.exists():
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(12))
    password = password_file.read_text().strip()
    if not Store.objects.filter(slug=DEMO_SLUG).exists():
        print(f"Loading the demo store with {args.customers} customers (takes up to half a minute)...")
        sys.stdout.flush()
    started = time.monotonic()
    created = demo_load(owner_password=password, customers=args.customers)
    if created:
        print(f"Loaded the demo store in {time.monotonic() - started:.1f} s.")
    else:
        print("The demo store is already loaded; keeping its data.")
    sample = data_dir / "sample-pos-export.csv"
    demo_sample_import(path=sample)
    demo_site_allow(origin=settings.PUBLIC_URL)
    print()
    print(f"  Trunkshow is running at {url}")
    print("  Log in as owner@example.com")
    print(f"  Password: {password}   (kept in {password_file})")
    print("  The same password works for manager@example.com, sofia@example.com and james@example.com.")
    print(f"  To try an import: Customers > Import, with {sample}")
    print(f"  To chat as a customer: open {url}/demo-site/ in another browser window")
    print("  Press Ctrl-C to stop.")
    print()
    sys.stdout.flush()
    return _serve(args.host, args.port)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"{count} is negative; give 0 or more")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trunkshow", description="Clienteling and conversations for independent jewelers."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def listener(p: argparse.ArgumentParser, port: int = 8000) -> None:
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        p.add_argument("--port", type=_port, default=port, help=f"port to listen on (default {port})")

    p = sub.add_parser("demo", help="create ./var, load the demo store and run web and worker")
    listener(p)
    p.add_argument("--customers", type=_count, default=500, help="number of demo customers (default 500)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="migrate, then run web and worker in one process group")
    listener(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("web", help="run the web server (uvicorn)")
    listener(p)
    p.add_argument("--workers", type=_count, default=1, help="uvicorn worker processes")
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("worker", help="run the background worker")
    p.add_argument("--workers", type=_count, default=0, help="worker threads (default from settings)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("createstore", help="create a store")
    p.add_argument("--slug", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--time-zone", dest="time_zone")
    p.add_argument("--currency")
    p.add_argument("--locale")
    p.add_argument("--phone-region", dest="phone_region")
    p.add_argument("--country")
    p.set_defaults(func=cmd_createstore)

    p = sub.add_parser("createstaff", help="add a staff member to a store")
    p.add_argument("--store", required=True, help="the store's slug")
    p.add_argument("--email", required=True)
    p.add_argument("--role", default="associate", choices=["owner", "manager", "associate"])
    p.add_argument("--name")
    p.add_argument("--password", help="their password (default: generated and printed)")
    p.add_argument("--no-password", action="store_true", help="create without a password (they use 'forgot password')")
    p.set_defaults(func=cmd_createstaff)

    p = sub.add_parser("token", help="API tokens")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    t = token_sub.add_parser("create", help="create an API token; prints it alone on the last line")
    t.add_argument("--store", required=True)
    t.add_argument("--email", required=True)
    t.add_argument("--name", default="")
    t.set_defaults(func=cmd_token_create)

    p = sub.add_parser("import", help="import data from a file")
    import_sub = p.add_subparsers(dest="import_command", required=True)
    i = import_sub.add_parser(
        "customers", help="import customers from a point-of-sale CSV export (the same import as the web page)"
    )
    i.add_argument("file", metavar="FILE.csv")
    i.add_argument("--store", required=True, help="the store's slug")
    i.add_argument(
        "--encoding",
        metavar="NAME",
        help="read the file in this encoding instead of detecting it: utf-8, windows-1252, windows-1250, "
        "windows-1251, windows-1253, windows-1254, shift_jis, gb18030, euc-kr, windows-1255, windows-1256, "
        "windows-1257, windows-1258 or big5",
    )
    i.add_argument(
        "--map",
        "--mapping",
        dest="mapping",
        action="extend",
        nargs="+",
        metavar="COL=FIELD",
        help="change the guessed mapping of a column, e.g. --map 'Telefon=phone' 'DOB=birthday_dmy' 'Fax=' "
        "(FIELD empty: not imported; COLUMN as the file's header, in any case); the mapping used is printed "
        "before the import",
    )
    i.add_argument(
        "--dry-run",
        action="store_true",
        help="read the file and print the mapping it would use, the columns it would not import and its "
        "row count; import nothing",
    )
    i.set_defaults(func=cmd_import_customers)

    p = sub.add_parser("email", help="email")
    email_sub = p.add_subparsers(dest="email_command", required=True)
    e = email_sub.add_parser(
        "receive", help="store one raw email read from standard input (for a mail server's pipe, e.g. Postfix)"
    )
    e.add_argument("--store", help="the store's slug (default: from the recipient address)")
    e.add_argument("--recipient", help="the envelope recipient, e.g. Postfix's ${recipient}")
    e.set_defaults(func=cmd_email_receive)

    p = sub.add_parser("manage", help="run a Django management command (collectstatic, check --deploy, ...)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ImproperlyConfigured as exc:
        # A bad setting is the operator's to fix: one line that names it, not a traceback.
        return _fail(f"configuration: {exc}")


if __name__ == "__main__":
    sys.exit(main())
