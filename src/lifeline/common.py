"""Small helpers every room uses: China's clock, ISO times with their zone, digests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from markupsafe import escape

# China Standard Time: the day, the working day and the hour of every report are counted in it.
CHINA = timezone(timedelta(hours=8), "CST")


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def parse_iso(raw: str) -> datetime:
    """An ISO 8601 time that names its zone ('Z' too); ValueError for anything else."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"no time zone in {raw!r}")
    return value


def printable(title: str, facts: Iterable[tuple[str, str]], tables: Iterable[tuple[str, list, Iterable[list]]],
              note: str = "") -> str:  # fmt: skip
    """A report as a page to print (no script, no outside file but the report stylesheet): a table of facts, a
    paragraph, then each (title, header, rows) table; every value is escaped."""
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title>",
        "<link rel='stylesheet' href='/static/report.css'></head><body class='report'>",
        f"<h1>{escape(title)}</h1><table>",
        *(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in facts),
        "</table>",
    ]
    if note:
        parts.append(f"<p class='published'>{escape(note)}</p>")
    for name, header, rows in tables:
        parts.append(f"<h2>{escape(name)}</h2><table><tr>")
        parts.extend(f"<th>{escape(h)}</th>" for h in header)
        parts.append("</tr>")
        parts.extend("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def facts_sheet(sheet, title: str, facts: Iterable[tuple[str, str]]) -> None:
    """A workbook's first sheet: the title in bold, then (label, value) rows."""
    from openpyxl.styles import Font

    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in facts:
        sheet.append([label, value])
