"""The root of every error Muster reports to a person."""


class MusterError(Exception):
    """Root of every error Muster reports to a person; the message says what failed and why."""


def with_article(word: str) -> str:
    """`word` after "a" or "an" ("an absence", "a strike-off"), for messages.

    Chosen by the first letter, which is right for the words Muster puts there: order kinds,
    roles and statuses."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
