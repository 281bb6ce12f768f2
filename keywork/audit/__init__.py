"""The audit trail: every read and change of client data, append-only and hash-chained."""
