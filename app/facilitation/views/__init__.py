"""Facilitators' pages (role facilitator, for their own tables; admins for every table), one
module per feature on one blueprint, ``facilitators``: home.py (their tables, the JSON
contract), attendance.py, notes.py, photos.py; and the synthesis shown on the projector at
16:00, on its own blueprint, ``synthesis`` (synthesis.py).

What every page shares (the role check, the table's loader, size limits): blueprint.py.
"""

# Imported for their routes, which they register on the blueprints.
from app.facilitation.views import attendance, commitments, home, notes, photos, synthesis  # noqa: F401
from app.facilitation.views.blueprint import bp
from app.facilitation.views.synthesis import synthesis_bp

__all__ = ["bp", "synthesis_bp"]
