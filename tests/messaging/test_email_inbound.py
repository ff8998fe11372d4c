"""Inbound email: raw MIME from common mail clients, through the webhook and the pipe command.

The fixtures in ``email_fixtures/`` are messages as Gmail, Apple Mail, Outlook and Thunderbird
write them; a reply to our own email is built from the Message-ID that a real SMTP server
(aiosmtpd) received from us.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.test import Client, override_settings
from django_scopes import scope, scopes_disabled

from tests.conftest import browser_client, make_customer
from trunkshow.cli import main
from trunkshow.customers.models import Customer
from trunkshow.messaging.models import Attachment, Conversation, Message, ProviderEvent, attachment_storage
from trunkshow.messaging.services import message_receive, message_send

FIXTURES = Path(__file__).parent / "email_fixtures"
SECRET = "inbound-secret-for-tests-0123456789abcdef"
DOMAIN = "in.trunkshow.test"
URL = "/hooks/email/inbound"


@pytest.fixture(autouse=True)
def inbound_settings(tmp_path: Path) -> Any:
    cache.clear()  # the throttle counts per minute in the cache
    with override_settings(
        INBOUND_EMAIL_SECRET=SECRET,
        INBOUND_EMAIL_DOMAIN=DOMAIN,
        ATTACHMENTS_DIR=tmp_path / "attachments",
        INBOUND_EMAIL_RATE_PER_MINUTE=1000,
    ):
        yield tmp_path / "attachments"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def deliver(raw: bytes, *, query: str = "", **headers: str) -> Any:
    headers.setdefault("Authorization", f"Bearer {SECRET}")
    return Client(headers=headers).post(f"{URL}{query}", data=raw, content_type="message/rfc822")


def counts() -> tuple[int, int, int, int]:
    with scopes_disabled():
        return (
            Message.objects.count(),
            Attachment.objects.count(),
            ProviderEvent.objects.exclude(kind="refused").count(),
            Customer.objects.count(),
        )


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def with_headers(raw: bytes, **replace: str) -> bytes:
    """The message with some headers replaced (names with '_' for '-')."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    for name, value in replace.items():
        header = name.replace("_", "-")
        del message[header]
        if value:
            message[header] = value
    return message.as_bytes(policy=policy.SMTP)


# ---- the clients ------------------------------------------------------------------------------

CLIENTS = {
    "gmail_reply": (
        "clara.customer@gmail.com",
        ("Clara", "Customer"),
        "Wonderful, thank you! Could I come by on Saturday around 11 to try it on?\n\nClara",
        "On Mon, Nov 23, 2026 at 10:02\u202fAM Atelier Ana <hello@atelier.example.com>\nwrote:\n\n"
        "> Yes, Clara: the sapphire ring is here, size 6.\n>\n> Ana\n>",
        [],
    ),
    "apple_mail_reply": (
        "renee.dore@icloud.com",
        ("Renée", "Doré"),
        "Here is the ring on my finger — it slides a little.\n\nRenée",
        "> On 23 Nov 2026, at 15:02, Atelier Ana <hello@atelier.example.com> wrote:\n>\n"
        "> Could you send us a photo of the ring on your finger?\n>\n> Ana",
        [("IMG_4021.jpeg", "image/jpeg", 633)],
    ),
    "outlook_reply": (
        "thomas.berger@contoso-legal.com",
        ("Berger,", "Thomas"),
        'Hi Ana,\n\nThe white gold one, please. Can it be engraved with "T & M 2016"?\n\nBest regards,\nThomas',
        "________________________________\nFrom: Atelier Ana <hello@atelier.example.com>\n"
        "Sent: Monday, November 23, 2026 10:05 AM\nTo: Berger, Thomas <thomas.berger@contoso-legal.com>\n"
        "Subject: Anniversary necklace\n\nDear Thomas, we have the necklace in yellow and in white gold. "
        "Which would you like?\n\nAna",
        [],
    ),
    "outlook_original_message": (
        "priya@fabrikam-dental.com",
        ("Dr.", "Priya Natarajan"),
        "Thanks – I’ll pick it up on Thursday.\n\nPriya",
        "-----Original Message-----\nFrom: Atelier Ana <hello@atelier.example.com>\n"
        "Sent: Monday, November 23, 2026 10:40 AM\nTo: priya@fabrikam-dental.com\nSubject: Watch battery\n\n"
        "Your watch is ready: we replaced the battery and the gasket.",
        [],
    ),
    "thunderbird_reply": (
        "jonas.weber@posteo.de",
        ("Jonas", "Müller-Weber"),
        "Hello Ana,\n\nthe estimate is fine, please go ahead with the repair of the clasp and the polishing. "
        "I signed the form, it is attached.\n\nGrüße,\nJonas",
        "On 23.11.26 16:10, Atelier Ana wrote:\n"
        "> Dear Jonas, the repair of the clasp is 85 EUR and the polishing 40 EUR.\n"
        "> Please sign the attached form.\n>\n> Ana",
        [("signed estimate.pdf", "application/pdf", 125)],
    ),
}


