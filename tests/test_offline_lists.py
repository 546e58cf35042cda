"""The service workers' lists of files to keep offline, made by app/core/offline.py from
what the pages load: a page's imports followed, a removed import gone from the list, and
the list served in front of each worker with a cache name that follows the contents."""

import json
import os
import re

import pytest

from app.core import offline

PAGE = offline.OfflinePage("test", "page.html", "js/page-sw.js")


@pytest.fixture
def site(app, tmp_path, monkeypatch):
    """A temporary templates and static folder: page.html loads js/page.js, which imports
    ./parts/a.js, which imports ../util.js; the page names a vendor folder."""
    templates, static = tmp_path / "templates", tmp_path / "static"
    static_url = "{{ url_for('static', filename='%s') }}"
    base = f'<link href="{static_url % "css/app.css"}">{{% block s %}}{{% endblock %}}'
    write(templates / "base.html", base)
    write(templates / "_head.html", f'<link rel="stylesheet" href="{static_url % "css/page.css"}">')
    page = (
        '{% extends "base.html" %}{% include "_head.html" %}\n'
        f'<div data-vendor="{static_url % "vendor/decoder/"}"></div>\n'
        f'{{% block s %}}<script type="module" src="{static_url % "js/page.js"}"></script>{{% endblock %}}'
    )
    write(templates / "page.html", page)
    page_js = 'import { a } from "./parts/a.js";\nimport "./side.js";\nconst f = () => import("./lazy.js");\n'
    write(static / "js/page.js", page_js)
    write(static / "js/parts/a.js", 'export { util } from "../util.js";\nexport const a = 1;\n')
    write(static / "js/util.js", "export const util = 2;\n")
    write(static / "js/side.js", "")
    write(static / "js/page-sw.js", "// the worker\n")
    write(static / "vendor/decoder/reader/index.js", 'import{A as e}from"../share.js";\n')
    write(static / "vendor/decoder/share.js", "export{};\n")
    write(static / "vendor/decoder/decoder.wasm", "")
    write(static / "vendor/decoder/LICENSE", "")
    for css in ("css/app.css", "css/page.css"):
        write(static / css, "body {}\n")
    monkeypatch.setattr(offline, "template_folder", lambda: templates)
    monkeypatch.setattr(offline, "static_folder", lambda: static)
    return static


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_list_follows_the_imports_from_the_page_and_its_templates(site):
    assert sorted(offline.offline_files(PAGE)) == [
        "css/app.css",
        "css/page.css",
        "js/page.js",
        "js/parts/a.js",
        "js/side.js",
        "js/util.js",
        "vendor/decoder/decoder.wasm",
        "vendor/decoder/reader/index.js",
        "vendor/decoder/share.js",
    ]  # not lazy.js (a dynamic import) nor the vendor's LICENSE


def test_removing_an_import_takes_its_modules_off_the_list(site):
    before = offline.offline_files(PAGE)
    write(site / "js/page.js", 'import "./side.js";\n')
    after = offline.offline_files(PAGE)
    assert {"js/parts/a.js", "js/util.js"} <= set(before)
    assert set(before) - set(after) == {"js/parts/a.js", "js/util.js"}


def test_the_cache_name_changes_with_any_file_contents(site):
    files = offline.offline_files(PAGE)
    before = offline.cache_name(PAGE, files)
    assert before == offline.cache_name(PAGE, files)
    write(site / "js/util.js", "export const util = 3;\n")
    assert re.fullmatch(r"noiday-test-[0-9a-f]{12}", before)
    assert offline.cache_name(PAGE, files) != before


def test_a_file_changed_long_ago_is_read_again_when_it_changes(site):
    """The scans and hashes are kept per file version: an old file rewritten (same size) is
    seen as new, and so is one rewritten within the same clock tick as the last read."""
    files = offline.offline_files(PAGE)
    util = site / "js/util.js"
    os.utime(util, (1_000_000_000, 1_000_000_000))  # written long ago: its reading is kept
    before = offline.cache_name(PAGE, files)
    write(util, "export const util = 3;\n")
    os.utime(util, (1_000_000_001, 1_000_000_001))
    assert offline.cache_name(PAGE, files) != before
    write(site / "js/side.js", 'import "./late.js";\n')  # just now: read afresh every time
    assert "js/late.js" in offline.offline_files(PAGE)


def test_the_desk_page_preloads_every_module_its_script_imports(make_staff):
    """The browser fetches the desk's modules at once, not one level of imports after another."""
    _, desk_client = make_staff("desk")
    page = desk_client.get("/brescia-citta-del-noi/desk/").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    expected = [
        f"/static/{path}" for path in offline.with_imports(["js/checkin/desk.js"], offline.static_folder())
    ]
    assert sorted(preloaded) == sorted(expected[1:])
    assert {"/static/js/checkin/desk/api.js", "/static/js/shared/common.js"} <= set(preloaded)


def served_list(response):
    text = response.get_data(as_text=True)
    files = json.loads(re.search(r"^self\.OFFLINE_FILES = (.*);$", text, re.M).group(1))
    cache = json.loads(re.search(r"^self\.OFFLINE_CACHE = (.*);$", text, re.M).group(1))
    return files, cache, text


def test_the_desk_worker_is_served_with_every_module_of_the_desk(make_staff):
    _, desk_client = make_staff("desk")
    response = desk_client.get("/brescia-citta-del-noi/desk/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    files, cache, text = served_list(response)
    assert cache.startswith("noiday-desk-")
    assert "importScripts(" in text  # the worker's own code follows the list
    for path in (
        "/static/css/app.css",
        "/static/css/desk.css",
        "/static/js/checkin/desk.js",
        "/static/js/checkin/desk/api.js",
        "/static/js/shared/common.js",
        "/static/js/shared/scanner.js",
        "/static/vendor/zxing-wasm/reader/index.js",
        "/static/vendor/zxing-wasm/share.js",
        "/static/vendor/zxing-wasm/zxing_reader.wasm",
    ):
        assert path in files


def test_the_notes_list_holds_the_notes_modules(app):
    files = offline.offline_files(offline.NOTES)
    for path in ("css/app.css", "css/facilitators.css", "js/facilitation/notes.js", "js/shared/common.js"):
        assert path in files
