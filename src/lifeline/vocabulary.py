"""The words of the desk, one place each: dispositions, incident and order states, channels, roles, call-back
outcomes, unit statuses; and each state machine's moves as one table.

Every term is a StrEnum whose members equal their stored strings, so tables, schemas, templates and tests use the
same names, and each carries its Chinese label (`.zh`) and its English one (`.en`, by default the value in words).
"""

from __future__ import annotations

from enum import StrEnum


class Term(StrEnum):
    """A stored word with its Chinese label."""

    zh: str
    en: str

    def __new__(cls, value: str, zh: str = "", en: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        member.en = en or value.replace("_", " ").capitalize()
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.zh for m in cls}


class Disposition(Term):
    POLICE = "police", "警务"
    JOINT = "joint", "联动"
    DIVERT = "divert", "分流"
    INVALID = "invalid", "无效"


# Dispositions that keep police involved: a call with one of these may never be diverted by software.
POLICE_SIDE = frozenset({Disposition.POLICE, Disposition.JOINT})


class Channel(Term):
    VOICE = "voice", "语音 110", "110 voice"
    SMS = "sms", "12110 短信", "12110 SMS"
    WECHAT = "wechat", "微信", "WeChat"
    APP = "app", "APP", "App"
    VIDEO = "video", "视频"
    ALARM_POST = "alarm_post", "一键报警柱", "Alarm post"
    HOTLINE_PUSH = "hotline_push", "12345 推送", "Pushed by 12345"
    CALLBACK = "callback", "回拨", "Call-back"


# Channels a report can come in on (a call-back is recorded by the desk, not reported).
INTAKE_CHANNELS = tuple(c.value for c in Channel if c is not Channel.CALLBACK)
# Channels on which a caller waits on the line for a call-taker to answer (接通率 counts these).
LIVE_CHANNELS = frozenset({Channel.VOICE, Channel.VIDEO, Channel.ALARM_POST})


class Role(Term):
    CALL_TAKER = "call_taker", "接警员"
    DISPATCHER = "dispatcher", "调度员"
    FIELD_OFFICER = "field_officer", "处警民警"
    HOTLINE_OPERATOR = "hotline_operator", "12345 话务员", "12345 operator"
    AGENCY_HANDLER = "agency_handler", "承办单位经办人"
    SUPERVISOR = "supervisor", "值班长"
    ADMIN = "admin", "系统管理员"
    # Another platform, acting through signed messages only; never a login.
    PEER = "peer", "对端平台", "Peer platform"
    # A channel's gateway or device (a switch, an SMS gateway, an app, an alarm post): signed messages only.
    CHANNEL = "channel", "接入渠道", "Channel gateway"


# Roles a person can hold (a peer or a channel is a platform, not a user).
USER_ROLES = tuple(r for r in Role if r not in (Role.PEER, Role.CHANNEL))


class SenderKind(Term):
    """What a registered channel sender is (`lifeline channel add NAME --kind …`)."""

    PHONE = "phone", "电话交换机", "Phone switch"
    SMS = "sms", "12110 短信网关", "12110 SMS gateway"
    APP = "app", "报警 APP / 小程序", "App or mini-program"
    POST = "post", "一键报警柱", "Alarm post"


class ContactState(Term):
    """Where a contact stands in the one queue: waiting (text) or ringing (live) until a seat takes it."""

    WAITING = "waiting", "待接"
    RINGING = "ringing", "振铃"
    ANSWERED = "answered", "已接"
    ENDED = "ended", "已结束"
    ABANDONED = "abandoned", "未接挂断", "Abandoned"


# Contacts that no seat has taken yet: the queue.
QUEUED = frozenset({ContactState.WAITING, ContactState.RINGING})


class Responsibility(Term):
    """Who is to blame in a minor accident settled over a video call (快处快赔): parties A (甲) and B (乙)."""

    A_FULL = "a_full", "甲方全责", "A fully"
    B_FULL = "b_full", "乙方全责", "B fully"
    EQUAL = "equal", "同等责任", "Equally"
    A_MAIN = "a_main", "甲主乙次", "Mainly A"
    B_MAIN = "b_main", "乙主甲次", "Mainly B"


