"""The chain of custody: an append-only, hash-chained log of every action on a case.

``log`` appends and reads entries, ``seal`` fingerprints what a scan wrote, ``signing``
signs checkpoints of the chain and ``verify`` proves (or disproves) the whole record.
"""
