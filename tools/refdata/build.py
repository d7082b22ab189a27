#!/usr/bin/env python3
"""Generate footprint's embedded reference data (factors/data/) from the
curated reference tables in shared/reference-data/.

Usage (from the repository root):

    python3 tools/refdata/build.py ../shared/reference-data factors/data

Rules this script enforces (see factors/data/FORMAT.md):

* No number is typed here. Every emission factor, GWP, heat content and limit
  is copied, as a string, from a cell of a reference CSV row. This file only
  holds *mappings* (which reference row goes to which activity / region /
  stage / gas) and descriptive text.
* Each output row cites its reference row as ``<file>#<record>`` (1-based CSV
  record number, header = record 1, counted with the csv module because some
  fields contain newlines).
* Before writing, every output value is checked to be an exact field of the
  cited record and to parse as a decimal; units, gases, stages, regions and
  activities are checked against FORMAT.md.

Standard library only.
"""

import csv
import os
import sys
from decimal import Decimal, InvalidOperation

# ---------------------------------------------------------------------------
# Reference-file access


class Ref:
    """One reference CSV, records indexed by 1-based record number."""

    def __init__(self, root, relpath):
        self.relpath = relpath
        with open(os.path.join(root, relpath), newline="", encoding="utf-8") as f:
            self.records = list(csv.reader(f))
        self.header = self.records[0]
        self.col = {name: i for i, name in enumerate(self.header)}

    def rows(self):
        """Yield (record_number, dict) for each data record."""
        for idx, rec in enumerate(self.records[1:], start=2):
            yield idx, dict(zip(self.header, rec))

    def find(self, **criteria):
        """Return the single (record_number, dict) matching all criteria.

        A criterion value may be a string (exact match) or a callable."""
        hits = []
        for n, row in self.rows():
            ok = True
            for k, v in criteria.items():
                cell = row[k]
                if callable(v):
                    if not v(cell):
                        ok = False
                        break
                elif cell != v:
                    ok = False
                    break
            if ok:
                hits.append((n, row))
        if len(hits) != 1:
            raise SystemExit(
                "%s: expected exactly 1 row for %r, found %d"
                % (self.relpath, criteria, len(hits))
            )
        return hits[0]

    def cite(self, n):
        return "%s#%d" % (self.relpath, n)


class Refs:
    def __init__(self, root):
        self.root = root
        self._cache = {}

    def __getitem__(self, relpath):
        if relpath not in self._cache:
            self._cache[relpath] = Ref(self.root, relpath)
        return self._cache[relpath]

    def record(self, source):
        f, _, n = source.partition("#")
        return self[f].records[int(n) - 1]


def startswith(prefix):
    return lambda s: s.startswith(prefix)


# ---------------------------------------------------------------------------
# Vocabulary from FORMAT.md

GASES = {"CO2", "CO2_biogenic", "CH4", "CH4_fossil", "CH4_biogenic", "N2O",
         "SF6", "NF3"}
STAGES = {"combustion", "electricity", "heat", "transport", "A1-A3"}
MASS_UNITS = {"g", "kg", "t", "lb", "short_ton", "Gg"}
ACTIVITY_UNITS = {"mmBtu", "TJ", "GJ", "MJ", "kWh", "MWh", "scf", "gal_us",
                  "m3", "L", "kg", "t", "short_ton", "m2", "t.km",
                  "short_ton.mi"}
DIMENSIONS = {"energy", "mass", "volume", "area", "length", "freight"}
QUALITIES = {"primary", "secondary", "uncertain"}


def is_gas(g):
    if g in GASES:
        return True
    # HFC/PFC names as HFC-134a, CF4, C2F6, c-C4F8 ...
    return g.startswith("HFC-") or g.startswith("C") or g.startswith("c-C")


# ---------------------------------------------------------------------------
# Regions (names and codes only; no emission numbers)

ISO3_TO_ISO2 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY",
    "CZE": "CZ", "DNK": "DK", "EST": "EE", "FIN": "FI", "FRA": "FR",
    "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE", "ITA": "IT",
    "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL",
    "POL": "PL", "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI",
    "ESP": "ES", "SWE": "SE", "EU27": "EU27",
}


def build_regions(refs):
    out = [("GLO", "Global", ""), ("US", "United States", "GLO")]
    eg = refs["us/egrid_subregions.csv"]
    for _, row in eg.rows():
        if row["subregion_acronym"] == "US Average":
            continue
        out.append(("US-" + row["subregion_acronym"],
                    row["subregion_name"], "US"))
    out.append(("EU27", "European Union (27 member states)", "GLO"))
    eea = refs["eu/electricity_eea_v12.csv"]
    seen = set()
    members = []
    for _, row in eea.rows():
        code = ISO3_TO_ISO2[row["geo_code"]]
        if code == "EU27" or code in seen:
            continue
        seen.add(code)
        members.append((code, row["geo_name_as_printed"], "EU27"))
    if len(members) != 27:
        raise SystemExit("expected 27 EU member states, got %d" % len(members))
    out.extend(sorted(members))
    out.append(("GB", "United Kingdom", "GLO"))
    return out


# ---------------------------------------------------------------------------
# Activities (keys and titles only)

FUELS = [
    ("fuel.natural_gas", "Natural gas"),
    ("fuel.diesel", "Diesel / gas oil (distillate fuel oil No. 2)"),
    ("fuel.residual_oil", "Residual fuel oil (heavy fuel oil)"),
    ("fuel.lpg", "Liquefied petroleum gases (LPG)"),
    ("fuel.gasoline", "Motor gasoline (petrol)"),
    ("fuel.kerosene", "Kerosene (other than jet fuel)"),
    ("fuel.coal.bituminous", "Bituminous coal"),
    ("fuel.coal.sub_bituminous", "Sub-bituminous coal"),
    ("fuel.lignite", "Lignite"),
    ("fuel.wood", "Wood and wood residuals (biomass)"),
]

