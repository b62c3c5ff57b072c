"""Command line: `referat run` and `referat evaluate`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .config import ConfigError, load_quality_gate

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Danish committee minutes → structured corpus.")


@app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="Minutes files (.txt, .pdf, .html) or folders (recursed).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: <stem>.json per document.")] = Path("out"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line per document.")] = False,
) -> None:
    """Segment minutes into items and write one JSON per document (schema: shared/gold/GUIDELINES.md)."""
    from .process import Pipeline, run

    try:
        pipeline = Pipeline()
    except ConfigError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    written, failed, items = 0, 0, 0
    for path, document, error in run(inputs, out, pipeline):
        if error:
            failed += 1
            typer.echo(f"error: {error}", err=True)
            continue
        written += 1
        items += len(document.items)
        if not quiet:
            typer.echo(f"[{written + failed}] {path} → {out / (path.stem + '.json')} ({len(document.items)} items)")
    elapsed = time.perf_counter() - started
    typer.echo(f"{written} written ({items} items), {failed} failed, in {elapsed:.1f}s → {out.resolve()}")
    if failed or not written:
        raise typer.Exit(1)


@app.command("evaluate")
def evaluate_command(
    gold: Annotated[Path, typer.Option("--gold", help="Folder of gold JSON files.")],
    pred: Annotated[Path, typer.Option("--pred", help="Folder of predicted JSON files (from `referat run`).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write metrics JSON here (default PRED/metrics.json).")] = None,
    gate: Annotated[Path | None, typer.Option("--gate", help="Quality-gate YAML: exit 1 if a metric is below it.")] = None,
) -> None:
    """Compare predictions with gold: items P/R/F1, type, sections token F1, metadata; per document and overall."""
    from .evaluate import check_gate, evaluate_dirs, format_table
    from .writers import write_json_atomic

    try:
        metrics = evaluate_dirs(gold, pred)
    except FileNotFoundError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    for error in metrics["errors"]:
        typer.echo(f"warning: {error}", err=True)
    target = out or pred / "metrics.json"
    write_json_atomic(target, metrics)
    typer.echo(format_table(metrics))
    typer.echo(f"metrics written to {target}")
    if gate:
        try:
            failures = check_gate(metrics, load_quality_gate(gate))
        except ConfigError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
        for failure in failures:
            typer.echo(f"QUALITY GATE FAILED: {failure}", err=True)
        if failures:
            raise typer.Exit(1)
        typer.echo("quality gate passed")


def main() -> None:  # console-script entry point
    sys.exit(app())


if __name__ == "__main__":
    main()
