"""`record`: a dataclass whose methods are shared functions rather than generated ones.

`dataclasses.dataclass` writes `__init__`, `__repr__`, `__eq__` (and, frozen, `__hash__`,
`__setattr__`, `__delattr__`) as source text and compiles each with `exec`: ~0.5 ms a class, and
grading defines some thirty of them at import, a sixth of a cold start. `record` makes the same
dataclass (`dataclasses.fields`, `asdict`, `replace` and pydantic see the same fields) with those
methods taken from this module, which Python compiled once into its .pyc. They behave as the
generated ones for what these classes use: fields with a default or a default_factory, keyword-only
classes, frozen ones (assigning or deleting any attribute raises FrozenInstanceError), equality and
hashing over the fields' values, the same repr. Not for a class with `__post_init__`, InitVar or
ClassVar fields, or fields declared with `init=False`, `compare=False` or `repr=False`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import MISSING, FrozenInstanceError
from typing import Any

_PLAN = "_record_plan"  # per class: (names, ((name, default, factory) for each field), keyword_only)


def record(cls: type | None = None, /, *, frozen: bool = False, kw_only: bool = False):
    """`@dataclass(frozen=..., kw_only=...)` without compiled-at-import methods (see the module)."""

    def wrap(cls: type) -> type:
        cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, kw_only=kw_only)
        fields = dataclasses.fields(cls)
        for f in fields:
            if not (f.init and f.repr and f.compare and f.hash is None and f.kw_only == kw_only):
                raise TypeError(f"record {cls.__qualname__}.{f.name}: a field option records do not follow")
        names = tuple(f.name for f in fields)
        params = cls.__dataclass_params__  # this class's own: say what the methods below do
        params.init, params.repr, params.eq, params.frozen = True, True, True, frozen
        setattr(cls, _PLAN, (names, tuple((f.name, f.default, f.default_factory) for f in fields), kw_only))
        cls.__init__ = _frozen_init if frozen else _init
        cls.__repr__ = _repr
        cls.__eq__ = _eq
        if frozen:
            cls.__hash__ = _hash
            cls.__setattr__ = _frozen_setattr
            cls.__delattr__ = _frozen_delattr
        else:
            cls.__hash__ = None  # as a dataclass with eq and not frozen: unhashable
        return cls

    return wrap if cls is None else wrap(cls)


def _values(self: Any, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The fields' values for `__init__(*args, **kwargs)`, in field order, as the generated
    `__init__` takes them (TypeError for an argument too many, missing or unknown)."""
    names, plan, keyword_only = getattr(type(self), _PLAN)
    if args:
        name = type(self).__qualname__
        if keyword_only or len(args) > len(names):
            given, takes = len(args) + 1, 1 if keyword_only else len(names) + 1
            raise TypeError(f"{name}.__init__() takes {takes} positional argument{'s' * (takes > 1)} but "
                            f"{given} were given")
        for n in names[:len(args)]:
            if n in kwargs:
                raise TypeError(f"{name}.__init__() got multiple values for argument '{n}'")
        kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
    out = {}
    given = 0
    for n, default, factory in plan:
        if n in kwargs:
            out[n] = kwargs[n]
            given += 1
        elif default is not MISSING:
            out[n] = default
        elif factory is not MISSING:
            out[n] = factory()
        else:
            raise TypeError(f"{type(self).__qualname__}.__init__() missing 1 required argument: '{n}'")
    if given != len(kwargs):
        unknown = next(n for n in kwargs if n not in out)
        raise TypeError(f"{type(self).__qualname__}.__init__() got an unexpected keyword argument '{unknown}'")
    return out


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    self.__dict__.update(_values(self, args, kwargs))


def _frozen_init(self: Any, *args: Any, **kwargs: Any) -> None:
    object.__getattribute__(self, "__dict__").update(_values(self, args, kwargs))


def _repr(self: Any) -> str:
    names = getattr(type(self), _PLAN)[0]
    return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = getattr(type(self), _PLAN)[0]
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, n) for n in getattr(type(self), _PLAN)[0]))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_ATOMS = (str, int, float, bool, type(None))


def as_dict(value: Any) -> Any:
    """`dataclasses.asdict` of a record (or dataclass) and what it holds, the same result without
    asdict's deep copy of every string and number (immutable, so nothing to copy): 4.7 -> 1.5 ms for
    a graded answer, whose JSON is built through it."""
    if isinstance(value, _ATOMS):
        return value
    plan = getattr(type(value), _PLAN, None)
    if plan is not None:
        return {name: as_dict(getattr(value, name)) for name in plan[0]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if type(value) is list:
        return [as_dict(v) for v in value]
    if type(value) is dict:
        return {as_dict(k): as_dict(v) for k, v in value.items()}
    if type(value) is tuple:
        return tuple(as_dict(v) for v in value)
    return copy.deepcopy(value)  # anything else, as asdict copies it
