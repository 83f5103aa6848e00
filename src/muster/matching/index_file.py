"""The saved index: a `.npz` of its columns and keys beside a `.json` manifest with its digest.

Loaded with `allow_pickle=False` (nothing in it can run code) and refused unless its SHA-256
digest matches the manifest's. The same roll always gives the same bytes: the frequency tables
are written with their keys sorted, the attributes by name, and each array's zip entry with one
fixed date.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from muster.errors import MusterError
from muster.matching.columns import Distinct, MemberColumns, Strings, attribute_column
from muster.matching.filing import KeyTable
from muster.matching.frequencies import NameFrequencies

FORMAT = "muster-match-index"
VERSION = 4  # 3: given names filed by `spoken_key`; 4: other identifying attributes
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the date of every entry: the file says nothing of when

Array = npt.NDArray[Any]


class IndexFileError(MusterError):
    """Raised when a saved index is missing, altered or of another format."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"match index {path}: {why}; build it again with `muster match --save-index`"
        )


def save_index(columns: MemberColumns, table: KeyTable, freq: NameFrequencies, path: Path) -> None:
    """Write an index's parts to `path` (.npz) and its manifest `path.with_suffix('.json')`
    with the digest."""
    table.merge_overlay()
    data = _npz(_arrays(columns, table, freq))
    path.write_bytes(data)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "members": columns.n,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    path.with_suffix(".json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))


def _arrays(columns: MemberColumns, table: KeyTable, freq: NameFrequencies) -> dict[str, Array]:
    n = columns.n
    frequencies = {
        "surnames": freq.surnames,
        "given": freq.given,
        "initials": freq.initials,
        "people": freq.people,
    }
    arrays: dict[str, Array] = {
        "bucket_keys": table.bucket_keys,
        "starts": table.starts,
        "ids": table.ids,
        "odd": np.array(sorted(columns.odd), dtype=np.int64),
        "given_bloom": columns.given_bloom,
        "surname_bloom": columns.surname_bloom,
        "frequencies": np.frombuffer(
            orjson.dumps(frequencies, option=orjson.OPT_SORT_KEYS), dtype=np.uint8
        ),
    }
    for name, _ in MemberColumns.NUMERIC:
        arrays[name] = columns.cols[name][:n]
    names = sorted(columns.attributes)
    if names:  # the names, and each attribute's values and id column by its position
        arrays["attribute_names_blob"], arrays["attribute_names_offsets"] = Strings.of(
            names
        ).arrays()
        for i, name in enumerate(names):
            distinct = columns.attributes[name].strings
            arrays[f"attribute{i}_blob"], arrays[f"attribute{i}_offsets"] = distinct.arrays()
            arrays[f"attribute{i}_ids"] = columns.cols[attribute_column(name)][:n]
    tables: dict[str, Strings | None] = {
        "serials": columns.serials,
        "keys": columns.keys,
        "national_ids": columns.national_ids,
        "given": columns.given.strings,
        "surnames": columns.surnames.strings,
        "births": columns.births.strings,
        "sexes": columns.sexes.strings,
    }
    for name, strings in tables.items():
        if strings is not None:
            arrays[f"{name}_blob"], arrays[f"{name}_offsets"] = strings.arrays()
    return arrays


def _npz(arrays: dict[str, Array]) -> bytes:
    """The arrays as `numpy.savez` writes them, but every zip entry of one fixed date."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            entry.external_attr = 0o600 << 16
            with archive.open(entry, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def _read(path: Path) -> bytes:
    """The saved index's bytes, refused if its manifest or digest does not match."""
    manifest_path = path.with_suffix(".json")
    if manifest_path == path:
        raise IndexFileError(path, "this is the manifest: give the .npz file beside it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexFileError(path, "no such file") from None
    except OSError as err:
        raise IndexFileError(path, f"cannot read it ({err.strerror or err})") from None
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
    except FileNotFoundError:
        raise IndexFileError(path, f"its manifest {manifest_path} is missing") from None
    except (OSError, orjson.JSONDecodeError) as err:
        raise IndexFileError(path, f"cannot read its manifest {manifest_path} ({err})") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != VERSION
    ):
        raise IndexFileError(path, "not a Muster match index of this version")
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise IndexFileError(path, "SHA-256 digest does not match its manifest")
    return data


def load_index(path: Path) -> tuple[MemberColumns, KeyTable, NameFrequencies]:
    """An index's parts from the file `save_index` wrote (digest checked)."""
    data = _read(path)
    columns, table = MemberColumns(), KeyTable()
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        del data
        table.bucket_keys = arrays["bucket_keys"].astype(np.uint64)
        table.starts = arrays["starts"].astype(np.int64)
        table.ids = arrays["ids"].astype(np.int32)
        columns.given_bloom = arrays["given_bloom"].astype(np.uint64)
        columns.surname_bloom = arrays["surname_bloom"].astype(np.uint64)
        for name, dtype in MemberColumns.NUMERIC:
            columns.cols[name] = arrays[name].astype(dtype)
        columns.n = len(columns.cols["born"])
        columns.derive()

        def strings(name: str) -> Strings:
            return Strings.from_arrays(arrays[f"{name}_blob"], arrays[f"{name}_offsets"])

        columns.serials = strings("serials")
        columns.keys = strings("keys") if "keys_blob" in arrays.files else None
        columns.national_ids = strings("national_ids")
        columns.given = Distinct(strings("given"))
        columns.surnames = Distinct(strings("surnames"))
        columns.births = Distinct(strings("births"))
        columns.sexes = Distinct(strings("sexes"))
        if "attribute_names_blob" in arrays.files:
            for i, name in enumerate(strings("attribute_names").values()):
                columns.attributes[name] = Distinct(strings(f"attribute{i}"))
                ids = arrays[f"attribute{i}_ids"].astype(np.int32)
                columns.cols[attribute_column(name)] = ids
        odd = arrays["odd"].tolist()
        freq = orjson.loads(arrays["frequencies"].tobytes())
    frequencies = NameFrequencies(
        Counter(freq["surnames"]), Counter(freq["given"]), Counter(freq["initials"]),
        int(freq["people"]),
    )  # fmt: skip
    for row in odd:
        columns.odd_name(int(row))
    return columns, table, frequencies
