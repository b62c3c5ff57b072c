"""Corpus scale on a real Ray cluster and a shared store: a two-node Ray cluster on this machine (started and
stopped here), an S3 API served on loopback by moto (a real HTTP server, not a mock of the client), the driver
run as `referat` would be run, killed, resumed; an actor killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic_minutes import generate
from pipeline.run.batch import MANIFEST, load_manifest, run_batch
from tests.conftest import SAMPLE

ray = pytest.importorskip("ray")
REFERAT = Path(sys.executable).parent / "referat"


def _free_port() -> int:
    with socket.socket() as handle:
        handle.bind(("127.0.0.1", 0))
        return handle.getsockname()[1]


def _outputs(folder: Path, strip_source_path: bool = False) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            text = path.read_text(encoding="utf-8")
            if strip_source_path and path.suffix == ".json":
                data = json.loads(text)
                data["source"].pop("path")
                text = json.dumps(data, sort_keys=True)
            found[path.relative_to(folder).as_posix()] = text
    return found


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """An S3 API on 127.0.0.1 (moto's server), a bucket, and the client settings every worker reads."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("s3fs")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "referat",
                "AWS_SECRET_ACCESS_KEY": "referat", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    boto3.client("s3").create_bucket(Bucket="minutes")
    yield boto3.client("s3")
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def cluster():
    """Two Ray nodes on this machine (a head and a worker, one CPU each), stopped after the module."""
    from ray.cluster_utils import Cluster

    ray.shutdown()
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    yield nodes
    ray.shutdown()
    nodes.shutdown()


def test_a_run_reads_and_writes_through_s3_and_export_reads_it(s3, tmp_path):
    for path in sorted(SAMPLE.iterdir()):
        s3.put_object(Bucket="minutes", Key=f"in/2024/{path.name}", Body=path.read_bytes())
    s3.put_object(Bucket="minutes", Key="in/2024/bilag.doc", Body=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    summary = run_batch(["s3://minutes/in"], "s3://minutes/out", workers=1, use_models=False)
    assert (summary.written, summary.failed, summary.skipped) == (5, 0, 1)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="minutes", Prefix="out/")["Contents"]}
    assert "out/2024/punkt_referat.json" in keys and "out/text/2024/punkt_referat.txt" in keys
    assert "out/manifest.jsonl" in keys
    tree = tmp_path / "in" / "2024"  # the same files in the same tree, on local disk
    tree.mkdir(parents=True)
    for path in SAMPLE.iterdir():
        (tree / path.name).write_bytes(path.read_bytes())
    local = tmp_path / "local"
    run_batch([tmp_path / "in"], local, workers=1, use_models=False)
    copy = tmp_path / "copy"
    for key in keys - {"out/manifest.jsonl"}:
        target = copy / key.removeprefix("out/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket="minutes", Key=key)["Body"].read())
    # the same outputs, apart from where the input was read (its URL)
    assert _outputs(copy, strip_source_path=True) == _outputs(local, strip_source_path=True)
    # resume keeps everything that is complete in the store; export and evaluate read the URL
    again = run_batch(["s3://minutes/in"], "s3://minutes/out", workers=1, use_models=False, resume=True)
    assert again.resumed == 5 and again.written == 5
    exported = subprocess.run([str(REFERAT), "export", "s3://minutes/out", "--out", str(tmp_path / "export"),
                               "--no-hf"], capture_output=True, text=True, env=os.environ.copy(), timeout=300)
    assert exported.returncode == 0 and "5 meetings" in exported.stdout, exported.stderr


def test_two_nodes_share_the_work_with_the_shipped_models(cluster, tmp_path):
    local = run_batch([SAMPLE], tmp_path / "local", workers=1, use_models=True)
    on_cluster = run_batch([SAMPLE], tmp_path / "cluster", workers=2, use_models=True, engine="ray",
                           address=cluster.address)
    assert on_cluster.written == local.written == 5
    assert _outputs(tmp_path / "cluster") == _outputs(tmp_path / "local")  # byte-identical
    nodes = {record.node for record in load_manifest(tmp_path / "cluster").values()}
    assert len(nodes) == 2 and None not in nodes  # documents placed on both nodes, as the manifest records


def _driver(inputs: Path, out: Path, address: str, *extra: str) -> subprocess.Popen:
    command = [str(REFERAT), "run", str(inputs), "--out", str(out), "--engine", "ray", "--address", address,
               "--workers", "2", "--no-models", "-q", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def _wait_for_outputs(out: Path, count: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and len(list(out.glob("*.json"))) < count:
        time.sleep(0.1)


def test_resume_after_the_driver_is_killed_keeps_what_was_written(cluster, tmp_path):
    corpus = tmp_path / "corpus"
    generate(corpus, 60, seed=23)
    reference = tmp_path / "reference"
    run_batch([corpus], reference, workers=1, use_models=False)
    out = tmp_path / "out"
    driver = _driver(corpus, out, cluster.address)
    _wait_for_outputs(out, 10)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    kept = len(list(out.glob("*.json")))
    assert 0 < kept < 60
    resumed = _driver(corpus, out, cluster.address, "--resume")
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert f"({kept} already complete)" in stdout or "already complete" in stdout
    assert _outputs(out) == _outputs(reference)
    records = load_manifest(out)
    assert len(records) == 60 and all(r.status == "written" for r in records.values())


def test_an_actor_killed_mid_run_is_restarted_and_its_documents_redone(cluster, tmp_path):
    import psutil

    corpus = tmp_path / "corpus"
    generate(corpus, 80, seed=29)
    out = tmp_path / "out"
    driver = _driver(corpus, out, cluster.address)
    _wait_for_outputs(out, 5)
    actors = [p for p in psutil.process_iter(["cmdline"]) if "ray::Worker" in " ".join(p.info["cmdline"] or [])]
    assert actors, "no actor process found"
    actors[0].kill()
    stdout, stderr = driver.communicate(timeout=300)
    assert driver.returncode == 0, stderr
    records = load_manifest(out)
    assert len(records) == 80 and all(r.status == "written" for r in records.values())  # in = written + failed
    assert "80 files: 80 written" in stdout
