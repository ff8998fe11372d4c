"""Photos staff send: every upload re-encoded by Pillow, metadata dropped, thumbnailed, within limits.

Nothing the sender's file says about itself is trusted: its name is for display only, its type is
what Pillow finds among the formats we allow, and what we keep is a new file Pillow wrote from the
pixels alone (no EXIF, so no GPS; no ICC profile, no comments). The size is refused before reading
and the pixel count before decoding, so a "decompression bomb" costs a header read, not memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTOS = 6
MAX_PIXELS = 40_000_000  # a 48 MP phone saves 12 MP by default; 40 MP decoded is 120 MB at most
THUMB_SIDE = 480
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# What a browser calls them (``File.type``): the composer checks a choice against these before upload.
ALLOWED_TYPES = tuple(f"image/{f.lower()}" for f in ALLOWED_FORMATS)  # image/jpeg, image/png, image/webp, image/gif
JPEG_QUALITY = 85
# ISO base media "brands" of HEIF/HEIC/AVIF files: what an iPhone saves unless told "Most compatible".
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


class PhotoRefused(Exception):
    """A photo we will not keep, with the HTTP status and the sentence that says why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Photo:
    filename: str
    content_type: str
    data: bytes
    width: int
    height: int
    thumbnail: bytes
    source_type: str = ""  # what the upload really was (image/png, ...), whatever it was named


def _extension(content_type: str) -> str:
    return ".png" if content_type == "image/png" else ".jpg"


def display_name(filename: str, content_type: str) -> str:
    """The sender's name with the extension of what we wrote (a .heic renamed .jpg stays truthful)."""
    from trunkshow.messaging.attachments import display_filename

    stem = display_filename(filename, content_type).rsplit(".", 1)[0] or "photo"
    return stem + _extension(content_type)


def photo_limits() -> dict[str, Any]:
    """The limits a device checks before uploading (the widget's config, the composer's data attributes)."""
    return {
        "max_count": MAX_PHOTOS,
        "max_bytes": MAX_PHOTO_BYTES,
        "max_mb": MAX_PHOTO_BYTES // 1024 // 1024,
        "max_megapixels": MAX_PIXELS // 10**6,
        "types": " ".join(ALLOWED_TYPES),
    }


def count_check(count: int) -> None:
    if count > MAX_PHOTOS:
        raise PhotoRefused(
            400,
            "too_many_photos",
            _("A message can carry at most %(max)s photos; %(n)s were attached.") % {"max": MAX_PHOTOS, "n": count},
        )


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _encode(image: Image.Image, transparent: bool) -> bytes:
    out = io.BytesIO()
    # A fresh info dict: nothing the source carried (exif, icc_profile, comments, dpi) is written back.
    image.info = {}
    if transparent:
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _too_many_pixels(name: str, width: int | None = None, height: int | None = None) -> PhotoRefused:
    values = {"name": name, "w": width, "h": height, "max": MAX_PIXELS // 1_000_000}
    if width:  # whole sentences, so that a translation need not fit around a fragment
        text = _("“%(name)s” is %(w)s × %(h)s pixels; a photo can have at most %(max)s megapixels.") % values
    else:
        text = _("“%(name)s” has too many pixels; a photo can have at most %(max)s megapixels.") % values
    return PhotoRefused(400, "photo_too_many_pixels", text)


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        extrema: Any = alpha.getextrema()
        return bool(extrema[0] < 255)
    return False


def photo_prepare(source: IO[bytes], *, filename: str, size: int | None = None) -> Photo:
    """Read one upload and return the photo we would keep, or refuse it with a clear reason."""
    name = filename or "photo"
    if size is None:
        source.seek(0, io.SEEK_END)
        size = source.tell()
    source.seek(0)
    if size == 0:
        raise PhotoRefused(
            400, "photo_empty", _("“%(name)s” is empty (0 bytes); choose the photo again.") % {"name": name}
        )
    if size > MAX_PHOTO_BYTES:
        raise PhotoRefused(
            413,
            "photo_too_large",
            _("“%(name)s” is %(mb)s MB; a photo can be at most %(max)s MB.")
            % {"name": name, "mb": number_format(size / 1024 / 1024, 1), "max": MAX_PHOTO_BYTES // 1024 // 1024},
        )
    head = source.read(16)
    source.seek(0)
    if _is_heif(head):
        raise PhotoRefused(
            415,
            "heic_not_supported",
            _(
                "“%(name)s” is a HEIC photo, which we cannot read yet. HEIC photos: set your phone to "
                "“Most compatible” (Settings › Camera › Formats) or send a screenshot of it."
            )
            % {"name": name},
        )
    try:
        image: Any = Image.open(source, formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError:
        raise _too_many_pixels(name) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoRefused(
            415, "not_a_photo", _("“%(name)s” is not a JPEG, PNG, WEBP or GIF photo.") % {"name": name}
        ) from None
    with image:
        source_type = Image.MIME.get(image.format or "", "")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels(name, width, height)
        try:
            image.seek(0)  # an animated GIF or WEBP: its first frame
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
            raise PhotoRefused(
                400, "photo_unreadable", _("“%(name)s” could not be read: the file is damaged.") % {"name": name}
            ) from None
    transparent = _has_transparency(upright)
    pixels = upright.convert("RGBA" if transparent else "RGB")
    content_type = "image/png" if transparent else "image/jpeg"
    thumb = pixels.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Photo(
        filename=display_name(name, content_type),
        content_type=content_type,
        data=_encode(pixels, transparent),
        width=pixels.width,
        height=pixels.height,
        thumbnail=_encode(thumb, transparent),
        source_type=source_type,
    )


def photos_prepare(files: Sequence[Any]) -> list[Photo]:
    """Uploaded files (Django's ``UploadedFile``) as photos, all or none."""
    count_check(len(files))
    return [photo_prepare(f, filename=f.name or "", size=f.size) for f in files]
