from pathlib import Path
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.training import mixer_eval
from jazzremix_gui.training.train_mixer import load_tracks
sep = pipeline.load_model("models/separator.onnx", "separator")
val = load_tracks("data/mixer-val", Path("checkpoints/mix7s8/run/cache"), 8 + 500, Path("/tmp/oldmixer.log"),
                  keep_solo=10**6, separator=sep, accompaniment="spectra")
for name in ("models/previous/mix-gauss-2.1-on-sep-mask-3.3.onnx", "models/mixer.onnx"):
    m = ModelSession(name, "mixer", prefer_gpu=False)
    cells, _ = mixer_eval.track_predictions(m, Path("data/mixer-val"), sep)
    print(name, mixer_eval.cell_figures(cells, [t.cell for t in val]), flush=True)
