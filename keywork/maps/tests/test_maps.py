"""Maps drawn with the client, through the actions and the pages: started from a guide map,
saved as versions that never change, refused in the rule's words, drawn by the server."""

import datetime as dt

import pytest

from keywork.audit.models import AuditEvent
from keywork.core.errors import RuleViolation
from keywork.maps import actions as maps
from keywork.maps.actions import Link, MapDrawing, Node, StartMapInput
from keywork.maps.models import Map, MapVersion
from keywork.maps.svg import drawing
from keywork.measures.tests.test_qs6 import seen

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def start(personas, **given):
    return maps.start_map(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=StartMapInput(tool="tool.triggers-coping", **given),
    )


def save(personas, the_map, *, based_on=1, nodes=(), links=(), **more):
    return maps.save_map(
        actor=personas.mi_keyworker.user,
        the_map=the_map,
        given=MapDrawing(based_on=based_on, nodes=tuple(nodes), links=tuple(links), **more),
    )


BOXES = (
    Node(id="pub", text="Walking past the Crown", kind="trigger", x=120, y=100),
    Node(id="bored", text="Bored on Sunday afternoons", kind="feeling", x=400, y=100),
    Node(id="walk", text="Walk the dog with Sam", kind="coping", x=650, y=300),
)


def test_a_map_starts_from_its_guide_at_a_session_and_is_audited(personas):
    attendance = seen(personas, personas.mi_keyworker, 3)
    the_map = start(personas, attendance=attendance.pk)
    first = the_map.versions.get()
    assert the_map.title == "Triggers and coping map" and first.number == 1
    assert [n["id"] for n in first.nodes] == ["trigger", "feeling", "urge", "coping"]
    assert first.links[0] == {"from": "trigger", "to": "feeling", "label": "leads to"}
    assert first.attendance == attendance
    event = AuditEvent.objects.filter(what="start_map").get()
    assert event.client_id == personas.client.pk


def test_saving_adds_a_version_and_the_earlier_one_stays_as_it_was(personas):
    the_map = start(personas)
    links = (
        Link(source="pub", target="bored", label="and then"),
        Link(source="bored", target="walk"),
    )
    second = save(personas, the_map, nodes=BOXES, links=links, note="In Jo's words")
    assert second.number == 2 and len(second.nodes) == 3
    assert second.links[1] == {"from": "bored", "to": "walk", "label": ""}
    first = MapVersion.objects.get(map=the_map, number=1)
    assert first.nodes[0]["text"] == "A trigger: where, who, when"
    third = save(personas, the_map, based_on=2, nodes=BOXES[:2], note="The dog has gone")
    assert third.number == 3 and third.links == []  # a box taken off takes no line with it
    assert MapVersion.objects.filter(map=the_map).count() == 3


@pytest.mark.parametrize(
    ("nodes", "links", "says"),
    [
        ((Node(id="a", text="  "),), (), "nodes: box 1: write what the box says, or remove it"),
        ((Node(id="a", text="x", kind="dragon"),), (), "nodes: box 1: 'dragon' is not a kind"),
        ((Node(id="a", text="x", x=900),), (), "nodes: box 1: its place is off the page"),
        ((Node(id="a", text="x"), Node(id="a", text="y")), (), "box 2: every box needs an id"),
        (BOXES, (Link(source="pub", target="nowhere"),), "links: line 1: it must join two"),
        (BOXES, (Link(source="pub", target="pub"),), "links: line 1: it joins a box to itself"),
        (
            BOXES,
            (Link(source="pub", target="walk"), Link(source="pub", target="walk")),
            "links: line 2: those two boxes are already joined",
        ),
    ],
)
def test_a_bad_map_is_refused_naming_the_box_or_line_and_nothing_is_saved(
    personas, nodes, links, says
):
    the_map = start(personas)
    with pytest.raises(RuleViolation, match=says):
        save(personas, the_map, nodes=nodes, links=links)
    assert the_map.versions.count() == 1


def test_a_map_saved_from_an_older_version_is_refused(personas):
    the_map = start(personas)
    save(personas, the_map, nodes=BOXES)
    with pytest.raises(
        RuleViolation, match="saved again \\(version 2\\) since you opened version 1"
    ):
        save(personas, the_map, nodes=BOXES[:1])


