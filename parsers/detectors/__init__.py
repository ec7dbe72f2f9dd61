"""Artefact detectors: scam documents and the identifiers that link them."""
