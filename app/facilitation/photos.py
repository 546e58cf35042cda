"""Photos of a table's tablecloth or flipchart.

Nothing of the upload is trusted: not its name, not its declared type. The bytes are
counted, opened with Pillow, turned upright, and written again as a new JPEG (or PNG when
the picture has transparency) without any metadata (EXIF, GPS, XMP, comments), under a
random name in UPLOAD_DIR/photos, with a JPEG thumbnail beside it.

Memory is bounded before anything is decoded. Only STORED_MAX_SIDE pixels a side are kept,
so a JPEG (every phone's photo) is decoded at 1/2, 1/4 or 1/8 of its size where that still
covers them, inside libjpeg; what would still decode to more than DECODE_MAX_PIXELS (a PNG
of 7000 x 7000, say) is refused from its header. One decode at a time per process: the
threads of a worker queue for it instead of adding up. A 48 MP phone photo costs a worker
about 100 MB for a moment (750 MB when decoded whole), a worker at most about 200 MB.
"""

import enum
import io
import math
import secrets
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from app.extensions import db
from app.models import AuditAction, AuditEntry, CafeTable, TablePhoto

# A 48-50 MP phone photo (8064 x 6048, 8160 x 6120) is 10-20 MB as a JPEG.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; a decompression bomb is far bigger
STORED_MAX_SIDE = 2560  # plenty to read a flipchart, a fraction of a phone's original
THUMB_MAX_SIDE = 480
# Pixels actually decoded (after a JPEG's reduction), at most 4 bytes each: 105 MB. Twice the
# stored side squared, so that no JPEG within DEFAULT_MAX_PIXELS is refused: one that libjpeg
# cannot halve is under 5120 pixels a side. Other formats decode whole: up to 26 MP.
DECODE_MAX_PIXELS = (2 * STORED_MAX_SIDE) ** 2
_DECODING = threading.BoundedSemaphore(1)  # per process: a worker's threads wait their turn
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
    try:
        clean = clean_photo(data, int(current_app.config.get("MAX_PHOTO_PIXELS") or DEFAULT_MAX_PIXELS))
    except PhotoRefused as refused:
        return PhotoOutcome(refused.result)

    photo = TablePhoto(
        cafe_table_id=table.id,
        round=round,
        stored_name=_written(clean),
        caption=(" ".join((caption or "").split())[:CAPTION_MAX_CHARS] or None),
        width=clean.width,
        height=clean.height,
        size_bytes=len(clean.data),
        uploaded_by=uploaded_by,
    )
    db.session.add(photo)
    db.session.commit()
    return PhotoOutcome(PhotoResult.SAVED, photo)


def _written(clean: "CleanPhoto") -> str:
    """The picture and its thumbnail written under a new random name; that name."""
    stored_name = secrets.token_hex(16) + clean.extension
    folder = upload_dir()
    (folder / stored_name).write_bytes(clean.data)
    (folder / thumbnail_name(stored_name)).write_bytes(clean.thumbnail)
    return stored_name


@dataclass(frozen=True)
class CleanPhoto:
    """An upload written again: the picture to keep and its thumbnail, encoded."""

    extension: str  # ".jpg", or ".png" for a picture with transparency
    data: bytes
    thumbnail: bytes  # always a JPEG
    width: int
    height: int


class PhotoRefused(Exception):
    """The upload is not kept: result says why."""

    def __init__(self, result: PhotoResult):
        super().__init__(result.value)
        self.result = result


def clean_photo(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanPhoto:
    """The picture in ``data`` upright, at most STORED_MAX_SIDE a side, without metadata,
    and its thumbnail; within the memory bound (see the module's docstring). Raises
    PhotoRefused (TOO_MANY_PIXELS, NOT_AN_IMAGE). Needs no app or database."""
    with _DECODING:
        try:
            return _rewritten(_decoded(data, max_pixels))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise PhotoRefused(PhotoResult.NOT_AN_IMAGE) from None


def delete_photo(table: CafeTable, photo: TablePhoto, deleted_by: str) -> None:
    """Remove a photo (uploaded by mistake, or showing a face without consent), with an
    audit entry. The row goes first: if removing the files then fails, what is left is
    two unreferenced files, never a photo in the report without its file."""
    paths = [photo_path(photo), photo_path(photo, thumbnail=True)]
    db.session.add(
        AuditEntry(
            event_id=table.event_id,
            actor=deleted_by,
            action=AuditAction.PHOTO_DELETED,
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


def _decoded(data: bytes, max_pixels: int) -> Image.Image:
    """Open and decode the image, refusing what is not a picture we accept or would take too
    much memory to decode (sizes are read from the header, before decoding)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
        except Image.DecompressionBombWarning:
            raise PhotoRefused(PhotoResult.TOO_MANY_PIXELS) from None
        if probe.format not in ACCEPTED_FORMATS:
            raise ValueError(f"format {probe.format} not accepted")
        if probe.width * probe.height > max_pixels:
            raise PhotoRefused(PhotoResult.TOO_MANY_PIXELS)
        probe.verify()  # checksums and structure; the image must be opened again after this
        image = Image.open(io.BytesIO(data))
        # A JPEG: decoded at the smallest scale that still covers what is kept. Others: no-op.
        image.draft(None, _fitted(image.size, STORED_MAX_SIDE))
        if image.width * image.height > DECODE_MAX_PIXELS:
            raise PhotoRefused(PhotoResult.TOO_MANY_PIXELS)
        image.load()
    return image


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size within side x side that keeps the aspect, rounded up (never below what
    thumbnail() will make)."""
    scale = min(side / size[0], side / size[1], 1)
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _rewritten(image: Image.Image) -> CleanPhoto:
    """Scaled down first, so every copy after the decoded original is small."""
    keeps_transparency = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode not in ("L", "LA", "RGB", "RGBA"):  # palette, CMYK, 16-bit...: resampled in RGB(A)
        image = image.convert("RGBA" if keeps_transparency else "RGB")
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), Image.Resampling.LANCZOS)  # in place
    clean = _without_metadata(image, keeps_transparency)
    image.close()
    main = io.BytesIO()
    if keeps_transparency:
        clean.save(main, "PNG", optimize=True)
    else:
        clean.save(main, "JPEG", quality=85, optimize=True, progressive=True)
    thumb = _flattened(clean)
    thumb.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE), Image.Resampling.LANCZOS)
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=80, optimize=True)
    return CleanPhoto(
        extension=".png" if keeps_transparency else ".jpg",
        data=main.getvalue(),
        thumbnail=thumb_bytes.getvalue(),
        width=clean.width,
        height=clean.height,
    )


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
