"""A private web view of the journal, served on loopback only and opened with a one-time link."""
