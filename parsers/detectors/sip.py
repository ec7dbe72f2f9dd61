"""SIP accounts: the VoIP identities a call centre's softphones register with.

A ``sip:user@host`` URI in a page or a log names an account directly. Softphone settings
(MicroSIP, Zoiper, X-Lite, Linphone ...) keep the user and the server under separate keys
of one ini section or XML account block, so the account is assembled from the pair. A
database or mail ``user=`` next to ``host=`` looks the same, so config pairs only count
in text that mentions SIP, VoIP, a PBX or a softphone somewhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from parsers.detectors.scanning import bounded
from parsers.detectors.suffixes import is_hostname

SIP_URI = re.compile(
    r"(?i)(?<![a-z0-9])sips?:([a-z0-9._~%!$&'*+=,;?\-]{1,64})@"
    r"([a-z0-9](?:[a-z0-9.\-]{0,251}[a-z0-9])?)(?::\d{1,5})?"
)
"""``sip:`` or ``sips:`` URI: group 1 the user, group 2 the host."""

_SIP_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:sips?|voip|pbx|asterisk|freeswitch|softphone|microsip|zoiper|x-?lite|"
    r"bria|linphone|3cx|eyebeam|registrar|srtp|stun|sipaccount)(?![a-z])|5060"
)
_SECTION = re.compile(r"(?im)^[ \t]*\[[^\]\n]{1,64}\][ \t]*$|<\s*/?\s*[\w:]*account\w*[\s>/]")
_INI_PAIR = re.compile(r"(?m)^[ \t]*([A-Za-z][\w.\-]{0,40})[ \t]*[=:][ \t]*\"?([^\"\r\n]{0,200})")
_XML_PAIR = re.compile(
    r"<([A-Za-z][\w\-]{0,40})(?:\s[^<>]{0,200})?>\s*([^<\s][^<\r\n]{0,199})</\1\s*>"
)
_USER_KEYS = (
    "username user_name user userid user_id sipuser sip_user sipusername authuser auth_user "
    "authusername authname authid auth_id login"
)
"""Keys holding the account's user, in order of preference (``_`` kept, ``-``/``.`` dropped)."""
_HOST_KEYS = (
    "domain sipdomain sip_domain server sipserver sip_server registrar host proxy "
    "outboundproxy outbound_proxy realm"
)
"""Keys holding the account's server, in order of preference."""
_ACCOUNT_KEYS = "account sipaccount sip_account aor sipuri sip_uri uri identity"
"""Keys that may hold a whole ``user@host``."""
_USER = re.compile(r"[A-Za-z0-9._~%!$&'*+=,;\-]{1,64}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


@dataclass(frozen=True, slots=True)
class SipAccount:
    """A SIP account found in text: where its evidence starts and the normalised form."""

    offset: int
    value: str
    normalized: str
    rule: str


def _clean_host(raw: str) -> str | None:
    host = raw.strip().lower()
    host = re.sub(r"^sips?:", "", host)
    host = re.split(r"[;:/?\s]", host, maxsplit=1)[0].rstrip(".")
    return host if is_hostname(host) or _IPV4.fullmatch(host) else None


def normalize_account(user: str, host: str) -> str | None:
    """``user@host`` with the host lower-case, or ``None`` if either part is not plausible."""
    clean = _clean_host(host)
    if clean is None or not _USER.fullmatch(user):
        return None
    return f"{user}@{clean}"


def uri_accounts(text: str) -> Iterator[SipAccount]:
    """Accounts written as ``sip:`` / ``sips:`` URIs."""
    for match in bounded(SIP_URI.finditer(text)):
        normalized = normalize_account(match.group(1), match.group(2))
        if normalized is not None:
            yield SipAccount(match.start(), match.group(), normalized, "format:sip_uri")


def _pairs(block: str, base: int) -> dict[str, tuple[str, int]]:
    """First value of each key (lower-case, ``-`` and ``.`` dropped) with its offset."""
    pairs: dict[str, tuple[str, int]] = {}
    for pattern in (_INI_PAIR, _XML_PAIR):
        for match in bounded(pattern.finditer(block), 2_000):
            key = re.sub(r"[-.]", "", match.group(1).lower())
            value = match.group(2).strip().strip("'\"")
            if value and key not in pairs:
                pairs[key] = (value, base + match.start(2))
    return pairs


def _account_in(pairs: dict[str, tuple[str, int]]) -> SipAccount | None:
    for key in _ACCOUNT_KEYS.split():
        value, offset = pairs.get(key, ("", 0))
        user, at, host = re.sub(r"(?i)^sips?:", "", value).partition("@")
        normalized = normalize_account(user, host) if at else None
        if normalized is not None:
            return SipAccount(offset, value, normalized, "config:softphone")
    user_pair = next((pairs[key] for key in _USER_KEYS.split() if key in pairs), None)
    host_pair = next((pairs[key] for key in _HOST_KEYS.split() if key in pairs), None)
    if user_pair is None or host_pair is None:
        return None
    user = user_pair[0].partition("@")[0]
    normalized = normalize_account(user, host_pair[0])
    if normalized is None:
        return None
    return SipAccount(user_pair[1], normalized, normalized, "config:softphone")


def config_accounts(text: str) -> Iterator[SipAccount]:
    """Accounts assembled from softphone settings, section by section.

    Each ini ``[section]`` or XML ``<account>`` block is read on its own; a block gives an
    account from an ``account=``/``uri=`` key holding ``user@host``, or from a user key
    (``username``, ``user``, ``authuser`` ...) with a server key (``domain``, ``server``,
    ``registrar``, ``host``, ``proxy`` ...). Only in text that mentions SIP at all.
    """
    if not _SIP_CONTEXT.search(text):
        return
    bounds = [0, *(m.start() for m in bounded(_SECTION.finditer(text), 5_000)), len(text)]
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            account = _account_in(_pairs(text[lo:hi], lo))
            if account is not None:
                yield account