@pytest.mark.parametrize("client_name", sorted(CLIENTS))
def test_a_mail_clients_message_becomes_the_senders_text_with_history_and_attachments_apart(
    world: Any, client_name: str, inbound_settings: Path
) -> None:
    sender, (first, last), text, quoted, attachments = CLIENTS[client_name]
    raw = fixture(client_name)
    parsed = BytesParser(policy=policy.default).parsebytes(raw)

    response = deliver(raw)

    assert response.status_code == 201, response.content
    with scope(store=world.a):
        message = Message.objects.get()
        assert response.json() == {"message": message.pk, "conversation": message.conversation_id, "created": True}
        assert (message.store, message.channel, message.direction, message.status) == (
            world.a,
            "email",
            "in",
            "received",
        )
        assert (message.from_address, message.to_address) == (sender, "atelier@in.trunkshow.test")
        assert message.body == text
        assert message.meta["quoted"] == quoted
        assert message.meta["message_id"] == parsed["Message-ID"].strip()
        assert message.meta["references"] == str(parsed.get("References", "")).split()
        assert (message.provider, message.provider_id) == ("email", f"{world.a.pk}:{parsed['Message-ID'].strip()}")
        # An unknown address is a new customer named as the sender signs, found from now on by that address.
        customer = message.conversation.customer
        assert (customer.first_name, customer.last_name, customer.source) == (first, last, "chat")
        assert [e.address for e in customer.emails.all()] == [sender]
        assert message.conversation.subject == re.sub(r"^re: ", "", str(parsed["Subject"]), flags=re.IGNORECASE)
        stored = [(a.filename, a.content_type, a.size) for a in message.attachments.order_by("id")]
        assert stored == attachments
        for attachment in message.attachments.all():
            assert re.fullmatch(rf"{world.a.pk}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}", attachment.file.name)
            with attachment.file.open("rb") as fh:
                assert len(fh.read()) == attachment.size
        assert ProviderEvent.objects.get().event_id == message.provider_id
        # An image we can read also has a re-encoded thumbnail for the thread.
        thumbnails = [a.thumbnail.name for a in message.attachments.all() if a.thumbnail]
        assert len(thumbnails) == sum(1 for _name, kind, _size in attachments if kind == "image/jpeg")
    assert len(stored_files(inbound_settings)) == len(attachments) + len(thumbnails)


def test_the_attachment_is_kept_byte_for_byte(world: Any) -> None:
    raw = fixture("apple_mail_reply")
    photo = next(p for p in BytesParser(policy=policy.default).parsebytes(raw).walk() if p.get_filename())
    deliver(raw)
    with scope(store=world.a):
        attachment = Attachment.objects.get()
        with attachment.file.open("rb") as fh:
            assert fh.read() == photo.get_payload(decode=True)


# ---- threading --------------------------------------------------------------------------------


