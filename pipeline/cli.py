"""Command line: `referat run`, `evaluate`, `export`, `train`, `doctor` and the DVC stages. Every command turns
bad input into one line `error: <path>: <reason>` and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from pipeline.config import ConfigError, load_quality_gate
from pipeline.contract import ContractError
from pipeline.ingest import IngestError
from pipeline.writers import OutputError

def _click_style_help() -> None:
    """Help in click's conventions: `PATH`, `TEXT`, `INTEGER` after an option, nothing after a flag, and
    `INPUTS...` in the usage line (Typer 0.29 prints `<bool>`, `<list[Path]>` and `{inputs}...`)."""
    import typer.core

    def value_type(self, ctx) -> str | None:
        if getattr(self, "is_flag", False):
            return None
        if self.metavar is not None:
            return self.metavar
        label = self.bare_type().removeprefix("list[").removesuffix("]")
        return {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "Path": "PATH"}.get(label, label.upper())

    typer.core.TyperOption.display_type_rich = value_type
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None
    typer.core.TyperArgument._usage_display_name = lambda self: (
        (self.metavar or self.name.upper()) + ("..." if self.nargs != 1 and not (self.metavar or "").endswith("...")
                                               else ""))
    typer.core.TyperArgument._rich_display_name = lambda self: self.metavar or self.name.upper()


_click_style_help()
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Danish committee minutes → structured corpus.")
# What bad input, bad configuration or an unusable output folder raise: reported, not traced.
USER_ERRORS = (ConfigError, ContractError, IngestError, OutputError, OSError)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"referat {version('referat')}")
        raise typer.Exit()


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", help="Show the libraries' log messages (MLflow, DVC, ...).")] = False,
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Danish committee minutes → structured corpus."""
    import logging

    # libraries log at INFO into the command's output (MLflow's run and database messages): only warnings
    # and errors unless asked
    level = logging.INFO if verbose else logging.WARNING
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", logging.getLevelName(level))
    logging.getLogger().setLevel(level)
    if verbose:
        logging.basicConfig(level=level)
    for name in ("mlflow", "alembic", "urllib3", "git"):
        logging.getLogger(name).setLevel(level)


def _one_line(err: Exception) -> str:
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename}: {err.strerror or err}"
    return " ".join(str(err).split())


def command(name: str):
    """app.command(name) with user errors reported as `error: ...` (exit 2)."""

    def register(function):
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except USER_ERRORS as err:
                typer.echo(f"error: {_one_line(err)}", err=True)
                raise typer.Exit(2) from None

        return app.command(name)(guarded)

    return register


def parse_workers(value: str) -> int:
    """--workers: a whole number ≥ 1, or auto (one per CPU core)."""
    if value == "auto":
        return os.cpu_count() or 1
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise typer.BadParameter(f"{value!r} is not a number of workers: give a whole number ≥ 1, or auto")


