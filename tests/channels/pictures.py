"""Real photos for the channel tests, made with Pillow and piexif (dev extras): a phone's JPEG with its GPS."""

from __future__ import annotations

import io

import piexif
from PIL import Image


def _rational(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return ((degrees, 1), (minutes, 1), (seconds, 100))


def photo(seed: int = 0, at: tuple[float, float] | None = None) -> bytes:
    """A 64×48 JPEG, different for each seed; with `at` (lat, lon), EXIF GPS the way a phone writes it."""
    image = Image.new("RGB", (64, 48), (seed * 37 % 256, 120, 200))
    out = io.BytesIO()
    if at is None:
        image.save(out, "JPEG")
        return out.getvalue()
    lat, lon = at
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: _rational(abs(lat)),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: _rational(abs(lon)),
    }
    taken = {piexif.ExifIFD.DateTimeOriginal: b"2026:12:05 10:11:12"}
    exif = {"0th": {piexif.ImageIFD.Make: b"TestPhone"}, "Exif": taken, "GPS": gps}
    image.save(out, "JPEG", exif=piexif.dump(exif))
    return out.getvalue()