def email_conversation(world: Any, captured: Any, smtp: Any) -> tuple[Conversation, EmailMessage]:
    """Clara wrote by email and Ali answered: the answer as the real SMTP server received it."""
    make_customer(world.a, emails=["clara.customer@gmail.com"])
    with scope(store=world.a), captured(execute=True):
        first, _created = message_receive(
            store=world.a,
            channel="email",
            from_address="clara.customer@gmail.com",
            body="Do you still have the sapphire ring?",
            provider="email",
            provider_id=f"{world.a.pk}:<clara-1@mail.gmail.com>",
            meta={"message_id": "<clara-1@mail.gmail.com>", "references": []},
        )
        message_send(
            store=world.a, actor=world.a_associate.user, conversation=first.conversation, body="Yes, it is here."
        )
    assert len(smtp.messages) == 1
    return first.conversation, smtp.messages[0]


def test_a_reply_to_our_email_from_another_address_lands_in_the_same_conversation(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation, ours = email_conversation(world, django_capture_on_commit_callbacks, smtp)
    our_id = ours["Message-ID"]
    reply = with_headers(
        fixture("gmail_reply"),
        From="Clara at work <clara@work.example.com>",
        In_Reply_To=our_id,
        References=f"<clara-1@mail.gmail.com> {our_id}",
    )
    customers_before = counts()[3]

    response = deliver(reply)

    assert response.status_code == 201
    assert response.json()["conversation"] == conversation.pk
    with scope(store=world.a):
        message = Message.objects.get(pk=response.json()["message"])
        assert message.from_address == "clara@work.example.com"
        assert message.body.startswith("Wonderful, thank you!")
    assert counts()[3] == customers_before  # no stranger created for the other address


def test_a_reply_that_lost_its_headers_still_finds_the_thread_by_the_signed_reply_address(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation, ours = email_conversation(world, django_capture_on_commit_callbacks, smtp)
    reply_to = ours["Reply-To"]
    assert re.fullmatch(rf"reply\+{world.a.pk}-{conversation.pk}-[0-9a-f]{{20}}@{re.escape(DOMAIN)}", reply_to)
    reply = with_headers(
        fixture("outlook_original_message"),
        To=reply_to,
        From="Clara <clara.customer@gmail.com>",
        In_Reply_To="",
        References="",
    )

    response = deliver(reply)

    assert response.status_code == 201
    assert response.json()["conversation"] == conversation.pk


def test_a_forged_reply_address_reaches_no_conversation(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _conversation, ours = email_conversation(world, django_capture_on_commit_callbacks, smtp)
    forged = re.sub(r"-[0-9a-f]{20}@", "-" + "0" * 20 + "@", ours["Reply-To"])
    before = counts()

    response = deliver(with_headers(fixture("gmail_reply"), To=forged, Delivered_To="", In_Reply_To="", References=""))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_recipient"
    assert counts() == before


def test_a_reply_to_store_b_never_threads_into_store_as_conversation(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation, ours = email_conversation(world, django_capture_on_commit_callbacks, smtp)
    reply = with_headers(
        fixture("gmail_reply"), Delivered_To="", To="bijoux@in.trunkshow.test", In_Reply_To=ours["Message-ID"]
    )

    response = deliver(reply)

    assert response.status_code == 201
    with scopes_disabled():
        message = Message.objects.get(pk=response.json()["message"])
    assert message.store == world.b
    assert message.conversation_id != conversation.pk


def test_the_same_email_delivered_twice_is_one_message(world: Any) -> None:
    raw = fixture("thunderbird_reply")
    first = deliver(raw)
    second = deliver(raw)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == {**first.json(), "created": False}
    assert counts()[:3] == (1, 1, 1)


def test_one_email_sent_to_two_stores_is_a_message_in_each(world: Any) -> None:
    raw = with_headers(
        fixture("gmail_reply"), Delivered_To="", To="atelier@in.trunkshow.test, bijoux@in.trunkshow.test"
    )

    to_a = deliver(raw, query="?recipient=atelier@in.trunkshow.test")
    to_b = deliver(raw, query="?recipient=bijoux@in.trunkshow.test")

    assert (to_a.status_code, to_b.status_code) == (201, 201)
    with scopes_disabled():
        assert sorted(m.store.slug for m in Message.objects.all()) == ["atelier", "bijoux"]


def test_a_message_id_too_long_for_the_column_is_hashed_and_still_dedupes(world: Any) -> None:
    long_id = "<" + "x" * 200 + "@mail.example.net>"
    raw = with_headers(fixture("gmail_reply"), Message_ID=long_id)

    first, second = deliver(raw), deliver(raw)

    assert (first.status_code, second.status_code) == (201, 200)
    with scope(store=world.a):
        message = Message.objects.get()
    digest = hashlib.sha256(long_id.encode()).hexdigest()
    assert message.provider_id == f"{world.a.pk}:sha256:{digest}"
    assert message.meta["message_id"] == long_id


def test_a_follow_up_to_the_customers_own_email_joins_its_conversation(world: Any) -> None:
    first = deliver(fixture("thunderbird_reply")).json()
    follow_up = with_headers(
        fixture("outlook_original_message"),
        Delivered_To="atelier@in.trunkshow.test",
        In_Reply_To="<3b8f6e2a-9c1d-4f7e-b5a2-0d4c6e8f1a3b@posteo.de>",
        References="<3b8f6e2a-9c1d-4f7e-b5a2-0d4c6e8f1a3b@posteo.de>",
    )

    second = deliver(follow_up).json()

    assert second["conversation"] == first["conversation"]


def test_a_reply_address_whose_plus_arrived_as_a_space_still_routes(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation, ours = email_conversation(world, django_capture_on_commit_callbacks, smtp)
    reply = with_headers(fixture("gmail_reply"), Delivered_To="", To="", In_Reply_To="", References="")

    response = deliver(reply, query=f"?recipient={ours['Reply-To']}")  # "+" unencoded: a space

    assert response.status_code == 201
    assert response.json()["conversation"] == conversation.pk


# ---- authentication and abuse -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthenticated"),
        ({"Authorization": "Bearer not-the-secret"}, 403, "forbidden"),
        ({"Authorization": f"Basic {SECRET}"}, 403, "forbidden"),
        ({"X-Trunkshow-Signature": "sha256=" + "0" * 64}, 403, "forbidden"),
    ],
)
def test_a_delivery_without_the_secret_is_refused_and_nothing_is_written(
    world: Any, headers: dict[str, str], status: int, code: str
) -> None:
    response = Client(headers=headers).post(URL, data=fixture("gmail_reply"), content_type="message/rfc822")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert counts() == (0, 0, 0, 0)
    with scopes_disabled():
        assert ProviderEvent.objects.count() == 0


def test_a_delivery_signed_with_hmac_over_the_body_is_accepted_and_an_altered_body_is_not(world: Any) -> None:
    raw = fixture("gmail_reply")
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()

    altered = deliver(raw.replace(b"Saturday", b"Sunday"), Authorization="", X_Trunkshow_Signature=signature)
    signed = deliver(raw, Authorization="", X_Trunkshow_Signature=signature)

    assert altered.status_code == 403
    assert signed.status_code == 201


def test_without_a_configured_secret_every_delivery_is_refused(world: Any) -> None:
    with override_settings(INBOUND_EMAIL_SECRET=""):
        response = deliver(fixture("gmail_reply"), Authorization="Bearer ")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_configured"
    assert counts() == (0, 0, 0, 0)


def test_a_burst_of_deliveries_is_throttled(world: Any) -> None:
    with override_settings(INBOUND_EMAIL_RATE_PER_MINUTE=2):
        statuses = [
            deliver(fixture(name)).status_code for name in ("gmail_reply", "thunderbird_reply", "outlook_reply")
        ]
        refused = deliver(fixture("apple_mail_reply"))
    assert statuses == [201, 201, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert counts()[0] == 2


def test_only_post_is_accepted(world: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_html_only_mail_is_shown_as_text_and_kept_as_sanitised_html(world: Any) -> None:
    response = deliver(fixture("html_only_hostile"))

    assert response.status_code == 201
    with scope(store=world.a):
        message = Message.objects.get()
    # Where a web link leads follows its words (a javascript: one is words alone).
    assert message.body == "Do you sell platinum bands?\n\nSee this and that (https://example.com/rings)."
    html = message.meta["html"]
    for forbidden in ("<img", "onerror", "<script", "onload", "onclick", "javascript:", "<iframe", "tracker.example"):
        assert forbidden not in html
    assert '<a href="https://example.com/rings" rel="noopener noreferrer nofollow">that</a>' in html
    assert message.conversation.subject == "<b>Question</b> about your rings"  # text, escaped where shown


def test_an_html_only_mail_keeps_its_table_cells_apart_in_the_text(world: Any) -> None:
    """Found by a new user: an order or a signature laid out in a table read "Ring size6.5" in the inbox."""
    message = EmailMessage()
    message["From"] = "Html Only <html.only@example.com>"
    message["To"] = "atelier@in.trunkshow.test"
    message["Subject"] = "My order"
    message["Message-ID"] = "<table-cells@example.com>"
    message.set_content(
        "<p>Details of my order:</p><table><tr><th>Ring size</th><td>6.5</td></tr>"
        "<tr><td>Metal</td><td><b>Platinum</b></td><td>Engraving: <i>A &amp; M</i></td></tr></table><p>Thanks</p>",
        subtype="html",
    )

    response = deliver(bytes(message))

    assert response.status_code == 201
    with scope(store=world.a):
        body = Message.objects.get().body
    assert body == "Details of my order:\n\nRing size 6.5\n\nMetal Platinum Engraving: A & M\n\nThanks"


def test_markup_in_a_plain_text_email_is_shown_as_text_on_the_customers_page(world: Any) -> None:
    message = EmailMessage()
    message["From"] = "Mallory <mallory@example.net>"
    message["To"] = "atelier@in.trunkshow.test"
    message["Subject"] = "hello <b>there</b>"
    message["Message-ID"] = "<plain-xss@example.net>"
    message.set_content("Look: <img src=x onerror=alert(1)>")
    response = deliver(message.as_bytes())
    assert response.status_code == 201

    with scope(store=world.a):
        stored = Message.objects.get()
    page = browser_client(world.a_associate).get(f"/customers/{stored.conversation.customer_id}/").content.decode()
    assert "Look: &lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x onerror" not in page
    # The conversation shows what the customer wrote as the subject, as text too.
    thread = browser_client(world.a_associate).get(f"/inbox/{stored.conversation_id}/").content.decode()
    assert '<p class="msg-label msg-subject">Subject: hello &lt;b&gt;there&lt;/b&gt;</p>' in thread
    assert "Look: &lt;img src=x onerror=alert(1)&gt;" in thread


def test_an_attachment_name_cannot_choose_its_path_or_disguise_its_type(world: Any, inbound_settings: Path) -> None:
    message = EmailMessage()
    message["From"] = "clara.customer@gmail.com"
    message["To"] = "atelier@in.trunkshow.test"
    message["Message-ID"] = "<names@example.net>"
    message.set_content("Two files.")
    message.add_attachment(
        b"MZ fake", maintype="application", subtype="octet-stream", filename="../../etc/cron.d/x\u202egpj.exe"
    )
    message.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="\u202e\u200b")

    assert deliver(message.as_bytes()).status_code == 201

    with scope(store=world.a):
        names = [(a.filename, a.file.name.startswith(f"{world.a.pk}/")) for a in Attachment.objects.order_by("id")]
    assert names == [("xgpj.exe", True), ("attachment.png", True)]
    assert all(inbound_settings in p.parents for p in stored_files(inbound_settings))


def make_parts(count: int) -> bytes:
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(count))
    return (
        b"From: a@example.net\r\nTo: atelier@in.trunkshow.test\r\nMessage-ID: <parts@example.net>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    )


def make_nested(depth: int) -> bytes:
    head = (
        b"From: a@example.net\r\nTo: atelier@in.trunkshow.test\r\nMessage-ID: <deep@example.net>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    )
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i - 1, i) for i in range(1, depth)
    )
    leaf = b"--b%d\r\nContent-Type: text/plain\r\n\r\nx\r\n--b%d--\r\n" % (depth - 1, depth - 1)
    closing = b"".join(b"--b%d--\r\n" % i for i in range(depth - 2, -1, -1))
    return head + opening + leaf + closing


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (make_parts(5_000), 400, "too_many_parts"),
        (make_nested(20), 400, "too_deep"),
        (make_nested(2_000), 400, "too_deep"),
        (b"To: atelier@in.trunkshow.test\r\nSubject: no sender\r\n\r\nhi\r\n", 400, "malformed"),
        (b"\r\n\r\n", 400, "empty"),
        (b"From: a@example.net\r\nTo: nobody@elsewhere.example\r\n\r\nhi\r\n", 404, "unknown_recipient"),
    ],
    ids=["5000-parts", "nested-20", "nested-2000", "no-from", "empty", "unknown-recipient"],
)
def test_pathological_mime_is_refused_with_a_reason_and_nothing_half_written(
    world: Any, raw: bytes, status: int, code: str, inbound_settings: Path
) -> None:
    response = deliver(raw)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert counts() == (0, 0, 0, 0)
    assert stored_files(inbound_settings) == []


def test_refused_structure_is_recorded_for_review_without_the_body(world: Any) -> None:
    assert deliver(make_parts(600)).status_code == 400
    with scope(store=world.a):
        event = ProviderEvent.objects.get()
    assert (event.kind, event.event_id) == ("refused", f"refused:{world.a.pk}:<parts@example.net>")
    assert event.payload["code"] == "too_many_parts"
    assert event.payload["from"] == "a@example.net"


def test_a_30_mb_attachment_is_refused_as_too_large_before_it_is_read(world: Any, inbound_settings: Path) -> None:
    message = EmailMessage()
    message["From"] = "clara.customer@gmail.com"
    message["To"] = "atelier@in.trunkshow.test"
    message.set_content("The video of the ring.")
    message.add_attachment(b"\0" * (30 * 1024 * 1024), maintype="video", subtype="mp4", filename="ring.mp4")

    response = deliver(message.as_bytes())

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert counts() == (0, 0, 0, 0)
    assert stored_files(inbound_settings) == []


def test_attachments_over_the_total_limit_are_refused_and_none_is_kept(world: Any, inbound_settings: Path) -> None:
    message = EmailMessage()
    message["From"] = "clara.customer@gmail.com"
    message["To"] = "atelier@in.trunkshow.test"
    message["Message-ID"] = "<big@example.net>"
    message.set_content("Photos.")
    for n in range(3):
        message.add_attachment(b"x" * 40_000, maintype="image", subtype="jpeg", filename=f"p{n}.jpg")

    with override_settings(INBOUND_EMAIL_MAX_ATTACHMENT_BYTES=100_000):
        response = deliver(message.as_bytes())

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "attachments_too_large",
        "message": "The attachments are over the limit of 100000 bytes in total.",
        "fields": {},
    }
    assert counts() == (0, 0, 0, 0)
    assert stored_files(inbound_settings) == []


