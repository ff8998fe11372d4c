"""Helpers for the staff-side tests: a real SMTP server (aiosmtpd) and mail parsing."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings


@dataclass
class Inbox:
    """What the SMTP server received, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.messages.append(message)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(handler: Any) -> Iterator[Any]:
    """Run ``handler`` as a real SMTP server on a free port, with Django's SMTP backend pointed at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=5,
        ):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server that accepts every message."""
    with smtp_server(Inbox()) as inbox:
        yield inbox


@pytest.fixture
def dead_smtp() -> Iterator[None]:
    """Django's SMTP backend pointed at a port where nothing listens."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_free_port(),
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=2,
    ):
        yield


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_path(message: EmailMessage) -> str:
    """The path of the one link in a message's text."""
    links = re.findall(r"https?://\S+", body_of(message))
    assert len(links) == 1, links
    return urlparse(links[0]).path
