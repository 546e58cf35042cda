"""What the database can store, checked where input arrives (URLs, query strings, forms, JSON).

Past these limits the database itself refuses the value (PostgreSQL: "integer out of range",
"text fields cannot contain NUL"; SQLite: OverflowError) and the visitor would get a 500.
"""

from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer` columns; SQLite's are wider, so this bound holds for both.
DB_INT_MAX = 2**31 - 1
NUL = "\x00"


class DbIntConverter(IntegerConverter):
    """`<int:...>` in every route: a number past the database's range matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def db_int(text) -> int:
    """A whole number within the database's range, for ``request.args.get(name, type=db_int)``.

    Raises ValueError otherwise (``.get`` then gives its default).
    """
    text = str(text).strip()
    # Digits 0-9 only (no sign, no other script's digits), and few: int() of a huge text is slow.
    if text.isascii() and text.isdigit() and len(text) <= len(str(DB_INT_MAX)) and int(text) <= DB_INT_MAX:
        return int(text)
    raise ValueError(f"not a whole number from 0 to {DB_INT_MAX}: {text[:20]!r}")


def contains_nul(value) -> bool:
    """Whether a text, or any text in a list or a JSON object (keys too), holds the NUL
    character no column can store."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    return False


class RefusedInput(BadRequest):
    """A 400 whose description is a sentence for the visitor, in their language (the error
    page shows it, with a link to start again; under /api/ it is the JSON's detail)."""

    def __init__(self, description: str, back_url: str | None = None):
        super().__init__(description)
        self.back_url = back_url
