"""The event: its data file, loading and serving it, its public pages (home, programme,
privacy), the organisers' event-file page.
"""
