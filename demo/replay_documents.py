"""The demo bundle's zips of XML documents, each member read when a request asks for it, and its TenderNed details,
read when one is first asked for (``demo.replay``)."""

from __future__ import annotations

import json
import os
import struct
import weakref
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

#: Where a member is and how it is stored: local header offset, stored size, size, CRC-32, compression, and the
#: name and extra field lengths its central directory entry gives (the local header's are nearly always the same).
_Member = tuple[int, int, int, int, int, int, int]


class Documents(Mapping[str, bytes]):
    """A zip of XML documents by name (without ``.xml``), each read from the archive when it is asked for.

    Not all read up front: a scale-54 world's notices are about 850 MB of XML, held for the whole run
    by the cached bundle; read on demand, a document costs the same inflate once (each is served once
    per collection) and is gone when its answer is.

    A member is read with one positioned read (``os.pread``: its local header and its data together, where the local
    header's name and extra field are as long as its central directory entry says, as in every zip the demo writes;
    else a second read), inflated when it is deflated, and checked against its CRC-32, as ``ZipFile.read`` does:
    ``ZipFile.read`` opens a member object, seeks and reads through a shared, locked file for each (15 µs a stored
    8 KB member, 5 this way; 127,000 members a scale-54 collection). Positioned reads share no file position, so no
    lock either. Where each member is comes from ``ZipFile``'s own reading of the central directory, kept as a tuple
    per member (``_central_directory``).
    """

    _LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length

    def __init__(self, path: Path) -> None:
        self._members = _central_directory(path)
        self._path = path
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._finalizer = weakref.finalize(self, os.close, self._fd)

    def __getitem__(self, key: str) -> bytes:
        offset, stored, size, crc, method, name_length, extra_length = self._members[key]
        start = self._LOCAL_HEADER.size + name_length + extra_length
        block = os.pread(self._fd, start + stored, offset)
        signature, *_, local_name, local_extra = self._LOCAL_HEADER.unpack_from(block)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{self._path}: member {key}.xml: bad local file header")
        if (local_name, local_extra) == (name_length, extra_length):
            data = block[start:]
        else:  # (a local header with fields of its own length)
            data = os.pread(self._fd, stored, offset + self._LOCAL_HEADER.size + local_name + local_extra)
        if method == zipfile.ZIP_DEFLATED:
            try:
                data = zlib.decompress(data, -zlib.MAX_WBITS)
            except zlib.error as error:
                raise zipfile.BadZipFile(f"{self._path}: member {key}.xml: {error}") from error
        elif method != zipfile.ZIP_STORED:
            raise zipfile.BadZipFile(f"{self._path}: member {key}.xml: compression {method} not used by demo bundles")
        if len(data) != size or zlib.crc32(data) != crc:
            raise zipfile.BadZipFile(f"{self._path}: member {key}.xml: bad CRC-32 or size")
        return data

    def __contains__(self, key: object) -> bool:
        return key in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)


class Details(Mapping[str, dict[str, Any]]):
    """TenderNed's details by publicatieId, read from the bundle's file when one is first asked for.

    The collection asks for a detail only when a notice's XML and list row leave something out
    (``connectors.tenderned.needs_detail``): never for a demo world, whose every publication has its XML. Read up
    front, the details were 0.3 CPU-s and 76 MiB of dictionaries at scale 54, for nothing. Read when asked
    for, they are not frozen out of the collector's walks (``load_bundle``): that happens once, at start-up."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._read: dict[str, dict[str, Any]] | None = None

    @property
    def read(self) -> bool:
        """Whether the file has been read."""
        return self._read is not None

    def _details(self) -> dict[str, dict[str, Any]]:
        if self._read is None:
            self._read = json.loads(self._path.read_text(encoding="utf-8"))
        return self._read

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self._details()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._details())

    def __len__(self) -> int:
        return len(self._details())


def _central_directory(path: Path) -> dict[str, _Member]:
    """Every member by name without ``.xml``: where it is and how it is stored, as ``ZipFile`` reads them."""
    with zipfile.ZipFile(path) as archive:
        # (the name and extra field lengths only save the member's second read when they are its local header's)
        return {info.filename.removesuffix(".xml"): (info.header_offset, info.compress_size, info.file_size, info.CRC,
                                                     info.compress_type, len(info.filename.encode()), len(info.extra))
                for info in archive.infolist()}
