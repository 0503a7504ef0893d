"""Fixture: an environment's Python tools (public functions with type hints).

Written by hand for Tests/ToolSandboxTests/ToolTests.swift; each function exercises one part
of the tool path: typed arguments, defaults, a numpy/sympy result, an error, a bad return value.
"""

import numpy
import sympy


def add(a: int, b: int = 10) -> int:
    """Adds two integers."""
    return a + b


def solve_quadratic(a: float, b: float, c: float) -> list:
    """Real roots of a*x**2 + b*x + c, ascending."""
    x = sympy.Symbol("x")
    return sorted(float(r) for r in sympy.solve(a * x ** 2 + b * x + c, x) if r.is_real)


def mean(values: list[float]) -> float:
    """Arithmetic mean, computed with numpy."""
    return float(numpy.mean(values))


def fail(message: str) -> str:
    """Always raises ValueError(message)."""
    raise ValueError(message)


def not_json() -> str:
    """Returns something JSON cannot carry."""
    return {1, 2}


def _helper():
    return "private functions are not tools"
