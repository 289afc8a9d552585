"""An independent Mesa 3 implementation of the azalai model, for agreement checks with the engine.

See docs/ODD.md, section "Reference implementation". The numba engine (``azalai.model``) is the
implementation every command uses; this package exists to check it.
"""

from azalai.reference.model import ReferenceModel

__all__ = ["ReferenceModel"]
