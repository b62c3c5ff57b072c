"""The researchers' notebook runs top to bottom on a tagged corpus (nbclient), and is stored without outputs."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from pipeline.run.batch import run_batch
from tests.conftest import ROOT, SAMPLE

NOTEBOOK = ROOT / "notebooks" / "corpus_overview.ipynb"


def test_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") and not cell.get("execution_count") for cell in notebook.cells
               if cell.cell_type == "code")


def test_notebook_executes_on_a_tagged_corpus(tmp_path, monkeypatch):
    assert run_batch([SAMPLE], tmp_path / "out", workers=1, use_models=False).failed == 0
    monkeypatch.setenv("REFERAT_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = "\n".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    assert "5 meetings, 16 items" in text
    assert "Dennis Ø. Lund" not in text and "against" in text  # dissent by party: Ø against on the bus route
    assert "Orientering" in text and "Beslutning" in text
