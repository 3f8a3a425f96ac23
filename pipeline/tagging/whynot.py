"""Why a tag did not fire on a paper: the closest rule and what it lacked.

A missed paper is only fixable when one can see which condition failed: no
trigger word, a context group with no word, a veto word, a domain veto
without its exception, too few repetitions, or a score short of the
threshold. This walks one tag's rules on the slow, complete road (every
field scanned, regexes included) and names the rule that came closest.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.tagging.matcher import RuleSet

SHOWN_TERMS = 4


@dataclass(frozen=True, slots=True)
class Diagnosis:
    tag: str
    rule: str | None  # the closest rule, None when the tag has no rule that could have fired
    lacked: str  # one line: what stopped the tag


def _terms(terms: tuple[str, ...]) -> str:
    shown = ", ".join(f'"{term}"' for term in terms[:SHOWN_TERMS])
    return shown + (f" (+{len(terms) - SHOWN_TERMS} more)" if len(terms) > SHOWN_TERMS else "")


def _quoted(words: list[str]) -> str:
    return ", ".join(f'"{word}"' for word in dict.fromkeys(words))


def why_not(rules: RuleSet, title: str, abstract: str | None, tag: str, present: set[str]) -> Diagnosis:
    """What kept `tag` off this paper; `present` are the tags the paper did get."""
    compiled = rules.compiled(tag)
    title_field, abstract_field = rules.scanned(title, abstract)
    both = title_field.mask | abstract_field.mask
    blockers: list[str] = []
    if both & compiled.none_bits:
        blockers.append(f"vetoed by {_quoted(rules.quote(title_field, compiled.none_bits) + rules.quote(abstract_field, compiled.none_bits))}")
    for (domain, unless), spec in zip(compiled.domains, compiled.spec.vetoes, strict=True):
        if both & domain and not both & unless:
            words = rules.quote(title_field, domain) + rules.quote(abstract_field, domain)
            exception = f", and none of its exceptions ({_terms(spec.unless)})" if spec.unless else ""
            blockers.append(f"domain veto '{spec.name}' on {_quoted(words)}{exception}")
    missing = [name for name in compiled.spec.requires if name not in present]
    if missing:
        blockers.append(f"requires {', '.join(missing)}, which the paper did not get")

    fired_points, candidates = 0.0, []
    for order, rule in enumerate(compiled.rules):
        spec = rule.spec
        scope = (title_field.mask if rule.in_title else 0) | (abstract_field.mask if rule.in_abstract else 0)
        lacks = []
        if not scope & rule.any_bits:
            where = "" if spec.scope == "both" else f" in the {spec.scope}"
            lacks.append(f"none of its words{where} ({_terms(spec.any) or 'its regex'})")
        if both & rule.none_bits:
            words = rules.quote(title_field, rule.none_bits) + rules.quote(abstract_field, rule.none_bits)
            lacks.append(f"switched off by {_quoted(words)}")
        for bits, group in zip(rule.all_bits, spec.all, strict=True):
            if not scope & bits:
                lacks.append(f"no context word ({_terms(group)})")
        in_title = rule.in_title and title_field.mask & rule.any_bits
        if rule.repeat > 1 and not in_title and scope & rule.any_bits:
            seen = rules.count(abstract_field, rule)
            if seen < rule.repeat:
                lacks.append(f"its words occur {seen}x in the abstract, {rule.repeat}x needed (or once in the title)")
        if not lacks:
            fired_points += rule.weight * (rules.title_weight if in_title else 1.0)
        else:
            candidates.append((len(lacks) + (not scope & rule.any_bits), order, rule.name, lacks))
    parts = list(blockers)
    closest = None
    if fired_points and fired_points < compiled.threshold:
        parts.append(f"its rules that fired score {fired_points:g}, {compiled.threshold:g} needed")
    if candidates and (not blockers or not fired_points):
        _, _, closest, lacks = min(candidates)
        parts.append(f"closest rule '{closest}' lacked {'; '.join(lacks)}")
    return Diagnosis(tag, closest, "; ".join(parts) or "every rule fired (a prerequisite was dropped later)")
