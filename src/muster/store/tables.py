"""The registry's tables. The ledger tables are the record; every other table is a projection
rebuilt from the ledger by `muster verify`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

registry = Table(
    "registry",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("origin", String(200), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("private_key_pem", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
)

# --- the record: append-only -------------------------------------------------------------
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entry_type", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
)

subject_lists = Table(
    "subject_lists",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # zlib-compressed canonical table bytes
)

# --- projections --------------------------------------------------------------------------
authorities = Table(
    "authorities",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kinds", Text, nullable=False),  # comma-separated order kinds
    Column("components", Text, nullable=False),  # comma-separated component codes
    Column("holders", Text, nullable=False),  # JSON list of names
    Column("entry_seq", BigInteger, nullable=False),
)

authority_keys = Table(
    "authority_keys",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("authority_code", String(40), ForeignKey("authorities.code"), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("added_seq", BigInteger, nullable=False),
    Column("revoked_seq", BigInteger, nullable=True),
)

orders = Table(
    "orders",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("number", String(100), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("authority_code", String(40), nullable=False),
    Column("key_fingerprint", String(64), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("effective", Date, nullable=False),
    Column("subject_count", Integer, nullable=False),
    Column("subjects_sha256", String(64), nullable=True),
    Column("first_person_id", BigInteger, nullable=True),
    Column("category", String(20), nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_until", Date, nullable=True),
    Column("revokes", String(100), nullable=True),
    Column("revoked_by", String(100), nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("details", Text, nullable=True),  # JSON: amendment changes and previous values
    # Numbers are unique regardless of case: the folded number (`domain.numbers.fold`), and
    # 0, or n for the n-th order recorded before numbers were folded whose number differs only
    # in case from an earlier one's (kept as signed; see docs/decisions/0009).
    Column("number_key", String(300), nullable=False),
    Column("number_dup", SmallInteger, nullable=False, server_default="0"),
)
Index("ix_orders_kind", orders.c.kind)
Index("ux_orders_number_key", orders.c.number_key, orders.c.number_dup, unique=True)

roll = Table(
    "roll",
    metadata,
    Column("person_id", BigInteger, primary_key=True, autoincrement=False),
    Column("serial_number", String(40), nullable=True, unique=True),
    Column("national_id", String(16), nullable=False, unique=True),
    Column("given_names", String(200), nullable=False),
    Column("surnames", String(200), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("component", String(8), nullable=False),
    Column("rank", String(80), nullable=True),
    Column("category", String(20), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reinstated", Boolean, nullable=False),
    Column("former_serials", Text, nullable=True),  # ';'-separated, oldest first
    Column("removed_rank", String(80), nullable=True),
    Column("enlisted_seq", BigInteger, nullable=False),
    Column("enlisted_category", String(20), nullable=False),
    Column("name_key", String(400), nullable=False),  # accent- and case-folded full name
    # The folded serial number (None when struck off), and 0, or n for the n-th person
    # enlisted before serial numbers were folded whose serial number differs only in case
    # from an earlier person's.
    Column("serial_key", String(120), nullable=True),
    Column("serial_dup", SmallInteger, nullable=False, server_default="0"),
)
Index("ux_roll_serial_key", roll.c.serial_key, roll.c.serial_dup, unique=True)

# Exact identity lookups (full name and birth date) narrow by birth date first.
Index("ix_roll_birth_date", roll.c.birth_date)
# The counts of a day count everyone without periods by enlistment, component, status and
# category from this index alone, without reading the roll's rows (`standing.counts_on`).
Index(
    "ix_roll_enlisted_component_status_category",
    roll.c.enlisted_seq,
    roll.c.component,
    roll.c.status,
    roll.c.category,
)

former_serials = Table(
    "former_serials",
    metadata,
    Column("serial_number", String(40), primary_key=True),
    Column("person_id", BigInteger, nullable=False),
    Column("serial_key", String(120), nullable=False),  # folded, as roll.serial_key
)
Index("ix_former_serials_serial_key", former_serials.c.serial_key)

order_subjects = Table(
    "order_subjects",
    metadata,
    Column("order_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("person_id", BigInteger, primary_key=True, autoincrement=False),
    Column("ref", String(60), nullable=False),
)
Index("ix_order_subjects_person", order_subjects.c.person_id)

# A person's state over time, for everyone an order other than their enlistment has named:
# one row per span over which it holds, from `valid_from` until the day before `valid_until`
# (null: open). A person with no rows holds their enlisted state from their enlistment's
# effective date on. Readers of "the status on day D" read the row that holds on D.
person_periods = Table(
    "person_periods",
    metadata,
    Column("person_id", BigInteger, primary_key=True, autoincrement=False),
    Column("valid_from", Date, primary_key=True),
    Column("valid_until", Date, nullable=True),
    Column("opened_by", BigInteger, nullable=False),  # the order's ledger position
    Column("serial_number", String(40), nullable=True),
    Column("national_id", String(16), nullable=False),
    Column("given_names", String(200), nullable=False),
    Column("surnames", String(200), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("component", String(8), nullable=False),
    Column("rank", String(80), nullable=True),
    Column("category", String(20), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reinstated", Boolean, nullable=False),
    Column("former_serials", Text, nullable=True),
    Column("removed_rank", String(80), nullable=True),
    Column("name_key", String(400), nullable=False),
)
# The people whose state changes between two days (a saved index catching up with the date).
Index("ix_person_periods_valid_from", person_periods.c.valid_from)

PROJECTIONS = (
    authorities,
    authority_keys,
    orders,
    roll,
    former_serials,
    order_subjects,
    person_periods,
)

# --- accounts, posts, crossings (the screening service) -----------------------------------
posts = Table(
    "posts",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("state", String(80), nullable=False),
    Column("neighbour_country", String(80), nullable=False),
    Column("status", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("authority_code", String(40), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(80), nullable=False),
)

user_posts = Table(
    "user_posts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("post_code", String(8), ForeignKey("posts.code"), primary_key=True),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # "token" (machines) or "session" (humans)
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=True),
    Column("revoked_at", String(40), nullable=True),
)

# One row (id 1): how many credentials have been ended (a logout, a revoked token, a disabled
# account), raised in the transaction that ends one. Each server process keeps the accounts it
# has authenticated while the counter stays as it read it (`api.deps.AccountCache`).
credential_revocations = Table(
    "credential_revocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("counter", BigInteger, nullable=False),
)

# Logins being checked, and those that failed in the last minutes: the limits per client
# address and per account name that every server process shares (docs/decisions/0012).
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False),  # the account name tried, as sent
    Column("address", String(64), nullable=False),  # the client's (an IPv6 address's /64)
    Column("at", Float, nullable=False),  # seconds since the epoch
)
Index("ix_login_attempts_name_at", login_attempts.c.name, login_attempts.c.at)
Index("ix_login_attempts_address_at", login_attempts.c.address, login_attempts.c.at)
Index("ix_login_attempts_at", login_attempts.c.at)

crossings = Table(
    "crossings",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("post_code", String(8), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("officer", String(80), nullable=False),
    Column("at", String(40), nullable=False),
    Column("document", Text, nullable=False),  # JSON: what was presented, and its checks
    Column("decision", String(12), nullable=False),
    Column("reasons", Text, nullable=False),  # JSON
    Column("match", Text, nullable=False),  # JSON
    Column("person_id", BigInteger, nullable=True),
    Column("batch_seq", BigInteger, nullable=True),  # the ledger entry that holds it
)
Index("ix_crossings_unbatched", crossings.c.batch_seq)
Index("ix_crossings_post_at", crossings.c.post_code, crossings.c.at)

referrals = Table(
    "referrals",
    metadata,
    Column("crossing_id", String(40), ForeignKey("crossings.id"), primary_key=True),
    Column("post_code", String(8), nullable=False),
    Column("status", String(12), nullable=False),  # open, released, held, other
    Column("resolved_by", String(80), nullable=True),
    Column("resolved_at", String(40), nullable=True),
    Column("note", Text, nullable=True),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_by", String(80), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("authority_code", String(40), nullable=False),
    Column("number", String(100), nullable=False),
    Column("order_bytes", LargeBinary, nullable=False),
    Column("subjects", Text, nullable=True),  # JSON [[person_id, ref], ...]
    Column("recorded_seq", BigInteger, nullable=True),
    # Closed without a signature (migration 0010): `withdrawn` by whoever drafted it, or
    # `declined` by its authority; by whom, when, and the note or reason.
    Column("closed_as", String(20), nullable=True),
    Column("closed_by", String(80), nullable=True),
    Column("closed_at", String(40), nullable=True),
    Column("closed_note", Text, nullable=True),
)
