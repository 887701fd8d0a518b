"""A call simulator for the demo: realistic calls, and a light hand on the rest of the desk.

Two parts:

* `calls(seed, start, rate)` is PURE: given a seed, a start time and a rate it yields `Call`s (when, channel,
  text, caller_number, lat, lon, …) with the category mix and the hourly curve below. No I/O, no clock.
* `run(...)` posts them to a running server (`POST /api/v1/reports`) with a call-taker's bearer token, and plays
  the rest of the desk lightly so the consoles and KPIs move: confirms the suggestion, sends the recommended unit,
  moves units en route / on scene / available, raises work orders for diverted calls and signs, handles and
  visits some of them. A failed request is printed in one short line and the run goes on.

The mix (shares of all calls to the 110 desk):

* Jilin 2019: 69.2 % of calls to 110 were non-police or invalid, so police + joint = 30.8 %.
* Guangzhou: 58.9 % of the non-police calls were diverted to 12345 and the departments, so divert =
  69.2 % × 58.9 % = 40.8 % and invalid = 28.4 %.
* Inside each disposition the categories are weighted the way desk reports describe them (traffic accidents,
  theft and fights lead police work; car moving, noise and disputes lead the diverted; misdials and nuisance
  the invalid).

The hourly curve follows the shape of published 110 hourly counts: fewest calls at 03–06, a rise from 07, a
plateau by day and the highest hours in the evening (19–22).
"""

from __future__ import annotations

import heapq
import http.client
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from lifeline.common import CHINA
from lifeline.demo import roads
from lifeline.demo.city import CITY_NAME, DEMO_SENDERS, DISTRICTS, District, district_at, posts, random_point
from lifeline.peering.peers import sign

POLICE_OR_JOINT = 0.308  # Jilin 2019: 69.2 % non-police or invalid
DIVERTED_OF_NON_POLICE = 0.589  # Guangzhou
DISPOSITION_SHARE = {
    "police": 0.258,
    "joint": POLICE_OR_JOINT - 0.258,
    "divert": round((1 - POLICE_OR_JOINT) * DIVERTED_OF_NON_POLICE, 4),
    "invalid": round((1 - POLICE_OR_JOINT) * (1 - DIVERTED_OF_NON_POLICE), 4),
}

# Relative weights of the categories inside each disposition.
CATEGORY_WEIGHTS: dict[str, dict[str, float]] = {
    "police": {
        "traffic_accident": 6.0,
        "theft": 4.5,
        "fight": 3.5,
        "fraud": 3.0,
        "public_order": 2.5,
        "domestic_violence": 1.5,
        "traffic_violation": 1.5,
        "missing_person": 1.2,
        "violent_crime": 0.8,
        "tip_off": 0.8,
        "sexual_offense": 0.3,
        "mass_incident": 0.2,
    },
    "joint": {
        "medical_emergency": 1.8,
        "fire": 1.2,
        "public_hazard": 0.8,
        "gas_leak": 0.5,
        "suicide_risk": 0.4,
        "disaster_rescue": 0.3,
    },
    "divert": {
        "car_moving": 6.5,
        "noise": 6.0,
        "dispute_neighbor": 4.0,
        "dispute_consumer": 4.0,
        "utility_outage": 3.5,
        "dispute_labor": 3.0,
        "dispute_property": 2.5,
        "municipal_facility": 2.5,
        "dispute_family": 2.0,
        "lost_property": 1.5,
        "lockout": 1.5,
        "environment_city": 1.3,
        "animal": 1.0,
        "consultation": 1.0,
        "service_complaint": 0.5,
    },
    "invalid": {"misdial": 12.0, "nuisance": 11.0, "private_request": 5.4},
}

# Calls per hour of the day, relative (the shape of published 110 hourly counts).
HOURLY = (
    3.0, 2.2, 1.6, 1.2, 1.0, 1.1, 1.8, 2.9, 4.0, 4.8, 5.2, 5.3,
    5.0, 4.8, 5.0, 5.1, 5.2, 5.4, 5.6, 5.9, 6.1, 5.7, 4.9, 3.9,
)  # fmt: skip

# Channels: mostly voice; 12110 SMS, WeChat, the app and one-button alarm posts for the rest.
CHANNELS = {"voice": 0.86, "sms": 0.05, "wechat": 0.04, "app": 0.03, "alarm_post": 0.02}

DEVICE_CHANNELS = frozenset({"app", "wechat", "alarm_post"})
# The channels that come in through a gateway of their own (when the simulator knows the demo's secrets).
CHANNEL_SENDERS = {"sms": "demo-sms", "app": "demo-app", "wechat": "demo-app", "alarm_post": "demo-posts"}
NUISANCE_NUMBER = "13912340110"  # one caller who rings again and again
NUISANCE_SHARE_OF_NUISANCE = 0.45  # of the nuisance calls, how many come from that number
REPEAT_SHARE = 0.12  # calls from a small pool of numbers that call back about their matter
REPEAT_POOL = 30


class Call(NamedTuple):
    when: datetime
    channel: str
    text: str
    caller_number: str
    lat: float  # where it happens (the place named; somewhere in the district when none is)
    lon: float
    category: str  # what the simulator meant; triage decides for itself
    disposition: str
    location_text: str  # as the call-taker typed it: abbreviated, sometimes mistyped
    precise: bool = False  # the text names a house, a crossing, an estate or a landmark (not a road alone)


# Parts the texts are composed of --------------------------------------------------------------------------

OPENERS = ("喂，", "喂，你好，", "你好，", "您好，", "喂喂，", "警察同志，", "那个，", "", "", "喂，110吗？")
CLOSERS = ("", "", "", "，谢谢。", "，麻烦快点。", "，你们管不管？", "，帮帮忙。", "，麻烦了。")
PEOPLE = ("一个老大爷", "一个中年男的", "一个外卖员", "一个年轻女孩", "一个老太太", "一个小学生", "一个快递员",
          "一个保安", "一个出租车司机", "一个孕妇", "一个环卫工人", "一个学生")  # fmt: skip
SUSPECTS = ("一个男的", "两个年轻男子", "一个光头男的", "一个戴口罩的男的", "一个穿黑衣服的人", "几个小青年",
            "一个戴帽子的男的", "一个瘦高个男的")  # fmt: skip
