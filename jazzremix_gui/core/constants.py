"""Fixed numbers of the paper's signal flow (DESIGN.md §1.1)."""

#: Sample rate the models work at, in Hz.
MODEL_RATE = 44100
#: FFT size N (samples).
N_FFT = 4096
#: Length of the symmetric Bartlett analysis window (samples).
WIN_LEN = 2049
#: Frequency bins kept per frame (N / 2 + 1).
N_BINS = N_FFT // 2 + 1
#: Hop of the paper's text (50 % overlap of the 2049-sample window), in samples.
HOP_PAPER = 1024
#: Hop of the authors' later reference code, in samples.
HOP_REFERENCE = 512
