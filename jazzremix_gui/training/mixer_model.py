"""Mixer architectures: a posterior over the 399 joint (pan, gain) cells per frame.

- ``gauss`` (shipped): input :mod:`core.signal.features` mixer features ``[frames, 100]``
  (``input_kind = mixer_features``: the solo's spectral shape and its balance against the
  accompaniment at its recorded level, per frame and averaged over +-3 s). Two small MLPs
  predict, per frame, a pan ``mu_p`` (degrees) with a spread ``sigma_p`` from the solo's shape
  only, and a gain ``mu_g`` (dB relative to the recording) with ``sigma_g`` from all features.
  The cell probabilities are those of normal distributions integrated over each cell's
  interval (pan cells 5 deg wide, gain cells 0.1 wide on the linear grid, the edge cells
  open-ended), i.e. the policy's own generative model (a preferred position plus a normal
  listener spread, then rounding); the joint posterior is their product. As in the policy,
  the gain head's normal is over the change *asked* (listener spread included), which then
  passes through the policy's soft knees (:func:`training.mixer_policy.limit_change_db`:
  towards +4.5 dB up, -14 dB down): the gain cells' edges are mapped back through the knees
  before integrating, so cells the policy cannot reach (gain 1.8 .. 2.0, 0.0 .. 0.1) get a
  vanishing probability, however far outside the training data a solo estimate lies (a solo
  read far under the band is not extrapolated onto the codebook's edge). Two extra
  parameters, the *taste offsets* (pan degrees, gain dB), are added to ``mu_p`` and ``mu_g``:
  zero when trained on the policy, they are what fine-tuning on one engineer's annotations
  moves first (:mod:`training.mixer_finetune`).
- ``seed``: the seed paper's mixer as in its reference code: raw solo magnitude
  ``[frames, 2049]`` (``input_kind = solo_magnitude``), 2 highway layers 2049 -> 2049,
  then a linear layer and softmax (here over the 399 joint cells). Trained as a baseline.

Both return probabilities ``[frames, 399]`` from :meth:`forward` (the ONNX contract)
and logits (log-probabilities) from :meth:`logits` (for the cross-entropy loss).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from jazzremix_gui.core.signal.codebook import GAINS, N_CELLS, PANS_DEG
from jazzremix_gui.core.constants import N_BINS
from jazzremix_gui.core.signal.features import MIXER_CONTEXT, MIXER_N_FEATURES, SHAPE_INDEX
from jazzremix_gui.training import mixer_policy

#: Lowest spreads a frame may predict: pan (degrees), gain (dB).
PAN_SIGMA_MIN, GAIN_SIGMA_MIN = 3.0, 0.5
#: The gain head's asked change (dB) is held within +-this (a solo 40 dB under or over the band is
#: silence or alone; the policy's knees make any change past about +-10 dB the same cell).
_GAIN_LIMIT_DB = 40.0
#: Log-probability of the cells past the policy's knees.
_TAIL_FLOOR = 60.0


def _cell_grid() -> dict:
    """Inner edges, representative points and log-widths of the pan cells (deg) and gain cells (dB).

    The representative point of a cell is its centre, or its inner edge for the open-ended
    edge cells (and the gain-0 cell); widths of the open cells are those of their neighbour.
    """
    out = {}
    for name, edges in (("pan", (PANS_DEG[:-1] + PANS_DEG[1:]) / 2),
                        ("gain", 20 * np.log10((GAINS[:-1] + GAINS[1:]) / 2))):
        inner = np.diff(edges)
        points = np.concatenate([[edges[0]], (edges[:-1] + edges[1:]) / 2, [edges[-1]]])
        widths = np.concatenate([[inner[0]], inner, [inner[-1]]])
        out[name] = tuple(a.astype(np.float32) for a in (edges, points, np.log(widths)))
    return out


def _log_knee_stretch(made_db: torch.Tensor) -> torch.Tensor:
    """``log(d asked / d made)`` of the policy's knees at changes made ``made_db`` (0 between the knees)."""
    p = mixer_policy
    asked = p.unlimit_change_db(made_db)
    up, down = p.BOOST_MAX_DB - p.BOOST_KNEE_DB, p.CUT_FLOOR_DB - p.CUT_KNEE_DB
    slope = torch.where(asked > p.BOOST_KNEE_DB, 1 - torch.tanh((asked - p.BOOST_KNEE_DB) / up) ** 2,
                        torch.where(asked < p.CUT_KNEE_DB, 1 - torch.tanh((asked - p.CUT_KNEE_DB) / down) ** 2,
                                    torch.ones_like(asked)))
    return -torch.log(slope.clamp(min=1e-6))


