"""Separator v3 (#21): a validation set that shares neither timbres nor arrangement code with
training, the sampler's timbre augmentation and the identity-initialised context extension."""

import ast
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mido")

from jazzremix_gui.core.signal.features import mid_magnitude  # noqa: E402
from jazzremix_gui.core.signal.stft import WIN_LEN, first_centre  # noqa: E402
from jazzremix_gui.training.synth import dataset, render, val_arrangement  # noqa: E402
from jazzremix_gui.training.synth.arrangement import STYLE_NAMES, plan_track  # noqa: E402
from jazzremix_gui.training.synth.render import SynthError, check_soundfonts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SYNTH = ROOT / "jazzremix_gui" / "training" / "synth"
TRAINING_ARRANGEMENT = {"arrangement", "comping", "solo_lines", "drums", "styles", "theory", "instruments"}


def test_val_generator_imports_no_training_arrangement_code():
    tree = ast.parse((SYNTH / "val_arrangement.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[-1])
            if node.module == "timing":
                assert [a.name for a in node.names] == ["Part"], "only the Part record may come from timing"
        elif isinstance(node, ast.Import):
            imported.update(a.name.split(".")[-1] for a in node.names)
    assert not imported & TRAINING_ARRANGEMENT, imported & TRAINING_ARRANGEMENT


def test_training_generator_never_makes_validation_idioms_and_vice_versa():
    val_styles = set(val_arrangement.IDIOMS)
    assert not val_styles & set(STYLE_NAMES)
    for i in range(60):
        assert plan_track(7, i, 8.0).info["style"] not in val_styles
        _, info = val_arrangement.plan_val_track(8.0, np.random.default_rng(i))
        assert info["style"] in val_styles and info["style"] not in STYLE_NAMES


def test_soundfont_families_are_disjoint():
    assert not any(render.is_validation_only(p) for p in render.DEFAULT_SOUNDFONTS)
    assert all(render.is_validation_only(p) for p in render.VALIDATION_SOUNDFONTS)
    assert not any(render.is_reserved(p) for p in render.VALIDATION_SOUNDFONTS)
    for p in render.VALIDATION_SOUNDFONTS:  # the training generator refuses each (before looking for the file)
        with pytest.raises(SynthError, match="reserved for validation"):
            check_soundfonts([str(p)], "train")
    for p in render.DEFAULT_SOUNDFONTS:
        with pytest.raises(SynthError, match="training soundfont"):
            check_soundfonts([str(p)], "val")


def test_validation_soundfont_behind_a_link_is_refused_for_training(tmp_path):
    target = tmp_path / "OPL-3_FM_128M.sf2"
    target.write_bytes(b"RIFF")
    link = tmp_path / "innocent.sf2"
    link.symlink_to(target)
    with pytest.raises(SynthError, match="reserved for validation"):
        check_soundfonts([str(link)], "train")


def test_val_plan_is_deterministic_and_playable():
    a_parts, a_info = val_arrangement.plan_val_track(12.0, np.random.default_rng(3))
    b_parts, b_info = val_arrangement.plan_val_track(12.0, np.random.default_rng(3))
    assert a_info == b_info and [p.notes for p in a_parts] == [p.notes for p in b_parts]
    programs = {s[1] for s in val_arrangement.VAL_SOLOISTS}
    for seed in range(30):
        parts, info = val_arrangement.plan_val_track(12.0, np.random.default_rng(seed))
        assert parts[0].name == "solo" and parts[0].program in programs
        assert sum(p.drum for p in parts) == 1 and len(parts) >= 4
        low, high = next((s[2], s[3]) for s in val_arrangement.VAL_SOLOISTS if s[0] == info["instrument"])
        assert parts[0].notes, info
        for p in parts:
            for t, d, pitch, vel in p.notes:
                assert 0 <= t < 12.0 and d > 0 and 0 <= pitch <= 127 and 1 <= vel <= 127
        assert all(low <= n[2] <= high for n in parts[0].notes)


def _sf2(path: Path, presets: list[tuple[int, int, str]]) -> Path:
    """A minimal SF2 RIFF with an INFO list, an empty sdta list and a pdta list holding phdr."""
    def chunk(cid: bytes, body: bytes) -> bytes:
        return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")

    phdr = b"".join(name.encode().ljust(20, b"\0") + struct.pack("<HHHIII", prog, bank, 0, 0, 0, 0)
                    for bank, prog, name in presets + [(0, 0, "EOP")])
    info = b"INFO" + chunk(b"ifil", struct.pack("<HH", 2, 1))
    sdta = b"sdta" + chunk(b"smpl", b"\0" * 64)
    pdta = b"pdta" + chunk(b"phdr", phdr)
    body = b"sfbk" + chunk(b"LIST", info) + chunk(b"LIST", sdta) + chunk(b"LIST", pdta)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_soundfont_presets_and_kit_only(tmp_path):
    gm = _sf2(tmp_path / "gm.sf2", [(0, 0, "Piano"), (0, 56, "Trumpet"), (128, 0, "Standard")])
    kit = _sf2(tmp_path / "kit.sf2", [(0, 0, "Black Pearl")])
    assert render.soundfont_presets(gm) == [(0, 0, "Piano"), (0, 56, "Trumpet"), (128, 0, "Standard")]
    assert not render.is_kit_only(gm) and render.is_kit_only(kit)
    (tmp_path / "bad.sf2").write_bytes(b"nope")
    with pytest.raises(SynthError, match="not a SoundFont"):
        render.soundfont_presets(tmp_path / "bad.sf2")


@pytest.mark.skipif(not (shutil.which("fluidsynth") and all(p.is_file() for p in render.VALIDATION_SOUNDFONTS)),
                    reason="fluidsynth, opl3-soundfont and avldrums.lv2-soundfont needed")
def test_val_track_renders_with_kit_drums_and_exact_stems(tmp_path):
    names = dataset.generate_dataset(tmp_path / "v", 2, 4.0, 9, None, jobs=1, level_profile="wide",
                                     variety=0.0, generator="val")
    info = json.loads((tmp_path / "v" / "dataset.json").read_text())
    assert info["generator"] == "val-1.0" and dataset.is_validation_set(tmp_path / "v")
    assert set(info["soundfonts"]) <= {p.name for p in render.VALIDATION_SOUNDFONTS}
    from scipy.io import wavfile
    for name in names:
        meta = json.loads((tmp_path / "v" / name / "meta.json").read_text())
        assert meta["generator"] == "val-1.0" and meta["style"] in val_arrangement.IDIOMS
        stems = {s: wavfile.read(tmp_path / "v" / name / f"{s}.wav")[1] for s in ("mixture", "solo", "accompaniment")}
        assert np.sqrt(np.mean(stems["solo"] ** 2)) > 1e-3 and np.sqrt(np.mean(stems["accompaniment"] ** 2)) > 1e-3
        assert np.array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    # a drum part through a kit-only soundfont sounds (it is played on a melodic channel)
    parts, _ = val_arrangement.plan_val_track(4.0, np.random.default_rng(0))
    drums = next(p for p in parts if p.drum)
    kit = next(str(p) for p in render.VALIDATION_SOUNDFONTS if render.is_kit_only(p))
    audio = render.render_part(drums, kit, 4 * 44100, tmp_path)
    assert np.sqrt(np.mean(audio ** 2)) > 1e-3


def _stem_dataset(root: Path, generator: str = "synth-2.0") -> Path:
    from scipy.io import wavfile
    rng = np.random.default_rng(0)
    n = 3 * 44100
    for k in range(2):
        d = root / f"track_{k:05d}"
        d.mkdir(parents=True)
        solo = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)
        acc = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)
        for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
            wavfile.write(d / f"{name}.wav", 44100, x)
        (d / "meta.json").write_text("{}")
    (root / "dataset.json").write_text(json.dumps({"generator": generator}))
    return root


