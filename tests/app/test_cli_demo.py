"""The `samling demo --json` contract, run as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from app.config import load_settings
from tests.conftest import ORIGIN, SECRET, path_of


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "SAMLING_SECRET_KEY": SECRET,
        "SAMLING_BASE_URL": ORIGIN,
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )


def test_demo_json_contract_and_links_work(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "demo", "--members", "12", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data["assembly_id"], int)
    assert set(data["facilitator"]) >= {"email", "password"}
    assert data["projector_url"].startswith(ORIGIN + "/projector/")
    assert len(data["members"]) == 12
    assert all(set(m) >= {"id", "name", "join_url"} for m in data["members"])
    assert len({m["name"] for m in data["members"]}) == 12

    from app.web import create_app

    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "SAMLING_SECRET_KEY": SECRET,
            "SAMLING_BASE_URL": ORIGIN,
        },
        secret_file=tmp_path / "unused",
    )
    with TestClient(create_app(settings), base_url=ORIGIN) as phone:
        page = phone.get(path_of(data["members"][0]["join_url"]))
        assert page.status_code == 200 and data["members"][0]["name"] in page.text
        assert phone.get(path_of(data["projector_url"])).status_code == 200
        from tests.conftest import login

        login(phone, data["facilitator"]["email"], data["facilitator"]["password"])

    again = json.loads(run_cli(tmp_path, "demo", "--if-empty", "--json").stdout)
    assert again["assembly_id"] == data["assembly_id"]
    assert again["facilitator"]["password"] != data["facilitator"]["password"]


def test_user_add(tmp_path: Path) -> None:
    run_cli(tmp_path, "migrate")
    short = run_cli(tmp_path, "user", "add", "a@b.dk", "--password", "short")
    assert short.returncode == 2 and "at least" in short.stderr
    ok = run_cli(tmp_path, "user", "add", "Ane@Kommune.dk", "--password", "a-long-password")
    assert ok.returncode == 0 and "Created facilitator ane@kommune.dk" in ok.stdout
    again = run_cli(tmp_path, "user", "add", "ane@kommune.dk", "--password", "another-password")
    assert "Updated" in again.stdout


def test_bad_configuration_fails_clearly(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