OBJECTS = ("手机", "钱包", "笔记本电脑", "金项链", "双肩包", "电动车电瓶", "平板电脑", "挎包", "自行车", "快递")
SMALL = ("钥匙", "身份证", "公交卡", "雨伞", "蓝牙耳机", "学生证", "眼镜", "充电宝", "行李箱", "驾驶证")
MONEY = ("500元", "800块", "1200元", "2000块", "3000元", "4800元", "6800元", "1万元", "两万块", "3.5万", "12万元")
WEAPONS = ("菜刀", "砍刀", "水果刀", "钢管", "木棍", "匕首")
VEHICLES = ("白色轿车", "黑色SUV", "面包车", "小货车", "出租车", "银色轿车", "电动车", "渣土车")
# What a crew says on the radio when it is done (处置反馈), with its outcome (vocabulary.FieldOutcome).
FIELD_RESULTS = (
    ("现场已处置完毕，当事人已带回派出所进一步处理。", "handled"),
    ("双方情绪稳定，经现场调解达成一致。", "mediated"),
    ("已移交辖区派出所刑侦中队跟进。", "handed_over"),
    ("到场后未发现报警所述情况，已回电报警人说明。", "nothing_found"),
    ("经核实为误报，已对报警人进行教育。", "false_report"),
)
NOW = ("刚才", "刚刚", "就刚才", "几分钟前", "现在", "这会儿")
PAST = ("昨晚十点多", "今天下午", "今天早上", "昨天夜里", "前天晚上", "上周五", "中午十二点多", "今天上午")
NIGHT = ("晚上十一点多", "半夜十二点", "凌晨一点", "晚上十点以后", "一大早六点")
GOODS = ("冰箱", "手机", "羽绒服", "电动车", "洗衣机", "空调", "运动鞋", "床垫", "热水器", "电视机", "预付卡")
SHOPS = ("健身房", "理发店", "培训机构", "餐馆", "美容院", "手机店", "家具城", "超市", "教育机构", "网吧")
NOISES = ("装修电钻", "广场舞音响", "烧烤摊", "KTV", "工地打桩", "酒吧音乐", "楼上拖椅子", "空调外机")
SURNAMES = "张王李刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
SECONDS = tuple(range(3, 91))
BACKGROUND = ("只听到呼吸声", "背景有电视声", "有风声和车声", "听到小孩在玩", "有嘈杂的人声", "只有电流声",
              "听到有人在远处说话", "一直没有声音")  # fmt: skip
WRONG = ("114查号码", "10086", "12315", "公司座机", "我老婆的电话", "快递员电话", "银行客服", "出租车公司",
         "物业电话", "外卖店电话", "120", "119")  # fmt: skip

