"""How a staff note shows in the thread: its @mentions of colleagues marked, the rest as written.

A note is typed by staff but is still text, never markup: it is escaped piece by piece around the
marks (as ``inbox.matches`` marks search words), so ``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trunkshow.core.validation import fold
from trunkshow.inbox.services import MENTION, staff_handles
from trunkshow.stores.models import Store


def note_html(body: str, handles: set[str]) -> SafeString:
    """The note as HTML: escaped, line breaks kept, each @name in ``handles`` (folded) in a mark."""
    out, at = [], 0
    for found in MENTION.finditer(body):
        name = found.group(1).rstrip(".")
        if fold(name) not in handles:
            continue
        start, end = found.start(), found.start(1) + len(name)
        out += [escape(body[at:start]), '<span class="msg-mention">', escape(body[start:end]), "</span>"]
        at = end
    out.append(escape(body[at:]))
    html = "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece of the body above is escaped


def notes_marked(*, store: Store, thread: Iterable[Any]) -> None:
    """Give each note of ``thread`` its ``body_html`` (one statement for the staff, when there is a note)."""
    notes = [m for m in thread if m.direction == "note" and m.body]
    if not notes:
        return
    handles = staff_handles(store)
    for note in notes:
        note.body_html = note_html(note.body, handles)
