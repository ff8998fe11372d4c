"""Reading a raw RFC 5322 message with Python's ``email`` package, within limits.

A message over the size limits, with too many parts or nested too deep, or that the parser
cannot read, is refused with a reason (``Refused``) before anything is stored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import cast

from django.conf import settings

from trunkshow.messaging.channels.email.text import html_sanitised, split_quoted, text_of_html, unflow

MAX_PARTS = 500  # a real message has a few dozen at most; 5,000 costs seconds of parsing
MAX_DEPTH = 12  # mixed > related > alternative is 3; forwarded messages add a few
_MSGID = re.compile(r"<[^<>\s]{1,250}>")
_BOUNDARY_LINE = re.compile(rb"^--", re.MULTILINE)
_MULTIPART = re.compile(rb"multipart/", re.IGNORECASE)


class Refused(Exception):
    """The message cannot be taken: ``status`` for the webhook, ``code`` and ``reason`` for the sender."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


@dataclass
class Headers:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    recipients: list[str]
    subject: str
    date: str
    auto_submitted: str


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedEmail:
    headers: Headers
    text: str
    quoted: str
    html: str
    attachments: list[ParsedAttachment] = field(default_factory=list)


def _parser() -> BytesParser:
    return BytesParser(policy=policy.default)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the policy cannot fold is read as absent, not a 500
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _ids(value: str, limit: int) -> list[str]:
    return _MSGID.findall(value)[-limit:]


def _addresses(message: Message, *names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        values = [_header(message, name)] if name in {"From", "To", "Cc"} else []
        if not values:
            try:
                values = [" ".join(str(v).split()) for v in message.get_all(name, [])]
            except Exception:  # noqa: BLE001 - see _header
                values = []
        for _display, address in getaddresses(values):
            address = address.strip().lower()
            if "@" in address and address not in found:
                found.append(address)
    return found


def headers_read(raw: bytes) -> Headers:
    """The headers that route and thread a message, without parsing its body."""
    size_check(raw)
    try:
        message = _parser().parsebytes(raw, headersonly=True)
    except Exception as exc:  # whatever the parser raises, the sender gets a reason
        raise Refused(400, "malformed", "The message headers could not be read.") from exc
    name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower()
    if "@" not in address:
        raise Refused(400, "malformed", "The message has no sender address (From).")
    message_ids = _ids(_header(message, "Message-ID"), 1)
    return Headers(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_ids(_header(message, "In-Reply-To"), 5),
        references=_ids(_header(message, "References"), 50),
        from_address=address[:254],
        from_name=name.strip()[:200],
        recipients=_addresses(message, "Delivered-To", "X-Original-To", "To", "Cc"),
        subject=_header(message, "Subject")[:200],
        date=_header(message, "Date")[:100],
        auto_submitted=_header(message, "Auto-Submitted")[:40],
    )


def size_check(raw: bytes) -> None:
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        raise Refused(
            413,
            "too_large",
            f"The message is {len(raw)} bytes; the limit is {settings.INBOUND_EMAIL_MAX_BYTES} bytes.",
        )


def raw_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _walk(root: Message) -> list[Message]:
    """Every part, breadth first without recursion, refusing too many parts or too deep a nesting."""
    parts: list[Message] = []
    stack: list[tuple[Message, int]] = [(root, 1)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(400, "too_deep", f"The message nests parts more than {MAX_DEPTH} levels deep.")
        parts.append(part)
        if len(parts) > MAX_PARTS:
            raise Refused(400, "too_many_parts", f"The message has more than {MAX_PARTS} parts.")
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children) if isinstance(child, Message))
    return parts


def _text_content(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: read it as UTF-8 rather than lose the message
        text = data.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_type() == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text


def _is_attachment(part: Message, body_parts: set[int]) -> bool:
    if id(part) in body_parts or part.is_multipart():
        return False
    disposition = (part.get_content_disposition() or "").lower()
    # A text part that is neither an attachment nor named is the other version of the body.
    return not (part.get_content_maintype() == "text" and disposition != "attachment" and not part.get_filename())


def _inline_texts(message: EmailMessage) -> list[Message]:
    if message.get_content_type() != "multipart/mixed":
        return []
    return [
        part
        for part in message.iter_parts()
        if part.get_content_type() == "text/plain"
        and (part.get_content_disposition() or "inline") == "inline"
        and not part.get_filename()
    ]


def email_parse(raw: bytes) -> ParsedEmail:
    """The message's text (quoted history apart), sanitised HTML when it has no text, attachments."""
    headers = headers_read(raw)
    # Cheap counts before the parser, which takes seconds on thousands of parts and recurses on nesting.
    if len(_MULTIPART.findall(raw)) > 4 * MAX_DEPTH + 100:
        raise Refused(400, "too_deep", f"The message nests parts more than {MAX_DEPTH} levels deep.")
    if len(_BOUNDARY_LINE.findall(raw)) > 2 * MAX_PARTS + 2:
        raise Refused(400, "too_many_parts", f"The message has more than {MAX_PARTS} parts.")
    try:
        message = cast(EmailMessage, _parser().parsebytes(raw))
        parts = _walk(message)
        plain = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",)) if plain is None else None
    except Refused:
        raise
    except Exception as exc:  # a message the parser chokes on (RecursionError too) is refused
        raise Refused(400, "malformed", "The message could not be read as MIME.") from exc

    html = ""
    inline_texts = _inline_texts(message) if plain is not None else []
    if len(inline_texts) > 1:
        # Apple Mail splits the text around an inline photo: the parts read in order are the text.
        text = "\n".join(_text_content(part) for part in inline_texts)
    elif plain is not None:
        text = _text_content(plain)
    elif html_part is not None:
        source = _text_content(html_part)
        html = html_sanitised(source)
        text = text_of_html(source)
    else:
        text = ""
    reply, quoted = split_quoted(text)

    body_parts = {id(p) for p in (plain, html_part, *inline_texts) if p is not None}
    attachments: list[ParsedAttachment] = []
    total = 0
    limit = settings.INBOUND_EMAIL_MAX_ATTACHMENT_BYTES
    skip_inside: set[int] = set()
    for part in parts:
        if id(part) in skip_inside:
            continue
        if part.get_content_type() == "message/rfc822":
            # A forwarded message is kept whole, as the .eml the sender attached.
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else None
            if not isinstance(inner_message, Message):
                continue
            skip_inside.update(id(p) for p in _walk(inner_message))
            data = inner_message.as_bytes(policy=policy.SMTP)
            filename = part.get_filename() or "forwarded.eml"
        elif _is_attachment(part, body_parts):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename() or ""
        else:
            continue
        total += len(data)
        if total > limit:
            raise Refused(
                413, "attachments_too_large", f"The attachments are over the limit of {limit} bytes in total."
            )
        attachments.append(ParsedAttachment(filename=filename, content_type=part.get_content_type(), data=data))
    return ParsedEmail(headers=headers, text=reply, quoted=quoted, html=html, attachments=attachments)
