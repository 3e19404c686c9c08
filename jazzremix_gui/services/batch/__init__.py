"""Batch processing of whole archives on a Dask cluster (``jazzremix batch``, the ``batch`` extra).

- :mod:`.sources`: which files a batch takes and where each one's outputs go.
- :mod:`.manifest`: ``DIR/manifest.jsonl``, one line per finished input; what a re-run may skip.
- :mod:`.task`: the work for one input on a worker (separate, suggest, export), through the pipeline seam.
- :mod:`.runner`: submits the tasks to a cluster, retries failures once, records results as they arrive.

Only :mod:`.runner` imports ``dask.distributed``; everything else is plain Python.
"""
