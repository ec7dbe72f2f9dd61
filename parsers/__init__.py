"""Parsers: evidence sources, volume systems, file systems, classifiers, text and artefacts.

Every built-in is registered here, so this file lists them all. Optional back-ends register
lazily: a missing binding makes that format "unavailable (reason)", not an ImportError.
"""

from __future__ import annotations

from parsers.archive import ArchiveReader
from parsers.archives import BUILTIN_ARCHIVES
from parsers.detector import Detector
from parsers.detectors.callscript import CallScriptDetector
from parsers.detectors.contactlist import ContactListDetector
from parsers.detectors.crypto import CryptoDetector
from parsers.detectors.network import NetworkDetector
from parsers.detectors.payment import PaymentDetector
from parsers.detectors.phones import PhoneDetector
from parsers.detectors.popup import PopupDetector
from parsers.detectors.remote import RemoteAccessDetector
from parsers.extractor import Extractor
from parsers.extractors import BUILTIN_EXTRACTORS
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

EXTRACTORS: Registry[Extractor] = Registry("extractor")
for _extractor in BUILTIN_EXTRACTORS[:-1]:
    EXTRACTORS.register(_extractor)
EXTRACTORS.register(BUILTIN_EXTRACTORS[-1], fallback=True)  # plain text

ARCHIVES: Registry[ArchiveReader] = Registry("archive")
for _reader in BUILTIN_ARCHIVES:
    ARCHIVES.register(_reader)

DETECTORS: Registry[Detector] = Registry("detector")
DETECTORS.register(CallScriptDetector())
DETECTORS.register(PopupDetector())
DETECTORS.register(ContactListDetector())
DETECTORS.register(PhoneDetector())
DETECTORS.register(NetworkDetector())
DETECTORS.register(CryptoDetector())
DETECTORS.register(RemoteAccessDetector())
DETECTORS.register(PaymentDetector())