# Templates per category. Slots: op ed place home road road2 estate landmark district who suspect obj small money
# weapon veh plate now past night goods shop noise sur n age phone secs bg wrong minutes floor.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "traffic_accident": (
        "{op}{place}两辆车追尾了，没有人受伤，车堵在路中间{ed}",
        "{op}我在{road}和{road2}路口被一辆{veh}刮了，对方要走，车牌{plate}{ed}",
        "{op}{now}在{place}电动车和{veh}撞了，人没事，就是车坏了，双方在争{ed}",
        "{op}{road}上一辆{veh}倒车把我的车撞了，司机不肯认{ed}",
    ),
    "theft": (
        "{op}我{obj}被偷了，{now}在{landmark}人多的地方被人扒走的{ed}",
        "{op}我停在{place}的电动车{now}被人偷了，监控能看到人{ed}",
        "{op}{past}家里被盗了，{home}门锁被撬，丢了{obj}和现金{money}{ed}",
        "{op}我放在{place}的{obj}被人拿走了，{past}还在的{ed}",
    ),
    "fight": (
        "{op}{place}有一群人在打架，打得很凶，快来！",
        "{op}我在{landmark}旁边吃夜宵，隔壁桌喝多了打起来了，椅子都砸了{ed}",
        "{op}{place}门口两伙人打起来了，大概{n}个人{ed}",
    ),
    "fraud": (
        "{op}我被骗了，{past}有人冒充客服让我转账，我转了{money}{ed}",
        "{op}网上刷单兼职，我先后转了{money}，现在对方把我拉黑了{ed}",
        "{op}有人冒充我儿子借钱，我已经转了{money}，怎么办{ed}",
        "{op}接到自称公安局的电话说我涉嫌洗钱，让我往安全账户转了{money}{ed}",
    ),
    "public_order": (
        "{op}{place}有个醉汉在闹事，砸店里的东西，拦着人不让走{ed}",
        "{op}{landmark}门口有人喝醉了拦车，还踢别人的车门{ed}",
        "{op}{place}有几个人无故辱骂路人、踢翻摊位{ed}",
    ),
    "domestic_violence": (
        "{op}我老公喝了酒在家打我，{now}还在砸东西，我在{home}",
        "{op}邻居家{now}传来女人哭喊和打人的声音，孩子也在哭，地址{home}",
        "{op}我爸又打我妈了，我们在{home}，快来人{ed}",
    ),
    "traffic_violation": (
        "{op}{road}上有辆{veh}一直逆行，车牌{plate}，太危险了{ed}",
        "{op}举报{place}有人酒后开车，车牌{plate}，刚从饭店出来{ed}",
        "{op}{road}和{road2}路口有辆{veh}乱停在人行道上挡住了盲道，车牌{plate}{ed}",
    ),
    "missing_person": (
        "{op}我家{age}岁的孩子在{landmark}走丢了，穿{cloth}，找了{minutes}分钟了{ed}",
        "{op}我家老人有老年痴呆，{past}出门到现在还没回来，最后在{place}看到的{ed}",
        "{op}我女儿放学一直没回家，电话也打不通，平时走{road}回{estate}{ed}",
    ),
    "violent_crime": (
        "{op}{place}有{suspect}拿着{weapon}在抢{who}的包，快来人啊！",
        "{op}我{now}在{place}被两个人持{weapon}抢走了{obj}，他们往{road2}方向跑了",
        "{op}{place}有人拿{weapon}追着人砍，快来！",
    ),
    "tip_off": (
        "{op}我想举报，{place}一个出租屋里天天晚上有人聚众赌博{ed}",
        "{op}举报{home}疑似有人吸毒，常有陌生人进出，楼道里有锡纸{ed}",
        "{op}{landmark}附近一家足浴店疑似有卖淫嫖娼活动{ed}",
    ),
    "sexual_offense": (
        "{op}我在{landmark}，有个男的一直摸我，下了车还跟着我{ed}",
        "{op}{place}有个男的对着女生露下体，人还没走{ed}",
    ),
    "mass_incident": (
        "{op}{place}聚了一百多人，把路都堵了，情绪很激动{ed}",
        "{op}{estate}门口有几十个人聚集讨薪，围堵项目部{ed}",
    ),
    "medical_emergency": (
        "{op}{place}有{who}突然倒在地上，叫不醒，快叫救护车！",
        "{op}我家老人在{home}突然胸口疼喘不上气，快来{ed}",
        "{op}{road}上{who}被车撞了，流了很多血，躺着不动{ed}",
    ),
    "fire": (
        "{op}着火了！{home}楼道里全是烟，{floor}楼有人被困{ed}",
        "{op}{place}一家店铺着火了，火很大，冒黑烟{ed}",
        "{op}{road}上一辆{veh}起火了，司机已经下来了{ed}",
    ),
    "public_hazard": (
        "{op}{road}上井盖不见了，晚上很黑，已经有人差点掉下去{ed}",
        "{op}{place}有棵大树倒在马路中间，挡住了路，车过不去{ed}",
        "{op}{landmark}旁边电线掉在地上还在冒火花{ed}",
    ),
    "gas_leak": (
        "{op}{home}楼道里有很大的燃气味，好像是漏气了{ed}",
        "{op}{place}一家餐馆门口燃气味特别浓，快来看看{ed}",
    ),
    "suicide_risk": (
        "{op}我朋友刚发消息说不想活了，他住在{home}，电话打不通{ed}",
        "{op}{landmark}楼顶有{who}坐在边上，好像要跳楼{ed}",
    ),
    "disaster_rescue": (
        "{op}{road}下穿隧道积水很深，有辆车被困在水里，里面还有人{ed}",
        "{op}{place}有人掉进河里了，在水里挣扎{ed}",
    ),
    "car_moving": (
        "{op}我车被一辆{veh}堵住了，车牌{plate}，在{place}，麻烦联系车主挪一下{ed}",
        "{op}{estate}地下车库我的车位被占了，车牌{plate}，麻烦帮忙叫车主挪车{ed}",
        "{op}{road}{num}号门口有辆车挡住我出门，车牌{plate}，打电话没人接{ed}",
    ),
    "noise": (
        "{op}{home}楼下{noise}天天吵到{night}，根本睡不着{ed}",
        "{op}投诉{place}的{noise}太吵了，{night}还在响{ed}",
        "{op}{estate}隔壁{noise}从早吵到晚，说了也不听{ed}",
    ),
    "dispute_neighbor": (
        "{op}楼上邻居家漏水渗到我家，跟他说了{days}都不修，在{home}{ed}",
        "{op}邻居把杂物堆在{estate}楼道里，说了好几次不听，想找人调解一下{ed}",
        "{op}对门邻居在门口装了摄像头对着我家门，沟通不了，在{home}{ed}",
    ),
    "dispute_family": (
        "{op}我和我哥为了老房子的事吵了{days}，想请社区帮忙调解一下{ed}",
        "{op}我儿子{days}不给赡养费，能不能找人调解{ed}",
    ),
    "dispute_labor": (
        "{op}老板欠我们{months}工资不给，在{place}的工地，一共{n}个人{ed}",
        "{op}公司{past}突然把我辞退了，不给补偿，工资也拖着{ed}",
        "{op}我在{landmark}旁边一家餐馆干了{months}，老板一直拖欠工资{ed}",
    ),
    "dispute_consumer": (
        "{op}我在{landmark}买的{goods}有质量问题，商家不给退{ed}",
        "{op}{place}那家{shop}办了卡交了{money}，现在关门跑路了{ed}",
        "{op}投诉{landmark}附近的{shop}，价格欺诈，标的价和结账不一样{ed}",
    ),
    "dispute_property": (
        "{op}{estate}物业{days}不管电梯坏了，老人上下楼很困难{ed}",
        "{op}我们{estate}物业乱收停车费，业主意见很大{ed}",
        "{op}房东不退押金，我在{home}租了一年，合同到期了{ed}",
    ),
    "utility_outage": (
        "{op}{estate}{now}停电了，整栋楼都没电，没看到通知{ed}",
        "{op}{home}停水{days}了，物业说不清楚什么时候来水{ed}",
        "{op}{estate}燃气{past}停了，到现在都没恢复，做不了饭{ed}",
    ),
    "municipal_facility": (
        "{op}{road}{num}号附近路灯坏了{days}，晚上很黑{ed}",
        "{op}{road}人行道的地砖翘起来了，已经有老人绊倒{ed}",
        "{op}{landmark}旁边的公厕{days}没人打扫，太脏了{ed}",
    ),
    "lost_property": (
        "{op}我{past}在{landmark}把{small}丢了，有没有人捡到交上来{ed}",
        "{op}坐出租车把{small}落在车上了，在{road}下的车{ed}",
    ),
    "lockout": (
        "{op}我把钥匙锁在家里了，在{home}，能帮忙找个开锁的吗{ed}",
        "{op}家门打不开了，钥匙断在锁里，在{home}{ed}",
    ),
    "animal": (
        "{op}{estate}有条流浪狗见人就叫，小孩都不敢出门{ed}",
        "{op}{home}家里进了一条蛇，不知道有没有毒{ed}",
        "{op}{landmark}附近有几条野狗在翻垃圾，挺吓人的{ed}",
    ),
    "environment_city": (
        "{op}{place}一家工厂{night}偷偷排烟，味道很刺鼻{ed}",
        "{op}{road}上有人乱倒建筑垃圾，堆了一大片{ed}",
        "{op}{estate}旁边的河沟发臭，水都变黑了{ed}",
    ),
    "consultation": (
        "{op}我想问一下身份证丢了去哪里补办{ed}",
        "{op}请问{district}的出入境办证大厅几点下班{ed}",
        "{op}想咨询一下居住证怎么办理，要带什么材料{ed}",
    ),
    "service_complaint": (
        "{op}我想投诉{district}政务大厅的工作人员态度很差{ed}",
        "{op}{past}去{landmark}旁边的办事窗口办事，排了半天说系统坏了{ed}",
    ),
    "misdial": (
        "{op}不好意思打错了，我是想打{wrong}的{nt}",
        "（接通后{bg}，约{secs}秒后挂断）",
        "{op}啊？打错了，对不起，我要找{wrong}",
        "（{bg}，无人说话，{secs}秒后挂断）",
    ),
    "nuisance": ("{op}{nz}{nt}", "{nz}{nt}", "{op}{nz}，{nz2}"),
    "private_request": (
        "{op}能帮我充一下话费吗，我手机没钱了{nt}",
        "{op}能不能帮我查一下{sur}的电话号码{nt}",
        "{op}你们能不能开车送我去{landmark}，打不到车{nt}",
        "{op}帮我叫个外卖吧，我在{home}",
        "{op}帮我看看{landmark}那边{goods}打不打折{nt}",
    ),
}

NUISANCE = ("我就想找人聊聊天", "没事，就试试110能不能打通", "你叫什么名字？你是哪里人", "我喝多了，就是想骂人",
            "我跟你讲个笑话，你别挂啊", "你们警察晚上也上班吗", "我睡不着，陪我说说话", "我中彩票了你信不信",
            "你们是真人还是机器", "我再打一次看你们接不接", "我举报我自己长得太帅", "今天天气怎么样")  # fmt: skip
