"""The restore drill, on SQLite and on PostgreSQL: back up, wipe, restore, compare; and the
backup's refusals (a used folder, a file that does not match its checksum)."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from keywork.access import backup
from keywork.audit import chain
from keywork.audit.models import AuditEvent
from keywork.clients.models import Client

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_back_up_wipe_restore_and_everything_is_as_it_was(personas, client, tmp_path):
    client.force_login(personas.mi_keyworker.user)
    client.get(f"/clients/{personas.client.local_id}/")
    folder = tmp_path / "backup"
    said = run("backup", "--out", str(folder))
    assert said.startswith("Backed up ")
    before = backup.table_counts()
    trail = chain.verify()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in folder.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["clients_client"] == Client.objects.count() > 0
    assert manifest["audit"] == {"rows": trail.rows, "head": trail.head}

    call_command("flush", interactive=False)
    assert Client.objects.count() == 0 and AuditEvent.objects.count() == 0

    said = run("restore", str(folder), "--no-input")
    assert "every count matches, the audit chain is whole" in said
    after = backup.table_counts()
    after["access_auditevent"] -= 1  # the restore's own row, written once all was checked
    assert after == before
    assert chain.verify().whole
    assert AuditEvent.objects.filter(what="restore").count() == 1
    assert Client.objects.filter(local_id=personas.client.local_id).exists()


def test_a_backup_needs_a_new_folder(personas, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not an empty folder"):
        run("backup", "--out", str(tmp_path / "used"))


def test_a_backup_whose_file_was_changed_is_not_restored(personas, tmp_path):
    folder = tmp_path / "backup"
    run("backup", "--out", str(folder))
    file = next(f for f in folder.iterdir() if f.name != "manifest.json")
    file.chmod(0o600)
    with file.open("ab") as handle:
        handle.write(b"\0")
    clients = Client.objects.count()
    with pytest.raises(CommandError, match="not the file the manifest names"):
        run("restore", str(folder), "--no-input")
    assert Client.objects.count() == clients
