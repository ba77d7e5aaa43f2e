"""Each worker's kernel sockets go in a folder whose path a Unix socket can hold."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from auditkit.errors import ParameterError
from auditkit.pipeline import pool


def test_a_worker_s_sockets_folder_is_made_in_the_temporary_folder(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    folder = pool._sockets_folder()
    assert folder.parent == short_tmp and folder.name.startswith("auditkit-kernels-")
    assert len(f"{folder}/12345678/kernel-99") <= pool.SOCKET_PATH_MAX


def test_a_temporary_folder_too_long_for_a_socket_falls_back_to_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = tmp_path / ("deep-" * 20)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    folder = pool._sockets_folder()
    try:
        assert folder.parent == Path("/tmp")
    finally:
        folder.rmdir()


def test_no_folder_short_enough_names_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(pool, "SOCKET_PATH_MAX", 30)
    with pytest.raises(ParameterError, match="TMPDIR") as raised:
        pool._sockets_folder()
    assert str(tmp_path) in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_folder_that_cannot_be_written_falls_back_to_tmp(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp / "gone"))  # no such folder
    folder = pool._sockets_folder()
    try:
        assert folder.parent == Path("/tmp")
    finally:
        folder.rmdir()
