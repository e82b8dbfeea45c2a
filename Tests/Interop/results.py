"""Figures for the lead's notes: one JSON file per test under .build/interop-results/."""

import json
import os
import pathlib
import time

DIRECTORY = pathlib.Path(__file__).resolve().parents[2] / ".build" / "interop-results"


def write(name: str, figures: dict) -> pathlib.Path:
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    path = DIRECTORY / f"{name}.json"
    path.write_text(json.dumps({"test": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "meshcast_bin": os.environ.get("MESHCAST_BIN", ".build/debug/meshcast"), **figures}, indent=2) + "\n")
    return path
