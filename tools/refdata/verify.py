#!/usr/bin/env python3
"""Independent check of factors/data/ against the reference tables.

Usage (from the repository root):

    python3 tools/refdata/verify.py ../shared/reference-data factors/data

Reads only the *written* output files (not build.py's in-memory rows) and
checks: every CSV has its FORMAT.md header and full rows; every value parses
as a decimal; every `source` names an existing record of an existing reference
file and the value is one of that record's fields; units, bases, gases,
stages, regions, activities and qualities are from FORMAT.md's vocabulary;
meta.toml parses and has all keys. Exits non-zero on the first failure list.
Standard library only (tomllib needs Python 3.11+).
"""

import csv
import glob
import os
import sys
import tomllib
from decimal import Decimal, InvalidOperation

HEADERS = {
    "gwp.csv": ["set", "gas", "value", "quality", "table", "source"],
    "gwp_sets.csv": ["set", "title", "publisher", "edition", "quality", "note"],
    "regions.csv": ["code", "name", "parent"],
    "activities.csv": ["key", "dimensions", "default_stage", "title"],
    "factors.csv": ["factor_id", "activity", "region", "stage", "gas", "value",
                    "unit", "basis", "quality", "table", "source"],
    "heat_content.csv": ["activity", "value", "unit", "basis", "quality", "table", "source"],
    "limits.csv": ["limit_id", "program", "activity", "tier", "value", "unit",
                   "quality", "table", "source"],
}
MASS = {"g", "kg", "t", "lb", "short_ton", "Gg"}
ACT_UNITS = {"mmBtu", "TJ", "GJ", "MJ", "kWh", "MWh", "scf", "gal_us", "m3",
             "L", "kg", "t", "short_ton", "m2", "t.km", "short_ton.mi"}
ENERGY = {"mmBtu", "TJ", "GJ", "MJ", "kWh", "MWh"}
GASES = {"CO2", "CO2_biogenic", "CH4", "CH4_fossil", "CH4_biogenic", "N2O",
         "SF6", "NF3"}
STAGES = {"combustion", "electricity", "heat", "transport", "A1-A3"}
QUAL = {"primary", "secondary", "uncertain"}

errors = []


def err(msg):
    errors.append(msg)


def read(path, kind):
    with open(path, newline="", encoding="utf-8") as f:
        recs = list(csv.reader(f))
    if recs[0] != HEADERS[kind]:
        err("%s: header %r" % (path, recs[0]))
    out = []
    for i, r in enumerate(recs[1:], start=2):
        if len(r) != len(recs[0]):
            err("%s#%d: %d fields" % (path, i, len(r)))
            continue
        out.append(dict(zip(recs[0], r)))
    return out


_ref_cache = {}


def ref_record(root, source):
    f, sep, n = source.partition("#")
    if not sep or not n.isdigit():
        return None
    if f not in _ref_cache:
        p = os.path.join(root, f)
        if not os.path.exists(p):
            return None
        with open(p, newline="", encoding="utf-8") as fh:
            _ref_cache[f] = list(csv.reader(fh))
    recs = _ref_cache[f]
    n = int(n)
    if n < 2 or n > len(recs):
        return None
    return recs[n - 1]


def check_value(root, where, value, source):
    try:
        Decimal(value)
    except InvalidOperation:
        err("%s: %r is not a decimal" % (where, value))
    rec = ref_record(root, source)
    if rec is None:
        err("%s: source %r does not exist" % (where, source))
    elif value not in rec:
        err("%s: value %r not a field of %s" % (where, value, source))


def gas_ok(g):
    return g in GASES or g.startswith("HFC-") or g.startswith("C") or g.startswith("c-C")


