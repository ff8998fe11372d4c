"""Which of a customer's addresses opted out of a channel, as the app that sends decides it.

The opt-out list belongs to ``messaging`` (its outbox refuses to send there); the profile shows it
beside the contact actions, so messaging registers its reader here in ``AppConfig.ready`` and
``customers`` never imports it.
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
