"""Constructors for the records a notice becomes, without the frozen dataclass ``__init__``'s cost.

A frozen dataclass sets each field through ``object.__setattr__``, the generic path (look the
descriptor up, check, set): for a ``Notice`` of 19 fields that is three times the cost of setting
its slots directly, and a small notice makes about five records. ``constructor`` generates, as
``dataclasses`` itself does, a function with the same parameters and defaults that creates the
object and sets its slots. They are set as plain attribute assignments on an object of a bare class with
the same slots, which then becomes the record: Python lets an object change class to one of the same
layout, and an assignment to a slot costs half a call of its descriptor's ``__set__`` (a ``Notice`` is made in
0.5 us instead of 0.9). The records are the same objects (equal, same hash, same pickle, still frozen); a class
with a ``__post_init__``, a field outside ``__init__``, a default factory, no slots or a base class keeps its own
``__init__``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from connectors.records import Award, Bid, Lot, Modification, Notice, Party

T = TypeVar("T")


def constructor(cls: type[T]) -> Callable[..., T]:
    """A function building ``cls`` as ``cls(...)`` does, for a frozen dataclass with slots."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if (hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__ or cls.__bases__ != (object,)
            or not all(field.init for field in fields)):
        return cls
    # A bare class of the same slots (same layout), whose objects take plain assignments and then become ``cls``.
    unfrozen = type(f"_Unfrozen{cls.__name__}", (), {"__slots__": cls.__dict__["__slots__"]})
    namespace: dict[str, Any] = {"_new": object.__new__, "_unfrozen": unfrozen, "_cls": cls}
    parameters = []
    for field in fields:
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{field.name}"] = field.default
            parameters.append(f"{field.name}=_default_{field.name}")
        elif field.default_factory is not dataclasses.MISSING:
            return cls  # a factory would need calling per object: not worth it here
        else:
            parameters.append(field.name)
    body = "".join(f"    self.{field.name} = {field.name}\n" for field in fields)
    exec(f"def new({', '.join(parameters)}):\n    self = _new(_unfrozen)\n{body}    self.__class__ = _cls\n    return self\n",
         namespace)
    new = namespace["new"]
    new.__doc__ = f"A {cls.__name__}, as ``{cls.__name__}(...)`` makes it."
    return new


new_notice = constructor(Notice)
new_party = constructor(Party)
new_lot = constructor(Lot)
new_award = constructor(Award)
new_bid = constructor(Bid)
new_modification = constructor(Modification)
