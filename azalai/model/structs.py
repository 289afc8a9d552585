"""Compiled-side containers for the world, the state and the levers.

The arrays live in numpy and are shared with Python (``World``, ``State`` and ``Levers`` namedtuples);
the compiled loop receives them bundled in numba StructRefs, which are passed by pointer. Passing
large tuples of arrays by value instead makes every field access copy the whole tuple and makes
compilation slow.

The concrete struct types and their cached constructors are generated into ``_structs_gen.py`` from
the field table :mod:`azalai.model.fields` by ``python -m azalai.model.gen_structs`` (a test checks the
generated file is current). This module imports nothing of the engine, so there is no import circle.
"""

from __future__ import annotations

from numba import types
from numba.experimental import structref


@structref.register
class WorldStruct(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((n, types.unliteral(t)) for n, t in fields)


@structref.register
class StateStruct(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((n, types.unliteral(t)) for n, t in fields)


@structref.register
class LeversStruct(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((n, types.unliteral(t)) for n, t in fields)


class WorldProxy(structref.StructRefProxy):
    pass


class StateProxy(structref.StructRefProxy):
    pass


class LeversProxy(structref.StructRefProxy):
    pass


structref.define_boxing(WorldStruct, WorldProxy)
structref.define_boxing(StateStruct, StateProxy)
structref.define_boxing(LeversStruct, LeversProxy)