def test_a_disk_failure_midway_keeps_no_message_no_row_and_no_file_and_a_redelivery_works(
    world: Any, inbound_settings: Path, monkeypatch: Any
) -> None:
    message = EmailMessage()
    message["From"] = "clara.customer@gmail.com"
    message["To"] = "atelier@in.trunkshow.test"
    message["Message-ID"] = "<disk@example.net>"
    message.set_content("Two photos.")
    message.add_attachment(b"first", maintype="image", subtype="jpeg", filename="a.jpg")
    message.add_attachment(b"second", maintype="image", subtype="jpeg", filename="b.jpg")
    real_save = FileSystemStorage._save
    writes: list[str] = []

    def full_disk_on_second(self: Any, name: str, content: Any) -> str:
        if writes:
            raise OSError(28, "No space left on device")
        writes.append(name)
        return str(real_save(self, name, content))

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk_on_second)
    response = deliver(message.as_bytes())

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert len(writes) == 1  # the first file was written, then removed with the transaction
    assert counts() == (0, 0, 0, 0)
    assert stored_files(inbound_settings) == []

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    assert deliver(message.as_bytes()).status_code == 201
    assert counts()[:2] == (1, 2)
    assert len(stored_files(inbound_settings)) == 2


# ---- outbound headers -------------------------------------------------------------------------


