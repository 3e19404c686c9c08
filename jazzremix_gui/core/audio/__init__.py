"""Audio files in and out: decoding (``audio_io``), damage, downmix, output formats, tags,
clip modes (``headroom``), the true-peak limiter, loudness."""
