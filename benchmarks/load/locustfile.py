"""The locust scenario: members browse, give shout-outs and answer a pulse; leads read insights.

Started by ``run.py`` (which sets the environment below); it can also run alone against two
instances that hold a database prepared by ``scenario.prepare``:

    LOAD_CAST=cast.json LOAD_INSTANCES=http://127.0.0.1:8101,http://127.0.0.1:8102 \
    LOAD_RESULTS=results.json locust -f benchmarks/load/locustfile.py --headless -u 20 -r 5 -t 1m

Each simulated user is bound to one instance (round robin) and stays on it. On a connection
error (refused, reset, closed before the answer) it fails over to the other instance, as a
load balancer would: the attempt is recorded as a ``FAILOVER`` request, not as a failure of
the route, and the request is sent again there when that is safe. Every request of this
scenario is safe to send again:

- GETs and the sign-in change nothing that a second attempt could double;
- a shout-out's message carries a unique token, and the app refuses the same message from the
  same sender to the same recipients a second time (unique index on sender and message hash,
  409): if the first attempt was saved before the connection broke, the second gets that 409,
  which this file records as the shout-out acknowledged (``"via": "duplicate"``), so the
  checks expect it in the database exactly once either way;
- a pulse answer is taken once per person and round (409 "answered already" after that), so
  a second attempt cannot count twice.

Requests are named by route template ("/pulses/[id]") so statistics group per route. What the
users were told succeeded (shout-outs, pulse answers), the failovers and every status per
route are written to ``LOAD_RESULTS`` when locust quits, for the checks in ``checks.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

CAST: dict[str, Any] = json.loads(Path(os.environ.get("LOAD_CAST", "cast.json")).read_text())
INSTANCES = os.environ.get("LOAD_INSTANCES", "http://127.0.0.1:8101").split(",")
WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "0.1,0.5").split(","))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOUTOUT_LINK = re.compile(r'id="shoutout-([0-9]+)"')
NEXT_PAGE = re.compile(r'href="/shoutouts\?[^"]*before=([0-9]+)')
PULSE_LINK = re.compile(r'href="/pulses/([0-9]+)"')
ITEM = re.compile(r'name="item-([0-9]+)"')
PATHWAYS = ("enabling", "respect", "trust", "play")
WORDS = (
    "Thank you for the review today, it saved me hours.",
    "Thanks for jumping on the call with the customer.",
    "Your write-up of the incident was clear and kind.",
    "Thank you for showing me around the codebase.",
)

_lock = threading.Lock()
_round_robin = itertools.count()
_member_seq = itertools.count()
_lead_seq = itertools.count()
RESULTS: dict[str, Any] = {
    "shoutouts": [],  # acknowledged: sender, message, id (or None), via
    "shoutouts_refused": Counter(),  # expected refusals by reason (quota, repeat)
    "pulse_answers": [],  # acknowledged: email, round_id, via
    "failovers": Counter(),  # by route
    "lost": Counter(),  # requests that failed on both instances, by route
    "timeouts": Counter(),  # no answer within the client's network timeout, by route
    "statuses": {},  # route -> Counter of status codes
    "connection_broken_posts": Counter(),  # POSTs whose connection broke (then retried)
}


def _timed_out(error: BaseException | None) -> bool:
    return isinstance(error, TimeoutError | gevent.Timeout)


def _note_status(name: str, status: int) -> None:
    with _lock:
        RESULTS["statuses"].setdefault(name, Counter())[str(status)] += 1


class Balanced(FastHttpUser):
    """A user bound to one instance that fails over to the other on a connection error."""

    abstract = True
    wait_time = between(*WAIT)
    host = INSTANCES[0]
    email = ""

    def on_start(self) -> None:
        self.current = next(_round_robin) % len(INSTANCES)
        self.signed_in = False
        self.sign_in()

    def call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: tuple[int, ...] = (200,),
        data: dict[str, Any] | None = None,
    ) -> Any | None:
        """Send the request to the user's instance, failing over once on a connection error;
        the response (any status), or None when neither instance answered."""
        for _ in range(len(INSTANCES)):
            url = INSTANCES[self.current] + path
            kwargs: dict[str, Any] = {
                "name": name,
                "catch_response": True,
                "allow_redirects": False,
            }
            if data is not None:
                kwargs["data"] = data
                kwargs["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
            with self.client.request(method, url, **kwargs) as response:
                if not response.status_code and _timed_out(response.error):
                    response.failure(f"no answer within {self.network_timeout:.0f} s")
                    with _lock:  # the instance is up but overloaded: no failover, no retry
                        RESULTS["timeouts"][name] += 1
                    return None
                if not response.status_code:  # no answer: the connection failed
                    response.request_meta["request_type"] = "FAILOVER"
                    response.success()
                    with _lock:
                        RESULTS["failovers"][name] += 1
                        if method == "POST":
                            RESULTS["connection_broken_posts"][name] += 1
                    self.current = (self.current + 1) % len(INSTANCES)
                    continue
                _note_status(name, response.status_code)
                if response.status_code in expect:
                    response.success()
                else:
                    response.failure(f"status {response.status_code}")
                return response
        with _lock:
            RESULTS["lost"][name] += 1
        return None

    def form_token(self, page: Any) -> str | None:
        found = CSRF.search(page.text or "") if page is not None else None
        return found.group(1) if found else None

    def sign_in(self) -> None:
        page = self.call("GET", "/login", "/login")
        token = self.form_token(page)
        if token is None:
            return
        form = {"csrf_token": token, "email": self.email, "password": CAST["password"], "next": "/"}
        answer = self.call("POST", "/login", "/login", data=form, expect=(303,))
        self.signed_in = answer is not None and answer.status_code == 303


class Member(Balanced):
    """Browses home and the feed, gives shout-outs through the form, answers a pulse once."""

    weight = 8

    def on_start(self) -> None:
        person = CAST["members"][next(_member_seq) % len(CAST["members"])]
        self.email, self.person_id = str(person["email"]), int(person["id"])
        self.colleagues = [int(p["id"]) for p in CAST["members"] if p["id"] != self.person_id]
        random.shuffle(self.colleagues)
        self.may_give = True
        self.answered = False
        self.feed_ids: list[int] = []
        super().on_start()

    @task(3)
    def home(self) -> None:
        if not self.signed_in:
            self.sign_in()  # after a failed sign-in (both instances down, say)
            return
        self.call("GET", "/", "/")

    @task(4)
    def feed(self) -> None:
        if not self.signed_in:
            return
        page = self.call("GET", "/shoutouts", "/shoutouts")
        if page is None or page.status_code != 200:
            return
        self.feed_ids = [int(i) for i in SHOUTOUT_LINK.findall(page.text or "")]
        more = NEXT_PAGE.search(page.text or "")
        if more and random.random() < 0.3:
            self.call("GET", f"/shoutouts?before={more.group(1)}", "/shoutouts?before=[cursor]")

    @task(2)
    def one_shoutout(self) -> None:
        if self.signed_in and self.feed_ids:
            shoutout_id = random.choice(self.feed_ids)
            self.call("GET", f"/shoutouts/{shoutout_id}", "/shoutouts/[id]")

    @task(1)
    def inbox(self) -> None:
        if self.signed_in:
            self.call("GET", "/inbox", "/inbox")

    @task(1)
    def give(self) -> None:
        """The UI flow: the feed with the form filled in for a colleague, then post it."""
        if not (self.signed_in and self.may_give and self.colleagues):
            return
        colleague = self.colleagues.pop()
        page = self.call("GET", f"/shoutouts?to={colleague}", "/shoutouts?to=[id]")
        token = self.form_token(page)
        emails = (
            re.search(r'id="emails" name="emails" value="([^"]*)"', page.text or "")
            if page
            else None
        )
        if token is None or emails is None or not emails.group(1):
            return
        message = f"{random.choice(WORDS)} ({uuid.uuid4().hex[:12]})"
        form = {
            "csrf_token": token,
            "emails": emails.group(1),
            "message": message,
            "pathway": random.choice(PATHWAYS),
            "visibility": "everyone",
        }
        answer = self.call(
            "POST", "/shoutouts", "/shoutouts (give)", data=form, expect=(303, 409, 422)
        )
        if answer is None:
            return
        if answer.status_code == 303:
            given = re.search(r"given=([0-9]+)", answer.headers.get("location", ""))
            self._acknowledged(message, int(given.group(1)) if given else None, "created")
        elif answer.status_code == 409 and "exact shout-out" in (answer.text or ""):
            self._acknowledged(message, None, "duplicate")  # the first attempt was saved
        else:
            reason = "quota" if "come back tomorrow" in (answer.text or "") else "other"
            with _lock:
                RESULTS["shoutouts_refused"][reason] += 1
            if reason == "quota":
                self.may_give = False

    def _acknowledged(self, message: str, shoutout_id: int | None, via: str) -> None:
        with _lock:
            RESULTS["shoutouts"].append(
                {"sender": self.email, "message": message, "id": shoutout_id, "via": via}
            )

    @task(1)
    def pulse(self) -> None:
        """Answer the first open pulse round, once."""
        if not self.signed_in or self.answered:
            return
        listing = self.call("GET", "/pulses", "/pulses")
        rounds = PULSE_LINK.findall(listing.text or "") if listing is not None else []
        if not rounds:
            self.answered = True  # nothing open for this person
            return
        round_id = int(rounds[0])
        page = self.call("GET", f"/pulses/{round_id}", "/pulses/[id]")
        token = self.form_token(page)
        items = sorted(set(ITEM.findall(page.text or ""))) if page is not None else []
        if token is None or not items:
            return
        form: dict[str, Any] = {f"item-{item}": str(random.randint(1, 5)) for item in items}
        form |= {"csrf_token": token, "comment": ""}
        answer = self.call(
            "POST", f"/pulses/{round_id}", "/pulses/[id] (answer)", data=form, expect=(303, 409)
        )
        if answer is None:
            return
        self.answered = True
        if answer.status_code == 303:
            via = "answered"
        elif "answered this pulse already" in (answer.text or ""):
            via = "already"  # a retry after a broken connection, or another user as this person
        else:
            return
        with _lock:
            RESULTS["pulse_answers"].append({"email": self.email, "round_id": round_id, "via": via})


class Lead(Balanced):
    """Team leads (and the admin) read insights, their home page and the feed."""

    weight = 2

    def on_start(self) -> None:
        pool = [{"email": CAST["admin"], "team_ids": []}, *CAST["leads"]]
        person = pool[next(_lead_seq) % len(pool)]
        self.email, self.team_ids = str(person["email"]), list(person["team_ids"])
        super().on_start()

    @task(3)
    def insights(self) -> None:
        if not self.signed_in:
            self.sign_in()
            return
        first = self.call("GET", "/insights", "/insights", expect=(303,))
        if first is None or first.status_code != 303:
            return
        target = first.headers.get("location", "")
        name = "/insights/org" if target.startswith("/insights/org") else "/insights/teams/[id]"
        self.call("GET", target, name)

    @task(2)
    def other_team(self) -> None:
        if self.signed_in and len(self.team_ids) > 1:
            team_id = random.choice(self.team_ids)
            self.call("GET", f"/insights/teams/{team_id}", "/insights/teams/[id]")

    @task(1)
    def export(self) -> None:
        if self.signed_in and self.team_ids:
            team_id = random.choice(self.team_ids)
            # 404 until the team has published figures (small teams may have none)
            self.call(
                "GET",
                f"/insights/teams/{team_id}/export.csv",
                "/insights/teams/[id]/export.csv",
                expect=(200, 404),
            )

    @task(2)
    def home(self) -> None:
        if self.signed_in:
            self.call("GET", "/", "/")

    @task(2)
    def feed(self) -> None:
        if self.signed_in:
            self.call("GET", "/shoutouts", "/shoutouts")


@events.quitting.add_listener
def _write_results(environment: Any, **_: Any) -> None:
    path = os.environ.get("LOAD_RESULTS")
    if path:
        Path(path).write_text(json.dumps(RESULTS, indent=1))
