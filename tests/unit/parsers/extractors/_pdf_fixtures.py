"""Hand-written minimal PDFs for the PDF extractor tests."""

from __future__ import annotations


def build_pdf(objects: list[bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """A PDF whose object N (1-based) is objects[N-1], with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        start,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def helvetica_pdf(lines: list[str]) -> bytes:
    """One page of Helvetica text, one line per entry."""
    ops = [b"BT /F1 12 Tf 72 720 Td 14 TL"]
    for line in lines:
        escaped = line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
        ops.append(b"(" + escaped.replace(b")", b"\\)") + b") Tj T*")
    ops.append(b"ET")
    content = b"\n".join(ops)
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            stream(content),
        ]
    )


def cid_pdf(text: str) -> bytes:
    """One page showing ``text`` in a Type0 CID font whose ToUnicode maps CID i to text[i-1]."""
    cids = b"".join(b"%04X" % (i + 1) for i in range(len(text)))
    content = b"BT /F1 12 Tf 72 720 Td <" + cids + b"> Tj ET"
    mapping = b"\n".join(b"<%04X> <%04X>" % (i + 1, ord(ch)) for i, ch in enumerate(text))
    cmap = (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        b"%d beginbfchar\n" % len(text) + mapping + b"\nendbfchar\n"
        b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /MSGothic /Encoding /Identity-H "
            b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            stream(content),
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MSGothic "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> "
            b"/FontDescriptor 8 0 R /DW 1000 >>",
            stream(cmap),
            b"<< /Type /FontDescriptor /FontName /MSGothic /Flags 4 "
            b"/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 "
            b"/CapHeight 859 /StemV 80 >>",
        ]
    )


def looping_pages_pdf() -> bytes:
    """A page tree whose Pages node lists itself as a kid."""
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )
