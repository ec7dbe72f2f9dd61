# ruff: noqa: RUF001 - the Japanese script uses full-width punctuation on purpose
"""Text payloads of a scam call centre (and innocent decoys), as the carver must find them.

Each text is headerless evidence that only a text carver recovers: an English operator
script, a Japanese one in Shift_JIS, a UTF-16LE lead list exported from a spreadsheet and a
fake "Windows Defender" pop-up page. Each holds a distinctive marker (a ticket or batch
reference) that a test looks for in the carved text. Phone numbers use the fictional
555-01xx range where the plan allows; the BTC address is the Bitcoin wiki's example.
"""

from __future__ import annotations

SCRIPT_EN_MARKER = "Ticket MS-2024-88417"
SCRIPT_JA_MARKER = "案件番号 JP-0311-7742"
LEADS_MARKER = "batch=B7-TOKYO-0314"
POPUP_MARKER = "Error code: DW6VB36-0x80073b01"

PHONE_EN = "+1-888-555-0142"
PHONE_POPUP = "1-844-555-0199"
PHONE_JA = "03-6820-4471"
DOMAIN = "windows-secure-helpdesk.support"
ANYDESK_ID = "482 915 307"
BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"

_SCRIPT_EN = f"""MICROSOFT WINDOWS SUPPORT - INBOUND CALL SCRIPT (v3.2, do not share)
{SCRIPT_EN_MARKER} / queue: REFUND-US / callback {PHONE_EN}

STEP 1 - OPENING
Agent: "Thank you for calling Microsoft Windows Support, my name is Kevin, employee ID
MS-7731. Am I speaking with the registered owner of the computer?"
If the customer asks how we got the number: "Your computer sent us an error report
automatically, sir. That is why the security alert appeared on your screen."

STEP 2 - FEAR
Agent: "I am very sorry to tell you that your computer is infected with a Zeus trojan
virus. Hackers from overseas are accessing your online banking right now. Please do not
turn off the computer or the hackers will lock all your files permanently."
Tell the customer to press the Windows key and R, type eventvwr, and read the red errors.
Say: "Every one of these red errors is a hacker trying to get into your system."

STEP 3 - REMOTE ACCESS
Agent: "For your safety, a certified technician will connect to your computer."
Guide the customer to {DOMAIN} and have them download the support tool.
Ask the customer to read the 9-digit AnyDesk ID: AnyDesk ID {ANYDESK_ID}
(if the customer cannot find it, it is the number under "This Desk").
When connected, open a black CMD window and run tree C:\\ so it looks like a scan.
Type "trojan found - banking compromised" into the window while the customer watches.

STEP 4 - PAYMENT
Agent: "The lifetime security licence is 499 dollars 99 cents. Because your bank account
is compromised we cannot take a card. You must pay with Google Play or Apple gift cards."
Tell the customer to buy five gift cards of 100 dollars each at Walgreens or Target.
Do NOT let the customer mention Microsoft to the cashier. If the cashier asks, the
customer is buying gifts for grandchildren.
Ask the customer to scratch the back of each card and read the 16-digit code slowly.
If the customer refuses gift cards, payment by Bitcoin ATM is accepted:
BTC wallet {BTC_ADDRESS}
Repeat the wallet address twice and send the QR code from the {DOMAIN} page.

STEP 5 - REFUND OVERPAYMENT (only for customers over 65)
Agent: "I have processed a refund of 500 dollars but I typed 5000 by mistake. Please
check your online banking - the money is in your account now. You must return the
difference with gift cards or my manager will fire me today."
Blank the screen with the AnyDesk privacy mode before moving money between accounts.

STEP 6 - CLOSING
Agent: "Your computer is now protected. Do not call your bank or your family about this,
the hackers may be listening to your phone line. For any problem call us back on
{PHONE_EN}, extension 204, and quote {SCRIPT_EN_MARKER}."
Supervisor note: log every code in the sheet before the end of the shift. Calls over 40
minutes without payment go to the closer team. Never read this script word for word if
the customer sounds like police.
"""

_SCRIPT_JA = f"""【マイクロソフトサポート 対応マニュアル】{SCRIPT_JA_MARKER}
折り返し番号 {PHONE_JA}（受付時間 九時から二十一時）

一、最初のあいさつ
オペレーター：「お電話ありがとうございます。マイクロソフトサポートです。
担当の田中と申します。お客様のパソコンがウイルスに感染しています。」
お客様が画面の警告について聞いたら：「その警告は本物です。絶対に電源を切らないでください。
電源を切るとパソコンの中のデータがすべて消えてしまいます。」

二、不安をあおる
オペレーター：「現在、海外のハッカーがお客様の銀行口座に不正アクセスしています。
個人情報が流出する危険があります。すぐに対応が必要です。」
お客様にキーボードのウィンドウズキーとアールを押してもらい、イベントビューアーを開かせる。
赤いエラーを一つずつ読み上げて「これがすべてハッキングの証拠です」と説明する。

三、遠隔操作
オペレーター：「専門の技術者が遠隔でウイルスを駆除いたします。」
お客様にエニーデスクをインストールしてもらい、九桁のアドレスを読み上げてもらう。
接続したら黒い画面を開き、スキャンしているように見せる。

四、支払い
オペレーター：「サポート料金は五年間で四万九千八百円です。
銀行口座が危険なため、振り込みはできません。コンビニで電子マネーを購入してください。」
グーグルプレイカードかアップルギフトカードを一万円分ずつ五枚購入させる。
店員に聞かれたら「孫へのプレゼントです」と答えるように指示する。
カードの裏を削って番号を読み上げてもらう。番号はすぐに管理表に記録すること。

五、返金詐欺（七十歳以上のお客様のみ）
オペレーター：「五万円を返金するところ、誤って五十万円を入金してしまいました。
差額を電子マネーで返していただけますか。上司に叱られてしまいます。」

六、終わりのあいさつ
オペレーター：「これでパソコンは安全です。このことは銀行やご家族には話さないでください。
ハッカーが電話を盗聴している可能性があります。」
何かあれば {PHONE_JA} にお電話ください。{SCRIPT_JA_MARKER} とお伝えください。
"""

