"""Scam pop-up templates: web pages that fake a security alarm and push a support number.

A tech-support pop-up needs three things: alarm text (virus, blocked, Defender, an error
code), a phone number to call, and the behaviour that traps the visitor (fullscreen,
looping audio, ``onbeforeunload``, ``history.pushState`` loops, blocked right-click and
keys, alert loops, fake blue-screen styling). Kits hide the number from text scanners by
building it in JavaScript, so simple string-literal concatenations, joined arrays,
``String.fromCharCode`` and runs of ``document.write`` are evaluated (never executed).
Alarm text alone is what a real vendor article or a news page about scams has; those
also speak of scams in the third person, which lowers the score.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from parsers.detector import Finding, snippet_around
from parsers.detectors.lexicon import (
    LOOSE_PHONE,
    MAX_MATCHES,
    SCAN_CHARS,
    WARNING_CUES,
    Hit,
    family_strength,
    find_hits,
    fold_width,
    phone_digits,
    rule,
)

if TYPE_CHECKING:
    from parsers.extractor import Extraction

ALARM = (
    rule(
        "alarm:virus",
        r"virus|malware|trojan|spyware|infected|ウイルス|ウィルス|感染|トロイの木馬"
        r"|マルウェア|スパイウェア",
        0.3,
    ),
    rule(
        "alarm:warning", r"warning|security alert|critical alert|\balert\b(?!\s*\()|危険|警告", 0.3
    ),
    rule(
        "alarm:defender", r"defender|firewall|windows security|ファイアウォール|セキュリティ", 0.3
    ),
    rule(
        "alarm:blocked",
        r"(?:has|have|is|was|been) (?:been )?(?:blocked|locked|suspended|disabled)"
        r"|ブロックされ|ロックされ|停止され",
        0.3,
    ),
    rule(
        "alarm:assertion",
        r"(?:your|this) (?:computer|pc|device|iphone|mac|browser|system|windows|data|files|access)"
        r"[^.!\n<]{0,40}(?:infected|blocked|locked|compromised|at risk|suspended|disabled|damaged"
        r"|stolen|hacked|not safe)"
        r"|detected (?:a |an )?(?:virus|malware|trojan|spyware|threat|infection)"
        r"|(?:virus|malware|trojan|spyware|threat|infection|suspicious (?:activity"
        r"|connection))(?:es|s)?[^.!\n<]{0,30}(?:detected|found)|detected:|(?:パソコン|PC|iPhone|端末"
        r"|ブラウザ|アクセス)[^。\n<]{0,20}(?:感染|ブロック|ロック|停止|流出)|検出されました",
        0.4,
    ),
    rule("alarm:error_code", r"\b0x[0-9a-f]{6,8}\b|error (?:code|#)|エラーコード", 0.3),
    rule(
        "alarm:do_not",
        r"do not (?:close|restart|shut down|ignore|turn off)|閉じないで"
        r"|再起動しないで|電源を切らない",
        0.3,
    ),
    rule(
        "alarm:data_theft", r"(?:stolen|exposed|leaked|at risk)|個人情報.{0,10}(?:流出|盗|漏)", 0.3
    ),
)
BEHAVIOUR = (
    rule(
        "behaviour:fullscreen",
        r"requestFullscreen|webkitRequestFullscreen|mozRequestFullScreen"
        r"|msRequestFullscreen|requestPointerLock",
        0.4,
    ),
    rule(
        "behaviour:audio_loop",
        r"<audio\b[^>]*\bloop|new Audio\([^)]{0,300}\)[\s\S]{0,300}?\.loop\s*="
        r"\s*(?:true|1)|\.loop\s*=\s*(?:true|1)",
        0.4,
    ),
    rule("behaviour:beforeunload", r"onbeforeunload|beforeunload", 0.4),
    rule(
        "behaviour:no_context_menu",
        r"contextmenu[\s\S]{0,200}?(?:preventDefault|return false)"
        r"|oncontextmenu\s*=\s*[\"']?\s*return\s+false",
        0.4,
    ),
    rule(
        "behaviour:key_block",
        r"key(?:down|up|press)[\s\S]{0,400}?(?:123|F12|ctrlKey|shiftKey)"
        r"[\s\S]{0,400}?(?:preventDefault|return false)",
        0.4,
    ),
    rule(
        "behaviour:alert_loop",
        r"(?:while|for)\s*\([^)]{0,200}\)\s*\{?[^}]{0,200}?\balert\s*\("
        r"|setInterval\s*\([\s\S]{0,200}?\balert\s*\(|\balert\s*\([\s\S]{0,200}?\balert\s*\(",
        0.4,
    ),
    rule(
        "behaviour:bsod_style",
        r"#0078d7|#0000aa|rgb\(\s*0\s*,\s*120\s*,\s*215\s*\)"
        r"|background(?:-color)?\s*:\s*blue\b",
        0.2,
    ),
    rule(
        "behaviour:bsod_text",
        r"ran into a problem|:\(\s*<|CRITICAL_PROCESS_DIED|SYSTEM_SERVICE_"
        r"|問題が発生したため",
        0.2,
    ),
    rule(
        "behaviour:logo",
        r"(?:defender|microsoft|windows|apple|mslogo|winlogo)[\w-]*logo"
        r"|logo[\w-]*(?:defender|microsoft|windows|apple)",
        0.2,
    ),
)
_BRAND = (
    ("microsoft", re.compile(r"microsoft|windows|defender|マイクロソフト", re.IGNORECASE)),
    ("apple", re.compile(r"\bapple\b|iphone|\bmac\b|macos|\bios\b|icloud|safari|アップル", re.I)),
    ("google", re.compile(r"google|chrome|android|グーグル", re.IGNORECASE)),
    ("amazon", re.compile(r"amazon|アマゾン", re.IGNORECASE)),
)
_CALL = re.compile(
    r"call|contact|toll|helpline|support|dial|電話|連絡|サポート|窓口|フリーダイヤル|tel",
    re.IGNORECASE,
)

_STR = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`"
_IDENT = r"[A-Za-z_$][\w$]*"
_JOIN = rf"\.join\(\s*(?:{_STR})?\s*\)"
_TERM = (
    rf"(?:{_STR}|\[[^\[\]]{{0,400}}\]{_JOIN}|String\.fromCharCode\([\d\s,]{{0,200}}\)"
    rf"|{_IDENT}(?:\.{_IDENT})*(?:{_JOIN})?)"
)
_EXPR = rf"{_TERM}(?:\s*\+\s*{_TERM}){{0,40}}"
_LVALUE = rf"{_IDENT}(?:\([^()\n]{{0,80}}\))?(?:\.{_IDENT}(?:\([^()\n]{{0,80}}\))?)*"
_STATEMENT = re.compile(
    rf"(?:\b(?:var|let|const)\s+)?({_LVALUE})\s*(\+?=)(?!=)\s*({_EXPR})"
    rf"|document\.write(?:ln)?\(\s*({_EXPR})\s*\)"
)
_TERM_RE = re.compile(_TERM)
_STR_RE = re.compile(_STR)
_SCRIPT = re.compile(r"<script\b[^>]*>([\s\S]*?)</script>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|(.))")
MAX_SCRIPT_CHARS = 1_000_000
"""Characters of inline script the evaluator reads."""


def _unquote(literal: str) -> str:
    """The value of a JavaScript string literal (common escapes only)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            return chr(int(code, 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(match.group(3), match.group(3))

    return _ESCAPE.sub(one, literal[1:-1])


def _term_value(term: str, env: dict[str, str]) -> str:
    """The value of one term; an unknown name evaluates to the empty string."""
    if term[0] in "\"'`":
        return _unquote(term)
    if term.startswith("String.fromCharCode"):
        codes = re.findall(r"\d+", term[len("String.fromCharCode") :])
        return "".join(chr(int(c)) for c in codes if int(c) < 0x110000)
    sep_match = re.search(rf"\.join\(\s*({_STR})?\s*\)$", term)
    if sep_match is None:
        return env.get(term, "")
    sep = _unquote(sep_match.group(1)) if sep_match.group(1) else ","
    head = term[: sep_match.start()]
    if head.startswith("["):
        items = [_unquote(s) for s in _STR_RE.findall(head)] or re.findall(r"\d+", head)
        return sep.join(items)
    return env.get(head, "")


def _evaluate(expr: str, env: dict[str, str]) -> tuple[str, int]:
    """The value of a ``+`` chain of terms, and how many pieces built it."""
    terms = _TERM_RE.findall(expr)
    pieces = [_term_value(t, env) for t in terms]
    joined = sum(1 for t in terms if ".join(" in t or t.startswith("String.fromCharCode"))
    return "".join(pieces), len(terms) + joined


def assembled_strings(markup: str) -> list[str]:
    """Strings that inline scripts build from pieces, without running them."""
    scripts = _SCRIPT.findall(markup) or ([markup] if "<" not in markup[:200] else [])
    out: list[str] = []
    budget = MAX_SCRIPT_CHARS
    for script in scripts:
        script = script[:budget]
        budget -= len(script)
        env: dict[str, str] = {}
        written: list[str] = []
        for match in _STATEMENT.finditer(script):
            if match.group(4) is not None:
                written.append(_evaluate(match.group(4), env)[0])
                continue
            value, pieces = _evaluate(match.group(3), env)
            name = match.group(1)
            if match.group(2) == "+=":
                value, pieces = env.get(name, "") + value, pieces + 1
            env[name] = value
            if pieces > 1:
                out.append(value)
        out.append("".join(written))
        if budget <= 0:
            break
    return [_TAG.sub(" ", s) for s in out if s]


HISTORY_TRAP = rule("behaviour:history_trap", r"history\.pushState", 0.4)
_TRAP_CONTEXT = re.compile(r"popstate|\bfor\s*\(|\bwhile\s*\(|onload|setInterval|\(function")


def _history_trap(markup: str) -> list[Hit]:
    """``history.pushState`` in a loop, on load or on ``popstate``: the back button is trapped."""
    for match in itertools.islice(HISTORY_TRAP.pattern.finditer(markup), MAX_MATCHES):
        if _TRAP_CONTEXT.search(markup, max(0, match.start() - 400), match.end() + 400):
            return [Hit(HISTORY_TRAP, match.start(), match.end())]
    return []


def _phones(text: str) -> list[tuple[str, int, int]]:
    """(digits, start, end) of phone-shaped strings in ``text``."""
    found = []
    for match in LOOSE_PHONE.finditer(text):
        digits = phone_digits(match.group())
        if digits:
            found.append((digits, match.start(), match.end()))
    return found


def _brand(text: str) -> str:
    """The brand named most often in the page, or ``generic``."""
    counts = {name: len(pattern.findall(text)) for name, pattern in _BRAND}
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] else "generic"


class PopupDetector:
    """Reports a web page built as a scam pop-up, labelled with the brand it fakes."""

    name = "popup_template"
    version = 1
    description = "Scam pop-up pages (alarm text, support number, trapping behaviour)"
    emits: tuple[str, ...] = ("popup_template",)

    def detect(self, doc: Extraction) -> list[Finding]:
        """A ``popup_template`` finding when alarm, phone and behaviour are strong enough."""
        if doc.markup is None:
            return []
        markup = fold_width(doc.markup[:SCAN_CHARS])
        visible = fold_width(doc.text[:SCAN_CHARS])
        hits = find_hits(markup, ALARM)  # alarm text first: most pages have none
        alarm = family_strength(hits, "alarm:")
        if alarm < 0.6 or not any(h.rule.name == "alarm:assertion" for h in hits):
            return []
        hits += find_hits(markup, BEHAVIOUR) + _history_trap(markup)
        rules = {h.rule.name for h in hits}
        phone_rule = self._phone_rule(markup, visible)
        if phone_rule:
            rules.add(phone_rule)
        behaviour = family_strength(hits, "behaviour:")
        phone = {"phone:js_assembled": 1.0, "phone:call_to_action": 1.0, "phone:text": 0.5}
        score = 0.35 * alarm + 0.35 * min(1.0, behaviour) + 0.3 * phone.get(phone_rule or "", 0.0)
        score -= self._penalty(visible)
        if score < 0.5 or not (behaviour >= 0.4 or phone_rule):
            return []
        brand = _brand(visible + " " + markup)
        best = min((h for h in hits if h.rule.name.startswith("alarm:")), key=lambda h: h.start)
        return [
            Finding(
                kind="popup_template",
                value=brand,
                normalized=brand,
                score=round(min(1.0, score), 3),
                rules=tuple(sorted(rules)),
                snippet=snippet_around(doc.markup, best.start, best.end),
                offset=best.start,
                source="markup",
            )
        ]

    @staticmethod
    def _phone_rule(markup: str, visible: str) -> str | None:
        """Which kind of support number the page carries, if any."""
        literal = {digits for digits, _, _ in _phones(markup) + _phones(visible)}
        for built in assembled_strings(markup):
            if any(d not in literal for d, _, _ in _phones(built)):
                return "phone:js_assembled"
        for text in (visible, markup):
            for _digits, start, end in _phones(text):
                if _CALL.search(text, max(0, start - 80), min(len(text), end + 40)):
                    return "phone:call_to_action"
        return "phone:text" if literal else None

    @staticmethod
    def _penalty(visible: str) -> float:
        """How much the visible text reads as an article about scams rather than an alarm."""
        hits: list[Hit] = find_hits(visible, WARNING_CUES)
        distinct = {h.rule.name for h in hits}
        return min(0.6, 0.08 * len(distinct) + 0.02 * len(hits))
