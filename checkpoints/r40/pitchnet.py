"""Diagnostic r40, step 2: a small pitch network for the separated mono solo, trained on the training sets'
features (``features.py``) to give the clean solo's F0 (YIN's reading of the clean solo) from the separated solo
and the mid. Input: both magnitudes sampled at the harmonics 0.5, 1, 2, 3, 4, 5 of 183 pitches a third of a
semitone apart (A#1 .. about C7; a harmonic stack, so a convolution along pitch reads the same in every register),
log-compressed against the excerpt's largest value; four convolutions over (frames, pitches); out: 183 pitch
classes and one unvoiced class (softmax), the pitch refined by the probability-weighted mean of the 5 classes
round the largest. Training adds the true accompaniment to the separated solo's magnitudes at a random weight
(0 .. ``--bleed``, 0.5 unless told) so the training sets' cleaner separations look like an unseen record's.

    PYTHONPATH=. python checkpoints/r40/pitchnet.py train OUT.pt --minutes 40 [--seed 40]   (resumes OUT.pt)
"""
import argparse
import glob
import time

import numpy as np
import torch
from torch import nn

LOWEST = 65.406 * 2 ** (-3 / 36)
N_P = 183
HARMONICS = (0.5, 1, 2, 3, 4, 5)
BIN_HZ = 44100 / 4096
K = 930
UNVOICED = N_P


def pitch_hz(k):
    return LOWEST * 2 ** (np.asarray(k, np.float64) / 36)


def stack_matrix() -> np.ndarray:
    """``(K, len(HARMONICS) * N_P)``: linear interpolation of a magnitude spectrum at each harmonic of each pitch."""
    m = np.zeros((K, len(HARMONICS) * N_P), np.float32)
    for i, h in enumerate(HARMONICS):
        b = h * pitch_hz(np.arange(N_P)) / BIN_HZ
        lo = np.floor(b).astype(int)
        fr = b - lo
        cols = i * N_P + np.arange(N_P)
        ok = lo + 1 < K  # harmonics above 10 kHz read nothing
        m[lo[ok], cols[ok]] += 1 - fr[ok]
        m[lo[ok] + 1, cols[ok]] += fr[ok]
    return m


class PitchNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.register_buffer("stack", torch.from_numpy(stack_matrix()))
        c = 2 * len(HARMONICS)
        self.convs = nn.ModuleList([nn.Conv2d(c, width, (3, 5), padding=(1, 2)),
                                    nn.Conv2d(width, width, (3, 5), padding=(1, 2)),
                                    nn.Conv2d(width, width, (3, 13), padding=(1, 6)),
                                    nn.Conv2d(width, width, (1, 37), padding=(0, 18))])
        self.pitch = nn.Conv2d(width, 1, 1)
        self.voice = nn.Linear(width, 1)

    def forward(self, solo, mix):
        """``solo``, ``mix``: (B, T, K) magnitudes -> logits (B, T, N_P + 1)."""
        xs = []
        for m in (solo, mix):
            ref = m.amax(dim=(1, 2), keepdim=True) + 1e-8
            s = (m / ref) @ self.stack  # (B, T, H * N_P)
            xs.append(torch.log(1e-3 + s.clamp_min(0)).view(m.shape[0], m.shape[1], len(HARMONICS), N_P))
        x = torch.cat(xs, dim=2).permute(0, 2, 1, 3)  # (B, C, T, N_P)
        for conv in self.convs:
            x = torch.relu(conv(x))
        p = self.pitch(x)[:, 0]  # (B, T, N_P)
        v = self.voice(x.amax(dim=3).permute(0, 2, 1))  # (B, T, 1)
        return torch.cat([p, v], dim=2)


def labels(f0: np.ndarray) -> np.ndarray:
    k = np.full(f0.shape, UNVOICED, np.int64)
    v = f0 > 0
    k[v] = np.clip(np.rint(36 * np.log2(f0[v] / LOWEST)), 0, N_P - 1)
    return k


def soft_targets(k: torch.Tensor) -> torch.Tensor:
    """(B, T) classes -> (B, T, N_P + 1) targets, a Gaussian of one class round a voiced one."""
    grid = torch.arange(N_P, dtype=torch.float32)
    t = torch.exp(-0.5 * (grid[None, None, :] - k[..., None].float()) ** 2)
    t = t * (k[..., None] < N_P)
    t = t / t.sum(dim=2, keepdim=True).clamp_min(1e-8)
    u = (k == UNVOICED).float()[..., None]
    return torch.cat([t * (1 - u), u], dim=2)