def test_line_breaks_in_names_never_become_headers_and_non_ascii_names_are_encoded(
    world: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with scopes_disabled():
        world.a.name = "Bijouterie Doré\r\nBcc: thief@evil.example"
        world.a.save()
    make_customer(world.a, emails=["clara.customer@gmail.com"])
    with scope(store=world.a), django_capture_on_commit_callbacks(execute=True):
        first, _created = message_receive(
            store=world.a,
            channel="email",
            from_address="clara.customer@gmail.com",
            body="Hello",
            provider="email",
            provider_id=f"{world.a.pk}:<x@example.net>",
            meta={"message_id": "<x@example.net>", "references": []},
        )
        Conversation.objects.filter(pk=first.conversation_id).update(subject="Ring\r\nBcc: thief@evil.example")
        first.conversation.refresh_from_db()
        message_send(store=world.a, actor=world.a_associate.user, conversation=first.conversation, body="Hi")

    assert smtp.recipients == [["clara.customer@gmail.com"]]
    sent = smtp.messages[0]
    assert sent.get_all("Bcc") is None
    assert sent["Subject"] == "Re: Ring Bcc: thief@evil.example"
    assert sent["From"].addresses[0].display_name == "Bijouterie Doré Bcc: thief@evil.example"
    assert sent["From"].addresses[0].addr_spec == "noreply@localhost"
    wire = sent.as_bytes(policy=policy.SMTP)
    assert b"Dor\xc3\xa9" not in wire.split(b"\r\n\r\n", 1)[0]  # encoded (RFC 2047), not raw UTF-8


# ---- the pipe command -------------------------------------------------------------------------


def pipe(capsys: Any, monkeypatch: Any, raw: bytes, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code = main(["email", "receive", *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_the_pipe_command_stores_a_message_once(world: Any, capsys: Any, monkeypatch: Any) -> None:
    raw = fixture("apple_mail_reply")

    first = pipe(capsys, monkeypatch, raw)
    again = pipe(capsys, monkeypatch, raw)

    with scope(store=world.a):
        message = Message.objects.get()
        assert message.body == CLIENTS["apple_mail_reply"][2]
        assert message.attachments.count() == 1
    where = f"message {message.pk} in conversation {message.conversation_id} of atelier"
    assert first == (0, f"stored: {where}", "")
    assert again == (0, f"already stored: {where}", "")


def test_the_pipe_command_takes_the_store_and_recipient_from_postfix(world: Any, capsys: Any, monkeypatch: Any) -> None:
    raw = with_headers(fixture("outlook_reply"), To="Shop <shop@mail.bijoux-berger.example>")

    code, _out, err = pipe(
        capsys, monkeypatch, raw, "--store", "bijoux", "--recipient", "shop@mail.bijoux-berger.example"
    )

    assert (code, err) == (0, "")
    with scope(store=world.b):
        assert Message.objects.get().to_address == "shop@mail.bijoux-berger.example"


@pytest.mark.parametrize(
    ("raw", "args", "code", "reason"),
    [
        (make_parts(5_000), (), 65, "The message has more than 500 parts."),
        (b"From: a@example.net\r\nTo: x@elsewhere.example\r\n\r\nhi\r\n", (), 67, "No store receives mail"),
        (b"", (), 65, "No message on standard input."),
        (b"From: a@example.net\r\n\r\nhi\r\n", ("--store", "nope"), 67, "There is no store “nope”."),
    ],
    ids=["too-many-parts", "unknown-recipient", "empty", "unknown-store"],
)
def test_the_pipe_command_refuses_with_the_exit_code_postfix_bounces_on(
    world: Any, capsys: Any, monkeypatch: Any, raw: bytes, args: tuple[str, ...], code: int, reason: str
) -> None:
    result = pipe(capsys, monkeypatch, raw, *args)

    assert result[:2] == (code, "")
    assert result[2].startswith(f"trunkshow: message refused: {reason}")
    assert counts() == (0, 0, 0, 0)


def test_attachment_storage_is_under_the_data_dir(inbound_settings: Path) -> None:
    assert attachment_storage().location == str(inbound_settings)


def test_a_photo_by_email_is_shown_as_a_thumbnail_and_anything_else_only_downloads(
    world: Any, inbound_settings: Path
) -> None:
    from PIL import Image

    from tests.messaging.test_photos import jpeg_with_gps

    message = EmailMessage()
    message["From"] = "Clara Customer <clara.customer@gmail.com>"
    message["To"] = "atelier@in.trunkshow.test"
    message["Message-ID"] = "<photo@example.net>"
    message.set_content("My old ring.")
    message.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg", filename="ring.jpg")
    message.add_attachment(b"<html><script>alert(1)</script>", maintype="image", subtype="png", filename="x.png")
    assert deliver(message.as_bytes()).status_code == 201

    with scope(store=world.a):
        photo, fake = Attachment.objects.order_by("id")
        conversation_id = photo.message.conversation_id
    assert (photo.is_photo, photo.width, photo.height, fake.is_photo) == (True, 800, 1200, False)
    staff = browser_client(world.a_owner)
    page = staff.get(f"/inbox/{conversation_id}/").content.decode()
    assert f'<img src="/inbox/attachments/{photo.pk}/thumb/" alt="Photo from Clara, ' in page
    assert f'<a class="msg-file" href="/inbox/attachments/{fake.pk}/" download>x.png</a>' in page

    thumb = staff.get(f"/inbox/attachments/{photo.pk}/thumb/")
    assert thumb["Content-Type"] == "image/jpeg"
    thumbnail = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert (thumbnail.size, dict(thumbnail.getexif())) == ((320, 480), {})
    download = staff.get(f"/inbox/attachments/{fake.pk}/")
    assert (download["Content-Type"], download["Content-Disposition"], download["X-Content-Type-Options"]) == (
        "application/octet-stream",
        'attachment; filename="x.png"',
        "nosniff",
    )
    assert browser_client(world.b_owner).get(f"/inbox/attachments/{photo.pk}/thumb/").status_code == 404


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<p>Do you have <a href="https://shop.example.com/ring/42">this one</a> in a 6?</p>',
         "Do you have this one (https://shop.example.com/ring/42) in a 6?"),
        ('<p><a href="https://shop.example.com/">https://shop.example.com</a></p>', "https://shop.example.com"),
        ('<p><a href="https://shop.example.com/a"><img src="x"></a></p>', "https://shop.example.com/a"),
        ('<p><a href="mailto:ana@example.com">write to Ana</a></p>', "write to Ana"),
        ('<p><a href="javascript:alert(1)">click</a> <a href="http://a.example/x y">odd</a></p>', "click odd"),
    ],
)  # fmt: skip
def test_a_web_links_address_follows_its_words_in_the_text(html: str, text: str) -> None:
    from trunkshow.messaging.channels.email.text import text_of_html

    assert text_of_html(html) == text