IDLE_TAILS = ("", "", "，嘿嘿", "，你们忙不忙", "，今天好无聊", "，别挂啊", "，就这样吧", "，哈哈哈",
              "，我在家呢", "，你猜我是谁", "，我明天还打", "，好不好嘛")  # fmt: skip
CLOTHES = ("红色外套", "蓝色校服", "黄色羽绒服", "白T恤牛仔裤", "粉色裙子", "黑色卫衣", "绿色毛衣", "灰色运动服")
PROVINCE_PLATE = "粤"
PLATE_LETTERS = "ABCDEFGHJKLMNPQ"


def _plate(rng: random.Random) -> str:
    tail = [str(rng.randrange(10)) for _ in range(5)]
    if rng.random() < 0.4:
        tail[rng.randrange(5)] = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return f"{PROVINCE_PLATE}{rng.choice(PLATE_LETTERS)}·{''.join(tail)}"


def _phone(rng: random.Random) -> str:
    head = rng.choice(("138", "139", "135", "136", "150", "151", "158", "186", "187", "177", "199", "133"))
    return head + "".join(str(rng.randrange(10)) for _ in range(8))


class Where(NamedTuple):
    record: str  # what the desk records (示范市西山区西山路88号), before it is typed
    point: tuple[float, float]  # where it is (demo.roads: the truth a geocoder should find)
    precise: bool  # a house, a crossing, an estate or a landmark; not a road alone


def _crossing(rng: random.Random, d: District) -> tuple[str, str]:
    """Two roads of the district that cross: an east-west one and a north-south one (demo.roads), either first."""
    pair = [rng.choice(d.roads[0::2]), rng.choice(d.roads[1::2])]
    rng.shuffle(pair)
    return pair[0], pair[1]


def _place(rng: random.Random, d: District) -> tuple[str, Where]:
    """A place in the district as a caller says it, and where it is."""
    road, road2 = _crossing(rng, d)
    estate, landmark, street = rng.choice(d.estates), rng.choice(d.landmarks), rng.choice(d.streets)
    number, building = rng.randint(1, 388), rng.randint(1, 32)
    forms = (
        (f"{road}{number}号", lambda: roads.address_point(road, number)),
        (f"{road}和{road2}路口", lambda: roads.crossing_point(road, road2)),
        (f"{estate}{building}栋楼下", lambda: roads.place_point(estate)),
        (f"{landmark}门口", lambda: roads.place_point(landmark)),
        (f"{landmark}附近", lambda: roads.place_point(landmark)),
        (f"{street}{estate}小区门口", lambda: roads.place_point(estate)),
    )
    spoken, point = rng.choice(forms)
    said = d.name + spoken if rng.random() < 0.3 else spoken
    return said, Where(f"{CITY_NAME}{d.name}{spoken}", point(), True)


# How call-takers type in a hurry: a character that sounds the same, a suffix left off, numbers in words.
SOUNDS_ALIKE = dict(
    zip("枫林山石门青松文昌湖荷塘江沙滨港湾新华学院北站", "丰琳三十们清嵩闻常胡河堂疆莎宾岗弯心化雪苑贝战", strict=True)
)
CN_DIGITS = "零一二三四五六七八九"


def _in_words(number: int) -> str:
    """88 → 八十八, 305 → 三百零五, 110 → 一百一十 (as spoken)."""
    if number < 10:
        return CN_DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    tail = (
        ""
        if rest == 0
        else "零" + CN_DIGITS[ones]
        if tens == 0
        else CN_DIGITS[tens] + "十" + (CN_DIGITS[ones] if ones else "")
    )
    return CN_DIGITS[hundreds] + "百" + tail


def typed(rng: random.Random, record: str, district: District) -> str:
    """The record as a call-taker types it: often without the city or district, sometimes with a slip."""
    text = record.removeprefix(CITY_NAME)
    if rng.random() < 0.6:
        text = text.removeprefix(district.name)
    roll = rng.random()
    if roll < 0.12:  # one character typed by its sound
        names = [n for n in (*district.roads, *district.estates, *district.landmarks) if n in text]
        if names:
            name = rng.choice(names)
            slots = [i for i, c in enumerate(name) if c in SOUNDS_ALIKE]
            if slots:
                i = rng.choice(slots)
                text = text.replace(name, name[:i] + SOUNDS_ALIKE[name[i]] + name[i + 1 :], 1)
    elif roll < 0.24:  # the road's suffix left off before a number: 西山88号
        text = re.sub(r"(大道|路|街)(\d+号)", r"\2", text, count=1)
    elif roll < 0.32:  # numbers in words: 八十八号
        text = re.sub(r"(\d+)(号|栋)", lambda m: _in_words(int(m[1])) + m[2], text, count=1)
    elif roll < 0.38:  # full-width digits from a Chinese keyboard
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    elif roll < 0.46:  # a crossing said another way
        text = text.replace("和", rng.choice(("与", "交", "跟", "、")), 1).replace(
            "路口", rng.choice(("交叉口", "十字路口", "路口")), 1
        )
    elif roll < 0.52 and "地铁站" in text:
        text = re.sub(r"(\w{2})地铁站", r"地铁\1站" + rng.choice(("A口", "B口", "C出口", "")), text, count=1)
    return text


def _slots(rng: random.Random, d: District) -> tuple[dict[str, str], Where]:
    place, where = _place(rng, d)
    estate = rng.choice(d.estates)
    home = f"{estate}{rng.randint(1, 32)}栋{rng.randint(1, 6)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}"
    road, road2 = _crossing(rng, d)
    slots = {
        "op": rng.choice(OPENERS),
        "ed": rng.choice(CLOSERS),
        "place": place,
        "home": home,
        "road": road,
        "road2": road2,
        "estate": estate,
        "landmark": rng.choice(d.landmarks),
        "district": d.name,
        "who": rng.choice(PEOPLE),
        "suspect": rng.choice(SUSPECTS),
        "obj": rng.choice(OBJECTS),
        "small": rng.choice(SMALL),
        "money": rng.choice(MONEY),
        "weapon": rng.choice(WEAPONS),
        "veh": rng.choice(VEHICLES),
        "plate": _plate(rng),
        "now": rng.choice(NOW),
        "past": rng.choice(PAST),
        "night": rng.choice(NIGHT),
        "goods": rng.choice(GOODS),
        "shop": rng.choice(SHOPS),
        "noise": rng.choice(NOISES),
        "sur": rng.choice(SURNAMES) + rng.choice(("先生", "女士", "师傅")),
        "n": str(rng.randint(3, 30)),
        "num": str(rng.randint(1, 388)),
        "age": str(rng.randint(3, 9)),
        "cloth": rng.choice(CLOTHES),
        "minutes": str(rng.choice((10, 15, 20, 30, 40, 50))),
        "days": rng.choice(("三天", "一个星期", "半个月", "好几天", "两个月", "十来天")),
        "months": rng.choice(("两个月", "三个月", "四个月", "半年", "大半年")),
        "floor": str(rng.randint(2, 28)),
        "secs": str(rng.choice(SECONDS)),
        "bg": rng.choice(BACKGROUND),
        "wrong": rng.choice(WRONG),
        "nz": rng.choice(NUISANCE),
        "nz2": rng.choice(NUISANCE),
        "nt": rng.choice(IDLE_TAILS),
    }
    return slots, where


