"""Checking a page's parameters: one clear error that names the parameter and what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ParameterError(ValueError):
    """A parameter value that the page cannot use. The message lists the allowed values."""


def _fmt(allowed: Iterable) -> str:
    allowed = [str(a) for a in allowed]
    return ", ".join(allowed) if len(allowed) <= 60 else ", ".join(allowed[:60]) + f", … ({len(allowed)} in all)"


def choice(name: str, value, allowed: Iterable, *, normalise=lambda v: str(v).strip().lower()):
    """Return the allowed value matching `value` (case-insensitive by default), or raise ParameterError."""
    allowed = list(allowed)
    lookup = {normalise(a): a for a in allowed}
    key = normalise(value)
    if key in lookup:
        return lookup[key]
    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ParameterError(f"{name}={value!r} is not available{hint}; allowed: {_fmt(allowed)}")


def choices(name: str, values, allowed: Iterable, *, all_token: str = "all") -> list:
    """A list parameter: a list/tuple, a comma-separated string, or `all_token` for every allowed value."""
    allowed = list(allowed)
    if values is None or (isinstance(values, str) and values.strip().lower() == all_token):
        return allowed
    if isinstance(values, str):
        values = [v for v in (p.strip() for p in values.split(",")) if v]
    if not isinstance(values, (list, tuple)) or not values:
        raise ParameterError(f"{name} must be {all_token!r}, a comma-separated string or a list; got {values!r}")
    return [choice(name, v, allowed) for v in values]


def number(name: str, value, *, minimum=None, maximum=None, integer: bool = False):
    """A numeric parameter within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ParameterError(f"{name} must be a number; got {value!r}")
    if integer and int(value) != value:
        raise ParameterError(f"{name} must be a whole number; got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            allowed = f"{minimum:,} to {maximum:,}"
        else:
            allowed = f"at least {minimum:,}" if minimum is not None else f"at most {maximum:,}"
        raise ParameterError(f"{name}={value!r} is out of range; allowed: {allowed}")
    return int(value) if integer else value
