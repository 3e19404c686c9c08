"""``scripts/separator_soup.py``: the mean of separators' weights, with every branch's stages on its history.

sep-mask-3.1 and sep-mask-3.2 are soups; their cards' CPU time and commands come from this history.
"""

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.training import architectures, separator_weights  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = [{"stage": 1, "version": "a", "command": "jazzremix train-separator --seed 1", "steps": 10, "cpu_s": 5.0}]


def _branch(tmp_path: Path, name: str, seed: int, own: list[dict], width: int = 8) -> Path:
    torch.manual_seed(seed)
    model = architectures.build("mask", width=width, dilations=(1,))
    return separator_weights.save_weights(model, tmp_path / f"{name}.pt", SHARED + own)


def _soup(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "separator_soup.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_soup_is_the_mean_and_its_history_holds_each_branch(tmp_path):
    own_b = [{"stage": 2, "version": "b", "command": "jazzremix train-separator --seed 2", "steps": 7, "cpu_s": 3.0}]
    a, b = _branch(tmp_path, "a", 1, []), _branch(tmp_path, "b", 2, own_b)
    done = _soup(tmp_path / "soup.pt", a, b)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{tmp_path / 'soup.pt'}: the average of 2 separators"
    soup = torch.load(tmp_path / "soup.pt", weights_only=True)
    sa, sb = (torch.load(p, weights_only=True)["model"] for p in (a, b))
    for name, value in soup["model"].items():
        torch.testing.assert_close(value, ((sa[name].double() + sb[name].double()) / 2).to(value.dtype))
    history = soup["history"]
    assert [h["stage"] for h in history] == [1, 2, 3]
    assert history[0]["command"] == SHARED[0]["command"] and "branch" not in history[0]
    assert history[1]["branch"] == str(b) and history[1]["branch_from_stage"] == 1 and history[1]["cpu_s"] == 3.0
    assert history[2]["version"] == "soup" and history[2]["soup_of"] == [str(a), str(b)]
    assert history[2]["steps"] == 0 and "they share stages 1-1" in history[2]["note"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt", "b.pt", "soup.pt"]  # nothing else left


def test_separators_of_another_shape_are_refused_in_one_line(tmp_path):
    a, c = _branch(tmp_path, "a", 1, []), _branch(tmp_path, "c", 3, [], width=16)
    done = _soup(tmp_path / "soup.pt", a, c)
    assert done.returncode == 1 and "not the same architecture" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "soup.pt").exists()


def test_a_separator_without_the_gate_joins_a_gated_one_with_its_gate_at_zero(tmp_path):
    a = _branch(tmp_path, "a", 1, [])
    torch.manual_seed(2)
    gated = architectures.with_gate(architectures.build("mask", width=8, dilations=(1,)))
    with torch.no_grad():
        gated.input_gate.weight.fill_(0.5)
    g = separator_weights.save_weights(gated, tmp_path / "g.pt", SHARED)
    done = _soup(tmp_path / "soup.pt", a, g)
    assert done.returncode == 0, done.stderr
    soup = torch.load(tmp_path / "soup.pt", weights_only=True)
    assert soup["arch"].get("gate") is True
    torch.testing.assert_close(soup["model"]["input_gate.weight"], torch.full_like(gated.input_gate.weight, 0.25))
    sa = torch.load(a, weights_only=True)["model"]
    torch.testing.assert_close(soup["model"]["encode.weight"],
                               ((sa["encode.weight"].double() + gated.encode.weight.double()) / 2).float())