@command("run")
def run_command(
    inputs: Annotated[list[str], typer.Argument(help="Minutes files (.txt, .pdf, .html, .docx) or folders (recursed); "
                                                "paths or URLs of a store (s3://bucket/prefix).", metavar="INPUTS...")],
    out: Annotated[str, typer.Option("--out", "-o", metavar="PATH|URL", help="Output folder (or a store's URL): one JSON "
                                     "per document, mirroring the input tree.")] = "out",
    workers: Annotated[str, typer.Option("--workers", "-w", metavar="N|auto", help="Parallel workers: a number ≥ 1, "
                                         "or auto (one per CPU core).")] = "auto",
    resume: Annotated[bool, typer.Option("--resume", help="Skip documents whose output is complete and valid.")] = False,
    engine: Annotated[str, typer.Option("--engine", metavar="local|ray", help="local: processes on this machine; "
                                        "ray: actors on a Ray cluster.")] = "local",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    models: Annotated[bool, typer.Option("--models/--no-models", help="Use trained models of configs/models.yaml "
                                         "where present (else rule baselines).")] = True,
    ocr: Annotated[bool, typer.Option("--ocr", help="Read PDFs without a text layer by OCR (needs tesseract, "
                                      "pdftoppm).")] = False,
    profile: Annotated[bool, typer.Option("--profile", help="Print where the time went, per stage (also in the "
                                          "manifest, per document).")] = False,
    address: Annotated[str | None, typer.Option("--address", metavar="ADDR", help="--engine ray: the cluster to join "
                                                "(host:port, or auto; default RAY_ADDRESS, else a local Ray).")] = None,
) -> None:
    """Tag minutes: one JSON per document (schema: shared/gold/GUIDELINES.md) and OUT/manifest.jsonl. Outputs
    mirror the input tree (OUT/a/referat.json); `referat doctor` shows the plan first."""
    from pipeline.run.batch import run_batch
    from pipeline.run.storage import is_url

    inputs = [i if is_url(i) else Path(i) for i in inputs]
    out = out if is_url(out) else Path(out)
    if engine not in ("local", "ray"):
        typer.echo("error: --engine must be local or ray", err=True)
        raise typer.Exit(2)
    workers = parse_workers(workers)
    if quiet:
        summary = run_batch(inputs, out, workers, resume, models, engine, ocr=ocr, address=address,
                            on_record=lambda record, _: record.error and typer.echo(record_line(record), err=True))
    else:
        summary = _run_with_progress(inputs, out, workers, resume, models, engine, ocr, address)
    typer.echo(run_summary(summary, workers, out))
    if profile:
        typer.echo(format_profile(summary.seconds_by_stage, summary.processed_words))
    if summary.failed or not summary.written:
        raise typer.Exit(1)


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def record_line(record) -> str:
    """A manifest record that needs a look, as one line: an error, or a file left aside with its reason."""
    return f"{'left aside' if record.status == 'skipped' else 'error'}: {record.error}"


def run_summary(summary, workers: int, out) -> str:
    """The run's last line: every file given accounted for; a rate only for the work done in this run."""
    done = summary.written - summary.resumed
    rate = (f" in {summary.seconds:.1f}s ({summary.processed_words / summary.seconds:,.0f} words/s, "
            f"{plural(workers, 'worker')})" if done and summary.seconds else f" in {summary.seconds:.1f}s")
    return (f"{plural(summary.files, 'file')}: {summary.written:,} written ({summary.resumed:,} already complete), "
            f"{summary.failed:,} failed, {summary.skipped:,} left aside; {plural(summary.items, 'item')}, "
            f"{plural(summary.processed_words, 'word')} processed{rate} → {out if isinstance(out, str) else out.resolve()} "
            f"(manifest: {str(out).rstrip('/')}/manifest.jsonl)")


def format_profile(seconds_by_stage: dict[str, float], words: int) -> str:
    """Seconds per stage summed over all workers, their share, and words per second of that stage alone."""
    total = sum(seconds_by_stage.values()) or 1e-9
    rows = [f"{'stage':24s} {'seconds':>9s} {'share':>6s} {'words/s':>12s}"]
    for stage, seconds in sorted(seconds_by_stage.items(), key=lambda kv: -kv[1]):
        rows.append(f"{stage:24s} {seconds:9.2f} {seconds / total:6.1%} {words / seconds if seconds else 0:12,.0f}")
    rows.append(f"{'all stages (CPU seconds)':24s} {total:9.2f} {1:6.1%} {words / total:12,.0f}")
    return "\n".join(rows)