def decode(logits: torch.Tensor, voiced_only: bool = False) -> np.ndarray:
    """(T, N_P + 1) logits -> F0s (T,) in Hz, 0 unvoiced (``voiced_only``: the likeliest pitch in every frame)."""
    prob = torch.softmax(logits, dim=-1).numpy()
    best = prob[:, :N_P].argmax(axis=1) if voiced_only else prob.argmax(axis=1)
    out = np.zeros(prob.shape[0])
    for t in np.flatnonzero(best < N_P):
        lo, hi = max(0, best[t] - 2), min(N_P, best[t] + 3)
        w = prob[t, lo:hi]
        out[t] = pitch_hz(np.sum(w * np.arange(lo, hi)) / np.sum(w))
    return out


def logits(model, solo: np.ndarray, mix: np.ndarray) -> torch.Tensor:
    with torch.no_grad():
        return model(torch.from_numpy(np.asarray(solo, np.float32))[None],
                     torch.from_numpy(np.asarray(mix, np.float32))[None])[0]


def predict(model, solo: np.ndarray, mix: np.ndarray) -> np.ndarray:
    return decode(logits(model, solo, mix))


def voiced_probability(lg: torch.Tensor) -> np.ndarray:
    return 1 - torch.softmax(lg, dim=-1)[:, N_P].numpy()


def load_sets(pattern):
    data = []
    for f in sorted(glob.glob(pattern)):
        d = np.load(f)
        data.append((d["solo"], d["mix"], d["acc"], labels(d["clean"])))
    return data


def train(a):
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    torch.set_num_threads(1)
    data = load_sets(a.data)
    print(len(data), "tracks", flush=True)
    model = PitchNet(a.width)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    state = {"step": 0, "seconds": 0.0, "history": []}
    try:
        ck = torch.load(a.out, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        rng = np.random.default_rng(a.seed + state["step"])
        print("resumed at", state["step"], flush=True)
    except FileNotFoundError:
        pass
    t_start, last_save, run_loss = time.time(), time.time(), []
    budget = a.minutes * 60 - state["seconds"]
    while time.time() - t_start < budget:
        S, M, Y = [], [], []
        for _ in range(a.batch):
            s, m, acc, y = data[rng.integers(len(data))]
            t0 = rng.integers(0, s.shape[0] - a.frames)
            sl = slice(t0, t0 + a.frames)
            alpha = rng.uniform(0, a.bleed)
            so = np.sqrt(s[sl].astype(np.float32) ** 2 + (alpha * acc[sl].astype(np.float32)) ** 2)
            S.append(so)
            M.append(m[sl].astype(np.float32))
            Y.append(y[sl])
        lg = model(torch.from_numpy(np.stack(S)), torch.from_numpy(np.stack(M)))
        tgt = soft_targets(torch.from_numpy(np.stack(Y)))
        loss = -(tgt * torch.log_softmax(lg, dim=-1)).sum(dim=-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["step"] += 1
        run_loss.append(loss.item())
        if state["step"] % 100 == 0:
            print(state["step"], round(float(np.mean(run_loss)), 4), round(time.time() - t_start), flush=True)
            state["history"].append([state["step"], float(np.mean(run_loss))])
            run_loss = []
        if time.time() - last_save > 300:
            save(a.out, model, opt, state, t_start)
            last_save = time.time()
    save(a.out, model, opt, state, t_start)


def save(path, model, opt, state, t_start):
    st = dict(state, seconds=state["seconds"] + time.time() - t_start)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": st}, path + ".tmp")
    import os
    os.replace(path + ".tmp", path)


def load_model(path, width=16):
    model = PitchNet(width)
    model.load_state_dict(torch.load(path, weights_only=False)["model"])
    model.eval()
    return model


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("cmd")
    p.add_argument("out")
    p.add_argument("--data", default="/work/data/r40/train-*/*.npz")
    p.add_argument("--minutes", type=float, default=40)
    p.add_argument("--seed", type=int, default=40)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--bleed", type=float, default=0.5)
    train(p.parse_args())
