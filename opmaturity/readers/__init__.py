"""Bytes to raw tables: the file type from the bytes, then text (source.py's tables from text.py) or a workbook
(xlsx.py, sized first by guard.py). Everything here runs inside the fenced worker on an upload."""

from __future__ import annotations

from ..i18n import Message
from .source import Cell, Limits, Source, Table, accepted, expand_merged, fail, limits, too_big
from .text import decode, read_text, sniff_delimiter

__all__ = [
    "Cell", "Limits", "Source", "Table", "decode", "expand_merged", "limits", "read", "sniff_delimiter", "too_big",
]  # fmt: skip

_SIGNATURES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}  # -> msg.kind.<name>


def read(name: str, data: bytes, limit: Limits | None = None) -> Source:
    """The file's tables (or JSON payload); problems instead of exceptions for anything unreadable."""
    limit = limit or limits()
    source = Source(file=name, kind="")
    if not data:
        return fail(source, Message("msg.read.empty"))
    if len(data) > limit.max_bytes:
        return fail(source, too_big(len(data), limit))
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            return fail(source, Message("msg.read.not_a_table", what=Message(f"msg.kind.{what}"), accepted=accepted()))
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"):
        from .xlsx import read_workbook  # only workbooks need calamine and openpyxl (the fenced child's start-up)

        read_workbook(source, data, limit)
        if source.kind and suffix in ("csv", "tsv", "txt", "json"):
            source.messages.append(Message("msg.read.named_but_workbook", suffix=suffix))
        return source
    read_text(source, data, limit)
    if source.kind and suffix in ("xlsx", "xlsm", "xls"):
        kind = "json" if source.kind == "json" else "csv"
        source.messages.append(Message(f"msg.read.named_but_{kind}", suffix=suffix))
    return source
