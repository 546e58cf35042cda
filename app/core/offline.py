"""The service workers' lists of files to keep offline, made from what the pages load.

A page's list is every static file its template (with what it extends and includes) names
through url_for('static', ...), a named folder standing for the files in it (the QR
decoder's vendor folder), plus every module those scripts import, followed through
`import ... from "./x.js"` statements. The worker script is served with the list and a
cache name in front of it; the cache name changes with the files' contents, so a deploy
replaces the browsers' old copies by itself.
"""

import functools
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import Response, current_app, url_for

# `import x from "./a.js"`, `export { y } from "../b.js"`, `import "./c.js"`; not import().
MODULE_IMPORT = re.compile(r"""\b(?:import|export)\b(?:[^"';()]*?\bfrom)?\s*["']([^"']+)["']""")
STATIC_IN_TEMPLATE = re.compile(r"""url_for\(\s*["']static["']\s*,\s*filename\s*=\s*["']([^"']+)["']""")
TEMPLATE_IN_TEMPLATE = re.compile(r"""\{%-?\s*(?:extends|include)\s+["']([^"']+)["']""")
# What a browser loads from a named folder (not its LICENSE or README).
LOADABLE = {".js", ".mjs", ".css", ".wasm", ".svg", ".png", ".woff2"}


@dataclass(frozen=True)
class OfflinePage:
    """A page that opens without network: its template and its worker (both under the app)."""

    name: str  # the cache is called noiday-<name>-<hash>
    template: str  # under templates/
    worker: str  # under static/


DESK = OfflinePage("desk", "checkin/desk.html", "js/checkin/desk-sw.js")
NOTES = OfflinePage("notes", "facilitation/notes.html", "js/facilitation/notes-sw.js")


def static_folder() -> Path:
    return Path(current_app.static_folder)


def template_folder() -> Path:
    return Path(current_app.root_path, current_app.template_folder).resolve()


def templates_of(template: str, folder: Path) -> list[str]:
    """The template and every template it extends or includes, each once."""
    found, pending = [], [template]
    while pending:
        name = pending.pop()
        if name in found or not (folder / name).is_file():
            continue
        found.append(name)
        pending.extend(TEMPLATE_IN_TEMPLATE.findall((folder / name).read_text(encoding="utf-8")))
    return found


def static_files_named(templates: list[str], folder: Path, static: Path) -> list[str]:
    """The static files the templates name; a folder ("vendor/zxing-wasm/") gives its files."""
    files = []
    for name in templates:
        for path in STATIC_IN_TEMPLATE.findall((folder / name).read_text(encoding="utf-8")):
            if path.endswith("/"):
                files.extend(sorted(loadable_files_under(static, path)))
            else:
                files.append(path)
    return files


def loadable_files_under(static: Path, folder: str):
    for path in (static / folder).rglob("*"):
        if path.is_file() and path.suffix in LOADABLE:
            yield path.relative_to(static).as_posix()


def imported_modules(script: str, static: Path) -> list[str]:
    """The relative imports of one script, as paths under static/."""
    base = PurePosixPath(script).parent
    return [
        normalised(base / specifier)
        for specifier in per_version(_specifiers, static / script)
        if specifier.startswith(("./", "../"))
    ]


# Every desk page load asks for its worker (the browser's update check): the import scan
# (5 ms of regular expression over the QR decoder's minified scripts, holding the GIL) and
# the hashing run once per file version instead.
RACY_SECONDS = 2


def per_version(read, path: Path):
    """read(path), kept per file version (path, modification time, size). A file changed in
    the last RACY_SECONDS is read afresh: its timestamp may not yet tell two versions apart
    (git's "racily clean" files)."""
    stat = path.stat()
    if time.time() - stat.st_mtime < RACY_SECONDS:
        return read(str(path))
    return _kept(read, str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _kept(read, path: str, _mtime_ns: int, _size: int):
    return read(path)


def _specifiers(path: str) -> tuple[str, ...]:
    with open(path, encoding="utf-8", errors="replace") as source:
        return tuple(MODULE_IMPORT.findall(source.read()))


def _digest(path: str) -> bytes:
    with open(path, "rb") as contents:
        return hashlib.file_digest(contents, "sha256").digest()


def normalised(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts = parts[:-1]
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def with_imports(files: list[str], static: Path) -> list[str]:
    """The files and every module their scripts import, however deep, each once, in order."""
    found, pending = [], list(files)
    while pending:
        path = pending.pop(0)
        if path in found:
            continue
        found.append(path)
        if path.endswith((".js", ".mjs")) and (static / path).is_file():
            pending.extend(imported_modules(path, static))
    return found


def offline_files(page: OfflinePage) -> list[str]:
    """Paths under static/ that the page loads, its imports followed."""
    static = static_folder()
    templates = templates_of(page.template, template_folder())
    return with_imports(static_files_named(templates, template_folder(), static), static)


def module_imports(script: str) -> list[str]:
    """Every module `script` (a path under static/) imports, however deep: the desk page
    preloads them (<link rel="modulepreload">), so that they are fetched at once with the
    script instead of one level of imports after another."""
    return with_imports([script], static_folder())[1:]


def cache_name(page: OfflinePage, files: list[str]) -> str:
    """noiday-<page>-<hash of the worker and of every file's path and contents>."""
    static = static_folder()
    digest = hashlib.sha256()
    for path in [page.worker, *files]:
        digest.update(path.encode())
        if (static / path).is_file():
            digest.update(per_version(_digest, static / path))
    return f"noiday-{page.name}-{digest.hexdigest()[:12]}"


def worker_response(page: OfflinePage) -> Response:
    """The page's service worker, its list and cache name set before its own code runs."""
    files = offline_files(page)
    urls = [url_for("static", filename=path) for path in files]
    prefix = (
        f"self.OFFLINE_FILES = {json.dumps(urls)};\n"
        f"self.OFFLINE_CACHE = {json.dumps(cache_name(page, files))};\n"
    )
    worker = (static_folder() / page.worker).read_text(encoding="utf-8")
    response = Response(prefix + worker, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
