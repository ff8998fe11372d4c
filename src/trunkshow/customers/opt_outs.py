"""Which of a customer's addresses opted out of a channel, as the app that sends decides it.

The opt-out list belongs to ``messaging`` (its outbox refuses to send there), and so does the rule
of which channel a conversation may be started on; the profile shows both beside the contact
actions, so messaging registers its readers here in ``AppConfig.ready`` and ``customers`` never
imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# (store, addresses) -> {(channel, address): when it opted out}
OptOutReader = Callable[[Any, Iterable[str]], Mapping[tuple[str, str], dt.datetime]]
_readers: dict[str, OptOutReader] = {}


def register_opt_outs(name: str, reader: OptOutReader) -> None:
    _readers[name] = reader


def opt_outs_of(*, store: Any, addresses: Iterable[str]) -> dict[tuple[str, str], dt.datetime]:
    """When each of these addresses opted out of a channel, by (channel, address); absent: it did not."""
    wanted = list(addresses)
    found: dict[tuple[str, str], dt.datetime] = {}
    for reader in _readers.values():
        found.update(reader(store, wanted))
    return found


# (store, customer, phones, emails) -> why "Message" can open no conversation with them, or None
MessageBlockReader = Callable[[Any, Any, list[str], list[str]], "str | None"]
_message_blocks: dict[str, MessageBlockReader] = {}


def register_message_block(name: str, reader: MessageBlockReader) -> None:
    _message_blocks[name] = reader


def message_blocked(*, store: Any, customer: Any, phones: list[str], emails: list[str]) -> str | None:
    """Why the profile's "Message" would open nothing for this customer (no address, every one opted
    out, consent withdrawn), said before the associate taps it; None when it opens a conversation.
    ``phones`` (E.164) and ``emails`` are the customer's, primary first."""
    for reader in _message_blocks.values():
        reason = reader(store, customer, phones, emails)
        if reason:
            return reason
    return None
