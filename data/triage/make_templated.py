#!/usr/bin/env python3
"""Generate TEMPLATED triage training items (extra volume on top of the hand-written corpus).

Run from the repository root:  python3 data/triage/make_templated.py
Writes data/triage/templated.jsonl (overwritten). Deterministic: one seeded RNG, no clock,
standard library only. Labels start from the category defaults in
data/triage/labels.json (the label definitions, beside this file) and are adjusted per frame the way a careful call-taker would
(injury -> joint + 120, one utility only, elevator -> elevator_rescue, ...).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

SEED = 20261123
PER_CATEGORY = 25
HERE = Path(__file__).resolve().parent
OUT = HERE / "templated.jsonl"
# The label definitions ship beside this file.
LABELS_CANDIDATES = (HERE / "labels.json",)

# --------------------------------------------------------------------------------------------
# Shared slot pools
# --------------------------------------------------------------------------------------------

CITY_DISTRICTS = {
    "深圳市": ["福田区", "南山区", "宝安区", "龙岗区", "罗湖区"],
    "广州市": ["天河区", "越秀区", "海珠区", "白云区", "番禺区"],
    "东莞市": ["南城街道", "东城街道", "长安镇", "虎门镇"],
    "杭州市": ["西湖区", "拱墅区", "滨江区", "萧山区", "余杭区"],
    "宁波市": ["海曙区", "鄞州区", "江北区"],
    "南京市": ["鼓楼区", "玄武区", "秦淮区", "江宁区"],
    "苏州市": ["姑苏区", "吴中区", "工业园区", "相城区"],
    "成都市": ["锦江区", "武侯区", "成华区", "金牛区", "高新区"],
    "重庆市": ["渝中区", "江北区", "沙坪坝区", "南岸区", "九龙坡区"],
    "武汉市": ["洪山区", "江汉区", "武昌区", "汉阳区"],
    "西安市": ["雁塔区", "碑林区", "未央区", "长安区"],
    "郑州市": ["金水区", "二七区", "中原区", "管城区"],
    "长沙市": ["岳麓区", "芙蓉区", "天心区", "雨花区"],
    "济南市": ["历下区", "市中区", "槐荫区", "天桥区"],
    "青岛市": ["市南区", "市北区", "李沧区", "黄岛区"],
    "沈阳市": ["和平区", "沈河区", "铁西区", "皇姑区"],
    "哈尔滨市": ["南岗区", "道里区", "香坊区"],
    "昆明市": ["五华区", "盘龙区", "官渡区"],
    "贵阳市": ["南明区", "云岩区", "观山湖区"],
    "南宁市": ["青秀区", "兴宁区", "西乡塘区"],
    "合肥市": ["蜀山区", "包河区", "庐阳区"],
    "福州市": ["鼓楼区", "仓山区", "台江区"],
    "厦门市": ["思明区", "湖里区", "集美区"],
    "南昌市": ["东湖区", "红谷滩区", "青山湖区"],
    "石家庄市": ["长安区", "桥西区", "裕华区"],
    "太原市": ["小店区", "迎泽区", "杏花岭区"],
    "兰州市": ["城关区", "七里河区", "安宁区"],
    "天津市": ["和平区", "河西区", "南开区", "滨海新区"],
    "北京市": ["朝阳区", "海淀区", "丰台区", "通州区"],
    "上海市": ["浦东新区", "徐汇区", "闵行区", "静安区"],
    "乌鲁木齐市": ["天山区", "沙依巴克区"],
    "呼和浩特市": ["新城区", "赛罕区"],
}
CITIES = list(CITY_DISTRICTS)

ROADS = [
    "建设路", "人民路", "解放大道", "中山路", "文化路", "和平街", "新华路", "长江路", "黄河路",
    "迎宾大道", "学府路", "科技园路", "朝阳路", "光明街", "幸福路", "滨河路", "东风路", "北京路",
    "南京路", "延安路", "胜利街", "工业大道", "兴业路", "青年路", "红旗路", "五一路", "花园路",
    "金桥路", "振兴路", "体育路", "健康路", "跃进路", "前进路", "友谊路", "育才路", "桂花路",
    "梧桐路", "环城北路", "解放西路", "府前街", "湖滨路", "站前路",
]
XIAOQU = [
    "阳光花园", "翠湖苑", "金色家园", "锦绣江南", "碧桂园", "万科城", "幸福里", "御景湾",
    "紫荆花园", "滨江一号", "和谐家园", "书香门第", "世纪华庭", "丽景苑", "桃源居", "龙湖春江郦城",
    "东方名苑", "学府花园", "绿城桂花园", "保利香槟国际", "恒大名都", "中海国际社区", "金地格林小镇",
    "铁路新村", "纺织厂宿舍", "电业局家属院", "向阳小区", "春晖苑", "南湖新村", "枫林湾",
    "星河湾", "海棠苑", "天鹅湖小区", "荷塘月色", "新港花园", "怡景园",
]
LANDMARKS = [
    "{lmroad}地铁站", "{lmroad}公交站", "万达广场", "吾悦广场", "{district}人民医院", "市中心医院",
    "市第{cn}中学", "实验小学", "火车站", "高铁站", "人民公园", "体育中心", "{lmroad}菜市场",
    "步行街", "大润发超市", "银泰百货", "长途汽车站", "市图书馆", "{lmroad}加油站", "沃尔玛",
    "永辉超市", "万象城", "大学城", "{lmroad}夜市", "中医院", "妇幼保健院", "会展中心",
]
MALLS = ["万达广场", "吾悦广场", "银泰百货", "万象城", "大润发", "苏宁易购", "国美电器", "步步高超市",
         "永辉超市", "王府井百货", "天虹商场", "华润万家"]
SCHOOLS = ["实验小学", "第一小学", "育才中学", "市第三中学", "外国语学校", "第二实验小学", "城南小学"]
BRIDGES = ["长江大桥", "滨江大桥", "人民桥", "跨江大桥", "{lmroad}桥", "南浦大桥", "湘江大桥", "河边护栏",
           "江边堤坝", "护城河桥"]
SUSPECTS = ["一个男的", "一名男子", "两个年轻男子", "一个光头男的", "一个戴口罩的男的", "一个穿黑衣服的人",
            "几个小青年", "一个中年男人", "一个戴帽子的男的", "一个瘦高个男的"]
VICTIMS = ["一个老太太", "一个女的", "一个学生", "一个外卖员", "路过的阿姨", "一个小姑娘", "一个老大爷"]
PEOPLE = ["老大爷", "中年男子", "外卖员", "环卫工人", "年轻女孩", "老太太", "小学生", "快递员", "保安大叔",
          "出租车司机", "孕妇"]
WEAPONS = ["菜刀", "砍刀", "水果刀", "钢管", "木棍", "棒球棍", "匕首", "铁棍"]
INJURIES = ["头上流了很多血", "胳膊被砍伤了", "满脸是血", "腿被打伤站不起来", "鼻子一直在流血",
            "肚子上被捅了一刀", "头破了在流血", "手被划了个大口子"]
OBJECTS = ["手机", "钱包", "笔记本电脑", "金项链", "双肩包", "苹果手机", "平板电脑", "相机", "金手镯",
           "挎包", "电动车电瓶"]
SMALL_OBJECTS = ["钥匙", "身份证", "公交卡", "雨伞", "蓝牙耳机", "钱包", "手机", "学生证", "眼镜", "充电宝",
                 "行李箱", "驾驶证"]
GOODS = ["冰箱", "手机", "羽绒服", "电动车", "洗衣机", "空调", "运动鞋", "床垫", "热水器", "电视机", "沙发"]
MONEY = ["500元", "800块", "1200元", "2000块", "3000元", "4800元", "5000块", "6800元", "8500元",
         "1万元", "两万块", "3.5万", "五万多", "12万元", "二十多万", "9000元", "1.8万"]
NOW = ["刚才", "刚刚", "就刚才", "几分钟前", "现在", "这会儿"]
PAST = ["昨晚十点多", "今天下午三点左右", "今天早上", "昨天夜里", "前天晚上", "上周五", "中午十二点多",
        "凌晨两点左右", "今天上午", "昨天下午"]
CLOTHES = ["红色外套", "蓝色校服", "黄色羽绒服", "白T恤牛仔裤", "粉色裙子", "黑色卫衣", "绿色毛衣",
           "灰色运动服"]
SURNAMES = list("张王李刘陈杨黄赵周吴徐孙马朱胡郭何林罗高")
COMPANIES = ["一家物流公司", "{city}一家电子厂", "一家装修公司", "一家餐饮店", "一个快递网点", "一家科技公司",
             "一家服装厂", "一家建筑公司"]
VEHICLES = ["白色轿车", "黑色SUV", "面包车", "小货车", "出租车", "银色轿车", "渣土车"]
ORGS = ["公安局", "检察院", "社保中心", "银行客服", "电商平台客服", "快递公司", "医保局"]
AGES = ["3", "4", "5", "6", "7", "8", "9", "两", "三", "五", "六"]
CN_NUM = ["一", "二", "三", "四", "五", "六", "七", "八", "十一", "十五", "二十"]
CROWD = ["几十个人", "上百人", "一百多人", "两三百人", "好几百人", "一大群人"]
OPENERS = ["喂，", "喂，你好，", "你好，", "喂喂，", "警察同志，", "那个，", "喂，110吗？", "", "", "您好，"]
OPENERS_CALM = ["喂，", "你好，", "您好，", "喂，你好，", "", "", "喂喂，", "那个，"]
CLOSERS = ["", "", "", "，谢谢。", "，麻烦了。", "，怎么办啊？", "，你们管不管？", "，帮帮忙。"]
REC_CALL = ["报警人称", "来电人称", "报警人{sur}称", "来电人{sur}称", "据报警人称", "报警人反映", "来电人反映"]
PROVINCES = "粤京沪浙川鄂陕苏豫湘鲁辽云皖闽桂贵冀晋黑甘赣渝津蒙新"
PLATE_LETTERS = "ABCDEFGHJKLMNPQ"


def _plate(rng: random.Random) -> str:
    tail = [str(rng.randrange(10)) for _ in range(5)]
    if rng.random() < 0.35:
        tail[rng.randrange(5)] = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return f"{rng.choice(PROVINCES)}{rng.choice(PLATE_LETTERS)}·{''.join(tail)}"


def _phone(rng: random.Random) -> str:
    head = rng.choice(["138", "139", "135", "136", "150", "151", "158", "186", "187", "177", "199", "133"])
    return head + "".join(str(rng.randrange(10)) for _ in range(8))


def _room(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)}{rng.randint(1, 4):02d}"


class Slots(dict):
    """Fills {slot} names lazily from the pools; one value per slot name within one text."""

    def __init__(self, rng: random.Random):
        super().__init__()
        self.rng = rng

    def pick(self, pool) -> str:
        return self.expand(self.rng.choice(pool))

    def expand(self, template: str) -> str:
        return template.format_map(self) if "{" in template else template

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "city":
            v = r.choice(CITIES)
        elif key == "district":
            v = r.choice(CITY_DISTRICTS[self["city"]])
        elif key in ("road", "road2", "lmroad"):
            others = {self.get(k) for k in ("road", "road2", "lmroad")}
            v = r.choice([x for x in ROADS if x not in others])
        elif key == "num":
            v = str(r.randint(1, 388))
        elif key == "xq":
            v = r.choice(XIAOQU)
        elif key == "b":
            v = str(r.randint(1, 32))
        elif key == "u":
            v = str(r.randint(1, 6))
        elif key == "room":
            v = _room(r)
        elif key == "bld":
            v = self.expand("{xq}{b}栋")
        elif key == "home":
            v = self.expand(r.choice(["{xq}{b}栋{u}单元{room}", "{xq}{b}栋{room}", "{xq}{b}号楼{u}单元{room}室",
                                      "{district}{road}{num}号{xq}{b}栋{room}"]))
        elif key == "lm":
            v = self.pick(LANDMARKS)
        elif key == "place":
            v = self.expand(r.choice([
                "{district}{road}{num}号", "{city}{district}{road}", "{road}和{road2}交叉口", "{xq}{b}栋楼下",
                "{lm}门口", "{lm}附近", "{city}{district}{lm}", "{road}{num}号", "{xq}小区门口",
                "{district}{xq}", "{city}{road}{num}号",
            ]))
        elif key == "mall":
            v = r.choice(MALLS)
        elif key == "school":
            v = r.choice(SCHOOLS)
        elif key == "bridge":
            v = self.pick(BRIDGES)
        elif key == "person":
            v = r.choice(SUSPECTS)
        elif key == "victim":
            v = r.choice(VICTIMS)
        elif key == "who":
            v = r.choice(PEOPLE)
        elif key == "weapon":
            v = r.choice(WEAPONS)
        elif key == "inj":
            v = r.choice(INJURIES)
        elif key == "obj":
            v = r.choice(OBJECTS)
        elif key == "sobj":
            v = r.choice(SMALL_OBJECTS)
        elif key == "goods":
            v = r.choice(GOODS)
        elif key == "money":
            v = r.choice(MONEY)
        elif key == "fee":
            v = r.choice(["二十块", "三十块", "五十块", "八十块", "一百块"])
        elif key == "now":
            v = r.choice(NOW)
        elif key == "past":
            v = r.choice(PAST)
        elif key == "time":
            v = r.choice(NOW + PAST)
        elif key == "cloth":
            v = r.choice(CLOTHES)
        elif key == "age":
            v = r.choice(AGES)
        elif key == "adult_age":
            v = str(r.randint(19, 45))
        elif key == "old_age":
            v = str(r.randint(68, 89))
        elif key == "sur":
            v = r.choice(SURNAMES) + r.choice(["先生", "女士"])
        elif key == "company":
            v = self.pick(COMPANIES)
        elif key == "n":
            v = r.choice(["八", "十几", "二十多", "三十多", "五六", "十来"])
        elif key == "veh":
            v = r.choice(VEHICLES)
        elif key == "org":
            v = r.choice(ORGS)
        elif key == "cn":
            v = r.choice(CN_NUM)
        elif key == "bus":
            v = str(r.choice([2, 5, 8, 11, 15, 23, 36, 47, 58, 66, 101, 113, 205, 302]))
        elif key == "crowd":
            v = r.choice(CROWD)
        elif key == "hours":
            v = r.choice(["一个多小时", "两个小时", "三个小时", "大半天", "一整天", "四五个小时"])
        elif key == "days":
            v = r.choice(["三天", "一个星期", "半个月", "好几天", "两个月", "十来天"])
        elif key == "months":
            v = r.choice(["两个月", "三个月", "四个月", "半年", "大半年"])
        elif key == "wrong":
            v = r.choice(["114查个号码", "10086", "12315", "我们公司的座机", "我老婆的电话", "快递员电话", "银行客服",
                          "出租车公司", "物业电话", "外卖店的电话"])
        elif key == "card":
            v = r.choice(["两千块", "三千块", "五千块", "八千块", "一万块", "三千八"])
        elif key == "auth":
            v = r.choice(["公安局", "检察院", "中级法院", "医保局", "刑侦支队"])
        elif key == "recf":
            v = self.expand(r.choice(["报警人称", "来电人称", "报警人{surf}称", "据报警人称", "来电人{surf}称"]))
        elif key == "surf":
            v = r.choice(SURNAMES) + "女士"
        elif key == "small":
            v = r.choice(["两百块", "三百块", "五百块", "八百块", "一千块", "两千块"])
        elif key == "wage":
            v = r.choice(["一万多", "两万块", "八千块", "三万多", "一万五", "六千块"])
        elif key == "cinj":
            v = r.choice(["司机头上流血了", "有人受伤动不了", "一人腿被压伤", "有个人满脸是血", "乘客昏迷了",
                          "一名乘客胸口疼得说不出话"])
        elif key == "einj":
            v = r.choice(["头上磕破了在流血", "腿摔伤起不来了", "额头流了很多血", "胳膊摔得动不了"])
        elif key == "blade":
            v = r.choice(["菜刀", "砍刀", "西瓜刀", "刀"])
        elif key == "blunt":
            v = r.choice(["钢管", "木棍", "棒球棍", "铁棍", "锤子"])
        elif key == "opx":
            v = r.choice(["喂，", "", "", "哎，", "你好，", "喂，你好，"])
        elif key == "hospital":
            v = self.expand(r.choice(["{district}人民医院", "市中心医院", "中医院", "妇幼保健院", "{city}第一人民医院",
                                      "市第二人民医院"]))
        elif key == "deposit":
            v = r.choice(["五百块", "八百块", "一千块", "一千五", "两千块", "三百块"])
        elif key == "tod":
            v = r.choice(["两岁", "三岁", "一岁多", "两岁半", "才三岁", "四岁"])
        elif key == "wake":
            v = r.choice(["五点", "五点半", "六点", "六点半", "七点"])
        elif key == "plate":
            v = _plate(r)
        elif key == "phone":
            v = _phone(r)
        elif key == "op":
            v = r.choice(OPENERS)
        elif key == "opc":
            v = r.choice(OPENERS_CALM)
        elif key == "ed":
            v = r.choice(CLOSERS)
        elif key == "rec":
            v = self.pick(REC_CALL)
        else:
            raise KeyError(f"unknown slot {{{key}}}")
        self[key] = v
        return v


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------
# ch: "say" caller speech, "rec" call-taker record, "txt" short text message, or a channel name.
# Label overrides: disp, dest (replace), add (append), pri.

INJ = {"disp": "joint", "add": ["120"]}


def F(t: str, why: str, hard: bool = False, ch: str = "say", **lab) -> dict:
    return {"t": t, "why": why, "hard": hard, "ch": ch, "lab": lab}


FRAMES: dict[str, list[dict]] = {
    "violent_crime": [
        F("{op}{place}有{person}拿着{weapon}在抢{victim}的包，快来人啊！", "armed robbery in progress"),
        F("{rec}{now}在{place}被两名男子持{weapon}抢走{obj}和现金{money}，嫌疑人往{road2}方向跑了",
          "armed robbery just happened, suspects fleeing", ch="rec"),
        F("{rec}{place}有人持{weapon}伤人，一人{inj}，嫌疑人还在附近", "armed assault with injury", ch="rec", **INJ),
        F("{op}我被人关在{home}不让走，他们说不给{money}就不放人，我是偷偷打的", "person held against will"),
        F("{place}有人拿{blade}追着人砍 快来", "attack with weapon in progress, text report", ch="txt"),
        F("{op}我想叫人挪个车……对方下车拿{blunt}在砸我车，还说要弄死我，我现在躲在车里",
          "parking call turned armed threat", hard=True),
        F("{opc}我就问个事，楼下有{person}最近天天在门口转，{now}拿{weapon}把我邻居堵在楼道里要钱",
          "casual question hiding armed extortion now", hard=True),
    ],
    "theft": [
        F("{op}我{obj}被偷了，{now}在{lm}人多的地方被人扒走的{ed}", "pickpocketing just happened"),
        F("{rec}{past}家中被盗，{home}门锁被撬，丢失{obj}和现金{money}", "burglary reported", ch="rec"),
        F("{op}我停在{place}的电动车{now}被人偷了，监控能看到人{ed}", "vehicle theft just happened"),
        F("{place}有{person}正在撬车门偷东西 快来", "theft in progress, text report", ch="txt", pri=1),
        F("{op}我在{bus}路公交车上，有{person}在翻别人的包，人还在车上", "pickpocket in progress", pri=1),
        F("{rec}{past}放在{place}的快递和{obj}被人拿走，怀疑是同楼住户所为", "theft of belongings", ch="rec"),
        F("{opc}想问下身份证怎么补办……就是{now}在{lm}钱包被人偷了，里面还有{money}现金",
          "consultation wording but fresh theft", hard=True),
        F("{opc}我不是报警啊，就说一下，邻居家门开着，有个陌生人在里面翻东西，邻居上班去了",
          "casual tone but burglary in progress", hard=True, pri=1),
    ],
    "fraud": [
        F("{op}我被骗了，{past}有人冒充客服让我转账，我转了{money}{ed}", "impersonation scam, money lost"),
        F("{rec}接到自称{city}{auth}的电话，称其涉嫌洗钱，已按要求向“安全账户”转账{money}", "fake-authority scam",
          ch="rec"),
        F("{rec}在网上做刷单兼职，先后转账{money}，现在对方把他拉黑了", "task-brushing scam", ch="rec"),
        F("{op}我妈被人骗去买保健品，花了{money}，那帮人现在还在{place}开会推销", "elderly sales fraud"),
        F("{phone}这个号冒充我儿子借钱 我已经转了{money} 怎么办", "impersonation scam by text", ch="txt"),
        F("{opc}想问下退款的事，有个客服让我下载会议软件共享屏幕，我刚才已经转了{money}过去",
          "refund question hiding an ongoing scam", hard=True),
        F("{opc}我就是咨询下，网上认识的男朋友让我投资一个平台，说稳赚，我已经投了{money}，现在提不出来",
          "romance investment scam behind a question", hard=True),
    ],
    "fight": [
        F("{op}{place}有一群人在打架，打得很凶，快来！", "group fight in progress"),
        F("{rec}{place}门口两伙人因琐事发生斗殴，约十余人", "brawl between two groups", ch="rec"),
        F("{rec}{place}有人打架，一人{inj}", "fight with injury", ch="rec", **INJ),
        F("{lm}门口 好几个人打起来了 有人拿酒瓶", "fight with bottles, text report", ch="txt"),
        F("{op}我在{place}吃夜宵，隔壁桌喝多了打起来了，椅子都砸了", "drunken fight at restaurant"),
        F("{opc}想投诉邻居装修吵，刚才上去说了两句，现在两家人在楼道里打起来了",
          "noise complaint escalated into a fight", hard=True),
        F("{opc}就是为了个停车位，本来只是吵，现在对方把我老公按在地上打，{inj}",
          "parking argument turned into assault with injury", hard=True, **INJ),
    ],
    "domestic_violence": [
        F("{op}我老公喝了酒在家打我，{now}还在砸东西，我在{home}", "spouse beating caller now"),
        F("{recf}被丈夫殴打，{inj}，现躲在卫生间", "domestic assault with injury", ch="rec", **INJ),
        F("{rec}邻居家{now}传来女人哭喊和打人的声音，孩子也在哭，地址{home}", "neighbour hears domestic beating",
          ch="rec"),
        F("救命 我男朋友打我 不让我出门 {home}", "partner violence and confinement, text", ch="txt"),
        F("{op}我爸又打我妈了，拿皮带抽，我是他们孩子，我们在{home}", "child reports father beating mother"),
        F("{opc}我想咨询下离婚手续怎么办……他{now}又掐我脖子，现在在门外砸门",
          "divorce question hiding ongoing violence", hard=True),
        F("{opc}就想问问社区能不能调解，我儿子喝多了天天打他奶奶，今天把老人推倒了，{einj}",
          "mediation request hiding elder abuse with injury", hard=True, **INJ),
    ],
    "sexual_offense": [
        F("{op}我在{lmroad}地铁站，有个男的在车厢里一直摸我，下了车还跟着我", "groping and following now"),
        F("{rec}{past}在{place}被熟人强行猥亵，现已脱离", "indecent assault just happened", ch="rec", pri=2),
        F("{rec}有陌生男子连续几天跟踪其女儿放学，今天又在{school}门口出现", "stalking of a child", ch="rec"),
        F("{place}有个男的对着女生露下体 还没走", "indecent exposure, text report", ch="txt"),
        F("{op}我是{lm}的保安，有个男的躲在女厕所隔间偷拍，被我们堵住了", "voyeur caught on site"),
        F("{opc}想投诉网约车，司机一直问我住哪，{now}还摸我腿，我还在车上，车牌{plate}",
          "ride complaint hiding ongoing assault", hard=True),
        F("{opc}我租的房子想找房东退押金……房东老趁我不在进屋，还在我卧室装了摄像头",
          "tenancy call hiding covert filming", hard=True, pri=2),
    ],
    "public_order": [
        F("{op}{place}有个醉汉在闹事，砸店里的东西，拦着人不让走", "drunk causing disturbance"),
        F("{rec}{place}有人寻衅滋事，无故辱骂路人、踢翻摊位", "provocative trouble-making", ch="rec"),
        F("{rec}有陌生男子闯进{home}不肯走，称这是他家", "unlawful intrusion into home", ch="rec", pri=1),
        F("{lm} 有人喝醉了拦车 砸车窗", "drunk blocking traffic, text report", ch="txt"),
        F("{op}有几个人在{place}挨家收保护费，不给就掀桌子", "extortion of shops"),
        F("{opc}想投诉{lm}旁边的KTV太吵……门口还有几个喝醉的在踹别人的车、追着人骂",
          "noise complaint hiding drunk rampage", hard=True),
        F("{opc}我是来找物业的，有个男的冲进物业办公室又砸电脑又推人，还把门堵上了",
          "property visit hiding violent disturbance", hard=True),
    ],
    "tip_off": [
        F("{opc}我想举报，{place}一个出租屋里天天晚上有人聚众赌博", "tip-off on illegal gambling"),
        F("报警人举报{home}疑似有人吸毒，常有陌生人进出，楼道里有锡纸", "tip-off on drug use", ch="rec"),
        F("{rec}{place}一家足浴店疑似有卖淫嫖娼活动", "tip-off on prostitution", ch="rec"),
        F("举报 {lm}厕所有人卖冰毒 看到好几次了", "drug dealing tip by text", ch="txt"),
        F("{op}我在{lm}看到一个人，很像新闻上通缉的那个逃犯，他现在还在这儿", "fugitive sighted now", pri=2),
        F("{opc}想问下出租屋管理的事，楼下那户半夜老有人进出，屋里一股怪味，还扔出来好多针管",
          "rental question hiding drug den", hard=True),
        F("{opc}我就问一下，{place}那家棋牌室打牌要给钱，一晚上输赢好几万，这个你们管不管",
          "casual question about gambling den", hard=True),
    ],
    "mass_incident": [
        F("{op}{place}聚了{crowd}，把路都堵了，情绪很激动", "large crowd blocking road"),
        F("{rec}{place}工地门口有{crowd}聚集讨薪，围堵项目部", "workers gathering to demand pay", ch="rec"),
        F("{rec}{xq}业主{crowd}在售楼处拉横幅，与保安推搡", "homeowners protest with scuffles", ch="rec"),
        F("{lm} {crowd}围着一辆车不让走 快打起来了", "crowd surrounding a car, text", ch="txt"),
        F("{op}{hospital}门口有{crowd}围着要说法，把医院大门堵死了", "crowd besieging a hospital"),
        F("{opc}我就想咨询下欠薪怎么投诉……现在我们工地{crowd}都堵在老板公司门口，要冲进去了",
          "wage question hiding crowd about to storm", hard=True),
        F("{opc}想反映下小区停车费涨价，现在{crowd}围在物业门口，把物业经理堵在里面出不来",
          "fee complaint hiding crowd confining a manager", hard=True),
    ],
    "police_misconduct": [
        F("{opc}我要反映{district}派出所一个民警，处理纠纷时偏袒对方，还骂人", "complaint about officer bias"),
        F("报警人反映其{past}报警后一直没人出警，也没有任何回复", "no response to earlier report", ch="rec"),
        F("{rec}交警在{road}执勤时收了他{small}没开罚单", "officer taking cash without ticket", ch="rec"),
        F("投诉 {district}派出所民警办户口时故意刁难 暗示要送礼", "officer soliciting gifts, text", ch="txt"),
        F("{opc}我{past}被带到派出所问话，民警没出示证件就翻我手机，我想投诉", "improper search by officer"),
        F("{opc}我就是问问，辅警查车的时候把我手机摔了，还推了我一把，这个归谁管",
          "question hiding misconduct by auxiliary officer", hard=True),
        F("{opc}想咨询办证的事，派出所有个民警说私下给他{small}就能加急，这正常吗",
          "consultation revealing bribery request", hard=True),
    ],
    "traffic_accident": [
        F("{op}我在{road}和{road2}路口跟一辆车追尾了，对方车牌{plate}，人没事", "rear-end collision, no injury"),
        F("{rec}在{road}发生两车相撞，{cinj}", "collision with injury", ch="rec", pri=1, **INJ),
        F("{rec}{place}一辆货车撞了电动车，骑车人倒地不动", "truck hit e-bike rider, rider down", ch="rec",
          pri=1, **INJ),
        F("{road}高架 三车追尾 堵死了 其中一辆{plate}", "pile-up on elevated road, text", ch="txt"),
        F("{op}我电动车被一辆{veh}刮倒了，对方直接开跑了，车牌{plate}，人没什么事", "hit and run, no injury"),
        F("{opc}我想叫对方挪车……刚才倒车把一个骑电动车的碰倒了，那人腿在流血",
          "parking call turned accident with injury", hard=True, pri=1, **INJ),
        F("{opc}就问下保险报案怎么弄，刚才在{road}撞护栏上了，副驾的人腿卡住出不来",
          "insurance question hiding trapped casualty", hard=True, disp="joint", add=["119", "120"], pri=1),
    ],
    "traffic_violation": [
        F("{opc}{road}上有辆{veh}一直在逆行，车牌{plate}", "wrong-way driving"),
        F("报警人举报{lm}附近有车辆长期违停，占用消防通道", "illegal parking blocking fire lane", ch="rec"),
        F("{rec}{road}一辆{veh}疑似酒驾，开得左右摇摆，车牌{plate}", "suspected drunk driving now", ch="rec",
          pri=2),
        F("{road}路口红绿灯坏了 车堵成一锅粥 没人指挥", "signal failure and congestion, text", ch="txt"),
        F("{op}有几个骑摩托的在{road}上飙车，来回跑，声音特别大", "street racing", pri=2),
        F("{opc}想问下我的车限不限号……对了，前面这辆车司机刚喝完酒，满身酒气还在开，车牌{plate}",
          "plate-restriction question hiding drunk driving", hard=True, pri=2),
        F("{opc}我想投诉个事，楼下有辆货车天天在人行道上横冲直撞，今天差点撞到孩子，车牌{plate}",
          "complaint hiding dangerous driving", hard=True, pri=2),
    ],
    "missing_person": [
        F("{op}我家孩子在{lm}走丢了，{age}岁，穿{cloth}，找了半个小时了", "child missing in public place"),
        F("{rec}其母亲患老年痴呆，{past}从{xq}出门后至今未归", "person with dementia missing", ch="rec"),
        F("{rec}其智力残疾的儿子走失，{adult_age}岁，说不清家庭住址", "disabled adult missing", ch="rec"),
        F("孩子放学没回家 电话打不通 {age}岁 在{school}上学", "child not home after school, text", ch="txt"),
        F("{op}我在{lm}碰到一个小孩，哭着找妈妈，说不清家在哪", "lost child found by caller"),
        F("{opc}我想问下办身份证要啥材料……哦还有，我爸有老年痴呆，{past}出门到现在没回来",
          "consultation hiding missing elder with dementia", hard=True),
        F("{opc}我就是问一下，我家{old_age}岁的老太太早上去买菜，到现在没回来，她记性不好",
          "casual question about vulnerable elder missing", hard=True),
    ],
    "suicide_risk": [
        F("{op}有个人坐在{bld}楼顶边上，看样子要跳下去", "person on rooftop edge"),
        F("{rec}其朋友发微信说吃了一整瓶安眠药，现联系不上，住{home}", "overdose message, unreachable", ch="rec"),
        F("{rec}{bridge}上有一名女子翻过栏杆，情绪激动", "woman over bridge railing", ch="rec"),
        F("我不想活了 现在在{bridge} 跟家里人说声对不起", "suicide message from caller", ch="txt"),
        F("{op}我儿子把自己反锁在屋里，说要割腕，我们在{home}", "son threatening self-harm behind locked door"),
        F("{opc}想咨询下网贷欠款的事，我实在还不上了，现在就在{bridge}上，不想活了",
          "debt question hiding suicidal caller", hard=True),
        F("{opc}我就问个事，吃多少片安眠药会睡过去不醒……我已经吃了半瓶了",
          "question hiding ongoing overdose", hard=True),
    ],
    "fire": [
        F("{op}{home}着火了，烟很大，快来！", "home fire"),
        F("{rec}{place}一家饭店后厨起火，明火已经窜出窗外", "restaurant kitchen fire", ch="rec"),
        F("{rec}{bld}楼道里电动车充电起火，楼上还有人没下来", "e-bike fire in stairwell", ch="rec"),
        F("{lm}那边冒黑烟 好像是仓库着火了", "warehouse smoke, text report", ch="txt"),
        F("{op}{place}有个厂房{now}炸了一声，现在一直在冒烟", "explosion and smoke at factory"),
        F("{rec}{home}起火，有人被烧伤了，还有人被困在楼上", "fire with burn injury", ch="rec", add=["120"]),
        F("{opc}想投诉楼下烧烤店油烟……不对，现在他家后厨烟越来越大，已经看到明火了",
          "fume complaint turning into real fire", hard=True),
        F("{opc}我就问下物业电话多少，隔壁家门缝一直往外冒烟，敲门没人应",
          "property question hiding smoke from a flat", hard=True),
    ],
    "gas_leak": [
        F("{op}{bld}楼道里一股很浓的煤气味，不知道是哪家的", "strong gas smell in stairwell"),
        F("{rec}{home}家中燃气灶软管脱落，闻到浓烈燃气味", "gas hose detached", ch="rec"),
        F("{rec}{place}施工挖断了燃气管道，嗤嗤往外冒气", "gas main cut by works", ch="rec"),
        F("{xq}{b}栋 煤气味很重 有老人在家敲门不开", "gas smell with elder inside, text", ch="txt"),
        F("{op}我们饭店后厨的液化气罐阀门坏了，一直漏气关不上", "LPG cylinder leaking"),
        F("{opc}我想报修一下燃气表……不过进门一股很重的煤气味，灶台也没开啊",
          "meter repair call hiding gas smell", hard=True),
        F("{opc}想投诉下隔壁装修的，他们好像把燃气管钻破了，整层楼都是臭鸡蛋味",
          "renovation complaint hiding gas leak", hard=True),
    ],
    "medical_emergency": [
        F("{op}{place}有个{who}突然倒地，叫不醒，快叫救护车", "person collapsed unresponsive"),
        F("{rec}其父亲突发胸痛、满头大汗，住{home}", "chest pain at home", ch="rec"),
        F("{rec}{lm}有一孕妇摔倒，下身出血", "pregnant woman fell and bleeding", ch="rec"),
        F("{lm}有人晕倒了 在抽搐 口吐白沫", "seizure in public, text", ch="txt"),
        F("{op}我家{old_age}岁的老人在家摔了一跤，起不来，头也磕破了，地址{home}", "elder fall with head injury"),
        F("{opc}我就是想找个开锁的，我爸一个人在屋里，刚打电话说喘不上气，现在喊他不答应",
          "lockout call hiding collapse inside", hard=True),
        F("{opc}想反映下{lm}的共享单车乱停，{now}有个{who}被绊倒了，躺地上起不来",
          "bike complaint hiding injured person", hard=True),
    ],
    "disaster_rescue": [
        F("{op}{bld}的电梯卡在半截了，里面关着人，按铃没人应", "person trapped in elevator",
          add=["elevator_rescue"]),
        F("{rec}{district}{road}桥下的河里有人落水，在水里扑腾", "person in water", ch="rec", add=["120"]),
        F("{rec}{road}{num}号附近一处老房子塌了，有人被压在下面", "collapse with person buried", ch="rec", add=["120"]),
        F("{xq}{b}栋电梯困人 里面有小孩 快", "child trapped in elevator, text", ch="txt", add=["elevator_rescue"]),
        F("{op}暴雨把{road}的下穿隧道淹了，有辆车困在水里，人站在车顶上", "car trapped in flood"),
        F("{opc}我想找个开锁的，孩子{tod}一个人在屋里，灶上还烧着水", "lockout with toddler and stove",
          hard=True),
        F("{opc}想报修一下电梯，电梯停在两层中间不动了，我和我妈现在就在里面",
          "repair request from inside stuck elevator", hard=True, add=["elevator_rescue"]),
    ],
    "public_hazard": [
        F("{op}{road}上有根电线杆倒了，电线掉在人行道上", "power line down on pavement", add=["power"]),
        F("{rec}{road}{num}号附近路面突然塌陷出一个大坑，车还在过", "road surface collapse", ch="rec"),
        F("{rec}{bld}外墙瓷砖不断往下掉，楼下是人行道", "falling facade tiles", ch="rec"),
        F("{road}{num}号门口 井盖没了 一个大洞 晚上看不见", "open manhole, text", ch="txt"),
        F("{op}{place}工地的塔吊好像歪了，下面就是马路", "leaning tower crane over road"),
        F("{op}大风把{lm}的广告牌吹得快掉下来了，下面一直有人走", "billboard about to fall"),
        F("{opc}想报修一下路灯，杆子倒在人行道上了，电线耷拉在地上还在打火花",
          "streetlight repair hiding live wire down", hard=True, add=["power"]),
        F("{opc}投诉楼上住户乱扔东西，刚才从楼上扔下来一个花盆，差点砸到人",
          "littering complaint about objects thrown from height", hard=True),
    ],
    "dispute_neighbor": [
        F("{opc}我家邻居把杂物堆在楼道里，说了好几次都不搬{ed}", "hallway clutter dispute"),
        F("{rec}楼上住户空调外机滴水到其阳台，双方协商不成", "aircon drip dispute", ch="rec"),
        F("{rec}与邻居因{xq}公共过道占用问题发生口角，无肢体冲突", "argument over shared corridor", ch="rec"),
        F("楼上卫生间漏水到我家 找他好几次不管 能不能帮协调 {xq}", "leak dispute with upstairs, text", ch="txt"),
        F("{opc}隔壁在门口装了个摄像头正对着我家门，沟通了几次都不行", "doorbell camera dispute"),
        F("{opx}气死了，邻居又把车停在我家门口，吵了几句，没动手，也没有人受伤，想找人调解",
          "angry words only, no violence", hard=True),
        F("{opc}邻居说要把我家门口那棵树砍了，嫌挡他家光，树是我种的，想找人评评理",
          "'cut down' refers to a tree", hard=True),
    ],
    "dispute_family": [
        F("{opc}我和我老公因为孩子上学的事一直吵，他说要离婚，想找人调解一下", "marital dispute, mediation"),
        F("{rec}兄弟姐妹因老人房产分配发生争执，希望调解", "sibling inheritance dispute", ch="rec"),
        F("{rec}与前夫因孩子抚养费问题产生纠纷，无人身伤害", "child support dispute", ch="rec"),
        F("儿子儿媳不给老人生活费 想找社区说说 {xq}", "elder support dispute, text", ch="txt"),
        F("{opc}我女儿谈了个男朋友家里不同意，她搬到男方家住不回来，我们知道她在哪", "family disapproval, not missing"),
        F("{opx}气死了，儿子天天打游戏打到半夜，说他两句就摔门，没动手，想找社区帮忙劝劝",
          "parent angry at gaming son, no violence", hard=True),
        F("{opx}笑死，我爸妈为了跳广场舞吵了三天，谁也不理谁，社区能不能来劝劝",
          "light-hearted elderly couple quarrel", hard=True),
    ],
    "dispute_labor": [
        F("{opc}我在{place}的工地干了{months}，老板一直拖着{wage}工资不给", "unpaid construction wages"),
        F("{rec}其所在的{company}无故将其辞退，不给补偿", "dismissal without compensation", ch="rec"),
        F("{rec}{company}拖欠其和{n}名工友工资共计{money}，老板联系不上", "employer owes several workers",
          ch="rec"),
        F("{company}不交社保 加班不给加班费 去哪投诉", "social insurance and overtime complaint, text", ch="txt"),
        F("{opc}我跑外卖被站点扣了{deposit}押金，离职了也不退{ed}", "courier deposit withheld"),
        F("{opc}老板欠了{months}工资，气死了，我们几个工友想问去哪投诉，不会闹事的",
          "angry but orderly wage complaint", hard=True),
        F("{opc}我在{company}上班，公司说要把我们工资砍掉一半，不签字就走人，这合法吗", "'cut' refers to wages", hard=True),
    ],
    "dispute_consumer": [
        F("{opc}我在{mall}买的{goods}质量有问题，商家不给退{ed}", "defective goods, refund refused"),
        F("{rec}在{place}一家理发店办了{card}的卡，现在要退卡店里不给退", "prepaid card refund dispute",
          ch="rec"),
        F("{rec}在{place}一家饭店就餐后对账单有异议，与店家协商不成，无冲突", "restaurant bill dispute", ch="rec"),
        F("网上买的{goods}是二手翻新的 客服不理 在哪投诉", "refurbished phone sold as new, text", ch="txt"),
        F("{opc}{lm}那个停车场乱收费，停了半小时收我{fee}{ed}", "parking overcharge"),
        F("{opc}在{lm}买{goods}砍价砍到一半，老板收了{fee}定金又说不卖了，定金也不退",
          "'bargaining' dispute over deposit", hard=True),
        F("{opx}笑死，{past}点的外卖奶茶里有只虫子，店家还说是珍珠，不给退款", "joking tone food complaint",
          hard=True),
    ],
    "dispute_property": [
        F("{opc}我租的房子到期了，房东扣着{deposit}押金不退{ed}", "landlord withholding deposit"),
        F("{rec}{xq}物业私自涨停车费，业主不同意", "property fee increase dispute", ch="rec"),
        F("{rec}房东以欠租为由换了门锁，其物品还在屋内，双方无冲突", "lockout by landlord over rent", ch="rec"),
        F("{xq}物业不修电梯 坏了{days}了 老人上下楼难", "broken elevator neglected by property, text",
          ch="txt"),
        F("{opc}中介说好的房子跟实际的不一样，我要退租，他们不退中介费", "agency misrepresentation"),
        F("{opc}房东说要砍掉我一半押金，说墙上有几个钉子眼，我想问找谁管", "'cut' refers to deposit",
          hard=True),
        F("{opx}气死了，物业把我家门口的鞋柜扔了，说是消防检查，没人动手，我想投诉",
          "angry but non-violent property complaint", hard=True),
    ],
    "car_moving": [
        F("{opc}我车被堵住了，对方车牌{plate}，停在{place}，麻烦帮忙联系挪车", "blocked car, move request"),
        F("{rec}其车辆被{plate}堵在{xq}地库出口，对方车上无电话", "car blocked in garage exit", ch="rec"),
        F("{place}有辆车{plate}堵我家门口 打电话没人接", "car blocking gate, text", ch="txt"),
        F("{opc}有辆车停在我的固定车位上，车牌{plate}，能不能帮我找到车主", "car in private parking space"),
        F("{rec}{lm}门口一辆{veh}{plate}堵住出口，需挪车", "vehicle blocking exit", ch="rec"),
        F("{opx}急死了，车被别人堵死了，要送孩子上学，车牌{plate}，电话打不通，也没吵架",
          "urgent-sounding but plain move request", hard=True),
        F("{opx}笑死，有人把车贴着我车屁股停，我根本出不去，车牌{plate}，帮忙挪一下",
          "joking tone move request", hard=True),
    ],
    "noise": [
        F("{opc}{xq}楼上装修，天天早上七点就开始砸墙，吵得没法休息", "renovation noise"),
        F("{rec}{place}工地夜间施工，凌晨还在打桩", "night construction noise", ch="rec"),
        F("{rec}{lm}附近广场舞音响音量过大，影响居民休息", "square dance loudspeaker", ch="rec"),
        F("楼下烧烤店半夜放音乐 吵到两点 {xq}", "late-night music from shop, text", ch="txt"),
        F("{opc}{mall}门口天天拿喇叭喊促销，声音特别大{ed}", "shop loudspeaker promotion"),
        F("{opc}楼上小孩半夜打游戏，一直喊“杀杀杀”，吵死了，能不能管管", "'kill' shouted in a video game",
          hard=True),
        F("{opx}笑死，对面广场舞音响大得跟放炮一样，天天晚上九点多还不停", "'firecracker' is a loudness metaphor",
          hard=True),
    ],
    "utility_outage": [
        F("{opc}{xq}整栋楼停电了，也没通知，什么时候能来电", "building power cut",
          dest=["12345", "power"]),
        F("{rec}{road}一片停电两个多小时了", "area power outage", ch="rec", dest=["12345", "power"]),
        F("{rec}{xq}从早上开始停水，没有任何通知", "water cut without notice", ch="rec",
          dest=["12345", "water"]),
        F("家里水龙头放出来都是黄水 {xq}{b}栋", "discoloured tap water, text", ch="txt", dest=["12345", "water"]),
        F("{opc}家里燃气灶突然打不着火了，卡里有钱，也没闻到什么味道", "gas supply stopped, no smell",
          dest=["12345", "gas"]),
        F("{rec}{xq}暖气不热，室内才十几度", "heating not warm", ch="rec", dest=["12345", "heating"]),
        F("{opc}家里停电了黑灯瞎火的吓死人，没有人受伤，就问问啥时候来电", "'scared to death' by a blackout",
          hard=True, dest=["12345", "power"]),
        F("{opx}冻死了，{xq}暖气片冰凉的，物业说是热力公司的事", "'freezing to death' means cold flat",
          hard=True, dest=["12345", "heating"]),
    ],
    "municipal_facility": [
        F("{opc}{road}上路灯坏了一排，晚上黑乎乎的", "street lights out"),
        F("{rec}{place}下水道堵了，污水漫到路面上", "blocked sewer overflowing", ch="rec"),
        F("{rec}{road}人行道地砖松动翘起，行人容易绊倒", "loose paving tiles", ch="rec"),
        F("{road}{lm}旁边 井盖松了 车一过就哐当响", "rattling manhole cover, text", ch="txt"),
        F("{opc}{xq}门口那条路坑坑洼洼的，一下雨全是积水", "potholed road"),
        F("{opc}路灯坏了好几天了，晚上黑得吓死人，没出什么事，就是想报修一下", "'scary dark' street lights",
          hard=True),
        F("{opc}{road}公交站的座椅断了一条腿，坐上去晃，没人受伤，麻烦来修修", "broken bench, nobody hurt",
          hard=True),
    ],
    "lost_property": [
        F("{opc}我{time}在{lm}把{sobj}弄丢了，能不能帮忙找找", "lost item in public place"),
        F("{rec}{past}乘坐出租车时将{sobj}遗落在车上，车牌{plate}", "item left in taxi", ch="rec"),
        F("{rec}在{lm}丢失钱包一个，内有身份证，系自己遗失，非被盗", "wallet lost, not stolen", ch="rec"),
        F("{past}在{bus}路公交上丢了{sobj} 怎么找回来", "item lost on bus, text", ch="txt"),
        F("{opc}我在{lm}捡到一个钱包，里面有身份证和银行卡，交给谁好", "found wallet hand-in"),
        F("{opx}笑死，我把{sobj}落在出租车上了，车牌{plate}，不是被偷，就是自己忘了",
          "joking tone, simply forgotten item", hard=True),
        F("{opx}急死了，孩子的书包丢了，不是被抢的，是放学路上自己弄丢的，里面有作业和{sobj}",
          "explicitly not robbery, lost bag", hard=True),
    ],
    "lockout": [
        F("{opc}我钥匙锁在屋里了，家里没人，想找个开锁的", "keys locked inside, nobody home"),
        F("{rec}忘带钥匙被锁在{home}门外，屋内无人，无险情", "locked out, no risk", ch="rec"),
        F("门锁坏了打不开 {home} 能不能帮忙找开锁的", "broken lock, text", ch="txt"),
        F("{opc}我车钥匙锁车里了，车停在{place}，车里没人也没宠物", "car keys locked in empty car"),
        F("{rec}家中密码锁没电打不开，屋内无老人小孩", "smart lock battery dead", ch="rec"),
        F("{opx}急死了，钥匙断在锁孔里了，家里没人，火也都关了，就是进不去", "'urgent' but nothing at risk",
          hard=True),
        F("{opx}笑死，我出门倒个垃圾，门被风吹关上了，穿着拖鞋在门外，屋里没人",
          "joking tone lockout, nobody inside", hard=True),
    ],
    "animal": [
        F("{opc}{xq}里有几条流浪狗，晚上追着人叫", "stray dogs in estate"),
        F("{rec}{home}窗外空调架上有个马蜂窝", "wasp nest on aircon bracket", ch="rec"),
        F("{rec}{place}草丛里发现一条蛇，未伤人", "snake sighted, nobody bitten", ch="rec"),
        F("小区有只猫卡在树上下不来 叫了一天了 {xq}", "cat stuck in tree, text", ch="txt"),
        F("{opc}{lm}附近有条大狗没拴绳，在路边转悠{ed}", "unleashed large dog"),
        F("{opx}吓死了，楼道里有个马蜂窝，没人被蛰，就是不敢出门", "'scared to death' of a wasp nest",
          hard=True),
        F("{opx}笑死，有只猴子跑进我们{xq}了，在楼顶上蹦来蹦去，没伤人", "joking tone escaped monkey",
          hard=True),
    ],
    "environment_city": [
        F("{opc}{place}那家工厂晚上偷偷往河里排污水，黑乎乎的", "factory discharging waste water",
          dest=["12345", "environment"]),
        F("{rec}{lm}附近饭店油烟直排，熏到居民楼", "restaurant fumes into homes", ch="rec",
          dest=["12345", "environment"]),
        F("{rec}{place}一家喷漆作坊排放刺鼻油漆味，影响周边居民", "paint workshop odour", ch="rec",
          dest=["12345", "environment"]),
        F("{opc}{road}人行道上全是占道经营的摊贩，路都走不了", "street stalls blocking pavement",
          dest=["12345", "urban_management"]),
        F("{rec}{xq}顶楼有住户违章搭建阳光房", "illegal rooftop structure", ch="rec",
          dest=["12345", "urban_management"]),
        F("{lm}门口 夜市摊占了半条路 还乱扔垃圾", "night-market stalls on road, text", ch="txt",
          dest=["12345", "urban_management"]),
        F("{opc}楼下烧烤摊油烟太大，熏得家里全是味，没着火，就是呛", "cooking fumes, explicitly no fire",
          hard=True, dest=["12345", "environment"]),
        F("{opx}气死了，邻居在{xq}绿地上砌了个棚子养鸡，物业也管不了", "angry report of illegal shed",
          hard=True, dest=["12345", "urban_management"]),
    ],
    "consultation": [
        F("{opc}我想问一下身份证丢了在哪里补办，要带什么", "ID card replacement question"),
        F("来电人咨询外地户口孩子在{city}上学需要办什么手续", "school enrolment for non-local child", ch="rec"),
        F("请问{city}居住证怎么办 需要什么材料", "residence permit question, text", ch="txt"),
        F("{opc}我想问下外地的社保怎么转到{city}来", "social insurance transfer question"),
        F("来电人咨询港澳通行证续签流程及{district}办理地点", "travel permit renewal question", ch="rec"),
        F("{opc}问一下管制刀具的规定，我买了把水果刀能带上地铁吗", "knife mentioned only as a rules question",
          hard=True),
        F("{opc}想咨询下春节期间{city}哪些地方能放烟花爆竹", "fireworks rules question", hard=True),
    ],
    "service_complaint": [
        F("{opc}我要投诉{district}政务大厅，排了{hours}，窗口还说材料不全", "government service hall complaint"),
        F("来电人投诉{bus}路公交车经常不按时发车", "bus service complaint", ch="rec"),
        F("报警人反映{days}来拨打12345多次无人接听，{xq}的问题一直没有解决", "hotline unresponsive complaint", ch="rec"),
        F("投诉 {district}城管执法人员态度恶劣", "complaint about city inspectors' attitude, text", ch="txt"),
        F("{opc}{xq}旁边的社区医院打疫苗排队太乱，工作人员态度也很差", "community clinic service complaint"),
        F("{opc}投诉{bus}路公交司机，开车跟打仗一样，急刹了好几次，没人受伤，就是太吓人",
          "'like a war' driving style, nobody hurt", hard=True),
        F("{opx}气死了，在{district}办个营业执照跑了五趟，每次说的都不一样", "angry complaint about red tape", hard=True),
    ],
    "nuisance": [
        F("{opc}你们{district}的警察是不是都闲得没事干，我就打来骂两句", "caller abusing the line"),
        F("喂，美女，你叫什么名字，我在{city}，陪我聊会儿天呗", "harassing the call-taker"),
        F("来电人{past}起反复拨打110，无具体警情，言语辱骂接警员", "repeat abusive caller", ch="rec"),
        F("无聊 找人聊天 你们{district}值班的有几个人", "idle chat by text", ch="txt"),
        F("{opc}我问你，你们{city}的警察一个月工资多少，发不发奖金", "idle chat about salaries"),
        F("{opc}我是{city}的，考考你们，110接警员会不会唱歌，给我唱一首", "prank chat with call-taker"),
        F("{opx}笑死，我在{city}，就想问问警察叔叔吃饭了没，没别的事", "joking chat, no incident", hard=True),
        F("我要报警！我朋友{past}打游戏把我杀了三次，哈哈哈，开玩笑的", "'killed' in a video game, prank",
          hard=True),
    ],
    "misdial": [
        F("{opc}不好意思打错了，我本来想打{wrong}", "caller meant another number"),
        F("来电人称{past}系小孩玩手机误拨至110，家中一切正常，住{home}", "child misdial, confirmed fine", ch="rec"),
        F("喂？哦对不起，手机放兜里按到了，我在{place}，没事没事", "pocket dial"),
        F("来电人称在{lm}时手机紧急呼叫功能误触，经核实无警情", "emergency-SOS accidental trigger", ch="rec"),
        F("测试一下{city}短信报警能不能收到 没事 请忽略", "test message", ch="sms"),
        F("{lm}的报警柱被路过的小孩按了，家长说没事，孩子好奇", "alarm post pressed by child", ch="alarm_post"),
        F("{opc}对不起，孩子{now}拿我手机乱按打过去的，我们在{xq}，家里没事，没有人受伤", "child misdial, 'nobody hurt'",
          hard=True),
        F("笑死，我在{lm}，手机锁屏的时候按到紧急呼叫了，没事，不好意思", "joking tone accidental SOS", hard=True),
    ],
    "private_request": [
        F("{opc}能不能帮我充一下话费，我手机号{phone}，快停机了", "top-up request"),
        F("来电人要求民警上门帮其修家里的WiFi，称上不了网，地址{home}", "wifi repair request", ch="rec"),
        F("{opc}我喝多了打不到车，你们派个车送我回家吧，我在{lm}门口的长椅上坐着呢",
          "ride-home request from seated drunk caller"),
        F("帮我查一下我男朋友现在在哪 他手机号{phone} 不回我消息 怀疑在外面玩", "locate-boyfriend request, text", ch="txt"),
        F("报警人要求民警明早{wake}打电话叫他起床赶火车，称怕睡过头", "wake-up call request", ch="rec"),
        F("{opx}气死了，外卖晚了半小时还没到，送{home}的，你们能不能帮我催一下", "angry delivery chase request",
          hard=True),
        F("{opc}我家{goods}坏了，你们能不能派个人来帮我修一下，地址{home}", "household repair request"),
        F("{opx}笑死，打游戏输了，对面那个玩家好像也在{city}，能不能帮我查一下他是谁", "game rival lookup request", hard=True),
    ],
}

# --------------------------------------------------------------------------------------------


def load_labels() -> dict:
    for p in LABELS_CANDIDATES:
        if p.exists():
            return json.loads(p.read_text(encoding="utf-8"))
    sys.exit("labels.json not found")


def pick_channel(rng: random.Random, style: str) -> str:
    if style == "say":
        return rng.choices(["voice", "app", "wechat", "alarm_post"], weights=[84, 6, 5, 5])[0]
    if style == "rec":
        return rng.choices(["voice", "alarm_post", "app"], weights=[90, 5, 5])[0]
    if style == "txt":
        return rng.choices(["sms", "wechat", "app"], weights=[55, 25, 20])[0]
    return style


def label_for(cat: dict, lab: dict) -> tuple[str, list[str], int]:
    disp = lab.get("disp", cat["disposition"])
    dest = list(lab["dest"]) if "dest" in lab else list(cat["destinations"])
    for d in lab.get("add", []):
        if d not in dest:
            dest.append(d)
    pri = lab.get("pri", cat["priority"])
    if cat["disposition"] == "invalid":
        dest, pri = [], 4
    return disp, dest, pri


def tidy(text: str) -> str:
    text = text.replace("，，", "，").replace("。。", "。").replace("？，", "？")
    return text.strip()


def main() -> None:
    labels = load_labels()
    cats = labels["categories"]
    all_dest = set(labels["destinations"])
    codes = [c["code"] for c in cats]
    missing = [c for c in codes if c not in FRAMES]
    extra = [c for c in FRAMES if c not in codes]
    assert not missing and not extra, (missing, extra)

    rng = random.Random(SEED)
    seen: set[str] = set()
    items: list[dict] = []
    for cat in cats:
        frames = FRAMES[cat["code"]]
        made = 0
        order: list[int] = []
        fails: dict[int, int] = {}
        attempts = 0
        while made < PER_CATEGORY and attempts < PER_CATEGORY * 60:
            attempts += 1
            if not order:
                order = list(range(len(frames)))
                rng.shuffle(order)
            frame = frames[order[-1]]
            text = tidy(Slots(rng).expand(frame["t"]))
            if text in seen:
                fails[order[-1]] = fails.get(order[-1], 0) + 1
                if fails[order[-1]] > 40:  # this frame has run out of distinct texts
                    order.pop()
                continue  # retry the same frame with fresh slot values
            order.pop()
            seen.add(text)
            disp, dest, pri = label_for(cat, frame["lab"])
            items.append({
                "id": "",
                "text": text,
                "channel": pick_channel(rng, frame["ch"]),
                "category": cat["code"],
                "disposition": disp,
                "destinations": dest,
                "priority": pri,
                "hard": frame["hard"],
                "why": f"templated: {frame['why']}",
            })
            made += 1
    for n, item in enumerate(items, 1):
        item["id"] = f"TP-{n:04d}"

    # ---- validation ----
    dispositions = set(labels["dispositions"])
    got = Counter(i["category"] for i in items)
    assert set(got) == set(codes), "some category has no items"
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    texts = [i["text"] for i in items]
    assert len(texts) == len(set(texts)), "duplicate texts"
    for i in items:
        assert set(i["destinations"]) <= all_dest, (i["id"], i["destinations"])
        assert i["disposition"] in dispositions, i
        assert i["priority"] in (1, 2, 3, 4), i
        assert "{" not in i["text"] and "}" not in i["text"], i["text"]
        if i["disposition"] == "invalid":
            assert i["destinations"] == [] and i["priority"] == 4, i
        if i["disposition"] in ("police", "joint"):
            assert i["destinations"], i

    with open(OUT, "w", encoding="utf-8") as f:
        for i in items:
            f.write(json.dumps(i, ensure_ascii=False) + "\n")

    hard = Counter(i["category"] for i in items if i["hard"])
    for code in codes:
        print(f"{code:20s} {got[code]:3d}  (hard {hard[code]})")
    lengths = sorted(len(t) for t in texts)
    chans = Counter(i["channel"] for i in items)
    print(f"total {len(items)} items, {sum(hard.values())} hard, {len(codes)} categories")
    print(f"text length min {lengths[0]} median {lengths[len(lengths) // 2]} max {lengths[-1]}; "
          f"outside 15-80: {sum(1 for n in lengths if n < 15 or n > 80)}")
    print("channels:", dict(sorted(chans.items())))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