ACTIVITIES = (
    [(k, "energy|mass|volume", "combustion", t) for k, t in FUELS]
    + [
        ("electricity.grid", "energy", "electricity", "Grid electricity (location-based)"),
        ("heat.steam", "energy", "heat", "Purchased steam and heat"),
        ("freight.road", "freight", "transport", "Road freight (truck)"),
        ("freight.rail", "freight", "transport", "Rail freight"),
        ("freight.inland_waterway", "freight", "transport", "Inland waterway freight (barge)"),
        ("freight.sea", "freight", "transport", "Sea freight (ship)"),
        ("freight.air", "freight", "transport", "Air freight"),
        ("material.concrete.ready_mix", "volume", "A1-A3", "Ready-mix concrete, unspecified strength class"),
        ("material.concrete.fc_2500psi", "volume", "A1-A3", "Ready-mix concrete, f'c 2500 psi class (GSA: <=2499 psi; CLF baseline: 2500 psi)"),
        ("material.concrete.fc_3000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 3000 psi"),
        ("material.concrete.fc_4000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 4000 psi"),
        ("material.concrete.fc_5000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 5000 psi"),
        ("material.concrete.fc_6000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 6000 psi"),
        ("material.concrete.fc_7200psi", "volume", "A1-A3", "Ready-mix concrete, f'c 7200 psi and above (GSA class >=7200 psi)"),
        ("material.concrete.fc_8000psi", "volume", "A1-A3", "Ready-mix concrete, f'c 8000 psi (CLF baseline class)"),
        ("material.concrete.lw_fc_3000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 3000 psi"),
        ("material.concrete.lw_fc_4000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 4000 psi"),
        ("material.concrete.lw_fc_5000psi", "volume", "A1-A3", "Lightweight ready-mix concrete, f'c 5000 psi"),
        ("material.concrete.c20_25", "volume", "A1-A3", "Ready-mix concrete C20/25 (EN 206)"),
        ("material.concrete.c25_30", "volume", "A1-A3", "Ready-mix concrete C25/30 (EN 206)"),
        ("material.concrete.c30_37", "volume", "A1-A3", "Ready-mix concrete C30/37 (EN 206)"),
        ("material.concrete.c35_45", "volume", "A1-A3", "Ready-mix concrete C35/45 (EN 206)"),
        ("material.concrete.c45_55", "volume", "A1-A3", "Ready-mix concrete C45/55 (EN 206)"),
        ("material.concrete.c50_60", "volume", "A1-A3", "Ready-mix concrete C50/60 (EN 206)"),
        ("material.steel.rebar", "mass", "A1-A3", "Concrete reinforcing steel (rebar)"),
        ("material.steel.section", "mass", "A1-A3", "Hot-rolled structural steel sections"),
        ("material.steel.plate", "mass", "A1-A3", "Structural steel plate"),
        ("material.steel.hss", "mass", "A1-A3", "Hollow structural sections (HSS)"),
        ("material.glass.flat", "mass|area", "A1-A3", "Flat glass (float, unprocessed)"),
    ]
)
ACTIVITY_KEYS = {a[0] for a in ACTIVITIES}

# ---------------------------------------------------------------------------
# Unit-string mapping from the reference tables' wording to FORMAT.md symbols

HEAT_UNIT = {
    "mmBtu per short ton": "mmBtu/short_ton",
    "mmBtu per scf": "mmBtu/scf",
    "mmBtu per gallon": "mmBtu/gal_us",
}


def check_unit(unit):
    num, _, den = unit.partition("/")
    if num not in MASS_UNITS or den not in ACTIVITY_UNITS:
        raise SystemExit("bad unit %r" % unit)


# ---------------------------------------------------------------------------
# Output helpers

FACTOR_HEADER = ["factor_id", "activity", "region", "stage", "gas", "value",
                 "unit", "basis", "quality", "table", "source"]
HEAT_HEADER = ["activity", "value", "unit", "basis", "quality", "table", "source"]
LIMIT_HEADER = ["limit_id", "program", "activity", "tier", "value", "unit",
                "quality", "table", "source"]


