"""Who may call each route and which rows it reaches: one table, enforced before any route runs.

Each route names an action of `permissions.PERMISSIONS` (the roles that may take it) or one of the principals
that are not people: anyone (PUBLIC), a peer platform whose message is signed (SIGNED), an Open311 client with its
api_key (CLIENT), a metrics scraper (SCRAPER), or any person who is logged in (SIGNED_IN). `rows` says, in words,
which rows the route reaches; the services enforce it (incidents.service.scope, diversion.service.scope,
dispatch.service.visible…).

The application refuses to start when a route has no rule (web.app), the policy test walks every route with every
principal against this table, and docs/SECURITY.md is drawn from it (`lifeline policy`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.auth.permissions import PERMISSIONS
from lifeline.vocabulary import USER_ROLES

PUBLIC = "public"
SIGNED = "peer.deliver"
CLIENT = "open311.client"
SCRAPER = "metrics.scraper"  # a Prometheus scraper: from loopback, or with LIFELINE_METRICS_TOKEN (web.metrics)
CHANNEL = "channel.deliver"  # a registered gateway or device, its request signed with its secret (channels.views)
SIGNED_IN = "signed_in"
NOT_PEOPLE = frozenset({PUBLIC, SIGNED, CLIENT, SCRAPER, CHANNEL})

# Which rows, in words (one phrase per kind of row, so that the table reads the same everywhere).
INCIDENTS = (
    "本单位及下级受理或指派的警情；民警：派给本所的；承办单位：交办给它的 / incidents received by or assigned to the"
    " actor's part of the tree; officers: dispatched to their station; agencies: handed to them; admin: all"
)
ORDERS = (
    "交办给本单位（改派后不再）或由本单位派出的工单 / orders handed to the actor's part of the tree (not after a"
    " re-route) or sent by it; admin: all"
)
ORDER_STEPS = (
    "承办单位办理、签收、退回；派出方改派、收回、提交值班长；会签由主办单位发起 / the organisation an order is"
    " addressed to takes its handling steps; the sender re-routes, takes back or refers; the lead asks a countersign"
)
EXPORTS = (
    "可见范围内的警情或工单（与列表相同）；号码打码，值班长导出完整号码留痕 / the incidents or orders the actor may"
    " list; numbers masked, a supervisor's export of full numbers is audited"
)
FOLLOW_UPS = (
    "延期由承办单位申请，派出的 12345 中心或值班长审批；催办由派出方，督办由值班长，针对超期工单 / an extension"
    " is asked by an organisation handling the order and decided by the 12345 centre that sent it or a supervisor;"
    " the sender urges; a supervisor supervises an overdue order"
)
CALLER = (
    "110 坐席与值班长：其警情；民警：本车组正在处置的警情；12345：12345 受理的；每次查看留痕 / the 110 desk: its"
    " incidents; an officer: his unit's current incident; 12345: what 12345 received; every read is audited"
)
CONTACTS = (
    "本单位及下级接入的来电、短信、报警与按键；队列中号码打码 / contacts queued at the actor's part of the tree;"
    " numbers masked in the queue"
)
VIDEO_SEAT = "接听该视频报警的坐席 / the seat that took the video call"
VIDEO_CALLER = "凭呼叫密钥，仅本人的视频报警 / the caller's own video call, by its secret"
POST_OWN = "该渠道注册的报警柱 / the posts registered to that sender"
BY_NUMBER = "按来电号码查询仅限 110 坐席，留痕 / by a caller's number: the 110 desk only, audited"
UNITS = "本单位及下级的警力；民警只改本车组 / units of the actor's part of the tree; an officer changes only his unit"
CREWED = "本人所在车组及其正在处置的警情 / the unit the officer crews and the incident it is on"
FIGURES = "本单位及下级的统计数字 / figures of the actor's part of the tree"
AREAS = "本单位及下级的辖区 / its stations' areas"
OWN = "本人 / the actor's own"
CARDS = "全市预案及其各版本 / the run cards of the centre, every version"
PREMISES = (
    "全市地址风险提示（与其可见警情同一地址的提示与历史警情）/ premise notes of the city; at an incident's address,"
    " the notes and the earlier incidents the actor may read"
)
MISSING = (
    "本单位及下级立案或交其查找的走失案件 / missing-person cases opened by the actor's part of the tree or given to a"
    " station in it; admin: all"
)
SURGE = "本平台的应急状态及其来电数 / this platform's surges and the calls they brought"
ALERTS = "他市经省平台发来、覆盖本市的协查通报 / other cities' missing-person alerts that reach this city, via the hub"
APPEALS = (
    "交给本合作方、未撤回且未过期的寻人启事（文字与允许发布的照片）/ the appeals given to the partner, not withdrawn"
    " nor past their date (the text, and the photo when allowed)"
)
PUBLISHED = (
    "12345 已公开的诉求（服务、约 1 公里的位置、状态、公开答复）；带 api_key 的客户端另见自己提交的 / what 12345"
    " published (service, location to ~1 km, status, public answer); a client with its api_key also its own"
)
CASES = (
    "综治中心：移交给它的案件；坐席与民警：含其可见警情的案件；其他承办单位：无 / the governance centre: cases referred"
    " to it; the desk and the police: cases with an incident they may read; other agencies: none; numbers masked"
)
NUISANCE = (
    "110 指挥中心：达到骚扰认定标准的号码及其虚假来电证据、案件与步骤；每个号码的查看留痕 / the 110 centre: numbers"
    " that meet the nuisance criteria, their false calls, cases and steps; each number read is audited"
)
ARTICLES = (
    "12345 知识库：已发布的文章；撰写者另见草稿与停用的 / the 12345 knowledge base: published articles; those who write"
    " them also drafts and retired ones"
)
CATALOGUE = (
    "现行诉求事项清单及其各版本（两地共用）/ the matters catalogue in force and every version (shared by both centres)"
)
PROPOSALS = (
    "清单变更：本中心提出，另一方中心审批，同一中心不能审批自己的提议 / catalogue changes: one centre proposes, the"
    " other approves; a centre never approves its own"
)
OWN_OR_ADMIN = "本人的；管理员：任何人的 / the actor's own; admin: anyone's"
ALL_ROWS = "全部 / all"
NONE = "无数据 / no rows"


@dataclass(frozen=True)
class Rule:
    action: str
    rows: str = NONE

    @property
    def roles(self) -> frozenset[str]:
        """The people's roles this rule lets in (none for a rule meant for a peer, a client or anyone)."""
        if self.action == SIGNED_IN:
            return frozenset(USER_ROLES)
        return PERMISSIONS.get(self.action, frozenset()) & frozenset(USER_ROLES)


