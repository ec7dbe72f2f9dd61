"""Network identifiers: e-mail addresses, URLs, domains, SIP accounts and server addresses.

Scam pop-ups, scripts and chat logs name the sites victims were sent to, the mailboxes
and VoIP accounts the call centre used and the servers its tools talked to. URLs are read
through the usual defanging (``hxxp``, ``[.]``, ``(.)``, ``[dot]``) and normalised per
docs/findings.md. A URL gives a ``url`` and a ``domain``; an e-mail address only an
``email``. Bare domains and IPv4 addresses are where the false positives live (file
names, code, version strings), so they pass extra checks: see ``suffixes`` for domains,
and ``_ipv4`` here, which needs server, config or log context.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.detectors.scanning import (
    FindingSet,
    SpanSet,
    Target,
    bounded,
    distance_to,
    preceding,
    scan_target,
)
from parsers.detectors.sip import config_accounts, uri_accounts
from parsers.detectors.suffixes import TLDS, bare_domain_verdict, is_hostname

if TYPE_CHECKING:
    from parsers.detector import Finding
    from parsers.extractor import Extraction

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]"
_URL = re.compile(
    rf"(?i)(?<![a-z0-9])(?:h(?:tt|xx)ps?|ftp|fxp)(?:://|\[://\]|\[:\]//){_URL_CHARS}+"
)
_WWW = re.compile(
    rf"(?i)(?<![a-z0-9_\-.@/])www\d?{_DOT}[a-z0-9\-]{{1,63}}(?:{_DOT}[a-z0-9\-]{{1,63}}){{1,8}}"
    rf"(?:[/?#]{_URL_CHARS}*)?"
)
_DOMAIN = re.compile(
    rf"(?i)(?<![a-z0-9_\-.@/\\$\])}}])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?{_DOT}){{1,8}}"
    r"[a-z]{2,24}"
    r"(?![a-z0-9_\-@]|\.[a-z0-9]|\[\.\]|\(\.\))"
)
_EMAIL = re.compile(
    r"(?i)(?<![a-z0-9._%+\-])[a-z0-9](?:[a-z0-9._%+\-]{0,62}[a-z0-9_%+\-])?@"
    r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}(?![a-z0-9_\-]|\.[a-z0-9])"
)
_DEFANG = re.compile(r"(?i)\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\[:\]|\[://\]")
_TRAILING = ".,;:!?)]}>'\""
_CODE_AFTER = re.compile(r"\(|\[|\s*=(?!=)")
_SITE_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:website|web ?site|site|domain|visit|go to|browse|url|link|http)(?![a-z])"
    r"|サイト|ドメイン|アクセス|ホームページ|リンク"
)
_IPV4 = re.compile(r"(?<![0-9A-Za-z_.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9]|\.\d)")
_IP_WORDS = re.compile(
    r"(?i)(?<![a-z])(?:server|srv|host(?:name)?|proxy|ip|ip ?addr(?:ess)?|addr(?:ess)?|"
    r"connect(?:ed|ing|ion)?|from|remote|peer|client|gateway|dns|nameserver|dst|src|"
    r"destination|source|listen(?:ing)?|bind|route|registrar|outbound)(?![a-z])"
    r"|サーバー?|接続|アドレス|ホスト"
)
_INI_KEY = re.compile(r"^\s*[A-Za-z_][\w.\-]*\s*=\s*[\"']?$")
_LOG_TIME = re.compile(r"\d{1,2}:\d{2}:\d{2}|\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}")
_VERSION = re.compile(r"(?i)(?<![a-z])(?:version|ver|v|build|rev|release|バージョン)[\s.:#=]*$")
_PRODUCT_TOKEN = re.compile(r"[A-Za-z][\w.+-]*/$")
"""A ``product/`` token right before the number: a user-agent version (``Chrome/120.0.0.0``)."""


def _undefang_token(match: re.Match[str]) -> str:
    token = match.group()
    return "://" if "/" in token else ":" if ":" in token else "."


def _defang(text: str) -> str:
    """The text with ``[.]``-style tokens and ``hxxp``/``fxp`` schemes undone."""
    text = _DEFANG.sub(_undefang_token, text)
    return re.sub(r"(?i)^h(?:xx|tt)p", "http", re.sub(r"(?i)^fxp", "ftp", text))


def _strip_trailing(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return end


def _split_url(url: str) -> tuple[str, str, str, str]:
    """(scheme, userinfo with its ``@``, host, rest) of a de-obfuscated URL or www host."""
    scheme, sep, remainder = url.partition("://")
    if not sep:
        scheme, remainder = "", url
    cut = min((i for i in (remainder.find(c) for c in "/?#") if i >= 0), default=len(remainder))
    authority, rest = remainder[:cut], remainder[cut:]
    userinfo, at, hostport = authority.rpartition("@")
    host, colon, port = hostport.partition(":")
    return scheme, userinfo + at, host, (colon + port if port.isdigit() else "") + rest


def _host_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the host of the URL ``text[start:end]`` is written (defanged or not)."""
    scheme = re.match(r"[^/]*?(?:://|\[://\]|\[:\]//)", text[start:end])
    lo = start + (scheme.end() if scheme else 0)
    hi = lo
    while hi < end and text[hi] not in "/?#":
        hi += 1
    at = text.rfind("@", lo, hi)
    lo = at + 1 if at >= 0 else lo
    port = re.search(r":\d*$", text[lo:hi])
    return lo, (lo + port.start() if port else hi)


