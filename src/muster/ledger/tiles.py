"""C2SP tlog-tiles layout: the ledger as static files anyone can verify offline.

A directory holds `checkpoint` (the signed note), hash tiles `tile/<L>/<N>[.p/<W>]` and entry
bundles `tile/entries/<N>[.p/<W>]` (c2sp.org/tlog-tiles). Tiles are 8 levels high: a level-L
tile holds up to 256 hashes of Merkle level 8·L, so a level-0 tile holds leaf hashes and a
level-1 tile the roots of complete 256-leaf subtrees. `<N>` is written in 3-digit groups,
all but the last prefixed with `x` (1234067 is `x001/x234/067`); the rightmost tile of a
level may be partial, `.p/<W>` giving its width. A bundle is each entry as a big-endian
uint16 length followed by its bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from muster.errors import MusterError
from muster.ledger import merkle, note

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 0xFFFF
ENTRIES = -1  # the "level" of entry bundles in a parsed path
_GROUP = re.compile(r"x?[0-9]{3}")


class TileError(MusterError):
    """Root of the errors about tiles and entry bundles; never raised itself."""


class EntryTooLargeError(TileError):
    """Raised when an entry is too long for a tlog-tiles entry bundle (over 65,535 bytes)."""

    def __init__(self, index: int, length: int) -> None:
        self.index, self.length = index, length
        super().__init__(
            f"ledger entry {index} is {length:,} bytes; a tlog-tiles entry bundle holds "
            f"entries of at most {MAX_ENTRY_SIZE:,} bytes, so the ledger cannot be exported"
        )


class TileFormatError(TileError):
    """Raised when an exported directory's entry bundles cannot be read."""


def index_path(index: int) -> str:
    """A tile index in 3-digit groups: 1234067 -> `x001/x234/067`."""
    if index < 0:
        raise ValueError(f"tile index {index}: expected 0 or more")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path of a hash tile (`level` >= 0) or entry bundle (`level` == ENTRIES)."""
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"tile width {width}: expected 1..{TILE_WIDTH}")
    if not ENTRIES <= level <= 63:
        raise ValueError(f"tile level {level}: expected 0..63")
    name = "entries" if level == ENTRIES else str(level)
    partial = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{name}/{index_path(index)}{partial}"


def parse_tile_path(path: str) -> tuple[int, int, int] | None:
    """(level, index, width) of a canonical tile or bundle path, ENTRIES as the bundles' level."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        return None
    level = ENTRIES if parts[1] == "entries" else _decimal(parts[1])
    rest = parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width = _decimal(rest[-1]) or 0
        rest = [*rest[:-2], rest[-2][:-2]]
    if level is None or not rest or not all(_GROUP.fullmatch(g) for g in rest):
        return None
    index = int("".join(g.lstrip("x") for g in rest))
    try:
        canonical = tile_path(level, index, width)
    except ValueError:
        return None
    return (level, index, width) if canonical == path else None


def _decimal(text: str) -> int | None:
    return int(text) if re.fullmatch(r"0|[1-9][0-9]*", text) else None


def tiles_for(size: int) -> Iterator[tuple[int, int, int]]:
    """Every hash tile (level, index, width) of a tree of `size` leaves, level by level."""
    level = 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        yield from ((level, n, TILE_WIDTH) for n in range(count >> TILE_HEIGHT))
        if count % TILE_WIDTH:
            yield level, count >> TILE_HEIGHT, count % TILE_WIDTH
        level += 1


def bundles_for(size: int) -> Iterator[tuple[int, int]]:
    """Every entry bundle (index, width) of a log of `size` entries."""
    return ((n, w) for level, n, w in tiles_for(size) if level == 0)


def tile_keys(level: int, index: int, width: int) -> list[tuple[int, int]]:
    """The Merkle nodes (level, index) whose hashes a tile holds, in order."""
    start = index * TILE_WIDTH
    return [(TILE_HEIGHT * level, start + i) for i in range(width)]


def encode_bundle(entries: Iterable[bytes], first: int = 0) -> bytes:
    """Entries as a bundle: each a big-endian uint16 length, then its bytes.

    `first` is the log position of the first entry, for the error naming one too long.
    """
    out = bytearray()
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise EntryTooLargeError(first + i, len(entry))
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes, path: str) -> list[bytes]:
    """The entries of a bundle; TileFormatError naming `path` when it is cut short."""
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileFormatError(f"{path}: cut short inside the length of entry {len(entries)}")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            raise TileFormatError(
                f"{path}: entry {len(entries)} is {length} bytes long, only "
                f"{len(data) - pos - 2} remain"
            )
        entries.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    return entries


def write_tiles(
    out_dir: Path,
    entries: Iterable[bytes],
    size: int,
    reader: merkle.NodeReader,
    checkpoint_note: str,
) -> None:
    """Write the checkpoint, entry bundles and hash tiles of the first `size` entries."""
    data = list(entries)
    if len(data) != size:
        raise ValueError(f"{len(data)} entries given for a tree of {size}")
    for i, entry in enumerate(data):
        if len(entry) > MAX_ENTRY_SIZE:
            raise EntryTooLargeError(i, len(entry))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "checkpoint").write_bytes(checkpoint_note.encode())
    for index, width in bundles_for(size):
        start = index * TILE_WIDTH
        bundle = encode_bundle(data[start : start + width], start)
        _write(out_dir, tile_path(ENTRIES, index, width), bundle)
    for level, index, width in tiles_for(size):
        keys = tile_keys(level, index, width)
        hashes = merkle.read_nodes(reader, keys)
        _write(out_dir, tile_path(level, index, width), b"".join(hashes[k] for k in keys))


