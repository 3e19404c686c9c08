"""A PyTorch model behind the model seam :class:`core.models.SessionLike`, like the ONNX session.

Lets training measure validation SDR through the very pipeline the app uses, before
the model is exported to ONNX.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core.models import ModelMeta


class TorchSession:
    """A torch module as a :class:`~core.models.SessionLike`: ``.meta``, ``.path``, ``.run(features)``, providers."""

    def __init__(self, model: torch.nn.Module, meta: ModelMeta):
        self.model, self.meta, self.path = model, meta, Path(meta.path)

    @property
    def providers(self) -> list[str]:
        return ["torch-cpu"]

    @property
    def provider(self) -> str:
        return self.providers[0]

    def run(self, features: np.ndarray) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            out = self.model(torch.from_numpy(np.ascontiguousarray(features, np.float32))).numpy()
        self.model.train(was_training)
        return out
