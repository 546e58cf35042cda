"""Photos of the tablecloth: only pictures, not too big, written again without metadata
(no GPS position leaves the phone's photo), with a thumbnail."""

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from PIL import ExifTags, Image
from sqlalchemy import func, select
from test_facilitators import facilitator_of, png_bytes, upload_dir  # noqa: F401

from app.extensions import db
from app.facilitation import photos
from app.models import TablePhoto


def jpeg_with_gps(size=(800, 600), orientation=None) -> bytes:
    """A phone photo: a JPEG whose EXIF block says where it was taken (MO.CA, Brescia)."""
    image = Image.new("RGB", size, "steelblue")
    image.paste((250, 200, 0), (0, 0, size[0] // 2, size[1] // 3))  # a mark to check rotation
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.ImageDescription] = "Tovaglia del tavolo"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 32.0, 24.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (10.0, 13.0, 12.1)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo has GPS"
    return data


def stored_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def stored(photo: TablePhoto, thumbnail=False) -> bytes:
    return photos.photo_path(photo, thumbnail).read_bytes()


def test_gps_and_every_other_metadata_are_gone_and_a_thumbnail_is_made(event, upload_dir):  # noqa: F811
    outcome = photos.save_photo(event.tables[0], 1, io.BytesIO(jpeg_with_gps()), "Tovaglia", "f@example.org")
    assert outcome.result is photos.PhotoResult.SAVED
    photo = outcome.photo
    assert photo.stored_name.endswith(".jpg") and "Tovaglia" not in photo.stored_name
    data = stored(photo)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"GPS" not in data
    thumb = Image.open(io.BytesIO(stored(photo, thumbnail=True)))
    assert thumb.format == "JPEG" and max(thumb.size) <= photos.THUMB_MAX_SIDE
    assert not thumb.getexif()
    assert stored_files(upload_dir) == sorted([photo.stored_name, photos.thumbnail_name(photo.stored_name)])


def test_a_sideways_phone_photo_is_stored_upright(event, upload_dir):  # noqa: F811
    outcome = photos.save_photo(event.tables[0], 1, io.BytesIO(jpeg_with_gps(orientation=6)), None, "f")
    assert (outcome.photo.width, outcome.photo.height) == (600, 800), "rotated as the EXIF said"
    assert not Image.open(io.BytesIO(stored(outcome.photo))).getexif()


def test_transparent_png_stays_png_and_large_photos_are_scaled_down(event, upload_dir):  # noqa: F811
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (0, 128, 0, 100)).save(buffer, "PNG")
    outcome = photos.save_photo(event.tables[0], 0, io.BytesIO(buffer.getvalue()), None, "f")
    assert outcome.photo.stored_name.endswith(".png")
    assert (outcome.photo.width, outcome.photo.height) == (photos.STORED_MAX_SIDE, 853)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 not a picture at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 200,  # starts like a JPEG, is not one
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ],
    ids=["pdf", "fake-jpeg", "svg"],
)
def test_what_is_not_a_picture_is_refused(event, upload_dir, data):  # noqa: F811
    outcome = photos.save_photo(event.tables[0], 1, io.BytesIO(data), None, "f")
    assert outcome.result is photos.PhotoResult.NOT_AN_IMAGE
    assert db.session.scalar(select(func.count()).select_from(TablePhoto)) == 0
    assert stored_files(upload_dir) == []


def test_too_many_bytes_or_pixels_are_refused(app, event, upload_dir, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 20_000)
    big = jpeg_with_gps(size=(1600, 1200))
    assert len(big) > 20_000
    assert (
        photos.save_photo(event.tables[0], 1, io.BytesIO(big), None, "f").result
        is photos.PhotoResult.TOO_LARGE
    )
    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 10 * 2**20)
    monkeypatch.setitem(app.config, "MAX_PHOTO_PIXELS", 1000 * 1000)
    outcome = photos.save_photo(event.tables[0], 1, io.BytesIO(big), None, "f")
    assert outcome.result is photos.PhotoResult.TOO_MANY_PIXELS
    assert (
        photos.save_photo(event.tables[0], 1, io.BytesIO(b""), None, "f").result is photos.PhotoResult.EMPTY
    )
    assert stored_files(upload_dir) == []


def test_upload_page_refuses_non_images_and_oversized_files(app, event, make_staff, upload_dir, monkeypatch):  # noqa: F811
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/photos"

    def upload(data, name, mimetype):
        page = own.get(url).get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        return own.post(
            url,
            data={
                "csrf_token": token,
                "round": "1",
                "caption": "Il cartellone",
                "photo": (io.BytesIO(data), name, mimetype),
            },
            content_type="multipart/form-data",
        )

    refused = upload(b"just some text, honest", "photo.jpg", "image/jpeg")  # lies about its type
    assert refused.status_code == 422 and "JPEG, PNG" in refused.get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 50_000)
    big = jpeg_with_gps(size=(2000, 1500))
    assert 50_000 < len(big) < 50_000 + 256 * 1024
    assert upload(big, "big.jpg", "image/jpeg").status_code == 422
    huge = big + b"\0" * (400 * 1024)  # past the request limit: refused before it is read
    too_big = upload(huge, "huge.jpg", "image/jpeg")
    assert too_big.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TablePhoto)) == 0

    accepted = upload(png_bytes(), "../../etc/passwd.png", "text/plain")
    assert accepted.status_code == 302
    photo = db.session.scalars(select(TablePhoto)).one()
    assert photo.caption == "Il cartellone" and "passwd" not in photo.stored_name
    page = own.get(url).get_data(as_text=True)
    assert f"/photos/{photo.id}/thumb" in page


