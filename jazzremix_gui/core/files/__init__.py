"""Keeping the user's files safe: atomic writes, temporary names, both-or-neither commits,
signals, operating-system errors in words, where files live, hashing."""
