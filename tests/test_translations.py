"""The Italian catalogue against the strings the code really marks for translation.

`make extract` rebuilds the catalogues from what Babel's extractor finds in the code and
templates; a string it cannot see (inside an f-string, say) would silently lose its
Italian at the next extract. These tests run the same extraction, in-process.
"""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def italian() -> Catalog:
    with open(ROOT / "app/translations/it/LC_MESSAGES/messages.po", "rb") as po:
        return read_po(po)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_every_italian_translation_is_still_found_in_the_code(extracted):
    """Nothing translated would be dropped (made obsolete) by `make extract`."""
    found = {_key(m) for m in extracted if m.id}
    lost = sorted(_key(m) for m in italian() if m.id and m.string and _key(m) not in found)
    assert lost == [], f"translated in it/messages.po but invisible to the extractor: {lost}"


def test_every_string_in_the_code_has_its_italian(extracted):
    """Italian first: a new English string without its Italian shows English to everyone."""
    catalogue = italian()
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        strings = translated.string if translated is not None else None
        if not strings or (not isinstance(strings, str) and not all(strings)):
            missing.append(f"{_key(message)!r} ({message.locations[0][0]})")
    assert missing == [], "no Italian for:\n" + "\n".join(missing)


def test_italian_translations_keep_the_placeholders():
    """A translation that drops or renames %(name)s would fail at run time."""
    problems = [
        f"{_key(message)!r}: {errors}" for message, errors in italian().check() if message.id and errors
    ]
    assert problems == []
