# ruff: noqa: RUF001 - Japanese cues and test texts use full-width punctuation on purpose
"""Shared vocabulary of the document detectors: brands, rule tables, names and places.

The call-script, pop-up and contact-list detectors all look for families of evidence in
English and Japanese. Keeping the word lists here, as data, lets each detector stay a
small scoring function and lets a reviewer read every cue in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDE[0x3000] = 0x20
_WIDE_TABLE = str.maketrans({chr(k): chr(v) for k, v in _WIDE.items()})

SCAN_CHARS = 2_000_000
"""Characters of a document the rule families read (scripts and pages are far smaller)."""

MAX_MATCHES = 2_000
"""Matches kept per rule: enough to rank lines, bounded for hostile input."""


def fold_width(text: str) -> str:
    """Map full-width ASCII and the ideographic space to ASCII, keeping every offset."""
    return text.translate(_WIDE_TABLE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One named cue: a compiled pattern and the weight it adds to its family."""

    name: str
    pattern: re.Pattern[str]
    weight: float


def rule(name: str, pattern: str, weight: float) -> Rule:
    """Compile ``pattern`` case-insensitively (and multi-line) as the rule ``name``."""
    return Rule(name, re.compile(pattern, re.IGNORECASE | re.MULTILINE), weight)


@dataclass(frozen=True, slots=True)
class Hit:
    """Where one rule matched."""

    rule: Rule
    start: int
    end: int


def find_hits(text: str, rules: tuple[Rule, ...]) -> list[Hit]:
    """Every match of every rule in ``text``, at most ``MAX_MATCHES`` per rule."""
    hits: list[Hit] = []
    for one in rules:
        for count, match in enumerate(one.pattern.finditer(text)):
            if count >= MAX_MATCHES:
                break
            hits.append(Hit(one, match.start(), match.end()))
    return hits


def family_strength(hits: list[Hit], family: str, cap: float = 1.0) -> float:
    """Sum of the weights of the distinct rules of ``family`` that fired, capped."""
    fired = {hit.rule.name: hit.rule.weight for hit in hits if hit.rule.name.startswith(family)}
    return min(cap, sum(fired.values()))


BRANDS: tuple[Rule, ...] = (
    rule("brand:microsoft", r"microsoft|windows|マイクロソフト|ウィンドウズ|ウインドウズ", 1),
    rule("brand:apple", r"\bapple\b(?!\s*(?:gift|card))|icloud|\bmacbook|アップル(?!ギフト)", 1),
    rule("brand:amazon", r"amazon(?!\s*(?:gift|card|ギフト|カード))|アマゾン(?!ギフト|カード)", 1),
    rule("brand:google", r"google(?!\s*play)|グーグル(?!プレイ|・プレイ)", 1),
    rule("brand:bank", r"\bbank\b(?!\s*(?:transfer|wire))|銀行(?!振込|口座)|fraud department", 1),
    rule("brand:police", r"\bpolice\b|\bFBI\b|警察(?!庁)|警視庁|刑事|検察", 1),
)
"""Brands a script or pop-up impersonates; the label is the brand named most often."""

BRAND_ORDER = ("microsoft", "apple", "amazon", "google", "police", "bank")
"""Tie-break between brands named equally often."""


_INTRO_BEFORE = re.compile(
    r"(?:this is|calling from|on behalf of|from the|welcome to|thank you for calling"
    r"|you(?:'ve| have) reached|we are|i am|i'm|こちらは|私は)[^.。\n]{0,60}$",
    re.IGNORECASE,
)
_INTRO_AFTER = re.compile(r"^[^.。\n]{0,30}(?:と申します|でございます|の者です|と名乗|を名乗)")
_THREAT_ONLY = frozenset({"bank", "police"})


