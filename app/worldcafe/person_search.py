"""Finding the person to move by what an organiser types: a name, part of one, or the code
under the QR, among the people of one run (so never someone of another event)."""

import unicodedata
from dataclasses import dataclass, field

from app.models import AssignmentRun, Attendee


def _plain(text: str) -> str:
    """Case, accents and spacing do not matter: "lùcia  d'amico" finds "Lucia D'Amico"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def readable_code(code: str) -> str:
    """The badge code as printed: "KLM 479"."""
    return f"{code[:3]} {code[3:]}"


def suggestions(run: AssignmentRun, people: dict[int, Attendee]) -> list[tuple[str, Attendee]]:
    """(label, person) for everyone seated by the run who still comes, by surname. A label is
    unique: name, organisation and the badge code."""
    seated = {s.attendee_id for s in run.seats if s.round == 1}
    movable = sorted(
        (a for a in people.values() if a.id in seated),
        key=lambda a: (_plain(a.last_name), _plain(a.first_name)),
    )
    return [(_label(a), a) for a in movable]


def _label(attendee: Attendee) -> str:
    parts = [attendee.full_name, attendee.organisation_name, readable_code(attendee.badge_code)]
    return " · ".join(part for part in parts if part)


@dataclass
class Found:
    person: Attendee | None = None
    matches: list[Attendee] = field(default_factory=list)  # more than one: the typed text is ambiguous


def find_person(candidates: list[tuple[str, Attendee]], typed: str) -> Found:
    """The person a suggestion names, else the one person whose whole name (first name and
    surname in either order) or badge code it is, else the one whose name holds the text."""
    wanted = _plain(typed)
    for label, person in candidates:
        if _plain(label) == wanted:
            return Found(person=person)
    code = wanted.replace(" ", "").replace("-", "").upper()
    names = {person.id: _names(person) for _, person in candidates}
    exact = [person for _, person in candidates if wanted in names[person.id] or person.badge_code == code]
    if len(exact) == 1:  # "Maria Rossi" beside "Maria Rossini"
        return Found(person=exact[0])
    matches = [person for _, person in candidates if any(wanted in name for name in names[person.id])]
    if len(matches) == 1:
        return Found(person=matches[0])
    return Found(matches=exact or matches)


def _names(person: Attendee) -> tuple[str, str]:
    first, last = person.first_name, person.last_name
    return _plain(f"{first} {last}"), _plain(f"{last} {first}")
