"""The demo bundle's zips of XML documents, each member read when a request asks for it (``demo.replay``)."""

from __future__ import annotations

import os
import struct
import weakref
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path


class Documents(Mapping[str, bytes]):
    """A zip of XML documents by name (without ``.xml``), each read from the archive when it is asked for.

    Not all read up front: a scale-54 world's notices are about 850 MB of XML, held for the whole run
    by the cached bundle; read on demand, a document costs the same inflate once (each is served once
    per collection) and is gone when its answer is.

    A member is read with two positioned reads (``os.pread``: its local header, then its data), inflated when it
    is deflated, and checked against its CRC-32, as ``ZipFile.read`` does: ``ZipFile.read`` opens a member
    object, seeks and reads through a shared, locked file for each (15 µs a stored 8 KB member, 6 this way;
    127,000 members a scale-54 collection). Positioned reads share no file position, so no lock either.
    """

    _LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as archive:  # the central directory: where each member is, how it is stored
            self._members = {info.filename.removesuffix(".xml"): info for info in archive.infolist()}
        self._path = path
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._finalizer = weakref.finalize(self, os.close, self._fd)

    def __getitem__(self, key: str) -> bytes:
        info = self._members[key]
        head = os.pread(self._fd, self._LOCAL_HEADER.size, info.header_offset)
        signature, *_, name_length, extra_length = self._LOCAL_HEADER.unpack(head)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{self._path}: member {info.filename}: bad local file header")
        data = os.pread(self._fd, info.compress_size,
                        info.header_offset + self._LOCAL_HEADER.size + name_length + extra_length)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                data = zlib.decompress(data, -zlib.MAX_WBITS)
            except zlib.error as error:
                raise zipfile.BadZipFile(f"{self._path}: member {info.filename}: {error}") from error
        elif info.compress_type != zipfile.ZIP_STORED:
            raise zipfile.BadZipFile(f"{self._path}: member {info.filename}: compression {info.compress_type} "
                                     "not used by demo bundles")
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile(f"{self._path}: member {info.filename}: bad CRC-32 or size")
        return data

    def __contains__(self, key: object) -> bool:
        return key in self._members

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)
