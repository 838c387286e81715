"""Command line: list the surfaces and optimizers, or run one case and print its trajectory.

    python -m optimizers list
    python -m optimizers run --surface rosenbrock --optimizer adam --start -1.5 2 \
        --steps 300 --set lr=0.05 --set betas=0.9,0.999 --format csv
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

import numpy as np

from landscapes import SURFACES, make_regression
from optimizers.registry import OPTIMIZERS
from optimizers.runner import MAX_STEPS, run
from optimizers.schedules import KINDS, Schedule

MAX_MESSAGE = 300  # an argparse complaint quotes the bad text back; keep the line readable


class UsageError(Exception):
    """argparse's complaint, which main() prints as one error line instead of usage and exit."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse quotes unrecognised arguments raw: show a newline or a zero-width space as its escape.
        visible = "".join(char if char.isprintable() else repr(char)[1:-1] for char in message[:MAX_MESSAGE])
        raise UsageError(f"{visible} (see: {self.prog} --help)")


def ascii_number(kind: type) -> Callable[[str], Any]:
    """``kind`` (int or float) of text in ASCII digits only: float('١') and int('３') are
    3.0 and 3 in Python, a surprise on a command line where no one typed a three."""
    def convert(text: str) -> Any:
        if not text.isascii():
            raise ValueError(f"not an ASCII number: {text!r}")
        return kind(text)

    convert.__name__ = kind.__name__  # argparse names the type in its message
    return convert


def parse_value(text: str) -> Any:
    """A hyperparameter value from the command line: bool, number, pair of numbers or a name."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if "," in text:
        return tuple(ascii_number(float)(part) for part in text.split(","))
    try:
        return ascii_number(float)(text)
    except ValueError:
        return text.strip()


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"Invalid --set {pair!r}: write it as name=value, e.g. --set lr=0.05.")
        try:
            settings[name.strip()] = parse_value(value)
        except ValueError:
            raise ValueError(f"Invalid --set {pair!r}: {value!r} is not a number, a pair like 0.9,0.999, true/false or a name.") from None
    return settings


def describe_catalogue(out: TextIO) -> None:
    out.write("Surfaces:\n")
    for surface in SURFACES.values():
        out.write(f"  {surface.name:14s} {surface.label}  (default start {surface.start})\n")
    out.write("\nOptimizers (PyTorch's names and defaults):\n")
    for spec in OPTIMIZERS.values():
        defaults = ", ".join(f"{name}={default!r}" for name, default in spec.defaults().items() if name != "inner_hyper")
        out.write(f"  {spec.name:10s} {spec.label}: {defaults}\n")
    out.write(f"\nSchedules: {', '.join(KINDS)}; steps from 1 to {MAX_STEPS}.\n")


def write_trajectory(traj: Any, fmt: str, out: TextIO) -> None:
    xy_steps = traj.xy_step_index
    if fmt == "json":
        payload = traj.summary()
        payload.update({
            "hyper": traj.hyper,
            "settings": {k: v for k, v in traj.settings.items() if k != "schedule"},
            "step": xy_steps.tolist(),
            "xy": np.round(traj.xy, 12).tolist(),
            "loss": np.asarray(traj.loss)[np.searchsorted(traj.step_index, xy_steps)].tolist(),
        })
        json.dump(payload, out, indent=1)
        out.write("\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step", "x", "y", "loss"])
    loss_rows = np.searchsorted(traj.step_index, xy_steps)
    for row, step in enumerate(xy_steps):
        x, y = traj.xy[row]
        writer.writerow([int(step), repr(float(x)), repr(float(y)), repr(float(traj.loss[loss_rows[row]]))])


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m optimizers", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list surfaces, optimizers and their defaults")
    one = commands.add_parser("run", help="run one optimizer from one start and print the path")
    one.add_argument("--surface", default="ravine", help=f"one of {', '.join(SURFACES)}")
    one.add_argument("--optimizer", default="sgd", help=f"one of {', '.join(OPTIMIZERS)}")
    one.add_argument("--start", nargs=2, type=ascii_number(float), metavar=("X", "Y"), help="start point (default: the surface's)")
    one.add_argument("--steps", type=ascii_number(int), default=None, help=f"number of steps, 1 to {MAX_STEPS} (default 100)")
    one.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="a hyperparameter, e.g. --set lr=0.05 --set betas=0.9,0.999 (repeatable)")
    one.add_argument("--schedule", default="constant", choices=KINDS)
    one.add_argument("--warmup-steps", type=ascii_number(int), default=0)
    one.add_argument("--grad-noise", type=ascii_number(float), default=0.0, help="std of Gaussian noise added to the gradient")
    one.add_argument("--seed", type=ascii_number(int), default=0)
    one.add_argument("--batch-size", type=ascii_number(int), default=None, help="mini-batch size (regression surface)")
    one.add_argument("--epochs", type=ascii_number(int), default=None, help="passes over the data (regression surface)")
    one.add_argument("--data-noise", type=ascii_number(float), default=None, help="noise of the regression data set")
    one.add_argument("--format", choices=("csv", "json"), default="csv")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as problem:
        err.write(f"error: {problem}\n")
        return 2
    if args.command == "list":
        describe_catalogue(out)
        return 0
    try:
        surface: Any = args.surface
        if args.data_noise is not None:
            if args.surface != "regression":
                raise ValueError("--data-noise applies to the regression surface only.")
            surface = make_regression(noise=args.data_noise)
        given = {
            "start": args.start, "steps": args.steps,
            "schedule": Schedule(kind=args.schedule, warmup_steps=args.warmup_steps),
            "grad_noise": args.grad_noise, "seed": args.seed, "batch_size": args.batch_size, "epochs": args.epochs,
        }
        settings = parse_settings(args.set)
        for name in sorted(set(settings) & (set(given) | {"optimizer", "surface"})):
            raise ValueError(f"Invalid --set {name}: {name} has its own option; use --{name.replace('_', '-')}.")
        traj = run(args.optimizer, surface, **given, **settings)
    except (ValueError, TypeError) as problem:
        err.write(f"error: {problem}\n")
        return 2
    write_trajectory(traj, args.format, out)
    return 0
