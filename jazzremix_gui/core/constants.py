"""Fixed numbers of the paper's signal flow (DESIGN.md §1.1)."""

#: Sample rate the models work at, in Hz.
MODEL_RATE = 44100
#: FFT size N (samples).
N_FFT = 4096
#: Length of the symmetric Bartlett analysis window (samples).
WIN_LEN = 2049
#: Frequency bins kept per frame (N / 2 + 1).
N_BINS = N_FFT // 2 + 1
#: The solo's side "chosen by pitch" where a side in degrees can be given (``--solo-side auto``, the app's
#: *Solo side...*; :func:`core.pipeline.choose_solo_side`).
SOLO_SIDE_AUTO = "auto"
