"""Valid HTML: the Nu HTML checker (vnu-jar from package.json, on Debian's Java) finds no error
on any page the accessibility test visits, in the state it visits it (a form sent with errors,
a badge scanned...). Java starts slowly: every page is saved to a file, then checked in one run.
"""

import json
import re
import shutil
import subprocess

import pytest
from conftest import ROOT
from test_accessibility import PAGES, sign_in, site  # noqa: F401

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = (
    "admin",
    "desk",
    "facilitator",
    "instance",
    "public",
)  # public last: its 429 page uses up the sign-in limit
# A page that must be reported: the check really runs and reads every file.
BROKEN = '<!doctype html><html lang="it"><title>x</title><p id="a"></p><p id="a"></p>'


def save_pages(browser, site, folder) -> dict[str, str]:  # noqa: F811
    """Every page of PAGES as the browser holds it, into folder: {file name: page name}."""
    names = {}
    for role in ROLES:
        context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome")
        page = context.new_page()
        if role != "public":
            sign_in(page, site, role)
        for number, entry in enumerate(p for p in PAGES if p.role == role):
            page.goto("about:blank")
            response = page.goto(site.url + entry.path.format(**site.values()))
            assert response.status == entry.status, entry.name
            if entry.then:
                entry.then(page, site)
            page.wait_for_load_state("load")
            file_name = f"{role}-{number:02d}.html"
            (folder / file_name).write_text(page.content(), encoding="utf-8")
            names[file_name] = f"{entry.name} ({entry.path})"
        context.close()
    return names


def nu_errors(folder) -> dict[str, list[str]]:
    """{file name: ["line N: message"]} from one run of the Nu HTML checker over folder/*.html."""
    if not VNU.exists():
        pytest.fail("vnu-jar is not installed: run `npm ci` (or scripts/vendor-js.sh)", pytrace=False)
    if not shutil.which("java"):
        pytest.fail("Java is missing: run scripts/system-deps.sh (default-jre-headless)", pytrace=False)
    files = sorted(str(path) for path in folder.glob("*.html"))
    command = ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = {}
    for message in messages:
        name = re.sub(r".*/", "", message.get("url", "?"))
        errors.setdefault(name, []).append(f"line {message.get('lastLine', '?')}: {message['message']}")
    return errors


def test_every_page_is_valid_html(browser, site, tmp_path):  # noqa: F811
    names = save_pages(browser, site, tmp_path)
    assert len(names) == len(PAGES)
    (tmp_path / "zz-broken.html").write_text(BROKEN, encoding="utf-8")
    errors = nu_errors(tmp_path)
    assert any("Duplicate ID" in text for text in errors.pop("zz-broken.html", [])), (
        "the checker did not report the broken page: is it running?"
    )
    found = [f"{names[file]}:\n    " + "\n    ".join(texts) for file, texts in sorted(errors.items())]
    assert not found, f"Nu HTML checker errors on {len(found)} pages:\n  " + "\n  ".join(found)
