"""Names kept out of what the public sees: the full name of anyone registered for the event
who did not agree to be named (Attendee.consent_name_public).

A name is found as its words in a row, first name then last name or last name then first,
ignoring case and accents ("José Núñez" finds "jose nunez" and "NUNEZ, José"), on whole
words only ("Rossi" is not found in "Rossini"). Finding too much is the safe side: two
people with the same name, one of whom did not agree, keep that name out.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Attendee, Event

BLANK = "[…]"
_WORD = re.compile(r"\w+")
# The characters allowed between two words of one name: " ", ", " (last name first), " - ".
_MAX_GAP = 3


def _folded(text: str) -> tuple[str, list[int]]:
    """The text without case and accents, and for each of its characters the index of the
    character of ``text`` it comes from (folding can turn one character into two, or none)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                chars.append(folded)
                origin.append(index)
    return "".join(chars), origin


@dataclass(frozen=True)
class _Word:
    text: str  # folded
    start: int  # in the original text
    end: int


def _words(text: str) -> list[_Word]:
    folded, origin = _folded(text)
    words = []
    for match in _WORD.finditer(folded):
        # The word ends where the next folded character starts: accents written as separate
        # marks after its last letter stay inside it.
        end = origin[match.end()] if match.end() < len(origin) else len(text)
        words.append(_Word(match.group(), origin[match.start()], end))
    return words


def _key(name: str) -> tuple[str, ...]:
    return tuple(word.text for word in _words(name or ""))


class NameGuard:
    """The names not to show, for one event: find them in a text, or blank them out."""

    def __init__(self, people: list[tuple[str, str]]):
        self._names: dict[tuple[str, ...], str] = {}
        for first, last in people:
            first_key, last_key = _key(first), _key(last)
            if not first_key or not last_key:  # an erased registration names no one
                continue
            shown = f"{first} {last}"
            self._names.setdefault(first_key + last_key, shown)
            self._names.setdefault(last_key + first_key, shown)
        self._lengths = sorted({len(key) for key in self._names})

    @classmethod
    def of_event(cls, event: Event) -> "NameGuard":
        return cls.of_event_id(event.id)

    @classmethod
    def of_event_id(cls, event_id: int) -> "NameGuard":
        people = db.session.execute(
            select(Attendee.first_name, Attendee.last_name).where(
                Attendee.event_id == event_id, Attendee.consent_name_public.is_(False)
            )
        ).all()
        return cls([tuple(person) for person in people])

    def _found(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each name found in the text."""
        words = _words(text or "")
        close = [words[i + 1].start - words[i].end <= _MAX_GAP for i in range(len(words) - 1)]
        found = []
        for i in range(len(words)):
            for length in self._lengths:
                if i + length > len(words) or not all(close[i : i + length - 1]):
                    continue
                name = self._names.get(tuple(word.text for word in words[i : i + length]))
                if name:
                    found.append((words[i].start, words[i + length - 1].end, name))
        return found

    def names_in(self, *texts: str) -> list[str]:
        """The names found in any of the texts, each once, in alphabetical order."""
        return sorted({name for text in texts for _, _, name in self._found(text)}, key=str.casefold)

    def blanked(self, text: str) -> str:
        """The text with every name found replaced by BLANK."""
        spans = sorted((start, end) for start, end, _ in self._found(text))
        if not spans:
            return text or ""
        pieces, position = [], 0
        for start, end in spans:
            if start < position:  # overlaps the previous name: already blanked up to there
                position = max(position, end)
                continue
            pieces += [text[position:start], BLANK]
            position = end
        return "".join(pieces) + text[position:]