def _location(template: str, slots: dict[str, str], place: Where, d: District, rng: random.Random) -> Where | None:
    """Where the call is and what the desk records: the most precise place the text names; None when it names
    none (a call with no place is placed somewhere in its district, with nothing to record)."""
    if "{place}" in template:
        return place
    record = f"{CITY_NAME}{d.name}"
    if "{road}{num}号" in template:
        number = int(slots["num"])
        return Where(f"{record}{slots['road']}{number}号", roads.address_point(slots["road"], number), True)
    if "{road}和{road2}" in template:
        point = roads.crossing_point(slots["road"], slots["road2"])
        return Where(f"{record}{slots['road']}和{slots['road2']}路口", point, True)
    if "{home}" in template:
        estate = next(e for e in d.estates if slots["home"].startswith(e))
        return Where(f"{record}{slots['home']}", roads.place_point(estate), True)
    for slot in ("landmark", "estate"):
        if "{" + slot + "}" in template:
            return Where(f"{record}{slots[slot]}", roads.place_point(slots[slot]), True)
    if "{road}" in template:
        return Where(f"{record}{slots['road']}", roads.somewhere_on(slots["road"], rng), False)
    return None


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _text(rng: random.Random, template: str, channel: str, slots: dict[str, str]) -> str:
    if channel != "voice":
        slots = {**slots, "op": "", "ed": ""}
    text = template.format(**slots)
    if channel in ("sms", "wechat", "app"):
        text = text.replace("，", " ", rng.randint(0, 2)).rstrip("！。")
    elif channel == "alarm_post":
        text = f"（一键报警柱）{text}"
    return text


def hour_weight(hour: int) -> float:
    return HOURLY[hour] / (sum(HOURLY) / 24)


def calls(seed: int, start: datetime, rate: float, curve: bool = True) -> Iterator[Call]:
    """Calls from `start` on, `rate` per minute on average over a day (or flat when `curve` is False).

    Arrivals are a Poisson process; with `curve` its rate follows HOURLY (by thinning). Deterministic for a seed.
    """
    if rate <= 0:
        raise ValueError("rate must be positive")
    if start.tzinfo is None:
        start = start.replace(tzinfo=CHINA)
    rng = random.Random(seed)
    repeaters = [_phone(rng) for _ in range(REPEAT_POOL)]
    top = max(hour_weight(h) for h in range(24)) if curve else 1.0
    now = start
    dispositions = list(DISPOSITION_SHARE)
    shares = list(DISPOSITION_SHARE.values())
    while True:
        now += timedelta(minutes=rng.expovariate(rate * top))
        if curve and rng.random() > hour_weight(now.hour) / top:
            continue
        disposition = rng.choices(dispositions, weights=shares)[0]
        category = _weighted(rng, CATEGORY_WEIGHTS[disposition])
        yield one_call(rng, now, disposition, category, repeaters)


def one_call(rng: random.Random, when: datetime, disposition: str, category: str, repeaters=()) -> Call:
    """A call of `category`: its words, channel, number and place, drawn from the city."""
    channel = _weighted(rng, CHANNELS)
    if category in ("misdial", "nuisance", "private_request"):
        channel = "voice"  # the idle calls come by phone
    district = rng.choice(DISTRICTS)
    slots, place = _slots(rng, district)
    template = rng.choice(TEMPLATES[category])
    text = _text(rng, template, channel, slots)
    where = _location(template, slots, place, district, rng)
    lat, lon = where.point if where else random_point(district, rng)
    location = typed(rng, where.record, district) if where else ""
    precise = bool(where and where.precise)
    if category == "nuisance" and rng.random() < NUISANCE_SHARE_OF_NUISANCE:
        number = NUISANCE_NUMBER
    elif repeaters and rng.random() < REPEAT_SHARE:
        number = rng.choice(repeaters)
    else:
        number = _phone(rng)
    return Call(when, channel, text, number, lat, lon, category, disposition, location, precise)


# The runner ---------------------------------------------------------------------------------------------------


class ApiError(Exception):
    pass


class Client:
    """A small JSON client over one keep-alive connection (standard library only); reconnects after a failure."""

    def __init__(self, url: str, timeout: float = 10):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"服务地址无效 invalid server URL {url!r}: use http://host:port")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self.connection = kind(self.host, self.port, timeout=self.timeout)
        return self.connection

    def request(self, method: str, path: str, token: str | None = None, body: dict | None = None,
                raw: tuple[bytes, dict] | None = None):  # fmt: skip
        """JSON in and out; `raw` sends bytes with their own headers instead (a signed channel webhook)."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if raw is not None:
            data, more = raw
            headers.update(more)
        try:
            connection = self._connect()
            connection.request(method, path, body=data, headers=headers)
            answer = connection.getresponse()
            raw = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ApiError(f"{method} {path}: {exc.__class__.__name__} {exc}") from exc
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"detail": raw[:200].decode(errors="replace")}
        if answer.status >= 400:
            detail = payload.get("detail") if isinstance(payload, dict) else None
            raise ApiError(f"{method} {path} → {answer.status} {str(detail or '')[:160]}")
        return payload

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Tokens:
    """Bearer tokens of the people the simulator plays. Only the call-taker is required."""

    call_taker: str
    dispatcher: str | None = None
    hotline: str | None = None
    handler: str | None = None
    handler_org: str = "SCJG"  # the organisation of `handler`: its orders are handled by it
    supervisor: str | None = None  # reviews, warns and flags nuisance callers
    senders: dict[str, str] = field(default_factory=dict)  # the demo's channel gateways: name → signing secret


DEMO_USERS = {
    "call_taker": "jiejing", "dispatcher": "diaodu", "hotline": "rexian", "handler": "shichang", "supervisor": "zhiban",
}  # fmt: skip


def tokens_from_database(url: str | None) -> Tokens:
    """New tokens for the demo users, created directly in the server's database (the demo city must be seeded)."""
    from lifeline.auth.service import SYSTEM, create_token
    from lifeline.channels import service as channels
    from lifeline.store.engine import make_engine, session_factory, transaction

    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            made = {field: create_token(session, SYSTEM, name) for field, name in DEMO_USERS.items()}
            # The demo's gateways get fresh secrets that only this simulator knows.
            senders = {name: channels.rotate_secret(session, SYSTEM, name) for name in DEMO_SENDERS}
    finally:
        engine.dispose()
    return Tokens(**made, senders=senders)


