"""``demo.replay_documents.Documents`` gives every member as ``ZipFile.read`` does, and refuses a damaged one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from demo.replay_documents import Documents


def _archive(path: Path) -> dict[str, bytes]:
    documents = {f"{n}-2024": f"<notice n='{n}'>{'é' * n}</notice>".encode() for n in range(1, 6)}
    with zipfile.ZipFile(path, "w") as archive:
        for n, (name, data) in enumerate(documents.items()):
            info = zipfile.ZipInfo(f"{name}.xml")
            info.compress_type = zipfile.ZIP_DEFLATED if n == 1 else zipfile.ZIP_STORED
            if n == 2:  # an extra field: the data starts after it
                info.extra = b"\xfe\xca\x00\x00"
            archive.writestr(info, data)
        archive.writestr("ünïcode.xml", b"<x/>")
    return documents | {"ünïcode": b"<x/>"}


def test_every_member_is_what_zipfile_reads(tmp_path: Path) -> None:
    expected = _archive(tmp_path / "docs.zip")
    documents = Documents(tmp_path / "docs.zip")
    assert set(documents) == set(expected) and len(documents) == len(expected)
    assert {name: documents[name] for name in documents} == expected
    with zipfile.ZipFile(tmp_path / "docs.zip") as archive:
        assert all(documents[name] == archive.read(f"{name}.xml") for name in expected)


def test_a_damaged_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "docs.zip"
    _archive(path)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"<notice n='1'>") + 1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(zipfile.BadZipFile):
        Documents(path)["1-2024"]
