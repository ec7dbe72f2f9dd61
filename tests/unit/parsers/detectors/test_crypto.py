# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from parsers.detectors.checksums import (
    base58_decode,
    base58check_payload,
    bech32_decode,
    segwit_program,
)
from parsers.detectors.crypto import CryptoDetector, eip55
from parsers.detectors.keccak import keccak256
from parsers.extractor import Extraction

# BIP-173 / BIP-350 reference vectors (github.com/sipa/bech32, ref/python/tests.py).
SEGWIT_VALID = [
    (
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc",
        0,
        "751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "tb",
        0,
        "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    ("BC1SW50QGDZ25J", "bc", 16, "751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bc", 2, "751e76e8199196d454941c45d1b3a323"),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "bc",
        1,
        "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]
SEGWIT_INVALID = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # wrong HRP
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # bad char
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # version 17
    "bc1pw5dgrnzv",  # 1-byte program
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 with 16 bytes
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # >4 padding bits
    "bc1gmk9yu",  # empty data
]
P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block's coinbase address
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"  # the Bitcoin wiki's P2SH example
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
TRON = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"
# EIP-55 reference examples.
EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def detect(text: str, markup: str | None = None):
    return CryptoDetector().detect(Extraction(kind="plain", text=text, markup=markup))


def one(findings, kind):
    matching = [f for f in findings if f.kind == kind]
    assert len(matching) == 1, findings
    return matching[0]


def flip(text: str, index: int) -> str:
    """The text with one Base58 character changed (same alphabet, same length)."""
    char = text[index]
    return text[:index] + ("2" if char != "2" else "3") + text[index + 1 :]


def test_keccak256_matches_known_vectors():
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )


def test_keccak256_absorbs_inputs_longer_than_one_block():
    assert keccak256(b"a" * 136) != keccak256(b"a" * 135)
    assert len(keccak256(b"x" * 1000)) == 32


def test_base58_decode_keeps_leading_zero_bytes_and_rejects_foreign_characters():
    assert base58_decode("111") == b"\x00\x00\x00"
    assert base58_decode("1O") is None  # O is not in the alphabet
    assert base58_decode("") is None


@pytest.mark.parametrize(("address", "version"), [(P2PKH, 0x00), (P2SH, 0x05), (TRON, 0x41)])
def test_base58check_payload_gives_the_version_byte(address, version):
    payload = base58check_payload(address)
    assert payload is not None
    assert payload[0] == version
    assert len(payload) == 21


def test_base58check_rejects_one_changed_character():
    assert base58check_payload(flip(P2PKH, 10)) is None


@pytest.mark.parametrize(("address", "hrp", "version", "program"), SEGWIT_VALID)
def test_segwit_program_decodes_reference_vectors(address, hrp, version, program):
    assert segwit_program(address, hrp) == (version, bytes.fromhex(program))


@pytest.mark.parametrize("address", SEGWIT_INVALID)
def test_segwit_program_rejects_reference_invalid_addresses(address):
    assert segwit_program(address, "bc") is None
    assert segwit_program(address, "tb") is None


def test_bech32_decode_rejects_mixed_case():
    assert bech32_decode("a12UEL5L") is None
    assert bech32_decode("A12UEL5L") is not None


@pytest.mark.parametrize("address", EIP55)
def test_eip55_reproduces_the_reference_examples(address):
    assert eip55(address[2:].lower()) == address
    assert eip55(address[2:].upper()) == address


@pytest.mark.parametrize("address", [P2PKH, P2SH, BECH32, TAPROOT])
def test_bitcoin_addresses_are_found_at_their_offset(address):
    text = f"Send 0.05 BTC to this wallet: {address}. Then call us."
    found = one(detect(text), "btc_address")
    assert found.value == address
    assert found.normalized == address
    assert found.offset == text.find(address)
    assert found.source == "text"


def test_upper_case_bech32_is_normalized_to_lower_case():
    text = f"ビットコインの送金先 {BECH32.upper()} へ"
    found = one(detect(text), "btc_address")
    assert found.value == BECH32.upper()
    assert found.normalized == BECH32
    assert found.rules == ("checksum:bech32", "witness:v0")


def test_bitcoin_address_with_one_character_changed_is_not_reported():
    assert detect(f"wallet {flip(P2PKH, 12)} now") == []
    assert detect(f"wallet {flip(P2SH, 20)} now") == []


def test_bech32_address_with_a_wrong_checksum_is_not_reported():
    broken = BECH32[:-1] + ("q" if BECH32[-1] != "q" else "p")
    assert detect(f"pay to {broken}") == []


def test_testnet_addresses_are_not_reported():
    assert detect("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7") == []


def test_tron_address_is_found_and_a_bad_checksum_is_not():
    text = f"USDT (TRC20) address: {TRON}"
    found = one(detect(text), "trx_address")
    assert (found.value, found.normalized, found.offset) == (TRON, TRON, text.find(TRON))
    assert detect(f"USDT address: {flip(TRON, 15)}") == []


@pytest.mark.parametrize("address", EIP55)
def test_checksummed_ethereum_address_is_found(address):
    text = f"ETH: {address}"
    found = one(detect(text), "eth_address")
    assert found.normalized == address
    assert found.offset == text.find(address)
    assert found.rules == ("checksum:eip55",)


def test_single_case_ethereum_address_is_normalized_to_eip55():
    address = EIP55[0]
    text = f"lower {address.lower()} and upper 0x{address[2:].upper()}"
    found = one(detect(text), "eth_address")
    assert found.normalized == address
    assert found.value == address.lower()
    assert found.offset == text.find(address.lower())


def test_mixed_case_ethereum_address_with_wrong_checksum_is_not_reported():
    address = EIP55[0]
    wrong = address[:-1] + address[-1].swapcase()
    assert detect(f"ETH: {wrong}") == []


def test_longer_hex_strings_are_not_ethereum_addresses():
    tx_hash = "0x" + "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed" * 2
    assert detect(f"tx {tx_hash}") == []
    assert detect(f"id=a{EIP55[0]}") == []


def test_placeholder_ethereum_addresses_are_not_reported():
    assert detect("0x0000000000000000000000000000000000000000") == []


def test_markup_is_scanned_when_present():
    markup = f'<div data-wallet="{P2PKH}">Donate</div>'
    found = one(detect("Donate", markup=markup), "btc_address")
    assert found.source == "markup"
    assert found.offset == markup.find(P2PKH)


def test_same_address_twice_gives_one_finding_at_the_first_occurrence():
    text = f"{TRON} ... again {TRON}"
    findings = detect(text)
    assert [f.offset for f in findings] == [0]


def test_full_width_address_is_folded():
    wide = "".join(chr(ord(c) + 0xFEE0) for c in TRON)
    found = one(detect(f"送金先：{wide}"), "trx_address")
    assert found.normalized == TRON
    assert found.value == wide
