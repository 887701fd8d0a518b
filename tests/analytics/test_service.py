"""The KPIs through the API on SQLite and PostgreSQL: move incidents and orders along, watch the figures follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from lifeline.analytics import kpis
from lifeline.analytics.service import CHINA
from lifeline.diversion import states
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Incident, Report

KNIFE = "有人拿刀在菜市场门口追着砍人"
SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"


def figures(api, since=None, until=None, user="supervisor"):
    now = datetime.now(UTC)
    params = {
        "since": (since or now - timedelta(hours=2)).isoformat(),
        "until": (until or now + timedelta(minutes=5)).isoformat(),
    }
    answer = api.get(user, "/kpis", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {f["key"]: f for f in body["figures"]}, body


def terms(figure):
    return figure["numerator"], figure["denominator"]


def put(api, model, row_id, **values):
    """Set timestamps the API does not let anyone set (the test plays the clock)."""
    with api.client.app.state.engine.begin() as connection:
        connection.execute(update(model).where(model.id == row_id).values(**values))


def read(api, column, row_id):
    with api.client.app.state.engine.connect() as connection:
        return connection.execute(select(column).where(column.table.c.id == row_id)).scalar_one()


def test_with_nothing_every_rate_is_a_dash_and_names_its_formula(api):
    got, body = figures(api)
    assert got["calls"]["value"] == 0 and got["calls"]["shown"] == "0"
    for key, figure in got.items():
        assert figure["formula"] == kpis.BY_KEY[key].formula
        assert figure["formula_name"] == f"lifeline.analytics.kpis.{kpis.BY_KEY[key].function.__name__}"
        if figure["unit"] == "count":
            assert figure["value"] == 0 and figure["shown"] == "0"
        else:
            assert figure["value"] is None and figure["shown"] == "—" and figure["denominator"] == 0
    assert body["categories"] == [] and len(body["trend"]["yesterday_counts"]) == 24


def test_calls_and_the_answer_rate_count_live_calls_only(api):
    now = datetime.now(UTC)
    recorded = api.report(KNIFE)  # a call-taker recording a live call: answered now
    assert recorded["incident"]["reports"][0]["answered_at"] is not None
    api.report("我想咨询一下社保怎么交", channel="sms")  # a text message cannot ring unanswered
    missed = api.report("（无声）", received_at=(now - timedelta(minutes=3)).isoformat())  # the switch's record
    assert missed["incident"]["reports"][0]["answered_at"] is None
    api.report(
        "家里老人摔倒了", channel="video", received_at=(now - timedelta(minutes=2)).isoformat(),
        answered_at=(now - timedelta(minutes=1)).isoformat(),
    )  # fmt: skip
    got, _ = figures(api)
    assert got["calls"]["value"] == 4
    assert terms(got["answer_rate"]) == (2, 3) and got["answer_rate"]["shown"] == "66.7%"


def _police(api, text=KNIFE) -> int:
    iid = api.report(text)["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{iid}/confirm", {}).status_code == 200
    return iid


def _dispatch(api, iid):
    moved = api.post("dispatcher", f"/incidents/{iid}/transitions", {"to": "dispatched", "org": "PS1"})
    assert moved.status_code == 200, moved.text
    return datetime.fromisoformat(moved.json()["dispatched_at"])


def test_a_dispatch_within_sixty_seconds_counts_and_a_late_one_does_not(api):
    quick, late, waiting = _police(api), _police(api), _police(api)
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (0, 0) and got["one_minute_dispatch_rate"]["value"] is None

    put(api, Incident, quick, received_at=_dispatch(api, quick) - timedelta(seconds=59))
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (1, 1) and got["one_minute_dispatch_rate"]["value"] == 1.0

    put(api, Incident, late, received_at=_dispatch(api, late) - timedelta(seconds=61))
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (1, 2) and got["one_minute_dispatch_rate"]["shown"] == "50.0%"
    assert read(api, Incident.dispatched_at, waiting) is None  # not yet dispatched: in neither count


def test_the_diversion_rate_is_divert_over_divert_and_invalid(api):
    triaged_only = api.report(SHOP)["incident"]["id"]  # not confirmed yet: not counted
    assert triaged_only
    divert = api.report(SHOP)["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{divert}/confirm", {"disposition": "divert"}).json()["disposition"] == (
        "divert"
    )
    invalid = api.report("喂喂，打错了不好意思")["incident"]["id"]
    # A misdial is called back before it is closed as invalid.
    reached = api.post("call_taker", f"/incidents/{invalid}/callbacks", {"outcome": "reached", "note": "回拨确认误拨"})
    assert reached.status_code == 201, reached.text
    decided = api.post(
        "call_taker", f"/incidents/{invalid}/confirm",
        {"disposition": "invalid", "category": "misdial", "destinations": [], "priority": 4, "reason": "误拨"},
    )  # fmt: skip
    assert decided.status_code == 200, decided.text
    _police(api)  # a police matter is in neither count
    got, _ = figures(api)
    assert terms(got["diversion_rate"]) == (1, 2)


def _order(api) -> int:
    """Confirming a diverted call raises its work order."""
    iid = api.report(SHOP)["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    return order_id


def step(api, user, order_id, **body):
    answer = api.post(user, f"/orders/{order_id}/steps", body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_orders_signed_and_handled_in_time_and_return_visits(api):
    on_time, late = _order(api), _order(api)
    step(api, "agency_handler", on_time, to="signed")
    put(api, WorkOrder, late, sign_by=datetime.now(UTC) - timedelta(minutes=1))  # the deadline has passed
    step(api, "agency_handler", late, to="signed")
    got, _ = figures(api)
    assert terms(got["on_time_sign_rate"]) == (1, 2)
    assert terms(got["on_time_handle_rate"]) == (0, 0) and got["on_time_handle_rate"]["shown"] == "—"

    step(api, "agency_handler", on_time, to="handled", feedback="已责令退款")
    put(api, WorkOrder, late, handle_by=datetime.now(UTC) - timedelta(minutes=1))
    step(api, "agency_handler", late, to="handled", feedback="已办")
    got, _ = figures(api)
    assert terms(got["on_time_handle_rate"]) == (1, 2)
    assert terms(got["satisfaction_rate"]) == (0, 0)

    step(api, "hotline_operator", on_time, to="visited", satisfaction=5)
    step(api, "hotline_operator", late, to="visited", satisfaction=3)
    got, _ = figures(api)
    assert terms(got["satisfaction_rate"]) == (1, 2) and terms(got["basic_satisfaction_rate"]) == (1, 2)

    third = _order(api)
    step(api, "agency_handler", third, to="signed")
    step(api, "agency_handler", third, to="handled", feedback="已办")
    redo = step(api, "hotline_operator", third, to="visited", satisfaction=1)  # 不满意: back to be redone
    assert redo["state"] == "in_progress"
    got, _ = figures(api)
    assert terms(got["satisfaction_rate"]) == (1, 3) and got["satisfaction_rate"]["shown"] == "33.3%"

    got, _ = figures(api, since=datetime.now(UTC) + timedelta(minutes=1))  # a window after every step
    assert terms(got["on_time_sign_rate"]) == (0, 0) and terms(got["satisfaction_rate"]) == (0, 0)


def test_a_second_call_from_a_number_within_24_hours_is_a_repeat(api):
    now = datetime.now(UTC)
    first = api.report("我家门口有人吵架", caller_number="13800000001")["incident"]["id"]
    second = api.report("他们还在吵", caller_number="138-0000-0001")["incident"]["id"]
    api.report("路口有人打架", caller_number="13900000002")
    api.report("有人打架", received_at=(now - timedelta(minutes=1)).isoformat())  # no number: in neither count
    put(api, Incident, first, received_at=now - timedelta(hours=25))  # the earlier call: a day and more before
    got, _ = figures(api)
    assert terms(got["repeat_rate"]) == (0, 2)  # the first is outside the window; the second is no repeat

    put(api, Incident, first, received_at=now - timedelta(hours=23))
    got, _ = figures(api)
    assert terms(got["repeat_rate"]) == (1, 2) and got["repeat_rate"]["shown"] == "50.0%"

    got, _ = figures(api, since=now - timedelta(hours=24))  # now the first is inside: 3 numbered, 1 repeat
    assert terms(got["repeat_rate"]) == (1, 3)

    with api.client.app.state.engine.connect() as connection:
        rows = connection.execute(
            select(Incident.id, Incident.caller_number, Incident.received_at).where(
                Incident.received_at >= now - timedelta(hours=24)
            )
        ).all()
    assert kpis.count_repeats(rows) == (1, 3)  # the SQL and the pure formula agree
    assert second


def test_category_mix_and_the_hourly_trend_against_yesterday_and_last_year(api):
    now = datetime.now(UTC)
    local = now.astimezone(CHINA)
    midnight = datetime.combine(local.date(), datetime.min.time(), CHINA)
    today = api.report(KNIFE)
    yesterday = api.report(KNIFE)
    last_year = api.report(SHOP)
    put(api, Report, yesterday["report_id"], received_at=now - timedelta(days=1))
    put(api, Incident, yesterday["incident"]["id"], received_at=now - timedelta(days=1))
    a_year = datetime.combine(kpis.same_day_last_year(local.date()), local.time(), CHINA)
    put(api, Report, last_year["report_id"], received_at=a_year)
    put(api, Incident, last_year["incident"]["id"], received_at=a_year)

    got, body = figures(api, since=midnight, until=now + timedelta(minutes=1))
    assert got["calls"]["value"] == 1
    assert [(c["category"], c["count"]) for c in body["categories"]] == [(today["incident"]["category"], 1)]
    assert body["categories"][0]["share"] == 1.0 and body["categories"][0]["category_zh"]
    trend = body["trend"]
    assert trend["day"] == local.date().isoformat()
    assert trend["today_counts"][local.hour] == 1 and sum(n or 0 for n in trend["today_counts"]) == 1
    assert all(n is None for n in trend["today_counts"][local.hour + 1 :])  # hours still to come
    assert trend["yesterday_counts"][local.hour] == 1 and sum(trend["yesterday_counts"]) == 1
    assert trend["last_year_counts"][local.hour] == 1 and sum(trend["last_year_counts"]) == 1


def test_a_window_must_be_a_real_window(api):
    for params in ({"since": "2026-11-23T00:00:00"}, {"since": "yesterday"}, {"until": "0001-01-01T00:00:00+14:00"},
                   {"since": "2026-11-23T00:00:00+08:00", "until": "2026-11-22T00:00:00+08:00"},
                   {"since": "2020-01-01T00:00:00+08:00", "until": "2026-01-01T00:00:00+08:00"}):  # fmt: skip
        answer = api.get("supervisor", "/kpis", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get("call_taker", "/kpis").status_code == 403
    assert api.get("hotline_operator", "/kpis").status_code == 200


# What waits now, and the rates that no longer hide it ------------------------------------------------------------


def waiting(api) -> tuple[dict, dict | None]:
    body = api.get("supervisor", "/kpis").json()
    return {f["key"]: f for f in body["waiting"]}, body["longest"]


def test_a_p1_waiting_seven_minutes_lowers_the_one_minute_rate_and_tops_the_waiting_tiles(api):
    quick = _police(api)
    sent = _dispatch(api, quick)
    put(api, Incident, quick, received_at=sent - timedelta(seconds=20), accepted_at=sent + timedelta(seconds=5))
    left = _police(api)
    assert read(api, Incident.priority, left) == 1
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (1, 1)  # the waiting one was received just now: not due
    now, longest = waiting(api)
    assert now["p1_waiting"]["value"] == 1 and now["p2_waiting"]["value"] == 0
    assert longest["incident_id"] == left and longest["seconds"] < 60

    put(api, Incident, left, received_at=datetime.now(UTC) - timedelta(minutes=7))
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (1, 2) and got["one_minute_dispatch_rate"]["shown"] == "50.0%"
    now, longest = waiting(api)
    assert now["p1_waiting"]["value"] == 1
    assert longest["incident_id"] == left and longest["priority"] == 1 and 420 <= longest["seconds"] < 480
    assert now["longest_wait"]["value"] == longest["seconds"] and now["longest_wait"]["shown"].startswith("7:")
    assert now["longest_wait"]["formula"] == kpis.BY_KEY["longest_wait"].formula

    sent = _dispatch(api, left)  # dispatched at last: late for good, but waiting until a crew takes it
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (1, 2)
    now, longest = waiting(api)
    assert now["p1_waiting"]["value"] == 1 and longest["incident_id"] == left
    put(api, Incident, left, accepted_at=sent + timedelta(seconds=30))  # 接单
    now, longest = waiting(api)
    assert now["p1_waiting"]["value"] == 0 and longest is None and now["longest_wait"]["shown"] == "—"


def test_a_call_cancelled_within_the_minute_is_not_counted_and_one_cancelled_after_waiting_is_late(api):
    early, after = _police(api), _police(api)
    for iid in (early, after):
        moved = api.post("supervisor", f"/incidents/{iid}/transitions", {"to": "cancelled", "reason": "报警人撤回"})
        assert moved.status_code == 200, moved.text
    cancelled = read(api, Incident.cancelled_at, after)
    put(api, Incident, early, received_at=cancelled - timedelta(seconds=40))
    put(api, Incident, after, received_at=cancelled - timedelta(minutes=2))
    got, _ = figures(api)
    assert terms(got["one_minute_dispatch_rate"]) == (0, 1)
    assert waiting(api)[0]["p1_waiting"]["value"] == 0  # cancelled: no longer waiting


def test_the_sql_and_the_pure_verdicts_agree(api):
    now = datetime.now(UTC)
    ids = [_police(api) for _ in range(4)]
    _dispatch(api, ids[0])
    _dispatch(api, ids[1])
    put(api, Incident, ids[1], received_at=now - timedelta(seconds=90))
    put(api, Incident, ids[2], received_at=now - timedelta(minutes=3))
    got, _ = figures(api)
    with api.client.app.state.engine.connect() as connection:
        rows = connection.execute(
            select(Incident.received_at, Incident.dispatched_at, Incident.cancelled_at, Incident.transferred_at)
        ).all()
    at = datetime.now(UTC)
    pure = kpis.kept_counts(kpis.dispatch_on_time(r, d, c or t, at) for r, d, c, t in rows)
    assert pure == terms(got["one_minute_dispatch_rate"]) == (1, 3)


def test_an_unsigned_order_past_its_deadline_lowers_the_signing_rate_and_shows_as_overdue(api):
    signed, late = _order(api), _order(api)
    step(api, "agency_handler", signed, to="signed")
    got, _ = figures(api)
    assert terms(got["on_time_sign_rate"]) == (1, 1)
    assert waiting(api)[0]["orders_overdue"]["value"] == 0

    put(api, WorkOrder, late, sign_by=datetime.now(UTC) - timedelta(minutes=5))
    got, _ = figures(api)
    assert terms(got["on_time_sign_rate"]) == (1, 2) and got["on_time_sign_rate"]["shown"] == "50.0%"
    assert terms(got["on_time_handle_rate"]) == (0, 0)
    now, _ = waiting(api)
    assert now["orders_overdue"]["value"] == 1

    step(api, "agency_handler", late, to="signed")  # signed late: counted once, as late; no longer overdue
    got, _ = figures(api)
    assert terms(got["on_time_sign_rate"]) == (1, 2)
    assert waiting(api)[0]["orders_overdue"]["value"] == 0

    put(api, WorkOrder, signed, handle_by=datetime.now(UTC) - timedelta(minutes=1))  # signed, not handled in time
    got, _ = figures(api)
    assert terms(got["on_time_handle_rate"]) == (0, 1)
    assert waiting(api)[0]["orders_overdue"]["value"] == 1
    with api.client.app.state.engine.connect() as connection:
        rows = connection.execute(select(WorkOrder.state, WorkOrder.sign_by, WorkOrder.handle_by)).all()
    at = datetime.now(UTC)
    assert sum(bool(states.overdue(*row, at)) for row in rows) == 1  # the tile and the inbox's rule agree
    got, _ = figures(api, since=datetime.now(UTC) + timedelta(minutes=1))  # a window still to come
    assert terms(got["on_time_sign_rate"]) == terms(got["on_time_handle_rate"]) == (0, 0)


def test_a_call_waiting_for_a_call_back_shows(api):
    silent = api.report("（无声）")["incident"]["id"]
    now, _ = waiting(api)
    assert read(api, Incident.callback_state, silent) == "waiting"
    assert now["callbacks_waiting"]["value"] == 1 and now["callbacks_waiting"]["shown"] == "1"
    reached = api.post("call_taker", f"/incidents/{silent}/callbacks", {"outcome": "reached", "note": "误拨"})
    assert reached.status_code == 201, reached.text
    assert waiting(api)[0]["callbacks_waiting"]["value"] == 0
