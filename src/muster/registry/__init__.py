"""The registry: opening it and its all-or-nothing write, authorities and their keys, drafts,
signing and recording orders, reading the roll and its people, verification, export, sealing
crossing batches into the ledger, ledger proofs, and roll import and export."""