@dataclass
class Stats:
    counts: Counter = field(default_factory=Counter)
    errors: int = 0
    last_error: str = ""

    def line(self) -> str:
        c = self.counts
        return (
            f"来电 calls {c['calls']} | 确认 confirmed {c['confirmed']} | 派警 assigned {c['assigned']} | "
            f"到场 on scene {c['on_scene']} | 处置 resolved {c['resolved']} | 工单 orders {c['orders']} | "
            f"签收 signed {c['signed']} | 办结 handled {c['handled']} | 回访 visited {c['visited']} | "
            f"走失 missing {c['missing']} | 标记 flagged {c['flagged']} | "
            f"错误 errors {self.errors}"
        )


SATISFACTION = {5: 0.55, 4: 0.25, 3: 0.1, 2: 0.07, 1: 0.03}


class Desk:
    """Plays the desk around the generated calls; every action is scheduled on one timeline and run in order."""

    def __init__(
        self,
        client: Client,
        tokens: Tokens,
        rng: random.Random,
        speed: float = 1.0,
        out: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client, self.tokens, self.rng, self.speed = client, tokens, rng, speed
        self.out, self.clock = out, clock
        self.stats = Stats()
        self.queue: list[tuple[float, int, Callable[[], None]]] = []
        self.seq = 0
        self.contacts: set[int] = set()  # contacts that came through a gateway

    # scheduling
    def later(self, low: float, high: float, action: Callable[[], None]) -> None:
        self.seq += 1
        due = self.clock() + self.rng.uniform(low, high) / self.speed
        heapq.heappush(self.queue, (due, self.seq, action))

    def run_due(self) -> None:
        while self.queue and self.queue[0][0] <= self.clock():
            _, _, action = heapq.heappop(self.queue)
            self._try(action)

    def next_due(self) -> float | None:
        return self.queue[0][0] if self.queue else None

    def _try(self, action: Callable[[], None]) -> None:
        try:
            action()
        except ApiError as exc:
            self.stats.errors += 1
            self.stats.last_error = str(exc)
            self.out(f"错误 error: {exc}")

    def _call(self, method: str, path: str, token: str | None, body: dict | None = None):
        return self.client.request(method, f"/api/v1{path}", token, body)

    def _signed(self, sender: str, path: str, body: bytes, content_type: str) -> dict:
        stamp = datetime.now(CHINA).isoformat()
        headers = {"Content-Type": content_type, "X-Lifeline-Sender": sender, "X-Lifeline-Timestamp": stamp,
                   "X-Lifeline-Signature": sign(self.tokens.senders[sender], stamp, body)}  # fmt: skip
        return self.client.request("POST", f"/api/v1{path}", raw=(body, headers))

    def _form(self, sender: str, path: str, field: str, part: dict) -> dict:
        boundary = f"demo{self.rng.getrandbits(64):x}"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(part, ensure_ascii=False)}\r\n--{boundary}--\r\n"
        )
        return self._signed(sender, path, body.encode(), f"multipart/form-data; boundary={boundary}")

    def arrive(self, call: Call) -> None:
        """A text, an app alarm or a press comes in through its gateway (signed), waits in the one queue, and a
        call-taker takes it and decides it; a voice call is typed by the call-taker as before."""
        self.seq += 1
        if call.channel == "sms":
            got = self._signed("demo-sms", "/channels/sms/inbound", json.dumps({
                "message_id": f"demo-{self.seq}-{self.rng.getrandbits(32):x}", "from": call.caller_number,
                "to": "12110", "text": call.text, "received_at": datetime.now(CHINA).isoformat()},
                ensure_ascii=False).encode(), "application/json")  # fmt: skip
        elif call.channel in ("app", "wechat"):
            got = self._form("demo-app", "/channels/app/alarms", "alarm", {
                "alarm_id": f"demo-{self.seq}-{self.rng.getrandbits(32):x}", "channel": call.channel,
                "text": call.text, "caller_number": call.caller_number, "lat": round(call.lat, 6),
                "lon": round(call.lon, 6), "accuracy_m": self.rng.choice((5, 12, 30)),
                "address": call.location_text or ""})  # fmt: skip
        else:
            code = self.rng.choice(posts())[0]
            got = self._form("demo-posts", f"/channels/posts/{code}/press", "press",
                             {"press_id": f"demo-{self.seq}-{self.rng.getrandbits(32):x}"})  # fmt: skip
        if got.get("status") == "duplicate" or got["contact_id"] in self.contacts:
            return  # a later text of a conversation already taken: the same incident, read again by triage
        self.contacts.add(got["contact_id"])
        self.stats.counts["calls"] += 1
        self.later(3, 10, lambda: self._answer(got["contact_id"], got["incident_id"]))

    def _answer(self, contact_id: int, incident_id: int) -> None:
        got = self._call("POST", f"/contacts/{contact_id}/take", self.tokens.call_taker)
        self.later(1, 4, lambda: self._confirm(incident_id, got.get("lat"), got.get("lon")))

    def heartbeats(self) -> None:
        """Each demo post says it is alive, every 30 seconds."""
        self.later(25, 30, self.heartbeats)
        for code, *_ in posts():
            self._signed("demo-posts", f"/channels/posts/{code}/heartbeat", b'{"status": {"camera": true}}',
                         "application/json")  # fmt: skip

    # the call-taker
    def take(self, call: Call) -> None:
        if call.channel in CHANNEL_SENDERS and CHANNEL_SENDERS[call.channel] in self.tokens.senders:
            self._try(lambda: self.arrive(call))
            return
        body = {"text": call.text, "channel": call.channel, "caller_number": call.caller_number}
        if call.channel in DEVICE_CHANNELS:  # the app, WeChat and an alarm post know where they are
            body.update(lat=round(call.lat, 6), lon=round(call.lon, 6))
        if call.location_text:
            body["location_text"] = call.location_text
        self._try(lambda: self._intake(body))

    def _intake(self, body: dict) -> None:
        got = self._call("POST", "/reports", self.tokens.call_taker, body)
        self.stats.counts["calls"] += 1
        incident = got["incident"]
        callback = incident["callback_required"]
        self.later(2, 6, lambda: self._confirm(incident["id"], incident.get("lat"), incident.get("lon"), callback))

    def _confirm(self, incident_id: int, lat, lon, callback: bool = False) -> None:
        if callback:
            # A silent or cut-off call is called back before anyone decides it (the desk's safety rule).
            note = self.rng.choice(("误拨，报警人称无事", "报警人称手机在口袋里误触", "小孩玩手机拨打，家长已致歉"))
            body = {"outcome": "reached", "note": note}
            self._call("POST", f"/incidents/{incident_id}/callbacks", self.tokens.call_taker, body)
            self.stats.counts["callbacks"] += 1
        got = self._call("POST", f"/incidents/{incident_id}/confirm", self.tokens.call_taker, {})
        self.stats.counts["confirmed"] += 1
        disposition = got["disposition"]
        if disposition in ("police", "joint") and self.tokens.dispatcher:
            self.later(3, 8, lambda: self._assign(incident_id, lat, lon, tries=4))
        # The decision raised its orders (a diverted matter's work order, a joint one's linkage orders).
        self.stats.counts["linkage" if disposition == "joint" else "orders"] += len(got["follow_up"]["orders"])
        if disposition == "divert":
            for order_id in got["follow_up"]["orders"]:
                self.later(2, 5, lambda order_id=order_id: self._work(order_id))
        elif disposition == "invalid":
            self.stats.counts["closed"] += 1
        held = got["follow_up"].get("consultation")
        if held:  # the owner is unclear: the desks agree on a three-party call, then 12345 takes it
            agreed = {"owner": "divert", "record": "三方通话商定由职能部门办理", "other_party": "12345 话务员",
                      "three_way": True}  # fmt: skip
            self.later(
                15, 40, lambda: self._call("POST", f"/consultations/{held}/agree", self.tokens.call_taker, agreed)
            )
        if got["category"] == "missing_person":
            self.later(5, 15, lambda: self._search(incident_id, lat, lon))

    def _move(self, incident_id: int, to: str, token: str | None) -> None:
        self._call("POST", f"/incidents/{incident_id}/transitions", token, {"to": to})
        self.stats.counts[to] += 1

    # the dispatcher and the unit
    def _assign(self, incident_id: int, lat, lon, tries: int) -> None:
        token = self.tokens.dispatcher
        items = self._call("GET", f"/incidents/{incident_id}/units", token)["items"]
        if not items:
            if tries > 1:
                self.later(10, 20, lambda: self._assign(incident_id, lat, lon, tries - 1))
            return
        unit = items[0]["unit"]
        try:
            self._call("POST", f"/incidents/{incident_id}/assign", token, {"unit": unit["id"]})
        except ApiError:
            if tries > 1:  # taken by someone else meanwhile: look again
                self.later(2, 5, lambda: self._assign(incident_id, lat, lon, tries - 1))
            raise
        self.stats.counts["assigned"] += 1
        home = (unit["lat"], unit["lon"])
        target = (lat, lon) if lat is not None and lon is not None else home
        self.later(1, 3, lambda: self._unit(unit["id"], "accepted", home))  # 接单
        self.later(4, 8, lambda: self._set_off(incident_id, unit["id"], home, target))

    def _set_off(self, incident_id: int, unit_id: int, home: tuple, target: tuple) -> None:
        """出发: the crew drives the fastest road route at road speeds, its locator reporting on the way; 到场 when
        the route's time is up (so the demo's arrival times are what the ETA said)."""
        self._unit(unit_id, "en_route", home)
        legs = roads.drive(home, target) if None not in home and None not in target else [(20.0, target)]
        for seconds, point in legs[:-1]:
            self.later(seconds, seconds, lambda point=point: self._position(unit_id, point))
        arrive = legs[-1][0]
        self.later(arrive, arrive, lambda: self._unit(unit_id, "on_scene", target))
        self.later(arrive + 45, arrive + 110, lambda: self._finish(incident_id, unit_id, home))

    def _position(self, unit_id: int, where: tuple) -> None:
        body = {"positions": [{"unit": unit_id, "lat": round(where[0], 6), "lon": round(where[1], 6)}]}
        self._call("POST", "/units/positions", self.tokens.dispatcher, body)
        self.stats.counts["positions"] += 1

    def _unit(self, unit_id: int, status: str, where: tuple) -> None:
        body = {"status": status}
        if None not in where:
            body.update(lat=round(where[0], 6), lon=round(where[1], 6))
        self._call("POST", f"/units/{unit_id}/status", self.tokens.dispatcher, body)
        self.stats.counts[status] += 1

    def _finish(self, incident_id: int, unit_id: int, home: tuple) -> None:
        """处置反馈 by radio (the result resolves the incident and frees the unit), then 结案."""
        result, outcome = self.rng.choice(FIELD_RESULTS)
        try:
            self._call(
                "POST", f"/units/{unit_id}/feedback", self.tokens.dispatcher, {"result": result, "outcome": outcome}
            )
            self.stats.counts["resolved"] += 1
            self.later(3, 10, lambda: self._move(incident_id, "closed", self.tokens.dispatcher))
        finally:
            self._unit(unit_id, "available", home)

    # the missing-person search (走失查找): a case from the call, its station, reviews, a sighting, mostly a find
    def _search(self, incident_id: int, lat, lon) -> None:
        case = self._call("POST", "/missing", self.tokens.call_taker, {"incident_id": incident_id})["case"]
        self.stats.counts["missing"] += 1
        token = self.tokens.dispatcher or self.tokens.call_taker
        district = district_at(lat, lon) if lat is not None and lon is not None else None
        station = (district or self.rng.choice(DISTRICTS)).station_code
        searchers = [f"{self.rng.choice(SURNAMES)}警官" for _ in range(2)]
        path = f"/missing/{case['id']}"

        def step(what: str, body: dict) -> Callable[[], None]:
            return lambda: self._call("POST", f"{path}/{what}", token, body)

        self.later(5, 15, step("assign", {"station": station, "searchers": searchers}))
        self.later(30, 90, step("reviews", {"note": self.rng.choice(REVIEWS)}))
        if lat is not None and lon is not None:
            near = [round(lat + self.rng.uniform(-0.004, 0.004), 6), round(lon + self.rng.uniform(-0.004, 0.004), 6)]
            seen = {"place": "群众提供线索", "lat": near[0], "lon": near[1], "source": self.rng.choice(WITNESSES),
                    "seen_at": datetime.now(CHINA).isoformat()}  # fmt: skip
            self.later(40, 120, step("sightings", seen))
        if self.rng.random() < 0.7:  # most are found within the hour; the rest stay on the board
            found = {"outcome": "found", "place": self.rng.choice(FOUND_AT), "note": "民警找到，情绪稳定"}
            self.later(120, 300, step("outcome", found))
            self.later(320, 420, step("safe-and-well", {"note": "已当面交还家属，身体无碍"}))

    # the supervisor: numbers that meet the nuisance criteria are reviewed, warned and flagged (never cut off)
    def nuisance_round(self) -> None:
        token = self.tokens.supervisor
        self.later(60, 60, self.nuisance_round)
        for item in self._call("GET", "/nuisance?limit=5", token)["items"]:
            path = f"/callers/{item['number']}/governance/steps"
            said = f"{item['false_calls']} 次虚假或骚扰来电，均为闲聊、试拨"
            self._call("POST", path, token, {"step": "review", "note": said})
            warned = {"step": "warning", "means": "call", "note": "已电话告诫，告知报假警的法律责任"}
            self._call("POST", path, token, warned)
            self._call("POST", path, token, {"step": "flag", "note": "标记：仍须正常接听研判", "exit_days": 90})
            self.stats.counts["flagged"] += 1

    # the hotline and the departments
    def _work(self, order_id: int) -> None:
        order = self._call("GET", f"/orders/{order_id}", self.tokens.call_taker)
        lead = order["orgs"][0]["org"] if order.get("orgs") else None
        token = self.tokens.handler if lead == self.tokens.handler_org and self.tokens.handler else self.tokens.hotline
        if token and self.rng.random() < 0.75:  # some stay in the inbox, so the consoles have work to show
            self.later(8, 30, lambda: self._step(order["id"], token, {"to": "signed"}, "signed"))
            if self.rng.random() < 0.8:
                self.later(40, 120, lambda: self._handle(order["id"], token))

    def _step(self, order_id: int, token: str, body: dict, counted: str) -> dict:
        got = self._call("POST", f"/orders/{order_id}/steps", token, body)
        self.stats.counts[counted] += 1
        return got

    def _handle(self, order_id: int, token: str) -> None:
        feedback = self.rng.choice(
            (
                "已联系来电人并到现场核实，问题已处理。",
                "已约谈相关方，达成一致，来电人表示认可。",
                "已安排工作人员上门处理完毕。",
                "已转交属地街道跟进，当日完成整改。",
            )
        )
        self._step(order_id, token, {"to": "handled", "feedback": feedback}, "handled")
        if self.tokens.hotline:
            self.later(10, 40, lambda: self._visit(order_id))

    def _visit(self, order_id: int) -> None:
        score = int(_weighted(self.rng, {str(k): v for k, v in SATISFACTION.items()}))
        got = self._step(order_id, self.tokens.hotline, {"to": "visited", "satisfaction": score}, "visited")
        if got["state"] == "visited":
            self.later(5, 15, lambda: self._step(order_id, self.tokens.hotline, {"to": "closed"}, "order_closed"))


