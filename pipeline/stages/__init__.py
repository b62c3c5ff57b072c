"""One document through every stage, no I/O but reading the input: ingest → segment → metadata → label."""
