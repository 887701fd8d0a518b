"""Safety cues: words that mean a life may be at risk, read with negation, tense and hearsay.

The families follow the safety-override rule of the taxonomy. Each pattern is a phrase, not a
single character, so that 砍价, 杀毒, 油烟 and 炸鸡 do not fire; each match is then read in its
clause: "没有人受伤" is negated, "上个月被打过" is past, "听说" is hearsay, "游戏里打起来" is fiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# family -> (Chinese name, police/joint categories it points to (first is the default),
#            whether it means danger now (priority 1) rather than urgent (priority 2))
FAMILIES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "weapon": ("持械", ("violent_crime", "fight", "domestic_violence", "public_order"), True),
    "threat": ("扬言伤害", ("violent_crime", "domestic_violence", "public_order"), True),
    "violence": (
        "暴力",
        ("fight", "domestic_violence", "violent_crime", "sexual_offense", "mass_incident", "public_order"),
        True,
    ),
    "injury": ("伤情/流血", ("medical_emergency", "violent_crime", "traffic_accident", "fight"), True),
    "suicide": ("轻生", ("suicide_risk",), True),
    "fire": ("火情/爆炸", ("fire",), True),
    "gas": ("燃气泄漏", ("gas_leak",), True),
    "trapped": ("被困/落水", ("disaster_rescue", "medical_emergency"), True),
    "missing": ("走失/失踪", ("missing_person",), True),
    "held": ("限制人身自由", ("violent_crime", "domestic_violence", "public_order"), True),
    "crowd": ("人员聚集", ("mass_incident", "public_order"), False),
    "lying_on_road": ("人员倒卧道路", ("public_order", "medical_emergency", "traffic_accident"), True),
    "unresponsive": ("意识不清/无反应", ("medical_emergency",), True),
    "hazard": ("公共安全险情", ("public_hazard",), True),
    # A child or a frail person in danger inside an ordinary request: a toddler at an open window, an old man alone
    # who has not answered for hours, a walker lost on a hill at night.
    "vulnerable": ("儿童/弱者处险境", ("disaster_rescue", "medical_emergency", "missing_person"), True),
}

# Pets and things: "狗走丢了", "猫困在树上", "钥匙锁在车里" are not people at risk.
_NOT_A_PERSON = r"(?:狗|猫|宠物|毛孩子|鸟|翅膀|戒指|首饰|鹦鹉|仓鼠|兔子|乌龟|钥匙|手机|钱包|行李|包裹|快递|车钥匙|车被)"
# Buying, carrying rules, handing in: a knife or a gun in an enquiry is no weapon in use.
_WEAPON_ENQUIRY = r"(?:买的|买了|网购|商家|质量|退货|换货|规定|标准|能带|能不能带|安检|上交|交上去|收藏|磨刀|磨剪子|戗)"
# Who can be held: a landlord or a company that 扣押s a deposit, papers or wages holds no one.
_PERSON = r"(?:我们|他们|我|他|她|人|孩子|女儿|儿子|老婆|丈夫|工人|人质)"
_SMOKE_NOT_FIRE = r"(?:烧烤|油烟|抽烟|吸烟|烟花|鞭炮|烧纸|炊烟|做饭|烧菜|蒸汽|烟囱|工厂|排放|秸秆|香烟|二手烟)"


# A gap inside a phrase ("电线…掉"): it never crosses a clause or a negation word. A lookbehind comes after a
# pattern's first character (枪(?<!水枪)), never before it, so that the search can skip to that character.
_GAP = "[^没未不,，。!?！？;；]"


@dataclass(frozen=True)
class Rule:
    pattern: str
    weak: bool = False  # a weak cue lowers the bar for doubt; it does not override alone
    unless: str | None = None  # a sentence with this is not a cue of this rule


RULES: dict[str, list[Rule]] = {
    "weapon": [
        Rule(
            r"(?:菜刀|砍刀|水果刀|匕首|尖刀|长刀|刀子|西瓜刀|弹簧刀|管制刀具|斧头|斧子|铁棍|钢管|棒球棍|球棒|铁锤|榔头|硫酸|炸药|炸弹|雷管|爆炸物)",
            unless=_WEAPON_ENQUIRY,
        ),
        Rule(r"(?:持|拿|拎|提|举|掏|抄|挥|带)(?:着|了|出|起)?(?:把|根|个)?(?:刀|枪|棍|棒|斧|砖头|酒瓶|锤子|扳手)"),
        Rule(r"枪(?<![水玩具气弹]枪)(?!战|版|手游|药|手代|手替)", unless=_WEAPON_ENQUIRY),
        Rule(r"(?:动刀|砍人|砍伤|被砍|捅人|捅伤|被捅|刺伤|扎伤|泼酸|泼汽油)"),
    ],
    "threat": [
        Rule(
            r"(?:要|扬言|威胁|说要|声称|准备)(?:要)?(?:杀(?=人|你|他|她|了|死|全家)|砍(?!掉|价)|捅|弄死|打死|整死|烧死|报复|同归于尽)"
        ),
        Rule(r"(?:杀了|弄死|砍死|捅死|打死|整死|干死|宰了)(?:你|他|她|我|你们|他们|全家|人)"),
        Rule(r"(?:炸|烧)(?:了|掉|毁)?(?:学校|商场|医院|车站|地铁|大楼|政府|公司|小区)"),
        Rule(r"同归于尽|报复社会|血洗|放火烧"),
    ],
    "violence": [
        Rule(
            r"(?:(?:打人|打我|打她|打他|打孩子|打老婆|打老人)(?![^,，。!?！？]{0,4}(?:电话|手机)|不接|也不接|没人接)|打起来|打成一团|动手了|动起手|殴打|群殴|互殴|围殴|打架|斗殴|揍我|揍他|揍她|踹我|踢我)",
            unless=r"(?:狗|猫)" + _GAP + r"{0,12}打架",
        ),
        Rule(
            r"(?:被(?:人|他|她|他们)?(?:打(?!爆|电话|扰)|揍|踹|掐|推倒|抢)|抢劫|抢包|抢手机|抢(?<!简直抢)(?<!简直是抢)(?<!真是抢)(?<!就是抢)(?<!真系抢)(?<!明抢)钱|拦路抢)"
        ),
        Rule(r"(?:掐(?:着|住)?(?:脖子|我|她|他)|扇耳光|扇我|扯头发|拳打脚踢|砸车|砸门|砸店|打砸)"),
        Rule(r"(?:家暴|强奸|猥亵|非礼|性侵|绑架|劫持)"),
        Rule(r"救命", weak=True),
    ],
    "injury": [
        Rule(
            r"(?:流血|出血|大出血|血流|一地血|(?:都是|全是|好多|很多|一摊|一滩|一身)血|满(?:身|脸|头)(?:是)?血|头破血流|鲜血|吐血|血肉模糊)"
        ),
        Rule(r"(?:受伤|受了伤|伤者|伤员|伤得|骨折|断了腿|烫伤|烧伤|割伤|咬伤|撞伤|摔伤|砸伤)", unless=_NOT_A_PERSON),
        Rule(r"(?:被(?:狗|蛇)咬|撞倒|撞飞|碾压|压在车下)"),
    ],
    "suicide": [
        Rule(
            r"(?:自杀|轻生|寻死|寻短见|跳楼(?!价)|跳河|跳江|跳湖|跳海|跳桥|割腕|上吊|烧炭|服毒|喝农药|喝了农药|吞药|安眠药|吃了一?(?:整)?瓶药|遗书)"
        ),
        Rule(r"(?:不想活|活不下去|活着没意思|活着没意义|不活了|了结自己|结束(?:自己的)?生命|一了百了|最后一个电话)"),
        Rule(r"(?:想死|去死|跳下去)", weak=True),
    ],
    "fire": [
        Rule(r"火苗", unless=r"灶|打火机|蜡烛|燃气|煤气"),
        Rule(
            r"(?:着(?<!打不着)(?<!点不着)火|起火|失火|火灾|火警|烧起来|烧着了|明火|火光|大火|火势|爆炸|炸开|爆燃|(?:电瓶车|电动车|充电宝|电池)"
            + _GAP
            + r"{0,4}(?:燃|烧|炸)|电线"
            + _GAP
            + r"{0,4}(?:冒火|打火|起火))"
        ),
        Rule(r"(?:浓烟|冒(?:黑|白|青)?烟|烟雾很大|烟很大)", unless=_SMOKE_NOT_FIRE),
    ],
    "gas": [
        Rule(r"(?:燃气|煤气|天然气|液化气|瓦斯)(?:罐)?(?:泄漏|泄露|漏了|漏气|味|的味道|中毒)"),
        Rule(r"(?:漏气|一氧化碳|臭鸡蛋味|煤气中毒)"),
        Rule(r"闻到" + _GAP + r"{0,6}(?:煤气|燃气|天然气|液化气)"),
    ],
    "trapped": [
        Rule(
            r"(?:被困|困在|困住|被埋|埋在|压在" + _GAP + r"{0,4}下面|(?:人|孩子|头|腿|手|脚)卡在|"
            r"出(?<!车出)(?<!车都出)(?<!车子出)(?<!车也出)不来|爬不出来)",
            unless=_NOT_A_PERSON,
        ),
        Rule(
            r"(?:落水|溺水|掉(?:进|到|入|下)了?" + _GAP + r"{0,4}(?:河|江|湖|水(?!道)|井(?!盖)|海|塘|池|坑|沟))",
            unless=_NOT_A_PERSON,
        ),
        Rule(r"(?:困|关|卡)在电梯|电梯" + _GAP + r"{0,8}(?:困|卡|关)(?:住|着|了|人)"),
        Rule(r"(?:孩子|小孩|宝宝|婴儿|老人|人)(?:被)?(?:锁|关|反锁)在(?:车|屋|家|房间|里面|电梯)"),
        Rule(r"(?:塌了|坍塌|倒塌|泥石流|山体滑坡|洪水|被冲走)"),
    ],
    "missing": [
        Rule(r"(?:走(?<!防走)失|失(?<!宣告失)踪|走丢|丢了孩子|孩子丢了|失联)", unless=_NOT_A_PERSON),
        Rule(r"(?:老年痴呆|痴呆|阿尔茨海默|智力障碍|精神(?:病|障碍|分裂))" + _GAP + r"{0,12}(?:出去|跑|走|没回|不见)"),
        Rule(
            r"(?:孩子|小孩|女儿|儿子|老人|我爸|我妈|爷爷|奶奶|外公|外婆|姥姥|姥爷)"
            + _GAP
            + r"{0,10}(?:没回|没有回|还没回|找不到|不见|联系不上)"
        ),
    ],
    "held": [
        Rule(
            r"(?:被绑|被关(?!在门外|在外面|门外|掉|机|停)|关起来|囚禁|拘禁|扣押(?=[了着住]?" + _PERSON + r"(?![们的]))|"
            r"被(?<![车证照货款金资包]被)(?:人)?扣押|人质|控制了?人身|不让(?:我|她|他|我们)(?:走|离开|出门|出去))"
        ),
        Rule(r"(?:锁在" + _GAP + r"{0,4}里不让|把(?:我|她|他|我们)锁(?!在门外|门外|外面))"),
    ],
    "crowd": [
        Rule(r"(?:围堵|堵(?:住)?(?:路|大门|厂门|校门|政府)|冲击|围攻|打砸)"),
        Rule(r"(?:聚集|拉横幅|上百人|好几十人|几十个人|一大群人)", weak=True),
    ],
    "lying_on_road": [
        Rule(
            r"(?:躺|倒|睡|趴)(?:在|到)(?:了)?" + _GAP + r"{0,6}(?:马路|路中间|路上|公路|高速|街上|路边|车道|铁轨)",
            unless=r"护栏|栏杆|树|电线杆|广告牌|垃圾|货物|箱子",
        ),
        Rule(r"(?:马路|路中间|路上|公路|高速|车道|铁轨)" + _GAP + r"{0,6}(?:躺着|倒着|睡着|趴着)(?:一个|个)?人"),
    ],
    "unresponsive": [
        Rule(r"没气了", unless=r"燃气|煤气|天然气|灶|打不着|轮胎|气罐"),
        Rule(r"(?:昏迷|晕倒|晕过去|不省人事|叫不醒(?!我)|没呼吸|没有呼吸|没心跳|抽搐|口吐白沫|休克|倒地不起)"),
        Rule(r"(?:没反应|没有反应|一动不动)", weak=True),
    ],
    "hazard": [
        Rule(
            r"(?:电线|高压线|电缆|线头)"
            + _GAP
            + r"{0,6}(?:掉|落|断|垂|打火|冒火|露|泡在水)|漏电|触电|被电(?![子话视脑动梯])|电得|冒火花|打火花"
        ),
        Rule(
            r"(?:广告牌|招牌|瓷砖|外墙|空调外机|外机|太阳能|热水器|玻璃|顶棚|冰溜子|冰凌|水泥板|栏杆|塔吊|围挡|脚手架|花盆|晾衣架|防盗窗|"
            r"架子|大树|树|电线杆|灯杆|路灯杆|杆子)"
            + _GAP
            + r"{0,8}(?:掉下|掉了|刮下|脱落|倒了|倒在|要倒|歪|晃|松动|砸)",
            unless=r"鸟|猫|果子|叶子",
        ),
        Rule(r"(?:路面|地面|马路|桥面|匝道)" + _GAP + r"{0,6}(?:塌|陷|裂开|鼓包|翘)|塌陷|坑洞|高空坠物|高空抛物"),
        Rule(r"洒了" + _GAP + r"{0,6}油"),
        Rule(r"(?:高速|车道|路中间|主路)" + _GAP + r"{0,8}(?:牛|羊|石头|轮胎|货物|障碍物|铁板)"),
        Rule(r"(?:楼|墙|房子|桥|车库|顶板)" + _GAP + r"{0,6}(?:裂缝越来越大|要塌|歪了|下沉|剥落)|承重墙"),
        Rule(r"(?:暖气管|供暖管|蒸汽管|热水管)" + _GAP + r"{0,4}爆|能见度" + _GAP + r"{0,4}(?:零|很低|几乎)"),
    ],
}

_CHILD = r"(?:孩子|小孩|宝宝|婴儿|娃|幼儿|儿子|女儿|闺女|[一二两三四五六1-6]岁)"
_FRAIL = r"(?:老人|老太太|老爷子|老头|老太|奶奶|爷爷|外婆|外公|姥姥|姥爷|我爸|我妈|父亲|母亲|独居|一个人住|瘫痪|残疾)"
_ALONE = r"(?:一个人|独自|单独|自己)" + _GAP + r"{0,6}(?:在|留在|关在|锁在)" + _GAP + r"{0,6}(?:家|屋|房|车|里)"
_HOURS = r"(?:小时|一天|一整天|两天|一夜|一晚上|从昨天|从早上|从昨晚|昨晚到现在|昨天到现在)"
_NO_ANSWER = (
    r"(?:联系不上|电话(?:也|一直|都|还)?(?:不接|没人接|打不通)|敲门(?:也|一直|都)?(?:不应|没人应|没反应|没动静)|不开门)"
)
_OUTDOORS_LOST = r"(?:迷路|迷了路|找不到路|走不出来|下不了山|下不来山|困在山)"
_NIGHT_COLD = r"(?:天黑|天快黑|晚上|夜里|半夜|很冷|好冷|冻|手机快没电|快没电|没电了)"
# These readings span a sentence, not a clause: the danger is often said after a comma (…，窗户还开着).
_SGAP = "[^。!?！？;；]"
_WILD = r"(?:山上|山里|山中|山顶|林子|树林|野外|荒地|水库|河滩|景区|山路)"
RULES["vulnerable"] = [
    Rule(
        _CHILD
        + _SGAP
        + r"{0,8}"
        + _ALONE
        + _SGAP
        + r"{0,16}(?:窗户|窗子|窗台|阳台|灶|火上|炉子|煤气|燃气|车里很热|太热|闷)"
    ),
    Rule(
        _CHILD + _GAP + r"{0,10}(?:窗台|窗户边|窗边|窗外|阳台边|阳台上|护栏外|爬上窗|爬窗|爬到窗|站在窗|楼顶边|天台边)"
    ),
    Rule(r"(?:窗户|窗子|阳台门)" + _GAP + r"{0,6}(?:开着|没关|大开)" + _GAP + r"{0,12}" + _CHILD),
    # A small child alone, with nothing else said, is a doubt.
    Rule(_CHILD + _GAP + r"{0,8}" + _ALONE, weak=True),
    # A frail person out of reach for hours, or not answering a knock.
    Rule(_FRAIL + _SGAP + r"{0,16}" + _HOURS + _SGAP + r"{0,10}" + _NO_ANSWER),
    Rule(_FRAIL + _SGAP + r"{0,12}" + _NO_ANSWER + _SGAP + r"{0,12}" + _HOURS),
    # Lost in the hills or by the water; lost in the dark or cold elsewhere is a doubt.
    Rule(_WILD + _SGAP + r"{0,10}" + _OUTDOORS_LOST + "|" + _OUTDOORS_LOST + _SGAP + r"{0,6}" + _WILD),
    Rule(
        _OUTDOORS_LOST + _SGAP + r"{0,14}" + _NIGHT_COLD + "|" + _NIGHT_COLD + _SGAP + r"{0,14}" + _OUTDOORS_LOST,
        weak=True,
    ),
]

# Words that make a cue not count, found in the same clause before the cue.
_NEGATION = re.compile(
    r"(?:没有|没|未|无|并没|不是|并不是|不会|不敢|别|不用|不需要|不像|不存在)(?:人|有人)?[^,，。!?！？;；]{0,4}$"
    # "现场无车辆及人员被困": a denied list of who or what, a little longer than a plain gap.
    r"|(?:无|没有|未见|未发现)[^,，。!?！？;；]{0,4}(?:及|和|或)?人员$"
)
_NEGATION_EXCEPTIONS = re.compile(r"有没有[^,，。!?！？;；]{0,4}$|不是说|没想到[^,，。!?！？;；]{0,4}$")
# An injury that is named but negated right after ("受伤倒没有", "受伤了吗？没有") is rare; the
# forms below are the common ones that follow the cue in the same clause.
_NEGATION_AFTER = re.compile(r"^(?:倒没有|倒是没有|没有|没|的人没有)")
# Asked and denied: the caller echoes the word as a question ("打起来？没有没有"), or the record has the call-taker
# ask and the caller deny ("有没有人受伤？报警人：那没有").
_DENIED_ECHO = re.compile(
    r"[^,，。!?！？;；]{0,12}[?？]\s*(?:(?:报警人|来电人|对方|答)[:：]?)?\s*(?:那|都)?"
    # the answer is a bare denial ("没有没有，", "那没有,"), not a sentence that starts with one ("没人管吗")
    r"(?:没有|没|不是|不会|哪有|才没|倒没有)(?:没有|没)?(?=[,，。!！.\s]|$)"
)
# "差点打起来", "都快打起来了": it did not happen; doubt, not danger.
_NEAR_MISS = re.compile(r"(?:差点|差一点|险些|快要?|都要|都快)$")
# "万一着火怎么办", "怕孩子走丢": a worry about what could happen.
_HYPOTHETICAL = re.compile(r"(?:万一|怕|担心|会不会|要是|如果|假如|防止|以防|预防|小心)[^,，。!?！？;；]{0,8}$")
# "有没有人受伤？": a question, often the call-taker's; the answer decides.
_QUESTION = re.compile(r"(?:有没有|是否|有无)[^,，。!?！？;；]{0,4}$")
_NOT_RIGHT_BEFORE = re.compile(r"(?:不|不再|从不|没再)$")
_PAST = re.compile(
    r"(?:已经好了|早就好了|伤好了|伤已|已愈合|愈合了|已经治好|已治好|治好了|已经出院|已出院|出院了|痊愈|上个月|上月|上周|上星期|上礼拜|上个礼拜|去年|前年|前几天|前些天|几天前|几个月前|几年前|以前|之前|曾经|小时候|那时候|当年|早就)"
)
# "走丢了十来分钟，已经找到了", "困了二十分钟，已经下来了": a person missing or trapped who is safe again, said after
# the cue in the same sentence; "已经出来一个" is not everyone.
_RESOLVED = re.compile(r"(?:已经|已|都|刚)(?:找到|找着|找回|回来|回家|到家|救出|出来|下来|脱困|脱险)(?![一两几]个)")
_NOW = re.compile(r"(?:正在|现在|刚才|刚刚|马上|还在|此刻|快|赶紧|快点|立刻)")
_HEARSAY = re.compile(r"(?:听说|据说|听人说|有人说|网上说|网上传|传言|谣言|朋友圈里说|群里说)")
_FICTION = re.compile(
    r"(?:气话|说着玩|口头禅|电视剧|电视里|电影|游戏里|游戏中|打游戏|王者|吃鸡|梦见|做梦|梦里|小说|剧里|短视频里|视频里|演戏|拍戏|拍电影|综艺|动画片|玩具|模型|演习|演练|开玩笑|瞎说的|骗你的)"
)
# Figures of speech built on 死 and 爆炸: 气死了, 笑死我了, 累得想死, 热得要爆炸 are not threats, suicide talk or fire.
_FIGURATIVE = re.compile(
    r"(?:气|笑|热|冷|饿|累|烦|困|吓|急|吵|臭|忙|丑|馋|美|乐|闷|渴|挤|胀|撑|难受)(?:得|的)?(?:要|快)?(?:想死|死|去死|打死|爆炸|炸了)"
)
_SENTENCE_END = "。!?！？\n"
_CLAUSE_END = re.compile(r"[,，。!?！？;；\n]")

_COMPILED = {
    family: [(re.compile(r.pattern), r.weak, re.compile(r.unless) if r.unless else None) for r in rules]
    for family, rules in RULES.items()
}


@dataclass(frozen=True)
class Cue:
    family: str
    text: str
    start: int
    end: int
    negated: bool = False
    past: bool = False
    hearsay: bool = False
    fiction: bool = False
    weak: bool = False
    literal: float | None = None  # the context model's reading (context.py); None before it has read the cue

    @property
    def active(self) -> bool:
        """A cue that counts as danger now: said, not denied, not a story, not weak."""
        return not (self.negated or self.past or self.fiction or self.weak)

    @property
    def doubtful(self) -> bool:
        """A weak cue, or danger heard second-hand: not enough to override, enough to doubt."""
        return not (self.negated or self.past or self.fiction) and (self.weak or self.hearsay)

    @property
    def name(self) -> str:
        return FAMILIES[self.family][0]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence around text[start:end] begins and ends: context such as "想交上去" often follows a cue."""
    left = max(text.rfind(p, 0, start) for p in _SENTENCE_END) + 1
    ends = [i for i in (text.find(p, end) for p in _SENTENCE_END) if i >= 0]
    return left, min(ends, default=len(text))


