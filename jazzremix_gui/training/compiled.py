"""A training step's loss through ``torch.compile`` (TorchInductor), with the eager function as the fallback.

``train-separator --compile`` runs the forward pass and the loss as one compiled graph: TorchInductor fuses the
element-wise operations around the matrix products (the compression, the layer norms, GELU, the mask, the squared
errors) into generated C++ loops, in the forward and the backward pass. On the AMD EPYC VM a step of the shipped
separator's recipe in bfloat16 on one thread took 0.108 s against 0.131-0.139 s eager (docs/TRAINING.md). The values
are the eager ones up to float rounding (fused loops round in another order; ``tests/test_compiled.py``).

The first call compiles the forward pass and, through one gradient taken there, the backward pass (about 15 s for the
separator; TorchInductor keeps its cache under ``TORCHINDUCTOR_CACHE_DIR``, by default a folder of the system's
temporary directory). Where it cannot (no C++ compiler on the machine, a Python that this PyTorch cannot compile for,
an operation it does not support), it says why once and the run goes on with the eager function; a later error is the
step's own and is raised.
"""

from __future__ import annotations

from typing import Callable


class CompiledLoss:
    """``fn`` through ``torch.compile`` (``dynamic=False``: a recipe's batches keep their shape), or ``fn`` itself
    once compiling it failed.

    Parameters
    ----------
    fn : callable
        The eager loss, ``fn(model, ...)`` (``training.train_separator.loss_fn``): a scalar tensor.
    log : callable
        ``log(message)``: told once when compiling fails.
    """

    def __init__(self, fn: Callable, log: Callable[[str], None]):
        self.eager, self.log = fn, log
        self.compiled = None  # True once a compiled call and its gradient have returned; False after the fallback
        try:
            import torch

            self._fn = torch.compile(fn, dynamic=False)
        except Exception as exc:  # noqa: BLE001 - refused at once (an unsupported Python): the eager step
            self._fall_back(exc)

    def __call__(self, *args, **kwargs):
        if self.compiled is None:
            try:
                out = self._fn(*args, **kwargs)
                self._backward_compiled(out, args[0])
            except Exception as exc:  # noqa: BLE001 - any failure of the compiler: the eager step instead
                self._fall_back(exc)
                return self.eager(*args, **kwargs)
            self.compiled = True
            return out
        return self._fn(*args, **kwargs)

    @staticmethod
    def _backward_compiled(out, model) -> None:
        """Compile the backward pass now (PyTorch compiles it at the first backward, which the caller takes outside
        this class): one gradient of ``out`` with respect to ``model``'s weights, their ``.grad`` untouched."""
        import torch

        params = [p for p in model.parameters() if p.requires_grad]
        torch.autograd.grad(out, params, retain_graph=True, allow_unused=True)

    def _fall_back(self, exc: Exception) -> None:
        self.compiled, self._fn = False, self.eager
        text = str(exc).strip()
        first = text.splitlines()[0][:200] if text else ""
        self.log(f"torch.compile failed ({type(exc).__name__}: {first}): the steps run eager")
