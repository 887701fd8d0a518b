"""The consoles' words: Simplified Chinese by default, English on request (?lang=en, kept in a cookie).

Templates say every word through `t`, in one of three forms:
- `t('calls')`: a word shared by several pages, from WORDS;
- `t('待回拨', 'Call-backs')`: a word of one page, both languages beside each other;
- `t(OrderState('signed'))`, any vocabulary term, or `t(category(code))`: its label;
- `t(exc.detail)`: a service's "中文 / English" message, the reader's side of it.
What people wrote (a caller's words, an address, feedback) is data, not a word of the console: the element that
shows it carries translate="no", and tests/web/test_english.py checks that nothing else is left in Chinese.
"""

from __future__ import annotations

from lifeline.vocabulary import Term

WORDS: dict[str, tuple[str, str]] = {
    "app": ("lifeline 110/12345 协同平台", "lifeline 110/12345 desk"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "wrong_login": ("用户名或密码错误", "Wrong username or password"),
    "otp": ("动态验证码（已启用者填写）", "One-time code (if you enabled it)"),
    "account": ("账号", "Account"),
    "change_password": ("修改密码", "Change password"),
    "old_password": ("原密码", "Current password"),
    "new_password": ("新密码（至少 10 个字符，不含用户名）", "New password (10+ characters, not your user name)"),
    "password_changed": ("密码已修改，其他会话已结束", "Password changed; your other sessions have ended"),
    "end_sessions": ("退出所有会话（含本机）", "Log out everywhere (this one too)"),
    "calls": ("接警台", "Call-taker"),
    "dispatch": ("调度台", "Dispatcher"),
    "orders": ("工单台", "Work orders"),
    "governance": ("矛盾调处", "Repeat trouble"),
    "dashboard": ("指挥大屏", "Command dashboard"),
    "figures": ("统计分析", "Figures"),
    "province": ("全省", "Province"),
    "field": ("我的警单", "My order"),
    "map": ("地图", "Map"),
    "large": ("大字高对比", "Large, high contrast"),
    "language": ("English", "中文"),
    "number": ("来电号码", "Caller number"),
    "channel": ("渠道", "Channel"),
    "transcript": ("报警内容（边听边录）", "What the caller says (type as you listen)"),
    "location": ("地点（可选）", "Location (optional)"),
    "suggestion": ("研判建议", "Suggestion"),
    "reasons": ("理由", "Reasons"),
    "history": ("来电历史", "Caller history"),
    "duplicates": ("可能重复的警情", "Possible duplicates"),
    "decide_police": ("派警", "Dispatch"),
    "decide_joint": ("联动", "Joint"),
    "decide_divert": ("转12345", "To 12345"),
    "decide_invalid": ("无效", "Invalid"),
    "override_reason": ("改判理由（与建议不同时必填）", "Reason (needed when you differ from the suggestion)"),
    "pending": ("待派警情", "Awaiting dispatch"),
    "units": ("警力", "Units"),
    "send": ("派出", "Send"),
    "inbox": ("工单收件箱", "Inbox"),
    "deadline": ("时限", "Deadline"),
    "empty": ("暂无", "Nothing yet"),
    "search": ("警情查询", "Search"),
    "missing": ("走失查找", "Missing persons"),
    "nuisance": ("骚扰来电", "Nuisance callers"),
    "posts": ("报警柱", "Alarm posts"),
}


def translator(lang: str):
    english = lang == "en"

    def t(key: str, en: str | None = None) -> str:
        if isinstance(key, Term) or hasattr(key, "zh"):  # a vocabulary term, a triage category or destination
            return key.en if english else key.zh
        if en is not None:
            return en if english else key
        pair = WORDS.get(key)
        return pair[english] if pair else localise(key, lang)  # a service's "中文 / English" message

    return t


def localise(message: str, lang: str) -> str:
    """One side of a bilingual message ("中文 / English", as the services write them), else the whole message."""
    zh, sep, en = message.partition(" / ")
    if not sep:
        return message
    return en if lang == "en" else zh
