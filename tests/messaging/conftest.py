"""Conversation tests: the real SMTP server of the staff tests, and one that fails on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.stores.conftest import Inbox, dead_smtp, smtp, smtp_server  # noqa: F401 (fixtures)


@dataclass
class FlakyInbox(Inbox):
    """Answers ``451 try again later`` to the first ``failures`` messages, then accepts."""

    failures: int = 0
    refused: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.refused < self.failures:
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def flaky_smtp() -> Iterator[FlakyInbox]:
    with smtp_server(FlakyInbox()) as inbox:
        yield inbox
