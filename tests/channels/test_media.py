"""Photos and videos by their content: the type read from the bytes, the EXIF location read, the metadata stripped
before anything is shown; malformed files are a MediaError, never a crash (fuzzed)."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

import piexif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from tests.channels.pictures import photo

from lifeline.channels import media

MARKET = (23.1291, 113.2644)


def test_a_phones_jpeg_gives_its_place_and_is_shown_without_its_metadata():
    data = photo(1, at=MARKET)
    assert b"Exif\x00\x00MM" in data  # piexif writes big-endian TIFF
    found = media.read(data)
    assert (found.media_type, found.kind) == ("image/jpeg", "photo")
    assert (round(found.lat, 4), round(found.lon, 4)) == MARKET and found.taken_at == "2026:12:05 10:11:12"
    assert b"Exif" not in found.data and b"TestPhone" not in found.data
    assert found.original_sha256 != found.sha256
    assert Image.open(io.BytesIO(found.data)).size == (64, 48)  # still a picture, the same size
    assert media.exif_location(found.data) is None


def test_south_and_west_little_endian_exif_is_read_too():
    image = Image.new("RGB", (32, 32), (10, 20, 30))
    exif = Image.Exif()
    exif.endian = "<"
    exif[0x010F] = "OtherPhone"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (33.0, 52.0, 4.8), 3: "W", 4: (151.0, 12.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert b"Exif\x00\x00II" in out.getvalue()  # Pillow writes little-endian TIFF
    found = media.read(out.getvalue())
    assert (round(found.lat, 3), round(found.lon, 3)) == (-33.868, -151.21)
    assert b"OtherPhone" not in found.data


def test_a_png_with_an_exif_chunk_and_text_is_stripped_and_stays_valid():
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(image, "PNG")
    raw = image.getvalue()
    tiff = piexif.dump(
        {"GPS": {1: b"N", 2: ((23, 1), (7, 1), (4476, 100)), 3: b"E", 4: ((113, 1), (15, 1), (5184, 100))}}
    )
    tiff = tiff[6:] if tiff.startswith(b"Exif") else tiff

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    data = raw[:33] + chunk(b"eXIf", tiff) + chunk(b"tEXt", b"Author\x00someone") + raw[33:]
    found = media.read(data)
    assert found.media_type == "image/png" and round(found.lat, 3) == 23.129 and round(found.lon, 3) == 113.264
    assert b"eXIf" not in found.data and b"someone" not in found.data
    assert Image.open(io.BytesIO(found.data)).size == (8, 8)


def test_a_webp_with_exif_is_stripped():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, "WEBP", exif=piexif.dump({"0th": {271: b"WebPhone"}}))
    assert b"WebPhone" in out.getvalue()
    found = media.read(out.getvalue())
    assert found.media_type == "image/webp" and b"WebPhone" not in found.data
    assert Image.open(io.BytesIO(found.data)).size == (16, 16)


def test_the_type_comes_from_the_bytes_not_the_name():
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    assert media.sniff(png.getvalue()) == "image/png"  # a PNG called photo.jpg is a PNG
    video = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
    assert media.read(video).media_type == "video/mp4" and media.read(video).kind == "video"
    assert media.sniff(b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 8) == "video/quicktime"
    for bad in (
        b"<html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"\x7fELF\x02\x01",
        b"%PDF-1.7",
        b"GIF89a",
    ):
        with pytest.raises(media.MediaError):
            media.read(bad)
    with pytest.raises(media.MediaError, match="empty"):
        media.read(b"")


def test_an_oversized_file_is_refused():
    with pytest.raises(media.MediaError, match="10 MB"):
        media.read(b"\xff\xd8\xff\xe0" + b"\x00" * media.PHOTO_MAX_BYTES)


def test_a_truncated_jpeg_is_refused():
    data = photo(2, at=MARKET)
    with pytest.raises(media.MediaError):
        media.read(data[:40])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=8),
    seed=st.integers(0, 3),
)
def test_damaged_photos_only_ever_raise_media_error(cut, flips, seed):
    data = bytearray(photo(seed, at=MARKET))
    for at, value in flips:
        data[at % len(data)] = value
    data = bytes(data[: max(3, len(data) - cut)])
    try:
        found = media.read(data)
    except media.MediaError:
        return
    assert found.lat is None or -90 <= found.lat <= 90


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400), st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b""])
)
def test_random_bytes_only_ever_raise_media_error(tail, head):
    with contextlib.suppress(media.MediaError):
        media.read(head + tail)
