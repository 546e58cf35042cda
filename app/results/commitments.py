"""Commitments taken on at the tables, and their progress after the day (stub: helper B)."""


def public_context(event) -> dict:
    """Variables for templates/results/_commitments.html on the public page."""
    return {}
