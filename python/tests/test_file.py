"""FileSessionStorage: what the battery cannot see - the on-disk layout and modes, corrupt
files named in errors, links never followed, shared directories refused, I/O off the event
loop, persistence across instances."""

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
    # A find returns the readable sessions; a stray folder in the index is skipped too.
    marker = next((tmp_path / "shops").iterdir())
    (marker / "a-folder").mkdir()
    assert [s.id for s in await storage.find_sessions_by_shop("s.myshopify.com")] == ["good"]
    # An index folder replaced by a file: nothing found, and the next store heals it.
    for entry in marker.iterdir():
        entry.unlink() if entry.is_file() else entry.rmdir()
    marker.rmdir()
    marker.write_text("junk")
    assert await storage.find_sessions_by_shop("s.myshopify.com") == []
    await storage.store_session(Session("good", shop="s.myshopify.com"))
    assert [s.id for s in await storage.find_sessions_by_shop("s.myshopify.com")] == ["good"]


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_a_directory_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    with pytest.raises(SessionStorageError, match="writable by group or others") as info:
        FileSessionStorage(shared)
    assert info.value.code == "INVALID_ARGUMENT"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a directory away")
def test_a_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, 54321, 54321)
    with pytest.raises(SessionStorageError, match="owned by user 54321") as info:
        FileSessionStorage(theirs)
    assert info.value.code == "INVALID_ARGUMENT"


async def test_links_inside_the_directory_are_never_followed(tmp_path: Path) -> None:
    directory, outside = tmp_path / "store", tmp_path / "outside"
    outside.mkdir()
    storage = FileSessionStorage(directory)
    await storage.store_session(Session("victim", shop="link.myshopify.com", access_token="mine"))
    # A session file replaced by a link to an attacker's session: refused, never loaded.
    (file,) = (directory / "sessions").iterdir()
    planted = outside / "attacker.json"
    planted.write_text(Session("victim", shop="link.myshopify.com", access_token="stolen").to_json())
    file.unlink()
    file.symlink_to(planted)
    with pytest.raises(SessionStorageError, match="symbolic link") as info:
        await storage.load_session("victim")
    assert info.value.code == "STORAGE_IO" and "stolen" not in str(info.value)
    assert await storage.find_sessions_by_shop("link.myshopify.com") == [], "find skips it"
    # A link planted at a shop's index folder: replaced, nothing written through it.
    (marker,) = (directory / "shops").iterdir()
    for entry in marker.iterdir():
        entry.unlink()
    marker.rmdir()
    marker.symlink_to(outside)
    await storage.store_session(Session("victim", shop="link.myshopify.com", access_token="mine"))
    assert [p.name for p in outside.iterdir()] == ["attacker.json"]
    loaded = await storage.load_session("victim")
    assert loaded is not None and loaded.access_token == "mine"


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


def _bytes_read() -> int | None:
    """Bytes this process has read through read(2) and its kin so far (Linux; None elsewhere)."""
    try:
        text = Path("/proc/self/io").read_text()
    except OSError:
        return None
    return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("rchar:"))


async def test_a_find_reads_only_the_files_of_its_shop(tmp_path: Path) -> None:
    if _bytes_read() is None:
        pytest.skip("no /proc/self/io here")
    storage = FileSessionStorage(tmp_path / "store")
    # 200 sessions of other shops, 64 KB each: 13 MB a walk over every file would read.
    big = "x" * 64 * 1024
    for i in range(200):
        await storage.store_session(Session(f"other-{i}", shop=f"other-{i % 20}.myshopify.com", data={"big": big}))
    for i in range(3):
        await storage.store_session(Session(f"mine-{i}", shop="mine.myshopify.com"))
    before = _bytes_read()
    found = await storage.find_sessions_by_shop("mine.myshopify.com")
    read = (_bytes_read() or 0) - (before or 0)
    assert [s.id for s in found] == ["mine-0", "mine-1", "mine-2"]
    assert read < 1_000_000, f"the find read {read} bytes: other shops' files were read"