def _clause(text: str, start: int, end: int) -> tuple[str, str, str]:
    """Before the match in its clause; the sentence up to the clause's end; the rest of the clause."""
    left = start
    while left > 0 and not _CLAUSE_END.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and not _CLAUSE_END.match(text[right]):
        right += 1
    # The sentence is wider than the clause: tense and hearsay words often open it.
    s_left = sentence_bounds(text, start, end)[0]
    return text[left:start], text[s_left:right], text[end:right]


def find_cues(text: str) -> list[Cue]:
    """All safety cues in normalised text, each read in its clause, in order of position."""
    found: dict[tuple[int, int], Cue] = {}
    for family, patterns in _COMPILED.items():
        for pattern, weak, unless in patterns:
            for m in pattern.finditer(text):
                span = (m.start(), m.end())
                if any(s <= span[0] and span[1] <= e and c.family == family for (s, e), c in found.items()):
                    continue
                before, sentence, after = _clause(text, *span)
                s_left, s_right = sentence_bounds(text, *span)
                if unless is not None and unless.search(text[s_left:s_right]):
                    continue
                figurative = family in ("suicide", "threat", "fire") and bool(
                    _FIGURATIVE.search(text[max(0, span[0] - 4) : span[1]])
                )
                negated = bool(
                    (_NEGATION.search(before) and not _NEGATION_EXCEPTIONS.search(before))
                    or _NEGATION_AFTER.match(after)
                    or _DENIED_ECHO.match(text, span[1])
                    or _NOT_RIGHT_BEFORE.search(before)
                )
                uncertain = bool(_NEAR_MISS.search(before) or _HYPOTHETICAL.search(before) or _QUESTION.search(before))
                found[span] = Cue(
                    family=family,
                    text=m.group(0),
                    start=span[0],
                    end=span[1],
                    negated=negated,
                    past=(bool(_PAST.search(sentence)) and not _NOW.search(sentence))
                    or (family in ("missing", "trapped") and bool(_RESOLVED.search(text[span[1] : s_right]))),
                    hearsay=bool(_HEARSAY.search(sentence)),
                    fiction=figurative or bool(_FICTION.search(sentence)),
                    weak=weak or uncertain,
                )
    return sorted(found.values(), key=lambda c: (c.start, c.family))