def main_brand(hits: list[Hit], text: str) -> str:
    """The brand the text speaks *as*, else the one it names most, else ``generic``.

    A brand named where the speaker introduces themself ("this is ... from", "こちらは",
    "と申します") counts three times; a bank or the police named only as a threat or an
    object ("the police will be informed", "your bank") is not the brand impersonated.
    """
    counts: dict[str, int] = {}
    for hit in hits:
        if not hit.rule.name.startswith("brand:"):
            continue
        brand = hit.rule.name.split(":", 1)[1]
        intro = _INTRO_BEFORE.search(text, max(0, hit.start - 80), hit.start) or _INTRO_AFTER.match(
            text[hit.end : hit.end + 40]
        )
        if intro or brand not in _THREAT_ONLY:
            counts[brand] = counts.get(brand, 0) + (3 if intro else 1)
    if not counts:
        return "generic"
    return max(counts, key=lambda b: (counts[b], -BRAND_ORDER.index(b)))


WARNING_CUES: tuple[Rule, ...] = (
    rule(
        "neg:never",
        r"\bnever\s+(?:call|calls|ask|asks|pay|give|allow|send|request|contact)"
        r"|will never|would never|does not (?:call|ask|send)",
        1,
    ),
    rule("neg:scam_word", r"\bscam(?:s|mer|mers)?\b|fraudster|\bfake\b|hoax|phishing", 1),
    rule(
        "neg:advice",
        r"\bdo not (?:pay|give|allow|call|trust|install|click|share|buy)"
        r"|don't (?:pay|give|allow|call|trust|install|click|share|buy)|hang up|beware"
        r"|protect yourself|report (?:it|this|them|fraud|scams?)\b|if you (?:receive|see|get) a",
        1,
    ),
    rule(
        "neg:third_person",
        r"\b(?:scammers|criminals|fraudsters|crooks|con artists)\b"
        r"|\bthey (?:may|will|might|often|usually) (?:ask|tell|say|claim|pretend|call|try)"
        r"|(?:caller|callers) (?:may|will|might) (?:ask|claim|say)|\bthe (?:scammer|fraudster)\b"
        r"|pretended to be|posing as|claim(?:ed|ing) to be|impersonat",
        1,
    ),
    rule(
        "neg:ja_warning",
        r"詐欺|ご注意|注意してください|注意が必要|だまされ|騙され|手口|被害に遭"
        r"|しないでください|しないようにしましょう|相談してください|ご相談",
        1,
    ),
    rule("neg:ja_third_person", r"を名乗る|を名乗って|を装|なりすま|犯人|犯行グループ|と称して", 1),
    rule(
        "neg:authority",
        r"消費者|国民生活センター|消費生活センター|警察庁|\b188\b"
        r"|consumer (?:protection|affairs|hotline)|federal trade commission|\bFTC\b"
        r"|action fraud|reportfraud",
        1,
    ),
)
"""Cues of a warning *about* scams: advice, third person, consumer bodies."""

NEWS_CUES: tuple[Rule, ...] = (
    rule(
        "news:arrest",
        r"\bwere arrested\b|\barrested (?:\d+|two|three|several|the)\b|\bcharged with\b"
        r"|\bsentenced\b|\bprosecutors?\b|\bsuspects?\b|\bdefendants?\b|逮捕(?:した|された|者)"
        r"|容疑|送検|起訴|判決|被告|摘発|家宅捜索",
        1,
    ),
    rule(
        "news:reporting",
        r"\bpolice said\b|according to|\bsaid (?:on|in|that)\b|\breported\b"
        r"|によると|明らかにした|調べでは|関係者",
        1,
    ),
    rule("news:raid", r"\braid(?:ed|s)?\b|\bcall cent(?:re|er)s?\b|コールセンター|拠点", 1),
)
"""Cues of reporting: arrests, attributions, raids."""

FICTION_CUES: tuple[Rule, ...] = (
    rule("fiction:screenplay", r"^\s*(?:INT|EXT)\.|FADE (?:IN|OUT)|CUT TO:|^\s*SCENE \d+", 1),
    rule(
        "fiction:game",
        r"\bNPC\b|\bquest\b|\bplayer\b|\blevel \d+|\bhit points\b|\bHP\b"
        r"|game over|save point|シーン\d|ナレーション",
        1,
    ),
)
"""Cues of a screenplay or a game script."""

