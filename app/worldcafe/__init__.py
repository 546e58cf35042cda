"""The world café assignment: the organisers' pages, runs and publication; engine/ is the
pure optimiser (no database).
"""
