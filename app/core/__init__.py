"""What every feature uses: locking, transactions, absolute URLs, database limits, the base
form, the proxy, request logs, template helpers.
"""
