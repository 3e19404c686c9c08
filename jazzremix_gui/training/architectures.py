"""Separator architectures (PyTorch). Both map mid magnitude frames to solo magnitude frames.

- :class:`SeedSeparator`: the paper's network as the authors coded it: 5 highway layers
  of 2049 units, one frame at a time, raw magnitude in, solo magnitude out (about 42 M
  parameters).
- :class:`MaskSeparator`: the project's default. Compressed, normalised input
  (``log(1 + 1000 |X|)`` with a learned per-bin affine), a frequency bottleneck
  (2049 -> ``width``), temporal context from a stack of dilated 1-D convolutions with
  residual connections (finite receptive field, so chunked inference is exact), and a
  sigmoid mask multiplied with the input magnitude (skip-filtering).
- :class:`BandSeparator`: band-split (after Luo and Yu's BSRNN, 2023). The same compressed input is cut
  into ``bands`` bands about equally wide in mel (:func:`band_edges`), each projected to ``dim`` features;
  then dilated temporal convolutions shared by every band, with convolutions across neighbouring bands
  between them, and a sigmoid mask per band. The layers that model time and neighbourhood see every band
  with the same weights, so what they learn is less tied to where one instrument's formants sit.

Inputs and outputs: ``[B, T, 2049]`` or ``[T, 2049]`` (ONNX export uses the latter).
"""

from __future__ import annotations

import torch
from torch import nn

from jazzremix_gui.training.pitch import N_CLASSES as PITCH_CLASSES, harmonic_combs

N_BINS = 2049


class Highway(nn.Module):
    """``y = relu(W_H x + b_H) * T + x * (1 - T)``, ``T = sigmoid(W_T x + b_T)``."""

    def __init__(self, size: int, gate_bias: float = -1.0):
        super().__init__()
        self.h = nn.Linear(size, size)
        self.t = nn.Linear(size, size)
        nn.init.constant_(self.t.bias, gate_bias)

    def forward(self, x):
        t = torch.sigmoid(self.t(x))
        return torch.relu(self.h(x)) * t + x * (1 - t)


class SeedSeparator(nn.Module):
    """The paper's separator (DESIGN.md §1.3): 5 x Highway(2049), frame-wise."""

    context_frames = 0
    architecture = "seed: 5 highway layers of 2049, raw magnitude in, solo magnitude out"

    def __init__(self, layers: int = 5):
        super().__init__()
        self.layers = nn.Sequential(*[Highway(N_BINS) for _ in range(layers)])

    def forward(self, mag):
        return torch.relu(self.layers(mag))


