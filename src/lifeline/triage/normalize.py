"""Turn whatever arrives (bytes, junk, traditional characters, full-width digits) into clean text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Only the head of a very long input is analysed; a call-taker's record is never this long.
MAX_CHARS = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ufffd]")
_SPACES = re.compile(r"[ \t\r\n\u3000]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # loaded lazily: 30 ms, and only needed once per process

    return opencc.OpenCC("t2s")


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def normalize(raw: object) -> tuple[str, list[str]]:
    """Return (clean text, notes). Never raises: anything that is not text becomes text or ''."""
    notes: list[str] = []
    if raw is None:
        return "", notes
    if isinstance(raw, bytes | bytearray):
        raw = bytes(raw).decode("utf-8", errors="replace")
        notes.append("输入不是有效文本，已按 UTF-8 尽量解码")
    text = raw if isinstance(raw, str) else str(raw)
    if len(text) > MAX_CHARS:
        notes.append(f"文本过长（{len(text)} 字），只分析前 {MAX_CHARS} 字")
        text = text[:MAX_CHARS]
    # NFKC folds full-width digits and letters (１２０ -> 120) and compatibility forms.
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if _has_cjk(text):
        converted = _t2s().convert(text)
        if converted != text:
            notes.append("已将繁体字转换为简体")
            text = converted
    return text, notes
