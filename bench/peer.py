#!/usr/bin/env python3
"""The stdlib-Python peer of `footprint batch` for bench/batch.sh.

    python3 bench/peer.py table.json in.csv > out.csv

Reads a batch CSV with the csv module and computes, for one method, the
columns `footprint batch` writes (method, kg_co2e, kg_co2, kg_ch4, kg_n2o,
factor_id, status, error) with the decimal module: each row's line kind
(activity, region, unit, stage, basis, allow_region_fallback, product
factor's per unit) is looked up in table.json, which bench/peertable
exports once from the method (status, factor id or error, and the prepared
terms); the peer never imports footprint. Per kind, the exact amounts
reduce to quantity x K, K computed once (as the batch does); terms with a
division are computed per row at the method's division places, half to
even; every amount is rounded once by the method's rule. Product-factor
rows multiply their kind's template by the row's factor value.
Pass-through cells a spreadsheet would read as a formula get a leading
quote. The amounts, factor ids and statuses are those of footprint batch
(bench/batch.sh compares them); error messages for bad quantities are
simpler than footprint's.
"""
import csv
import json
import re
import sys
from decimal import Decimal, Context, ROUND_HALF_EVEN, ROUND_HALF_UP, setcontext, InvalidOperation

# Exact products and sums: footprint's quantities have at most 64
# characters and its factors fit well within 200 digits.
setcontext(Context(prec=200, Emax=10**6, Emin=-10**6))

NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_QUANTITY = Decimal("1e15")
RESULT_COLUMNS = ["method", "kg_co2e", "kg_co2", "kg_ch4", "kg_n2o", "factor_id", "status", "error"]


def neutralise(s):
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


def parse_decimal(s, column):
    """Returns (value, None) or (None, message), as footprint's checks do."""
    t = s.strip()
    if t == "":
        return None, "quantity is empty" if column == "quantity" else column + ": empty"
    if len(t) > 64 or not NUMBER.match(t):
        hint = " (use a point as the decimal separator and no thousands separator)" if "," in t else ""
        return None, "%s: not a decimal number: %s%s" % (column, t, hint)
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None, "%s: not a decimal number: %s" % (column, t)
    if d < 0:
        shown = t.rstrip("0").rstrip(".") if "." in t and "e" not in t.lower() else t
        return None, "%s: %s is negative; quantities are zero or more" % (column, shown)
    if d >= MAX_QUANTITY:
        return None, "%s: too large: %s" % (column, t)
    return d, None


def amount_of(gas):
    if gas == "CO2":
        return 1
    if gas == "CH4" or gas.startswith("CH4_"):
        return 2
    if gas == "N2O":
        return 3
    return None


class Kind:
    """A line kind prepared once: per amount column, K (exact) or terms."""

    def __init__(self, k, division_unit):
        self.status = k["status"]
        self.factor_id = k.get("factor_id", "")
        self.error = neutralise(k.get("error", ""))
        self.template = self.factor_id == "product:template"
        self.division_unit = division_unit
        # amounts[a] is None (no term: empty cell), or (K, None) when every
        # term is exact, or (None, [(num, den, g), ...]) with exact terms as
        # (mult, None, g).
        self.amounts = [None] * 4
        self.amounts[0] = (Decimal(0), None) if self.status == "ok" else None
        terms = [[] for _ in range(4)]
        for t in k.get("terms", []):
            gwp = Decimal(t["gwp"])
            if t["exact"]:
                term = (Decimal(t["mult"]), None)
            else:
                term = (Decimal(t["num"]), Decimal(t["den"]))
            if t["counted"]:
                terms[0].append(term + (gwp,))
            a = amount_of(t["gas"])
            if a is not None:
                terms[a].append(term + (Decimal(1),))
        for a in range(4):
            if not terms[a]:
                continue
            if all(den is None for _, den, _ in terms[a]):
                self.amounts[a] = (sum((m * g for m, _, g in terms[a]), Decimal(0)), None)
            else:
                self.amounts[a] = (None, terms[a])

    def value(self, a, q):
        k, terms = self.amounts[a]
        if k is not None:
            return q * k
        s = Decimal(0)
        for m, den, g in terms:
            if den is None:
                s += q * m * g
            else:
                s += (q * m / den).quantize(self.division_unit, rounding=ROUND_HALF_EVEN) * g
        return s


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: peer.py table.json in.csv")
    with open(sys.argv[1]) as f:
        table = json.load(f)
    method = table["method"]
    unit = Decimal(1).scaleb(-table["places"])
    rounding = ROUND_HALF_UP if table["half_up"] else ROUND_HALF_EVEN
    division_unit = Decimal(1).scaleb(-table["division_places"])
    zero = format(Decimal(0).quantize(unit), "f")
    kinds_json = table["kinds"]
    kinds = {}

    src = open(sys.argv[2], newline="", encoding="utf-8-sig")
    out = csv.writer(sys.stdout, lineterminator="\n")
    reader = csv.reader(src)
    header = next(reader)
    names = [h.strip().lower() for h in header]
    col = {n: i for i, n in enumerate(names)}
    get_idx = [col.get(n) for n in ("line_id", "activity", "region", "quantity", "unit", "stage", "basis",
                                    "allow_region_fallback", "factor_kg_co2e", "factor_per", "factor_reference")]
    width = len(header)
    out.writerow(header + RESULT_COLUMNS)
    rows = errors = 0
    for rec in reader:
        if not rec:
            continue
        rows += 1
        cells = [neutralise(c) for c in rec]
        if len(rec) != width:
            errors += 1
            cells = (cells + [""] * width)[:width]
            out.writerow(cells + [method, "", "", "", "", "", "error",
                                  "row: wrong number of fields (the header has %d)" % width])
            continue
        v = [rec[i].strip() if i is not None else "" for i in get_idx]
        line_id, activity, region, qty, unit_cell, stage, basis, fb, fkg, fper, fref = v
        pf = fkg != "" or fper != "" or fref != ""
        key = "|".join((activity, region, unit_cell, stage, basis, fb, fper if pf else "")) + ("|pf" if pf else "")
        kind = kinds.get(key)
        if kind is None:
            k = kinds_json.get(key)
            if k is None:
                sys.exit("peer.py: line kind %r is not in the table" % key)
            kind = kinds[key] = Kind(k, division_unit)
        q, err = parse_decimal(qty, "quantity")
        if err is None and kind.status == "error":
            err = kind.error
        factor = None
        if err is None and pf and kind.template:
            if fref == "":
                err = "factor_reference: empty"
            else:
                factor, err = parse_decimal(fkg, "factor_kg_co2e")
        if err is not None:
            errors += 1
            out.writerow(cells + [method, "", "", "", "", "", "error", neutralise(err)])
            continue
        fid = kind.factor_id
        if kind.template:
            fid = "product:" + fref
            q = q * factor
        if kind.status != "ok":
            out.writerow(cells + [method, zero, "", "", "", neutralise(fid), kind.status, ""])
            continue
        res = [method]
        for a in range(4):
            if kind.amounts[a] is None:
                res.append("")
            else:
                res.append(format(kind.value(a, q).quantize(unit, rounding=rounding), "f"))
        res += [neutralise(fid), "ok", ""]
        out.writerow(cells + res)
    sys.stdout.flush()
    print("peer: %d rows, %d errors" % (rows, errors), file=sys.stderr)


if __name__ == "__main__":
    main()
