"""The package is layered: every import points down (records/config/contract/writers → ingest → stages → evaluate → learn → run → cli),
so training and evaluation never reach into the batch runner and no module imports one above it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
LAYERS = ["records", "config", "contract", "writers", "ingest", "stages", "evaluate", "learn", "run", "cli"]
# Modules of one layer that may import each other (the bottom four are independent leaves).
LEVEL = {"records": 0, "config": 0, "contract": 0, "writers": 0, "ingest": 1, "stages": 2, "evaluate": 3, "learn": 4, "run": 5, "cli": 6}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "pipeline" else ""


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; the layout test reads absolute ones")
    return {m for m in found if m.startswith("pipeline.")}


def test_every_import_points_down():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        module = "pipeline." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        room = _room(module) or "records"
        for target in _imports(path):
            target_room = _room(target)
            if target_room and LEVEL[target_room] > LEVEL[room]:
                upward.append(f"{module} imports {target}")
    assert not upward, "\n".join(sorted(upward))


def test_bottom_layer_imports_nothing_of_the_package_above_it():
    for name in ("records", "config", "contract", "writers"):
        imported = {_room(m) for m in _imports(PACKAGE / f"{name}.py")}
        assert imported <= {"records", "config", "contract", "writers"}, (name, imported)


def test_known_layers_only():
    rooms = {p.name if p.is_dir() else p.stem for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))}
    assert rooms <= set(LAYERS) | {"__pycache__"}, rooms - set(LAYERS)
