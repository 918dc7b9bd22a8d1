"""Run the benchmark suite: `python benchmarks/run.py [--quick] [--smoke] [--only W1,W4]`.

Prints one markdown table and (except under --smoke) writes it with the machine description to
benchmarks/RESULTS.md. --quick takes about a minute; --smoke runs every workload with tiny rounds
to check that it works and that every contender's gradients are right, and asserts nothing
about speed (CI runs `--quick --smoke`).
"""
from __future__ import annotations

import os
import sys

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `tinygrad_nn` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import benchmarks  # noqa: E402,F401  (pins BLAS threads before numpy is imported)

import argparse  # noqa: E402
import time  # noqa: E402

from benchmarks import w1_mlp, w2_chain, w3_deep, w4_small_mlp, w5_hvp, w6_main  # noqa: E402
from benchmarks.harness import Settings, machine_description, markdown_table  # noqa: E402

WORKLOADS = {"W1": w1_mlp, "W2": w2_chain, "W3": w3_deep, "W4": w4_small_mlp, "W5": w5_hvp,
             "W6": w6_main}
HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds (about a minute)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny rounds: check that everything runs and gradients agree")
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W4")
    parser.add_argument("--out", default=None,
                        help="where to write the results (default benchmarks/RESULTS.md; "
                             "not written under --smoke unless given)")
    args = parser.parse_args(argv)
    chosen = [w.strip().upper() for w in args.only.split(",") if w.strip()] or list(WORKLOADS)
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    settings = Settings.make(args.quick, args.smoke)
    start = time.perf_counter()
    rows = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += WORKLOADS[name].run(settings)
    elapsed = time.perf_counter() - start
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    method = (f"{mode} run: {settings.rounds} interleaved rounds of about {settings.target * 1e3:.0f} ms "
              f"per contender (W3: fresh processes); gradients checked against hand-written numpy "
              f"before timing; {elapsed:.0f} s in all")
    table = markdown_table(rows)
    print(table)
    print(method)
    out = args.out or (None if args.smoke else os.path.join(HERE, "RESULTS.md"))
    if out is not None:
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python benchmarks/run.py", *given])
        with open(out, "w") as f:
            f.write("# Benchmark results\n\n" + f"`{command}`: {method}.\n\n" + "## Machine\n\n" +
                    "\n".join(machine_description()) + "\n\n## Results\n\n" + table + "\n")
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
