"""`xlate models install` without files: the Argos index path, against a server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import CORE_PACKAGES, MODELS, run_cli, write_config


@pytest.fixture
def index_server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    index = []
    for name in CORE_PACKAGES:
        shutil.copy(MODELS / name, root / name)
        pair = name.removeprefix("translate-").removesuffix(".argosmodel")
        a, b = pair.split("_")
        index.append(
            {
                "package_version": "1.0",
                "argos_version": "1.0",
                "from_code": a,
                "to_code": b,
                "from_name": a,
                "to_name": b,
                "type": "translate",
                "links": [base + name],
            }
        )
    (root / "index.json").write_text(json.dumps(index))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield base
    finally:
        httpd.shutdown()


def test_install_from_index_installs_what_config_needs(tmp_path: Path, index_server: str) -> None:
    write_config(tmp_path, tmp_path / "models")
    env = {"ARGOS_PACKAGE_INDEX": index_server, "HOME": str(tmp_path / "home")}
    proc = run_cli(tmp_path, "models", "install", env=env)
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(run_cli(tmp_path, "models", "list", "--json").stdout)
    assert listed["routes"] == {"en": "lt->en", "pl": "lt->en->pl", "ru": "lt->en->ru"}
    proc = run_cli(tmp_path, "models", "install", env=env)
    assert "all models the config needs are installed" in proc.stdout


def test_install_without_network_says_how_to_install_offline(tmp_path: Path) -> None:
    write_config(tmp_path, tmp_path / "models")
    env = {"ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/", "HOME": str(tmp_path / "home")}
    proc = run_cli(tmp_path, "models", "install", env=env)
    assert proc.returncode == 3
    assert "xlate models install FILE.argosmodel" in proc.stderr
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
