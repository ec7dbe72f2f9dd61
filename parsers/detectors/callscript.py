# ruff: noqa: RUF001 - Japanese cues and test texts use full-width punctuation on purpose
"""Call scripts: the text an operator reads to a victim of a tech-support or impersonation scam.

A call script combines families of evidence that rarely meet elsewhere: a brand
impersonated, fear or urgency, steering to remote access, steering to payment, and the
structure of an operator's text (speaker labels, steps, "if the customer says", lines to
say, instructions to the victim). Each family is scored from the distinct cues that fire;
the document scores from the families together. Texts *about* such scams share the
vocabulary but not the voice: consumer warnings advise and speak of scammers in the third
person, news reports attribute and arrest, screenplays and game scripts have scenes and
players, and an organisation's helpdesk guide is internal. Those cues lower the score.
A script must also steer somewhere (remote access or payment) and be written for an
operator (structure), so a pop-up's text or a virus FAQ is not one.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from parsers.detector import Finding, snippet_around
from parsers.detectors.lexicon import (
    BRANDS,
    FICTION_CUES,
    LEGIT_IT_CUES,
    NEWS_CUES,
    SCAN_CHARS,
    WARNING_CUES,
    Hit,
    Rule,
    family_strength,
    find_hits,
    fold_width,
    main_brand,
    rule,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsers.extractor import Extraction

_VICTIM = r"(?:customer|caller|victim|client|cx|user|they|he|she|the person)"
_SPEAKERS = (
    r"agent|operator|caller|tech|technician|rep|representative|customer|victim|client|cx|cust"
    r"|support|オペレーター|オペレータ|担当者?|お客様|客|被害者|相手|技術者|スタッフ"
)

FEAR: tuple[Rule, ...] = (
    rule(
        "fear:virus",
        r"virus|malware|trojan|spyware|infected|infection|ウイルス|ウィルス"
        r"|マルウェア|トロイ|感染",
        0.35,
    ),
    rule(
        "fear:hacked",
        r"hack(?:ed|er|ers|ing)\b|compromised|\bbreach|stolen|ハッキング|ハッカー"
        r"|不正アクセス|乗っ取|流出|盗まれ",
        0.35,
    ),
    rule("fear:ip_address", r"\bIP address|IPアドレス", 0.3),
    rule(
        "fear:do_not_turn_off",
        r"(?:do not|don't|never) (?:turn off|shut down|restart|switch off)"
        r"|電源を切ら|再起動しない|シャットダウンしない",
        0.35,
    ),
    rule(
        "fear:illegal",
        r"illegal|pornograph|criminal|warrant|lawsuit|違法|犯罪|共犯|凍結|悪用"
        r"|freez(?:e|ing) (?:your |the )?account|account (?:will be )?(?:frozen|closed|suspended)",
        0.3,
    ),
    rule(
        "fear:arrest",
        r"(?:will|could|can|may) be arrested|arrest warrant|逮捕され(?:る|ます)|逮捕状",
        0.35,
    ),
    rule(
        "fear:charge",
        r"(?:will be|has been|was|were|being) (?:charged|debited|deducted|renewed)"
        r"|auto-?renew|引き落と|請求され",
        0.35,
    ),
    rule(
        "fear:urgency",
        r"\bimmediately\b|right now|\burgent|within (?:the next )?\d+ (?:minutes|hours)"
        r"|今すぐ|至急|直ちに|早急|緊急|本日中|今日中|期限が(?:本日|今日)"
        r"|by the end of (?:the )?day",
        0.25,
    ),
    rule(
        "fear:personal_data",
        r"personal (?:information|data|details)|bank details|個人情報"
        r"|credit card (?:information|details)",
        0.25,
    ),
    rule(
        "fear:unauthorized",
        r"unauthori[sz]ed|suspicious (?:activity|transaction|order|login)"
        r"|不審な|身に覚えのない|不正利用|不正な(?:注文|取引|ログイン)",
        0.35,
    ),
)
REMOTE: tuple[Rule, ...] = (
    rule("remote:anydesk", r"any ?desk", 0.6),
    rule("remote:teamviewer", r"team ?viewer", 0.6),
    rule("remote:ultraviewer", r"ultra ?viewer", 0.6),
    rule(
        "remote:other_tool",
        r"quick ?assist|クイックアシスト|logmein|supremo|ammyy|splashtop"
        r"|rustdesk|screenconnect|connectwise",
        0.6,
    ),
    rule(
        "remote:generic", r"remote (?:access|session|support|control|connection)|リモート|遠隔", 0.4
    ),
    rule(
        "remote:run_box",
        r"win(?:dows)?(?: ?key)? ?\+ ?r\b|run (?:box|dialog)"
        r"|ファイル名を指定して実行|windowsキー.{0,8}r",
        0.35,
    ),
    rule("remote:eventvwr", r"eventvwr|event ?viewer|イベント ?ビューア", 0.35),
    rule("remote:cmd", r"netstat|\bcmd\b|command prompt|コマンドプロンプト|msconfig|syskey", 0.3),
)
PAYMENT: tuple[Rule, ...] = (
    rule(
        "payment:gift_card",
        r"gift ?cards?|ギフトカード|ギフト券|プリペイド|電子マネー|prepaid card"
        r"|vouchers?\b|store cards?",
        0.5,
    ),
    rule("payment:google_play", r"google ?play|グーグル ?プレイ|グーグル・プレイ", 0.5),
    rule(
        "payment:itunes",
        r"itunes|apple (?:gift )?cards?|app store card|アップル(?:ギフト|カード)",
        0.5,
    ),
    rule(
        "payment:amazon_card",
        r"amazon (?:gift )?cards?|amazonギフト|アマゾンギフト|amazonカード",
        0.5,
    ),
    rule("payment:steam", r"\bsteam (?:wallet|cards?|gift)", 0.5),
    rule(
        "payment:convenience_store",
        r"convenience store|walmart|walgreens|\bCVS\b|best buy|コンビニ"
        r"|セブン-?イレブン|ローソン|ファミリーマート|ファミマ",
        0.35,
    ),
    rule(
        "payment:crypto",
        r"bitcoin|\bbtc\b|crypto|\busdt\b|tether|ethereum|ビットコイン|暗号資産"
        r"|仮想通貨",
        0.5,
    ),
    rule(
        "payment:wire",
        r"wire transfer|bank transfer|western union|moneygram|zelle|振込|振り込"
        r"|送金|(?<![A-Za-z])ATM(?![A-Za-z])|safe account|安全な口座",
        0.5,
    ),
    rule(
        "payment:cash",
        r"cash card|withdraw (?:the )?cash|キャッシュカード|暗証番号|現金|資産を",
        0.35,
    ),
    rule(
        "payment:atm_refund",
        r"(?:還付|返金|refund)[\s\S]{0,400}?(?<![A-Za-z])ATM(?![A-Za-z])|(?<![A-Za-z])ATM(?![A-Za-z])[\s\S]{0,400}?(?:還付|返金|refund)",
        0.5,
    ),
    rule("payment:refund", r"refund|返金|払い戻し|還付", 0.35),
    rule(
        "payment:amount",
        r"\$\s?\d{2,}|\d+\s?(?:dollars|usd)\b|\d[\d,]*\s?円|\d+万円"
        r"|\bpayment\b|支払",
        0.25,
    ),
    rule(
        "payment:card_code",
        r"(?:card|カード) ?(?:number|code|番号)|scratch|削って|裏面|コード番号",
        0.35,
    ),
)
STRUCTURE: tuple[Rule, ...] = (
    rule("structure:speaker_labels", rf"^\s*(?:{_SPEAKERS})\s*(?:\(\w+\))?\s*[:：]", 0.5),
    rule("structure:steps", r"^\s*(?:step\s*\d+|\d{1,2}[.)]\s|ステップ\s*\d|手順\s*\d|[①-⑳])", 0.3),
    rule(
        "structure:conditional",
        rf"\bif (?:the )?{_VICTIM} (?:says|asks|refuses|hesitates|objects"
        rf"|doesn't|does not|is|wants|won't|can't)|(?:お客様|相手|客)が.{{0,30}}(?:場合|たら)"
        r"|objection",
        0.5,
    ),
    rule(
        "structure:say",
        r"\b(?:say|tell (?:the|him|her|them)|ask (?:the|him|her|them)|read)\s*[:：\"“]"
        r"|(?:と|って)(?:言|伝|説明|案内)(?:って|う|います|する|してください)",
        0.4,
    ),
    rule("structure:dialogue", r"「[^」「\n]{2,200}」|“[^”“\n]{4,200}”", 0.3),
    rule(
        "structure:instruct_victim",
        r"(?:please|now|go ahead and|i need you to) (?:press|click|type"
        r"|open|download|install|enter|read|scratch|go to|hold|buy|purchase)"
        r"|(?:押して|入力して|クリックして|開いて|読み上げて|教えて|ダウンロードして|購入して|買って|削って)"
        r"(?:ください|下さい)",
        0.4,
    ),
    rule(
        "structure:operator",
        r"\b(?:sir|ma'am|madam)\b|(?:the|your) (?:customer|victim|caller)\b"
        r"|お客様|被害者",
        0.2,
    ),
    rule(
        "structure:transfer",
        r"transfer (?:the call|to (?:a |the |your )?(?:senior|supervisor"
        r"|manager|technician|closer))|\bcloser\b|上席|上司に|(?:担当|技術者)に(?:代わ|つな)",
        0.3,
    ),
)
NEGATIVE = WARNING_CUES + NEWS_CUES + FICTION_CUES + LEGIT_IT_CUES
_POSITIVE = BRANDS + FEAR + REMOTE + PAYMENT + STRUCTURE
_ALL = _POSITIVE + NEGATIVE
_POSITIVE_FAMILIES = frozenset({"brand", "fear", "remote", "payment", "structure"})

_SCAM_PAYMENTS = frozenset(
    f"payment:{name}"
    for name in (
        "gift_card",
        "google_play",
        "itunes",
        "amazon_card",
        "steam",
        "crypto",
        "atm_refund",
    )
)
"""Payment means that only scams ask of a stranger on the phone."""

THRESHOLD = 0.5
WINDOW_CHARS = 8_000
"""Length of the stretches of text scored on their own."""
"""Score from which a text is reported as a call script."""


def _negative_penalty(hits: list[Hit]) -> float:
    """How strongly the text speaks *about* scams, reports, fictionalises or is internal IT."""
    counts: dict[str, int] = {}
    for hit in hits:
        family = hit.rule.name.split(":", 1)[0]
        if family in {"neg", "news", "fiction", "it"}:
            counts[hit.rule.name] = counts.get(hit.rule.name, 0) + 1
    distinct = len(counts)
    volume = sum(min(n, 4) for n in counts.values())
    return min(0.8, 0.05 * distinct + 0.035 * volume)


def _score(hits: list[Hit]) -> tuple[float, dict[str, float]]:
    """Combined score and the strength of each positive family."""
    families = {
        "brand": min(
            1.0, 0.5 * len({h.rule.name for h in hits if h.rule.name.startswith("brand")})
        ),
        "fear": family_strength(hits, "fear:"),
        "remote": family_strength(hits, "remote:"),
        "payment": family_strength(hits, "payment:"),
        "structure": family_strength(hits, "structure:"),
    }
    base = (
        0.1 * families["brand"]
        + 0.2 * families["fear"]
        + 0.2 * families["remote"]
        + 0.2 * families["payment"]
        + 0.3 * families["structure"]
    )
    steers = families["remote"] >= 0.35 or families["payment"] >= 0.5
    scam_payment = any(h.rule.name in _SCAM_PAYMENTS for h in hits)
    hooks = families["fear"] >= 0.5 or (
        scam_payment and (families["fear"] > 0 or families["remote"] >= 0.35)
    )
    scripted = families["structure"] >= 0.4
    if steers and hooks and scripted:
        base += 0.15
    else:
        base = min(base, 0.45)
    return max(0.0, base - _negative_penalty(hits)), families


def _windows(hits: list[Hit], length: int) -> Iterator[list[Hit]]:
    """The hits of each stretch of ``WINDOW_CHARS`` (half overlapping) that has any.

    A script is compact; scoring stretches keeps a long book or a mailbox, whose cues
    are scattered over thousands of pages, from adding up to one.
    """
    if length <= WINDOW_CHARS:
        if hits:
            yield hits
        return
    hits = sorted(hits, key=lambda h: h.start)
    starts = [h.start for h in hits]
    for low in range(0, max(1, length - WINDOW_CHARS // 2), WINDOW_CHARS // 2):
        first, last = bisect_left(starts, low), bisect_left(starts, low + WINDOW_CHARS)
        if last > first:
            yield hits[first:last]


def _necessary_hits(text: str) -> list[Hit] | None:
    """Hits of the families every script needs, or None when the text lacks them.

    ``_score`` caps a text that is not scripted or does not steer below ``THRESHOLD``;
    a window holds a subset of the whole text's hits, so when the whole text falls short
    on either, no window can reach it. Checking these few rules first keeps ordinary
    documents (most of a disk) from paying for every other rule.
    """
    structure = find_hits(text, STRUCTURE)
    if family_strength(structure, "structure:") < 0.4:
        return None
    steering = find_hits(text, REMOTE + PAYMENT)
    if family_strength(steering, "remote:") < 0.35 and family_strength(steering, "payment:") < 0.5:
        return None
    return structure + steering


def _best_hit(text: str, hits: list[Hit]) -> Hit:
    """The first positive hit on the line carrying the most positive weight."""
    weights: dict[int, float] = {}
    firsts: dict[int, Hit] = {}
    for hit in hits:
        line = text.rfind("\n", 0, hit.start) + 1
        weights[line] = weights.get(line, 0.0) + hit.rule.weight
        if line not in firsts or hit.start < firsts[line].start:
            firsts[line] = hit
    return firsts[max(weights, key=lambda line: (weights[line], -line))]


class CallScriptDetector:
    """Reports a text that scripts a scam call, labelled with the brand it impersonates."""

    name = "call_script"
    version = 1
    description = "Scam call scripts (brand, fear, remote access, payment, operator structure)"
    emits: tuple[str, ...] = ("call_script",)

    def detect(self, doc: Extraction) -> list[Finding]:
        """A ``call_script`` finding when some stretch of the text scores ``THRESHOLD``."""
        text = fold_width(doc.text[:SCAN_CHARS])
        hits = _necessary_hits(text)
        if hits is None:
            return []
        hits += find_hits(text, BRANDS + FEAR + NEGATIVE)
        scored = [(_score(w)[0], w) for w in _windows(hits, len(text))]
        if not scored:
            return []
        score, hits = max(scored, key=lambda pair: pair[0])
        positive = [h for h in hits if h.rule.name.split(":", 1)[0] in _POSITIVE_FAMILIES]
        if score < THRESHOLD or not positive:
            return []
        brand = main_brand(positive, text)
        evidence = [h for h in positive if not h.rule.name.startswith("brand")] or positive
        best = _best_hit(text, evidence)
        return [
            Finding(
                kind="call_script",
                value=brand,
                normalized=brand,
                score=round(min(1.0, score), 3),
                rules=tuple(sorted({h.rule.name for h in positive})),
                snippet=snippet_around(doc.text, best.start, best.end),
                offset=best.start,
            )
        ]