def _run_with_progress(inputs, out, workers, resume, models, engine, ocr, address=None):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.run.batch import run_batch

    console = Console(stderr=True)
    columns = [TextColumn("[bold]tagging"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
               TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("run", total=None, status="")

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_record(record, summary) -> None:
            if record.error:
                progress.console.print(record_line(record), markup=False, highlight=False, soft_wrap=True)
            elapsed = max(progress.tasks[0].elapsed or 0.0, 1e-9)
            done = summary.written - summary.resumed + summary.failed
            progress.update(task, advance=1, status=f"{plural(summary.items, 'item')}, {plural(summary.failed, 'error')}"
                                                    + (f", {done / elapsed:.1f} documents/s" if done else ""))

        return run_batch(inputs, out, workers, resume, models, engine, on_record=on_record, on_start=on_start, ocr=ocr,
                         address=address)


@command("doctor")
def doctor_command(
    inputs: Annotated[list[Path], typer.Argument(help="Minutes files or folders, as you would give `referat run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The output folder, to count what --resume "
                                             "would keep.")] = None,
    show: Annotated[int, typer.Option("--show", help="List at most this many files per heading.")] = 20,
) -> None:
    """Before a long batch: what `referat run` will do with these inputs (formats, names told apart, files left
    aside and why). Exit 1 when some input will fail or nothing would be processed."""
    from pipeline.config import load_pipeline_config
    from pipeline.run.doctor import plan_run

    plan = plan_run(inputs, load_pipeline_config().ingest, out)
    formats = ", ".join(f"{n} {kind}" for kind, n in sorted(plan.formats.items())) or "none"
    typer.echo(f"{plan.files} minutes files ({formats})")

    def listing(title: str, rows: list[str]) -> None:
        typer.echo(f"{title}: {len(rows)}")
        for row in rows[:show]:
            typer.echo(f"  {row}")
        if len(rows) > show:
            typer.echo(f"  … and {len(rows) - show} more")

    listing("names shared by several inputs, told apart", [f"{source} → {name}" for source, name in plan.renamed])
    listing("will fail", [f"{path}: {why}" for path, why in plan.will_fail] + plan.problems)
    listing("left aside (not minutes files)", [f"{path}: {why}" for path, why in plan.skipped])
    if plan.already_complete is not None:
        typer.echo(f"already complete in {out} (kept by --resume): {plan.already_complete}")
    if plan.will_fail or plan.problems or not plan.files:
        raise typer.Exit(1)


@command("review")
def review_command(
    pred: Annotated[str, typer.Argument(metavar="PRED", help="Output folder (or store URL) of `referat run`.")],
    to: Annotated[str, typer.Option("--to", help="Task format (label-studio).")] = "label-studio",
    tasks_file: Annotated[Path, typer.Argument(help="Tasks JSON to write (import it into Label Studio).")] = Path("tasks.json"),
    select: Annotated[str, typer.Option("--select", help="least-confident | disagreement | random")] = "least-confident",
    n: Annotated[int, typer.Option("--n", min=1, help="Documents to pick.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="--select random: the sample's seed.")] = 0,
    document: Annotated[list[str] | None, typer.Option("--document", help="Only these documents (a task id, as "
                                                       "the report shows it, or a file name); repeat.")] = None,
) -> None:
    """Pick documents for people to annotate and write them as Label Studio tasks, the pipeline's output as
    pre-annotations; the labelling config is configs/label_studio.xml (made from the taxonomy and party letters
    by `python -m pipeline.run.review`)."""
    from pipeline.config import load_review_config
    from pipeline.run.review import select as pick
    from pipeline.run.review import tasks
    from pipeline.writers import write_json_atomic

    if to != "label-studio":
        raise typer.BadParameter(f"{to!r}: the only task format is label-studio", param_hint="--to")
    chosen, errors = pick(pred, select, n, load_review_config(), seed, document)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if not chosen:
        raise ContractError(pred, "no document to review" + (f" among {document}" if document else ""))
    write_json_atomic(tasks_file, tasks(pred, chosen))
    items = sum(len(c.document["items"]) for c in chosen)
    typer.echo(f"{len(chosen)} documents ({items} items) picked by {select} → {tasks_file}; labelling config: "
               f"configs/label_studio.xml")
    if errors:
        raise typer.Exit(1)


@command("import-annotations")
def import_annotations_command(
    export_file: Annotated[Path, typer.Argument(help="A Label Studio JSON export (or the tasks file itself: its "
                                                "predictions are taken as accepted).")],
    out: Annotated[Path, typer.Option("--out", help="Gold folder to write (one JSON per document).")],
) -> None:
    """Turn Label Studio annotations into gold files of the GUIDELINES.md schema, ready for `referat train`
    and `referat evaluate`; each is validated (verbatim spans, party letters, summary length, the contract)."""
    from pipeline.learn.label_studio import AnnotationError, task_to_gold
    from pipeline.run.review import vocabulary
    from pipeline.writers import prepare_output_dir, write_json_atomic

    try:
        exported = json.loads(export_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ContractError(export_file, f"not valid JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(exported, list) or not all(isinstance(t, dict) and isinstance(t.get("data"), dict)
                                                 and "text" in t["data"] for t in exported):
        raise ContractError(export_file, "not a Label Studio export or task list (a list of tasks with data.text)")
    prepare_output_dir(out)
    words = vocabulary()
    written, failed = 0, 0
    for task in exported:
        try:
            gold = task_to_gold(task, words)
        except (AnnotationError, KeyError, TypeError, ValueError, IndexError) as err:
            typer.echo(f"error: {export_file}: {err if isinstance(err, AnnotationError) else f'malformed task ({err!r})'}",
                       err=True)
            failed += 1
            continue
        name = str(task["data"].get("task") or Path(gold["document"]).stem).replace("/", "--")
        write_json_atomic(out / f"{name}.json", gold)
        written += 1
    typer.echo(f"{written} gold documents written to {out}, {failed} failed")
    if failed or not written:
        raise typer.Exit(1)


@command("evaluate")
def evaluate_command(
    gold: Annotated[list[Path], typer.Option("--gold", help="Folder of gold JSON files (repeat for several).")],
    pred: Annotated[str, typer.Option("--pred", metavar="PATH|URL", help="Output folder (or store URL) of `referat "
                                      "run`.")],
    by: Annotated[str, typer.Option("--by", help="Table rows: document | municipality.")] = "document",
    out: Annotated[Path | None, typer.Option("--out", help="Write the metrics JSON here (none is written otherwise).")] = None,
    gate: Annotated[Path | None, typer.Option("--gate", help="Quality-gate YAML: exit 1 if a metric is below it.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the HTML report here.")] = None,
    scores: Annotated[Path | None, typer.Option("--scores", help="Write the headline scores (flat JSON) here.")] = None,
    plots: Annotated[Path | None, typer.Option("--plots", help="Write DVC plot data here (item F1 per municipality, "
                                               "F1 per label, type confusion).")] = None,
) -> None:
    """Compare predictions with gold, every stage (segmentation, type, topics, outcome, sections, votes, positions,
    rationales, summaries, metadata), per document and overall; optionally write the HTML report."""
    from pipeline.evaluate.score import check_gate, evaluate_dirs, format_table
    from pipeline.writers import write_json_atomic

    from pipeline.run.storage import materialize

    if by not in ("document", "municipality"):
        typer.echo("error: --by must be document or municipality", err=True)
        raise typer.Exit(2)
    pred = materialize(pred)  # a run written to a store is read through a local copy
    metrics = evaluate_dirs(gold, pred)
    for error in metrics["errors"]:
        typer.echo(f"warning: {error}", err=True)
    typer.echo(format_table(metrics, by))
    if out:
        write_json_atomic(out, metrics)
        typer.echo(f"metrics written to {out}")
    if scores:
        from pipeline.evaluate.score import headline_scores

        write_json_atomic(scores, headline_scores(metrics))
    if plots:
        from pipeline.evaluate.score import plot_data

        plot_data(metrics, plots)
    if report:
        from pipeline.config import ModelPaths, load_model_paths
        from pipeline.evaluate.report import in_sample_sources, segmenter_curve, type_calibration, write_report

        paths = load_model_paths()
        used = [ModelPaths.resolve(p) for p in (paths.segment, paths.type, paths.topics)]
        write_report(metrics, pred, report, segmenter_curve(ModelPaths.resolve(paths.segment)),
                     type_calibration(ModelPaths.resolve(paths.type)),
                     in_sample_sources(gold, used) if _used_models(pred) else [])
        typer.echo(f"report written to {report}")
    if gate:
        failures = check_gate(metrics, load_quality_gate(gate))
        for failure in failures:
            typer.echo(f"QUALITY GATE FAILED: {failure}", err=True)
        if failures:
            raise typer.Exit(1)
        typer.echo("quality gate passed")


def _used_models(pred: Path) -> bool:
    """Whether the predictions in `pred` were made with trained models (their provenance says so)."""
    from pipeline.contract import document_files

    for path in document_files(pred)[:20]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if any(str(v).startswith("model:") for item in data.get("items", []) if isinstance(item, dict)
               for v in (item.get("provenance") or {}).values()):
            return True
    return False


@command("train")
def train_command(
    task: Annotated[str, typer.Argument(help="segment | type | topics")],
    config: Annotated[Path, typer.Option("--config", help="Training config YAML (configs/train_*.yaml).")],
    cv: Annotated[str, typer.Option("--cv", help="lomo (leave one municipality out) | none")] = "lomo",
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log the run to MLflow.")] = False,
    gate: Annotated[Path | None, typer.Option("--gate", help="Quality-gate YAML: exit 1 if the LOMO score is "
                                              "below its floor.")] = None,
    gold: Annotated[Path | None, typer.Option("--gold", help="Override the config's gold folder (type, topics).")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Override the config's raw minutes folder.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Override the config's model folder.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="Override a model parameter: KEY=VALUE.")] = None,
    predictions: Annotated[Path | None, typer.Option("--predictions", help="segment: write the leave-one-"
                                                     "municipality-out predictions here (for `referat evaluate`).")] = None,
    jobs: Annotated[str, typer.Option("--jobs", "-j", help="segment: folds trained in parallel: a number ≥ 1, or "
                                      "auto (one per CPU core).")] = "auto",
    curve: Annotated[bool, typer.Option("--curve/--no-curve", help="segment: also measure the learning curve.")] = True,
    metrics: Annotated[Path | None, typer.Option("--metrics", help="Write the leave-one-municipality-out figures "
                                                 "here (flat JSON, for `dvc metrics`).")] = None,
    data_out: Annotated[Path | None, typer.Option("--data-out", help="type, topics: write the training examples here "
                                                  "(Arrow dataset + Parquet).")] = None,
) -> None:
    """Train the segmenter, the item-type or the topic model, score it leave-one-municipality-out, save it with a
    model card in models/<name>/ and log the run to MLflow (MLFLOW_TRACKING_URI, default sqlite:///mlflow.db)."""
    if cv not in ("lomo", "none"):
        typer.echo("error: --cv must be lomo or none", err=True)
        raise typer.Exit(2)
    if task == "segment":
        _train_segment(config, cv, no_mlflow, gate, output, param or [], predictions, parse_workers(jobs), curve,
                       metrics)
        return
    from pipeline.learn.train import load_train_config, train

    settings = _override(load_train_config(config), gold, corpus, output, param or [])
    if settings.task != task:
        typer.echo(f"error: {config} trains '{settings.task}', not '{task}'", err=True)
        raise typer.Exit(2)
    card = train(settings, cv=None if cv == "none" else cv, log_to_mlflow=not no_mlflow, config_path=config,
                 data_dir=data_out)
    if metrics:
        from pipeline.learn.train import headline_metrics
        from pipeline.writers import write_json_atomic

        write_json_atomic(metrics, headline_metrics(card))
    metrics = card["metrics"]
    if task == "type" and cv == "lomo":
        typer.echo(f"type, leave-one-municipality-out: accuracy {metrics['accuracy']:.3f}, macro-F1 "
                   f"{metrics['macro_f1']:.3f} (majority baseline accuracy {metrics['majority_baseline_accuracy']:.3f})")
    elif cv == "lomo":
        per_label = ", ".join(f"{l} {m['f1']:.3f}" for l, m in metrics["per_label"].items())
        typer.echo(f"topics, leave-one-municipality-out: micro-F1 {metrics['micro']['f1']:.3f} ({per_label})")
    typer.echo(f"model {card['version']} saved to {settings.output} in {card['train_seconds']}s")
    if gate and cv == "lomo":
        floors = load_quality_gate(gate)
        score, floor = ((metrics["macro_f1"], floors.min_lomo_type_macro_f1) if task == "type"
                        else (metrics["micro"]["f1"], floors.min_lomo_topics_micro_f1))
        if score < floor:
            typer.echo(f"QUALITY GATE FAILED: {task} leave-one-municipality-out {score:.3f} < {floor:.3f}", err=True)
            raise typer.Exit(1)
        typer.echo("quality gate passed")


def _train_segment(config: Path, cv: str, no_mlflow: bool, gate: Path | None, output: Path | None,
                   params: list[str], predictions: Path | None, jobs: int = 1, curve: bool = True,
                   metrics_path: Path | None = None) -> None:
    import yaml
    from rich.console import Console

    from pipeline.learn.segment import load_segment_config, train_segmenter

    settings = load_segment_config(config)
    if output:
        settings = settings.model_copy(update={"output": str(output)})
    if params:
        merged = dict(settings.params)
        for assignment in params:
            key, _, value = assignment.partition("=")
            merged[key] = yaml.safe_load(value)
        settings = settings.model_copy(update={"params": merged})
    console = Console(stderr=True)
    started = time.perf_counter()
    with console.status("segmenter: reading and aligning the gold documents") as status:
        def progress(step: str, done: int, total: int) -> None:
            line = f"segmenter: {step}: {done}/{total} folds, {time.perf_counter() - started:.0f}s elapsed"
            status.update(line)
            if not console.is_terminal:
                typer.echo(line, err=True)

        card = train_segmenter(settings, cv=None if cv == "none" else cv, log_to_mlflow=not no_mlflow,
                               config_path=config, predictions_dir=predictions, progress=progress, jobs=jobs,
                               curve=curve)
    if metrics_path:
        from pipeline.learn.segment import headline_metrics
        from pipeline.writers import write_json_atomic

        write_json_atomic(metrics_path, headline_metrics(card))
    metrics = card["metrics"]
    if cv == "lomo":
        typer.echo(f"segment, leave-one-municipality-out: item F1 {metrics['item_f1']:.3f} (P {metrics['item_precision']:.3f}, "
                   f"R {metrics['item_recall']:.3f}), worst municipality {metrics['min_municipality_item_f1']:.3f}, "
                   f"{len(metrics['rejected_pages'])} pages with no item found")
        if metrics.get("learning_curve"):
            typer.echo("learning curve: " + ", ".join(f"{p['municipalities']}: {p['item_f1']:.3f}"
                                                      for p in metrics["learning_curve"]))
    typer.echo(f"model {card['version']} saved to {settings.output} in {card['train_seconds']}s")
    if gate and cv == "lomo":
        floor = load_quality_gate(gate).min_lomo_segment_item_f1
        if metrics["item_f1"] < floor:
            typer.echo(f"QUALITY GATE FAILED: segment leave-one-municipality-out item F1 {metrics['item_f1']:.3f} < "
                       f"{floor:.3f}", err=True)
            raise typer.Exit(1)
        typer.echo("quality gate passed")


def _override(settings, gold, corpus, output, params: list[str]):
    """Command-line overrides of a training config (DVC passes params.yaml values this way)."""
    import yaml

    from pipeline.learn.train import GoldSource

    data = settings.data
    if gold or corpus:  # one gold folder instead of the config's (DVC passes params.yaml's this way)
        first = settings.data.gold[0]
        data = data.model_copy(update={"gold": [GoldSource(gold_dir=str(gold or first.gold_dir),
                                                           corpus_dir=str(corpus or first.corpus_dir))]})
    model_params = dict(settings.params)
    for assignment in params:
        key, _, value = assignment.partition("=")
        model_params[key] = yaml.safe_load(value)
    return settings.model_copy(update={"data": data, "params": model_params,
                                       **({"output": str(output)} if output else {})})


@command("dataset")
def dataset_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (Arrow dataset, Parquet, VERSION).")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSON folder.")] = Path("../shared/gold"),
    corpus: Annotated[Path, typer.Option("--corpus", help="Raw minutes the gold annotates.")] = Path("../shared/corpus"),
    weak: Annotated[list[Path] | None, typer.Option("--weak", help="Unlabelled minutes for weak labels.")] = None,
) -> None:
    """Build the training data: gold items plus weakly labelled items, as a Hugging Face dataset and Parquet."""
    from pipeline.learn.dataset import gold_examples, save, weak_examples
    from pipeline.stages.pipeline import Pipeline

    pipeline = Pipeline(use_models=False)
    examples = gold_examples(corpus, gold, pipeline)
    examples += weak_examples(list(weak or []), pipeline, {e.document for e in examples})
    save(examples, out)
    typer.echo(f"{sum(e.source == 'gold' for e in examples)} gold and {sum(e.source == 'weak' for e in examples)} "
               f"weakly labelled items → {out} (version {(out / 'VERSION').read_text().strip()})")


@command("summaries")
def summaries_command(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSON folder.")] = Path("../shared/gold"),
    corpus: Annotated[Path, typer.Option("--corpus", help="Raw minutes the gold annotates.")] = Path("../shared/corpus"),
    out: Annotated[Path | None, typer.Option("--out", help="Write the comparison as JSON here.")] = None,
) -> None:
    """Summaries side by side with the lead and TextRank baselines: ROUGE-L, grounded numbers, length."""
    from pipeline.evaluate.score import summary_baselines
    from pipeline.writers import write_json_atomic

    table = summary_baselines(gold, corpus)
    typer.echo(f"{'system':10s} {'items':>5s} {'ROUGE-L':>8s} {'grounded':>9s} {'words':>6s} {'<=60':>6s}")
    for name, row in table.items():
        typer.echo(f"{name:10s} {row['items']:5d} {row['rouge_l']:8.3f} {row['grounded_numbers']:9.3f} "
                   f"{row['mean_words']:6.1f} {row['within_60_words']:6.3f}")
    if out:
        write_json_atomic(out, table)


@command("export")
def export_command(
    pred: Annotated[str, typer.Argument(metavar="PRED", help="Output folder (or store URL) of `referat run`.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for meetings/items/dissent .parquet and hf/.")],
    hf: Annotated[bool, typer.Option("--hf/--no-hf", help="Also write a Hugging Face dataset (hf/).")] = True,
    review_below: Annotated[float | None, typer.Option(
        "--review-below", min=0.0, max=1.0,
        help="Mark items whose type confidence is below this for review (default: configs/review.yaml).")] = None,
) -> None:
    """Export the tagged corpus as Parquet tables (meetings, items, dissent) and a Hugging Face dataset."""
    from pipeline.config import load_review_config
    from pipeline.run.export import export
    from pipeline.run.storage import materialize

    pred = materialize(pred)  # a run written to a store is read through a local copy
    review = load_review_config()
    if review_below is not None:
        review = review.model_copy(update={"type_confidence": review_below})
    counts, errors = export(pred, out, hf=hf, review=review)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    typer.echo(", ".join(f"{n} {name}" for name, n in counts.items()) + f" → {out}"
               + (f"; {len(errors)} files left out" if errors else ""))
    if errors:
        raise typer.Exit(1)


def main() -> None:  # console-script entry point
    sys.exit(app())


if __name__ == "__main__":
    main()