# The long cases' opening scenes, so a new user sees each of them within minutes of `make demo`: a missing child,
# one number ringing to chat (the nuisance queue) and the same neighbours calling a fourth time (a governance case).
CHATTER = (
    "我就想找人聊聊天", "我睡不着，陪我说说话", "你们是真人还是机器",
    "我跟你讲个笑话，你别挂啊", "我再打一次看你们接不接",
)  # fmt: skip
NEIGHBOURS_NUMBER = "13822220110"
NEIGHBOURS = (
    "楼上邻居天天半夜跺地板、拖椅子，说了好几次都不听，想找人来调解一下",
    "又是楼上那家，半夜还在跺地板，上次说了还是这样，麻烦再来人调解",
    "楼上邻居又在半夜跺地板吵得睡不着，第三次打电话了，想请社区调解",
    "第四次打了，楼上还是半夜跺地板，调解过也没用，麻烦再派人来调解",
)


def opening(rng: random.Random, when: datetime) -> list[tuple[float, Call]]:
    """(seconds after the start, call) of the opening scenes."""
    scenes = [(6.0, one_call(rng, when, "police", "missing_person"))]
    lat, lon = random_point(DISTRICTS[1], rng)
    for n, text in enumerate(CHATTER):
        scenes.append((15.0 + 12 * n, Call(when, "voice", text, NUISANCE_NUMBER, lat, lon, "nuisance", "invalid", "")))
    home = f"{DISTRICTS[1].estates[0]}3栋"
    for n, text in enumerate(NEIGHBOURS):
        call = Call(when, "voice", text, NEIGHBOURS_NUMBER, lat, lon, "dispute_neighbor", "divert", home, True)
        scenes.append((20.0 + 15 * n, call))
    return scenes


