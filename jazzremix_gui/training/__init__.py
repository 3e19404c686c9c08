"""training layer of Jazz Remix."""
