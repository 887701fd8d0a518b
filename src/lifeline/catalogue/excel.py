"""The catalogue as an Excel workbook a centre can hand to its partners, and back.

Sheet 1 `事项 items`: one row per item, Chinese headers with English beside, synonyms and owners joined by 、.
Sheet 2 `说明 about`: the catalogue's name and format. Importing checks the rows as a document is checked
(items.from_data), so a bad cell is an error naming the row's item and the column.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from lifeline.catalogue.items import FORMAT, Catalogue, CatalogueError, from_data

SEP = "、"
# (field, header): the header's Chinese is what the centre reads; the English after it is what we check.
COLUMNS = [
    ("code", "编码 code"),
    ("name", "事项名称 name"),
    ("en", "英文名称 en"),
    ("synonyms", "群众说法 synonyms"),
    ("category", "研判类别 category"),
    ("owner", "承办方（首位主办）owner"),
    ("rule", "联动规则 rule"),
    ("limit", "办理时限 limit"),
    ("say", "告知话术 say"),
    ("say_en", "英文话术 say_en"),
]
LISTS = {"synonyms", "owner"}
ITEMS_SHEET, ABOUT_SHEET = "事项 items", "说明 about"
MAX_ROWS = 5000


def export(catalogue: Catalogue) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = ITEMS_SHEET
    sheet.append([header for _, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in catalogue.items:
        data = item.to_data()
        sheet.append([SEP.join(data[f]) if f in LISTS else data[f] for f, _ in COLUMNS])
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (24, 18, 30, 40, 20, 28, 10, 10, 50, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    about = book.create_sheet(ABOUT_SHEET)
    about.append(["名称 name", catalogue.name])
    about.append(["格式 format", FORMAT])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _last_word(header: str) -> str:
    return re.split(r"[\s）)]", header.strip())[-1].lower()


def read(raw: bytes, source: str = "workbook", owners=None) -> Catalogue:
    """A catalogue from a workbook exported by `export` (or filled in the same shape)."""
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, TypeError) as exc:
        raise CatalogueError(source, "file", f"不是有效的 .xlsx 文件 / not a readable .xlsx workbook ({exc})") from exc
    except Exception as exc:  # a zip that is no workbook raises from deep inside openpyxl
        raise CatalogueError(source, "file", f"不是有效的 .xlsx 文件 / not a readable .xlsx workbook ({exc})") from exc
    if ITEMS_SHEET not in book.sheetnames:
        raise CatalogueError(source, "sheet", f"缺少工作表 / missing the sheet {ITEMS_SHEET!r}")
    rows = book[ITEMS_SHEET].iter_rows(values_only=True, max_row=MAX_ROWS + 1)
    header = next(rows, None) or ()
    positions = {}
    for field, title in COLUMNS:
        at = [i for i, h in enumerate(header) if isinstance(h, str) and _last_word(h) == _last_word(title)]
        if not at:
            raise CatalogueError(source, field, f"缺少列 / missing the column {title!r}")
        positions[field] = at[0]
    items = []
    for row in rows:
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        cells = {f: (row[i] if i < len(row) else None) for f, i in positions.items()}
        items.append(
            {f: ("" if v is None else str(v).strip()) if f not in LISTS else (v or "") for f, v in cells.items()}
        )
    name = None
    if ABOUT_SHEET in book.sheetnames:
        for row in book[ABOUT_SHEET].iter_rows(values_only=True, max_row=10):
            if row and isinstance(row[0], str) and row[0].endswith("name") and len(row) > 1:
                name = row[1]
    book.close()
    return from_data({"version": FORMAT, "name": name, "items": items}, source, owners)