class MessageState(Term):
    """An outbound message on its way through a gateway; an inbound one is simply received."""

    RECEIVED = "received", "已收到"
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "发送失败"


class CallbackOutcome(Term):
    REACHED = "reached", "已接通"
    NO_ANSWER = "no_answer", "无人接听"
    BUSY = "busy", "占线"
    WRONG_NUMBER = "wrong_number", "号码错误"


class CallbackState(Term):
    WAITING = "waiting", "待回拨", "Waiting for a call-back"
    REACHED = "reached", "已回拨接通", "Reached"
    SUPERVISOR = "supervisor", "待值班长决定", "Supervisor decides"


class LocationSource(Term):
    DEVICE = "device", "设备定位", "The caller's device"
    ADDRESS = "address", "地址匹配", "The typed address"
    PIN = "pin", "人工标点", "A pin dropped by the desk"


class Hazard(Term):
    """What officers going to an address should know before they knock (a premise note)."""

    DANGEROUS_DOG = "dangerous_dog", "恶犬", "Dangerous dog"
    FIREARM = "firearm", "登记枪支", "Registered firearm"
    DOMESTIC_VIOLENCE = "domestic_violence", "家暴前科", "Earlier domestic violence"
    MENTAL_HEALTH = "mental_health", "精神心理危机", "Mental-health crisis"
    HAZARDOUS_GOODS = "hazardous_goods", "危险品", "Hazardous goods"
    OTHER = "other", "其他", "Other"


# After this many call-backs without an answer, a supervisor decides what happens to the call.
CALLBACK_TRIES = 3


class UnitStatus(Term):
    AVAILABLE = "available", "空闲"
    DISPATCHED = "dispatched", "已派"
    ACCEPTED = "accepted", "已接单", "Accepted"
    EN_ROUTE = "en_route", "途中", "En route"
    ON_SCENE = "on_scene", "到场", "On scene"
    BUSY = "busy", "忙碌"
    OFF_DUTY = "off_duty", "下班"


class FieldOutcome(Term):
    """How the unit on the scene ended a matter (处置反馈): recorded with the result's words."""

    HANDLED = "handled", "已处理", "Dealt with"
    MEDIATED = "mediated", "现场调解", "Settled on the spot"
    HANDED_OVER = "handed_over", "移交处理", "Handed over"
    NOTHING_FOUND = "nothing_found", "查无此事", "Nothing found"
    FALSE_REPORT = "false_report", "警情不实", "False report"


class FieldStep(Term):
    """The field officer's keys, in order: each is open only after the one before it."""

    ACCEPTED = "accepted", "接单", "Accept"
    EN_ROUTE = "en_route", "出发", "Set off"
    ON_SCENE = "on_scene", "到场", "Arrive"
    FEEDBACK = "feedback", "处置反馈", "Report the result"


class IncidentState(Term):
    RECEIVED = "received", "已接收"
    TRIAGED = "triaged", "已研判"
    CONFIRMED = "confirmed", "已确认"
    DISPATCHED = "dispatched", "已派警"
    EN_ROUTE = "en_route", "出警途中", "En route"
    ON_SCENE = "on_scene", "已到场", "On scene"
    TRANSFERRED = "transferred", "已分流"
    RESOLVED = "resolved", "已处置"
    CLOSED = "closed", "已办结"
    CANCELLED = "cancelled", "已撤销"
    MERGED = "merged", "已合并"


class IncidentMove(Term):
    """What a person (or a flow) does to an incident; most moves are named by the state they land in."""

    CONFIRMED = "confirmed", "确认", "Confirm"
    DISPATCHED = "dispatched", "派警", "Dispatch"
    EN_ROUTE = "en_route", "出发", "Set off"
    ON_SCENE = "on_scene", "到场", "Arrive"
    TRANSFERRED = "transferred", "分流", "Divert"
    RESOLVED = "resolved", "处置完毕", "Resolve"
    CLOSED = "closed", "结案", "Close"
    CANCELLED = "cancelled", "撤销", "Cancel"
    REOPENED = "reopened", "重新打开", "Reopen"
    # A returned order's matter comes back to the desk for a new decision.
    TAKEN_BACK = "taken_back", "收回重新研判", "Take back to triage again"