def main(root, data):
    regions = {r["code"]: r for r in read(os.path.join(data, "regions.csv"), "regions.csv")}
    for c, r in regions.items():
        if r["parent"] and r["parent"] not in regions:
            err("region %s: unknown parent" % c)
    acts = {a["key"]: a for a in read(os.path.join(data, "activities.csv"), "activities.csv")}
    for k, a in acts.items():
        if a["default_stage"] not in STAGES:
            err("activity %s: stage" % k)
    sets = {s["set"] for s in read(os.path.join(data, "gwp_sets.csv"), "gwp_sets.csv")}
    for i, g in enumerate(read(os.path.join(data, "gwp.csv"), "gwp.csv"), start=2):
        w = "gwp.csv#%d" % i
        if g["set"] not in sets or not gas_ok(g["gas"]) or g["quality"] not in QUAL:
            err("%s: bad row" % w)
        check_value(root, w, g["value"], g["source"])
    counts = {}
    for d in sorted(glob.glob(os.path.join(data, "datasets", "*"))):
        with open(os.path.join(d, "meta.toml"), "rb") as f:
            meta = tomllib.load(f)
        for k in ("id", "version", "title", "publisher", "edition", "url",
                  "licence", "quality", "notes"):
            if not isinstance(meta.get(k), str) or not meta[k]:
                err("%s/meta.toml: %s missing" % (d, k))
        if meta.get("quality") not in QUAL:
            err("%s: meta quality" % d)
        name = os.path.basename(d)
        fp = os.path.join(d, "factors.csv")
        if os.path.exists(fp):
            rows = read(fp, "factors.csv")
            counts[name + "/factors.csv"] = len(rows)
            for i, r in enumerate(rows, start=2):
                w = "%s/factors.csv#%d" % (name, i)
                for h in HEADERS["factors.csv"]:
                    if h != "basis" and not r[h]:
                        err("%s: empty %s" % (w, h))
                if r["activity"] not in acts or r["region"] not in regions:
                    err("%s: activity/region" % w)
                if r["stage"] not in STAGES or r["quality"] not in QUAL:
                    err("%s: stage/quality" % w)
                if not (r["gas"] == "CO2e" or gas_ok(r["gas"])):
                    err("%s: gas" % w)
                num, _, den = r["unit"].partition("/")
                if num not in MASS or den not in ACT_UNITS:
                    err("%s: unit %r" % (w, r["unit"]))
                if r["basis"] not in ("", "HHV", "NCV"):
                    err("%s: basis" % w)
                if den in ENERGY and den not in ("kWh", "MWh") and not r["basis"] \
                        and r["activity"] != "heat.steam":
                    err("%s: energy factor without basis" % w)
                check_value(root, w, r["value"], r["source"])
        hp = os.path.join(d, "heat_content.csv")
        if os.path.exists(hp):
            rows = read(hp, "heat_content.csv")
            counts[name + "/heat_content.csv"] = len(rows)
            for i, r in enumerate(rows, start=2):
                w = "%s/heat_content.csv#%d" % (name, i)
                num, _, den = r["unit"].partition("/")
                if num not in ENERGY or den not in (ACT_UNITS | MASS) or r["basis"] not in ("HHV", "NCV"):
                    err("%s: unit/basis" % w)
                if r["activity"] not in acts:
                    err("%s: activity" % w)
                check_value(root, w, r["value"], r["source"])
        lp = os.path.join(d, "limits.csv")
        if os.path.exists(lp):
            rows = read(lp, "limits.csv")
            counts[name + "/limits.csv"] = len(rows)
            ids = set()
            for i, r in enumerate(rows, start=2):
                w = "%s/limits.csv#%d" % (name, i)
                if r["limit_id"] in ids:
                    err("%s: duplicate id" % w)
                ids.add(r["limit_id"])
                if r["unit"] not in ("kg/m3", "kg/t", "t/t", "kg/m2"):
                    err("%s: unit" % w)
                if r["activity"] not in acts or r["quality"] not in QUAL:
                    err("%s: activity/quality" % w)
                if r["value"].upper() == "TBD":
                    err("%s: TBD shipped" % w)
                check_value(root, w, r["value"], r["source"])
    for k, v in counts.items():
        print("%-45s %d rows" % (k, v))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
