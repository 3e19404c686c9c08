"""ui layer of Jazz Remix."""