def test_training_refuses_a_validation_set(tmp_path):
    from jazzremix_gui.training.remix_sampler import RemixSampler
    val = _stem_dataset(tmp_path / "val", generator="val-1.0")
    with pytest.raises(SynthError, match="validation only"):
        RemixSampler(str(val), 16, 1024, 0)


def test_timbre_augmentation_colours_each_stem_and_keeps_the_mixture_their_sum(tmp_path):
    from jazzremix_gui.training.remix_sampler import RemixSampler
    data = _stem_dataset(tmp_path / "train")
    plain = RemixSampler(str(data), 16, 1024, 5, p_remix=0.0, log=lambda m: None)
    aug = RemixSampler(str(data), 16, 1024, 5, p_remix=0.0, log=lambda m: None, timbre=1.0)
    # the plain batch is the core's mid magnitude of the stems (and of their sum)
    state = plain.rng.bit_generator.state
    pairs = [plain._pair() for _ in range(3)]
    plain.rng.bit_generator.state = state
    mix, solo, acc = plain.batch(3, with_acc=True)
    offset = first_centre(1024) - WIN_LEN // 2
    for k, (s, a) in enumerate(pairs):
        np.testing.assert_allclose(solo[k], mid_magnitude(s, 1024, 0, 16, offset), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(mix[k], mid_magnitude(s + a, 1024, 0, 16, offset), rtol=1e-3, atol=1e-5)
    amix, asolo, aacc = aug.batch(3, with_acc=True)
    for k in range(3):
        ratio_s = asolo[k] / np.maximum(solo[k], 1e-12)
        ratio_a = aacc[k] / np.maximum(acc[k], 1e-12)
        # an envelope: the same gain per bin in every frame, different for the two stems, not flat
        np.testing.assert_allclose(ratio_s, np.broadcast_to(ratio_s[:1], ratio_s.shape), rtol=1e-3)
        np.testing.assert_allclose(ratio_a, np.broadcast_to(ratio_a[:1], ratio_a.shape), rtol=1e-3)
        assert np.ptp(20 * np.log10(ratio_s[0])) > 1.0 and not np.allclose(ratio_s[0], ratio_a[0], rtol=0.05)
        # the mixture is the magnitude of the coloured stems' sum: within the triangle inequality
        assert np.all(amix[k] <= asolo[k] + aacc[k] + 1e-6) and np.all(amix[k] >= np.abs(asolo[k] - aacc[k]) - 1e-6)
        assert not np.allclose(amix[k], mix[k], rtol=0.05)


def _peak_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * 44100 / len(x))


