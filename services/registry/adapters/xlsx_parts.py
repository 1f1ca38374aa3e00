"""An XLSX archive's parts, unpacked and parsed within bounds, whatever the archive claims.

A hostile workbook is small: a part that unpacks to gigabytes, XML nested a million deep. So
each part's unpacked size and compression ratio are checked in the archive's directory before
it is read and counted again while it unpacks, since a directory can lie; its XML streams
through expat, a chunk at a time, with its nesting bounded and no DOCTYPE (so no entities).
Passing a bound raises :class:`SpreadsheetOverLimit` at once, naming it.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from services.registry.domain.errors import SpreadsheetOverLimit

MiB = 1024 * 1024
MAX_PARTS = 1000
PART_BYTES = 64 * MiB
"""The most any part may unpack to: a sheet of 100,000 rows of workers is about 35 MiB."""
SHARED_STRINGS_BYTES = 16 * MiB
"""The shared strings are held in memory while the sheet is read: 100,000 workers, about 6 MiB."""
MAX_RATIO = 100
"""How many times its packed size a part may unpack to (sheets of data: 5 to 20 times) ..."""
RATIO_GRACE = 1 * MiB
"""... once it unpacks to more than this: a small part costs little however tightly packed."""
MAX_DEPTH = 32
"""How deep the XML may nest: a worksheet's cells are six levels down."""
CHUNK = 64 * 1024


def over_limit(name: str, message: str, **values: object) -> SpreadsheetOverLimit:
    """The refusal for passing the limit ``name``, its message filled with ``values``."""
    return SpreadsheetOverLimit(name, message % values)


# -- the archive --------------------------------------------------------------------------------


def open_archive(content: bytes) -> zipfile.ZipFile:
    """The archive, once its directory says it holds few enough parts of bounded sizes."""
    if _declared_parts(content) > MAX_PARTS:  # before zipfile reads a directory entry of each
        raise _too_many_parts()
    archive = zipfile.ZipFile(io.BytesIO(content))
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise _too_many_parts()
    for info in infos:
        _check_unpacked(info, info.file_size)
    return archive


def _declared_parts(content: bytes) -> int:
    """The count of parts the end of the archive's directory declares (0xFFFF: ZIP64's)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        raise zipfile.BadZipFile("no end of central directory")
    (count,) = struct.unpack_from("<H", content, end + 10)
    return int(count)


def _too_many_parts() -> SpreadsheetOverLimit:
    return over_limit(
        "parts",
        "The workbook holds more than %(limit)s parts, as no spreadsheet of data does; "
        "save it again from Excel or as CSV.",
        limit=f"{MAX_PARTS:,}",
    )


def _check_unpacked(info: zipfile.ZipInfo, unpacked: int) -> None:
    """Refuse a part that unpacks (by its directory, or by the bytes read so far) too far."""
    bound = SHARED_STRINGS_BYTES if info.filename.endswith("sharedStrings.xml") else PART_BYTES
    if unpacked > bound:
        raise over_limit(
            "part_size",
            "The workbook's part %(part)s unpacks to more than %(limit)s MiB, more than an "
            "import reads: split the sheet into smaller files.",
            part=info.filename,
            limit=bound // MiB,
        )
    if unpacked > RATIO_GRACE and unpacked > MAX_RATIO * max(info.compress_size, 1):
        raise over_limit(
            "compression_ratio",
            "The workbook's part %(part)s unpacks to more than %(limit)s times its packed size, "
            "as no spreadsheet of data does: save it again from Excel or as CSV.",
            part=info.filename,
            limit=MAX_RATIO,
        )


def stream(archive: zipfile.ZipFile, name: str, handler: PartReader) -> Iterator[None]:
    """Feed part ``name`` to ``handler`` through expat, a chunk at a time, yielding after each
    chunk so that what the handler collected can be taken away as it comes."""
    info = archive.getinfo(name)
    parser = _parser(name, handler)
    with archive.open(info) as part:
        unpacked = 0
        while chunk := part.read(CHUNK):
            unpacked += len(chunk)
            _check_unpacked(info, unpacked)
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield


def _parser(name: str, handler: PartReader) -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    depth = 0
    local: dict[str, str] = {}  # "x:row" -> "row", once per name

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise over_limit(
                "nesting_depth",
                "The workbook's part %(part)s nests its XML more than %(limit)s levels deep, "
                "as no spreadsheet does: save it again from Excel or as CSV.",
                part=name,
                limit=MAX_DEPTH,
            )
        handler.start(local.get(tag) or local.setdefault(tag, tag.rpartition(":")[2]), attributes)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        handler.end(local.get(tag) or local.setdefault(tag, tag.rpartition(":")[2]))

    def doctype(*_: object) -> None:
        raise expat.ExpatError(f"{name} declares a DOCTYPE")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = handler.text
    parser.StartDoctypeDeclHandler = doctype
    return parser


def read_whole(archive: zipfile.ZipFile, name: str, handler: PartReader) -> None:
    for _ in stream(archive, name, handler):
        pass


class PartReader:
    """What expat calls, for one part (local names: ``x:row`` is ``row``); a reader keeps what
    it needs of the part."""

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass
