"""How a model card's JSON is read strictly: the type checks, ``CardError`` and the ``Strict`` base.

``card.ModelCard`` and its sections are frozen dataclasses; this is what lets them reject unknown
keys, missing required ones and values of the wrong type with the field named
(``state.step must be an integer, not '3'``), and write an optional field only while it is set.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import fields
from typing import Any, ClassVar, Self

from tui_lyrics.errors import LyricsError, StoreError

OMIT_NONE = {"omit_none": True}
"""Field metadata: leave the key out of the JSON while the value is None (for new optional fields)."""


class CardError(StoreError):
    """A card that cannot be read as a ``ModelCard``; the message names the field."""


def _type_name(kind: Any) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", dict: "an object"}
    names |= {list: "a list", tuple: "a list"}
    return names.get(typing.get_origin(kind) or kind, getattr(kind, "__name__", str(kind)))


def check_value(value: Any, kind: Any, where: str) -> Any:
    """``value`` if it has type ``kind`` (ints accepted as floats), else a CardError naming ``where``."""
    origin = typing.get_origin(kind)
    if kind is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        real = [o for o in options if o is not type(None)]
        if len(real) == 1:  # X | None: X's own message names the inner field at fault
            return check_value(value, real[0], where)
        for option in (o for o in options if o is not type(None)):
            try:
                return check_value(value, option, where)
            except CardError:
                continue
        wanted = " or ".join(_type_name(o) for o in options if o is not type(None))
        raise CardError(f"{where} must be {wanted}, not {value!r}")
    if kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind in (str, bool):
        if isinstance(value, kind):
            return value
    elif origin is dict or kind is dict:
        if isinstance(value, dict):
            keys, item = typing.get_args(kind) or (Any, Any)
            for key, v in value.items():
                check_value(key, keys, f"{where} key")
                check_value(v, item, f"{where}.{key}")
            return value
    elif isinstance(kind, type) and issubclass(kind, Strict):  # a section of its own: its fields named
        return kind.from_dict(value, where)
    elif origin is list or origin is tuple:
        if isinstance(value, list | tuple):
            item = typing.get_args(kind)[0] if typing.get_args(kind) else Any
            return type(value)(check_value(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    else:
        raise TypeError(f"card field type {kind!r} is not supported")  # a programming error, not the user's
    raise CardError(f"{where} must be {_type_name(origin or kind)}, not {value!r}")


def check_fields(cls: type, data: Any, where: str) -> dict[str, Any]:
    """The keys of ``data`` checked against the dataclass ``cls``: none unknown, none required missing."""
    if not isinstance(data, dict):
        raise CardError(f"{where} must be an object, not {data!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise CardError(f"{where} has unknown field(s): {', '.join(unknown)}")
    missing = [
        n
        for n, f in known.items()
        if n not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise CardError(f"{where} is missing {', '.join(missing)}")
    return {name: check_value(value, hints[name], f"{where}.{name}") for name, value in data.items()}


class Strict:
    """``from_dict`` that type-checks every field, ``to_dict`` that drops optional ``None``s."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]  # each subclass is a dataclass

    @classmethod
    def from_dict(cls, data: Any, where: str = "card") -> Self:
        values = check_fields(cls, data, where)
        try:
            return cls(**values)
        except (TypeError, ValueError, LyricsError) as error:
            raise CardError(f"{where}: {error}") from error

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_none"):
                continue  # a newer optional field: a card without it reads the same everywhere
            out[f.name] = value.to_dict() if hasattr(value, "to_dict") else value
        return out
