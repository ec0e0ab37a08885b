"""The decision log: decisions exported and imported as ADR files (MADR and older
formats) and read as reviewers read them."""
