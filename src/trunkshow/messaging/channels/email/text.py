"""An email's words for the inbox: HTML to text, sanitised HTML, format=flowed, quoted history trimmed.

Mail clients quote the message they answer below the reply, each in its own way: Gmail puts an
"On ... wrote:" line and ``>`` lines (or a ``gmail_quote`` div), Apple Mail quotes even the
attribution line, Outlook writes a "From: / Sent: / To: / Subject:" block (sometimes after
"-----Original Message-----" or a line of underscores), Thunderbird a ``moz-cite-prefix``
div and a ``blockquote type="cite"``. The inbox shows what the customer wrote; what was cut is
kept beside it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# A line the HTML converter puts where a client's quoted history starts (a private-use character,
# never in the text of a mail).
QUOTE_MARK = "\ue000"

_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "math"}
_QUOTE_CLASSES = {"gmail_quote", "gmail_quote_container", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}

# Tags and attributes kept in the HTML shown to staff: text formatting, links and tables. No
# images at all (a remote image is a read receipt for the sender; an inline one is an
# attachment), no style, no handlers, no forms or frames.
_HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_WEB = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_HTML_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def html_sanitised(html: str) -> str:
    return nh3.clean(
        html,
        tags=_HTML_TAGS,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript"},
        attributes=_HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.quote_depth = 0
        self.pre = 0
        self.links: list[tuple[str, int]] = []  # (address, where its words start in ``current``)

    def _break(self) -> None:
        text = "".join(self.current)
        if not self.pre:
            text = " ".join(text.split())
        prefix = "> " * self.quote_depth
        self.lines.append(prefix + text if text else prefix.rstrip())
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
            return
        attributes = {name: (value or "") for name, value in attrs}
        classes = set(attributes.get("class", "").split())
        if classes & _QUOTE_CLASSES or attributes.get("id", "").lower() in _QUOTE_IDS:
            self._break()
            self.lines.append(QUOTE_MARK)
        if tag in _BLOCK:
            self._break()
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")  # a table's cells on one line, apart: "Ring size 6.5", not "Ring size6.5"
        if tag == "blockquote":
            if attributes.get("type", "").lower() == "cite":
                self.lines.append(QUOTE_MARK)
            self.quote_depth += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.links.append((attributes.get("href", "").strip(), len(self.current)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "a" and self.links:
            # Where a link leads is part of what the customer sent ("this one" means nothing without
            # it): an http(s) address follows its words, unless the words are the address.
            href, start = self.links.pop()
            words = " ".join("".join(self.current[start:]).split())
            if _WEB.match(href) and not self.skipping and href.rstrip("/") not in (words.rstrip("/"), ""):
                self.current.append(f" ({href})" if words else href)
        if tag in _BLOCK:
            self._break()
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)


def text_of_html(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    parser._break()
    return _tidy("\n".join(parser.lines))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space goes on in the next one (Thunderbird, Apple Mail)."""
    out: list[str] = []
    paragraph = ""
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        depth = len(line) - len(line.lstrip(">"))
        quote, content = line[:depth], line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        paragraph += content if paragraph else quote + (" " if quote else "") + content
        if not flowed:
            out.append(paragraph)
            paragraph = ""
    if paragraph:
        out.append(paragraph)
    return "\n".join(out)


_WROTE = re.compile(
    r"^(On|Am|Le|El|Il|Op|Em)\s.{4,300}?(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)\s?:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.I)
_HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De|Da)\s?:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Inviato|Enviado|To|Subject)\s?:", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.strip() == QUOTE_MARK or _ORIGINAL.match(line):
            return i
        if _HEADER_FROM.match(line) and sum(1 for nxt in lines[i + 1 : i + 4] if _HEADER_NEXT.match(nxt)) >= 2:
            return i - 1 if i > 0 and _RULE.match(lines[i - 1]) else i
        if not line.startswith(">") and re.match(r"^\s*(On|Am|Le|El|Il|Op|Em)\s", line, re.IGNORECASE):
            # Clients wrap a long attribution ("On Mon, ... Maison <\nhello@...> wrote:") over lines.
            for end in range(i, min(i + 3, len(lines))):
                if _WROTE.match(" ".join(part.strip() for part in lines[i : end + 1])):
                    return i
    return None


def split_quoted(text: str) -> tuple[str, str]:
    """``(what the sender wrote, the history they quoted)``; all of it is theirs when nothing is left."""
    lines = _tidy(text).split("\n")
    start = _quote_start(lines)
    head, tail = (lines, []) if start is None else (lines[:start], lines[start:])
    kept = [line for line in head if not line.startswith(">")]
    quoted = [line for line in head if line.startswith(">")] + tail
    reply = _tidy("\n".join(kept)).replace(QUOTE_MARK, "").strip()
    if not reply:
        return _tidy(text.replace(QUOTE_MARK, "")), ""
    return reply, _tidy("\n".join(quoted).replace(QUOTE_MARK, ""))
