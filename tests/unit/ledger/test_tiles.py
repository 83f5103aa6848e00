"""C2SP tlog-tiles export: paths, tile contents, round trip, and tampering found."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muster.errors import MusterError
from muster.ledger import merkle, note, signing, tiles

ORIGIN = "muster.test/tiles"
KEY = signing.generate_private_key()


def entries_for(size: int) -> list[bytes]:
    return [b'{"entry":%d}' % i for i in range(size)]


@cache
def tree_for(size: int) -> merkle.MemoryNodes:
    return merkle.MemoryNodes(merkle.leaf_hash(e) for e in entries_for(size))


def checkpoint_for(size: int) -> str:
    cp = note.Checkpoint(ORIGIN, size, merkle.root(size, tree_for(size)))
    return note.sign_note(note.format_checkpoint(cp), ORIGIN, KEY)


def export(out: Path, size: int) -> Path:
    tiles.write_tiles(out, entries_for(size), size, tree_for(size), checkpoint_for(size))
    return out


def naive_root(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return merkle.node_hash(naive_root(hashes[:k]), naive_root(hashes[k:]))


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_index_paths(index: int, path: str) -> None:
    assert tiles.index_path(index) == path


def test_tile_paths() -> None:
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(1, 0, 17) == "tile/1/000.p/17"
    assert tiles.tile_path(tiles.ENTRIES, 1000, 5) == "tile/entries/x001/000.p/5"
    assert tiles.parse_tile_path("tile/entries/x001/000.p/5") == (tiles.ENTRIES, 1000, 5)
    assert tiles.parse_tile_path("tile/2/x001/x234/067") == (2, 1234067, 256)
    with pytest.raises(ValueError):
        tiles.tile_path(0, 0, 0)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/x000/005",
        "tile/0/5",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/07",
        "tile/0/x001",
        "tile/0/001/002",
        "tile/0/000.p",
        "tile/data/000",
        "tiles/0/000",
        "tile/0/000/",
    ],
)
def test_non_canonical_paths_are_not_tiles(path: str) -> None:
    assert tiles.parse_tile_path(path) is None


@given(st.integers(-1, 63), st.integers(0, 10**12), st.integers(1, 256))
def test_paths_round_trip(level: int, index: int, width: int) -> None:
    assert tiles.parse_tile_path(tiles.tile_path(level, index, width)) == (level, index, width)


def test_tiles_of_the_spec_examples() -> None:
    # c2sp.org/tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial level-0
    # tile of width 112, one full level-1 tile, a partial level-1 tile of width 17 and a
    # partial level-2 tile of width 1; a tree of 256, a full level-0 tile and a partial
    # level-1 tile of width 1.
    found = list(tiles.tiles_for(70000))
    assert found == [
        *[(0, n, 256) for n in range(273)],
        (0, 273, 112),
        (1, 0, 256),
        (1, 1, 17),
        (2, 0, 1),
    ]
    assert list(tiles.tiles_for(256)) == [(0, 0, 256), (1, 0, 1)]
    assert list(tiles.tiles_for(0)) == []
    assert list(tiles.bundles_for(70000))[-2:] == [(272, 256), (273, 112)]


def test_bundle_encoding() -> None:
    assert tiles.encode_bundle([b"", b"ab", b"\x00" * 300]) == (
        b"\x00\x00" + b"\x00\x02ab" + b"\x01\x2c" + b"\x00" * 300
    )
    assert tiles.decode_bundle(tiles.encode_bundle([b"", b"ab"]), "p") == [b"", b"ab"]
    with pytest.raises(tiles.TileFormatError, match="p: cut short"):
        tiles.decode_bundle(b"\x00\x02ab\x00", "p")
    with pytest.raises(tiles.TileFormatError, match="p: entry 1 is 3 bytes long"):
        tiles.decode_bundle(b"\x00\x00\x00\x03ab", "p")


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 600])
def test_write_then_read_round_trip(tmp_path: Path, size: int) -> None:
    out = export(tmp_path / "export", size)
    text, entries = tiles.read_tiles(out)
    assert text == checkpoint_for(size)
    assert entries == entries_for(size)
    assert tiles.check_tiles(out, entries) == []


def test_a_large_export_matches_the_spec_definition(tmp_path: Path) -> None:
    size = 70000
    out = export(tmp_path / "export", size)
    leaves = [merkle.leaf_hash(e) for e in entries_for(size)]

    def tile(path: str) -> list[bytes]:
        data = (out / path).read_bytes()
        return [data[i : i + 32] for i in range(0, len(data), 32)]

    # Level 0 holds leaf hashes; the hashes of a level-1 tile are the MTH of the full
    # level-0 tiles, and the level-2 partial tile holds MTH of the first 65,536 leaves.
    assert tile("tile/0/273.p/112") == leaves[273 * 256 :]
    level1 = tile("tile/1/000") + tile("tile/1/001.p/17")
    assert len(level1) == 273
    for n in (0, 1, 100, 272):
        assert level1[n] == naive_root(tile(tiles.tile_path(0, n)))
    assert tile("tile/2/000.p/1") == [naive_root(leaves[:65536])]
    assert naive_root(tile("tile/1/000")) == tile("tile/2/000.p/1")[0]
    _text, entries = tiles.read_tiles(out)
    assert len(entries) == size
    assert tiles.check_tiles(out, entries) == []


def test_an_entry_too_long_is_refused_before_writing(tmp_path: Path) -> None:
    data = [b"a", b"x" * 65535, b"y" * 65536]
    out = tmp_path / "export"
    tree = merkle.MemoryNodes(merkle.leaf_hash(d) for d in data)
    with pytest.raises(tiles.EntryTooLargeError, match="entry 2 is 65,536 bytes") as caught:
        tiles.write_tiles(out, data, 3, tree, "unused")
    assert isinstance(caught.value, MusterError)
    assert not (out / "checkpoint").exists()
    tiles.write_tiles(out, data[:2], 2, tree, "unused")
    assert tiles.read_tiles(out)[1] == data[:2]


def test_a_tampered_tile_is_named(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 600)
    path = out / "tile/0/001"
    data = bytearray(path.read_bytes())
    data[32 * 7] ^= 1
    path.write_bytes(bytes(data))
    problems = tiles.check_tiles(out, tiles.read_tiles(out)[1])
    assert problems == ["tile/0/001: hash 7 does not match the entries"]


def test_a_tampered_entry_shows_in_its_tile(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 300)
    path = out / "tile/entries/001.p/44"
    bundle = tiles.decode_bundle(path.read_bytes(), "")
    bundle[3] = b'{"entry":999}'
    path.write_bytes(tiles.encode_bundle(bundle))
    problems = tiles.check_tiles(out, tiles.read_tiles(out)[1])
    assert "tile/0/001.p/44: hash 3 does not match the entries" in problems
    assert "tile/1/000.p/1: hash 0 does not match the entries" not in problems  # full tile only


def test_missing_short_and_stray_tiles_are_named(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 600)
    (out / "tile/1/000.p/2").unlink()
    (out / "tile/0/000").write_bytes(b"\x00" * 31)
    (out / "tile/0/notatile").write_bytes(b"")
    (out / "tile/0/005").write_bytes(b"\x00" * 8192)
    problems = tiles.check_tiles(out, tiles.read_tiles(out)[1])
    assert problems == [
        "tile/1/000.p/2: missing",
        "tile/0/000: 31 bytes; a tile of 256 hashes has 8192",
        "tile/0/005: beyond the 600 entries of the log",
        "tile/0/notatile: not a tlog-tiles path",
    ]


def test_entries_beyond_the_checkpoint_are_not_read(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 10)
    forged = [*entries_for(10), b'{"entry":"forged"}']
    (out / "tile/entries/000.p/11").write_bytes(tiles.encode_bundle(forged))
    _text, entries = tiles.read_tiles(out)
    assert entries == entries_for(10)
    assert tiles.check_tiles(out, entries) == [
        "tile/entries/000.p/11: beyond the 10 entries of the log"
    ]


def test_an_older_partial_tile_that_agrees_is_fine(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 10)
    tiles.write_tiles(tmp_path / "old", entries_for(4), 4, tree_for(10), "old")
    for relative in ("tile/0/000.p/4", "tile/entries/000.p/4"):
        (out / relative).write_bytes((tmp_path / "old" / relative).read_bytes())
    assert tiles.check_tiles(out, tiles.read_tiles(out)[1]) == []
    (out / "tile/entries/000.p/4").write_bytes(tiles.encode_bundle([b"x"] * 4))
    assert tiles.check_tiles(out, tiles.read_tiles(out)[1]) == [
        "tile/entries/000.p/4: its entries differ from those the checkpoint covers"
    ]


def test_a_missing_or_broken_bundle_is_an_error(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 300)
    (out / "tile/entries/001.p/44").unlink()
    with pytest.raises(tiles.TileFormatError, match=r"tile/entries/001.p/44: missing"):
        tiles.read_tiles(out)
    (out / "tile/entries/001.p/44").write_bytes(tiles.encode_bundle(entries_for(3)))
    with pytest.raises(tiles.TileFormatError, match="holds 3 entries; expected 44"):
        tiles.read_tiles(out)


def test_without_a_checkpoint_the_bundles_present_are_read(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 300)
    (out / "checkpoint").unlink()
    text, entries = tiles.read_tiles(out)
    assert text is None and entries == entries_for(300)
    assert tiles.check_tiles(out, entries) == []


def test_a_checkpoint_that_disagrees_with_the_entries(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 300)
    problems = tiles.check_tiles(out, entries_for(299))
    assert problems[0] == "checkpoint: states 300 entries, the entry bundles hold 299"


def test_checkpoint_size_reads_the_note_body() -> None:
    assert tiles.checkpoint_size(checkpoint_for(42)) == 42
    assert tiles.checkpoint_size("not a note") is None
    assert tiles.checkpoint_size(None) is None


def test_read_bundles_names_every_bad_bundle_and_reads_up_to_the_first(tmp_path: Path) -> None:
    out = export(tmp_path / "export", 600)
    assert tiles.read_bundles(out, 600) == (entries_for(600), [])
    (out / "tile/entries/001").unlink()
    (out / "tile/entries/002.p/88").write_bytes(b"\x00")
    entries, problems = tiles.read_bundles(out, 600)
    assert entries == entries_for(256)
    assert problems == [
        "tile/entries/001: missing; the log holds 600 entries and this bundle holds "
        "entries 256 to 511",
        "tile/entries/002.p/88: cut short inside the length of entry 0",
    ]
    assert tiles.listed_size(out) == 256
