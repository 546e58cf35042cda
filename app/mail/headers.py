"""What may go into an e-mail header: the one definition that forms, the event file's
check and the mail sender share.

A line break in a header ends it, and what follows becomes a header of its own (a Bcc: to
anyone); Python's e-mail library refuses such a value outright, which stopped the sender.
Forms and the event file refuse these characters where they are typed; the sender makes
every header safe anyway, for what was stored before or arrives by another road.
"""

import re
from email.headerregistry import Address

# Control characters (C0, DEL, C1) and Unicode's line and paragraph separators: every
# character that str.splitlines() breaks at is among them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Characters that would make an address into several, or into more than an address.
_NOT_IN_A_PLAIN_ADDRESS = re.compile(r"[\s,;:<>()\[\]\"\\]")


class UnsafeHeader(ValueError):
    """A value that cannot become a header without changing what the message says."""


def has_control_characters(text: str | None) -> bool:
    return bool(text) and CONTROL_CHARACTERS.search(text) is not None


def one_line(text: str) -> str:
    """Header text on one line: each run of control characters becomes one space."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def recipient_address(recipient: str) -> Address:
    """One plain address for To:, or UnsafeHeader (a line break, a second address, no '@')."""
    username, at, domain = recipient.rpartition("@")
    if (
        not (at and username and domain)
        or "@" in username
        or CONTROL_CHARACTERS.search(recipient)
        or _NOT_IN_A_PLAIN_ADDRESS.search(recipient)
    ):
        raise UnsafeHeader(f"the recipient is not one e-mail address: {recipient!r}")
    return Address(username=username, domain=domain)
