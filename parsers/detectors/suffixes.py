"""Which dotted names are internet domains: an embedded list of common public suffixes.

``report.txt``, ``jquery.min.js`` and ``window.top`` are dotted names too. A bare name only
counts as a domain when its last label is a top-level domain listed here (no file
extension is), the label before its public suffix has a letter, and it does not read as
code (``this.id``, ``document.body.style``). Top-level domains that are also common file
extensions (``.zip``, ``.py``, ``.sh``, ``.md``) need a URL scheme, ``www.`` or a context
word before they count. The list is embedded (no download at run time) and deliberately
short: the generic domains, the country codes, the second-level suffixes of the countries
in play (``co.jp``, ``ne.jp``, ``com.au``, ``co.uk``, ``co.in`` ...) and the new generic
domains most seen in scam infrastructure.
"""

from __future__ import annotations

import re


def _words(*texts: str) -> frozenset[str]:
    return frozenset(word for text in texts for word in text.split())


_GENERIC = (
    "com net org info biz edu gov mil int mobi asia xyz top online site website shop store app "
    "dev club live tech support help services solutions center centre today space icu vip win "
    "cloud fun life world news network systems digital agency company global guru ltd ink "
    "studio zone buzz cyou rest bar monster work pw tk ga cf gq care expert tips fix repair "
    "computer"
)
_COUNTRY = (
    "jp us uk in au ca de fr ph nz ie sg cn hk tw kr ru br mx es it nl be ch at se no dk fi pt "
    "cz eu za ae sa pk bd lk np my th vn tr gr ro hu il ua kz cl co pe ve io me tv ly gl to gg "
    "la ws su cx fm nu tk vc lt lv ee sk si hr bg rs is lu li mt cy ng ke eg ma qa kw om jo id"
)
_AMBIGUOUS = "zip mov py sh pl md rs ai ps so ml as cc mp"
"""Top-level domains that are also common file extensions or source-code suffixes."""

TLDS = _words(_GENERIC, _COUNTRY, _AMBIGUOUS)
"""Top-level domains a bare name may end in."""
AMBIGUOUS_TLDS = _words(_AMBIGUOUS, "id is to me no")
"""Top-level domains that need a scheme, ``www.`` or a context word (see module docstring)."""

_SECOND_LEVEL = {
    "jp": "co ne or ac go gr ed lg ad",
    "uk": "co org ac gov me ltd plc net sch nhs",
    "au": "com net org edu gov asn id",
    "in": "co net org gen firm ind ac edu gov res",
    "nz": "co org net ac govt school geek",
    "sg": "com net org edu gov per",
    "ph": "com net org edu gov",
    "cn": "com net org edu gov",
    "hk": "com net org edu gov",
    "tw": "com net org edu gov",
    "kr": "co or ne ac go",
    "br": "com net org gov",
    "za": "co org net gov ac",
    "my": "com net org edu gov",
    "th": "co or ac go in",
    "id": "co or ac go web",
    "vn": "com net org edu gov",
    "tr": "com net org edu gov",
    "mx": "com org gob edu",
    "pk": "com net org edu gov",
    "bd": "com net org edu gov",
    "ca": "on qc bc ab",
}
PUBLIC_SUFFIXES = (
    frozenset(
        f"{second}.{top}" for top, seconds in _SECOND_LEVEL.items() for second in seconds.split()
    )
    | TLDS
)
"""Every suffix under which names are registered: the TLDs and the listed second levels."""

_CODE_RECEIVERS = _words(
    "this self window document top parent location navigator screen history console math "
    "json jquery event evt e el elem element obj object data options opts config settings "
    "props state res req response request result err error ctx args target form input btn "
    "button img image audio video player node item module exports require style div span "
    "body html head li ul ol p a td tr table section nav header footer label icon svg user "
    "customer account client person profile member app vm store router"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|xn--[a-z0-9-]{1,59}")
_CAMEL = re.compile(r"[a-z][A-Z]")


def public_suffix(host: str) -> str | None:
    """The longest listed public suffix ``host`` (lower-case) ends in, if any."""
    labels = host.split(".")
    for size in (2, 1):
        if len(labels) > size:
            suffix = ".".join(labels[-size:])
            if suffix in PUBLIC_SUFFIXES:
                return suffix
    return None


def is_hostname(host: str) -> bool:
    """Whether ``host`` (lower-case) is a syntactically valid DNS name with at least one dot."""
    labels = host.split(".")
    return (
        len(host) <= 253
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def bare_domain_verdict(written: str, *, in_markup: bool) -> str | None:
    """How a bare dotted name (already de-obfuscated, case as written) counts as a domain.

    Returns:
        ``"domain"`` when it counts on its own, ``"ambiguous"`` when its TLD needs context
        (scheme, ``www.``, a word such as "website"), ``None`` when it is not a domain.
    """
    host = written.lower()
    suffix = public_suffix(host)
    if suffix is None or not is_hostname(host):
        return None
    labels = written.split(".")
    registrable = host[: -len(suffix) - 1].rsplit(".", 1)[-1]
    if not registrable or not re.search(r"[a-z]", registrable):
        return None
    if len(labels[0]) == 1 or labels[0].lower() in _CODE_RECEIVERS:
        return None
    if labels[-1] != labels[-1].lower() and written != written.upper():
        return None  # System.IO, Foo.Com: code or a sentence, not a domain
    if in_markup and any(_CAMEL.search(label) for label in labels):
        return None
    return "ambiguous" if suffix in AMBIGUOUS_TLDS else "domain"