_LEAD_ROWS = (
    ("Margaret Ellison", "+1-412-555-0117", "m.ellison@example.com", "paid 500 GPC"),
    ("Harold Brandt", "+1-602-555-0133", "hbrandt44@example.net", "callback"),
    ("Dorothy Nguyen", "+1-813-555-0164", "dot.nguyen@example.org", "refused"),
    ("Walter Kowalski", "+1-517-555-0189", "walterk@example.com", "paid BTC"),
    ("Barbara Quinn", "+1-720-555-0102", "bquinn@example.net", "no answer"),
    ("佐藤 和子", "090-1234-5678", "kazuko.sato@example.jp", "入金済み"),
    ("鈴木 正男", "080-2345-6789", "m-suzuki@example.jp", "折り返し"),
    ("高橋 美智子", "03-3456-7890", "michiko.t@example.jp", "カード5枚"),
    ("田中 清", "06-4567-8901", "kiyoshi.tanaka@example.jp", "拒否"),
    ("伊藤 節子", "090-5678-9012", "setsuko.ito@example.jp", "未接続"),
    ("Eleanor Fischer", "+1-503-555-0148", "efischer@example.org", "paid 1500 Apple"),
    ("Richard Okafor", "+1-404-555-0171", "r.okafor@example.com", "callback"),
)


def _lead_list() -> str:
    header = f"# export {LEADS_MARKER} source=lead-vendor-7 rows={len(_LEAD_ROWS) * 3}\r\n"
    lines = ["lead_id,name,phone,email,age,status\r\n"]
    for batch in range(3):
        for number, (name, phone, email, status) in enumerate(_LEAD_ROWS):
            lead_id = f"L{batch + 7}{number:03d}"
            age = 66 + (number * 7 + batch * 3) % 20
            lines.append(f"{lead_id},{name},{phone},{email},{age},{status}\r\n")
    return header + "".join(lines)


_POPUP = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Windows Defender Alert</title>
<style>body{{background:#0078d7;color:#fff;font-family:Segoe UI,Arial}}
#box{{margin:60px auto;width:640px;background:#fff;color:#000;padding:24px}}</style>
<script>
window.onbeforeunload = function () {{ return "Your computer is locked."; }};
document.addEventListener("contextmenu", function (e) {{ e.preventDefault(); }});
history.pushState(null, "", location.href);
window.onpopstate = function () {{ history.pushState(null, "", location.href); }};
var n = "1-844-" + "555-" + "0199";
</script></head>
<body onload="document.documentElement.requestFullscreen()">
<div id="box">
<h1>Windows Defender Alert: Zeus Virus Detected In Your Computer !!</h1>
<p>{POPUP_MARKER}</p>
<p>Your computer has been blocked because of a security breach. Do not restart or shut
down your PC: doing so will lead to data loss and failure of the operating system.</p>
<p>The following data may be compromised: e-mail credentials, banking passwords,
Facebook login, pictures and documents.</p>
<p>Call Windows Support immediately to remove the virus: <b>Toll Free {PHONE_POPUP}</b></p>
<p>Windows Firewall has blocked access to this computer for your protection. A technician
will connect with you to repair the registry. Please do not close this window.</p>
<audio autoplay loop src="alert.mp3"></audio>
</div></body></html>
"""

_DECOY_NOTE = """Shopping list for Saturday
- milk, eggs, bread, two kinds of cheese for the picnic
- birthday card for grandma (she turns 80 on the 14th!)
- batteries for the smoke alarm in the hallway
- potting soil and tomato seedlings from the garden centre
Remember: dentist on Tuesday at 9:30, pick up the dry cleaning before Friday.
Call the plumber about the kitchen tap that keeps dripping at night.
"""


def script_en() -> bytes:
    """The English operator script (UTF-8)."""
    return _SCRIPT_EN.encode("utf-8")


def script_ja() -> bytes:
    """The Japanese operator script (Shift_JIS, a strict subset of cp932)."""
    return _SCRIPT_JA.encode("shift_jis")


def lead_list() -> bytes:
    """The lead list as a spreadsheet's "Unicode text" export (UTF-16LE, no BOM)."""
    return _lead_list().encode("utf-16-le")


def popup_html() -> bytes:
    """The fake virus pop-up page (UTF-8 HTML)."""
    return _POPUP.encode("utf-8")


def decoy_note(variant: int = 0) -> bytes:
    """An innocent note (UTF-8); ``variant`` makes its bytes differ between images."""
    return (_DECOY_NOTE + f"(note {variant})\n").encode("utf-8") * 3
