"""Benchmark: the caseload and client pages, rendered server-side on a big demo service,
against a bare view that does one primary-key lookup, in the same run.

    make bench                      # builds var/bench.sqlite3 (30,000 clients) once, then runs
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keywork_bench make bench

Each page is requested through Django's test client (middleware, session, audit, template:
everything but the network), with DEBUG off. It prints the median and 90th-percentile time
of each page and its ratio to the bare view's median."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keywork.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from bench import pace  # noqa: E402
from keywork.clients.models import Client as Person  # noqa: E402
from keywork.clients.models import Episode  # noqa: E402
from keywork.maps import actions as maps  # noqa: E402
from keywork.maps.models import Map  # noqa: E402
from keywork.testing.worker import work_the_queue  # noqa: E402


def bare(request: HttpRequest, pk: int) -> HttpResponse:
    """The baseline: one primary-key lookup, a tiny response."""
    return HttpResponse(Person.objects.get(pk=pk).local_id)


urlpatterns = [path("bench/bare/<int:pk>/", bare), path("", include("keywork.urls"))]


def timed(client: Client, url: str, repeat: int) -> list[float]:
    client.get(url)  # warm the caches the page uses, as a second visit would
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def kept_figures(client: Client, url: str) -> float | None:
    """A page whose figures over the whole service are kept: have the task worker work them
    out afresh (timed), as it does when they are stale; None for any other page."""
    if client.get(url).status_code != 202 and client.post(url).status_code != 302:
        return None
    start = time.perf_counter()
    work_the_queue()
    return (time.perf_counter() - start) * 1000


SIXTY = "Sixty boxes (bench)"


def sixty_box_map(episode: Episode, username: str) -> Map:
    """A map of 60 boxes and 60 lines on the client's record, drawn through the actions the
    first time (kept for the runs after)."""
    found = Map.objects.filter(episode=episode, title=SIXTY).first()
    if found is not None:
        return found
    user = User.objects.get(username=username)
    made = maps.start_map(
        actor=user, episode=episode, given=maps.StartMapInput(tool="tool.free-map", title=SIXTY)
    )
    nodes = tuple(
        maps.Node(
            id=f"n{i}",
            text=f"Box {i}, in the client's own words",
            x=(i % 10) * 80 + 40,
            y=(i // 10) * 80 + 40,
        )
        for i in range(60)
    )
    links = tuple(
        maps.Link(source=f"n{i}", target=f"n{(i + 7) % 60}", label="leads to") for i in range(60)
    )
    maps.save_map(
        actor=user, the_map=made, given=maps.MapDrawing(based_on=1, nodes=nodes, links=links)
    )
    return made


LEADER_PAGES = {  # a team's, worked out as the page is asked for
    "team view (team leader)": "/team/",
    "dashboard (team leader)": "/dashboard/",
}
MANAGER_PAGES = {  # the whole service's
    "team view (service manager)": "/team/",
    "dashboard (service manager)": "/dashboard/",
    "a dashboard list (open episodes)": "/dashboard/open/",
    "a dashboard list (reviews overdue)": "/dashboard/reviews_overdue/",
    "a dashboard list (outcomes due)": "/dashboard/outcomes_due/",
    "a dashboard list (re-engaging)": "/dashboard/reengaging/",
    "a dashboard list (missed)": "/dashboard/dna/",
}
ONE_TEAM_PAGES = {  # a team's and a keyworker's, which the manager chooses: worked out as asked
    "dashboard (service manager, one team)": "/dashboard/?team={team}",
    "a dashboard list (one team, open)": "/dashboard/open/?team={team}",
    "QS6 report (one team)": "/reports/qs6/?team={team}",
    "QS6 report (one keyworker)": "/reports/qs6/?keyworker={keyworker}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="kw.amira")
    parser.add_argument("--leader", default="tl.carys", help="for a team's view and dashboard")
    parser.add_argument("--manager", default="sm.farid", help="for the team view and dashboard")
    args = parser.parse_args()
    clients = Person.objects.count()
    if clients < 1000:
        sys.exit(f"bench: only {clients} clients here; build one: keywork demo --clients 30000")
    longest = (
        Episode.objects.filter(keyworker__user__username=args.user, discharged_on=None)
        .annotate(n=Count("attendances"))
        .order_by("-n")
        .select_related("client", "team")
        .first()
    )
    assert longest is not None
    person = longest.client
    pages: dict[str, str] = {
        "bare view (one pk lookup)": f"/bench/bare/{person.pk}/",
        "my caseload": "/",
        "team caseload": "/?scope=team",
        "team caseload, review due first": "/?scope=team&sort=review",
        "client record (longest history)": f"/clients/{person.local_id}/",
        "care plan": f"/clients/{person.local_id}/care-plan/",
        "my diary": "/diary/",
        "the team's diary": "/diary/?who=team",
        "find a client by name": f"/search/?q={person.family_name}",
    }
    sixty = sixty_box_map(longest, args.user)
    pages["map editor, 60 boxes"] = f"/clients/{person.local_id}/maps/{sixty.pk}/change/"
    pages["a map, 60 boxes"] = f"/clients/{person.local_id}/maps/{sixty.pk}/"
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        # Signed in directly: the pages are timed, not the sign-in (a password and a second
        # factor through the lockout's backend, which needs a real request).
        client.force_login(User.objects.get(username=args.user))
        results = {name: timed(client, url, args.repeat) for name, url in pages.items()}
        leader = Client()
        leader.force_login(User.objects.get(username=args.leader))
        for name, url in LEADER_PAGES.items():
            results[name] = timed(leader, url, args.repeat)
        manager = Client()
        manager.force_login(User.objects.get(username=args.manager))
        for name, url in MANAGER_PAGES.items():
            worked = kept_figures(manager, url)
            if worked is not None:
                results[f"  {name.split(' (')[0]}: by the worker"] = [worked]
            results[name] = timed(manager, url, args.repeat)
        for name, url in ONE_TEAM_PAGES.items():
            asked = url.format(team=longest.team.code, keyworker=args.user)
            results[name] = timed(manager, asked, args.repeat)
    report(results, clients, longest, Path(str(django.db.connection.settings_dict["NAME"])).name)


def report(results: dict[str, list[float]], clients: int, episode: Episode, db: str) -> None:
    baseline = statistics.median(results["bare view (one pk lookup)"])
    vendor = django.db.connection.vendor
    print(
        f"{clients:,} clients on {vendor} ({db}); record of {episode.client.local_id}, "
        f"{episode.n} sessions"
    )  # type: ignore[attr-defined]
    print(pace.line())
    print(f"{'page':36} {'median ms':>10} {'p90 ms':>8} {'x bare':>8}")
    p90: Callable[[list[float]], float] = (  # noqa: E731
        lambda xs: statistics.quantiles(xs, n=10)[-1] if len(xs) > 1 else xs[0]
    )
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:36} {median:10.1f} {p90(times):8.1f} {median / baseline:8.1f}")


if __name__ == "__main__":
    main()
