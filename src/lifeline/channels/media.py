"""Photos and short videos from app alarms, posts and video calls: what a file is (read from its bytes, never from
its name or declared type), whether it is small enough, where a photo says it was taken (EXIF GPS), and the photo
with its metadata stripped (EXIF with GPS, XMP, comments, maker notes, thumbnails) — what may be displayed.

Pure: standard library only. A malformed file is a `MediaError` a person can act on, never a crash. Videos are
kept as received (stripping a video's metadata needs a remuxer) and are shown to the desk only.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

PHOTO_MAX_BYTES = 10 * 1024 * 1024
VIDEO_MAX_BYTES = 50 * 1024 * 1024
VIDEO_BRANDS = {b"qt  ": "video/quicktime", b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"3gp6": "video/3gpp",
                b"3g2a": "video/3gpp"}  # fmt: skip
GPS_IFD, EXIF_IFD, DATETIME_ORIGINAL = 0x8825, 0x8769, 0x9003
MAX_IFD_ENTRIES = 512


class MediaError(ValueError):
    pass


@dataclass(frozen=True)
class Media:
    media_type: str  # image/jpeg | image/png | image/webp | video/mp4 | video/quicktime | video/3gpp
    kind: str  # photo | video
    data: bytes  # what may be displayed: a photo's metadata stripped; a video as received
    sha256: str  # of `data`
    original_sha256: str  # of the bytes received, kept for evidence
    lat: float | None = None  # EXIF GPS, decimal degrees (south and west negative)
    lon: float | None = None
    taken_at: str | None = None  # EXIF DateTimeOriginal as written, e.g. "2026:12:05 10:11:12"


def sniff(data: bytes) -> str:
    """The media type by the file's own first bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        return VIDEO_BRANDS.get(data[8:12], "video/mp4")
    raise MediaError("只收 JPEG、PNG、WebP 照片和 MP4、MOV、3GP 视频 / only JPEG, PNG, WebP photos and MP4, MOV, 3GP "
                     "videos are taken")  # fmt: skip


def read(data: bytes) -> Media:
    """Check a file and make what may be shown of it."""
    if not data:
        raise MediaError("文件为空 / the file is empty")
    media_type = sniff(data)
    kind = "video" if media_type.startswith("video/") else "photo"
    limit = VIDEO_MAX_BYTES if kind == "video" else PHOTO_MAX_BYTES
    if len(data) > limit:
        raise MediaError(f"文件超过 {limit // 1024 // 1024} MB / the file is over {limit // 1024 // 1024} MB")
    original = hashlib.sha256(data).hexdigest()
    if kind == "video":
        return Media(media_type, kind, data, original, original)
    exif = _exif_of(data, media_type)
    place, taken = _gps(exif) if exif else (None, None)
    shown = strip(data, media_type)
    lat, lon = place or (None, None)
    return Media(media_type, kind, shown, hashlib.sha256(shown).hexdigest(), original, lat, lon, taken)


def exif_location(data: bytes) -> tuple[float, float] | None:
    exif = _exif_of(data, sniff(data))
    return _gps(exif)[0] if exif else None


def strip(data: bytes, media_type: str) -> bytes:
    if media_type == "image/jpeg":
        return b"".join(_jpeg_kept(data))
    if media_type == "image/png":
        return _png_stripped(data)
    if media_type == "image/webp":
        return _webp_stripped(data)
    return data


# JPEG -------------------------------------------------------------------------------------------------------------


def _jpeg_segments(data: bytes):
    """(marker, whole segment bytes, payload) up to the image data; then (None, the rest, b"")."""
    at = 2
    yield 0xD8, data[:2], b""
    while True:
        if at + 4 > len(data) or data[at] != 0xFF:
            raise MediaError("JPEG 文件已损坏 / the JPEG is damaged")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA or 0xD0 <= marker <= 0xD9:  # start of scan: the image data and the end follow
            yield None, data[at:], b""
            return
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if length < 2 or at + 2 + length > len(data):
            raise MediaError("JPEG 文件已损坏 / the JPEG is damaged")
        yield marker, data[at : at + 2 + length], data[at + 4 : at + 2 + length]
        at += 2 + length


def _jpeg_kept(data: bytes):
    """Every segment but APP1–APP15 (EXIF, XMP, ICC, maker data) and comments; APP0 (JFIF) and the image stay."""
    for marker, segment, _ in _jpeg_segments(data):
        if marker is not None and (0xE1 <= marker <= 0xEF or marker == 0xFE):
            continue
        yield segment


def _jpeg_exif(data: bytes) -> bytes | None:
    for marker, _, payload in _jpeg_segments(data):
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            return payload[6:]
    return None


# PNG and WebP -----------------------------------------------------------------------------------------------------

PNG_DROPPED = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def _png_chunks(data: bytes):
    at = 8
    while at < len(data):
        if at + 12 > len(data):
            raise MediaError("PNG 文件已损坏 / the PNG is damaged")
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        end = at + 12 + length
        if end > len(data):
            raise MediaError("PNG 文件已损坏 / the PNG is damaged")
        if zlib.crc32(data[at + 4 : at + 8 + length]) != struct.unpack(">I", data[end - 4 : end])[0]:
            raise MediaError("PNG 文件校验错误 / the PNG fails its checksum")
        yield kind, data[at:end], data[at + 8 : at + 8 + length]
        at = end
        if kind == b"IEND":
            return


def _png_stripped(data: bytes) -> bytes:
    return data[:8] + b"".join(chunk for kind, chunk, _ in _png_chunks(data) if kind not in PNG_DROPPED)


def _png_exif(data: bytes) -> bytes | None:
    return next((payload for kind, _, payload in _png_chunks(data) if kind == b"eXIf"), None)


def _webp_chunks(data: bytes):
    at = 12
    while at + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[at : at + 8])
        end = at + 8 + length + (length & 1)
        if at + 8 + length > len(data):
            raise MediaError("WebP 文件已损坏 / the WebP is damaged")
        yield kind, data[at:end], data[at + 8 : at + 8 + length]
        at = end


def _webp_stripped(data: bytes) -> bytes:
    kept = []
    for kind, chunk, payload in _webp_chunks(data):
        if kind in (b"EXIF", b"XMP "):
            continue
        if kind == b"VP8X" and len(payload) >= 1:  # the flags no longer announce EXIF (0x08) or XMP (0x04)
            chunk = chunk[:8] + bytes([payload[0] & ~0x0C]) + chunk[9:]
        kept.append(chunk)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _webp_exif(data: bytes) -> bytes | None:
    payload = next((p for kind, _, p in _webp_chunks(data) if kind == b"EXIF"), None)
    return payload[6:] if payload is not None and payload.startswith(b"Exif\x00\x00") else payload


def _exif_of(data: bytes, media_type: str) -> bytes | None:
    return {"image/jpeg": _jpeg_exif, "image/png": _png_exif, "image/webp": _webp_exif}[media_type](data)


# EXIF (TIFF) ------------------------------------------------------------------------------------------------------


def _ifd(tiff: bytes, offset: int, order: str) -> dict[int, tuple[int, int, int]]:
    """tag → (type, count, value or offset) of one IFD; bad offsets give nothing."""
    if offset < 8 or offset + 2 > len(tiff):
        return {}
    count = min(struct.unpack(order + "H", tiff[offset : offset + 2])[0], MAX_IFD_ENTRIES)
    entries = {}
    for i in range(count):
        at = offset + 2 + 12 * i
        if at + 12 > len(tiff):
            break
        tag, kind, n, value = struct.unpack(order + "HHII", tiff[at : at + 12])
        entries[tag] = (kind, n, value, at + 8)
    return entries


def _rationals(tiff: bytes, entry, order: str) -> list[float] | None:
    kind, n, offset, _ = entry
    if kind != 5 or not 1 <= n <= 3 or offset + 8 * n > len(tiff):
        return None
    values = []
    for i in range(n):
        top, bottom = struct.unpack(order + "II", tiff[offset + 8 * i : offset + 8 * i + 8])
        if bottom == 0:
            return None
        values.append(top / bottom)
    return values


def _ascii(tiff: bytes, entry) -> str:
    kind, n, value, inline = entry
    if kind != 2:
        return ""
    raw = tiff[inline : inline + n] if n <= 4 else tiff[value : value + n]
    return raw.split(b"\x00")[0].decode("ascii", "replace")


def _gps(tiff: bytes) -> tuple[tuple[float, float] | None, str | None]:
    """(lat, lon) from the GPS IFD and DateTimeOriginal from the EXIF IFD; None where absent or absurd."""
    if len(tiff) < 8 or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return None, None
    order = "<" if tiff[:2] == b"II" else ">"
    first = _ifd(tiff, struct.unpack(order + "I", tiff[4:8])[0], order)
    taken = None
    if EXIF_IFD in first:
        exif = _ifd(tiff, first[EXIF_IFD][2], order)
        taken = _ascii(tiff, exif[DATETIME_ORIGINAL])[:32] or None if DATETIME_ORIGINAL in exif else None
    if GPS_IFD not in first:
        return None, taken
    gps = _ifd(tiff, first[GPS_IFD][2], order)
    if not all(tag in gps for tag in (1, 2, 3, 4)):
        return None, taken
    lat, lon = _rationals(tiff, gps[2], order), _rationals(tiff, gps[4], order)
    if not lat or not lon:
        return None, taken
    degrees = [sum(v / 60**i for i, v in enumerate(values)) for values in (lat, lon)]
    if _ascii(tiff, gps[1]).upper().startswith("S"):
        degrees[0] = -degrees[0]
    if _ascii(tiff, gps[3]).upper().startswith("W"):
        degrees[1] = -degrees[1]
    if not (-90 <= degrees[0] <= 90 and -180 <= degrees[1] <= 180) or degrees == [0.0, 0.0]:
        return None, taken
    return (round(degrees[0], 6), round(degrees[1], 6)), taken