def _interval_probs(mu: torch.Tensor, sigma: torch.Tensor, edges: torch.Tensor, points: torch.Tensor,
                    log_widths: torch.Tensor, log: bool = True) -> torch.Tensor:
    """``log P(cell)`` (``log=True``) or ``P(cell)`` of ``N(mu, sigma)`` over cells split at ``edges``:
    ``[..., len(edges) + 1]``.

    In the logs, where a cell's probability is below 1e-6 (far in the tail), the log of the
    density at the cell's representative point times its width is used instead: the same value
    to first order, and a gradient that still points the right way (fine-tuning a confident
    model on a choice far from its own). The probabilities (``log=False``, the exported
    forward pass, which needs no gradient) are the normal's own: they differ from the logs'
    exponentials only in those cells, by less than 1e-6.
    """
    z = (edges - mu.unsqueeze(-1)) / sigma.unsqueeze(-1)
    cdf = 0.5 * (1 + torch.erf(z / math.sqrt(2)))
    zeros, ones = torch.zeros_like(cdf[..., :1]), torch.ones_like(cdf[..., :1])
    full = torch.cat([zeros, cdf, ones], dim=-1)
    prob = full[..., 1:] - full[..., :-1]
    if not log:
        return prob.clamp(min=0)
    zc = (points - mu.unsqueeze(-1)) / sigma.unsqueeze(-1)
    tail = -0.5 * zc * zc - torch.log(sigma).unsqueeze(-1) - 0.5 * math.log(2 * math.pi) + log_widths
    return torch.where(prob > 1e-6, torch.log(prob.clamp(min=1e-6)), torch.minimum(tail, torch.full_like(tail, -13.8)))


