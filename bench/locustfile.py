"""The people behind bench/load.py: keyworkers going through their day (caseload, a client's
record, the diary, a search) and a service manager watching the service (dashboard, team
view, a dashboard list, the QS6 report), each signed in as themselves. Run by bench/load.py,
which starts the server and says who signs in (KEYWORK_LOAD_PEOPLE)."""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

PEOPLE = json.loads(os.environ.get("KEYWORK_LOAD_PEOPLE", "{}"))
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.20"}
CLIENT_LINK = re.compile(r'href="/clients/([A-Z0-9-]+)/"')
SURNAMES = ("Khan", "Jones", "Patel", "Walsh", "Reid", "Turner")


class Person(HttpUser):
    """Plain HTTP as the TLS proxy in front passes it on: the scheme and address headers, and
    the Secure cookies sent back by hand (they would not be sent over plain HTTP)."""

    abstract = True
    wait_time = between(1, 3)  # reading the page, then the next click
    kind = ""

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}
        account = PEOPLE[self.kind].pop(0)
        self.ask("GET", "/accounts/login/", "sign in")
        self.ask(
            "POST",
            "/accounts/login/",
            "sign in",
            {"username": account["username"], "password": account["password"]},
            expect=(302,),
        )
        if account.get("code"):
            self.ask(
                "POST",
                "/accounts/login/second-step/",
                "sign in",
                {"code": account["code"]},
                expect=(302,),
            )

    def ask(
        self,
        method: str,
        path: str,
        name: str,
        data: dict[str, str] | None = None,
        *,
        expect: tuple[int, ...] = (200,),
    ) -> str:
        headers = {**PROXIED}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            headers["Referer"] = f"https://127.0.0.1{path}"
            headers["Origin"] = "https://127.0.0.1"
        with self.client.request(
            method,
            path,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            for cookie in response.cookies:
                self.cookies[cookie.name] = cookie.value or ""
            if response.status_code not in expect:
                response.failure(f"{response.status_code} for {path}")
            return str(response.text)


class Keyworker(Person):
    fixed_count = 8
    kind = "keyworkers"

    def on_start(self) -> None:
        super().on_start()
        self.clients: list[str] = []
        self.caseload()

    @task(3)
    def caseload(self) -> None:
        page = self.ask("GET", "/", "my caseload")
        self.clients = CLIENT_LINK.findall(page) or self.clients

    @task(4)
    def record(self) -> None:
        if self.clients:
            local_id = random.choice(self.clients)
            self.ask("GET", f"/clients/{local_id}/", "a client's record")

    @task(1)
    def diary(self) -> None:
        self.ask("GET", "/diary/", "my diary")

    @task(1)
    def search(self) -> None:
        self.ask("GET", f"/search/?q={random.choice(SURNAMES)}", "find a client by name")


class Manager(Person):
    fixed_count = 1
    kind = "managers"

    # The service's figures: kept, or being worked out by the task worker (202, the waiting
    # page) when there are none yet; each a quick answer.
    @task(2)
    def dashboard(self) -> None:
        self.ask("GET", "/dashboard/", "dashboard (service)", expect=(200, 202))

    @task(2)
    def team(self) -> None:
        self.ask("GET", "/team/", "team view (service)", expect=(200, 202))

    @task(1)
    def dashboard_list(self) -> None:
        self.ask("GET", "/dashboard/open/", "a dashboard list")

    @task(1)
    def report(self) -> None:
        # kept, being computed by the worker, or asked for now: each is a quick answer
        self.ask("GET", "/reports/qs6/", "QS6 report (service)", expect=(200, 202, 302))
