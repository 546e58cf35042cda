"""The world café tables at work: rosters and attendance, notes, photos, the synthesis for
the projector, facilitators' assignment.
"""
