"""XLSX files as Excel writes them (shared strings, rich text, styles), built part by part, so
that a test says exactly what a sheet holds, hostile or not."""

from __future__ import annotations

import io
import zipfile

from tests.integration.registry.test_import import HEADER, post_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def relationships(*targets: tuple[str, str]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets, start=1)
    )
    return f'<Relationships xmlns="{PACKAGE}">{items}</Relationships>'.encode()


def header_row() -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'.encode()


def workbook(rows: bytes, dimension: bytes = b"", **parts: bytes) -> bytes:
    """An XLSX package with the header row and ``rows`` in its one sheet; ``parts`` add to or
    replace its parts (``xl/sharedStrings.xml`` and ``xl/styles.xml`` are related already)."""
    sheet = (
        f'<worksheet xmlns="{MAIN}">'.encode()
        + dimension
        + b"<sheetData>"
        + header_row()
        + rows
        + b"</sheetData></worksheet>"
    )
    contents = {
        "[Content_Types].xml": b"<Types/>",
        "_rels/.rels": relationships(("officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        '<sheet name="workers" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        "xl/_rels/workbook.xml.rels": relationships(
            ("worksheet", "worksheets/sheet1.xml"),
            ("sharedStrings", "sharedStrings.xml"),
            ("styles", "styles.xml"),
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": b"<sst/>",
        "xl/styles.xml": b"<styleSheet/>",
        **parts,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_excel_workbook_with_shared_strings_rich_text_and_date_styles_is_read(registry) -> None:
    enterprise = registry.enterprise()
    first, second, third = (registry.id_number() for _ in range(3))
    shared = (
        f"<sst><si><t>{first}</t></si>"
        "<si><r><t>王</t></r><r><rPr><b/></rPr><t>芳</t></r><rPh><t>wang fang</t></rPh></si>"
        f"<si><t>{second}</t></si><si><t>6-04-02-01</t></si><si><t>{third}</t></si></sst>"
    )
    styles = (
        '<styleSheet><numFmts count="1">'
        '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="31"/><xf numFmtId="176"/>'
        "</cellXfs></styleSheet>"
    )

    def row(number: int, id_string: int, hired_style: int, hired: int) -> str:
        return (
            f'<row r="{number}"><c r="A{number}" t="s"><v>{id_string}</v></c>'
            f'<c r="B{number}" t="s"><v>1</v></c><c r="C{number}" t="s"><v>3</v></c>'
            f'<c r="D{number}" t="b"><v>1</v></c><c r="E{number}" t="b"><v>0</v></c>'
            f'<c r="G{number}" s="{hired_style}"><v>{hired}</v></c></row>'
        )

    content = workbook(
        (row(2, 0, 1, 43891) + row(4, 2, 2, 43892) + row(5, 4, 3, 43893)).encode(),
        **{"xl/sharedStrings.xml": shared.encode(), "xl/styles.xml": styles.encode()},
    )
    answer = post_file(registry, enterprise["id"], content)
    assert answer.status_code == 200, answer.json
    assert (answer.json["rows"], answer.json["created"]) == (3, 3), answer.json
    listed = registry.client.get(
        f"/api/v1/enterprises/{enterprise['id']}/workers", headers=registry.admin
    ).json["items"]
    assert sorted((w["name"], w["hired_on"], w["is_migrant"]) for w in listed) == [
        ("王芳", "2020-03-01", True),
        ("王芳", "2020-03-02", True),
        ("王芳", "2020-03-03", True),
    ]