LEGIT_IT_CUES: tuple[Rule, ...] = (
    rule(
        "it:internal",
        r"\bhelp ?desk\b|\bservice desk\b|\bIT department\b|\bticket\b"
        r"|\bemployees?\b|\bintranet\b|\bVPN\b|company (?:laptop|device|network|account)"
        r"|\bext\.\s*\d+|社内|情報システム|社員|従業員|ヘルプデスク|内線",
        1,
    ),
)
"""Cues of an organisation's own IT support."""

ORG_WORDS = re.compile(
    r"株式会社|有限会社|合同会社|\(株\)|（株）|支店|営業所|店舗|本店|本社|出張所|センター|病院|"
    r"銀行|ホテル|[^\s]店$|\b(?:inc|llc|ltd|corp|gmbh|plc)\b\.?|\bco\.(?!\w)|\b(?:branch|office|store|"
    r"shop|hotel|clinic|hospital|outlet|warehouse|headquarters|hq|department)\b",
    re.IGNORECASE,
)
"""Words that make a row an organisation rather than a person."""

PREFECTURES = [
    "北海道",
    "青森",
    "岩手",
    "宮城",
    "秋田",
    "山形",
    "福島",
    "茨城",
    "栃木",
    "群馬",
    "埼玉",
    "千葉",
    "東京",
    "神奈川",
    "新潟",
    "富山",
    "石川",
    "福井",
    "山梨",
    "長野",
    "岐阜",
    "静岡",
    "愛知",
    "三重",
    "滋賀",
    "京都",
    "大阪",
    "兵庫",
    "奈良",
    "和歌山",
    "鳥取",
    "島根",
    "岡山",
    "広島",
    "山口",
    "徳島",
    "香川",
    "愛媛",
    "高知",
    "福岡",
    "佐賀",
    "長崎",
    "熊本",
    "大分",
    "宮崎",
    "鹿児島",
    "沖縄",
]
"""The 47 prefectures of Japan, without their 都/道/府/県 suffix."""

PREFECTURE_RE = re.compile(
    r"^(?:" + "|".join(p for p in PREFECTURES if p != "北海道") + r")[都府県]?$|^北海道$"
)
ADDRESS_RE = re.compile(
    r"^(?:" + "|".join(PREFECTURES) + r")[都道府県]?.{2,}|\d+\s+\w+.*\b(?:st|street|ave|avenue"
    r"|rd|road|lane|ln|dr|drive|blvd|way|court|ct)\b|[市区町村郡].*\d",
    re.IGNORECASE,
)

LOOSE_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().\-]{6,18}\d(?![\w.])")
"""Something shaped like a phone number; callers check its digit count."""


def phone_digits(candidate: str) -> str | None:
    """The digits of ``candidate`` when it plausibly is a phone number (10 to 13 digits)."""
    digits = re.sub(r"\D", "", fold_width(candidate))
    if not 10 <= len(digits) <= 13 or len(set(digits)) < 3:
        return None
    if candidate.lstrip().startswith("+") or digits[0] in "01":
        return digits
    return digits if len(digits) == 10 else None


EMAIL_RE = re.compile(r"[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_HEADER_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern, re.IGNORECASE))
    for role, pattern in (
        ("email", r"e?mail|メール"),
        ("phone", r"phone|^tel|tel$|mobile|^cell|電話|携帯|連絡先"),
        ("id", r"(?:^|[_\s])id$|^no\.?$|^#$|番号$|^番号|コード"),
        ("birth", r"birth|^dob$|bday|^born|生年|誕生"),
        ("age", r"^age$|年齢|^歳$|年代"),
        (
            "name",
            r"name|^fn$|^n$|customer|client|氏名|名前|^姓$|^名$|フリガナ|ふりがな|カナ|かな"
            r"|顧客|契約者|名義",
        ),
        ("prefecture", r"prefecture|^state$|province|都道府県|^県$"),
        ("city", r"city|town|市区町村|市町村|市区|^市$"),
        ("zip", r"^zip|post ?(?:al)? ?code|郵便|〒"),
        ("address", r"address|street|addr|^adr$|住所|所在地|番地"),
        ("notes", r"note|memo|comment|remark|備考|メモ|特記"),
        ("status", r"status|result|outcome|disposition|対応|結果|ステータス|架電|状況"),
        ("amount", r"amount|paid|payment|金額|入金|被害額|支払"),
        ("relationship", r"relation|続柄|関係"),
        ("gender", r"gender|^sex$|性別"),
        ("org", r"company|branch|store|shop|office|支店|店舗|会社|営業所|店名"),
        ("item", r"price|qty|quantity|sku|item|product|unit|total|単価|数量|品名|商品|^jan"),
    )
)


def header_role(header: str) -> str | None:
    """The column role a header names (``phone``, ``name``, ``age`` ...), if any."""
    key = re.sub(r"[\s_\-.:：]+", " ", fold_width(header)).strip().lower()
    if not key or len(key) > 40:
        return None
    return next((role for role, pattern in _HEADER_ROLES if pattern.search(key)), None)


_JA_NAME = re.compile(
    r"^[一-龥々ヶ]{1,4}[ 　]?[一-龥々ぁ-んァ-ヶー]{1,5}$|^[ァ-ヶー]{1,8}[ 　][ァ-ヶー]{1,8}$"
)
_WEST_NAME = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z]\.?)?(?: [A-Z][a-z'’-]+){1,2}$")


def is_person_name(cell: str, *, loose: bool = False) -> bool:
    """Whether ``cell`` reads as a personal name (``loose``: any short wordy cell)."""
    cell = cell.strip()
    if not cell or ORG_WORDS.search(cell):
        return False
    if _JA_NAME.match(cell) or _WEST_NAME.match(cell):
        return True
    letters = sum(ch.isalpha() for ch in cell)
    return loose and len(cell) <= 40 and letters >= max(1, len(cell) // 2) and "@" not in cell


def _birth(cell: str) -> bool:
    """A year or a date whose year is between 1920 and 2010."""
    match = re.match(r"^((?:19|20)\d\d)(?:[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?)?$", cell)
    return bool(match) and 1920 <= int(match.group(1)) <= 2010  # type: ignore[union-attr]


_CELL_TESTS: tuple[tuple[str, float], ...] = (
    ("email", 0.6),
    ("phone", 0.6),
    ("birth", 0.8),
    ("age", 0.8),
    ("prefecture", 0.6),
    ("address", 0.6),
    ("org", 0.5),
    ("name", 0.6),
)


def _cell_is(role: str, cell: str) -> bool:
    """Whether one cell has the content of ``role``."""
    if role == "email":
        return EMAIL_RE.fullmatch(cell) is not None
    if role == "phone":
        return phone_digits(cell) is not None and not EMAIL_RE.search(cell)
    if role == "birth":
        return _birth(cell)
    if role == "age":
        age = re.fullmatch(r"(\d{2,3}) ?(?:歳|才)?", cell)
        return bool(age) and 18 <= int(age.group(1)) <= 110  # type: ignore[union-attr]
    if role == "prefecture":
        return PREFECTURE_RE.match(cell) is not None
    if role == "address":
        return ADDRESS_RE.search(cell) is not None
    if role == "org":
        return ORG_WORDS.search(cell) is not None
    return is_person_name(cell)


def column_role(cells: list[str]) -> str | None:
    """The role the non-empty ``cells`` of one column show by their content, if any."""
    sample = [fold_width(c[:200]) for c in cells[:200]]
    if not sample:
        return None
    for role, share in _CELL_TESTS:
        if sum(_cell_is(role, c) for c in sample) >= share * len(sample):
            return role
    return None
