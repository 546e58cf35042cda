"""Attendees: registration and their personal pages, the organisers' attendee pages, personal data."""
