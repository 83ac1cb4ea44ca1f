"""The replay's documents: a zip of XML documents, each read from the archive when it is asked for."""

from __future__ import annotations

import os
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

#: A zip member's local header (``zipfile.structFileHeader``), the flags of an encrypted member and a UTF-8 name.
_LOCAL_HEADER = struct.Struct(zipfile.structFileHeader)
_ENCRYPTED, _UTF8 = 0x1, 0x800


class Documents(Mapping[str, bytes]):
    """A zip of XML documents by name (without ``.xml``), each read from the archive when it is asked for.

    Not all read up front: a scale-54 world's notices are about 850 MB of XML, held for the whole run
    by the cached bundle; read on demand, a document costs the same inflate once (each is served once
    per collection) and is gone when its answer is. The archive stays open.

    A stored (uncompressed) member, as a built bundle's are, is read straight from its offset with its CRC
    checked, as ``ZipFile.read`` checks it: ``ZipFile.read`` opens a member through a buffered, locked
    reader that costs more than the read (the documents of a scale-54 world: 1.8 of 2.5 CPU-s). Compressed
    members go through ``ZipFile.read``, serialised.
    """

    def __init__(self, path: Path) -> None:
        self._archive = zipfile.ZipFile(path)
        self._members = {info.filename.removesuffix(".xml"): info for info in self._archive.infolist()}
        self._lock = threading.Lock()
        self._fd = os.open(path, os.O_RDONLY)  # read with pread: no shared position, no lock

    def __getitem__(self, key: str) -> bytes:
        info = self._members[key]
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & _ENCRYPTED:
            with self._lock:
                return self._archive.read(info)
        # one read for the header and the document, guessing the header's length from the central directory's
        # entry (the same name and, as zipfile writes them, the same extra field); again if the guess was wrong
        start = _LOCAL_HEADER.size + len(info.filename.encode("utf-8" if info.flag_bits & _UTF8 else "cp437")) + len(info.extra)
        chunk = os.pread(self._fd, start + info.file_size, info.header_offset)
        if len(chunk) < _LOCAL_HEADER.size or chunk[:4] != zipfile.stringFileHeader:
            raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename!r}")
        name_length, extra_length = _LOCAL_HEADER.unpack_from(chunk)[-2:]
        if _LOCAL_HEADER.size + name_length + extra_length == start:
            data = chunk[start:]
        else:
            data = os.pread(self._fd, info.file_size, info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        return data

    def __contains__(self, key: object) -> bool:
        return key in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)
