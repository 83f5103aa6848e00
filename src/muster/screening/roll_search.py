"""Searching the roll as the matcher finds people: a name misspelt, without its accents, in
either order or as a machine-readable zone writes it (`GONZALEZ<<MARIA<JOSE`), a cédula in
any form (one with two digits swapped too), a serial number (current or former), a birth date.

One box of text is read into the parts the matcher compares (`read_query`); the name words,
whose split between given names and surnames a person typing does not say, are tried at each
split and in both orders (`name_readings`), and each person keeps the best reading's score and
evidence. A serial number or cédula typed whole finds its person exactly; the words of the name
as the registry keeps them (`reading.search_people`) find what is typed as a part of a word,
and everything while the server is still indexing the roll.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from muster.domain import numbers
from muster.domain.errors import AmbiguousSubjectError, NotFoundError
from muster.domain.national_id import looks_like_national_id
from muster.domain.roll import PersonState
from muster.matching import Evidence, MatchResult, Member, Traveler
from muster.registry import reading, standing
from muster.screening.identify import RollMatcher

LIMIT = 25  # people shown for one search
# A date as people write a birth date, with its separators (eight digits alone are a cédula).
_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$")
NUMBER_DIGITS = 3  # a word with this many digits is a number (a zone's OCR 0 for O is one)


@dataclass(frozen=True)
class SearchQuery:
    """What a search box holds, read into what the matcher compares."""

    text: str
    names: str = ""  # the name words as typed (a zone's name field as it is)
    zone: bool = False  # written as a machine-readable zone (`<` between the words)
    numbers: tuple[str, ...] = ()  # serial numbers or cédulas
    birth_date: str = ""

    @property
    def cedula(self) -> str:
        """The first number that can be a cédula, for the matcher to compare."""
        return next((n for n in self.numbers if looks_like_national_id(n)), "")

    @property
    def empty(self) -> bool:
        return not (self.names or self.numbers or self.birth_date)


def read_query(text: str) -> SearchQuery:
    """The parts of a search: name words, numbers (a word with digits), a birth date."""
    text = " ".join(text.split())
    if "<" in text:
        return SearchQuery(text, names=text, zone=True)
    words: list[str] = []
    found: list[str] = []
    born = ""
    for token in text.replace(",", " , ").split():
        if _DATE.match(token) and not born:
            born = token
        elif sum(c.isdigit() for c in token) >= NUMBER_DIGITS:
            found.append(token)
        else:
            words.append(token)
    names = " ".join(words).replace(" , ", ", ").strip(" ,")
    return SearchQuery(text, names=names, numbers=tuple(found), birth_date=born)


def name_readings(query: SearchQuery) -> list[tuple[str, str]]:
    """The (given names, surnames) the name words may be: a zone's name field as it is; words
    with a comma as `SURNAMES, GIVEN NAMES`; otherwise every split, in both orders."""
    if query.zone:
        return [("", query.names)]
    if "," in query.names:
        surnames, _, given = query.names.partition(",")
        if given.strip() and surnames.strip():
            return [(given.strip(), surnames.strip())]
    words = query.names.replace(",", " ").split()
    readings: list[tuple[str, str]] = []
    for k in range(1, len(words)):
        first, rest = " ".join(words[:k]), " ".join(words[k:])
        for reading_ in ((first, rest), (rest, first)):
            if reading_ not in readings:
                readings.append(reading_)
    return readings


@dataclass(frozen=True)
class Found:
    """One person a search found: how (the matcher's score and evidence, or a number typed
    whole, or the words of the name), and who they are on the day searched."""

    person_id: int
    person: dict[str, Any]  # identity and service record; `status` None: not on the roll
    score: float | None = None  # the matcher's calibrated score; None: found by words only
    evidence: tuple[Evidence, ...] = ()
    by_number: str = ""  # "serial number", "former serial number" or "cédula", typed whole
    number: str = ""


@dataclass(frozen=True)
class RollSearch:
    """A search's answer, best first."""

    query: SearchQuery
    found: list[Found] = field(default_factory=list)
    indexed: bool = True  # False: the roll was still being indexed (found by words only)
    more: bool = False  # more people would have been found than shown