def test_resampling_moves_pitch_by_the_drawn_factor_and_keeps_an_original_pair_together(tmp_path):
    from scipy.io import wavfile
    from jazzremix_gui.training.remix_sampler import RemixSampler
    root = tmp_path / "train"
    t = np.arange(3 * 44100) / 44100
    for k in range(2):  # solo: a 1000 Hz sine, accompaniment: 500 Hz (one octave apart)
        d = root / f"track_{k:05d}"
        d.mkdir(parents=True)
        solo = np.repeat(0.3 * np.sin(2 * np.pi * 1000 * t)[:, None], 2, 1).astype(np.float32)
        acc = np.repeat(0.3 * np.sin(2 * np.pi * 500 * t)[:, None], 2, 1).astype(np.float32)
        for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
            wavfile.write(d / f"{name}.wav", 44100, x)
        (d / "meta.json").write_text("{}")
    (root / "dataset.json").write_text(json.dumps({"generator": "synth-2.0"}))
    off = RemixSampler(str(root), 16, 1024, 3, p_remix=0.0, log=lambda m: None)
    s, a = off._pair()
    assert abs(_peak_hz(s) - 1000) < 3 and abs(_peak_hz(a) - 500) < 3  # off: the stems as written
    together = RemixSampler(str(root), 16, 1024, 3, p_remix=0.0, log=lambda m: None, resample=4)
    apart = RemixSampler(str(root), 16, 1024, 3, p_remix=1.0, log=lambda m: None, resample=4)
    factors, ratios = [], []
    for _ in range(8):
        state = together.rng.bit_generator.state
        together.rng.choice(together.tracks), together.rng.random()  # the draws _pair makes before its factor
        f = together._factor()
        together.rng.bit_generator.state = state
        s, a = together._pair()
        assert s.shape == a.shape == (together.span,) and s.dtype == np.float32
        assert abs(_peak_hz(s) - 1000 * f) < 4 and abs(_peak_hz(a) - 500 * f) < 4  # pitch moved by the factor
        factors.append(f)
        s, a = apart._pair()
        ratios.append(_peak_hz(s) / _peak_hz(a))
    assert min(factors) < 0.95 and max(factors) > 1.05 and max(factors) <= 2 ** (4 / 12) + 1e-9
    # a remixed pair draws one factor per stem: the octave between them no longer holds
    assert max(abs(r - 2.0) for r in ratios) > 0.05


def test_extended_context_starts_as_the_same_model():
    torch = pytest.importorskip("torch")
    from jazzremix_gui.training import architectures
    torch.manual_seed(0)
    model = architectures.build("mask", width=32, dilations=(1, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    big = architectures.extend_context(model, [4, 8])
    assert big.dilations == (1, 2, 4, 8) and big.context_frames == model.context_frames + 12
    x = torch.rand(2, 40, architectures.N_BINS) * 0.05
    with torch.no_grad():
        assert torch.equal(model(x), big(x))
    with pytest.raises(ValueError):
        architectures.extend_context(model, [0])
    with pytest.raises(ValueError):
        architectures.extend_context(architectures.build("seed", layers=1), [4])
