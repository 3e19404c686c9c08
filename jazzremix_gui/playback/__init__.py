"""playback layer of Jazz Remix."""