def slug(s):
    return s.replace(".", "-").replace("_", "-").lower()


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r[h] for h in header])
    return len(rows)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def write_meta(path, meta):
    keys = ["id", "version", "title", "publisher", "edition", "url",
            "licence", "quality", "notes"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Generated by tools/refdata/build.py - do not edit by hand.\n")
        for k in keys:
            f.write("%s = %s\n" % (k, toml_str(meta[k])))


# ---------------------------------------------------------------------------
# GWP sets

def gas_from_eu(name):
    # "CF4 (PFC-14)" -> "CF4"
    return name.split(" (")[0]


def build_gwp(refs):
    out = []
    us = refs["us/gwp.csv"]
    eu = refs["eu/gwp.csv"]

    # AR5: EPA GHG Emission Factors Hub 2025, Table 11 (primary).
    ar5 = {}
    for n, row in us.rows():
        if row["document"] != "EPA GHG Emission Factors Hub 2025 Table 11":
            continue
        gas = row["chemical_formula"] if row["gas"].startswith("PFC-") else None
        if gas is None:
            gas = {"Carbon dioxide": "CO2", "Methane": "CH4",
                   "Nitrous oxide": "N2O", "Sulfur hexafluoride": "SF6",
                   "Nitrogen trifluoride": "NF3"}.get(row["gas"], row["gas"])
        ar5[gas] = row["gwp_100yr"]
        out.append(dict(set="AR5", gas=gas, value=row["gwp_100yr"],
                        quality="primary",
                        table="EPA GHG Emission Factors Hub 2025 Table 11 (IPCC AR5 Table 8.A.1)",
                        source=us.cite(n)))
    # eu AR5 rows for gases the Hub lacks (none expected).
    for n, row in eu.rows():
        if row["framework"] == "IPCC AR5" and gas_from_eu(row["gas"]) not in ar5:
            g = gas_from_eu(row["gas"])
            out.append(dict(set="AR5", gas=g, value=row["gwp100_value"],
                            quality="secondary", table=row["source_table"],
                            source=eu.cite(n)))
            ar5[g] = row["gwp100_value"]

    # AR4: eu openclimatedata AR4 column first; then 40 CFR 98 Table A-1
    # (pre-2024 amendment, "AR4 mostly") for gases eu lacks, skipping any value
    # that equals the Hub's AR5 value for that gas (those would be AR5 fill-ins).
    ar4 = {}
    for n, row in eu.rows():
        if row["framework"] == "IPCC AR4":
            g = gas_from_eu(row["gas"])
            ar4[g] = row["gwp100_value"]
            out.append(dict(set="AR4", gas=g, value=row["gwp100_value"],
                            quality="secondary",
                            table="IPCC AR4 WG1 (2007) GWP-100 via GHG Protocol table (openclimatedata AR4GWP100)",
                            source=eu.cite(n)))
    for n, row in us.rows():
        if not row["document"].startswith("40 CFR Part 98 Table A-1 (pre-2025"):
            continue
        g = row["chemical_formula"] if row["gas"].startswith("PFC-") else {
            "Carbon dioxide": "CO2", "Methane": "CH4", "Nitrous oxide": "N2O",
            "Sulfur hexafluoride": "SF6", "Nitrogen trifluoride": "NF3",
        }.get(row["gas"], row["gas"])
        if g in ar4:
            if ar4[g] != row["gwp_100yr"]:
                raise SystemExit("AR4 disagreement for %s" % g)
            continue
        if ar5.get(g) == row["gwp_100yr"] and g != "CO2":
            print("AR4: skipping %s (equals AR5 value)" % g, file=sys.stderr)
            continue
        ar4[g] = row["gwp_100yr"]
        out.append(dict(set="AR4", gas=g, value=row["gwp_100yr"],
                        quality="secondary",
                        table="40 CFR Part 98 Table A-1 (version before 89 FR 31894; mostly IPCC AR4)",
                        source=us.cite(n)))

    # AR6: Table 7.SM.7 rows; CH4 split from ecoinvent's IPCC 2021 method.
    conflicts = {"SF6", "HFC-134a"}
    for n, row in eu.rows():
        if row["framework"] == "IPCC AR6" and row["source_table"] == "Table 7.SM.7":
            g = gas_from_eu(row["gas"])
            out.append(dict(set="AR6", gas=g, value=row["gwp100_value"],
                            quality="uncertain" if g in conflicts else "primary",
                            table="IPCC AR6 WG1 Table 7.SM.7",
                            source=eu.cite(n)))
    n, row = eu.find(framework=startswith("IPCC AR6 (as implemented"), gas="CH4",
                     gas_detail="fossil (CH4-fossil)")
    out.append(dict(set="AR6", gas="CH4_fossil", value=row["gwp100_value"],
                    quality="secondary",
                    table="IPCC AR6 WG1 Table 7.15 as implemented in ecoinvent IPCC 2021",
                    source=eu.cite(n)))
    n, row = eu.find(framework=startswith("IPCC AR6 (as implemented"), gas="CH4",
                     gas_detail="non-fossil (CH4-non fossil)")
    out.append(dict(set="AR6", gas="CH4_biogenic", value=row["gwp100_value"],
                    quality="secondary",
                    table="IPCC AR6 WG1 Table 7.15 as implemented in ecoinvent IPCC 2021",
                    source=eu.cite(n)))

    # EF 3.1 (ecoinvent mapping of the JRC file).
    ef = startswith("EU Environmental Footprint EF 3.1")
    ef_rows = [
        ("CO2", dict(gas="CO2", gas_detail="carbon dioxide (fossil)")),
        ("CO2_biogenic", dict(gas="CO2", gas_detail=startswith("carbon dioxide (biogenic) emission"))),
        ("CH4_fossil", dict(gas="CH4", gas_detail="methane (fossil)")),
        ("CH4_biogenic", dict(gas="CH4", gas_detail=startswith("methane (biogenic)"))),
        ("N2O", dict(gas="N2O")),
        ("SF6", dict(gas="SF6")),
        ("HFC-134a", dict(gas="HFC-134a")),
        ("HFC-32", dict(gas="HFC-32")),
    ]
    for g, crit in ef_rows:
        n, row = eu.find(framework=ef, **crit)
        out.append(dict(set="EF3.1", gas=g, value=row["gwp100_value"],
                        quality="secondary",
                        table="EF 3.1 Climate change (ecoinvent mapping of JRC EF-LCIAMethod_CF(EF-v3.1))",
                        source=eu.cite(n)))
    return out


GWP_SETS = [
    dict(set="AR4", title="IPCC Fourth Assessment Report, GWP-100",
         publisher="IPCC", edition="AR4 WG1 (2007)", quality="secondary",
         note=("CH4, N2O, SF6, CF4, C2F6 from the openclimatedata copy of the GHG Protocol AR4 table (eu/gwp.csv, trust B); "
               "CO2, NF3 and HFCs from 40 CFR 98 Table A-1 as it stood before the 89 FR 31894 (Apr. 2024) amendment "
               "(third-party copies ecfr.io/govregs.com), which EPA describes as mostly AR4 with AR5 values for some "
               "F-gases lacking an AR4 value; every Table A-1 value used differs from the AR5 value, and the five gases "
               "present in both sources agree. No CH4 fossil/biogenic split and no CO2_biogenic entry in the sources.")),
    dict(set="AR5", title="IPCC Fifth Assessment Report, GWP-100 (without climate-carbon feedback)",
         publisher="IPCC (as reproduced by US EPA GHG Emission Factors Hub 2025, Table 11)",
         edition="AR5 WG1 (2013) Ch. 8 Table 8.A.1", quality="primary",
         note=("All values from EPA Hub 2025 Table 11 (primary); the eu/gwp.csv AR5 rows (openclimatedata) agree and add no gas. "
               "Used by the EPA Hub 2025 and the amended 40 CFR 98 Table A-1. Refrigerant blends (Hub Table 12) are not shipped. "
               "No CH4 fossil/biogenic split and no CO2_biogenic entry in the sources.")),
    dict(set="AR6", title="IPCC Sixth Assessment Report, GWP-100",
         publisher="IPCC", edition="AR6 WG1 (2021) Ch. 7 Table 7.SM.7", quality="primary",
         note=("Single-gas values from Table 7.SM.7 (IPCC WG1 data repository). CH4_fossil 29.8 and CH4_biogenic 27.0 from "
               "ecoinvent's 'IPCC 2021' method file (secondary; said to match Table 7.15, which was not read); CH4 = 27.9 is the "
               "7.SM.7 single value. Unresolved conflicts kept as 7.SM.7 and marked uncertain: SF6 25200 (ecoinvent IPCC 2021 and "
               "EF 3.1 give 24300) and HFC-134a 1530 (ecoinvent/EF 3.1 give 1526, probably the more precise Table 7.15 value). "
               "No CO2_biogenic entry in the source.")),
    dict(set="EF3.1", title="EU Environmental Footprint 3.1, Climate change (total)",
         publisher="European Commission JRC (as mapped by ecoinvent/lcia 3.12)",
         edition="EF 3.1", quality="secondary",
         note=("Read from ecoinvent's mapping of the JRC file EF-LCIAMethod_CF(EF-v3.1).xlsx (the JRC file itself was not opened). "
               "Biogenic CO2 emissions and uptake have CF 0 (CO2_biogenic = 0). CH4_biogenic counts in the sub-indicator "
               "'Climate change - biogenic'. Land-use-change CO2 (+1/-1) and CH4 rows are not shipped. SF6 24300 and HFC-134a 1526 "
               "differ from AR6 Table 7.SM.7 (25200, 1530); no NF3 value in the source.")),
]

# ---------------------------------------------------------------------------
# Datasets


def ds_epa_hub(refs):
    sc = refs["us/stationary_combustion.csv"]
    fr = refs["us/freight.csv"]
    fuel_rows = [
        ("fuel.natural_gas", "Natural Gas"),
        ("fuel.diesel", "Distillate Fuel Oil No. 2"),
        ("fuel.residual_oil", "Residual Fuel Oil No. 6"),
        ("fuel.lpg", "Liquefied Petroleum Gases (LPG)"),
        ("fuel.gasoline", "Motor Gasoline"),
        ("fuel.kerosene", "Kerosene"),
        ("fuel.coal.bituminous", "Bituminous"),
        ("fuel.coal.sub_bituminous", "Sub-bituminous"),
        ("fuel.lignite", "Lignite"),
        ("fuel.wood", "Wood and Wood Residuals"),
    ]
    factors, heat = [], []
    for act, fuel in fuel_rows:
        n, row = sc.find(table="Table 1 Stationary Combustion", fuel_type=fuel)
        bio = row["fuel_category"].startswith("Biomass")
        fid = "hub25-" + slug(act) + "-us"
        table = "Table 1 Stationary Combustion (%s)" % fuel
        for gas, col, unit_col in (
            ("CO2_biogenic" if bio else "CO2", "co2_factor", "co2_factor_unit"),
            ("CH4_biogenic" if bio else "CH4_fossil", "ch4_factor", "ch4_factor_unit"),
            ("N2O", "n2o_factor", "n2o_factor_unit"),
        ):
            unit = {"kg CO2 per mmBtu": "kg/mmBtu", "g CH4 per mmBtu": "g/mmBtu",
                    "g N2O per mmBtu": "g/mmBtu"}[row[unit_col]]
            factors.append(dict(factor_id=fid, activity=act, region="US",
                                stage="combustion", gas=gas, value=row[col],
                                unit=unit, basis="HHV", quality="primary",
                                table=table, source=sc.cite(n)))
        heat.append(dict(activity=act, value=row["heat_content_hhv"],
                         unit=HEAT_UNIT[row["heat_content_unit"]], basis="HHV",
                         quality="primary", table=table, source=sc.cite(n)))
    # Steam and heat (Table 7).
    n, row = sc.find(table="Table 7 Steam and Heat")
    for gas, col, unit in (("CO2", "co2_factor", "kg/mmBtu"),
                           ("CH4_fossil", "ch4_factor", "g/mmBtu"),
                           ("N2O", "n2o_factor", "g/mmBtu")):
        factors.append(dict(factor_id="hub25-heat-steam-us", activity="heat.steam",
                            region="US", stage="heat", gas=gas, value=row[col],
                            unit=unit, basis="", quality="primary",
                            table="Table 7 Steam and Heat", source=sc.cite(n)))
    # Freight (Table 8), short ton-mile rows only.
    for act, vehicle in (("freight.road", "Medium- and Heavy-Duty Truck"),
                         ("freight.rail", "Rail"),
                         ("freight.inland_waterway", "Waterborne Craft"),
                         ("freight.air", "Aircraft")):
        n, row = fr.find(vehicle_type=vehicle, activity_unit="short ton-mile")
        for gas, col, num_col in (("CO2", "co2_factor", "co2_factor_unit_numerator"),
                                  ("CH4_fossil", "ch4_factor", "ch4_factor_unit_numerator"),
                                  ("N2O", "n2o_factor", "n2o_factor_unit_numerator")):
            mass = {"kg CO2": "kg", "g CH4": "g", "g N2O": "g"}[row[num_col]]
            factors.append(dict(factor_id="hub25-" + slug(act) + "-us", activity=act,
                                region="US", stage="transport", gas=gas,
                                value=row[col], unit=mass + "/short_ton.mi",
                                basis="", quality="primary",
                                table="Table 8 Scope 3 Categories 4 and 9 (%s, per short ton-mile)" % vehicle,
                                source=fr.cite(n)))
    meta = dict(
        id="epa-ghg-hub", version="2025",
        title="Emission Factors for Greenhouse Gas Inventories (GHG Emission Factors Hub)",
        publisher="US EPA Center for Corporate Climate Leadership",
        edition="2025 (Last Modified: January 15, 2025)",
        url="https://www.epa.gov/system/files/documents/2025-01/ghg-emission-factors-hub-2025.pdf",
        licence=("US federal government publication (US EPA). The reference README (us/README.md) states no licence "
                 "terms; values were read from the EPA Excel workbook as copied in two public GitHub repositories."),
        quality="primary",
        notes=("Stationary combustion: Table 1, per mmBtu on an HHV basis, heat contents (HHV) per short ton, scf or US gallon "
               "as printed. Diesel = 'Distillate Fuel Oil No. 2' (Table 1 has no row named diesel); residual_oil = 'Residual "
               "Fuel Oil No. 6'; kerosene = 'Kerosene' (not jet fuel). Wood ('Wood and Wood Residuals'): CO2 is biogenic, "
               "CH4 booked as CH4_biogenic. Steam and heat: Table 7 (assumes natural gas at 80 percent thermal efficiency), "
               "per mmBtu of steam or heat purchased. Freight: Table 8 per short ton-mile (combustion / tank-to-wheel only); "
               "the Hub has no sea / ocean freight row, so freight.sea has no factor here. Tables 1, 2, 7, 11 and 12 are not "
               "marked as updated since the 2024 Hub; Table 8 is. Hub GWPs are IPCC AR5."),
    )
    return meta, factors, heat


def ds_egrid(refs):
    eg = refs["us/egrid_subregions.csv"]
    factors = []
    for n, row in eg.rows():
        acr = row["subregion_acronym"]
        region = "US" if acr == "US Average" else "US-" + acr
        for gas, col, ucol in (("CO2", "co2_total_output_rate_as_printed", "co2_rate_unit"),
                               ("CH4_fossil", "ch4_total_output_rate_as_printed", "ch4_rate_unit"),
                               ("N2O", "n2o_total_output_rate_as_printed", "n2o_rate_unit")):
            unit = {"lb CO2/MWh": "lb/MWh", "lb CH4/MWh": "lb/MWh",
                    "lb N2O/MWh": "lb/MWh"}[row[ucol]]
            factors.append(dict(factor_id="egrid23-" + slug(region),
                                activity="electricity.grid", region=region,
                                stage="electricity", gas=gas, value=row[col],
                                unit=unit, basis="", quality="primary",
                                table="eGRID2023 Summary Table 1 total output emission rate (%s)" % acr,
                                source=eg.cite(n)))
    meta = dict(
        id="egrid", version="2023",
        title="Emissions & Generation Resource Integrated Database (eGRID), subregion total output emission rates",
        publisher="US EPA",
        edition="eGRID2023 (released January 2025), Summary Tables Table 1, as reproduced in EPA GHG Emission Factors Hub 2025 Table 6",
        url="https://www.epa.gov/system/files/documents/2025-01/egrid2023_summary_tables.xlsx",
        licence=("US federal government publication (US EPA). The reference README (us/README.md) states no licence "
                 "terms; values were read from the EPA Hub 2025 Excel workbook as copied in public GitHub repositories."),
        quality="primary",
        notes=("Total output emission rates (location-based, lb per MWh) for the 27 eGRID subregions (US-<acronym>) and the "
               "US average (region US). Values are the printed Hub values (*_as_printed columns); the workbook cells hold more "
               "digits (e.g. printed 899.0 is stored 899.003; see *_cell_value columns of us/egrid_subregions.csv). CH4 is "
               "booked as CH4_fossil. Non-baseload rates and grid gross loss (T&D loss; blank for PRMS) are in the reference "
               "file but not shipped; the Hub says grid gross loss is for Scope 3 Category 3, not Scope 2. eGRID2024 and the "
               "eGRID2023 rev2 (June 2025) file were not found / not checked."),
    )
    return meta, factors


def ds_ipcc2006(refs):
    ip = refs["eu/ipcc2006_stationary.csv"]
    rows = [
        ("fuel.natural_gas", "Natural Gas"),
        ("fuel.diesel", 'Gas/Diesel Oil (EFDB fuel "Diesel Oil")'),
        ("fuel.residual_oil", "Residual Fuel Oil"),
        ("fuel.lpg", "Liquefied Petroleum Gases"),
        ("fuel.gasoline", "Motor Gasoline"),
        ("fuel.kerosene", "Other Kerosene"),
        ("fuel.coal.bituminous", "Other Bituminous Coal"),
        ("fuel.coal.sub_bituminous", "Sub-Bituminous Coal"),
        ("fuel.lignite", "Lignite"),
        ("fuel.wood", "Wood/Wood Waste"),
    ]
    factors, heat = [], []
    for act, fuel in rows:
        n, row = ip.find(fuel_ipcc2006=fuel)
        bio = act == "fuel.wood"
        fid = "ipcc06-" + slug(act) + "-glo"
        table = "Vol. 2 Table 2.2 (CO2 Tables 1.4/2.2), energy industries (%s)" % fuel
        for gas, col, ucol, expect in (
            ("CO2_biogenic" if bio else "CO2", "co2_ef", "co2_ef_unit", "kg CO2/TJ"),
            ("CH4_biogenic" if bio else "CH4_fossil", "ch4_ef", "ch4_ef_unit", "kg CH4/TJ"),
            ("N2O", "n2o_ef", "n2o_ef_unit", "kg N2O/TJ"),
        ):
            if row[ucol] != expect:
                raise SystemExit("unexpected unit %r" % row[ucol])
            factors.append(dict(factor_id=fid, activity=act, region="GLO",
                                stage="combustion", gas=gas, value=row[col],
                                unit="kg/TJ", basis="NCV", quality="primary",
                                table=table, source=ip.cite(n)))
        if row["ncv_unit"] != "TJ/Gg":
            raise SystemExit("unexpected NCV unit")
        heat.append(dict(activity=act, value=row["ncv"], unit="TJ/Gg", basis="NCV",
                         quality="primary",
                         table="Vol. 2 Table 1.2 default NCV (%s)" % fuel,
                         source=ip.cite(n)))
    meta = dict(
        id="ipcc-2006", version="2006",
        title="2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy: default stationary combustion emission factors and NCVs",
        publisher="IPCC (Task Force on National Greenhouse Gas Inventories)",
        edition="2006 Guidelines, Tables 1.2, 1.4 and 2.2 (Tier 1 defaults, energy industries), via the IPCC EFDB export accessed 2023-09-05",
        url="https://www.ipcc-nggip.iges.or.jp/EFDB/",
        licence=("RESTRICTED: the IPCC EFDB copyright note in the export restricts redistribution and derivative compilations "
                 "to personal, non-commercial use (eu/README.md: check this before shipping the table in a product)."),
        quality="primary",
        notes=("Licence caveat: the IPCC EFDB copyright note restricts redistribution and derivative compilations to personal, "
               "non-commercial use - confirm permission before shipping this dataset in a commercial product. Factors in kg/TJ "
               "on an NCV basis; CO2 assumes oxidation factor 1. Diesel uses the EFDB 'Diesel Oil' row (Table 2.2 has one "
               "'Gas/Diesel Oil' row; EFDB 'Gas Oil' is identical). Kerosene = Other Kerosene; bituminous coal = Other "
               "Bituminous Coal. Wood/Wood Waste: CO2 booked as CO2_biogenic and CH4 as CH4_biogenic. Heat contents are the "
               "default NCVs in TJ/Gg (Table 1.2). EU ETS MRR Annex VI Table 1 defaults were not found."),
    )
    return meta, factors, heat


def ds_eea(refs):
    ee = refs["eu/electricity_eea_v12.csv"]
    factors = []
    for n, row in ee.rows():
        if row["year"] != "2021":
            continue
        region = ISO3_TO_ISO2[row["geo_code"]]
        if not row["unit"].startswith("g CO2e per kWh"):
            raise SystemExit("unexpected EEA unit")
        factors.append(dict(factor_id="eea12-" + slug(region), activity="electricity.grid",
                            region=region, stage="electricity", gas="CO2e",
                            value=row["value"], unit="g/kWh", basis="",
                            quality="secondary",
                            table="GHG emission intensity of electricity generation, 2021 (%s)" % row["geo_name_as_printed"],
                            source=ee.cite(n)))
    meta = dict(
        id="eea-electricity", version="v12",
        title="Greenhouse gas emission intensity of electricity generation",
        publisher="European Environment Agency (EEA)",
        edition="dataset version 12 (co2-emission-intensity-12), year 2021",
        url="https://www.eea.europa.eu/data-and-maps/daviz/co2-emission-intensity-12",
        licence="Not stated in the reference README (eu/README.md); EEA data, read from a third-party copy of the EEA SPARQL JSON export.",
        quality="secondary",
        notes=("Year 2021 (latest in this version; whether final or a proxy estimate is not stated). Unit g CO2e/kWh is the "
               "indicator's unit; the JSON export carries no unit. Generation-based national averages; direct vs life-cycle "
               "scope not stated. Third-party copy (github.com/Maximilian-R/co2-web-awareness @7fc362b). EEA revised the series "
               "between versions: do not mix versions. 2020 values are in the reference file but not shipped."),
    )
    return meta, factors


def ds_oekobaudat(refs):
    mo = refs["eu/materials_oekobaudat.csv"]
    fo = refs["eu/freight_oekobaudat.csv"]
    region_of = {"DE": "DE", "EU-27": "EU27", "RER": "EU27"}
    factors = []
    mat = [
        ("material.steel.rebar", "Bewehrungsstahl"),
        ("material.steel.section", "Stahlprofil"),
        ("material.steel.plate", startswith("Baustähle: Offene Walzprofile und Grobbleche")),
        ("material.concrete.c20_25", "Beton der Druckfestigkeitsklasse C 20/25"),
        ("material.concrete.c25_30", "Beton der Druckfestigkeitsklasse C 25/30"),
        ("material.concrete.c30_37", "Beton der Druckfestigkeitsklasse C 30/37"),
        ("material.concrete.c35_45", "Beton der Druckfestigkeitsklasse C 35/45"),
        ("material.concrete.c45_55", "Beton der Druckfestigkeitsklasse C 45/55"),
        ("material.concrete.c50_60", "Beton der Druckfestigkeitsklasse C 50/60"),
        ("material.concrete.ready_mix", "Transportbeton C30/37"),
        ("material.glass.flat", startswith("Glas - Bundesverband Flachglas")),
    ]
    unit_of = {"1 kg": "kg/kg", "1000 kg": "kg/t", "1 m3": "kg/m3", "1 m2": "kg/m2"}
    for act, name in mat:
        n, row = mo.find(dataset_name_de=name, database_release="OBD_2020_II")
        du = row["value_unit"].split("(")[1].rstrip(")")
        unit = unit_of[du]
        region = region_of[row["country_code"]]
        factors.append(dict(factor_id="obd20-" + slug(act) + "-" + slug(region),
                            activity=act, region=region, stage="A1-A3", gas="CO2e",
                            value=row["value"], unit=unit, basis="", quality="secondary",
                            table="ÖKOBAUDAT OBD_2020_II %s (%s, %s)" % (
                                row["dataset_name_de"], row["dataset_type"],
                                row["oekobaudat_process_uuid"]),
                            source=mo.cite(n)))
    for act, name in (("freight.road", "LKW-Zug"), ("freight.rail", "Bahntransport"),
                      ("freight.inland_waterway", "Binnenschiff (Berg-Tal Durchschnitt)"),
                      ("freight.sea", "Containerschiff")):
        n, row = fo.find(dataset_name_de=name)
        if row["unit"] != "kg CO2e per 1000 kg*km (= per tonne-km)":
            raise SystemExit("unexpected freight unit")
        region = region_of[row["country_code"]]
        factors.append(dict(factor_id="obd20-" + slug(act) + "-" + slug(region),
                            activity=act, region=region, stage="transport", gas="CO2e",
                            value=row["value"], unit="kg/t.km", basis="", quality="secondary",
                            table="ÖKOBAUDAT OBD_2020_II %s (module A4, %s)" % (
                                name, row["oekobaudat_process_uuid"]),
                            source=fo.cite(n)))
    meta = dict(
        id="oekobaudat", version="2020-II",
        title="ÖKOBAUDAT (German building-product LCA database), release OBD_2020_II",
        publisher="German Federal Institute for Research on Building, Urban Affairs and Spatial Development (BBSR)",
        edition="OBD_2020_II, EN 15804+A1 indicator GWP, module A1-A3 (materials) and A4 (transport)",
        url="https://www.oekobaudat.de/",
        licence=("Not stated in the reference README (eu/README.md); values read from the full ÖKOBAUDAT CSV export "
                 "redistributed by BBSR/N3XTCODER (github.com/n3xtcoder/ai4impact-bbsr @beabaaa)."),
        quality="secondary",
        notes=("EN 15804+A1 GWP (not A2 GWP-total); most datasets expired 2022/2023 (valid_until). Rebar = generic "
               "'Bewehrungsstahl' (English name 'Reinforcement steel wire', per kg). Section = generic 'Stahlprofil' (per kg). "
               "Plate = bauforumstahl industry-average EPD 'Baustähle: Offene Walzprofile und Grobbleche' (1125 kg CO2e per "
               "1000 kg, EU-27, ref. year 2018, valid to 2023), which covers sections AND heavy plate together; no clean "
               "uncoated plate dataset exists in ÖKOBAUDAT (the 'Stahl warmgewalzte Bleche' row is galvanised sheet and is not "
               "used). No HSS dataset. Concrete classes C20/25-C50/60 = InformationsZentrum Beton (IZB) industry-average EPDs "
               "per m3 (C40/50 not available). ready_mix = generic thinkstep 'Transportbeton C30/37'; the "
               "generic C20/25 row is not shipped; generic and IZB values differ by about 13-30 percent. Flat glass = "
               "Bundesverband Flachglas representative dataset, per m2 of 4 mm float glass (10 kg/m2), country RER mapped to "
               "EU27; the single-manufacturer Guardian dataset is not used. Freight (A4, per tonne-km): truck-trailer "
               "(LKW-Zug), rail, inland barge (upstream/downstream average), container ship; energy basis (TTW/WTW), payload "
               "and load factor not stated in the export. Regions: DE for German generic data, EU27 for the EU-27/RER datasets."),
    )
    return meta, factors


def ds_gsa(refs):
    gs = refs["us/gsa_lec_limits.csv"]
    limits = []
    conc = {
        "specified compressive strength f'c 3000 psi": ("material.concrete.fc_3000psi", "fc3000"),
        "specified compressive strength f'c 4000 psi": ("material.concrete.fc_4000psi", "fc4000"),
        "specified compressive strength f'c 5000 psi": ("material.concrete.fc_5000psi", "fc5000"),
        "specified compressive strength f'c 6000 psi": ("material.concrete.fc_6000psi", "fc6000"),
    }
    steel = {
        "Rebar (fabricated)": ("material.steel.rebar", "rebar-fab", "fabricated"),
        "Rebar (unfabricated)": ("material.steel.rebar", "rebar-unfab", "unfabricated"),
        "Hollow structural sections (fabricated)": ("material.steel.hss", "hss-fab", "fabricated"),
        "Hot-rolled sections (fabricated)": ("material.steel.section", "section-fab", "fabricated"),
        "Hot-rolled sections (unfabricated)": ("material.steel.section", "section-unfab", "unfabricated"),
    }
    tier_slug = {"Top 20% limit": "top20", "Top 40% limit": "top40",
                 "Better than average limit": "avg"}
    skipped = []
    for n, row in gs.rows():
        cls = row["product_category_or_strength_class"]
        tier = row["tier"]
        if row["gwp_limit"] == "TBD":
            skipped.append(cls)
            continue
        unit = {"m3": "kg/m3", "metric ton": "kg/t"}[row["unit_denominator"]]
        if row["unit_numerator"] != "kg CO2e":
            raise SystemExit("unexpected GSA unit")
        quality = "primary" if row["source_status"].startswith("primary") else "uncertain"
        if row["material"] == "Concrete":
            if cls.startswith("specified compressive strength f'c >=7200 psi"):
                act, s = "material.concrete.fc_7200psi", "fc7200"
            elif cls.startswith("specified compressive strength f'c <=2499 psi"):
                act, s = "material.concrete.fc_2500psi", "fc2500"
            else:
                act, s = conc[cls]
            lid, tier_txt = "gsa-conc-%s-%s" % (s, tier_slug[tier]), tier
        elif cls in steel:
            act, s, fab = steel[cls]
            lid, tier_txt = "gsa-%s-%s" % (s, tier_slug[tier]), "%s (%s)" % (tier, fab)
        elif cls.startswith("Hollow structural sections from electric arc furnaces"):
            act = "material.steel.hss"
            lid = "gsa-hss-eaf-unfab-%s" % tier_slug[tier]
            tier_txt = "%s (unfabricated, electric arc furnace)" % tier
        elif cls.startswith("Structural steel plate from electric arc furnaces"):
            act = "material.steel.plate"
            lid = "gsa-plate-eaf-unfab-%s" % tier_slug[tier]
            tier_txt = "%s (unfabricated, electric arc furnace)" % tier
        elif row["material"] == "Flat glass":
            act = "material.glass.flat"
            lid = "gsa-glass-%s" % tier_slug[tier]
            tier_txt = "%s (interim pilot, May 2023, trade press)" % tier
        else:
            skipped.append(cls)
            continue
        limits.append(dict(limit_id=lid, program=row["program"], activity=act,
                           tier=tier_txt, value=row["gwp_limit"], unit=unit,
                           quality=quality,
                           table="%s: %s" % (row["material"], cls),
                           source=gs.cite(n)))
    meta = dict(
        id="gsa-lec", version="2023",
        title="GSA Inflation Reduction Act low embodied carbon (LEC) material requirements",
        publisher="US General Services Administration (GSA)",
        edition="IRA LEC material requirements pages (revision date not visible; related FAQ 'Last updated: Dec. 12, 2023'); flat glass: interim pilot values, May 2023",
        url="https://gsa.gov/real-estate/gsa-properties/inflation-reduction-act/lec-program-details/material-requirements",
        licence="US federal government publication (GSA). The reference README (us/README.md) states no licence terms.",
        quality="primary",
        notes=("EPD-reported A1-A3 (cradle-to-gate) GWP limits: Top 20% / Top 40% / Better than average. Concrete per m3 by "
               "specified compressive strength (<=2499 psi keyed fc_2500psi, >=7200 psi keyed fc_7200psi); GSA footnote: add "
               "30% where high early strength concrete is required for technical reasons. Steel per metric ton, fabricated "
               "and unfabricated limits both shipped (tier text says which). HSS unfabricated and plate limits are the "
               "electric-arc-furnace ones; integrated-mill HSS and plate limits are TBD and not shipped. Cold-formed and "
               "galvanised steel limits are in the reference file but have no activity key here. Flat glass limits come only "
               "from trade press (Glass Magazine, May 2023) and are marked uncertain. Asphalt limits were not found."),
    )
    return meta, limits, skipped


def ds_bcca(refs):
    bc = refs["us/buy_clean_ca_limits.csv"]
    mapping = {
        "Hot-rolled structural steel sections": ("material.steel.section", "bcca22-section"),
        "Hollow structural sections": ("material.steel.hss", "bcca22-hss"),
        "Steel plate": ("material.steel.plate", "bcca22-plate"),
        "Concrete reinforcing steel": ("material.steel.rebar", "bcca22-rebar"),
        "Flat glass": ("material.glass.flat", "bcca22-glass"),
    }
    limits = []
    for n, row in bc.rows():
        if not row["limit_set"].startswith("2022"):
            continue
        if row["subcategory"] not in mapping:
            continue  # mineral wool board insulation: no activity key
        act, lid = mapping[row["subcategory"]]
        if (row["unit_numerator"], row["unit_denominator"]) != ("MT CO2 eq.", "MT"):
            raise SystemExit("unexpected BCCA unit")
        tier = "Maximum acceptable GWP (unfabricated), 2022 set"
        quality = "primary"
        if "superseded" in row["status"]:
            tier += " - superseded from 2025-01-01 (new values not retrieved)"
            quality = "uncertain"
        limits.append(dict(limit_id=lid, program=row["program"], activity=act,
                           tier=tier, value=row["maximum_acceptable_gwp"], unit="t/t",
                           quality=quality,
                           table="Table 1: GWP limits for eligible materials (%s)" % row["subcategory"],
                           source=bc.cite(n)))
    meta = dict(
        id="buy-clean-ca", version="2022",
        title="Buy Clean California Act maximum acceptable GWP limits",
        publisher="California Department of General Services (DGS)",
        edition="2022 limit set (established 2022-01-01, EPD compliance from 2022-07-01)",
        url="https://www.dgs.ca.gov/PD/Resources/Page-Content/Procurement-Division-Resources-List-Folder/Buy-Clean-California-Act",
        licence="California state government web page. The reference README (us/README.md) states no licence terms.",
        quality="primary",
        notes=("Limits in metric tons CO2e per metric ton, unfabricated basis as stated by DGS for the 2022 table. DGS later "
               "announced updated limits for concrete reinforcing steel (and mineral wool board insulation) effective "
               "2025-01-01, plus new fabricated limits; the stored page was cut off before the new table, so the rebar row "
               "(0.89) is superseded from 2025-01-01 and marked uncertain, and the 2025 values are NOT shipped (unverified "
               "figures seen elsewhere were not used). Sections, HSS, plate and flat glass are presumed still current "
               "(not confirmed against a 2025 table). Mineral wool board insulation rows are not shipped (no activity key). "
               "The withdrawn 2021 set is not shipped."),
    )
    return meta, limits


def ds_clf(refs):
    cl = refs["us/industry_average_epds.csv"]
    mapping = [
        ("material.steel.rebar", "Rebar - fabricated", "kg/t"),
        ("material.steel.section", "Hot-rolled sections - fabricated", "kg/t"),
        ("material.steel.plate", "Plate steel - fabricated", "kg/t"),
        ("material.steel.hss", "Hollow structural sections (HSS) - fabricated", "kg/t"),
        ("material.glass.flat", "Flat glass panes", "kg/t"),
        ("material.concrete.fc_2500psi", startswith("Ready-mixed concrete, US national, 2500 psi"), "kg/m3"),
        ("material.concrete.fc_3000psi", startswith("Ready-mixed concrete, US national, 3000 psi"), "kg/m3"),
        ("material.concrete.fc_4000psi", startswith("Ready-mixed concrete, US national, 4000 psi"), "kg/m3"),
        ("material.concrete.fc_5000psi", startswith("Ready-mixed concrete, US national, 5000 psi"), "kg/m3"),
        ("material.concrete.fc_6000psi", startswith("Ready-mixed concrete, US national, 6000 psi"), "kg/m3"),
        ("material.concrete.fc_8000psi", startswith("Ready-mixed concrete, US national, 8000 psi"), "kg/m3"),
        ("material.concrete.lw_fc_3000psi", startswith("Ready-mixed concrete, US national, LW 3000 psi"), "kg/m3"),
        ("material.concrete.lw_fc_4000psi", startswith("Ready-mixed concrete, US national, LW 4000 psi"), "kg/m3"),
        ("material.concrete.lw_fc_5000psi", startswith("Ready-mixed concrete, US national, LW 5000 psi"), "kg/m3"),
    ]
    factors = []
    for act, product, unit in mapping:
        n, row = cl.find(product=product)
        du = row["declared_unit"]
        if not ((unit == "kg/t" and du == "1 t") or (unit == "kg/m3" and du.startswith("1 m3"))):
            raise SystemExit("unexpected CLF declared unit %r" % du)
        factors.append(dict(factor_id="clf23-" + slug(act) + "-us", activity=act,
                            region="US", stage="A1-A3", gas="CO2e", value=row["value"],
                            unit=unit, basis="", quality="uncertain",
                            table="CLF 2023 North American Material Baselines: %s" % row["product"],
                            source=cl.cite(n)))
    meta = dict(
        id="clf-baselines", version="2023",
        title="CLF North American Material Baselines",
        publisher="Carbon Leadership Forum (CLF)",
        edition="2023 (April 2023 baseline table; v2 Aug 2023 made no change to the table)",
        url="https://carbonleadershipforum.org/clf-material-baselines-2023/",
        licence=("Not stated in the reference README (us/README.md); values read from CLF baseline table files embedded in a "
                 "third-party Rhino plug-in (github.com/CXu0630/WoodchuckCarbonTool @ee5ccd0)."),
        quality="uncertain",
        notes=("CLF baseline values (A1-A3, kg CO2e per declared unit), not the underlying EPDs, read from a third-party "
               "copy with no header row (column meaning taken from the plug-in code): secondary at best, shipped as uncertain. "
               "Steel: the FABRICATED baselines are shipped for rebar (CRSI 2022, 854), hot-rolled sections (AISC 2021, 1220), "
               "plate (AISC 2021, 1730) and HSS (AISC 2021, 1990); the unfabricated rows (753 / 1000 / 1480 / STI 1710) are in "
               "the reference file but not shipped, one factor per activity. CLF derived the unfabricated values from the "
               "fabricated EPDs. Flat glass: NGA 2019 industry EPD, 1430 per t. Ready-mix: US 'National' row of the regional "
               "table by specified strength (2500-8000 psi, lightweight 3000-5000 psi); that table prints no unit, per m3 was "
               "inferred from the plug-in code. The 2500 psi baseline is keyed fc_2500psi and 8000 psi has its own key "
               "(fc_8000psi); there is no 7200 psi baseline. The NRMCA EPD10294 per-mix values and the CLF 2025 baselines were "
               "not read. Cement, aluminium, glulam and mineral wool baselines are in the reference file but have no activity "
               "key here."),
    )
    return meta, factors


# ---------------------------------------------------------------------------
# Checks


def is_decimal(s):
    try:
        Decimal(s)
        return s.strip() == s and s != ""
    except InvalidOperation:
        return False


def check_cited(refs, value, source, what):
    rec = refs.record(source)
    if value not in rec:
        raise SystemExit("%s: value %r is not a field of %s" % (what, value, source))


def check_factors(refs, rows, regions, ds):
    seen_ids = {}
    for r in rows:
        for h in FACTOR_HEADER:
            if h not in r or r[h] is None:
                raise SystemExit("%s: missing column %s in %r" % (ds, h, r))
        for h in ("factor_id", "activity", "region", "stage", "gas", "value",
                  "unit", "quality", "table", "source"):
            if r[h] == "":
                raise SystemExit("%s: empty %s in %r" % (ds, h, r))
        if r["activity"] not in ACTIVITY_KEYS:
            raise SystemExit("%s: unknown activity %s" % (ds, r["activity"]))
        if r["region"] not in regions:
            raise SystemExit("%s: unknown region %s" % (ds, r["region"]))
        if r["stage"] not in STAGES or r["quality"] not in QUALITIES:
            raise SystemExit("%s: bad stage/quality %r" % (ds, r))
        if not (r["gas"] == "CO2e" or is_gas(r["gas"])):
            raise SystemExit("%s: bad gas %s" % (ds, r["gas"]))
        if r["basis"] not in ("", "HHV", "NCV"):
            raise SystemExit("%s: bad basis" % ds)
        den = r["unit"].partition("/")[2]
        if den in ("mmBtu", "TJ", "GJ", "MJ") and r["basis"] == "" and r["activity"] != "heat.steam":
            raise SystemExit("%s: energy factor without basis %r" % (ds, r))
        check_unit(r["unit"])
        if not is_decimal(r["value"]):
            raise SystemExit("%s: value %r is not a decimal" % (ds, r["value"]))
        check_cited(refs, r["value"], r["source"], ds)
        key = (r["activity"], r["region"], r["stage"])
        prev = seen_ids.setdefault(r["factor_id"], key)
        if prev != key:
            raise SystemExit("%s: factor_id %s spans %r and %r" % (ds, r["factor_id"], prev, key))
    # one factor per (activity, region, stage), one row per gas per factor
    by_key, gases = {}, set()
    for r in rows:
        by_key.setdefault((r["activity"], r["region"], r["stage"]), set()).add(r["factor_id"])
        g = (r["factor_id"], r["gas"])
        if g in gases:
            raise SystemExit("%s: duplicate gas %r" % (ds, g))
        gases.add(g)
    for k, ids in by_key.items():
        if len(ids) != 1:
            raise SystemExit("%s: two factors for %r: %r" % (ds, k, ids))


def check_heat(refs, rows, ds):
    for r in rows:
        num, _, den = r["unit"].partition("/")
        if num not in ("mmBtu", "TJ", "GJ", "MJ") or den not in (ACTIVITY_UNITS | MASS_UNITS):
            raise SystemExit("%s: bad heat unit %r" % (ds, r["unit"]))
        if r["basis"] not in ("HHV", "NCV") or not is_decimal(r["value"]):
            raise SystemExit("%s: bad heat row %r" % (ds, r))
        if r["activity"] not in ACTIVITY_KEYS:
            raise SystemExit("%s: unknown activity" % ds)
        check_cited(refs, r["value"], r["source"], ds)


def check_limits(refs, rows, ds):
    ids = set()
    for r in rows:
        if r["limit_id"] in ids:
            raise SystemExit("%s: duplicate limit_id %s" % (ds, r["limit_id"]))
        ids.add(r["limit_id"])
        if r["unit"] not in ("kg/m3", "kg/t", "t/t", "kg/m2"):
            raise SystemExit("%s: bad limit unit %r" % (ds, r["unit"]))
        if r["activity"] not in ACTIVITY_KEYS or r["quality"] not in QUALITIES:
            raise SystemExit("%s: bad limit row %r" % (ds, r))
        if not is_decimal(r["value"]):
            raise SystemExit("%s: limit value %r is not a decimal" % (ds, r["value"]))
        check_cited(refs, r["value"], r["source"], ds)


def check_gwp(refs, rows):
    seen = set()
    for r in rows:
        if r["set"] not in ("AR4", "AR5", "AR6", "EF3.1") or not is_gas(r["gas"]):
            raise SystemExit("bad gwp row %r" % r)
        if (r["set"], r["gas"]) in seen:
            raise SystemExit("duplicate gwp %r" % r)
        seen.add((r["set"], r["gas"]))
        if not is_decimal(r["value"]) or r["quality"] not in QUALITIES:
            raise SystemExit("bad gwp value %r" % r)
        check_cited(refs, r["value"], r["source"], "gwp")


# ---------------------------------------------------------------------------


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    refs = Refs(argv[1])
    out = argv[2]
    counts = []

    def w(rel, header, rows):
        counts.append((rel, write_csv(os.path.join(out, rel), header, rows)))

    regions = build_regions(refs)
    codes = {c for c, _, _ in regions}
    for c, _, p in regions:
        if p and p not in codes:
            raise SystemExit("region %s has unknown parent %s" % (c, p))
    w("regions.csv", ["code", "name", "parent"],
      [dict(code=c, name=n, parent=p) for c, n, p in regions])

    for k, d, s, _ in ACTIVITIES:
        if s not in STAGES or not set(d.split("|")) <= DIMENSIONS:
            raise SystemExit("bad activity %s" % k)
    w("activities.csv", ["key", "dimensions", "default_stage", "title"],
      [dict(key=k, dimensions=d, default_stage=s, title=t) for k, d, s, t in ACTIVITIES])

    gwp = build_gwp(refs)
    check_gwp(refs, gwp)
    w("gwp.csv", ["set", "gas", "value", "quality", "table", "source"], gwp)
    w("gwp_sets.csv", ["set", "title", "publisher", "edition", "quality", "note"], GWP_SETS)

    def dataset(folder, meta, factors=None, heat=None, limits=None):
        if factors is not None:
            check_factors(refs, factors, codes, folder)
        if heat is not None:
            check_heat(refs, heat, folder)
        if limits is not None:
            check_limits(refs, limits, folder)
        write_meta(os.path.join(out, "datasets", folder, "meta.toml"), meta)
        counts.append(("datasets/%s/meta.toml" % folder, 1))
        if factors is not None:
            w("datasets/%s/factors.csv" % folder, FACTOR_HEADER, factors)
        if heat is not None:
            w("datasets/%s/heat_content.csv" % folder, HEAT_HEADER, heat)
        if limits is not None:
            w("datasets/%s/limits.csv" % folder, LIMIT_HEADER, limits)

    meta, f, h = ds_epa_hub(refs)
    dataset("epa-ghg-hub-2025", meta, factors=f, heat=h)
    meta, f = ds_egrid(refs)
    dataset("egrid-2023", meta, factors=f)
    meta, f, h = ds_ipcc2006(refs)
    dataset("ipcc-2006", meta, factors=f, heat=h)
    meta, f = ds_eea(refs)
    dataset("eea-electricity-v12", meta, factors=f)
    meta, f = ds_oekobaudat(refs)
    dataset("oekobaudat-2020-II", meta, factors=f)
    meta, l, skipped = ds_gsa(refs)
    dataset("gsa-lec-2023", meta, limits=l)
    meta, l = ds_bcca(refs)
    dataset("buy-clean-ca-2022", meta, limits=l)
    meta, f = ds_clf(refs)
    dataset("clf-baselines-2023", meta, factors=f)

    for rel, n in counts:
        print("%-45s %d" % (rel, n))
    print("GSA rows not shipped: %s" % sorted(set(skipped)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