API = "/api/v1"

RULES: dict[str, Rule] = {
    # Sessions and who am I
    f"POST {API}/session": Rule(PUBLIC),
    f"DELETE {API}/session": Rule(PUBLIC, OWN),
    f"GET {API}/me": Rule(SIGNED_IN, OWN),
    f"POST {API}/me/password": Rule(SIGNED_IN, OWN),
    f"DELETE {API}/me/sessions": Rule(SIGNED_IN, OWN),
    f"POST {API}/me/otp": Rule("account.otp", OWN),
    f"POST {API}/me/otp/confirm": Rule("account.otp", OWN),
    f"POST {API}/me/otp/disable": Rule("account.otp", OWN),
    f"GET {API}/users/{{username}}/tokens": Rule(SIGNED_IN, OWN_OR_ADMIN),
    f"DELETE {API}/tokens/{{token_id}}": Rule(SIGNED_IN, OWN_OR_ADMIN),
    f"DELETE {API}/users/{{username}}/sessions": Rule(SIGNED_IN, OWN_OR_ADMIN),
    # Reports and incidents
    f"POST {API}/reports": Rule("report.create", "新警情归本单位 / a new incident of the actor's organisation"),
    f"GET {API}/incidents": Rule("incident.read", f"{INCIDENTS}; {BY_NUMBER}"),
    f"GET {API}/incidents/{{incident_id}}": Rule("incident.read", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/transitions": Rule("incident.transition", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/notes": Rule("incident.note", INCIDENTS),
    f"GET {API}/incidents/{{incident_id}}/events": Rule("incident.history", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/location": Rule("incident.locate", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/merge": Rule("incident.merge", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/unmerge": Rule("incident.merge", INCIDENTS),
    f"GET {API}/incidents/{{incident_id}}/eido": Rule("incident.read", INCIDENTS),
    f"POST {API}/eido": Rule("report.create", "新警情归本单位 / a new incident of the actor's organisation"),
    # Callers
    f"GET {API}/incidents/{{incident_id}}/caller": Rule("caller.read", CALLER),
    f"GET {API}/callers/{{number}}": Rule(
        "caller.lookup", "110 机构内任意号码，历史限于可见警情；留痕 / any number, from a 110 organisation; audited"
    ),
    f"GET {API}/callers/{{number}}/governance": Rule("nuisance.read", NUISANCE),
    f"POST {API}/callers/{{number}}/governance/steps": Rule("nuisance.write", NUISANCE),
    f"GET {API}/nuisance": Rule("nuisance.read", NUISANCE),
    f"GET {API}/nuisance/figures": Rule("nuisance.read", "110 指挥中心的虚假来电统计 / the 110 centre's figures"),
    f"GET {API}/audit/caller-reads": Rule("audit.reads", "全部来电查看记录 / every read of a caller's data"),
    f"GET {API}/audit/verify": Rule("audit.verify", ALL_ROWS),
    # The desk's flows
    f"POST {API}/incidents/{{incident_id}}/confirm": Rule("incident.confirm", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/hand-over": Rule("order.create", INCIDENTS),
    f"GET {API}/callbacks": Rule("callback.read", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/callbacks": Rule("callback.record", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/push": Rule("incident.push", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/refer": Rule("incident.push", INCIDENTS),
    f"GET {API}/consultations": Rule("consultation.read", INCIDENTS),
    f"POST {API}/consultations/{{consultation_id}}/agree": Rule("consultation.agree", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/transfer-call": Rule("incident.push", INCIDENTS),
    # Work orders
    f"POST {API}/incidents/{{incident_id}}/orders": Rule("order.create", INCIDENTS),
    f"POST {API}/incidents/{{incident_id}}/linkage": Rule("order.create", INCIDENTS),
    f"GET {API}/orders": Rule("order.read", ORDERS),
    f"GET {API}/orders/{{order_id}}": Rule("order.read", ORDERS),
    f"POST {API}/orders/{{order_id}}/steps": Rule("order.step", ORDER_STEPS),
    f"POST {API}/orders/{{order_id}}/countersign": Rule("order.handle", ORDER_STEPS),
    f"PUT {API}/orders/{{order_id}}/public-answer": Rule("order.publish", f"{ORDERS}; 公开答复，留痕 / audited"),
    f"GET {API}/orders/{{order_id}}/follow-ups": Rule("order.read", ORDERS),
    f"POST {API}/orders/{{order_id}}/extensions": Rule("order.extend", FOLLOW_UPS),
    f"POST {API}/orders/{{order_id}}/extensions/{{follow_up_id}}/decision": Rule("order.extension_decide", FOLLOW_UPS),
    f"POST {API}/orders/{{order_id}}/urge": Rule("order.urge", FOLLOW_UPS),
    f"POST {API}/orders/{{order_id}}/supervision": Rule("order.supervise", FOLLOW_UPS),
    # Units
    f"GET {API}/units": Rule("unit.read", UNITS),
    f"POST {API}/units": Rule("unit.write", UNITS),
    f"POST {API}/units/{{unit_id}}/status": Rule("unit.report", UNITS),
    f"POST {API}/units/positions": Rule("unit.report", UNITS),
    f"GET {API}/coverage": Rule("unit.dispatch", UNITS),
    f"GET {API}/runcards": Rule("unit.dispatch", CARDS),
    f"POST {API}/runcards": Rule("runcard.write", CARDS),
    f"GET {API}/catalogue": Rule("catalogue.read", CATALOGUE),
    f"GET {API}/catalogue/figures": Rule("kpi.read", FIGURES),
    f"GET {API}/catalogue/versions": Rule("catalogue.read", CATALOGUE),
    f"GET {API}/catalogue.xlsx": Rule("catalogue.read", CATALOGUE),
    f"POST {API}/catalogue/proposals": Rule("catalogue.propose", PROPOSALS),
    f"POST {API}/catalogue/import": Rule("catalogue.propose", PROPOSALS),
    f"POST {API}/catalogue/proposals/{{version}}/approve": Rule("catalogue.approve", PROPOSALS),
    f"POST {API}/catalogue/proposals/{{version}}/reject": Rule("catalogue.approve", PROPOSALS),
    f"POST {API}/premises": Rule("premise.write", PREMISES),
    f"POST {API}/premises/{{note_id}}/retire": Rule("premise.write", PREMISES),
    f"GET {API}/incidents/{{incident_id}}/address": Rule("premise.read", PREMISES),
    f"POST {API}/units/{{unit_id}}/feedback": Rule("unit.report", UNITS),
    # Repeat trouble and the governance centre
    f"POST {API}/incidents/{{incident_id}}/parties": Rule("incident.parties", INCIDENTS),
    f"GET {API}/governance": Rule("governance.read", CASES),
    f"GET {API}/governance/{{case_id}}": Rule("governance.read", CASES),
    f"POST {API}/governance/{{case_id}}/mediation": Rule("governance.mediate", CASES),
    f"POST {API}/governance/{{case_id}}/return-visit": Rule("governance.visit", CASES),
    f"POST {API}/units/{{unit_id}}/crew": Rule("unit.write", UNITS),
    f"GET {API}/incidents/{{incident_id}}/units": Rule("unit.dispatch", UNITS),
    f"POST {API}/incidents/{{incident_id}}/assign": Rule("unit.dispatch", UNITS),
    # Missing persons
    f"POST {API}/missing": Rule("missing.write", MISSING),
    f"GET {API}/surge": Rule("surge.read", SURGE),
    f"POST {API}/surge": Rule("surge.manage", SURGE),
    f"POST {API}/surge/end": Rule("surge.manage", SURGE),
    f"GET {API}/missing": Rule("missing.read", MISSING),
    f"GET {API}/missing/figures": Rule("missing.read", MISSING),
    f"GET {API}/missing/alerts": Rule("missing.read", ALERTS),
    f"GET {API}/missing/appeals": Rule("missing.appeals_read", APPEALS),
    f"GET {API}/missing/photos/{{digest}}": Rule("missing.photo", f"{MISSING}; {APPEALS}"),
    f"GET {API}/missing/{{case_id}}": Rule("missing.read", MISSING),
    f"POST {API}/missing/{{case_id}}/grade": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/assign": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/tasks": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/tasks/{{task_id}}/done": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/sightings": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/reviews": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/monitor": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/photo": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/appeals": Rule("missing.appeal", MISSING),
    f"POST {API}/missing/{{case_id}}/appeals/{{appeal_id}}/withdraw": Rule("missing.appeal", MISSING),
    f"POST {API}/missing/{{case_id}}/outcome": Rule("missing.write", MISSING),
    f"POST {API}/missing/{{case_id}}/safe-and-well": Rule("missing.write", MISSING),
    f"GET {API}/missing/{{case_id}}/reports/{{day}}": Rule("missing.read", MISSING),
    # The 12345 knowledge base and direct answers
    f"GET {API}/knowledge": Rule("knowledge.read", ARTICLES),
    f"GET {API}/knowledge/articles": Rule("knowledge.read", ARTICLES),
    f"POST {API}/knowledge/articles": Rule("knowledge.write", ARTICLES),
    f"GET {API}/knowledge/articles/{{article_id}}": Rule("knowledge.read", ARTICLES),
    f"PUT {API}/knowledge/articles/{{article_id}}": Rule("knowledge.write", ARTICLES),
    f"POST {API}/knowledge/articles/{{article_id}}/publish": Rule("knowledge.publish", ARTICLES),
    f"POST {API}/knowledge/articles/{{article_id}}/retire": Rule("knowledge.publish", ARTICLES),
    f"GET {API}/knowledge/figures": Rule("kpi.read", f"{FIGURES}：12345 来电 / 12345 contacts"),
    f"POST {API}/incidents/{{incident_id}}/answer": Rule("knowledge.answer", f"{INCIDENTS}; {ARTICLES}"),
    # Organisations, users, figures
    f"GET {API}/organisations": Rule("org.read", ALL_ROWS),
    f"POST {API}/organisations": Rule("org.write", ALL_ROWS),
    f"GET {API}/users": Rule("user.read", ALL_ROWS),
    f"POST {API}/users": Rule("user.write", ALL_ROWS),
    f"POST {API}/users/{{username}}/deactivate": Rule("user.write", ALL_ROWS),
    f"POST {API}/users/{{username}}/reactivate": Rule("user.write", ALL_ROWS),
    f"POST {API}/users/{{username}}/password": Rule("user.write", ALL_ROWS),
    f"DELETE {API}/users/{{username}}/otp": Rule("user.write", ALL_ROWS),
    f"POST {API}/login-locks/release": Rule("user.write", "登录锁定（账号或地址）/ login locks, by account or address"),
    f"GET {API}/kpis": Rule("kpi.read", FIGURES),
    f"GET {API}/province": Rule("kpi.read", "省平台：各市及待送消息 / at the hub: every city"),
    f"GET {API}/province/figures": Rule("kpi.read", "省平台：各市与全省指标 / at the hub: every city's figures"),
    f"GET {API}/reports/{{kind}}": Rule("kpi.read", FIGURES),
    f"GET {API}/exports/{{kind}}": Rule("export.read", EXPORTS),
    # Other platforms
    f"GET {API}/exchange/dead-letters": Rule("exchange.read", "未能应用的对端消息 / peers' unapplied messages"),
    f"POST {API}/exchange/dead-letters/{{letter_id}}/replay": Rule("exchange.admin", "一条死信 / one dead letter"),
    f"POST {API}/exchange/dead-letters/{{letter_id}}/drop": Rule("exchange.admin", "一条死信 / one dead letter"),
    f"GET {API}/exchange/rejections": Rule("exchange.read", "本进程拒收的请求 / refused requests, this process"),
    # Channels: what gateways and devices send (signed), the one queue, a contact's conversation and files
    f"POST {API}/channels/phone/events": Rule(CHANNEL, CONTACTS),
    f"POST {API}/channels/sms/inbound": Rule(CHANNEL, CONTACTS),
    f"POST {API}/channels/sms/receipts": Rule(CHANNEL, "经该网关发出的消息 / messages sent through that gateway"),
    f"POST {API}/channels/app/alarms": Rule(CHANNEL, CONTACTS),
    f"POST {API}/channels/posts/{{code}}/press": Rule(CHANNEL, POST_OWN),
    f"POST {API}/channels/posts/{{code}}/heartbeat": Rule(CHANNEL, POST_OWN),
    f"GET {API}/queue": Rule("contact.read", CONTACTS),
    f"GET {API}/contacts/{{contact_id}}": Rule("contact.read", f"{CONTACTS}; {CALLER}"),
    f"POST {API}/contacts/{{contact_id}}/take": Rule("contact.take", f"{CONTACTS}; {CALLER}"),
    f"POST {API}/contacts/{{contact_id}}/messages": Rule("contact.reply", CONTACTS),
    f"POST {API}/contacts/{{contact_id}}/close": Rule("contact.take", CONTACTS),
    f"GET {API}/media/{{digest}}": Rule("media.read", INCIDENTS),
    f"GET {API}/posts": Rule("post.read", "全部报警柱及其心跳 / every alarm post and its heartbeat"),
    f"POST {API}/posts/{{code}}/commands": Rule("post.command", "一根报警柱 / one alarm post"),
    f"PUT {API}/callers/{{number}}/needs": Rule("caller.needs", "登记的听障/言语障碍人士 / registered 12110 users"),
    "POST /exchange/v1/ping": Rule(SIGNED),
    "POST /exchange/v1/messages": Rule(SIGNED, "与该对端交换的工单与警情 / orders and incidents exchanged with it"),
    "POST /exchange/v1/figures": Rule(SIGNED, "本市指标，仅省平台可调取 / this city's figures, for its hub only"),
    "POST /exchange/v1/batch": Rule(SIGNED, "与该对端交换的工单与警情 / orders and incidents exchanged with it"),
    "GET /open311/v2/discovery.{fmt}": Rule(PUBLIC),
    "GET /open311/v2/services.{fmt}": Rule(PUBLIC),
    "GET /open311/v2/services/{service_code}.{fmt}": Rule(PUBLIC),
    "GET /open311/v2/requests.{fmt}": Rule(PUBLIC, PUBLISHED),
    "GET /open311/v2/requests/{service_request_id}.{fmt}": Rule(PUBLIC, PUBLISHED),
    "GET /open311/v2/tokens/{token}.{fmt}": Rule(PUBLIC, "凭回执查询编号 / the id behind one receipt"),
    "POST /open311/v2/requests.{fmt}": Rule(CLIENT, "新诉求 / a new request"),
    # Consoles
    "GET /": Rule(PUBLIC),
    "GET /login": Rule(PUBLIC),
    "POST /login": Rule(PUBLIC),
    "POST /logout": Rule(PUBLIC, OWN),
    "GET /account": Rule(SIGNED_IN),
    "POST /account/password": Rule(SIGNED_IN, OWN),
    "POST /account/sessions": Rule(SIGNED_IN, OWN),
    "GET /console/stream": Rule(SIGNED_IN, "变更提示，不含内容 / change signals, no content"),
    "GET /console/calls": Rule("console.calls"),
    "POST /console/triage": Rule("console.calls", "纯研判，不读库 / pure triage, reads nothing"),
    "POST /console/caller": Rule("console.calls", CALLER),
    "POST /console/duplicates": Rule("console.calls", INCIDENTS),
    "POST /console/calls": Rule("console.calls", "新警情归本单位 / a new incident of the actor's organisation"),
    "GET /console/callbacks": Rule("callback.read", INCIDENTS),
    "GET /console/callbacks/count": Rule("callback.read", INCIDENTS),
    "GET /console/undecided": Rule("incident.confirm", INCIDENTS),
    "POST /console/callbacks": Rule("callback.record", INCIDENTS),
    "POST /console/knowledge": Rule("knowledge.read", ARTICLES),
    "POST /console/calls/answer": Rule(
        "knowledge.answer", f"新警情归本单位 / a new incident of the actor's organisation; {ARTICLES}"
    ),
    "GET /console/dispatch": Rule("console.dispatch"),
    "GET /console/dispatch/pending": Rule("console.dispatch", INCIDENTS),
    "GET /console/dispatch/follow": Rule("console.dispatch", f"{INCIDENTS}; {UNITS}"),
    "GET /console/dispatch/units": Rule("console.dispatch", UNITS),
    "POST /console/dispatch/units/{unit_id}/step": Rule("unit.dispatch", UNITS),
    "POST /console/dispatch/feedback": Rule("unit.dispatch", f"{UNITS}; {INCIDENTS}"),
    "GET /console/dispatch/{incident_id}/units": Rule("unit.dispatch", UNITS),
    "POST /console/dispatch/{incident_id}/assign": Rule("unit.dispatch", UNITS),
    "POST /console/dispatch/{incident_id}/close": Rule("incident.transition", INCIDENTS),
    "GET /console/map": Rule("console.map"),
    "GET /console/map.json": Rule("console.map", f"{INCIDENTS}; {UNITS}; {AREAS}"),
    "GET /console/roads.json": Rule("incident.locate", "城市图层与有名道路 / the city's layers and named roads"),
    "GET /console/field": Rule("console.field"),
    "GET /console/field/order": Rule("console.field", CREWED),
    "POST /console/field/step": Rule("console.field", CREWED),
    "POST /console/field/feedback": Rule("console.field", CREWED),
    "POST /console/field/reveal": Rule("console.field", CALLER),
    "GET /console/orders": Rule("console.orders"),
    "GET /console/governance": Rule("console.governance", CASES),
    "GET /console/governance/{case_id}": Rule("console.governance", CASES),
    "POST /console/governance/{case_id}/mediation": Rule("governance.mediate", CASES),
    "POST /console/governance/{case_id}/return-visit": Rule("governance.visit", CASES),
    "POST /console/governance/near": Rule("console.calls", f"{CASES}; {CALLER}"),
    "POST /console/incidents/{incident_id}/parties": Rule("incident.parties", INCIDENTS),
    "GET /console/orders/inbox": Rule("console.orders", ORDERS),
    "GET /console/orders/{order_id}/panel": Rule("console.orders", ORDERS),
    "POST /console/orders/{order_id}/step": Rule("order.step", ORDER_STEPS),
    "POST /console/orders/{order_id}/extension": Rule("order.extend", FOLLOW_UPS),
    "POST /console/orders/{order_id}/extension/{follow_up_id}": Rule("order.extension_decide", FOLLOW_UPS),
    "POST /console/orders/{order_id}/urge": Rule("order.urge", FOLLOW_UPS),
    "POST /console/orders/{order_id}/supervision": Rule("order.supervise", FOLLOW_UPS),
    "GET /console/incidents/{incident_id}": Rule(
        "incident.read", f"{INCIDENTS}; 事件记录除外承办单位 / no log for agencies"
    ),
    "GET /console/incidents/{incident_id}/view": Rule("incident.read", INCIDENTS),
    "GET /console/incidents/{incident_id}/moves": Rule("incident.read", INCIDENTS),
    "POST /console/incidents/{incident_id}/move": Rule("incident.transition", INCIDENTS),
    "POST /console/incidents/{incident_id}/locate": Rule("incident.locate", INCIDENTS),
    "POST /console/incidents/{incident_id}/decide": Rule("incident.confirm", INCIDENTS),
    "POST /console/incidents/{incident_id}/answer": Rule("knowledge.answer", f"{INCIDENTS}; {ARTICLES}"),
    "POST /console/incidents/{incident_id}/note": Rule("incident.note", INCIDENTS),
    "POST /console/incidents/{incident_id}/merge": Rule("incident.merge", INCIDENTS),
    "POST /console/incidents/{incident_id}/unmerge": Rule("incident.merge", INCIDENTS),
    "POST /console/incidents/{incident_id}/caller": Rule("caller.read", CALLER),
    "GET /console/missing": Rule("missing.read", MISSING),
    "POST /console/missing": Rule("missing.write", MISSING),
    "GET /console/missing/{case_id}": Rule("missing.read", MISSING),
    "GET /console/missing/{case_id}/view": Rule("missing.read", MISSING),
    "POST /console/missing/{case_id}/step": Rule("missing.write", MISSING),
    "POST /console/missing/{case_id}/photo": Rule("missing.write", MISSING),
    "POST /console/incidents/{incident_id}/consultation": Rule("consultation.agree", INCIDENTS),
    "POST /console/incidents/{incident_id}/missing": Rule("missing.write", f"{INCIDENTS}; {MISSING}"),
    "GET /console/nuisance": Rule("nuisance.read", NUISANCE),
    "POST /console/nuisance/case": Rule("nuisance.read", NUISANCE),
    "POST /console/nuisance/step": Rule("nuisance.write", NUISANCE),
    "GET /console/search": Rule("incident.read", f"{INCIDENTS}; {BY_NUMBER}"),
    "GET /console/queue": Rule("contact.read", CONTACTS),
    "POST /console/contacts/{contact_id}/take": Rule("contact.take", f"{CONTACTS}; {CALLER}"),
    "POST /console/contacts/{contact_id}/reply": Rule("contact.reply", CONTACTS),
    "POST /console/contacts/{contact_id}/close": Rule("contact.take", CONTACTS),
    "POST /console/speech": Rule("console.calls", "本坐席的转写流 / the seat's own speech streams"),
    "POST /console/speech/{key}": Rule("console.calls", "本坐席的转写流 / the seat's own speech streams"),
    "GET /console/posts": Rule("post.read"),
    "GET /console/contacts/{contact_id}/video": Rule("contact.take"),
    "POST /console/contacts/{contact_id}/signals": Rule("contact.take", f"{CONTACTS}; {VIDEO_SEAT}"),
    "GET /console/contacts/{contact_id}/signals": Rule("contact.take", f"{CONTACTS}; {VIDEO_SEAT}"),
    "POST /console/contacts/{contact_id}/snapshot": Rule("contact.take", f"{CONTACTS}; {VIDEO_SEAT}"),
    "POST /console/incidents/{incident_id}/accident": Rule("incident.transition", f"{INCIDENTS}; {ORDERS}"),
    "GET /alarm": Rule(PUBLIC),
    "POST /alarm/calls": Rule(PUBLIC, "新的视频报警；每个地址每分钟 3 次 / a new video alarm; 3 a minute per address"),
    "POST /alarm/calls/{contact_id}/signals": Rule(PUBLIC, VIDEO_CALLER),
    "GET /alarm/calls/{contact_id}/signals": Rule(PUBLIC, VIDEO_CALLER),
    "POST /console/posts/{code}/say": Rule("post.command", "一根报警柱 / one alarm post"),
    "GET /console/dashboard": Rule("kpi.read"),
    "POST /console/surge": Rule("surge.manage", SURGE),
    "POST /console/surge/end": Rule("surge.manage", SURGE),
    "GET /console/dashboard/tiles": Rule("kpi.read", FIGURES),
    "GET /console/dashboard/heat.json": Rule("kpi.read", FIGURES),
    "GET /console/dashboard/report": Rule("kpi.read", FIGURES),
    "GET /console/figures": Rule("kpi.read", FIGURES),
    "GET /console/province": Rule("kpi.read", "省平台：各市指标与待送消息 / at the hub: every city"),
    "GET /console/exports/{kind}": Rule("export.read", EXPORTS),
    # Operations
    "GET /healthz": Rule(PUBLIC),
    "GET /metrics": Rule(SCRAPER, "运行指标，无个人数据 / operations figures, nothing personal"),
    "GET /openapi.json": Rule(PUBLIC),
    "GET /docs": Rule(PUBLIC),
    "GET /docs/oauth2-redirect": Rule(PUBLIC),
    "GET /redoc": Rule(PUBLIC),
}


class MissingRule(RuntimeError):
    pass


def rule_for(method: str, path: str) -> Rule:
    """The rule of one route (`path` as the route declares it, with its prefix)."""
    try:
        return RULES[f"{method} {path}"]
    except KeyError:
        raise MissingRule(
            f"路由 {method} {path} 没有访问规则，请在 auth/policy.py 的 RULES 中添加"
            f" / route {method} {path} has no rule in lifeline.auth.policy.RULES"
        ) from None


def verdict(rule: Rule, role: str | None) -> str:
    """'allow', 'login' (credentials are needed first) or 'deny', for a person of `role` (None: not logged in).
    Routes for a peer or an Open311 client check their own credentials (a signature, an api_key)."""
    if rule.action in NOT_PEOPLE:
        return "allow"
    if role is None:
        return "login"
    return "allow" if role in rule.roles else "deny"


def markdown() -> str:
    """docs/SECURITY.md's table: every route, who may call it, which rows."""
    names = {
        PUBLIC: "任何人 anyone",
        SIGNED: "对端平台（签名）a signed peer",
        CLIENT: "Open311 客户端 api_key",
        SCRAPER: "本机或持指标令牌的采集器 loopback, or the metrics token",
        CHANNEL: "已注册的接入渠道（签名）a registered channel sender, signed",
    }
    lines = ["| 路由 Route | 动作 Action | 谁 Who | 哪些数据 Which rows |", "|---|---|---|---|"]
    for key, rule in RULES.items():
        who = names.get(rule.action) or ", ".join(sorted(rule.roles)) or "—"
        lines.append(f"| `{key}` | `{rule.action}` | {who} | {rule.rows} |")
    return "\n".join(lines) + "\n"