def search_roll(
    conn: Connection,
    matcher: RollMatcher | None,
    text: str,
    day: date,
    limit: int = LIMIT,
) -> RollSearch:
    """The people of the roll a search's text may name, best first, as they stand on `day`.
    `matcher`: the roll's index, brought up to `day` by the caller (`RollMatcher.refresh`,
    where the screenings write it); None (not built yet): numbers and name words only."""
    query = read_query(text)
    if query.empty:
        return RollSearch(query, indexed=matcher is not None)
    hits: dict[int, tuple[float | None, tuple[Evidence, ...], str, str]] = {}
    for number in query.numbers:
        try:
            pid = reading.find_person(conn, number)
        except (NotFoundError, AmbiguousSubjectError):
            continue  # not a number of the roll's, or a serial number of several (by cédula)
        hits.setdefault(pid, (1.0, (), "number", number))
    if matcher is not None:
        for pid, score, evidence in _matched(conn, matcher, query, limit):
            if pid in hits:  # typed whole: found exactly, the matcher's reasons beside
                exact, _, how, number = hits[pid]
                hits[pid] = (exact, evidence, how, number)
            else:
                hits[pid] = (score, evidence, "", "")
    if len(query.names.split()) and not query.zone:
        words = query.names.replace(",", " ")
        for person in reading.search_people(conn, words, day, limit):
            hits.setdefault(int(person["person_id"]), (None, (), "", ""))
    states = _states(conn, list(hits), day)
    found = [
        _found(pid, states[pid], score, evidence, number)
        for pid, (score, evidence, _how, number) in hits.items()
        if pid in states
    ]
    found.sort(key=_rank(len(query.names.replace(",", " ").split())))
    return RollSearch(query, found[:limit], matcher is not None, len(found) > limit)


def _matched(
    conn: Connection, matcher: RollMatcher, query: SearchQuery, limit: int
) -> list[tuple[int, float, tuple[Evidence, ...]]]:
    """Each person the matcher finds for some reading of the query, with their best score;
    when its keys find nobody, the people whose name is the query's words with one of them
    slipped by a letter, compared by the matcher."""
    readings = name_readings(query)
    if not readings and (query.cedula or query.birth_date):
        readings = [("", "")]  # a cédula or a birth date alone
    found = _best(readings, query, lambda t: matcher.search(t, limit))
    if not found and len(readings) > 1 and not query.zone:
        near = [
            Member.from_roll_row(row, str(row["person_id"]), row["former_serials"])
            for row in reading.people_near_words(conn, query.names, 4 * limit)
        ]
        if near:
            found = _best(readings, query, lambda t: matcher.compare_members(t, near, limit))
    return found


def _best(
    readings: list[tuple[str, str]],
    query: SearchQuery,
    search: Callable[[Traveler], MatchResult],
) -> list[tuple[int, float, tuple[Evidence, ...]]]:
    """Each person found for some reading, with the best reading's score and evidence."""
    best: dict[int, tuple[float, tuple[Evidence, ...]]] = {}
    for given, surnames in readings:
        traveler = Traveler(given, surnames, query.birth_date, query.cedula)
        for candidate in search(traveler).candidates:
            if not any(e.weight > 0 for e in candidate.evidence):
                continue  # nothing agrees: a stranger sharing only a common key
            pid = int(candidate.key)
            if pid not in best or candidate.score > best[pid][0]:
                best[pid] = (candidate.score, candidate.evidence)
    return [(pid, score, evidence) for pid, (score, evidence) in best.items()]


def _states(conn: Connection, person_ids: list[int], day: date) -> dict[int, tuple[Any, bool]]:
    """Each person's state on `day` and whether they are on the roll that day (someone
    enlisted later: the state they enlist with)."""
    on_day = standing.states_on(conn, person_ids, day)
    later = [pid for pid, state in on_day.items() if state is None]
    first = standing.states_on(conn, later, day, or_first=True) if later else {}
    out: dict[int, tuple[Any, bool]] = {}
    for pid in person_ids:
        state = on_day.get(pid) or first.get(pid)
        if state is not None:
            out[pid] = (state, on_day.get(pid) is not None)
    return out


def _found(
    pid: int,
    state_on_roll: tuple[PersonState, bool],
    score: float | None,
    evidence: tuple[Evidence, ...],
    number: str,
) -> Found:
    state, on_roll = state_on_roll
    person = reading.state_json(state)
    if not on_roll:
        person["status"] = None
    by_number = ""
    if number:
        key = numbers.fold(number.strip())
        if state.serial_number and numbers.fold(state.serial_number) == key:
            by_number = "serial number"
        elif key in {numbers.fold(s) for s in state.former_serial_numbers}:
            by_number = "former serial number"
        else:
            by_number = "cédula"
    return Found(pid, person, score, evidence, by_number, number)


def _rank(words: int) -> Callable[[Found], tuple[float, float, int, str, str, int]]:
    """Best first: a number typed whole, then by score, then the words of the name alone.
    Of one score (the calibrated scores come in steps), the stronger evidence first, then the
    name as long as the one typed (`ALBERTO LÓPEZ` before `ALBERTO OSCAR LÓPEZ BLANCO`, whose
    other words were not shown), then by name."""

    def rank(f: Found) -> tuple[float, float, int, str, str, int]:
        score = 2.0 if f.by_number else (-1.0 if f.score is None else f.score)
        weight = sum(e.weight for e in f.evidence)
        named = len(f"{f.person['given_names']} {f.person['surnames']}".split())
        return (
            -score,
            -round(weight, 1),
            abs(named - words),
            f.person["surnames"],
            f.person["given_names"],
            f.person_id,
        )

    return rank
