"""The log-distance path-loss model is written once, in algorithms/paper/pathloss.py: a copy elsewhere (with its own
distance floor, as four copies once had three floors) fails this test."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "algorithms" / "paper" / "pathloss.py"
SHIPPED = sorted(p for folder in ("algorithms", "plugin") for p in (ROOT / folder).rglob("*.py") if p != HOME)


def _names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _is_exponent(name):
    return name == "n" or name.endswith("_n")


def _factors(node):
    """The operands of a chain of * and /."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        return _factors(node.left) + _factors(node.right)
    return [node]


def model_expressions(source):
    """Line numbers of expressions that write the model out: 10 n (or 5 n) times something, 10 log10(d),
    10 ** (.. / n), or log10 of a distance."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            factors = _factors(node)
            constants = {f.value for f in factors if isinstance(f, ast.Constant)}
            names = set().union(*(_names(f) for f in factors))
            if constants & {10, 10.0, 5, 5.0} and (any(map(_is_exponent, names)) or
                                                   any("log_d" in n or "log10" in n for n in names)):
                found.append(node.lineno)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and \
                isinstance(node.left, ast.Constant) and node.left.value in (10, 10.0) and \
                any(map(_is_exponent, _names(node.right))):
            found.append(node.lineno)
        if isinstance(node, ast.Call) and "log10" in _names(node.func) and \
                any(word in name for name in _names(node) for word in ("hypot", "dist")):
            found.append(node.lineno)
    return sorted(set(found))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_module_writes_the_pathloss_model_out(path):
    lines = model_expressions(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.relative_to(ROOT)} lines {lines}: call algorithms/paper/pathloss.py instead"


@pytest.mark.parametrize("copy", [
    "mean = a - 10.0 * n * np.log10(np.maximum(d, 1.0))",
    "f = rss + 10.0 * fit.fitted_n * log_d",
    "grad = (10.0 * n / LN10) * offset / dist2",
    "ratio = 10.0 ** ((rss[:, :1] - rss) / (5.0 * n))",
    "d = 10 ** ((a - rss) / (10 * n))",
    "x = np.log10(np.maximum(distance, 1e-3))",
    "y = a - 10 * n * x_lo",
])
def test_the_check_catches_the_copies_that_once_shipped(copy):
    assert model_expressions(copy), copy


def test_the_home_of_the_model_is_what_the_check_calls_a_copy():
    assert model_expressions(HOME.read_text(encoding="utf-8"))
