"""Parsers: evidence sources, volume systems, file systems and classifiers.

Every built-in is registered here, so this file lists them all. Optional back-ends register
lazily: a missing binding makes that format "unavailable (reason)", not an ImportError.
"""

from __future__ import annotations

from parsers.registry import Registry
from parsers.source import SourceParser
from parsers.sources.aff import AffParser
from parsers.sources.ewf import EwfParser
from parsers.sources.libyal import QcowParser, VhdiParser, VmdkParser
from parsers.sources.raw import RawParser, SplitRawParser

SOURCES: Registry[SourceParser] = Registry("source")
SOURCES.register(EwfParser())
SOURCES.register(AffParser())
SOURCES.register_lazy("vmdk", VmdkParser)
SOURCES.register_lazy("vhdi", VhdiParser)
SOURCES.register_lazy("qcow", QcowParser)
SOURCES.register(SplitRawParser())
SOURCES.register(RawParser(), fallback=True)
