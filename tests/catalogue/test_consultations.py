"""会商: a matter whose catalogue item says the owner is unclear is held by the desk that took it (首接负责) until the
desks agree who owns it; then it goes there, and the dispute may become a proposed catalogue change."""

from __future__ import annotations

PREPAID = "超市倒闭了，预付卡里的钱退不了"  # prepaid_card_closure: market regulation, or police for fraud
EVICTED = "房东把我的东西扔出来了，还断水断电赶我走"  # landlord_forced_eviction: housing, or police


def held(api, text: str) -> tuple[int, dict]:
    iid = api.report(text, caller_number="13700001234")["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    return iid, decided.json()


def test_an_unclear_matter_is_held_until_the_desks_agree_then_goes_to_the_agreed_owner(api):
    iid, decided = held(api, PREPAID)
    assert decided["catalogue_item"] == "prepaid_card_closure" and decided["disposition"] == "divert"
    follow = decided["follow_up"]
    assert follow["orders"] == [] and follow["consultation"] and "首接负责" in follow["summary"]
    assert decided["state"] == "confirmed"  # held here, its clock running: not handed over, not closed
    [open_one] = api.get("call_taker", "/consultations").json()["items"]
    assert open_one["incident_id"] == iid and open_one["state"] == "open"
    cid = open_one["id"]

    assert api.post("call_taker", f"/consultations/{cid}/agree", {"owner": "divert", "record": "",
                    "other_party": "王某"}).status_code == 422  # fmt: skip
    assert api.post("dispatcher", f"/consultations/{cid}/agree", {"owner": "divert", "record": "x",
                    "other_party": "王某"}).status_code == 403  # fmt: skip
    body = {"owner": "divert", "record": "三方通话：属消费纠纷，由市场监管处理；如涉诈再转公安",
            "other_party": "12345 话务员 王某", "three_way": True}  # fmt: skip
    agreed = api.post("call_taker", f"/consultations/{cid}/agree", body)
    assert agreed.status_code == 200, agreed.text
    [order_id] = agreed.json()["follow_up"]["orders"]
    assert agreed.json()["state"] == "transferred"
    assert api.get("agency_handler", f"/orders/{order_id}").json()["orgs"][0]["org"] == "MARKET"
    assert api.post("call_taker", f"/consultations/{cid}/agree", body).status_code == 409
    assert api.get("call_taker", "/consultations").json()["items"] == []
    done = api.get("call_taker", "/consultations", params={"state": "agreed"}).json()["items"]
    assert done[0]["three_way"] and done[0]["other_party"] == "12345 话务员 王某"


def test_agreed_for_the_police_it_waits_for_dispatch_and_the_dispute_proposes_a_catalogue_change(api):
    _, decided = held(api, EVICTED)
    cid = decided["follow_up"]["consultation"]
    record = "房东强行断水断电、扔物品，涉嫌违法，由派出所处置"
    body = {"owner": "police", "record": record, "other_party": "12345 值班长 李某", "propose": True}
    agreed = api.post("supervisor", f"/consultations/{cid}/agree", body)
    assert agreed.status_code == 200, agreed.text
    out = agreed.json()
    assert out["disposition"] == "police" and out["state"] == "confirmed" and out["follow_up"]["orders"] == []
    assert "110" in out["destinations"]
    [proposal] = [v for v in api.get("supervisor", "/catalogue/versions").json()["items"] if v["state"] == "proposed"]
    assert "会商" in proposal["note"]
    items = api.get("call_taker", "/catalogue").json()["items"]
    item = next(i for i in items if i["code"] == "landlord_forced_eviction")
    assert item["rule"] == "consult"  # nothing changes until the other centre approves the proposal


def test_the_incident_page_offers_the_agreement_and_records_it(api):
    from tests.web.test_consoles import login

    iid, _ = held(api, PREPAID)
    client, headers, _ = login(api, "call_taker")
    page = client.get(f"/console/incidents/{iid}").text
    assert 'id="consultation-form"' in page and "首接负责" in page
    form = {"owner": "divert", "other_party": "12345 话务员 王某", "record": "属消费纠纷", "three_way": "1"}
    answer = client.post(f"/console/incidents/{iid}/consultation", data=form, headers=headers)
    assert "会商一致" in answer.text and "工单" in answer.text, answer.text
    assert 'id="consultation-form"' not in client.get(f"/console/incidents/{iid}").text
    again = client.post(f"/console/incidents/{iid}/consultation", data=form, headers=headers)
    assert "已达成一致" in again.text


def test_the_figures_count_matters_and_orders_by_catalogue_item(api):
    held(api, PREPAID)  # held for a consultation: a matter, no order yet
    car = api.report("我的车被一辆白色轿车堵在小区车库出口了，车上没留电话，麻烦联系车主挪车")["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{car}/confirm", {}).json()
    rows = {r["item"]: r for r in api.get("supervisor", "/catalogue/figures").json()["items"]}
    item = decided["catalogue_item"]
    assert rows[item]["matters"] == 1 and rows[item]["diverted"] == 1 and rows[item]["orders"] == 1, rows
    assert rows["prepaid_card_closure"]["orders"] == 0 and rows["prepaid_card_closure"]["name"] == "预付卡商家跑路"
    assert api.get("call_taker", "/catalogue/figures").status_code == 403
    assert api.get("supervisor", "/catalogue/figures", params={"since": "yesterday"}).status_code == 422
