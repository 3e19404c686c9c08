"""One exception type per failure family, each with a message a user can act on."""


class JazzRemixError(Exception):
    """Base class of every error Jazz Remix reports to a user (one line, no traceback)."""


class AudioReadError(JazzRemixError):
    """An input file is missing, unreadable, empty or not audio."""


class AudioWriteError(JazzRemixError):
    """An output file or folder cannot be written."""


class ModelError(JazzRemixError):
    """A model file is missing, corrupt, not ONNX, or does not meet the model contract."""


class Cancelled(JazzRemixError):
    """The user cancelled a long-running job."""


class DiskFullError(AudioWriteError):
    """No space left where an output goes; the message says how much was needed and how much is free."""
