"""The catalogue as data (rule 3): complete by phase and tier, loaded idempotently, and a
malformed file refused whole."""

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from keywork.access import actions as access
from keywork.access.queries import competent_entries, is_competent
from keywork.catalogue.loader import (
    DATA_DIR,
    CatalogueError,
    default_directory,
    load_catalogue,
    read_catalogue,
)
from keywork.catalogue.models import CatalogueVersion, Entry, EntryChange, Phase, Tier
from keywork.core.dates import today

pytestmark = pytest.mark.django_db

IN_LINE = ["engagement", "preparation", "change", "completion"]


def offered(phase: str, **filters) -> list[str]:
    return list(
        Entry.objects.for_phase(Phase.objects.get(code=phase))
        .filter(**filters)
        .values_list("code", flat=True)
    )


DAY = dt.timedelta(days=1)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / default_directory().name
    shutil.copytree(default_directory(), target)
    return target


def test_every_phase_has_its_focus_topics_and_interventions(catalogue):
    for phase in [*IN_LINE, "reintegration"]:
        assert offered(phase, kind="focus"), f"{phase} has no keywork focus"
        assert offered(phase, kind="topic"), f"{phase} has no session topics"
        assert offered(phase, tier__code="keywork_plus"), f"{phase} has no Keywork+ interventions"
        assert offered(phase, tier__code="specialist", kind="intervention"), (
            f"{phase} has no specialist"
        )


def test_four_phases_are_in_the_line_and_reintegration_runs_alongside(catalogue):
    line = list(Phase.objects.filter(in_sequence=True).values_list("code", flat=True))
    assert line == IN_LINE
    assert not Phase.objects.get(code="reintegration").in_sequence


def test_every_tier_has_its_competence_rule(catalogue):
    rules = dict(Tier.objects.values_list("code", "competence"))
    assert rules == {
        "keyworking": "any_keyworker",
        "keywork": "any_keyworker",
        "keywork_plus": "trained_and_supervised",
        "specialist": "registered_and_supervised",
    }


def test_keyworking_is_offered_at_every_phase(catalogue):
    assessment = Entry.objects.get(code="kwe.comprehensive-assessment")
    assert assessment.phases.count() == Phase.objects.count()


def test_the_seed_examples_are_placed_where_the_framework_puts_them(catalogue):
    assert offered("engagement", code="kwp.motivational-interviewing")
    assert offered("change", code="spec.inpatient-detox")
    assert not offered("engagement", code="spec.inpatient-detox")
    assert set(
        Entry.objects.get(code="topic.relapse-prevention-lapse").phases.values_list(
            "code", flat=True
        )
    ) == {
        "change",
        "completion",
    }


def test_national_definitions_are_marked_for_the_rules(catalogue):
    structured = Entry.objects.filter(group="structured_psychosocial")
    assert structured.count() == 8 and all(e.psychosocial and e.structured for e in structured)
    needs = dict(
        Entry.objects.exclude(needs_assessed_need="").values_list("code", "needs_assessed_need")
    )
    for code in (
        "rs.housing-support",
        "rs.employment-support",
        "rs.education-training-support",
        "rs.family-support",
        "rs.parenting-support",
        "rs.domestic-abuse-support",
    ):
        assert code in needs
    assert "rs.peer-support" not in needs
    methadone = Entry.objects.get(code="rx.methadone-oral")
    assert methadone.attributes["dose_item"] == "item.methadone-daily-dose"
    assert Entry.objects.get(code="item.ost-supervision").attributes["not_applicable_code"] == "99"
    assert Entry.objects.filter(kind="medication").count() == 22


def test_techniques_never_count_as_structured(catalogue):
    for entry in Entry.objects.filter(kind__in=["technique", "mapping_tool"]):
        assert not entry.structured and not entry.psychosocial
        assert entry.attributes["counts_as_structured"] is False


def test_skills_framework_entries_report_under_a_national_definition(catalogue):
    mi = Entry.objects.get(code="kwp.motivational-interviewing")
    assert mi.reports_as.code == "nat.psy.motivational"
    assert (
        Entry.objects.get(code="kwp.low-intensity-cmi.guided-self-help").parent.code
        == "kwp.low-intensity-cmi"
    )


