"""Cryptocurrency addresses: where a victim was told to send money.

Scam scripts and chat logs carry the wallet addresses payments go to; the same address
across seized machines links them. Only addresses whose checksum holds are reported, so
random strings of the right shape are not: Base58Check for Bitcoin P2PKH/P2SH (mainnet
versions 0x00 and 0x05) and Tron (version 0x41), Bech32/Bech32m for SegWit ``bc1``
addresses, and EIP-55 for mixed-case Ethereum addresses (all-lower or all-upper ones carry
no checksum and are accepted with a lower score, normalised to their EIP-55 form).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.detectors.checksums import base58check_payload, segwit_program
from parsers.detectors.keccak import keccak256
from parsers.detectors.scanning import FindingSet, Target, bounded, scan_target

if TYPE_CHECKING:
    from parsers.detector import Finding
    from parsers.extractor import Extraction

_B58 = "1-9A-HJ-NP-Za-km-z"
_BASE58_ADDRESS = re.compile(rf"(?<![0-9A-Za-z])[13][{_B58}]{{25,34}}(?![0-9A-Za-z])")
_TRON_ADDRESS = re.compile(rf"(?<![0-9A-Za-z])T[{_B58}]{{33}}(?![0-9A-Za-z])")
_SEGWIT_ADDRESS = re.compile(r"(?<![0-9A-Za-z])(?:bc1|BC1)[0-9A-Za-z]{8,87}(?![0-9A-Za-z])")
_ETH_ADDRESS = re.compile(r"(?<![0-9A-Za-z])0x([0-9A-Fa-f]{40})(?![0-9A-Za-z])")
_BTC_VERSIONS = {0x00: "version:p2pkh", 0x05: "version:p2sh"}
_TRON_VERSION = 0x41


def eip55(hex_address: str) -> str:
    """The EIP-55 checksummed form of 40 hex digits, with its ``0x`` prefix.

    Args:
        hex_address: 40 hexadecimal digits, any case, without ``0x``.

    Returns:
        ``0x`` followed by the digits, each letter upper-cased where the Keccak-256 hash
        of the lower-case address has a nibble of 8 or more.
    """
    lower = hex_address.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(lower)
    )


def _bitcoin_base58(target: Target, found: FindingSet) -> None:
    for match in bounded(_BASE58_ADDRESS.finditer(target.folded)):
        payload = base58check_payload(match.group())
        if payload is None or len(payload) != 21 or payload[0] not in _BTC_VERSIONS:
            continue
        rules = ("checksum:base58check", _BTC_VERSIONS[payload[0]])
        found.add("btc_address", match.span(), match.group(), 0.95, rules)


def _bitcoin_segwit(target: Target, found: FindingSet) -> None:
    for match in bounded(_SEGWIT_ADDRESS.finditer(target.folded)):
        decoded = segwit_program(match.group())
        if decoded is None:
            continue
        version = decoded[0]
        rules = ("checksum:bech32" if version == 0 else "checksum:bech32m", f"witness:v{version}")
        found.add("btc_address", match.span(), match.group().lower(), 0.95, rules)


def _tron(target: Target, found: FindingSet) -> None:
    for match in bounded(_TRON_ADDRESS.finditer(target.folded)):
        payload = base58check_payload(match.group())
        if payload is None or len(payload) != 21 or payload[0] != _TRON_VERSION:
            continue
        rules = ("checksum:base58check", "version:0x41")
        found.add("trx_address", match.span(), match.group(), 0.95, rules)


def _ethereum(target: Target, found: FindingSet) -> None:
    for match in bounded(_ETH_ADDRESS.finditer(target.folded)):
        digits = match.group(1)
        if len(set(digits.lower())) < 4:  # 0x000...0, 0xfff...f: placeholders, not wallets
            continue
        checksummed = eip55(digits)
        if digits in (digits.lower(), digits.upper()):
            found.add("eth_address", match.span(), checksummed, 0.7, ("format:hex_single_case",))
        elif "0x" + digits == checksummed:
            found.add("eth_address", match.span(), checksummed, 0.95, ("checksum:eip55",))


class CryptoDetector:
    """Bitcoin, Ethereum and Tron addresses whose checksums hold."""

    name = "crypto_addresses"
    version = 1
    description = "Bitcoin (Base58Check, Bech32/Bech32m), Ethereum (EIP-55) and Tron addresses"
    emits: tuple[str, ...] = ("btc_address", "eth_address", "trx_address")

    def detect(self, doc: Extraction) -> list[Finding]:
        """Checksum-valid addresses in the markup or text of ``doc``."""
        target = scan_target(doc)
        found = FindingSet(target)
        _bitcoin_base58(target, found)
        _bitcoin_segwit(target, found)
        _tron(target, found)
        _ethereum(target, found)
        return found.findings()
