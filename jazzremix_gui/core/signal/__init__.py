"""The paper's signal path, no files: STFT, Wiener filter, pan law, codebook, the models' inputs,
separation, the mixer's inference (``mixer``), sections, automation curves, display DSP."""
