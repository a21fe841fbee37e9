"""FileSessionStorage: what the battery cannot see - the on-disk layout and modes, corrupt
files named in errors, I/O off the event loop, persistence across instances."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from sessionkeeper import FileSessionStorage, InvalidSessionError, Session, SessionStorageError


async def test_layout_modes_and_a_restart(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "sessions"
    storage = FileSessionStorage(directory)
    assert Path(storage.directory) == directory
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    session = Session("../../etc/passwd", shop="files.myshopify.com", access_token="t")
    assert await storage.store_session(session) is True
    files = list((directory / "sessions").iterdir())
    assert [f.name for f in files] == ["x" + "../../etc/passwd".encode().hex() + ".json"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert files[0].read_text() == session.to_json(), "the file holds the canonical JSON"
    assert not (tmp_path / "etc").exists()
    reopened = FileSessionStorage(str(directory))
    assert await reopened.load_session(session.id) == session
    assert await reopened.find_sessions_by_shop("files.myshopify.com") == [session]


async def test_a_corrupt_file_is_named_and_others_stay_readable(tmp_path: Path) -> None:
    storage = FileSessionStorage(tmp_path)
    await storage.store_session(Session("good", shop="s.myshopify.com"))
    await storage.store_session(Session("bad", shop="s.myshopify.com"))
    corrupt = tmp_path / "sessions" / ("x" + b"bad".hex() + ".json")
    corrupt.write_text('{"id":"bad","isOnline":"maybe"}')
    with pytest.raises(InvalidSessionError) as info:
        await storage.load_session("bad")
    assert corrupt.name in str(info.value)
    assert (await storage.load_session("good")) is not None


async def test_io_runs_on_the_executor_not_the_loop(tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    threads: list[int] = []

    class Recording(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            def run() -> Any:
                threads.append(threading.get_ident())
                return fn(*args, **kwargs)

            return super().submit(run)

    executor = Recording(max_workers=2)
    loop.set_default_executor(executor)
    storage = FileSessionStorage(tmp_path)
    session = Session("exec", shop="exec.myshopify.com")
    await storage.store_session(session)
    await storage.load_session("exec")
    await storage.find_sessions_by_shop("exec.myshopify.com")
    await storage.delete_sessions(["exec"])
    await storage.delete_session("exec")
    assert len(threads) == 5
    assert threading.get_ident() not in threads


async def test_arguments_are_checked_before_any_io(tmp_path: Path) -> None:
    storage = FileSessionStorage(tmp_path)
    for call in (storage.load_session(""), storage.delete_sessions(["a", ""]), storage.store_session({"id": 1})):
        with pytest.raises(SessionStorageError) as info:
            await call
        assert info.value.code == "INVALID_ARGUMENT"
    assert os.listdir(tmp_path / "sessions") == []


def test_an_unusable_directory_is_storage_io(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SessionStorageError) as info:
        FileSessionStorage(blocker / "sessions")
    assert info.value.code == "STORAGE_IO" and isinstance(info.value, OSError)
