"""The badge PDF's fonts, for names outside Latin-1: those of every document (DejaVu Sans
with Noto and Symbola as fallback fonts, app/core/fonts.py), parsed once per process and
copied into each badge (badge_pdf.py uses the built-in Helvetica for the others)."""

from app.core.fonts import add_fonts as add_badge_fonts
from app.core.fonts import warm_up

__all__ = ["add_badge_fonts", "warm_up"]
