"""The results as a printed table, a JSON file and a CSV file."""

import csv
import json

COLUMNS = ("workload", "dtype", "contender", "time", "unit", "vs sklearn", "x floor", "not GEMM",
           "peak MiB")


def _fmt_time(value, unit):
    return f"{value:.1f}" if unit == "us/step" else f"{value:.3f}"


def _fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def _not_gemm(row):
    # Older results files have no such field.
    value = row.get("not_gemm")
    return "n/a" if value is None else _fmt_time(value, row["unit"])


def table(rows):
    """The results as aligned text: one line per workload, dtype and contender.

    ``vs sklearn`` and ``x floor`` are ratios of medians; ``not GEMM`` is
    the time beyond the floor's (in the row's unit): what the contender
    spends outside the matrix products; ``peak MiB`` is the peak of the
    call's allocations above the input data.
    """
    cells = [COLUMNS] + [
        (
            r["workload"], r["dtype"], r["contender"], _fmt_time(r["time"], r["unit"]),
            r["unit"], f"{r['vs_sklearn']:.2f}", f"{r['x_floor']:.2f}",
            _not_gemm(r), _fmt(r["peak_mib"], ".1f"),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(COLUMNS))]
    right = {3, 5, 6, 7, 8}

    def line(row):
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths))
        ).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    previous = None
    for row in cells[1:]:
        if previous is not None and row[:2] != previous[:2]:
            out.append("")
        out.append(line(row))
        previous = row
    return "\n".join(out)


def search_scores(rows):
    """Whether the model selection workloads' searches found the same scores.

    A line per workload and dtype whose rows have ``equal_scores``; empty
    text when none has.
    """
    equal = {(r["workload"], r["dtype"]): r["equal_scores"]
             for r in rows if "equal_scores" in r}
    if not equal:
        return ""
    return "\n".join(
        ["scores of the searches (mean_test_score; cross_val_score's), np.array_equal:"]
        + [f"  {w} {d}: {'equal' if same else 'DIFFERENT'}" for (w, d), same in equal.items()]
    )


def write_json(path, env, settings, rows):
    with open(path, "w") as f:
        json.dump({"environment": env, "settings": settings, "results": rows}, f, indent=2)
        f.write("\n")


def write_csv(path, rows):
    # Every key of every row: the inputs workload's rows have keys of their own.
    keys = dict.fromkeys(k for r in rows for k in r)
    fields = [k for k in keys if k not in ("times", "title")] + ["times"]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({
                **r,
                "hidden": "-".join(map(str, r["hidden"])),
                "times": " ".join(f"{t:.6g}" for t in r["times"]),
            })
