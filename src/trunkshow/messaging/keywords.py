"""Opt-out, opt-in and help keywords in an inbound text, as carriers and Twilio define them.

A message that is only the keyword, in any case, with spaces or punctuation around it, counts
("Stop.", "  stop!! ", "STOP 🙏"). A sentence that merely contains the word does not
("Don't stop the engraving"); plain-language revocations ("please stop texting me") are
recognised by ``is_plain_revocation`` and treated as an opt-out too (FCC, April 2025).
"""

from __future__ import annotations

import re
import unicodedata

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"})
OPT_IN = frozenset({"START", "UNSTOP", "YES"})
HELP = frozenset({"HELP", "INFO"})

_EDGES = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")
_REVOCATION = re.compile(
    r"\b(stop|quit|cease)\s+(texting|messaging|sending|contacting|writing)\b"
    r"|\b(unsubscribe|opt\s*-?\s*out)\s+(me|from)\b"
    r"|\b(remove|take)\s+me\s+(from|off)\s+(your|the|this)\s+(list|texts|messages)\b"
    r"|\bdon'?t\s+(text|message|contact)\s+me\b",
    re.IGNORECASE,
)


def keyword_of(body: str) -> str:
    """The message reduced to a possible keyword: upper case, no surrounding punctuation or symbols."""
    text = unicodedata.normalize("NFKC", body).strip()
    text = _EDGES.sub("", text)
    return _SPACES.sub(" ", text).upper()


def classify(body: str) -> str | None:
    """'opt_out', 'opt_in', 'help' or None."""
    word = keyword_of(body)
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    if word in HELP:
        return "help"
    if len(body) <= 200 and _REVOCATION.search(body):
        return "opt_out"
    return None
