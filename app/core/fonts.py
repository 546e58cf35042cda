"""The fonts the PDFs (badges, report, certificates) are drawn with, shipped with the app."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