def _joint(marginals: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """The mean posterior ``[..., 399]`` of one or more members' independent pan ``[..., 19]`` and gain
    ``[..., 21]`` cell probabilities (each normalised here): the mean of their outer products, as one product
    ``(..., 19, M) x (..., M, 21)``, flattened pan-major as :mod:`core.signal.codebook` orders cells."""
    pans = torch.stack([p / p.sum(dim=-1, keepdim=True) for p, _ in marginals], dim=-1)
    gains = torch.stack([g / g.sum(dim=-1, keepdim=True) for _, g in marginals], dim=-2)
    return (torch.matmul(pans, gains) / len(marginals)).flatten(-2)


class GaussMixer(nn.Module):
    """The shipped mixer (see module docstring).

    Parameters
    ----------
    hidden : int
        Width of each head's hidden layer.
    dropout : float
    noise : float
        Normal noise added to the normalised features while training (a regulariser: a
        per-frame model on a few hundred tracks otherwise learns the tracks by heart).
    """

    input_kind = "mixer_features"
    context_frames = MIXER_CONTEXT

    def __init__(self, hidden: int = 32, dropout: float = 0.3, noise: float = 0.3):
        super().__init__()
        self.noise = float(noise)  # std of the normal noise on normalised features while training
        self.architecture = (f"gauss-mixer: {MIXER_N_FEATURES} mixer features (core.signal.features) -> pan "
                             f"N(mu, sigma) from MLP{hidden}(solo shape), gain (dB) N(knees(mu), sigma) "
                             f"from MLP{hidden}(all), "
                             f"integrated over the 19 x 21 cells, + taste offsets")
        self.register_buffer("feat_mean", torch.zeros(MIXER_N_FEATURES))
        self.register_buffer("feat_scale", torch.ones(MIXER_N_FEATURES))
        self.register_buffer("shape_index", torch.from_numpy(SHAPE_INDEX.astype(np.int64)))
        for name, arrays in _cell_grid().items():
            for part, a in zip(("edges", "points", "log_widths"), arrays):
                self.register_buffer(f"{name}_{part}", torch.from_numpy(a))
        self.pan_mlp = nn.Sequential(nn.Linear(len(SHAPE_INDEX), hidden), nn.ReLU(), nn.Dropout(dropout),
                                     nn.Linear(hidden, 2))
        self.gain_mlp = nn.Sequential(nn.Linear(MIXER_N_FEATURES, hidden), nn.ReLU(), nn.Dropout(dropout),
                                      nn.Linear(hidden, 2))
        #: Taste offsets: pan (degrees) and gain (dB) added to every prediction.
        self.taste = nn.Parameter(torch.zeros(2))
        with torch.no_grad():  # start near the centre with wide spreads: every cell gets a gradient
            self.pan_mlp[-1].bias.copy_(torch.tensor([0.0, 1.0]))
            self.gain_mlp[-1].bias.copy_(torch.tensor([0.0, 1.5]))

    def params(self, x: torch.Tensor, taste: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """``mu_p, sigma_p`` (degrees, pan taste offset included) and ``mu_g, sigma_g`` (dB, the change asked,
        before the policy's knees and the gain taste offset) of features ``[..., 100]``; ``taste`` as in
        :meth:`logits`."""
        taste = self.taste if taste is None else taste
        f = (x - self.feat_mean) * self.feat_scale
        if self.training and self.noise > 0:
            f = f + self.noise * torch.randn_like(f)
        p = self.pan_mlp(f.index_select(-1, self.shape_index))
        g = self.gain_mlp(f)
        mu_p = 10.0 * p[..., 0] + taste[0]
        mu_g = 3.0 * g[..., 0]  # the change asked; knees and the gain taste offset: in logits()
        # spreads never below the policy's own listener spread (6 deg, 1 LU) halved: no frame is surer than that
        sigma_p = PAN_SIGMA_MIN + nn.functional.softplus(p[..., 1]) * 3.0
        sigma_g = GAIN_SIGMA_MIN + nn.functional.softplus(g[..., 1])
        return mu_p, sigma_p, mu_g, sigma_g

    def logits(self, x: torch.Tensor, taste: torch.Tensor | None = None) -> torch.Tensor:
        """Log-probabilities ``[..., 399]`` of features ``[..., 100]``.

        ``taste``: offsets ``(pan degrees, gain dB)`` used instead of the model's own (an
        ensemble's shared ones, :class:`GaussEnsemble`).
        """
        lp, lg = self.marginals(x, taste)
        return (lp.unsqueeze(-1) + lg.unsqueeze(-2)).flatten(-2)

    def marginals(self, x: torch.Tensor, taste: torch.Tensor | None = None,
                  log: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """The pan cells' ``[..., 19]`` and gain cells' ``[..., 21]`` log-probabilities (``log=False``: their
        exponentials) of features ``[..., 100]``; :meth:`logits` is their sum over the joint cells."""
        mu_p, sigma_p, mu_g, sigma_g = self.params(x, taste)
        pan = _interval_probs(mu_p, sigma_p, self.pan_edges, self.pan_points, self.pan_log_widths, log)
        return pan, self._gain_probs(mu_g, sigma_g, self.taste if taste is None else taste, log)

    def _gain_probs(self, mu_g: torch.Tensor, sigma_g: torch.Tensor, taste: torch.Tensor,
                    log: bool = True) -> torch.Tensor:
        """``log P(gain cell)`` ``[..., 21]`` (``log=False``: ``P``) of the asked change ``N(mu_g, sigma_g)`` (dB)
        through the policy's knees."""
        # gain made = knees(asked) + taste: integrate the asked normal between the cells' edges mapped back
        edges = mixer_policy.unlimit_change_db(self.gain_edges - taste[1])
        points = mixer_policy.unlimit_change_db(self.gain_points - taste[1])
        log_widths = self.gain_log_widths + _log_knee_stretch(self.gain_points - taste[1])
        mu_g = mu_g.clamp(-_GAIN_LIMIT_DB, _GAIN_LIMIT_DB)
        lg = _interval_probs(mu_g, sigma_g, edges, points, log_widths, log)  # (..., 21)
        # cells past the knees: a fixed e^-60 (no gradient; an annotation there pulls through its blur only)
        far = torch.full_like(edges[:1], mixer_policy.UNREACHABLE_DB)
        past = (torch.cat([-far, edges]) >= far) | (torch.cat([edges, far]) <= -far)  # (21,) cell wholly past
        return torch.where(past, torch.full_like(lg, -_TAIL_FLOOR if log else math.exp(-_TAIL_FLOOR)), lg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior ``[..., 399]``: ``exp`` of :meth:`logits`, normalised, computed from the two marginals'
        probabilities (no logarithm or exponential over the 399 cells or the tails: about 3x less work in ONNX
        Runtime than through the logits; the same to 1e-6, test)."""
        return _joint([self.marginals(x, log=False)])


def policy_positions() -> np.ndarray:
    """The policy's stage positions (degrees): every instrument's preferred pan times every register factor."""
    p = mixer_policy
    return np.unique(np.round([p.clamp_pan(pan * f) for pan in p.PREFERRED_PAN.values()
                               for f in p.REGISTER_FACTOR.values()], 2)).astype(np.float32)


def position_index(label: dict) -> int:
    """Index in :func:`policy_positions` of a track's noiseless stage position (its label's ``instrument`` and
    ``register``, :class:`training.mixer_policy.Label`); -1 when the label does not name the instrument."""
    p = mixer_policy
    if "instrument" not in label:
        return -1
    pan0 = p.clamp_pan(p.PREFERRED_PAN.get(label["instrument"], p.DEFAULT_PAN)
                       * p.REGISTER_FACTOR.get(label.get("register", "middle"), 1.0))
    return int(np.argmin(np.abs(policy_positions() - round(float(pan0), 2))))


class GaussMixtureMixer(GaussMixer):
    """``gauss-mix``: :class:`GaussMixer` whose pan decides between the policy's stage positions.

    The pan head gives weights over :func:`policy_positions` (an instrument in a register) and
    one spread; the pan's distribution is the mixture of normals at those positions (plus the
    taste offset). A frame unsure between a tenor (-10 deg) and a trumpet (+10) then keeps two
    modes, and summed over a track the instrument most frames heard wins, where one normal per
    frame would put its mean between them (diagnostic r5, docs/MIXER.md). The gain head is
    :class:`GaussMixer`'s.
    """

    def __init__(self, hidden: int = 32, dropout: float = 0.3, noise: float = 0.3):
        super().__init__(hidden, dropout, noise)
        positions = policy_positions()
        self.register_buffer("pan_positions", torch.from_numpy(positions))
        self.pan_mlp = nn.Sequential(nn.Linear(len(SHAPE_INDEX), hidden), nn.ReLU(), nn.Dropout(dropout),
                                     nn.Linear(hidden, len(positions) + 1))
        with torch.no_grad():  # even weights, a wide spread: every position gets a gradient
            self.pan_mlp[-1].bias.zero_()
            self.pan_mlp[-1].bias[-1] = 1.0
        self.architecture = self.architecture.replace(
            "pan N(mu, sigma)", f"pan sum_k w_k N(position_k, sigma) over the policy's {len(positions)} positions")

    def position_loss(self, x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of the pan head's weights ``[N, K]`` against the frames' stage positions ``[N]`` (indices
        of :func:`policy_positions`, -1: none; ``train-mixer --instrument-weight``): the instrument and its
        register taught directly, not only through pan labels blurred by the listeners' spread."""
        known = positions >= 0
        if not bool(known.any()):
            return torch.zeros((), dtype=x.dtype)
        f = (x[known] - self.feat_mean) * self.feat_scale
        if self.training and self.noise > 0:
            f = f + self.noise * torch.randn_like(f)
        log_w = torch.log_softmax(self.pan_mlp(f.index_select(-1, self.shape_index))[..., :-1], dim=-1)
        return nn.functional.nll_loss(log_w, positions[known])

    def marginals(self, x: torch.Tensor, taste: torch.Tensor | None = None,
                  log: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        taste = self.taste if taste is None else taste
        f = (x - self.feat_mean) * self.feat_scale
        if self.training and self.noise > 0:
            f = f + self.noise * torch.randn_like(f)
        p = self.pan_mlp(f.index_select(-1, self.shape_index))
        sigma_p = PAN_SIGMA_MIN + nn.functional.softplus(p[..., -1:]) * 3.0  # (..., 1)
        mu = (self.pan_positions + taste[0]).expand_as(p[..., :-1])
        each = _interval_probs(mu, sigma_p.expand_as(mu), self.pan_edges, self.pan_points,
                               self.pan_log_widths, log)  # (..., K, 19)
        if log:
            pan = torch.logsumexp(torch.log_softmax(p[..., :-1], dim=-1).unsqueeze(-1) + each, dim=-2)  # (..., 19)
        else:  # the weights' mixture as a product (..., 1, K) x (..., K, 19)
            pan = torch.matmul(torch.softmax(p[..., :-1], dim=-1).unsqueeze(-2), each).squeeze(-2)
        g = self.gain_mlp(f)
        mu_g, sigma_g = 3.0 * g[..., 0], GAIN_SIGMA_MIN + nn.functional.softplus(g[..., 1])
        return pan, self._gain_probs(mu_g, sigma_g, taste, log)


class GaussEnsemble(nn.Module):
    """Several :class:`GaussMixer` members trained alike from different seeds; their posteriors averaged.

    One member's suggestion on a real record depends on its seed (two seeds of one recipe can
    lift a solo 3.5 dB where the other turns it down); the mean of ``K`` members' cell
    probabilities (a mixture of their normals) keeps what they agree on. The members share one
    pair of taste offsets (:attr:`taste`, what fine-tuning moves first); their own stay zero.

    Parameters
    ----------
    members : int
        Number of members ``K``.
    member : type, optional
        The members' class: :class:`GaussMixer` (default) or :class:`GaussMixtureMixer`.
    **kwargs
        The members' parameters, the same for every member.
    """

    input_kind = "mixer_features"
    context_frames = MIXER_CONTEXT

    def __init__(self, members: int = 4, member: type = None, **kwargs):
        super().__init__()
        if members < 2:
            raise ValueError(f"an ensemble needs at least 2 members, got {members}")
        self.members = nn.ModuleList((member or GaussMixer)(**kwargs) for _ in range(members))
        for m in self.members:
            m.taste.requires_grad_(False)
        self.taste = nn.Parameter(torch.zeros(2))
        self.architecture = f"mean of {members} " + self.members[0].architecture

    @property
    def feat_mean(self) -> torch.Tensor:
        """The first member's feature mean ``(100,)`` (every member's is from its own training tracks)."""
        return self.members[0].feat_mean

    @property
    def feat_scale(self) -> torch.Tensor:
        return self.members[0].feat_scale

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Log of the members' mean cell probabilities ``[..., 399]`` of features ``[..., 100]``."""
        each = torch.stack([torch.log_softmax(m.logits(x, self.taste), dim=-1) for m in self.members])
        return torch.logsumexp(each, dim=0) - math.log(len(self.members))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The members' mean posterior ``[..., 399]`` (``exp`` of :meth:`logits`), from their marginals as in
        :meth:`GaussMixer.forward`."""
        return _joint([m.marginals(x, self.taste, log=False) for m in self.members])


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


def build(arch: str, members: int = 1, **kwargs) -> nn.Module:
    """``'gauss'``, ``'gauss-mix'`` (shipped; either with ``members`` > 1 a :class:`GaussEnsemble` of them) or ``'seed'``."""
    if arch in ("gauss", "gauss-mix"):
        member = GaussMixer if arch == "gauss" else GaussMixtureMixer
        return GaussEnsemble(members, member, **kwargs) if members > 1 else member(**kwargs)
    if arch == "seed":
        return SeedMixer()
    raise ValueError(f"unknown mixer architecture '{arch}' (gauss, gauss-mix or seed)")


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def model_input(model, track) -> np.ndarray:
    """The whole track's input for ``model``: features, or raw solo magnitude (seed-style).

    ``track`` is a :class:`training.train_mixer.TrackData`; returns float32 ``(T, ...)``.
    """
    return (track.solo_mag if model.input_kind == "solo_magnitude" else track.feats).astype(np.float32)
