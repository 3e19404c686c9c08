"""Separator architectures (PyTorch). Both map mid magnitude frames to solo magnitude frames.

- :class:`SeedSeparator`: the paper's network as the authors coded it: 5 highway layers
  of 2049 units, one frame at a time, raw magnitude in, solo magnitude out (about 42 M
  parameters).
- :class:`MaskSeparator`: the project's default. Compressed, normalised input
  (``log(1 + 1000 |X|)`` with a learned per-bin affine), a frequency bottleneck
  (2049 -> ``width``), temporal context from a stack of dilated 1-D convolutions with
  residual connections (finite receptive field, so chunked inference is exact), and a
  sigmoid mask multiplied with the input magnitude (skip-filtering).

Inputs and outputs: ``[B, T, 2049]`` or ``[T, 2049]`` (ONNX export uses the latter).
"""

from __future__ import annotations

import torch
from torch import nn

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
        h = self.norm(x.transpose(1, 2)).transpose(1, 2)
        return x + self.conv(torch.nn.functional.gelu(h))


class MaskSeparator(nn.Module):
    """The project's default separator: bottleneck + dilated temporal convolutions + mask."""

    def __init__(self, width: int = 256, dilations=(1, 2, 4, 8, 1, 2), kernel: int = 3, pitch_classes: int = 0):
        super().__init__()
        self.width, self.dilations, self.kernel = width, tuple(dilations), kernel
        self.pitch_classes = pitch_classes
        # a training-only head (separator v3's pitch-informed experiment): the solo's pitch class per frame from
        # the bottleneck; forward() and so the exported ONNX graph do not use it
        self.pitch = nn.Linear(width, pitch_classes) if pitch_classes else None
        self.input_mean = nn.Parameter(torch.zeros(N_BINS))
        self.input_scale = nn.Parameter(torch.ones(N_BINS))
        self.encode = nn.Linear(N_BINS, width)
        self.blocks = nn.ModuleList([ResidualConv(width, d, kernel) for d in dilations])
        self.decode = nn.Sequential(nn.GELU(), nn.Linear(width, width), nn.GELU(), nn.Linear(width, N_BINS))
        self.architecture = (f"mask: log-compressed normalised input, 2049->{width} bottleneck, "
                             f"{len(dilations)} residual dilated convs {list(dilations)}, sigmoid mask x input")

    @property
    def context_frames(self) -> int:
        return sum(d * (self.kernel // 2) for d in self.dilations)

    @staticmethod
    def compress(mag):
        return torch.log1p(1000.0 * mag)

    def _hidden(self, mag):
        """``[B, T, C]`` bottleneck features of ``[B, T, F]`` magnitudes."""
        x = (self.compress(mag) - self.input_mean) * self.input_scale
        h = self.encode(x).transpose(1, 2)  # [B, C, T]
        for block in self.blocks:
            h = block(h)
        return h.transpose(1, 2)

    def forward(self, mag):
        squeeze = mag.dim() == 2
        if squeeze:
            mag = mag.unsqueeze(0)
        out = torch.sigmoid(self.decode(self._hidden(mag))) * mag
        return out.squeeze(0) if squeeze else out

    def forward_with_pitch(self, mag):
        """``(forward(mag), pitch logits [B, T, pitch_classes])`` for ``[B, T, F]`` magnitudes (training)."""
        h = self._hidden(mag)
        return torch.sigmoid(self.decode(h)) * mag, self.pitch(h)


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
    bigger = MaskSeparator(model.width, tuple(model.dilations) + tuple(dilations), model.kernel, model.pitch_classes)
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
    headed = MaskSeparator(model.width, model.dilations, model.kernel, classes)
    state = headed.state_dict()
    state.update({k: v for k, v in model.state_dict().items() if not k.startswith("pitch.")})
    headed.load_state_dict(state)
    return headed


def build(name: str, **kwargs) -> nn.Module:
    """``'seed'`` or ``'mask'`` (the default)."""
    if name == "seed":
        return SeedSeparator(**kwargs)
    if name == "mask":
        return MaskSeparator(**kwargs)
    raise ValueError(f"unknown architecture '{name}' (use 'seed' or 'mask')")


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