def _urls(target: Target, found: FindingSet, spans: SpanSet) -> None:
    text = target.folded
    matches = [*bounded(_URL.finditer(text)), *bounded(_WWW.finditer(text))]
    for match in sorted(matches, key=lambda m: m.start()):
        start = match.start()
        if spans.covers(start):
            continue
        end = _strip_trailing(text, start, match.end())
        scheme, userinfo, host, rest = _split_url(_defang(text[start:end]))
        host = host.lower().rstrip(".")
        if not host or not (is_hostname(host) or _IPV4.fullmatch(host)):
            continue
        spans.add(start, end)
        normalized = f"{scheme.lower()}://" if scheme else ""
        normalized += userinfo + host + rest
        rules: tuple[str, ...] = ("format:url",) if scheme else ("format:www",)
        if _DEFANG.search(text, start, end) or scheme.lower().startswith(("hxx", "fxp")):
            rules += ("deobfuscated",)
        found.add("url", (start, end), normalized, 0.9, rules)
        if is_hostname(host):
            found.add("domain", _host_span(text, start, end), host, 0.85, ("from:url",))


def _emails(target: Target, found: FindingSet, sip: SpanSet, spans: SpanSet) -> None:
    for match in bounded(_EMAIL.finditer(target.folded)):
        address = match.group().lower()
        if ".." in address or address.rsplit(".", 1)[-1] not in TLDS:
            continue
        if sip.covers(match.start()):
            continue  # the user@host of a sip: URI, not a mailbox
        spans.add(*match.span())
        found.add("email", match.span(), address, 0.9, ("format:email",))


def _domains(target: Target, found: FindingSet, spans: SpanSet) -> None:
    text = target.folded
    for match in bounded(_DOMAIN.finditer(text)):
        start, end = match.span()
        if spans.covers(start) or _CODE_AFTER.match(text, end):
            continue
        written = _defang(match.group())
        verdict = bare_domain_verdict(written, in_markup=target.source == "markup")
        if verdict is None:
            continue
        rules: tuple[str, ...] = ("format:domain",)
        if verdict == "ambiguous":
            if distance_to(text, start, end, _SITE_CONTEXT) is None:
                continue
            rules += ("context:site",)
        found.add("domain", (start, end), written.lower(), 0.7, rules)


def _ipv4_context(text: str, start: int, end: int) -> str | None:
    """The rule that makes a dotted quad a server address here, if any."""
    before = preceding(text, start, 60)
    if _VERSION.search(before[-16:]) or _PRODUCT_TOKEN.search(before[-40:]):
        return None
    if text.startswith(":", end) and text[end + 1 : end + 2].isdigit():
        return "context:port"
    if _INI_KEY.search(before):
        return "context:config_key"
    if _IP_WORDS.search(before) or _IP_WORDS.search(text, end, end + 20):
        return "context:server_word"
    line_start = text.rfind("\n", 0, start) + 1
    if _LOG_TIME.search(text, line_start, min(len(text), line_start + 40)):
        return "context:log_line"
    return None


def _ipv4(target: Target, found: FindingSet, urls: SpanSet) -> None:
    text = target.folded
    for match in bounded(_IPV4.finditer(text)):
        octets = [int(group) for group in match.groups()]
        if max(octets) > 255 or octets[0] in (0, 255):
            continue
        start, end = match.span()
        if urls.covers(start):
            rule: str | None = "context:url"
        else:
            rule = _ipv4_context(text, start, end)
        if rule is not None:
            normalized = ".".join(str(octet) for octet in octets)
            found.add("ipv4", (start, end), normalized, 0.7, ("format:ipv4", rule))


def _sip(target: Target, found: FindingSet, spans: SpanSet) -> None:
    for account in uri_accounts(target.folded):
        spans.add(account.offset, account.offset + len(account.value))
        found.add_value(
            "sip_account",
            target.text[account.offset : account.offset + len(account.value)],
            account.offset,
            account.normalized,
            0.9,
            (account.rule,),
        )
    for account in config_accounts(target.folded):
        found.add_value(
            "sip_account", account.value, account.offset, account.normalized, 0.75, (account.rule,)
        )


class NetworkDetector:
    """E-mail addresses, URLs, domains, SIP accounts and IPv4 server addresses."""

    name = "network_identifiers"
    version = 1
    description = "E-mail, URLs (defanged too), domains, SIP accounts and server IPv4 addresses"
    emits: tuple[str, ...] = ("email", "url", "domain", "sip_account", "ipv4")

    def detect(self, doc: Extraction) -> list[Finding]:
        """Network identifiers in the markup or text of ``doc``."""
        target = scan_target(doc)
        found = FindingSet(target)
        sips, urls, claimed = SpanSet(), SpanSet(), SpanSet()
        _sip(target, found, sips)
        _urls(target, found, urls)
        _emails(target, found, sips, claimed)
        _ipv4(target, found, urls)
        for spans in (sips, urls):
            for span in spans.spans():
                claimed.add(*span)
        _domains(target, found, claimed)
        return found.findings()
