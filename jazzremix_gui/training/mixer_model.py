"""Mixer architectures: per-frame softmax over the 399 joint (pan, gain) cells.

- ``ctx`` (default, shipped): input ``[frames, 2, 2049]`` = solo magnitude and accompaniment
  mid magnitude (``input_kind = solo_acc_magnitude``). Inside the graph: ``log1p(1000 x)``
  compression and per-bin normalisation; a frequency bottleneck per input (2049 -> 96);
  8 band log-energies per input and their solo-minus-accompaniment differences (the
  balance the gain label depends on); a stack of dilated 1-D convolutions over time
  (receptive field +-8 frames, about +-0.19 s at hop 1024, exported as
  ``context_frames = 8``); a factorised head: the logit of cell (p, g) is a pan logit plus a
  gain logit plus a joint correction (zero at start), so the sparse joint cells share what
  is learnt about pan and about gain; softmax over the 399 cells.
- ``seed``: the seed paper's mixer as in its reference code: raw solo magnitude
  ``[frames, 2049]`` (``input_kind = solo_magnitude``), 2 highway layers 2049 -> 2049,
  then a linear layer and softmax (here over the 399 joint cells). Trained as a baseline.

Both return probabilities ``[frames, 399]`` from :meth:`forward` (the ONNX contract)
and logits from :meth:`logits` (for the cross-entropy loss).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from jazzremix_gui.core.codebook import N_CELLS, N_GAINS, N_PANS
from jazzremix_gui.core.constants import MODEL_RATE, N_BINS, N_FFT

#: Band edges (Hz) of the band log-energies of the ``ctx`` model.
BAND_EDGES_HZ = (0, 150, 400, 800, 1600, 3200, 6400, 12000, 22050)


def band_matrix() -> np.ndarray:
    """``(2049, 8)`` 0/1 matrix summing power bins into the bands of :data:`BAND_EDGES_HZ`."""
    freqs = np.arange(N_BINS) * MODEL_RATE / N_FFT
    m = np.zeros((N_BINS, len(BAND_EDGES_HZ) - 1), np.float32)
    for k, (lo, hi) in enumerate(zip(BAND_EDGES_HZ[:-1], BAND_EDGES_HZ[1:])):
        m[(freqs >= lo) & (freqs < hi) if k < len(BAND_EDGES_HZ) - 2 else (freqs >= lo), k] = 1.0
    return m


class ContextMixer(nn.Module):
    """The default mixer (see module docstring).

    Parameters
    ----------
    width : int
        Channels of the temporal stack.
    bottleneck : int
        Frequency bottleneck per input.
    dilations : tuple of int
        Dilations of the kernel-3 convolutions; the context is their sum.
    """

    input_kind = "solo_acc_magnitude"

    def __init__(self, width: int = 160, bottleneck: int = 96, dilations=(1, 2, 4, 1), dropout: float = 0.3):
        super().__init__()
        self.context_frames = int(sum(dilations))
        self.architecture = (f"ctx-mixer: log1p + norm, bottleneck 2x{N_BINS}->{bottleneck}, 8 band log-energies, "
                             f"{len(dilations)} dilated conv1d k3 d{list(dilations)} x{width} (context "
                             f"+-{self.context_frames} frames), factorised head (pan 19 + gain 21 + joint 399 logits), "
                             f"softmax over {N_CELLS}")
        self.register_buffer("input_mean", torch.zeros(2, N_BINS))
        self.register_buffer("input_scale", torch.ones(2, N_BINS))
        self.register_buffer("bands", torch.from_numpy(band_matrix()))
        n_bands = self.bands.shape[1]
        self.solo_in = nn.Linear(N_BINS, bottleneck)
        self.acc_in = nn.Linear(N_BINS, bottleneck)
        feat = 2 * bottleneck + 3 * n_bands
        self.proj = nn.Conv1d(feat, width, 1)
        self.convs = nn.ModuleList([nn.Conv1d(width, width, 3, dilation=d, padding=d) for d in dilations])
        self.norms = nn.ModuleList([nn.LayerNorm(width) for _ in dilations])  # per frame: no leak beyond the context
        self.drop = nn.Dropout(dropout)
        # factorised head: joint logit = pan logit + gain logit + a (zero-initialised) joint correction
        self.pan_out = nn.Linear(width, N_PANS)
        self.gain_out = nn.Linear(width, N_GAINS)
        self.out = nn.Linear(width, N_CELLS)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``[frames, 399]`` (or ``[batch, frames, 399]``) of magnitudes ``[(batch,) frames, 2, 2049]``."""
        squeeze = x.dim() == 3
        if squeeze:
            x = x.unsqueeze(0)
        comp = (torch.log1p(1000.0 * x) - self.input_mean) * self.input_scale  # (B, T, 2, F)
        power = torch.matmul(x * x, self.bands) + 1e-10  # (B, T, 2, 8)
        band_db = 0.1 * torch.log10(power)  # dB / 100
        diff = band_db[:, :, 0] - band_db[:, :, 1]
        h = torch.cat([torch.relu(self.solo_in(comp[:, :, 0])), torch.relu(self.acc_in(comp[:, :, 1])),
                       band_db[:, :, 0] + 1.0, band_db[:, :, 1] + 1.0, diff], dim=-1)  # (B, T, feat)
        h = self.proj(h.transpose(1, 2))  # (B, width, T)
        for conv, norm in zip(self.convs, self.norms):
            h = h + conv(self.drop(torch.relu(norm(h.transpose(1, 2)).transpose(1, 2))))
        h = self.drop(torch.relu(h).transpose(1, 2))  # (B, T, width)
        z = (self.pan_out(h).unsqueeze(-1) + self.gain_out(h).unsqueeze(-2)).flatten(-2) + self.out(h)  # (B, T, 399)
        return z[0] if squeeze else z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