def _write(out_dir: Path, relative: str, data: bytes) -> None:
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read_checkpoint(directory: Path) -> str | None:
    path = directory / "checkpoint"
    return path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else None


def checkpoint_size(text: str | None) -> int | None:
    """The tree size a checkpoint note states, unverified; None when it does not parse."""
    if text is None or (split := text.rfind("\n\n")) < 0:
        return None
    try:
        return note.parse_checkpoint(text[: split + 1]).size
    except note.CheckpointFormatError:
        return None


def _found(directory: Path) -> dict[str, tuple[int, int, int] | None]:
    """Every file under tile/, by relative path, with its parsed tile coordinates."""
    root = directory / "tile"
    if not root.is_dir():
        return {}
    found: dict[str, tuple[int, int, int] | None] = {}
    for path in root.rglob("*"):
        if path.is_file():
            relative = path.relative_to(directory).as_posix()
            found[relative] = parse_tile_path(relative)
    return found


def read_tiles(directory: Path) -> tuple[str | None, list[bytes]]:
    """The checkpoint text (None when missing) and the entries its tree size covers.

    Without a readable checkpoint, every bundle present is read, in order. The size is read
    from the checkpoint unverified: a verifier checks the checkpoint's signature first and
    reads the entries with `read_bundles`.
    """
    text = _read_checkpoint(directory)
    size = checkpoint_size(text)
    if size is None:
        size = listed_size(directory)
    entries, problems = read_bundles(directory, size)
    if problems:
        raise TileFormatError(problems[0])
    return text, entries


def read_bundles(directory: Path, size: int) -> tuple[list[bytes], list[str]]:
    """The entries of a log of `size` entries, read from its bundles, and what is wrong with
    each bundle that is missing, damaged or of the wrong width.

    The entries stop before the first bad bundle: those after it have no place in the tree.
    """
    entries: list[bytes] = []
    problems: list[str] = []
    for index, width in bundles_for(size):
        relative = tile_path(ENTRIES, index, width)
        path = directory / relative
        first = index * TILE_WIDTH
        if not path.is_file():
            problems.append(
                f"{relative}: missing; the log holds {size} entries and this bundle "
                f"holds entries {first} to {first + width - 1}"
            )
            continue
        try:
            bundle = decode_bundle(path.read_bytes(), relative)
        except TileFormatError as err:
            problems.append(str(err))
            continue
        if len(bundle) != width:
            problems.append(f"{relative}: holds {len(bundle)} entries; expected {width}")
        elif not problems:
            entries.extend(bundle)
    return entries, problems


def listed_size(directory: Path) -> int:
    """The entries the bundles present add up to: full bundles from 0, then a partial."""
    found = _found(directory)
    full = {t[1] for t in found.values() if t and t[0] == ENTRIES and t[2] == TILE_WIDTH}
    count = 0
    while count in full:
        count += 1
    partial = [t[2] for t in found.values() if t and t[0] == ENTRIES and t[1] == count]
    return count * TILE_WIDTH + max(partial, default=0)


def check_tiles(
    directory: Path, entries: list[bytes], tree: merkle.MemoryNodes | None = None
) -> list[str]:
    """Problems with the hash tiles and bundles against the entries, each naming its path.

    The tree is rebuilt from the entries (`tree`: the caller's, when it has built it already);
    every tile the log needs must be present, and every file under tile/ must agree with the
    tree and lie within it. The checkpoint's signature and root are for the caller to check
    (`note.open_note`, `merkle.root`).
    """
    if tree is None:
        tree = merkle.MemoryNodes(merkle.leaf_hash(e) for e in entries)
    size = tree.size
    problems: list[str] = []
    stated = checkpoint_size(_read_checkpoint(directory))
    if stated is not None and stated != size:
        problems.append(f"checkpoint: states {stated} entries, the entry bundles hold {size}")
    found = _found(directory)
    for level, index, width in tiles_for(size):
        relative = tile_path(level, index, width)
        if relative not in found:
            problems.append(f"{relative}: missing")
    for relative, coords in sorted(found.items()):
        problem = _check_file(directory / relative, relative, coords, tree, entries)
        if problem:
            problems.append(problem)
    return problems


def _check_file(
    path: Path,
    relative: str,
    coords: tuple[int, int, int] | None,
    tree: merkle.MemoryNodes,
    entries: list[bytes],
) -> str | None:
    """What is wrong with one file under tile/, or None."""
    if coords is None:
        return f"{relative}: not a tlog-tiles path"
    level, index, width = coords
    height = 0 if level == ENTRIES else TILE_HEIGHT * level
    if (index * TILE_WIDTH + width) << height > tree.size:
        return f"{relative}: beyond the {tree.size} entries of the log"
    data = path.read_bytes()
    if level == ENTRIES:
        start = index * TILE_WIDTH
        try:
            bundle = decode_bundle(data, relative)
        except TileFormatError as err:
            return str(err)
        if bundle != entries[start : start + width]:
            return f"{relative}: its entries differ from those the checkpoint covers"
        return None
    if len(data) != width * merkle.HASH_SIZE:
        return f"{relative}: {len(data)} bytes; a tile of {width} hashes has {width * 32}"
    for i, key in enumerate(tile_keys(level, index, width)):
        if data[i * 32 : (i + 1) * 32] != tree.node(*key):
            return f"{relative}: hash {i} does not match the entries"
    return None