def test_loading_twice_changes_nothing_the_second_time(db):
    first = load_catalogue(read_catalogue(default_directory()))
    assert (
        first.changed
        and len(first.added) == Entry.objects.count() + Phase.objects.count() + Tier.objects.count()
    )
    versions = CatalogueVersion.objects.count()
    second = load_catalogue(read_catalogue(default_directory()))
    assert not second.changed
    assert "nothing changed" in second.summary()
    assert CatalogueVersion.objects.count() == versions


def test_the_command_says_nothing_changed_on_a_second_run(db, capsys):
    call_command("load_catalogue")
    call_command("load_catalogue")
    assert "nothing changed" in capsys.readouterr().out.splitlines()[-1]


def test_a_changed_entry_is_updated_and_a_removed_one_retired(catalogue, copy):
    text = (copy / "keywork.toml").read_text()
    text = text.replace('name = "Ambivalence"', 'name = "Ambivalence about change"')
    start = text.index('[[entry]]\ncode = "topic.risk-awareness"')
    end = text.index("[[entry]]", start + 1)
    (copy / "keywork.toml").write_text(text[:start] + text[end:])
    report = load_catalogue(read_catalogue(copy))
    assert report.updated == ["entry topic.ambivalence"]
    assert report.retired == ["entry topic.risk-awareness"]
    assert Entry.objects.get(code="topic.ambivalence").name == "Ambivalence about change"
    retired = Entry.objects.get(code="topic.risk-awareness")
    assert retired.retired_at is not None
    assert not Entry.objects.offered().filter(code="topic.risk-awareness").exists()
    back = load_catalogue(read_catalogue(default_directory()))
    assert "entry topic.risk-awareness" in back.updated
    assert Entry.objects.offered().filter(code="topic.risk-awareness").exists()


