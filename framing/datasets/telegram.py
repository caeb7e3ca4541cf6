"""Reader for Telegram channel exports: Desktop ``result.json`` and JSON lists.

Importing this module registers the ``telegram`` format with
:func:`~framing.datasets.readers.register_reader`; a card declares
``format = "telegram"`` (a ``.json`` file is otherwise read as plain JSON).

Three shapes are read:

* a Telegram Desktop channel export, ``result.json``:
  ``{"name", "type", "id", "messages": [...]}``;
* a full-account Desktop export: ``{"chats": {"list": [<channel>, ...]}}``;
* a JSON list of message objects, as scrapers write them
  (``message_id``/``id``, ``text``, ``date``, ``channel``, ``sender_id``).

Each message is one record (``message N``, or ``chat C message N``) with
the fields of :mod:`~framing.datasets.exports`:

``text``
    Plain text: Desktop entity lists are flattened, and Telegram Markdown
    in a plain ``text`` (``**bold**``, ``__italic__``, ``~~struck~~``,
    ``||spoiler||``, backticks, ``[label](url)``) is stripped to its words;
    a bare link stays as its text.
``date``
    ``date_unixtime`` as an ISO 8601 UTC time when present, which is
    exact; otherwise ``date``, which in Desktop exports is the exporting
    computer's local time without a zone (the card's ``timezone`` applies).
``outlet``, ``id``
    The channel's name; ``id`` is ``<channel id>:<message id>``, because
    message ids are numbered per channel and repeat across channels.
``author``
    The post's signature (``author``) when the channel signs posts.

``links`` (every URL, from entities, Markdown links and bare links),
``hashtags``, ``mentions``, ``forwarded_from``, ``views``, ``edited`` (the
edit time, UTC when known), ``reply_to`` and ``media`` (``photo``, a file's
media type) are kept for ``meta``, as are the other scalar keys of a message.

A service message (a pinned post, a title change, ...) is not a post: it is
rejected with reason ``service_message``, never silently skipped. A file of
another shape is refused with the fix.

Examples
--------
>>> from framing.datasets.telegram import flatten_text
>>> flatten_text("**Breaking:** talks [resume](https://example.org/a) #news")
('Breaking: talks resume #news', ['https://example.org/a'], ['#news'], [])
>>> flatten_text(["Talks ", {"type": "text_link", "text": "resume",
...               "href": "https://example.org/a"}])
('Talks resume', ['https://example.org/a'], [], [])
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .exports import capped
from .readers import DEFAULT_MAX_BYTES, RawRecord, ReaderOptions, _name, register_reader

__all__ = ["read_telegram", "flatten_text"]

_MD_LINK = re.compile(r"\[([^\[\]]{0,2000})\]\((\S+?)\)")
# A marker opens where no letter precedes it and closes where none follows,
# so that censored words ("ч**т") and snake_case names are left alone.
_MD_MARKS = re.compile(r"(?<!\w)(\*\*|__|~~|\|\|)(?!\s)(.+?)(?<!\s)\1(?!\w)", re.DOTALL)
_MD_CODE = re.compile(r"```(?:[a-z0-9_+-]*\n)?(.*?)```|`([^`\n]+)`", re.DOTALL)
_URL = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?://|www\.|t\.me/)[^\s<>()\[\]]+")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_MENTION = re.compile(r"(?<![\w.])@[A-Za-z]\w{3,31}")
_LINK_TYPES = frozenset({"link", "url"})
# Keys of a message that the fields below replace.
_CONSUMED = frozenset(
    {
        "id",
        "message_id",
        "type",
        "date",
        "date_unixtime",
        "text",
        "text_entities",
        "edited",
        "edited_unixtime",
        "forwarded_from",
        "views",
        "author",
        "channel",
        "photo",
        "file",
        "media_type",
        "reply_to_message_id",
        "from",
        "from_id",
    }
)


def _strip_markdown(text: str, links: list[str]) -> str:
    def link(match: re.Match[str]) -> str:
        links.append(match.group(2))
        return match.group(1)

    if "](" in text:
        text = _MD_LINK.sub(link, text)
    if "`" in text:
        text = _MD_CODE.sub(lambda m: m.group(1) or m.group(2) or "", text)
    for _ in range(3):  # nested marks: **__bold italic__**
        stripped = _MD_MARKS.sub(lambda m: m.group(2), text)
        if stripped == text:
            break
        text = stripped
    return text


def flatten_text(value: Any) -> tuple[str, list[str], list[str], list[str]]:
    """Plain text, links, hashtags and mentions of a message's ``text``.

    ``value`` is a string (Telegram Markdown is stripped) or a Desktop
    entity list (strings and ``{"type", "text", "href"}`` objects).
    """
    links: list[str] = []
    hashtags: list[str] = []
    mentions: list[str] = []
    if isinstance(value, str):
        text = _strip_markdown(value, links)
    elif isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
                continue
            if not isinstance(part, dict):
                continue
            piece = part.get("text")
            piece = piece if isinstance(piece, str) else ""
            kind = part.get("type")
            if kind == "text_link" and isinstance(part.get("href"), str):
                links.append(part["href"])
            elif kind in _LINK_TYPES:
                links.append(piece)
            elif kind == "hashtag":
                hashtags.append(piece)
            elif kind == "mention":
                mentions.append(piece)
            parts.append(piece)
        text = "".join(parts)
    else:
        text = ""
    # Each scan runs only when its marker occurs: most posts have none, and
    # the scans over long posts dominate the reader's time otherwise.
    if "://" in text or "www." in text or "t.me/" in text:
        for url in _URL.findall(text):
            url = url.rstrip(".,;:!?»\"'")
            if url not in links:
                links.append(url)
    if "#" in text:
        for tag in _HASHTAG.findall(text):
            if tag not in hashtags:
                hashtags.append(tag)
    if "@" in text:
        for name in _MENTION.findall(text):
            if name not in mentions:
                mentions.append(name)
    return text.strip(), links, hashtags, mentions


def _utc(value: Any) -> str | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _message(
    message: Any, channel: str | None, channel_id: Any, source: str, where: str
) -> RawRecord:
    if not isinstance(message, dict):
        return RawRecord(
            source,
            where,
            {},
            f"a JSON {type(message).__name__}, not a message object ({where})",
        )
    kind = message.get("type", "message")
    if kind == "service":
        action = message.get("action") or "an action"
        return RawRecord(
            source,
            where,
            {"action": str(action)},
            f"a service message ({action}), not a post ({where})",
            "service_message",
        )
    number = message.get("id", message.get("message_id"))
    if isinstance(number, bool) or not isinstance(number, int | str):
        return RawRecord(
            source,
            where,
            {},
            f"a message without an id or message_id ({where}): is this a "
            "Telegram export?",
        )
    text, links, hashtags, mentions = flatten_text(message.get("text", ""))
    own_channel = message.get("channel")
    outlet = channel or (own_channel if isinstance(own_channel, str) else None)
    owner = channel_id if channel_id is not None else message.get("sender_id")
    if owner is None:
        owner = outlet
    fields: dict[str, Any] = {"text": text}
    date = _utc(message.get("date_unixtime")) or message.get("date")
    if date is not None:
        fields["date"] = date
    if outlet:
        fields["outlet"] = outlet
    fields["id"] = f"{owner}:{number}" if owner is not None else str(number)
    fields["message_id"] = number
    if isinstance(message.get("author"), str):
        fields["author"] = message["author"]
    if links:
        fields["links"] = links
    if hashtags:
        fields["hashtags"] = hashtags
    if mentions:
        fields["mentions"] = mentions
    for key in ("forwarded_from", "views", "reply_to_message_id"):
        if message.get(key) is not None:
            fields[key.removesuffix("_message_id")] = message[key]
    edited = _utc(message.get("edited_unixtime")) or message.get("edited")
    if edited:
        fields["edited"] = edited
    media = message.get("media_type") or ("photo" if "photo" in message else None)
    if media is None and "file" in message:
        media = "file"
    if media:
        fields["media"] = media
    for key, value in message.items():
        if (
            key not in _CONSUMED
            and key not in fields
            and (value is None or isinstance(value, str | int | float | bool))
        ):
            fields[key] = value
    return RawRecord(source, where, fields)


def _channel_messages(
    chat: Any, source: str, prefix: str, path: Path
) -> Iterator[RawRecord]:
    messages = chat.get("messages")
    if not isinstance(messages, list):
        raise SourceError(
            path,
            f"{prefix or 'the export'} has no list of messages",
            "export the channel again with Telegram Desktop (Export chat "
            "history, format JSON), or declare the file's real format",
        )
    name = chat.get("name")
    channel = name if isinstance(name, str) and name else None
    channel_id = chat.get("id")
    for index, message in enumerate(messages, start=1):
        where = f"{prefix}message {index}"
        yield _message(message, channel, channel_id, source, where)


def _read_telegram(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Telegram export, one record per message (see the module)."""
    name = _name(path, opts)
    cap = opts.max_bytes or DEFAULT_MAX_BYTES["telegram"]
    if path.stat().st_size > cap:  # pragma: no cover - iter_records checks first
        raise SourceError(path, "over the size cap", "raise max_bytes in the card")
    try:
        data = json.loads(path.read_bytes().decode(opts.encoding))
    except UnicodeDecodeError as exc:
        raise SourceError(
            path,
            f"bytes that are not valid {opts.encoding} (at byte {exc.start})",
            "Telegram exports are UTF-8: check the file, or set its encoding",
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceError(
            path,
            f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
            "the export is damaged or cut short: export it again",
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise SourceError(
            path, f"not readable JSON ({type(exc).__name__})", "export it again"
        ) from exc
    if isinstance(data, list):
        for index, message in enumerate(data, start=1):
            yield _message(message, None, None, name, f"message {index}")
        return
    if isinstance(data, dict) and "messages" in data:
        yield from _channel_messages(data, name, "", path)
        return
    chats = data.get("chats") if isinstance(data, dict) else None
    if isinstance(chats, dict) and isinstance(chats.get("list"), list):
        for number, chat in enumerate(chats["list"], start=1):
            if not isinstance(chat, dict):
                raise SourceError(
                    path,
                    f"chat {number} of chats.list is a JSON "
                    f"{type(chat).__name__}, not a chat",
                    "export the chats again with Telegram Desktop",
                )
            yield from _channel_messages(chat, name, f"chat {number} ", path)
        return
    shape = type(data).__name__
    keys = sorted(data)[:8] if isinstance(data, dict) else []
    raise SourceError(
        path,
        f"a JSON {shape} that is not a Telegram export"
        + (f" (keys {keys}, no 'messages')" if keys else ""),
        "give a Telegram Desktop result.json (a channel's 'messages'), or a "
        "JSON list of message objects",
    )


@register_reader("telegram")
def read_telegram(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Telegram export, one record per message (see the module).

    A record over ``max_record_bytes`` characters is rejected (``too_large``).
    """
    return capped(_read_telegram(path, opts), opts.record_cap())