S, M = IncidentState, IncidentMove
# The incident state machine: from each state, the moves open before the disposition narrows them.
INCIDENT_MOVES: dict[IncidentState, frozenset[IncidentMove]] = {
    S.RECEIVED: frozenset({M.CANCELLED}),
    S.TRIAGED: frozenset({M.CONFIRMED, M.CANCELLED}),  # confirming is the decision: incidents.service.confirm
    S.CONFIRMED: frozenset({M.DISPATCHED, M.TRANSFERRED, M.CLOSED, M.CANCELLED}),
    S.DISPATCHED: frozenset({M.EN_ROUTE, M.ON_SCENE, M.RESOLVED, M.CANCELLED}),
    S.EN_ROUTE: frozenset({M.ON_SCENE, M.RESOLVED, M.CANCELLED}),
    S.ON_SCENE: frozenset({M.RESOLVED}),
    S.TRANSFERRED: frozenset({M.RESOLVED, M.CANCELLED, M.TAKEN_BACK}),
    S.RESOLVED: frozenset({M.CLOSED, M.REOPENED}),
    S.CLOSED: frozenset({M.REOPENED}),
    S.CANCELLED: frozenset(),
    S.MERGED: frozenset(),
}
# Moves that land somewhere other than the state of their name.
INCIDENT_LANDS_IN = {M.REOPENED: S.CONFIRMED, M.TAKEN_BACK: S.TRIAGED}
del S, M


class OrderState(Term):
    SENT = "sent", "已派发"
    RECEIVED = "received", "已接收"
    SIGNED = "signed", "已签收"
    IN_PROGRESS = "in_progress", "办理中"
    HANDLED = "handled", "已办结待回访", "Handled, to be visited"
    VISITED = "visited", "已回访"
    CLOSED = "closed", "已关闭"
    RETURNED = "returned", "已退回待改派", "Returned, to be re-routed"
    REFERRED = "referred", "退回待值班长决定", "Referred to a supervisor"
    TAKEN_BACK = "taken_back", "已收回"
    ARCHIVED = "archived", "已归档"


class OrderStep(Term):
    """What a person does to a work order (the button is named by the action, not by the state)."""

    SIGNED = "signed", "签收", "Sign for"
    IN_PROGRESS = "in_progress", "开始办理", "Start work"
    HANDLED = "handled", "办结反馈", "Report done"
    RETURNED = "returned", "退回", "Return"
    VISITED = "visited", "回访", "Visit back"
    CLOSED = "closed", "关闭", "Close"
    ARCHIVED = "archived", "归档", "Archive"
    REROUTED = "rerouted", "改派", "Re-route"
    TAKEN_BACK = "taken_back", "收回", "Take back"
    REFERRED = "referred", "提交值班长", "Refer to a supervisor"


class Satisfaction(Term):
    """A return visit's score, 5..1, as the caller says it (the console's choice, the API's satisfaction)."""

    VERY_SATISFIED = "5", "非常满意", "Very satisfied"
    SATISFIED = "4", "满意", "Satisfied"
    BASICALLY = "3", "基本满意", "Basically satisfied"
    UNSATISFIED = "2", "不满意", "Unsatisfied"
    VERY_UNSATISFIED = "1", "非常不满意", "Very unsatisfied"


# A return visit scoring below this (不满意, 非常不满意) sends the order back to be redone (重办).
REDO_BELOW = 3


