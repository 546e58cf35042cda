"""Attendees' own pages, one module per audience on one blueprint, ``registration``:
signup.py (registering, the personal link sent again), personal_link.py (the pages behind
their personal link: view, change, cancel, their data, deletion) and documents.py (their
badge, calendar file and certificate, and anyone's check of a certificate), groups.py
(a group registered by one contact, and the contact's page).

The blueprint and the personal link's loaders: blueprint.py.
"""

# Imported for their routes, which they register on the blueprint.
from app.registration.views import documents, groups, personal_link, signup  # noqa: F401
from app.registration.views.blueprint import bp

__all__ = ["bp"]