# ---- Memory: decoding is bounded, whatever the upload claims ---------------------------------


def one_colour_png(width: int, height: int) -> bytes:
    """A PNG of width x height pixels, built row by row: huge decoded, small in bytes, and
    cheap to make (each row after the first is "as the row above")."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    first, same = b"\0" + b"\x46\x82\xb4" * width, b"\x02" + bytes(3 * width)
    packer = zlib.compressobj(1)
    rows = packer.compress(first) + b"".join(packer.compress(same) for _ in range(height - 1))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", rows + packer.flush())
        + chunk(b"IEND", b"")
    )


MAKE_PHONE_PHOTO = """
import sys
from PIL import Image, ImageDraw
width, height = int(sys.argv[2]), int(sys.argv[3])
# Detail everywhere, as in a real photo, so that the file has a phone photo's size in bytes.
image = Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height))
draw = ImageDraw.Draw(image)
for x in range(0, width, 97):
    draw.line([(x, 0), (width - x, height)], fill=(x % 255, 80, 160), width=5)
image.save(sys.argv[1], "JPEG", quality=90)
"""

# Cleans the photos named on the command line on as many threads at once (one worker's
# threads), then prints what came out and how much more memory the process ever held.
CLEAN_IN_A_CHILD = """
import re, sys, threading
from app.facilitation import photos

def peak_kb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

uploads = [open(path, "rb").read() for path in sys.argv[1:]]
results = []
def clean(data):
    try:
        photo = photos.clean_photo(data)
        results.append(f"{photo.width}x{photo.height}")
    except photos.PhotoRefused as refused:
        results.append(refused.result.value)
before = peak_kb()
threads = [threading.Thread(target=clean, args=(data,)) for data in uploads]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
print(" ".join(sorted(results)), (peak_kb() - before) // 1024)
"""


ROOT = Path(__file__).resolve().parent.parent


def cleaned_in_a_child(*paths) -> tuple[list[str], int]:
    """(results, megabytes the cleaning added to the child's peak resident memory)."""
    done = subprocess.run(
        [sys.executable, "-c", CLEAN_IN_A_CHILD, *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    *results, megabytes = done.stdout.split()
    return results, int(megabytes)


def test_a_48_megapixel_phone_photo_passes_and_is_decoded_reduced(app, tmp_path):
    path = tmp_path / "phone.jpg"
    subprocess.run([sys.executable, "-c", MAKE_PHONE_PHOTO, str(path), "8064", "6048"], check=True)
    assert 10 * 2**20 < path.stat().st_size <= photos.max_photo_bytes(), "a phone's 48 MP JPEG, in bytes"
    results, megabytes = cleaned_in_a_child(path)
    assert results == ["2560x1920"]
    # Decoded whole, it is 195 MB of pixels (and its copies took 750 MB): at half scale, 49 MB.
    assert megabytes < 150


def test_uploads_at_once_on_a_workers_threads_decode_one_at_a_time(tmp_path):
    side = photos.STORED_MAX_SIDE * 2  # the largest PNG decoded whole: 26 MP, 105 MB of pixels
    path = tmp_path / "flipchart.png"
    path.write_bytes(one_colour_png(side, side))
    results, megabytes = cleaned_in_a_child(path, path, path)
    assert results == ["2560x2560"] * 3
    assert megabytes < 250, "one decode at a time, each within the budget"


def test_a_png_too_large_to_decode_is_refused_and_the_caption_stays(
    app,
    event,
    make_staff,
    upload_dir,  # noqa: F811
):
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    huge = one_colour_png(7000, 7000)  # 49 MP: under the 50 MP of a phone photo, but not a JPEG
    assert len(huge) < photos.max_photo_bytes()
    refused = upload_photo(own, table, huge, "flipchart.png", caption="Il cartellone del tavolo 1")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    with app.test_request_context(), force_locale("it"):
        assert gettext("The picture has too many pixels.").replace("'", "&#39;") in html
    assert 'value="Il cartellone del tavolo 1"' in html, "the caption typed is kept"
    assert db.session.scalar(select(func.count()).select_from(TablePhoto)) == 0
    assert stored_files(upload_dir) == []


def test_a_phone_photo_uploads_upright_with_its_thumbnail(app, event, make_staff, upload_dir):  # noqa: F811
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    phone = jpeg_with_gps(size=(4032, 3024), orientation=6)  # 12 MP, taken with the phone upright
    saved = upload_photo(own, table, phone, "IMG_0001.JPG", caption="Tovaglia")
    assert saved.status_code == 302
    photo = db.session.scalars(select(TablePhoto)).one()
    assert (photo.width, photo.height) == (1920, 2560)
    thumb = own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/photos/{photo.id}/thumb")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (360, 480)


def upload_photo(client, table, data: bytes, name: str, caption: str):
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/photos"
    page = client.get(url).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post(
        url,
        data={
            "csrf_token": token,
            "round": "1",
            "caption": caption,
            "photo": (io.BytesIO(data), name, "image/png"),
        },
        content_type="multipart/form-data",
    )
