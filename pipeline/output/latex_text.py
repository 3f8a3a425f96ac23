"""LaTeX in titles as text a reader reads: `$\\alpha$-synuclein` -> `α-synuclein`, `$T_1$` -> `T₁`.

Titles keep their LaTeX in the database (people want the original); messages
and exports meant for reading show it rendered. Greek letters and a few
symbols become their characters, simple sub- and superscripts (digits, signs,
a few letters) become Unicode ones, and everything else goes through the
tagger's `detex` (formatting commands keep their argument, math signs go).
"""

from __future__ import annotations

import re

_GREEK = dict(zip(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi"
    " psi omega".split(), "αβγδεζηθικλμνξπρστυφχψω"))
_CAPITAL_GREEK = dict(zip("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(), "ΓΔΘΛΞΠΣΥΦΨΩ"))
_SYMBOLS = {
    **_GREEK, **_CAPITAL_GREEK,
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "times": "×", "pm": "±", "leq": "≤", "geq": "≥",
    "le": "≤", "ge": "≥", "approx": "≈", "sim": "∼", "to": "→", "rightarrow": "→", "infty": "∞",
    "cdot": "·", "circ": "°", "degree": "°", "ell": "ℓ", "partial": "∂", "nabla": "∇",
}
_SYMBOL = re.compile(r"\\(" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")
_SUB_CHARS = set("0123456789+-=()aehijklmnoprstuvx")
_SUP_CHARS = set("0123456789+-=()in")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|([A-Za-z0-9+\-]))")


def _script(match: re.Match) -> str:
    mark, braced, single = match.groups()
    body = braced if braced is not None else single
    table, allowed = (_SUB, _SUB_CHARS) if mark == "_" else (_SUP, _SUP_CHARS)
    if body and set(body) <= allowed:
        return body.translate(table)
    return ("_" if mark == "_" else "^") + body


def readable(text: str) -> str:
    """The title as a reader should see it; text without LaTeX comes back unchanged."""
    if "$" not in text and "\\" not in text:
        return text
    # Imported here: the tagging package loads its matcher, which the exports around this need not pay for.
    from pipeline.tagging.detex import detex

    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], text)
    # \mathrm{T}_1: unwrap single-argument commands first so the script attaches to the letter.
    text = re.sub(r"\\(?:mathrm|mathbf|mathit|mathcal|mathbb|text|textrm|textbf|textit|emph|operatorname)\{([^{}]*)\}",
                  r"\1", text)
    text = re.sub(r"\$([^$]*)\$", lambda m: _SCRIPT.sub(_script, m.group(1)), text)
    return detex(text)
