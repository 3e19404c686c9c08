"""scipy's compiled parts loaded on their own, without the Python layer of their package.

Importing ``scipy.fft`` costs about 0.2 s of a command's start-up (it imports ``scipy.special``)
and ``scipy.signal`` about 0.7 s (its array-API layer parses every docstring), on an idle 2-core
machine; the extension modules that do the work (pocketfft for the transforms, the second-order
sections filter for the K-weighting) load in about 15 ms. The calls, and so the results, are
those the public functions make. Where the layout differs (another scipy), :func:`extension`
returns None and the callers import the public function instead.
"""

from __future__ import annotations

import functools
import glob
import importlib.util
import os


@functools.lru_cache(maxsize=None)
def extension(pattern: str):
    """The extension module of the installed scipy whose file matches ``pattern``, or None.

    Parameters
    ----------
    pattern : str
        A glob relative to scipy's folder, e.g. ``"fft/_pocketfft/pypocketfft*"``.
    """
    try:
        spec = importlib.util.find_spec("scipy")  # finds the package without importing it
        found = glob.glob(os.path.join(spec.submodule_search_locations[0], pattern))
        name = "scipy." + os.path.dirname(pattern).replace("/", ".") + "." + os.path.basename(found[0]).split(".")[0]
        ext = importlib.util.spec_from_file_location(name, found[0])
        module = importlib.util.module_from_spec(ext)
        ext.loader.exec_module(module)
        return module
    except Exception:  # any other layout: the caller imports the public function
        return None