def log_band_matrix(n_bands: int = 48, lo_hz: float = 50.0, hi_hz: float = 16000.0) -> np.ndarray:
    """``(2049, n_bands)`` 0/1 matrix of log-spaced bands (the first also takes everything below ``lo_hz``)."""
    freqs = np.arange(N_BINS) * MODEL_RATE / N_FFT
    edges = np.geomspace(lo_hz, hi_hz, n_bands + 1)
    edges[0], edges[-1] = 0.0, MODEL_RATE / 2 + 1
    m = np.zeros((N_BINS, n_bands), np.float32)
    for k in range(n_bands):
        m[(freqs >= edges[k]) & (freqs < edges[k + 1]), k] = 1.0
    return m


class CompactMixer(nn.Module):
    """A small mixer on level-invariant band features (the shipped default).

    Per frame: 48 log-spaced band powers of the solo and of the accompaniment (log10);
    the solo's spectral shape (bands minus its total level: timbre and register, what the
    pan label depends on) and the solo-minus-accompaniment balance per band and in total
    (what the gain label depends on); the same features averaged over +-``context`` frames;
    per-feature normalisation. The logit of cell (p, g) is a pan logit, from a small MLP on
    the solo's shape only, plus a gain logit, from a small MLP on all features (optionally
    plus a joint correction). A few thousand parameters: the labels vary per track, and a
    few hundred tracks are too few for a large model not to memorise them.
    """

    input_kind = "solo_acc_magnitude"

    def __init__(self, hidden: int = 32, n_bands: int = 24, context: int = 32, dropout: float = 0.3,
                 joint: bool = False):
        super().__init__()
        self.context_frames = int(context)
        self.architecture = (f"compact-mixer: {n_bands} log bands of solo and accompaniment -> solo shape + "
                             f"balance (+ mean over +-{context} frames); pan logits = MLP{hidden}(solo shape), gain logits "
                             f"= MLP{hidden}(all){' + joint' if joint else ''}; softmax over {N_CELLS} cells")
        self.register_buffer("bands", torch.from_numpy(log_band_matrix(n_bands)))
        n_feat = 2 * (2 * n_bands + 1)
        self.register_buffer("feat_mean", torch.zeros(n_feat))
        self.register_buffer("feat_scale", torch.ones(n_feat))
        self.n_bands = n_bands
        # pan from the solo's shape only (timbre, register); gain from everything (balance + instrument)
        self.pan_mlp = nn.Sequential(nn.Linear(2 * n_bands, hidden), nn.ReLU(), nn.Dropout(dropout),
                                     nn.Linear(hidden, N_PANS))
        self.gain_mlp = nn.Sequential(nn.Linear(n_feat, hidden), nn.ReLU(), nn.Dropout(dropout),
                                      nn.Linear(hidden, N_GAINS))
        self.out = None
        if joint:
            self.out = nn.Linear(n_feat, N_CELLS)
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)

    @staticmethod
    def _describe(power: torch.Tensor) -> torch.Tensor:
        """Solo shape, band balance and total balance ``[B, T, 2 n + 1]`` of band powers ``[B, T, 2, n]``."""
        band = torch.log10(power + 1e-12)
        total = torch.log10(power.sum(dim=-1) + 1e-12)  # (B, T, 2)
        shape = band[:, :, 0] - total[:, :, 0:1]
        balance = band[:, :, 0] - band[:, :, 1]
        return torch.cat([shape, balance, (total[:, :, 0] - total[:, :, 1]).unsqueeze(-1)], dim=-1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Raw features ``[B, T, 2 (2 n_bands + 1)]`` of magnitudes ``[B, T, 2, 2049]``.

        The frame's own features, then the same of the band powers averaged over +-context
        frames (a short-term loudness-like integration, which the balance needs).
        """
        power = torch.matmul(x * x, self.bands)  # (B, T, 2, n)
        b, t, _, n = power.shape
        c = self.context_frames
        flat = power.reshape(b, t, 2 * n).transpose(1, 2)  # (B, 2n, T)
        pooled = nn.functional.avg_pool1d(flat, 2 * c + 1, stride=1, padding=c, count_include_pad=False)
        pooled = pooled.transpose(1, 2).reshape(b, t, 2, n)
        return torch.cat([self._describe(power), self._describe(pooled)], dim=-1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        squeeze = x.dim() == 3
        if squeeze:
            x = x.unsqueeze(0)
        f = (self.features(x) - self.feat_mean) * self.feat_scale  # (B, T, 2 (2 n + 1))
        n = self.n_bands
        shape = torch.cat([f[..., :n], f[..., 2 * n + 1 : 3 * n + 1]], dim=-1)  # frame and pooled solo shape
        z = (self.pan_mlp(shape).unsqueeze(-1) + self.gain_mlp(f).unsqueeze(-2)).flatten(-2)
        if self.out is not None:
            z = z + self.out(f)
        return z[0] if squeeze else z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


class Highway(nn.Module):
    """``y = relu(W_H x + b_H) * T + x * (1 - T)``, ``T = sigmoid(W_T x + b_T)`` (DESIGN.md §1.3)."""

    def __init__(self, n: int):
        super().__init__()
        self.h = nn.Linear(n, n)
        self.t = nn.Linear(n, n)
        nn.init.constant_(self.t.bias, -1.0)

    def forward(self, x):
        t = torch.sigmoid(self.t(x))
        return torch.relu(self.h(x)) * t + x * (1 - t)


class SeedMixer(nn.Module):
    """The seed paper's mixer: raw solo magnitude, 2 highway layers, linear, softmax over 399 cells."""

    input_kind = "solo_magnitude"
    context_frames = 0

    def __init__(self):
        super().__init__()
        self.architecture = f"seed-mixer: 2 highway {N_BINS}->{N_BINS} on the raw solo magnitude, linear -> " \
                            f"{N_CELLS}, softmax"
        self.layers = nn.Sequential(Highway(N_BINS), Highway(N_BINS))
        self.out = nn.Linear(N_BINS, N_CELLS)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of ``[..., 2049]`` solo magnitudes, or of ``[..., 2, 2049]`` (the accompaniment is ignored)."""
        if x.shape[-2:] == (2, N_BINS):
            x = x[..., 0, :]
        return self.out(self.layers(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


def build(arch: str, **kwargs) -> nn.Module:
    """``'compact'`` (shipped), ``'ctx'`` or ``'seed'``."""
    if arch == "ctx":
        return ContextMixer(**kwargs)
    if arch == "seed":
        return SeedMixer()
    if arch == "compact":
        return CompactMixer(**kwargs)
    raise ValueError(f"unknown mixer architecture '{arch}' (ctx or seed)")


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
