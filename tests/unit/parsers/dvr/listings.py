"""Shared by the recorder index tests: a listing's segments by key and its problem texts."""

from __future__ import annotations

from parsers.dvr.model import DvrListing, Segment


def by_key(listing: DvrListing) -> dict[str, Segment]:
    """The listing's segments, by their key."""
    return {segment.key: segment for segment in listing.segments}


def messages(listing: DvrListing) -> list[str]:
    """The messages of the listing's problems, in order."""
    return [problem.message for problem in listing.problems]
