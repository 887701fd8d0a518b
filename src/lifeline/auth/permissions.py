"""Who may do what: a pure table of roles and actions, read by the API and by the permission test."""

from __future__ import annotations

from lifeline.vocabulary import USER_ROLES, Role

ALL = frozenset(USER_ROLES)  # every person's role; a peer platform is not among them
DESK = frozenset({"call_taker", "dispatcher", "hotline_operator", "supervisor", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    # A peer delivers reports too: a 12345 emergency pushed to 110, a call transferred to 12345.
    "report.create": frozenset({"call_taker", "hotline_operator", "supervisor", "admin", Role.PEER, Role.CHANNEL}),
    # The one queue of contacts from every channel, and taking one at a seat.
    "contact.read": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    "contact.take": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    # Answering a text conversation (12110 SMS, an app alarm) through its gateway.
    "contact.reply": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    # Photos, videos and snapshots of the incidents the actor may read.
    "media.read": ALL,
    # Registering gateways, devices and alarm posts: administrators.
    "channel.admin": frozenset({"admin"}),
    # The alarm posts' health board; talking back and broadcasting to a post.
    "post.read": DESK,
    "post.command": frozenset({"call_taker", "dispatcher", "supervisor", "admin"}),
    # 应急状态 (a surge): the desk sees it; a supervisor starts and ends it.
    "surge.read": frozenset({"call_taker", "hotline_operator", "dispatcher", "supervisor", "admin"}),
    "surge.manage": frozenset({"supervisor", "admin"}),
    # Registered deaf and speech-impaired 12110 users: supervisors register them.
    "caller.needs": frozenset({"supervisor", "admin"}),
    "incident.read": ALL,
    "incident.confirm": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    "incident.transition": DESK | {"field_officer"},
    "incident.note": ALL,
    # An incident's event log: not for the agencies, who see the fields their order needs.
    "incident.history": ALL - {"agency_handler"},
    "incident.merge": DESK,
    # Put an incident where it is: a pin on the map when the address was not found or not sure.
    "incident.locate": DESK,
    # The call-back queue: silent, cut-off and whispered calls are called back before anyone closes them.
    "callback.read": DESK,
    "callback.record": DESK,
    # A caller's full number and history on one incident: the desk, and the officer whose unit handles it.
    "caller.read": DESK | {"field_officer"},
    # Looking up any number: the 110 desk only (incidents.service checks the organisation is a 110 one).
    "caller.lookup": frozenset({"call_taker", "dispatcher", "supervisor", "admin"}),
    # Nuisance callers (the queue, a case's review, warnings, referrals, flag): the 110 centre's supervisors decide;
    # the desk only sees the flag and the plan with the caller's history.
    "nuisance.read": frozenset({"supervisor", "admin"}),
    "nuisance.write": frozenset({"supervisor", "admin"}),
    # Who read which caller's data: supervisors list and export it.
    "audit.reads": frozenset({"supervisor", "admin"}),
    "order.read": ALL,
    "order.create": DESK,
    # A returned order comes back to the desk that sent it: re-route, take back, or refer to a supervisor.
    "order.reroute": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    # Work on an order (sign, feedback, visit…); which step each role may take is in diversion.service.
    "order.handle": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    # The 12345 centre decides what of an order the public sees on the Open311 list (open311.service.publish).
    "order.publish": frozenset({"hotline_operator", "supervisor", "admin"}),
    # 延期申请: an organisation handling an order asks for more time (diversion.service checks it handles it).
    "order.extend": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    # The 12345 centre that sent the order, or a supervisor, grants or refuses the extension.
    "order.extension_decide": frozenset({"hotline_operator", "supervisor", "admin"}),
    # 催办: the 12345 desk presses a department about an order near its deadline.
    "order.urge": frozenset({"hotline_operator", "supervisor", "admin"}),
    # 督办: a written demand on an overdue order, a supervisor's call.
    "order.supervise": frozenset({"supervisor", "admin"}),
    "incident.push": DESK,
    "unit.read": DESK | {"field_officer"},
    # Premise notes (a dangerous dog, a firearm at an address): the desk and crews read them, dispatch writes them.
    "premise.read": DESK | {"field_officer"},
    "premise.write": frozenset({"dispatcher", "supervisor", "admin"}),
    "unit.write": frozenset({"supervisor", "admin"}),
    # Repeat trouble (矛盾纠纷): the desk and the police read the cases of their incidents, the governance centre its
    # own (governance.service.scope; an agency of another kind sees none).
    "governance.read": DESK | {"field_officer", "agency_handler"},
    # The centre's handler records how mediation ended (the 12345 desk and supervisors for it, by phone).
    "governance.mediate": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    # The police return visit after mediation: the station's officers and the 110 desk that dispatches them.
    "governance.visit": frozenset({"field_officer", "dispatcher", "supervisor", "admin"}),
    # The other party of a dispute (楼下 302 王某): the desk takes it from the caller, officers from the scene.
    "incident.parties": DESK | {"field_officer"},
    "unit.report": frozenset({"dispatcher", "field_officer", "supervisor", "admin"}),
    "unit.dispatch": frozenset({"dispatcher", "supervisor", "admin"}),
    # Run cards (预案): supervisors write them; the dispatch desk reads them with every recommendation.
    "runcard.write": frozenset({"supervisor", "admin"}),
    # Missing-person cases: the 110 desk opens and runs them, the stations' officers search and record.
    "missing.read": frozenset({"call_taker", "dispatcher", "field_officer", "supervisor", "admin"}),
    "missing.write": frozenset({"call_taker", "dispatcher", "field_officer", "supervisor", "admin"}),
    # What the public reads is a decision of the desk (Guangzhou's 寻人 team are experienced call-takers).
    "missing.appeal": frozenset({"call_taker", "dispatcher", "supervisor", "admin"}),
    # A publishing partner (a news app) reads the appeals given to it and nothing else.
    "missing.appeals_read": frozenset({"agency_handler", "admin"}),
    # The 12345 knowledge base: the hotline and the 110 call-takers search it (a 110 call-taker can tell a caller how
    # to get a 居住证 too); hotline operators draft articles, supervisors publish and retire them.
    "knowledge.read": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    "knowledge.write": frozenset({"hotline_operator", "supervisor", "admin"}),
    "knowledge.publish": frozenset({"supervisor", "admin"}),
    # Closing a 12345 contact as answered directly, with no work order: the hotline's own decision.
    "knowledge.answer": frozenset({"hotline_operator", "supervisor", "admin"}),
    # The matters catalogue (诉求事项清单): everyone reads who owns what; a centre's supervisors propose a change and
    # the other centre's supervisors approve it (catalogue.service checks the centres differ).
    "catalogue.read": ALL,
    # 会商: a matter whose owner is unclear; the desks of both centres see it and agree who owns it.
    "consultation.read": DESK,
    "consultation.agree": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    "catalogue.propose": frozenset({"supervisor", "admin"}),
    "catalogue.approve": frozenset({"supervisor", "admin"}),
    "org.read": ALL,
    "org.write": frozenset({"admin"}),
    # Load a road network (an OpenStreetMap extract): routing and geocoding change for everyone.
    "roads.write": frozenset({"admin"}),
    "user.read": frozenset({"supervisor", "admin"}),
    "user.write": frozenset({"admin"}),
    # A second factor (TOTP) for those whose account can do the most harm.
    "account.otp": frozenset({"supervisor", "admin"}),
    "audit.verify": frozenset({"supervisor", "admin"}),
    # The command dashboard's city-wide figures (counts and rates, no callers' details).
    "kpi.read": frozenset({"supervisor", "admin", "dispatcher", "hotline_operator"}),
    # Incidents and orders of a period as CSV or Excel: those who read the figures, and a department its own orders
    # (each row within the reader's scope; numbers masked but for a supervisor's audited export).
    "export.read": frozenset({"supervisor", "admin", "dispatcher", "hotline_operator", "agency_handler"}),
    # A peer platform delivers messages: a report it hands over, and steps on the orders exchanged with it.
    # It lists nothing, reads no caller and manages nobody (peering.receiver checks whose order it is).
    "peer.deliver": frozenset({Role.PEER}),
    "channel.deliver": frozenset({Role.CHANNEL}),
    # The consoles' pages.
    "console.calls": frozenset({"call_taker", "hotline_operator", "supervisor", "admin"}),
    "console.dispatch": frozenset({"dispatcher", "supervisor", "admin"}),
    "console.orders": frozenset({"hotline_operator", "agency_handler", "supervisor", "admin"}),
    # 我的警单: the order of the unit an officer crews, on his phone.
    "console.field": frozenset({"field_officer"}),
    # The exchange's dead-letter list and refused knocks: supervisors read them, admins replay or drop.
    "exchange.read": frozenset({"supervisor", "admin"}),
    "exchange.admin": frozenset({"admin"}),
}

# The full map: whoever runs the board or reads the city's figures, and the officers on the streets.
PERMISSIONS["console.map"] = PERMISSIONS["console.dispatch"] | PERMISSIONS["kpi.read"] | {"field_officer"}

# A person's photo: whoever may read the case, or a partner given an appeal that may show it (missing.service.photo).
PERMISSIONS["missing.photo"] = PERMISSIONS["missing.read"] | PERMISSIONS["missing.appeals_read"]
# 矛盾调处台: whoever reads governance cases.
PERMISSIONS["console.governance"] = PERMISSIONS["governance.read"]

# A step of either kind: diversion.service.step checks which (handling or re-routing) and whose.
PERMISSIONS["order.step"] = PERMISSIONS["order.handle"] | PERMISSIONS["order.reroute"]

# Which roles may move an incident into each state (on top of incident.transition).
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    "dispatched": frozenset({"dispatcher", "supervisor", "admin"}),
    "en_route": frozenset({"dispatcher", "field_officer", "supervisor", "admin"}),
    "on_scene": frozenset({"dispatcher", "field_officer", "supervisor", "admin"}),
    "resolved": DESK | {"field_officer"},
    "transferred": DESK,
    "closed": DESK,
    "cancelled": DESK,
    "reopened": frozenset({"supervisor", "admin", "call_taker", "hotline_operator"}),
    # A returned order taken back: the matter is the desk's to decide again.
    "taken_back": frozenset({"supervisor", "admin", "call_taker", "hotline_operator"}),
}


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


def may_move_to(role: str, state: str) -> bool:
    return allowed(role, "incident.transition") and role in TRANSITION_ROLES.get(state, frozenset())


def sees_all(role: str) -> bool:
    """Admins see every organisation's incidents; everyone else sees their own part of the tree."""
    return role == "admin"


def mask_number(number: str | None) -> str | None:
    """138****5678: enough to recognise a repeat caller, not enough to dial."""
    if not number:
        return number
    if len(number) <= 4:
        return "*" * len(number)
    keep = 3 if len(number) >= 11 else 2
    return number[:keep] + "*" * (len(number) - keep - 4) + number[-4:]