def test_only_a_mapping_tool_and_only_this_clients_attended_session(personas):
    with pytest.raises(RuleViolation, match=r"tool: 'kw\.harm-reduction' is not a mapping tool"):
        maps.start_map(
            actor=personas.mi_keyworker.user,
            episode=personas.episode,
            given=StartMapInput(tool="kw.harm-reduction"),
        )
    with pytest.raises(RuleViolation, match="attendance: choose a session this client attended"):
        start(personas, attendance=999_999)
    assert not Map.objects.exists()


def test_the_server_drawing_escapes_the_clients_words_and_describes_the_map():
    nodes = [
        {"id": "a", "text": "<script>alert(1)</script>", "kind": "", "x": 100, "y": 100},
        {"id": "b", "text": "Mum & Dad", "kind": "person", "x": 400, "y": 100},
    ]
    svg = str(drawing("Jo's <map>", nodes, [{"from": "a", "to": "b", "label": "calls"}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Mum &amp; Dad" in svg
    assert '<title id="map-title">Jo&#x27;s &lt;map&gt;</title>' in svg
    assert "Lines: &lt;script&gt;alert(1)&lt;/script&gt; calls Mum &amp; Dad." in svg
    assert svg.count("<rect") == 2 and svg.count("<line") == 1


def test_the_keyboard_form_changes_the_map_and_the_pages_show_every_version(
    personas, client, django_assert_num_queries
):
    the_map = start(personas)
    client.force_login(personas.mi_keyworker.user)
    url = f"/clients/T0001/maps/{the_map.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in form.fields.items()
        for field in [form[name]]
    }
    data.pop("goals")
    data.update(
        {
            "node-4-text": "Call Sam",
            "node-4-kind": "support",
            "link-3-from": "urge",
            "link-3-to": "new-4",
            "link-3-label": "instead I",
            "note": "Added Sam",
        }
    )
    done = client.post(url, data)
    assert done.status_code == 302, done.context["form"].errors
    assert done.url == f"/clients/T0001/maps/{the_map.pk}/"
    latest = the_map.versions.order_by("-number").first()
    assert latest.number == 2 and latest.nodes[-1]["text"] == "Call Sam"
    assert {"from": "urge", "to": "new-4", "label": "instead I"} in latest.links
    shown = client.get(f"/clients/T0001/maps/{the_map.pk}/?version=1").content.decode()
    assert (
        "Version 1 of 2: an earlier version" in shown
        and "Call Sam" not in shown.split("<h2>Versions")[0]
    )
    with django_assert_num_queries(MAP_PAGE_QUERIES):
        assert client.get(f"/clients/T0001/maps/{the_map.pk}/").status_code == 200
    with django_assert_num_queries(MAPS_LIST_QUERIES):
        listed = client.get("/clients/T0001/maps/").content.decode()
    with django_assert_num_queries(START_PAGE_QUERIES):
        assert client.get("/clients/T0001/maps/new/").status_code == 200
    assert listed.count("<svg") == 1 and "2 versions" in listed


def test_a_map_on_the_timeline_of_the_client_record(personas, client):
    the_map = start(personas)
    save(personas, the_map, nodes=BOXES)
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0001/").content.decode()
    assert "started with" in page and "changed: version 2" in page


MAP_PAGE_QUERIES = 15
MAPS_LIST_QUERIES = 15
START_PAGE_QUERIES = 20


def test_a_map_at_a_session_counts_as_the_mapping_tool_used_there(personas, client):
    attendance = seen(personas, personas.mi_keyworker, 3)
    later = seen(personas, personas.mi_keyworker, 1)
    the_map = start(personas, attendance=attendance.pk, title="Sundays")
    save(personas, the_map, nodes=BOXES, attendance=later.pk)
    assert not attendance.techniques.exists()  # derived from the map, never written in
    client.force_login(personas.mi_keyworker.user)
    page = client.get("/clients/T0001/").content.decode()
    said = "Techniques and tools: Triggers and coping map (map “Sundays”)"
    assert page.count(said) == 2


def test_a_map_is_on_the_printed_summary_only_while_the_client_agrees(personas, client):
    the_map = start(personas, title="Sundays")
    client.force_login(personas.mi_keyworker.user)
    assert "Sundays" not in client.get("/clients/T0001/summary/").content.decode()
    save(personas, the_map, nodes=BOXES, on_summary=True)
    page = client.get("/clients/T0001/summary/").content.decode()
    assert "Your maps" in page and 'aria-labelledby="map-' in page and "Walk the dog" in page
    save(personas, the_map, based_on=2, nodes=BOXES, on_summary=False)
    assert "Sundays" not in client.get("/clients/T0001/summary/").content.decode()
    event = AuditEvent.objects.filter(what="save_map").order_by("pk").last()
    assert event.detail["on_summary"] is False


def test_rows_the_drawing_script_adds_beyond_the_spare_ones_are_saved(personas, client):
    the_map = start(personas)
    client.force_login(personas.mi_keyworker.user)
    url = f"/clients/T0001/maps/{the_map.pk}/change/"
    form = client.get(url).context["form"]
    data = {n: form[n].value() for n in form.fields if n != "goals"}
    data = {n: "" if v is None else v for n, v in data.items()}
    for i in range(4, 12):  # the guide's 4 boxes, 3 spare rows, and 5 rows more
        data |= {f"node-{i}-id": f"new-{i}", f"node-{i}-text": f"Box {i}", f"node-{i}-kind": ""}
        data |= {f"node-{i}-x": 50 * i, f"node-{i}-y": 400}
    data |= {"link-9-from": "new-11", "link-9-to": "coping", "link-9-label": "helps"}
    assert client.post(url, data).status_code == 302
    latest = the_map.versions.order_by("-number").first()
    assert len(latest.nodes) == 12 and latest.nodes[-1] == {
        "id": "new-11",
        "text": "Box 11",
        "kind": "",
        "x": 550,
        "y": 400,
    }
    assert {"from": "new-11", "to": "coping", "label": "helps"} in latest.links


def test_the_editor_of_a_sixty_box_map_reads_no_more_than_of_a_small_one(
    personas, client, django_assert_num_queries
):
    small = start(personas, title="Small")
    big = start(personas, title="Big")
    nodes = tuple(Node(id=f"n{i}", text=f"Box {i}", x=10 * i, y=100) for i in range(60))
    links = tuple(Link(source=f"n{i}", target=f"n{(i + 7) % 60}") for i in range(60))
    save(personas, big, nodes=nodes, links=links)
    client.force_login(personas.mi_keyworker.user)
    for the_map in (small, big):
        with django_assert_num_queries(EDITOR_QUERIES):
            page = client.get(f"/clients/T0001/maps/{the_map.pk}/change/")
        assert page.status_code == 200
    shown = page.content.decode()
    assert shown.count("<select") == 63 + 2 * 63 + 1  # kinds, lines, the session
    assert shown.count('<option selected value="n7">') == 2  # line 1 ends there, line 8 starts


EDITOR_QUERIES = 17


def test_the_session_form_offers_the_mapping_tools_for_the_clients_phase_first(personas):
    from keywork.sessions.forms import SessionForm

    form = SessionForm(worker=personas.mi_keyworker, phase=personas.episode.phase)
    (here, first), (_, rest) = form.fields["techniques"].choices  # type: ignore[attr-defined]
    assert here == f"For {personas.episode.phase.name}" == "For Engagement"
    assert "tool.decision-balance" in dict(first) and "tool.free-map" in dict(first)
    assert "tool.structuring-time" in dict(rest)


def test_the_summary_reads_the_same_number_of_queries_for_one_map_or_three(personas, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.mi_keyworker.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/clients/T0001/summary/").status_code == 200
        return len(captured)

    save(personas, start(personas, title="One"), nodes=BOXES, on_summary=True)
    one = queries()
    for title in ("Two", "Three"):
        save(personas, start(personas, title=title), nodes=BOXES[:1], on_summary=True)
    assert queries() == one
    assert client.get("/clients/T0001/summary/").content.decode().count("<svg") == 3
