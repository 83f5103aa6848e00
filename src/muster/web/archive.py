"""A directory as a zip archive made while it is sent: the bytes go out as each block is
compressed, so a large ledger export never waits whole in memory nor in a second file."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

BLOCK = 1 << 20  # bytes read from a file at a time


class Sink:
    """Where the zip writer writes: taken away in pieces as they come. It has no `tell`, so
    the writer treats it as the stream it is (each member followed by its data descriptor)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_chunks(src: Path, top: str) -> Iterator[bytes]:
    """The files under `src`, compressed into a zip under the folder `top`, in pieces."""
    sink = Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        for path in sorted(src.rglob("*")):
            if not path.is_file():
                continue
            member = zipfile.ZipInfo.from_file(path, f"{top}/{path.relative_to(src).as_posix()}")
            member.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as source, archive.open(member, "w") as dest:
                while block := source.read(BLOCK):
                    dest.write(block)
                    if sink.parts:
                        yield sink.take()
            if sink.parts:
                yield sink.take()
    if sink.parts:  # the central directory, written as the archive closes
        yield sink.take()
