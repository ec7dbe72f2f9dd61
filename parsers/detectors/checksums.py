"""Check-digit and checksum codecs that separate real identifiers from look-alikes.

A random 34-character string matches the shape of a Bitcoin address; only its checksum
says it is one. Every codec here is small, pure and bounded by the length of its input,
so detectors can call them on hostile text without fear: Base58Check (Bitcoin, Tron),
Bech32/Bech32m (BIP-173/BIP-350 SegWit addresses), ISO 13616 mod-97 (IBAN), Luhn (card
numbers) and the ABA routing-number weights.
"""

from __future__ import annotations

import hashlib

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: i for i, char in enumerate(BASE58_ALPHABET)}
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {char: i for i, char in enumerate(BECH32_CHARSET)}
_BECH32_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
_MAX_BASE58_CHARS = 128


def base58_decode(text: str) -> bytes | None:
    """Bytes encoded by a Base58 string (Bitcoin alphabet), or ``None`` if not Base58."""
    if not text or len(text) > _MAX_BASE58_CHARS:
        return None
    number = 0
    for char in text:
        digit = _BASE58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def base58check_payload(text: str) -> bytes | None:
    """Version byte plus payload of a Base58Check string, or ``None`` if the check fails.

    The last four decoded bytes must equal the first four of SHA-256(SHA-256(rest)).
    """
    raw = base58_decode(text)
    if raw is None or len(raw) < 5:
        return None
    body, check = raw[:-4], raw[-4:]
    digest = hashlib.sha256(hashlib.sha256(body).digest()).digest()
    return body if digest[:4] == check else None


def _bech32_polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_BECH32_GENERATORS):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def bech32_decode(text: str) -> tuple[str, list[int], int] | None:
    """Human-readable part, 5-bit data (checksum removed) and checksum constant.

    Returns ``None`` unless ``text`` is a well-formed Bech32 or Bech32m string (BIP-173
    rules: at most 90 characters, one case, a non-empty HRP, six checksum characters).
    The constant returned is ``BECH32_CONST`` or ``BECH32M_CONST``.
    """
    if len(text) > 90 or (text.lower() != text and text.upper() != text):
        return None
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text):
        return None
    hrp = text[:separator]
    if any(ord(char) < 33 or ord(char) > 126 for char in hrp):
        return None
    data = [_BECH32_INDEX.get(char, -1) for char in text[separator + 1 :]]
    if -1 in data:
        return None
    expanded = [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]
    constant = _bech32_polymod(expanded + data)
    if constant not in (BECH32_CONST, BECH32M_CONST):
        return None
    return hrp, data[:-6], constant


def _five_to_eight(data: list[int]) -> bytes | None:
    """Regroup 5-bit values into bytes; ``None`` if the padding is not all-zero and short."""
    accumulator = bits = 0
    out = bytearray()
    for value in data:
        accumulator = (accumulator << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((accumulator >> bits) & 0xFF)
    if bits >= 5 or (accumulator << (8 - bits)) & 0xFF:
        return None
    return bytes(out)


def segwit_program(text: str, hrp: str = "bc") -> tuple[int, bytes] | None:
    """Witness version and program of a SegWit address, or ``None`` if invalid.

    Applies BIP-173 and BIP-350: version 0 uses Bech32 and a 20- or 32-byte program;
    versions 1 to 16 use Bech32m and a 2- to 40-byte program.
    """
    decoded = bech32_decode(text)
    if decoded is None or decoded[0] != hrp or not decoded[1]:
        return None
    _, data, constant = decoded
    version = data[0]
    program = _five_to_eight(data[1:])
    if version > 16 or program is None or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (len(program) not in (20, 32) or constant != BECH32_CONST):
        return None
    if version > 0 and constant != BECH32M_CONST:
        return None
    return version, program


def iban_mod97(iban: str) -> bool:
    """Whether an upper-case IBAN without spaces has a valid ISO 13616 check (mod 97 == 1)."""
    if len(iban) < 5 or not iban.isascii() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn check used by payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def aba_routing_valid(digits: str) -> bool:
    """Whether nine digits carry a valid ABA routing-number check (weights 3, 7, 1)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=True)) % 10 == 0