class ResidualConv(nn.Module):
    """Dilated 1-D convolution over time with a residual connection: ``x + conv(gelu(norm(x)))``."""

    def __init__(self, width: int, dilation: int, kernel: int = 3):
        super().__init__()
        self.conv = nn.Conv1d(width, width, kernel, dilation=dilation, padding=dilation * (kernel // 2))
        self.norm = nn.LayerNorm(width)  # per frame: no statistics across time, so chunking is exact

    def forward(self, x):  # x: [B, C, T]
        # contiguous: the same values, but GELU and its gradient run on a dense [B, C, T] tensor (on the transposed
        # view PyTorch takes a strided path, 5x slower in training)
        h = self.norm(x.transpose(1, 2)).transpose(1, 2).contiguous()
        return x + self.conv(torch.nn.functional.gelu(h))


#: The comb's per-bin scale is this times its parameter, so that Adam moves it this many times as fast as the other
#: weights: it starts at zero and has to reach logits of a few units within a fine-tune.
COMB_SCALE_GAIN = 10.0


class MaskSeparator(nn.Module):
    """The project's default separator: bottleneck + dilated temporal convolutions + mask."""

    def __init__(self, width: int = 256, dilations=(1, 2, 4, 8, 1, 2), kernel: int = 3, pitch_classes: int = 0,
                 gate: bool = False, comb: bool = False):
        super().__init__()
        self.width, self.dilations, self.kernel = width, tuple(dilations), kernel
        self.pitch_classes, self.gate, self.comb = pitch_classes, bool(gate), bool(comb)
        if self.comb and pitch_classes != PITCH_CLASSES:
            raise ValueError(f"the harmonic comb needs the pitch head of {PITCH_CLASSES} classes")
        # the solo's pitch class per frame from the bottleneck (separator v3's pitch-informed experiments): a
        # training-only head unless ``comb``, when the mask's logits add, bin by bin, a learned scale times the
        # harmonic combs of the classes weighted by their probabilities (the pitch's partials)
        self.pitch = nn.Linear(width, pitch_classes) if pitch_classes else None
        if self.comb:
            self.register_buffer("combs", torch.from_numpy(harmonic_combs(N_BINS)), persistent=False)
            self.comb_scale = nn.Parameter(torch.zeros(N_BINS))
        self.input_mean = nn.Parameter(torch.zeros(N_BINS))
        self.input_scale = nn.Parameter(torch.ones(N_BINS))
        self.encode = nn.Linear(N_BINS, width)
        self.blocks = nn.ModuleList([ResidualConv(width, d, kernel) for d in dilations])
        self.decode = nn.Sequential(nn.GELU(), nn.Linear(width, width), nn.GELU(), nn.Linear(width, N_BINS))
        # the mask's logits from ``decode`` lie in a ``width``-dimensional subspace of the 2049 bins (plus a bias);
        # the gate adds, bin by bin, the normalised input times a second map of the same features, so each bin's
        # logit can follow its own level in the input (a peak or a valley between partials)
        self.input_gate = nn.Linear(width, N_BINS) if gate else None
        self.architecture = (f"mask: log-compressed normalised input, 2049->{width} bottleneck, "
                             f"{len(dilations)} residual dilated convs {list(dilations)}, "
                             + ("mask logits plus the input gated bin by bin, " if gate else "")
                             + ("plus a learned scale times the harmonic comb of the predicted pitch, " if comb else "")
                             + "sigmoid mask x input")

    @property
    def context_frames(self) -> int:
        return sum(d * (self.kernel // 2) for d in self.dilations)

    @staticmethod
    def compress(mag):
        return torch.log1p(1000.0 * mag)

    def _hidden(self, mag):
        """``([B, T, C] bottleneck features, [B, T, F] normalised input)`` of ``[B, T, F]`` magnitudes."""
        x = (self.compress(mag) - self.input_mean) * self.input_scale
        h = self.encode(x).transpose(1, 2)  # [B, C, T]
        for block in self.blocks:
            h = block(h)
        return h.transpose(1, 2).contiguous(), x  # dense for the decoder's GELU, as in ResidualConv

    def _logits(self, h, x, pitch_logits=None):
        """``[B, T, F]`` mask logits of the bottleneck ``h`` (with the gated input ``x`` and the harmonic comb of
        the pitch head's ``pitch_logits`` where the model has them)."""
        if not self.gate:
            out = self.decode(h)
        else:
            f = self.decode[:3](h)
            out = self.decode[3](f) + self.input_gate(f) * x
        if self.comb:
            comb = torch.matmul(torch.softmax(pitch_logits, dim=-1), self.combs)
            out = out + (COMB_SCALE_GAIN * self.comb_scale) * comb
        return out

    def forward(self, mag):
        squeeze = mag.dim() == 2
        if squeeze:
            mag = mag.unsqueeze(0)
        out = self.forward_with_pitch(mag)[0] if self.comb else torch.sigmoid(self._logits(*self._hidden(mag))) * mag
        return out.squeeze(0) if squeeze else out

    def forward_with_pitch(self, mag):
        """``(forward(mag), pitch logits [B, T, pitch_classes])`` for ``[B, T, F]`` magnitudes (training)."""
        h, x = self._hidden(mag)
        logits = self.pitch(h)
        return torch.sigmoid(self._logits(h, x, logits)) * mag, logits


def band_edges(bands: int, min_width: int = 4) -> list[int]:
    """Edges (bin indices, ``bands + 1`` of them, 0 .. 2049) of bands about equally wide in mel, at least
    ``min_width`` bins each (the lowest bands are as narrow as that allows)."""
    sr, n = 44100.0, 2 * (N_BINS - 1)
    mel = lambda f: 2595.0 * torch.log10(torch.as_tensor(1.0 + f / 700.0, dtype=torch.float64))  # noqa: E731
    top = float(mel(sr / 2))
    edges = [0]
    for k in range(1, bands):
        hz = 700.0 * (10 ** (top * k / bands / 2595.0) - 1.0)
        edge = max(int(round(hz * n / sr)), edges[-1] + min_width)
        edges.append(min(edge, N_BINS - min_width * (bands - k)))
    edges.append(N_BINS)
    return edges


class BandSeparator(nn.Module):
    """Band-split separator: per-band projections, shared temporal and cross-band convolutions, a mask per band.

    ``[B, T, 2049]`` mid magnitudes -> ``[B, T, 2049]`` solo magnitudes (``[T, 2049]`` also accepted).
    Hidden features are ``[B, K, D, T]`` (``K`` bands of ``D`` features). Each of the temporal blocks
    (``dilations``) is a residual dilated convolution over time shared by all bands; after every
    ``mix_every``-th one a residual convolution over the band axis (kernel 3) lets neighbouring bands talk.
    The receptive field is finite (``context_frames`` each side), so chunked inference is exact.
    """

    def __init__(self, bands: int = 32, dim: int = 32, dilations=(1, 2, 4, 8, 1, 2), kernel: int = 3,
                 mix_every: int = 2):
        super().__init__()
        self.bands, self.dim, self.dilations, self.kernel, self.mix_every = bands, dim, tuple(dilations), kernel, mix_every
        self.edges = band_edges(bands)
        self.input_mean = nn.Parameter(torch.zeros(N_BINS))
        self.input_scale = nn.Parameter(torch.ones(N_BINS))
        widths = [b - a for a, b in zip(self.edges[:-1], self.edges[1:])]
        self.encode = nn.ModuleList([nn.Linear(w, dim) for w in widths])
        self.blocks = nn.ModuleList([ResidualConv(dim, d, kernel) for d in self.dilations])
        n_mix = len(self.dilations) // mix_every if mix_every else 0
        self.mixers = nn.ModuleList([ResidualConv(dim, 1, 3) for _ in range(n_mix)])
        self.decode = nn.ModuleList([nn.Sequential(nn.GELU(), nn.Linear(dim, w)) for w in widths])
        self.architecture = (f"band: log-compressed normalised input, {bands} mel-spaced bands -> {dim} features each, "
                             f"{len(self.dilations)} shared residual dilated convs over time {list(self.dilations)}, "
                             f"{n_mix} residual convs across bands, sigmoid mask per band x input")

    @property
    def context_frames(self) -> int:
        return sum(d * (self.kernel // 2) for d in self.dilations)

    def forward(self, mag):
        squeeze = mag.dim() == 2
        if squeeze:
            mag = mag.unsqueeze(0)
        x = (MaskSeparator.compress(mag) - self.input_mean) * self.input_scale
        h = torch.stack([enc(x[:, :, lo:hi]) for enc, lo, hi in zip(self.encode, self.edges[:-1], self.edges[1:])],
                        dim=1).permute(0, 3, 1, 2)  # [B, D, K, T]: features first, no transposes between layers
        m = 0
        for i, block in enumerate(self.blocks):
            h = _residual_2d(block, h, (1, block.conv.dilation[0]), time_axis=True)
            if self.mix_every and (i + 1) % self.mix_every == 0 and m < len(self.mixers):
                h = _residual_2d(self.mixers[m], h, (1, 1), time_axis=False)  # neighbouring bands, each frame
                m += 1
        h = h.permute(0, 2, 3, 1)  # [B, K, T, D]
        mask = torch.cat([dec(h[:, i]) for i, dec in enumerate(self.decode)], dim=-1)
        out = torch.sigmoid(mask) * mag
        return out.squeeze(0) if squeeze else out


def _residual_2d(block: ResidualConv, h, dilation, time_axis: bool):
    """``block`` (a :class:`ResidualConv`, its own parameters) on ``[B, C, K, T]`` features, along time (each band a
    sequence) or along the bands (each frame one): ``h + conv(gelu(norm(h)))``, the layer norm over ``C``."""
    mean = h.mean(dim=1, keepdim=True)
    centred = h - mean
    var = (centred * centred).mean(dim=1, keepdim=True)
    shape = (1, -1, 1, 1)
    normed = centred / torch.sqrt(var + block.norm.eps) * block.norm.weight.view(shape) + block.norm.bias.view(shape)
    k = block.conv.kernel_size[0]
    weight = block.conv.weight.unsqueeze(2) if time_axis else block.conv.weight.unsqueeze(3)
    pad = (0, dilation[1] * (k // 2)) if time_axis else (k // 2, 0)
    conv = torch.nn.functional.conv2d(torch.nn.functional.gelu(normed), weight, block.conv.bias,
                                      padding=pad, dilation=dilation)
    return h + conv


def extend_context(model: MaskSeparator, dilations) -> MaskSeparator:
    """A copy of ``model`` with temporal blocks of the given dilations appended after its own.

    The new blocks' convolutions start at zero, so each is the identity (``x + 0``) and
    the extended model computes exactly what ``model`` did; training then grows the
    receptive field by ``sum(dilations) * (kernel // 2)`` frames each side.

    Raises
    ------
    ValueError
        ``model`` is not a :class:`MaskSeparator`, or a dilation is not positive.
    """
    if not isinstance(model, MaskSeparator):
        raise ValueError("only the mask architecture has temporal blocks to extend")
    if not dilations or min(dilations) < 1:
        raise ValueError(f"dilations to add must be positive integers, got {list(dilations)}")
    bigger = MaskSeparator(model.width, tuple(model.dilations) + tuple(dilations), model.kernel, model.pitch_classes,
                           model.gate, model.comb)
    state = bigger.state_dict()
    state.update(model.state_dict())
    for k in range(len(model.dilations), len(bigger.dilations)):
        state[f"blocks.{k}.conv.weight"].zero_()
        state[f"blocks.{k}.conv.bias"].zero_()
    bigger.load_state_dict(state)
    return bigger


def with_pitch_head(model: MaskSeparator, classes: int) -> MaskSeparator:
    """A copy of ``model`` with a (fresh) pitch head of ``classes`` classes; the rest of its weights kept."""
    if not isinstance(model, MaskSeparator):
        raise ValueError("only the mask architecture has a bottleneck for a pitch head")
    if model.comb:
        raise ValueError("the model's pitch head drives its harmonic comb: it is not replaced")
    headed = MaskSeparator(model.width, model.dilations, model.kernel, classes, model.gate)
    state = headed.state_dict()
    state.update({k: v for k, v in model.state_dict().items() if not k.startswith("pitch.")})
    headed.load_state_dict(state)
    return headed


def with_gate(model: MaskSeparator) -> MaskSeparator:
    """A copy of ``model`` whose mask logits add the input gated bin by bin (:class:`MaskSeparator` ``gate``).

    The gate's map starts at zero, so the copy computes exactly what ``model`` did; training then lets each
    bin's logit follow its own level in the input.

    Raises
    ------
    ValueError
        ``model`` is not a :class:`MaskSeparator`, or already has the gate.
    """
    if not isinstance(model, MaskSeparator):
        raise ValueError("only the mask architecture has mask logits to gate")
    if model.gate:
        raise ValueError("the model already gates its input")
    gated = MaskSeparator(model.width, model.dilations, model.kernel, model.pitch_classes, gate=True, comb=model.comb)
    state = gated.state_dict()
    state.update(model.state_dict())
    state["input_gate.weight"].zero_()
    state["input_gate.bias"].zero_()
    gated.load_state_dict(state)
    return gated


def with_comb(model: MaskSeparator) -> MaskSeparator:
    """A copy of ``model`` whose mask logits add the harmonic comb of its pitch head's classes
    (:class:`MaskSeparator` ``comb``); a model without a pitch head gets a fresh one.

    The comb's scale starts at zero, so the copy computes exactly what ``model`` did; training then lets the
    pitch the head reads raise (or lower) the mask on that pitch's partials.

    Raises
    ------
    ValueError
        ``model`` is not a :class:`MaskSeparator`, already has the comb, or has a pitch head of another size.
    """
    if not isinstance(model, MaskSeparator):
        raise ValueError("only the mask architecture has mask logits for a harmonic comb")
    if model.comb:
        raise ValueError("the model already has the harmonic comb")
    if model.pitch_classes not in (0, PITCH_CLASSES):
        raise ValueError(f"its pitch head has {model.pitch_classes} classes, the comb needs {PITCH_CLASSES}")
    combed = MaskSeparator(model.width, model.dilations, model.kernel, PITCH_CLASSES, model.gate, comb=True)
    state = combed.state_dict()
    state.update(model.state_dict())
    state["comb_scale"].zero_()
    combed.load_state_dict(state)
    return combed


def build(name: str, **kwargs) -> nn.Module:
    """``'seed'``, ``'mask'`` (the default) or ``'band'``."""
    if name == "seed":
        return SeedSeparator(**kwargs)
    if name == "mask":
        return MaskSeparator(**kwargs)
    if name == "band":
        return BandSeparator(**kwargs)
    raise ValueError(f"unknown architecture '{name}' (use 'seed', 'mask' or 'band')")


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
