"""Training-data synthesiser: procedural jazz arrangements rendered with FluidSynth.

Public entry points
-------------------
:func:`jazzremix_gui.training.synth.dataset.generate_dataset`
    Write ``DIR/<track>/{mixture,solo,accompaniment}.wav`` + ``meta.json``.
:func:`jazzremix_gui.training.synth.arrangement.plan_track`
    The arrangement of one track (no audio), deterministic for ``(seed, index)``.

Module map: ``theory`` (chords, scales, forms), ``instruments`` (GM programs and
ranges), ``styles`` (style parameters), ``timing`` (swing / humanise / events),
``solo_lines``, ``comping`` (bass, chords, horn backgrounds), ``drums``,
``arrangement`` (one track's parts), ``render`` (MIDI + FluidSynth),
``mixdown`` (pan and levels), ``degrade`` (old-recording effects), ``dataset``
(track loop, meta.json, resume, parallel).
"""
