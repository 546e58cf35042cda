"""Photos of a table's tablecloth or flipchart.

Nothing of the upload is trusted: not its name, not its declared type. The bytes are
counted, opened with Pillow, turned upright, and written again as a new JPEG (or PNG when
the picture has transparency) without any metadata (EXIF, GPS, XMP, comments), under a
random name in UPLOAD_DIR/photos, with a JPEG thumbnail beside it.
"""

import enum
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, CafeTable, TablePhoto

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; a decompression bomb is far bigger
STORED_MAX_SIDE = 2560  # plenty to read a flipchart, a fraction of a phone's original
THUMB_MAX_SIDE = 480
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"}
CAPTION_MAX_CHARS = 300


class PhotoResult(enum.Enum):
    SAVED = "saved"
    EMPTY = "empty"
    TOO_LARGE = "too_large"  # more bytes than MAX_PHOTO_BYTES
    TOO_MANY_PIXELS = "too_many_pixels"
    NOT_AN_IMAGE = "not_an_image"


@dataclass(frozen=True)
class PhotoOutcome:
    result: PhotoResult
    photo: TablePhoto | None = None


def max_photo_bytes() -> int:
    return int(current_app.config.get("MAX_PHOTO_BYTES") or DEFAULT_MAX_BYTES)


def upload_dir() -> Path:
    """Where photos live: UPLOAD_DIR, else instance/uploads; never under static/."""
    configured = current_app.config.get("UPLOAD_DIR")
    base = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    folder = base / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def photo_path(photo: TablePhoto, thumbnail: bool = False) -> Path:
    return upload_dir() / (thumbnail_name(photo.stored_name) if thumbnail else photo.stored_name)


def thumbnail_name(stored_name: str) -> str:
    return stored_name.rsplit(".", 1)[0] + ".thumb.jpg"


def save_photo(table: CafeTable, round: int, stream, caption: str | None, uploaded_by: str) -> PhotoOutcome:
    """Check, clean and store one uploaded photo (a binary file-like object)."""
    limit = max_photo_bytes()
    data = stream.read(limit + 1)
    if not data:
        return PhotoOutcome(PhotoResult.EMPTY)
    if len(data) > limit:
        return PhotoOutcome(PhotoResult.TOO_LARGE)
    max_pixels = int(current_app.config.get("MAX_PHOTO_PIXELS") or DEFAULT_MAX_PIXELS)
    try:
        image = _open_checked(data, max_pixels)
    except _TooManyPixels:
        return PhotoOutcome(PhotoResult.TOO_MANY_PIXELS)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return PhotoOutcome(PhotoResult.NOT_AN_IMAGE)

    keeps_transparency = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    clean = _without_metadata(image, keeps_transparency)
    clean.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), Image.Resampling.LANCZOS)
    stored_name = secrets.token_hex(16) + (".png" if keeps_transparency else ".jpg")
    folder = upload_dir()
    main = io.BytesIO()
    if keeps_transparency:
        clean.save(main, "PNG", optimize=True)
    else:
        clean.save(main, "JPEG", quality=85, optimize=True, progressive=True)
    thumb = _flattened(clean)
    thumb.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE), Image.Resampling.LANCZOS)
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=80, optimize=True)

    (folder / stored_name).write_bytes(main.getvalue())
    (folder / thumbnail_name(stored_name)).write_bytes(thumb_bytes.getvalue())
    photo = TablePhoto(
        cafe_table_id=table.id,
        round=round,
        stored_name=stored_name,
        caption=(" ".join((caption or "").split())[:CAPTION_MAX_CHARS] or None),
        width=clean.width,
        height=clean.height,
        size_bytes=main.tell(),
        uploaded_by=uploaded_by,
    )
    db.session.add(photo)
    db.session.commit()
    return PhotoOutcome(PhotoResult.SAVED, photo)


def delete_photo(table: CafeTable, photo: TablePhoto, deleted_by: str) -> None:
    """Remove a photo (uploaded by mistake, or showing a face without consent), with an
    audit entry. The row goes first: if removing the files then fails, what is left is
    two unreferenced files, never a photo in the report without its file."""
    paths = [photo_path(photo), photo_path(photo, thumbnail=True)]
    db.session.add(
        AuditEntry(
            event_id=table.event_id,
            actor=deleted_by,
            action="photo_deleted",
            details={"table": table.key, "round": photo.round, "caption": photo.caption},
        )
    )
    db.session.delete(photo)
    db.session.commit()
    for path in paths:
        path.unlink(missing_ok=True)


def photos_of(table: CafeTable) -> list[TablePhoto]:
    return db.session.scalars(
        select(TablePhoto).filter_by(cafe_table_id=table.id).order_by(TablePhoto.round, TablePhoto.id)
    ).all()


class _TooManyPixels(Exception):
    pass


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Open and fully decode the image, refusing what is not a picture we accept or is
    too big to decode safely (the size is read from the header, before decoding)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
        except Image.DecompressionBombWarning:
            raise _TooManyPixels() from None
        if probe.format not in ACCEPTED_FORMATS:
            raise ValueError(f"format {probe.format} not accepted")
        if probe.width * probe.height > max_pixels:
            raise _TooManyPixels()
        probe.verify()  # checksums and structure; the image must be opened again after this
        image = Image.open(io.BytesIO(data))
        image.load()
    return image


def _without_metadata(image: Image.Image, keeps_transparency: bool) -> Image.Image:
    """Upright (as the EXIF orientation says), then copied pixel by pixel into a new image:
    nothing of the original's metadata can come along."""
    upright = ImageOps.exif_transpose(image)
    pixels = upright.convert("RGBA" if keeps_transparency else "RGB")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    return clean


def _flattened(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image.copy()
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background
