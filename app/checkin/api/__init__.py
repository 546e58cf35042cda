"""The check-in JSON API (/api/v1), used by the desk page and any other desk client: bearer
token per desk device.
"""
