#!/usr/bin/env python3
"""Seeds the results scenario of bench/run.sh: one active programme run by the bench's managing
organisation ('managing', so its manager is staff), 100 grantee NGOs in four regions, two decided
calls, 1,000 grants each carrying 5 indicators, 4 quarterly reporting requirements per grant and
their reports, all accepted, each with a value per indicator and its disaggregated parts.

Indicators: OUT-1 count/sum by sex and age band, OUT-2 count/latest by sex, OUT-3 count/max by
disability, OUT-4 percentage/sum by sex (parts of the numerator), OUT-5 count/sum by region.

The same rows for both backends, as plain multi-row INSERTs that PostgreSQL and SQLite accept:
  python3 bench/results_seed.py --sql > seed.sql      # then psql -f seed.sql
  python3 bench/results_seed.py --sqlite path/to.db   # into a migrated SQLite file, with the
                                                      # managing organisation and funder
Prints the programme's id on stderr. Ids are md5-derived UUID strings, reproducible.
"""

import hashlib
import sqlite3
import sys

GRANTS = 1000
PERIODS = 4
GRANTEES = 100
REGIONS = ["KZ-39", "KZ-61", "KZ-79", "KZ-31"]
NOW = "2026-12-01 09:00:00"


def uid(label):
    h = hashlib.md5(label.encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


PROGRAMME = uid("results programme")
MANAGING = uid("managing")
FUNDER = uid("funder")
CALLS = [uid("results call 0"), uid("results call 1")]
# Indicator ids in creation order (the catalogue pages by id).
INDICATORS = [f"0193a0c4-d000-7000-8000-00000000000{k + 1}" for k in range(5)]
QUARTERS = [("2026-04-01", "2026-06-30"), ("2026-07-01", "2026-09-30"),
            ("2026-10-01", "2026-12-31"), ("2027-01-01", "2027-03-31")]


def q(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def split(total, n):
    """`total` in `n` parts adding up to it."""
    base = [total // n] * n
    base[-1] += total - sum(base)
    return base


def tables(base):
    """(table, columns, rows) in insertion order; `base` adds the bench's managing organisation
    and funder (which run.sh's PostgreSQL seed already holds)."""
    out = []
    if base:
        out.append(("organizations", "id, kind, name, country, region, themes, created_at, updated_at",
                    [(MANAGING, "network", '{"en":"Bench managing network"}', "KZ", "KZ-75", "[]", NOW, NOW),
                     (FUNDER, "donor", '{"en":"Bench funder"}', "KZ", "KZ-75", "[]", NOW, NOW)]))
    orgs = [(uid(f"results grantee {o}"), "ngo", f'{{"en":"Results NGO {o}"}}', "KZ", REGIONS[o % 4],
             "[]", NOW, NOW) for o in range(GRANTEES)]
    out.append(("organizations", "id, kind, name, country, region, themes, created_at, updated_at", orgs))
    out.append(("programmes", "id, title, description, managing_organization_id, currency, budget_minor, "
                "starts_on, ends_on, regions, themes, status, created_at, updated_at",
                [(PROGRAMME, '{"en":"Results bench programme"}', None, MANAGING, "KZT", 9000000000000,
                  "2026-01-01", "2030-12-31", '["KZ-39","KZ-61","KZ-79","KZ-31"]', "[]", "active", NOW, NOW)]))
    out.append(("programme_funders", "programme_id, organization_id, committed_minor",
                [(PROGRAMME, FUNDER, 9000000000000)]))
    out.append(("calls", "id, programme_id, title, description, opens_at, closes_at, max_award_minor, "
                "envelope_minor, eligible_kinds, eligible_regions, min_duration_months, max_duration_months, "
                "status, created_at, updated_at",
                [(c, PROGRAMME, f'{{"en":"Results call {i}"}}', None, "2026-01-01 00:00:00",
                  "2026-03-01 00:00:00", 10000000, 9000000000000, '["ngo"]', "[]", 6, 24, "decided", NOW, NOW)
                 for i, c in enumerate(CALLS)]))
    dims = [["sex", "age_band"], ["sex"], ["disability"], ["sex"], ["region"]]
    kinds = [("count", "sum", 0, 400000), ("count", "latest", 10, 100000), ("count", "max", None, None),
             ("percentage", "sum", 30, 50), ("count", "sum", 0, 100000)]
    out.append(("indicators", "id, programme_id, code, name, unit, kind, aggregation, baseline, target, "
                "dimensions, created_at, updated_at",
                [(INDICATORS[k], PROGRAMME, f"OUT-{k + 1}", f'{{"en":"Indicator {k + 1}"}}',
                  "percent" if kinds[k][0] == "percentage" else "people", kinds[k][0], kinds[k][1],
                  kinds[k][2], kinds[k][3], "[" + ",".join(f'"{d}"' for d in dims[k]) + "]", NOW, NOW)
                 for k in range(5)]))
    apps, grants, carried, reqs, reports, values, parts = [], [], [], [], [], [], []
    for g in range(GRANTS):
        gid, aid = uid(f"results grant {g}"), uid(f"results application {g}")
        grantee, call = uid(f"results grantee {g % GRANTEES}"), CALLS[g % 2]
        apps.append((aid, call, grantee, f'{{"en":"Application {g}"}}', f'{{"en":"Summary {g}"}}', "KZT",
                     1000000, 12, '["KZ-39"]', '["youth"]', "[]", "awarded", NOW, NOW, NOW))
        grants.append((gid, aid, call, PROGRAMME, grantee, "KZT", 1000000, "2026-04-01", "2027-03-31", "[]",
                       "active", NOW, NOW))
        for k in range(5):
            carried.append((gid, INDICATORS[k], k, None, 400 if k == 0 and g % 3 == 0 else None))
        for p, (start, end) in enumerate(QUARTERS):
            rid = uid(f"results requirement {g} {p}")
            reqs.append((rid, gid, "periodic", start, end, end, "open", NOW, NOW))
            reports.append((rid, gid, "accepted", "{}", 1, NOW, NOW, NOW, NOW))
            for k in range(5):
                v = 10 + (g * 7 + p * 13 + k * 5) % 90
                if kinds[k][0] == "percentage":
                    values.append((rid, INDICATORS[k], v // 2, 100))
                    total = v // 2
                else:
                    values.append((rid, INDICATORS[k], v, None))
                    total = v
                for d in dims[k]:
                    cats = {"sex": ["female", "male"], "age_band": ["0-17", "18-29", "30-64", "65+"],
                            "disability": ["with", "without"], "region": REGIONS}[d]
                    for c, n in zip(cats, split(total, len(cats))):
                        parts.append((rid, INDICATORS[k], d, c, n))
    out.append(("applications", "id, call_id, applicant_organization_id, title, summary, currency, "
                "requested_minor, duration_months, regions, target_groups, budget_lines, status, submitted_at, "
                "created_at, updated_at", apps))
    out.append(("grants", "id, application_id, call_id, programme_id, grantee_organization_id, currency, "
                "amount_minor, starts_on, ends_on, budget_lines, status, created_at, updated_at", grants))
    out.append(("grant_indicators", "grant_id, indicator_id, position, baseline, target", carried))
    out.append(("reporting_requirements", "id, grant_id, kind, period_start, period_end, due_on, status, "
                "created_at, updated_at", reqs))
    out.append(("reports", "id, grant_id, status, narrative, submissions, submitted_at, decided_at, "
                "created_at, updated_at", reports))
    out.append(("report_values", "report_id, indicator_id, value, denominator", values))
    out.append(("report_value_parts", "report_id, indicator_id, dimension, category, count", parts))
    return out


def statements(base):
    for table, columns, rows in tables(base):
        for i in range(0, len(rows), 500):
            chunk = rows[i:i + 500]
            yield (f"INSERT INTO {table} ({columns}) VALUES "
                   + ",\n".join("(" + ", ".join(q(v) for v in r) + ")" for r in chunk) + ";")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--sql":
        print("BEGIN;")
        for s in statements(False):
            print(s)
        print("COMMIT;")
    elif len(sys.argv) == 3 and sys.argv[1] == "--sqlite":
        db = sqlite3.connect(sys.argv[2])
        db.execute("PRAGMA foreign_keys = ON")
        with db:
            for s in statements(True):
                db.execute(s)
        db.execute("ANALYZE")
        db.close()
    else:
        sys.exit(__doc__)
    print(PROGRAMME, file=sys.stderr)


if __name__ == "__main__":
    main()
