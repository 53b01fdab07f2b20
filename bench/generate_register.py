#!/usr/bin/env python3
"""Writes a synthetic case register CSV (DESIGN.md "Case register import") for tests and benchmarks.

Deterministic from --seed; every name is invented, never a real person's record. Family names are built
from syllables (a few thousand of them) and drawn with a Zipf-like skew, so the commonest covers about 1.5% of
people, as the commonest British surname does; given names likewise from a few hundred. The short FAMILY and
GIVEN lists below are the commonest ones, so "hollins sam" is a worst-case query for name search.
The mix follows the national picture: about 70% Category 1, Level 1 dominant, a few hundred Level 3 per 100k.
Usage: generate_register.py --rows 100000 [--seed 7] [--bad-row N] > register.csv
"""
import argparse
import random
import sys

FAMILY = ["Ashdown", "Brackley", "Carrow", "Dunmore", "Elsworth", "Fairbank", "Garside", "Hollins", "Ingleby",
          "Jessop", "Kenley", "Lowther", "Marden", "Northam", "Oakridge", "Pelham", "Quarry", "Redfern", "Stanwick",
          "Thursby", "Upton", "Verity", "Walford", "Yarrow", "Zetland", "O'Hare", "Smyth-Penrose", "Müller", "Nowak"]
GIVEN = ["Alex", "Billie", "Casey", "Dale", "Eden", "Frankie", "Glen", "Harley", "Indy", "Jamie", "Kit", "Lee",
         "Morgan", "Noel", "Owen", "Parker", "Quinn", "Robin", "Sam", "Toby", "Zoë", "Rhys", "Aled", "Siân"]
FAMILY_STARTS = ["Ash", "Brack", "Car", "Dun", "Els", "Fair", "Gar", "Hol", "Ing", "Jess", "Ken", "Low", "Mar", "North",
                 "Oak", "Pel", "Quar", "Red", "Stan", "Thurs", "Up", "Ver", "Wal", "Yar", "Zet", "Brad", "Crom", "Dal",
                 "Ever", "Fen", "Grim", "Hart", "Kirk", "Lang", "Mow", "Ness", "Orm", "Penn", "Ross", "Sel", "Tad",
                 "Ul", "Wick", "Ab", "Bel", "Cole", "Dray", "Est", "Fox", "Gold", "Hay", "Ives", "Jar", "Kel"]
FAMILY_ENDS = ["ley", "ton", "well", "by", "field", "ham", "worth", "stead", "ridge", "more", "combe", "den", "ford",
               "gate", "holme", "ington", "land", "mere", "side", "thorpe", "wood", "croft", "dale", "shaw", "wick",
               "bury", "cott", "hurst", "leigh", "low", "minster", "pool", "stone", "ville", "wright", "smith", "er",
               "man", "son", "ey", "in", "ock", "all", "es", "on", "ard", "ling", "ett", "an", "ow"]
GIVEN_STARTS = ["Al", "Bri", "Cal", "Dar", "El", "Fin", "Gar", "Hal", "Is", "Jo", "Ka", "Lu", "Ma", "Ni", "Ol", "Pe",
                "Ra", "Se", "Ta", "Ve", "Wil", "Ya", "Zo", "An", "Be", "Cor", "De", "Em", "Fa", "Ger"]
GIVEN_ENDS = ["an", "en", "ie", "o", "a", "ey", "ith", "on", "ric", "ny", "la", "in", "el", "ia", "us", "yn"]
AGENCIES = ["police", "probation", "nhs_trust", "yot"]
COLUMNS = ("nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,"
           "level,lead_agency,mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,"
           "status,exit_date,exit_reason")


def zipf_names(common, starts, ends, rng, flatten):
    """The common names first, then every syllable combination, with weights falling as 1/rank."""
    names = list(common)
    seen = set(names)
    for start in starts:
        for end in ends:
            name = start + end
            if name not in seen:
                seen.add(name)
                names.append(name)
    rng.shuffle(names[len(common):])
    weights = [1.0 / (rank + flatten) for rank in range(len(names))]
    return names, weights


def row(index, rng, family_names, given_names):
    category = rng.choices([1, 2, 3, 4], weights=[70, 26, 3, 1])[0]
    level = rng.choices(["1", "2", "3"], weights=[95, 4.7, 0.3])[0]
    if category == 3 and level == "1":
        level = "2"
    family = rng.choices(*family_names)[0]
    given = rng.choices(*given_names)[0]
    dob = f"{rng.randint(1945, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    start = f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    custody = rng.choices(["community", "custody", "hospital"], weights=[85, 13, 2])[0]
    release = f"{rng.randint(2027, 2030)}-{rng.randint(1, 12):02d}-01" if custody != "community" else ""
    exited = rng.random() < 0.05
    rosh = rng.choices(["low", "medium", "high", "very high"], weights=[20, 50, 25, 5])[0]
    alias = rng.choices(*given_names)[0] if rng.random() < 0.2 else ""
    return ",".join([
        f"N{index:07d}", f'"{family}"' if "," in family else family, given, alias, dob, rng.choice(["Male", "Female"]),
        "Synthetic", f"{dob[2:4]}/{index:06d}X", "", f"X{index:06d}", str(category), level, rng.choice(AGENCIES), start,
        "", "", rosh, custody, release, "exited" if exited else "active", "2026-01-15" if exited else "",
        "Notification period ended" if exited else "",
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-row", type=int, default=0, help="make data row N invalid (category 9)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    family_names = zipf_names(FAMILY, FAMILY_STARTS, FAMILY_ENDS, random.Random(1), 15)
    given_names = zipf_names(GIVEN, GIVEN_STARTS, GIVEN_ENDS, random.Random(2), 8)
    out = sys.stdout
    out.write(COLUMNS + "\n")
    for index in range(1, args.rows + 1):
        line = row(index, rng, family_names, given_names)
        if index == args.bad_row:
            parts = line.split(",")
            parts[10] = "9"
            line = ",".join(parts)
        out.write(line + "\n")


if __name__ == "__main__":
    main()