REVIEWS = ("周边已搜，扩大到 1 公里", "已调取两处监控，正在查看", "已联系亲友，暂无消息", "已查询附近医院和救助站")
WITNESSES = ("环卫工人", "公交司机", "小区保安", "便利店店员", "路人")
FOUND_AT = ("公园长椅", "亲戚家", "地铁站", "附近超市", "学校门口")


def run(
    url: str,
    tokens: Tokens,
    rate: float,
    duration: float | None,
    seed: int = 110,
    speed: float = 1.0,
    curve: bool = False,
    out: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    status_every: float = 10.0,
) -> Stats:
    """Post calls to the server at `url` for `duration` seconds (None: until `stop` is set)."""
    stop = stop or threading.Event()
    client = Client(url)
    rng = random.Random(seed + 1)
    desk = Desk(client, tokens, rng, speed=speed, out=out)
    start_wall = datetime.now(CHINA)
    for after, scene in opening(rng, start_wall):
        desk.later(after, after, lambda scene=scene: desk.take(scene))
    if tokens.supervisor:
        desk.later(75, 75, desk.nuisance_round)
    if "demo-posts" in tokens.senders:
        desk.later(1, 2, desk.heartbeats)
    stream = calls(seed, start_wall, rate, curve=curve)
    t0 = time.monotonic()
    end = None if duration is None else t0 + duration
    upcoming = next(stream)
    next_status = t0 + status_every
    try:
        while not stop.is_set():
            now = time.monotonic()
            if end is not None and now >= end:
                break
            due = t0 + (upcoming.when - start_wall).total_seconds()
            if due <= now:  # one call, then whatever the desk has due, so neither starves the other
                desk.take(upcoming)
                upcoming = next(stream)
            desk.run_due()
            if now >= next_status:
                out(f"[{datetime.now(CHINA):%H:%M:%S}] {desk.stats.line()}")
                next_status = now + status_every
            if due <= time.monotonic():
                continue
            wake = min(x for x in (due, desk.next_due(), next_status, end) if x is not None)
            stop.wait(max(0.0, min(wake - time.monotonic(), 0.5)))
    finally:
        client.close()
    out(f"[{datetime.now(CHINA):%H:%M:%S}] 结束 done: {desk.stats.line()}")
    return desk.stats


def expected_shares() -> dict[str, float]:
    """The share of each category among all calls, from DISPOSITION_SHARE and CATEGORY_WEIGHTS."""
    shares = {}
    for disposition, weights in CATEGORY_WEIGHTS.items():
        total = sum(weights.values())
        for category, weight in weights.items():
            shares[category] = DISPOSITION_SHARE[disposition] * weight / total
    return shares
