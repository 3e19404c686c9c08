"""core layer of Jazz Remix."""
