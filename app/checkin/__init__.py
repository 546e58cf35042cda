"""Check-in: the desk pages, the desk devices' JSON API, scanning, badges (tokens, QR, PDF)
and desk devices.
"""