S, T = OrderState, OrderStep
# The work-order loop 受理—流转—处置—反馈—回访: from each state, the steps open. A returned order is never left
# without a move: it is re-routed, taken back by the desk that sent it, or referred to a supervisor.
ORDER_STEPS: dict[OrderState, frozenset[OrderStep]] = {
    S.SENT: frozenset({T.RETURNED}),
    S.RECEIVED: frozenset({T.SIGNED, T.RETURNED}),
    S.SIGNED: frozenset({T.IN_PROGRESS, T.HANDLED, T.RETURNED}),
    S.IN_PROGRESS: frozenset({T.HANDLED}),
    S.HANDLED: frozenset({T.VISITED}),
    S.VISITED: frozenset({T.CLOSED}),
    S.CLOSED: frozenset({T.ARCHIVED}),
    S.RETURNED: frozenset({T.REROUTED, T.TAKEN_BACK, T.REFERRED}),
    S.REFERRED: frozenset({T.REROUTED, T.TAKEN_BACK}),
    S.TAKEN_BACK: frozenset({T.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}
# Where each step may land: an unsatisfied return visit sends the order back to be redone (重办); a re-routed
# order is received again by its new lead.
ORDER_LANDS_IN: dict[OrderStep, frozenset[OrderState]] = {
    T.VISITED: frozenset({S.VISITED, S.IN_PROGRESS}),
    T.RETURNED: frozenset({S.RETURNED, S.REFERRED}),  # the second return of a matter goes to the coordinator
    T.REROUTED: frozenset({S.RECEIVED}),
}
del S, T


def order_landings(step: OrderStep) -> frozenset[OrderState]:
    """The states a step may leave an order in."""
    if step in ORDER_LANDS_IN:
        return ORDER_LANDS_IN[step]
    return frozenset({OrderState(step.value)})


# Missing persons (走失人员): the search centre's loop 接警 → 研判 → 查找 → 监测 → 反馈 ----------------------------


class MissingState(Term):
    REPORTED = "reported", "接警", "Reported"
    ASSESSED = "assessed", "研判", "Assessed"
    SEARCHING = "searching", "查找", "Searching"
    MONITORING = "monitoring", "监测", "Monitoring"
    LOCATED = "located", "已找到待核查", "Located, safe-and-well check due"
    CLOSED = "closed", "反馈结案", "Closed"


class RiskGrade(Term):
    """How much danger the missing person is in; it sets how often the case is reviewed (missing.grading)."""

    VERY_LOW = "very_low", "极低", "Very low"
    LOW = "low", "低", "Low"
    MEDIUM = "medium", "中", "Medium"
    HIGH = "high", "高", "High"


class MissingOutcome(Term):
    FOUND = "found", "平安找到", "Found safe"
    FOUND_HARMED = "found_harmed", "找到（受伤/不适）", "Found harmed"
    DECEASED = "deceased", "已死亡", "Found deceased"
    WITHDRAWN = "withdrawn", "撤销（自行返回/误报）", "Withdrawn"


# Outcomes that close a case only after a safe-and-well check (平安核查): the person is alive and was found.
FOUND_ALIVE = frozenset({MissingOutcome.FOUND, MissingOutcome.FOUND_HARMED})


class MissingTask(Term):
    """The search's standing tasks (查找): each is given to someone and done with a result."""

    SEARCH_PLACE = "search_place", "现场搜寻", "Search a place"
    CCTV = "cctv", "调取监控", "CCTV"
    HOSPITALS = "hospitals", "查询医院/救助站", "Hospitals and shelters"
    TRANSPORT = "transport", "查询车站/交通", "Stations and transport"
    FAMILY = "family", "联系亲友", "Family and friends"
    ALERT = "alert", "协查通报", "Regional alert"
    OTHER = "other", "其他", "Other"


S = MissingState
# A case's moves: from each state, the states it may go to (outcomes land in LOCATED or CLOSED, missing.service).
MISSING_MOVES: dict[MissingState, frozenset[MissingState]] = {
    S.REPORTED: frozenset({S.ASSESSED, S.SEARCHING, S.LOCATED, S.CLOSED}),
    S.ASSESSED: frozenset({S.SEARCHING, S.LOCATED, S.CLOSED}),
    S.SEARCHING: frozenset({S.MONITORING, S.LOCATED, S.CLOSED}),
    S.MONITORING: frozenset({S.SEARCHING, S.LOCATED, S.CLOSED}),
    S.LOCATED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
del S


class CaseState(Term):
    """A governance case (矛盾纠纷调处): opened by repeat trouble, referred to the governance centre, mediated,
    visited again by the police, closed."""

    OPEN = "open", "待移交", "Not yet referred"  # no governance centre here to refer it to: the desk phones it
    REFERRED = "referred", "调处中", "With the governance centre"
    MEDIATED = "mediated", "待回访", "Mediated, return visit due"
    CLOSED = "closed", "已结案", "Closed"


class MediationOutcome(Term):
    """How the governance centre's mediation ended."""

    SETTLED = "settled", "调解成功", "Settled"
    PARTLY = "partly", "部分达成", "Partly settled"
    FAILED = "failed", "调解未成", "Not settled"
    REFUSED = "refused", "当事人拒绝调解", "A party refused"


class NuisanceState(Term):
    """Where a nuisance caller's case (callers.models.CallerCase) stands: named by its latest step."""

    OPEN = "open", "待审查", "To review"
    REVIEWED = "reviewed", "已审查", "Reviewed"
    WARNED = "warned", "已警示", "Warned"
    REFERRED = "referred", "已转介帮扶", "Referred for help"
    LEGAL = "legal", "已移送依法处理", "Referred for legal steps"
    CLOSED = "closed", "已结案", "Closed"


class NuisanceStep(Term):
    """What a supervisor records on a nuisance caller's case, each with who, when and a note."""

    REVIEW = "review", "案件审查", "Review with evidence"
    WARNING = "warning", "警示告诫", "Warning"
    REFERRAL = "referral", "转介帮扶", "Referral to health or social services"
    LEGAL = "legal", "依法处理", "Legal referral"
    FLAG = "flag", "标记", "Flag"
    LIFT = "lift", "解除标记", "Lift the flag"
    CLOSE = "close", "结案", "Close"


class StepMeans(Term):
    """How a warning was given, or to whom a caller was referred."""

    CALL = "call", "电话告诫", "By phone"
    LETTER = "letter", "书面告诫", "By letter"
    HEALTH = "health", "卫生健康（心理/精神卫生）", "Health services"
    SOCIAL = "social", "民政与社会救助", "Social services"


class FlagStatus(Term):
    IN_FORCE = "in_force", "标记中", "Flagged"
    EXPIRED = "expired", "已到期（按退出规则）", "Expired by its exit rule"
    LIFTED = "lifted", "已解除", "Lifted"


S, T = NuisanceState, NuisanceStep
_ANY_ACTION = frozenset({T.WARNING, T.REFERRAL, T.LEGAL, T.FLAG, T.LIFT, T.CLOSE})
# A nuisance caller's case: review first (with the evidence), then warnings, referral for help, legal steps, a flag
# with an exit rule, in the order the case needs. A flag is never a way to drop a call: it only informs the desk.
NUISANCE_STEPS: dict[NuisanceState, frozenset[NuisanceStep]] = {
    S.OPEN: frozenset({T.REVIEW, T.CLOSE}),
    S.REVIEWED: _ANY_ACTION,
    S.WARNED: _ANY_ACTION,
    S.REFERRED: _ANY_ACTION,
    S.LEGAL: _ANY_ACTION - {T.WARNING},
    S.CLOSED: frozenset(),
}
# Where each step leaves the case; a flag and its lifting leave the stage as it was.
NUISANCE_LANDS_IN: dict[NuisanceStep, NuisanceState | None] = {
    T.REVIEW: S.REVIEWED, T.WARNING: S.WARNED, T.REFERRAL: S.REFERRED, T.LEGAL: S.LEGAL,
    T.FLAG: None, T.LIFT: None, T.CLOSE: S.CLOSED,
}  # fmt: skip
# The means a step needs (a warning by phone or letter, a referral to health or social services).
STEP_MEANS: dict[NuisanceStep, frozenset[StepMeans]] = {
    T.WARNING: frozenset({StepMeans.CALL, StepMeans.LETTER}),
    T.REFERRAL: frozenset({StepMeans.HEALTH, StepMeans.SOCIAL}),
}
del S, T


class ArticleState(Term):
    """Where a 12345 knowledge-base article stands: an operator drafts it, a supervisor publishes or retires it."""

    DRAFT = "draft", "草稿", "Draft"
    PUBLISHED = "published", "已发布", "Published"
    RETIRED = "retired", "已停用", "Retired"
