"""Plausible Danish demo members: first names, initials and coarse strata, from a seeded rng."""

from __future__ import annotations

import random

from facilitation.roster import MemberSpec

WOMEN = [
    "Anna",
    "Sofie",
    "Ida",
    "Emma",
    "Freja",
    "Laura",
    "Maja",
    "Karen",
    "Mette",
    "Hanne",
    "Lone",
    "Birgitte",
    "Inge",
    "Kirsten",
    "Lene",
    "Pia",
    "Susanne",
    "Camilla",
    "Louise",
    "Julie",
    "Nanna",
    "Signe",
    "Astrid",
    "Marie",
    "Helle",
    "Tove",
    "Jytte",
    "Bente",
    "Rikke",
    "Anne",
]
MEN = [
    "Mads",
    "Lars",
    "Jens",
    "Peter",
    "Søren",
    "Niels",
    "Henrik",
    "Anders",
    "Morten",
    "Jesper",
    "Thomas",
    "Rasmus",
    "Mikkel",
    "Frederik",
    "Oliver",
    "William",
    "Noah",
    "Lucas",
    "Emil",
    "Magnus",
    "Christian",
    "Jakob",
    "Poul",
    "Bent",
    "Erik",
    "Ole",
    "Torben",
    "Kim",
    "Ib",
    "Jørgen",
]
INITIALS = "ABDEFGHIJKLMNOPRSTVØÅ"
# Strata shaped like a Danish panel drawn to mirror the population (issue 5's distributions).
AGES = (("16-29", 22), ("30-44", 25), ("45-59", 25), ("60-74", 18), ("75+", 10))
EDUCATION = (("kort", 30), ("mellem", 40), ("lang", 30))
AREAS = (("by", 40), ("forstad", 30), ("mindre by", 18), ("land", 12))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return str(rng.choices(values, weights=weights)[0])


def demo_members(count: int, rng: random.Random) -> list[MemberSpec]:
    """``count`` members with unique display names and codes ``D001``…"""
    members: list[MemberSpec] = []
    used: set[str] = set()
    for index in range(count):
        woman = index % 2 == 0
        name = ""
        while not name or name in used:
            first = rng.choice(WOMEN if woman else MEN)
            name = f"{first} {rng.choice(INITIALS)}."
            if len(used) > len(WOMEN) * len(INITIALS):  # very large demos: numbered names
                name = f"{first} {index + 1}"
        used.add(name)
        attributes = {
            "gender": "kvinde" if woman else "mand",
            "age": _pick(rng, AGES),
            "education": _pick(rng, EDUCATION),
            "area": _pick(rng, AREAS),
        }
        members.append(MemberSpec(code=f"D{index + 1:03d}", name=name, attributes=attributes))
    return members
