"""矛盾调处台 through HTTP: the next call shows the case at pickup and on the incident page; the centre records the
mediation and the desk the return visit from the case page; who sees which case."""

from __future__ import annotations

from tests.governance.test_cases import HERE, WANG, apart, cases, dispute
from tests.web.test_consoles import login


def repeat_trouble(api) -> dict:
    for i in range(4):
        dispute(api, where=apart(i))
    [case] = cases(api)
    return case


def test_the_next_call_from_a_party_shows_the_case_at_pickup_and_on_its_incident_page(api):
    case = repeat_trouble(api)
    client, headers, _ = login(api, "call_taker")
    page = client.get("/console/calls")
    assert 'hx-post="/console/governance/near"' in page.text
    hint = client.post("/console/governance/near", data={"caller_number": "+86 139 1111 2222"}, headers=headers)
    assert hint.status_code == 200 and f'data-case="{case["id"]}"' in hint.text, "the other party calls: shown"
    assert "139****2222" in hint.text and "13911112222" not in hint.text
    stranger = client.post("/console/governance/near", data={"caller_number": "13700000000"}, headers=headers)
    assert "data-case" not in stranger.text
    # The next call, a plain quarrel not yet decided, from the first caller: its page shows the case.
    nxt = api.report("又吵起来了", caller_number="13800000001", **apart(7))["incident"]["id"]
    view = client.get(f"/console/incidents/{nxt}")
    assert f'href="/console/governance/{case["id"]}"' in view.text, "the incident page links the case"


def test_a_case_at_the_address_shows_when_the_address_is_typed(api):
    for n in range(4):
        dispute(api, caller=f"1380000000{n}", parties=(), where={**HERE, "location_text": "幸福路8号"})
    [case] = cases(api)
    client, headers, _ = login(api, "call_taker")
    hint = client.post("/console/governance/near", data={"location_text": "幸福路8号"}, headers=headers)
    assert f'data-case="{case["id"]}"' in hint.text


def test_mediation_and_return_visit_from_the_case_page_close_the_case(api):
    case = repeat_trouble(api)
    client, headers, _ = login(api, "zz_handler")
    listing = client.get("/console/governance")
    assert listing.status_code == 200 and f'data-case="{case["id"]}"' in listing.text
    page = client.get(f"/console/governance/{case['id']}")
    assert 'id="mediation-form"' in page.text and 'id="visit-form"' not in page.text
    empty = client.post(f"/console/governance/{case['id']}/mediation", data={"outcome": "settled"}, headers=headers)
    assert "toast late" in empty.text
    done = client.post(f"/console/governance/{case['id']}/mediation",
                       data={"outcome": "partly", "note": "噪音问题达成一致，赔偿未谈妥"}, headers=headers)  # fmt: skip
    assert "toast late" not in done.text and done.headers["HX-Trigger"] == "case-moved"
    client, headers, _ = login(api, "dispatcher")
    page = client.get(f"/console/governance/{case['id']}")
    assert 'id="visit-form"' in page.text and "待民警回访" in client.get("/console/governance").text
    visit = client.post(f"/console/governance/{case['id']}/return-visit",
                        data={"officer": "张警官", "found": "双方相安无事"}, headers=headers)  # fmt: skip
    assert "toast late" not in visit.text
    assert api.get("dispatcher", f"/governance/{case['id']}").json()["state"] == "closed"


def test_an_agency_of_another_kind_sees_no_case_page(api):
    case = repeat_trouble(api)
    client, _, _ = login(api, "agency_handler")
    assert f'data-case="{case["id"]}"' not in client.get("/console/governance").text
    assert client.get(f"/console/governance/{case['id']}").status_code == 404


def test_the_desk_records_the_other_party_on_the_incident_page(api):
    iid = dispute(api, parties=(), confirm=False)["id"]
    client, headers, _ = login(api, "call_taker")
    assert 'id="parties-form"' in client.get(f"/console/incidents/{iid}").text
    done = client.post(f"/console/incidents/{iid}/parties", data={"name": WANG["name"], "phone": WANG["phone"]},
                       headers=headers)  # fmt: skip
    assert "toast late" not in done.text
    assert "139****2222" in client.get(f"/console/incidents/{iid}/view").text
    empty = client.post(f"/console/incidents/{iid}/parties", data={"name": " "}, headers=headers)
    assert "toast late" in empty.text
