"""The batch run on a Ray cluster, for corpora that outgrow one machine. Imported only with `--engine ray`: the
single-machine path does not need Ray installed.

`--address ADDR` (or RAY_ADDRESS) joins a running cluster; without one a private local Ray is started. Each of
`--workers` actors loads the pipeline and its models once, with the resources of configs/ray.yaml, and reads
inputs and writes outputs through the shared storage (pipeline/run/storage.py): a path every node mounts, or a
store's URL. An actor that dies is restarted and the documents it held are redone (Ray's max_restarts and
max_task_retries); a document whose actor keeps dying becomes a failed record with the reason, never a crashed
job. The driver keeps the manifest, and each record says which node processed the document."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import asdict

from pipeline.config import load_ray_config
from pipeline.run.storage import store_environment
from pipeline.run.worker import Record


class Worker:
    """A Ray actor: the pipeline (and its models) loaded once, then one document per call."""

    def __init__(self, use_models: bool, ocr: bool):
        from pipeline.run.worker import init_worker

        init_worker(use_models, ocr)

    def process(self, path: str, out_dir: str, name: str) -> dict:
        import ray

        from pipeline.run.worker import process_one

        record = asdict(process_one(path, out_dir, name))
        record["node"] = ray.get_runtime_context().get_node_id()
        return record


def connect(workers: int, address: str | None) -> None:
    """Join the cluster at `address` (or RAY_ADDRESS), else start a local Ray with `workers` CPUs; the workers
    get the driver's store settings (credentials, endpoints)."""
    import ray

    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    runtime_env = {"env_vars": store_environment()}
    quiet = {"log_to_driver": False, "logging_level": logging.getLogger().getEffectiveLevel()}
    if address:
        ray.init(address=address, runtime_env=runtime_env, **quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, runtime_env=runtime_env, **quiet)


def process_with_ray(todo: list[tuple[str, str]], out_dir: str, workers: int, use_models: bool, ocr: bool,
                     address: str | None = None) -> Iterator[Record]:
    import ray
    from ray.exceptions import RayActorError, RayTaskError

    if not todo:
        return
    config = load_ray_config()
    connect(workers, address)
    actor = ray.remote(num_cpus=config.actor_cpus, memory=config.actor_memory_mb * 1024 * 1024 or None,
                       max_restarts=config.max_restarts, max_task_retries=config.max_task_retries)(Worker)
    actors = [actor.remote(use_models, ocr) for _ in range(workers)]
    queue = list(reversed(todo))
    running: dict = {}  # object ref → (actor index, path)
    load = [0] * len(actors)

    def submit(index: int) -> None:
        path, name = queue.pop()
        running[actors[index].process.remote(path, out_dir, name)] = (index, path)
        load[index] += 1

    for index in range(len(actors)):  # a bounded number in flight per actor: memory stays flat
        for _ in range(config.in_flight_per_actor):
            if queue:
                submit(index)
    try:
        while running:
            done, _ = ray.wait(list(running), num_returns=1)
            ref = done[0]
            index, path = running.pop(ref)
            load[index] -= 1
            try:
                fields = ray.get(ref)
                yield Record(**fields)
            except (RayActorError, RayTaskError) as err:  # its actor died more often than it may restart
                reason = " ".join(str(err).split())[:300]
                yield Record(path, None, None, "failed", f"{path}: worker lost while processing it ({reason})")
            if queue:
                submit(index)
    finally:
        for handle in actors:
            ray.kill(handle)
