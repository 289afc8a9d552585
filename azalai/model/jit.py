"""Compiled functions that only compiled code calls, and how Python calls one anyway.

numba gives every compiled function a Python entry point and a C entry point, which unpack each
argument (the parameter tuple alone has over 180 fields) and are typed, lowered, optimised and turned
into machine code with the function; for the mechanisms, which only the day loop calls, that is wasted
compilation (docs/performance.md, "Start-up"). :func:`compiled_only` compiles a function without
them. Calling such a function from Python raises :class:`TypeError` (numba would crash the process);
tests and profiling tools call it through :func:`python_entry`, a small compiled function that calls it.
A function that allocates no array can be compiled without reference counting (``compiled_only(nrt=False)``):
each array or struct it is handed or reads from a struct would otherwise cost an atomic increment and
decrement of a reference count (docs/performance.md, "Engine").

Such a function's machine code is never run: numba links every callee's LLVM code into its caller's
library and generates the caller's machine code from that. So its library is *link-only*
(:class:`LinkOnlyLibrary`): numba optimises its functions and caches their LLVM code (which callers link),
but generates no machine code for it, runs no module passes on it (its callers run them on the linked
code) and does not add it to the process's LLVM engine: about 11 of the 27 s of CPU that LLVM took in a
serial compilation of the engine (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import llvmlite.binding as ll
from numba import njit, types
from numba.core import cgutils, compiler
from numba.core.codegen import JITCodeLibrary, JITCPUCodegen
from numba.core.registry import CPUDispatcher
from numba.core.runtime.context import NRTContext
from numba.core.runtime.nrtdynmod import meminfo_data_ty

LINK_ONLY = "link-only"  # how numba's cache stores a link-only library: its LLVM bitcode, no object code


class LinkOnlyLibrary(JITCodeLibrary):
    """A numba code library that is only linked into its callers' libraries: its functions are optimised
    (function passes here, module passes once linked into the caller, as for every callee), but it gets
    no machine code of its own, so nothing can call it except compiled code that links it."""

    def _optimize_final_module(self):
        """No module passes: every caller links this module and optimises the whole again."""

    def _finalize_final_module(self):
        self._finalize_dynamic_globals()
        self._verify_declare_only_symbols()
        self._finalized = True

    def get_pointer_to_function(self, name):
        self._ensure_finalized()
        return 0

    def serialize_using_object_code(self):
        return (self.name, LINK_ONLY, self._get_module_for_linking().as_bitcode())


_unserialize = JITCodeLibrary._unserialize.__func__


def _unserialize_link_only(cls, codegen, state):
    name, kind, data = state
    if kind != LINK_ONLY:
        return _unserialize(cls, codegen, state)
    lib = LinkOnlyLibrary(codegen, name)
    lib._final_module = lib._shared_module = ll.parse_bitcode(data)
    lib._finalized = True
    return lib


_set_env = JITCPUCodegen.set_env


def _set_env_if_linked(self, env_name, env):
    """numba's ``set_env``, except for the environment of a link-only library, which no engine holds (the
    compiled code of this model never reads its environment, which numba uses for Python objects)."""
    if self._engine.get_global_value_address(env_name):
        _set_env(self, env_name, env)


def _meminfo_data(self, builder, meminfo):
    """numba's ``meminfo_data`` (the data pointer of a struct, read for each field access), also in a
    function compiled without reference counting: reading the pointer needs nothing of the runtime (numba
    links its ``NRT_MemInfo_data_fast`` into every library), and a field read is a borrowed reference
    there, while writing a field still needs reference counting (numba refuses to compile it)."""
    fn = cgutils.get_or_insert_function(builder.module, meminfo_data_ty, "NRT_MemInfo_data_fast")
    return builder.call(fn, [meminfo])


JITCodeLibrary._unserialize = classmethod(_unserialize_link_only)
JITCPUCodegen.set_env = _set_env_if_linked
NRTContext.meminfo_data = _meminfo_data


class LinkOnlyCompiler(compiler.Compiler):
    """numba's compiler, writing the function into a :class:`LinkOnlyLibrary`."""

    def compile_extra(self, func):
        if self.state.library is None:
            self.state.library = LinkOnlyLibrary(self.state.targetctx.codegen(), func.__qualname__)
        return super().compile_extra(func)


class CompiledOnlyDispatcher(CPUDispatcher):
    """A numba dispatcher whose compiled code has no Python entry point: compiled callers only.

    A call whose argument is a constant (``-1`` for "none", a mode flag) uses the specialisation for
    its type rather than a new one for the literal value: numba would otherwise compile the function
    once more for every such call site (twice the largest mechanisms), for the same results."""

    def get_call_template(self, args, kws):
        return super().get_call_template([types.unliteral(a) for a in args],
                                         {k: types.unliteral(v) for k, v in kws.items()})

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.py_func.__qualname__} is compiled for compiled callers only; "
                        "call it from Python through azalai.model.jit.python_entry")


def compiled_only(fn=None, *, nrt=True, inline=False):
    """``njit(cache=True)`` without the Python and C entry points; ``compiled_only(nrt=False)`` also
    without reference counting (numba's ``_nrt=False``: for functions that allocate no array; they may read
    the fields of the World, State and Levers structs, see :func:`_meminfo_data`, and call functions that
    allocate, which count their own references);
    ``compiled_only(inline=True)``: LLVM inlines it into every caller (numba's ``forceinline``, LLVM's
    ``alwaysinline``), after it has been compiled on its own, unlike numba's ``inline="always"``, which
    types and lowers a copy of it inside each caller."""
    if fn is None:
        return lambda f: compiled_only(f, nrt=nrt, inline=inline)
    # ``_nrt`` always given: numba's default is to inherit it from the function being compiled when the
    # callee is compiled, which would compile a callee that allocates without reference counting.
    options = {"nopython": True, "no_cpython_wrapper": True, "no_cfunc_wrapper": True, "_nrt": nrt}
    if inline:
        options["forceinline"] = True
    disp = CompiledOnlyDispatcher(py_func=fn, locals={}, targetoptions=options, pipeline_class=LinkOnlyCompiler)
    disp.enable_caching()
    return disp


_ENTRIES: dict = {}


def python_entry(fn):
    """A Python-callable compiled function that calls the compiled-only ``fn`` with its arguments."""
    entry = _ENTRIES.get(fn)
    if entry is None:
        def call(*args):
            return fn(*args)

        entry = _ENTRIES[fn] = njit(call)
    return entry