def test_a_new_version_loads_over_the_old_one_keeping_how_each_entry_read(db):
    """2026.2 over 2026.1: what changed is updated in place (records keep pointing at the
    same entries) and each earlier reading is kept, with the version it belonged to."""
    older = load_catalogue(read_catalogue(DATA_DIR / "2026.1"))
    assert older.version == "2026.1" and not EntryChange.objects.exists()
    family = Entry.objects.get(code="kwp.family-support")
    newer = load_catalogue(read_catalogue(DATA_DIR / "2026.2"))
    assert newer.retired == []
    assert "entry kwp.family-support" in newer.updated
    assert "entry moc.coping-skills-training" in newer.added
    assert "tier specialist" in newer.updated
    kept = EntryChange.objects.get(entry=family)
    assert (kept.was_version, kept.became_version) == ("2026.1", "2026.2")
    assert kept.was["reports_as"] == "nat.psy.family-social-network"
    assert kept.was["name"] == "Family support"
    family.refresh_from_db()
    assert (family.pk, family.reports_as.code, family.version) == (
        family.pk,
        "rs.family-support",
        "2026.2",
    )
    assert EntryChange.objects.count() == len([u for u in newer.updated if "entry" in u])
    again = load_catalogue(read_catalogue(DATA_DIR / "2026.2"))
    assert not again.changed
    assert list(CatalogueVersion.objects.values_list("version", flat=True)) == [
        "2026.2",
        "2026.1",
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        (
            "keywork.toml",
            'phases = ["engagement"]',
            'phases = ["engagment"]',
            "unknown phase 'engagment'",
        ),
        (
            "keywork.toml",
            'code = "topic.ambivalence"',
            'code = "topic.cost-benefit"',
            "code used twice",
        ),
        (
            "keywork_plus.toml",
            "psychosocial = true",
            'psychosocial = "yes"',
            "'psychosocial' has the wrong type",
        ),
        (
            "tools.toml",
            'group = "session_support"',
            'grup = "session_support"',
            "unknown field 'grup'",
        ),
        (
            "specialist.toml",
            'tier = "specialist"',
            'tier = "specialst"',
            "unknown tier 'specialst'",
        ),
        (
            "tiers.toml",
            'competence = "registered_and_supervised"',
            'competence = "anyone"',
            "unknown competence rule",
        ),
        ("phases.toml", 'name = "Change"', "name = ", "not valid TOML"),
        (  # a guide map is checked as a map started from it would be (keywork/maps)
            "tools.toml",
            'to = "using-good"',
            'to = "using-god"',
            "entry 'tool.decision-balance': guide: links: line 1: it must join two boxes",
        ),
        (
            "tools.toml",
            'kind = "person", x = 400, y = 250',
            'kind = "person", x = 900, y = 250',
            "guide: nodes: box 1: its place is off the page",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_file_and_entry_and_nothing_is_loaded(
    catalogue, copy, file, old, new, problem
):
    path = copy / file
    path.write_text(path.read_text().replace(old, new, 1))
    before = (Entry.objects.count(), CatalogueVersion.objects.count())
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(read_catalogue(copy))
    message = str(refused.value)
    assert file in message and problem in message
    assert "\n" not in message
    assert (Entry.objects.count(), CatalogueVersion.objects.count()) == before


def test_a_malformed_file_names_the_entry(copy):
    path = copy / "keywork.toml"
    path.write_text(path.read_text().replace('phases = ["engagement"]', 'phases = ["nowhere"]', 1))
    with pytest.raises(
        CatalogueError, match=r"keywork.toml: entry 'focus.therapeutic-relationship': unknown phase"
    ):
        read_catalogue(copy)


def test_the_command_refuses_a_broken_catalogue_in_one_line(db, copy):
    path = copy / "keywork.toml"
    path.write_text(path.read_text().replace('kind = "topic"', 'kind = "topik"', 1))
    with pytest.raises(
        CommandError,
        match=r"catalogue not loaded: .*keywork.toml: entry 'topic\..*': unknown kind 'topik'",
    ):
        call_command("load_catalogue", path=copy)
    assert not Entry.objects.exists()


def test_the_console_command_exits_non_zero_without_a_traceback(copy):
    path = copy / "tiers.toml"
    path.write_text(path.read_text().replace("order = 1", 'order = "first"', 1))
    result = subprocess.run(
        [sys.executable, "-m", "keywork.cli", "load_catalogue", "--path", str(copy)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "tiers.toml" in lines[0] and "'order'" in lines[0]


def test_an_entry_deeper_than_the_competence_query_walks_is_refused(copy):
    path = copy / "specialist.toml"
    path.write_text(
        path.read_text() + '\n[[entry]]\ncode = "spec.injectable-opioid-treatment.clinic"\n'
        'kind = "intervention"\nname = "Clinic"\ngroup = "specialist"\n'
        'parent = "spec.injectable-opioid-treatment"\ntier = "specialist"\n'
        'phases = ["change"]\nsource = "skills-framework"\n'
    )
    with pytest.raises(CatalogueError, match=r"clinic': sits more than 3 levels deep"):
        read_catalogue(copy)


def test_the_competence_query_covers_every_level_under_a_registration(personas):
    """A registration for the top of a line covers its grandchildren too: in the list the
    session form offers as in the check of one entry (covering_entries)."""
    entry = Entry.objects.filter(parent__parent__isnull=False).select_related("parent__parent")[0]
    assert entry.parent and entry.parent.parent
    worker = personas.keyworker
    assert not competent_entries(worker, today()).filter(pk=entry.pk).exists()
    access.record_registration(
        actor=None,
        worker=worker,
        given=access.RecordRegistrationInput(
            body="GMC",
            number="G-1",
            valid_from=today() - 9 * DAY,
            expires_on=today() + 300 * DAY,
            interventions=[entry.parent.parent],
        ),
    )
    assert is_competent(worker, entry, today()).competent
    assert competent_entries(worker, today()).filter(pk=entry.pk).exists()


def test_entries_whose_parents_loop_are_refused(copy):
    path = copy / "specialist.toml"
    path.write_text(
        path.read_text().replace(
            'name = "Medically assisted recovery"\n',
            'name = "Medically assisted recovery"\nparent = "spec.opioid-substitution"\n',
            1,
        )
    )
    with pytest.raises(CatalogueError, match=r"sits more than 3 levels deep \(or in a loop\)"):
        read_catalogue(copy)
