"""What apps above messaging do when a customer writes (assignment, the out-of-hours reply), and
what they know that messaging shows (the store's response target, in the chat widget).

``inbox`` registers its reactions in ``AppConfig.ready``, so messaging never imports it. A hook
runs inside the transaction that stored the message: it is part of receiving it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

InboundHook = Callable[[Any, Any, Any], None]  # (store, conversation, message)
_INBOUND: dict[str, InboundHook] = {}


def on_inbound(name: str, hook: InboundHook) -> None:
    _INBOUND[name] = hook


def inbound_received(store: Any, conversation: Any, message: Any) -> None:
    for hook in _INBOUND.values():
        hook(store, conversation, message)


_NOTE: dict[str, InboundHook] = {}


def on_note(name: str, hook: InboundHook) -> None:
    _NOTE[name] = hook


def note_added(store: Any, conversation: Any, message: Any) -> None:
    for hook in _NOTE.values():
        hook(store, conversation, message)


_RESPONSE_TARGET: dict[str, Callable[[Any], int]] = {}


def on_response_target(name: str, provider: Callable[[Any], int]) -> None:
    _RESPONSE_TARGET[name] = provider


def response_target_minutes(store: Any) -> int | None:
    """The minutes within which the store means to answer a first message (the inbox keeps it);
    None when no app keeps one."""
    for provider in _RESPONSE_TARGET.values():
        return provider(store)
    return None


_RESPONSE_CLOCK: dict[str, Callable[[Any, Any], Any]] = {}


def on_response_clock(name: str, provider: Callable[[Any, Any], Any]) -> None:
    _RESPONSE_CLOCK[name] = provider


def response_clock_from(store: Any, conversation: Any) -> Any:
    """Where the store's response target counts the customer's wait from (the inbox's rule: the
    message, or the moment the conversation came back to open); None when no app keeps one."""
    for provider in _RESPONSE_CLOCK.values():
        return provider(store, conversation)
    return None


FoldHook = Callable[[Any, Any, list[Any]], None]  # (store, host, the conversations folded into it)
_FOLD: dict[str, FoldHook] = {}


def on_conversations_folded(name: str, hook: FoldHook) -> None:
    _FOLD[name] = hook


def conversations_folded(store: Any, host: Any, others: list[Any]) -> None:
    """A merge is folding ``others`` into ``host`` (called while each is still its own thread; their
    messages move and the others are deleted after this): what apps above keep per conversation
    follows them to the host."""
    for hook in _FOLD.values():
        hook(store, host, others)
