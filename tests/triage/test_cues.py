"""Each safety-cue family fires on its words and stays quiet when they are denied or a story."""

import pytest

from lifeline.triage.cues import FAMILIES, find_cues

# family: (a sentence where it is danger now, the same danger denied)
CASES = {
    "weapon": ("楼下那个男的拿着菜刀在追人", "他手里没有拿刀，就是嗓门大"),
    "threat": ("他说要弄死我全家，现在就在门口", "他没有说要杀人，就是骂了几句"),
    "violence": ("隔壁两个男的打起来了", "两个人吵了几句，没有打起来"),
    "injury": ("有个人倒在地上，头上一直流血", "两辆车刮了一下，没有人受伤"),
    "suicide": ("我真的不想活了，药都准备好了", "不是自杀，他就是喝多了睡着了"),
    "fire": ("对面楼三层着火了，火苗都窜出来了", "没有着火，是邻居烧菜糊了"),
    "gas": ("楼道里一股很浓的煤气味", "没有煤气味，就是想问燃气费怎么交"),
    "trapped": ("我们三个人被困在电梯里了", "没有人被困，电梯就是有点异响"),
    "missing": ("我家孩子放学到现在还没回家，找不到人", "孩子没有走失，已经在奶奶家找到了"),
    "held": ("他把我关在屋里不让我出门", "没有被关，是我自己不想出门"),
    "crowd": ("几十个工人围堵在厂门口，越来越多", "没有围堵，大家都散了"),
    "lying_on_road": ("有个醉汉躺在马路中间", "没有人躺在马路上，是一袋垃圾"),
    "unresponsive": ("我爸突然晕倒了，叫不醒", "他没有晕倒，就是有点头晕"),
    "hazard": ("路口有根电线掉下来了还在冒火花", "电线没有掉，就是路灯不亮"),
    "vulnerable": ("门被风关上了，三岁的孩子一个人在屋里，窗户开着", "窗户开着，不过孩子不在家，在幼儿园"),
}


def families(text, active=True):
    return {c.family for c in find_cues(text) if c.active == active}


def test_every_family_is_covered():
    assert set(CASES) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(CASES))
def test_cue_fires_when_said(family):
    assert family in families(CASES[family][0])


@pytest.mark.parametrize("family", sorted(CASES))
def test_cue_is_quiet_when_denied(family):
    assert family not in families(CASES[family][1])


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("上个月被人打了，现在想问问怎么验伤", "violence"),
        ("去年我家厨房着火了，现在想问问保险怎么赔", "fire"),
    ],
)
def test_past_events_are_not_danger_now(text, family):
    cues = [c for c in find_cues(text) if c.family == family]
    assert cues and all(c.past and not c.active for c in cues)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("我儿子打游戏打起来了，在屏幕里砍人", "violence"),
        ("电视剧里那个人跳楼了，太吓人", "suicide"),
        ("气死我了，这家店退款退了一个月", "suicide"),
    ],
)
def test_stories_and_figures_of_speech_are_not_danger(text, family):
    assert family not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "这个菜市场砍价太狠了",
        "电脑中毒了要杀毒",
        "火锅店油烟太大了",
        "我家狗走丢了",
        "钥匙锁在车里了",
        "炸鸡店排队太长",
    ],
)
def test_harmless_words_that_look_scary(text):
    assert not families(text)


@pytest.mark.parametrize(
    "text",
    ["商场门口的招牌被风吹得松动了，底下全是人", "高速超车道上有一个掉下来的轮胎", "小区门口路面塌下去一块，越来越大"],
)
def test_public_hazards_fire(text):
    assert "hazard" in families(text)


@pytest.mark.parametrize("text", ["小区水管爆了，停水一天了", "开车被电子眼拍了怎么交罚款", "树上掉下来一只小鸟"])
def test_everyday_outages_are_not_hazards(text):
    assert "hazard" not in families(text)


def test_hearsay_is_marked_and_kept():
    cues = find_cues("听说隔壁小区着火了")
    assert any(c.family == "fire" and c.hearsay and c.doubtful for c in cues)


def test_weak_cue_raises_doubt_without_overriding():
    cues = find_cues("救命啊，我家WiFi又断了")
    assert cues and all(not c.active and c.doubtful for c in cues)


@pytest.mark.parametrize("text", ["有没有人受伤？", "吵得都快打起来了", "万一着火怎么办"])
def test_questions_near_misses_and_worries_raise_doubt_not_alarm(text):
    cues = find_cues(text)
    assert cues and all(c.doubtful and not c.active for c in cues)


@pytest.mark.parametrize(
    "text",
    [
        "燃气灶打不着火了",
        "跳楼价清仓甩卖",
        "手机都要被打爆了",
        "打他电话没人接",
        "防走失手环在哪办",
        "房东说要砍掉一半押金",
        "我买的菜刀质量太差",
        "我们去讨薪，不闹事不打架",
    ],
)
def test_everyday_phrases_are_not_cues(text):
    assert not families(text)


@pytest.mark.parametrize(
    "text",
    [
        "打起来？没有没有，我就是想投诉装修",
        "打我？没有，他不会动手的",
        "接警员：有没有着火或者人受伤？报警人：那没有，就是吵",
        "他不敢打我，我就是想找人评评理",
        "积水半米，现场无车辆及人员被困",
        "手指受伤（现已愈合），老板不给工伤待遇",
        "孩子在商场走丢了十来分钟，已经找到了，想表扬保安",
        "摩天轮停了二十分钟把我们困在上头，现在已经下来了，我要退票",
    ],
)
def test_a_cue_denied_or_healed_in_other_words_does_not_count(text):
    assert not families(text)


@pytest.mark.parametrize(
    "text",
    [
        "房东扣押金不退",
        "房东扣押了我的身份证",
        "车被扣押了，问怎么拿回来",
        "门锁坏了，我被关在门外两个小时",
        "打他挪车电话也不接",
        "窗口的人说话跟吃了枪药似的",
        "有人私信找枪手代考",
        "租车公司把我的押金扣押了一个月",
        "小区门被大货车挡了，车都出不来",
        "一碗面八十块，这价格简直是抢钱",
        "地铁车厢空调不开，热得要爆炸",
    ],
)
def test_trade_terms_lockouts_and_idioms_are_not_cues(text):
    assert not families(text)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("他们扣押了我，不让我走", "held"),
        ("他打我？是的，刚才又打了", "violence"),
        ("接警员：有没有人受伤？报警人：有，头上在流血", "injury"),
        ("他又打我了你们知道吗？没人管吗", "violence"),
        ("他拿着枪站在门口", "weapon"),
        ("我被关在地下室里", "held"),
        ("我被人扣押了，手机也被拿走", "held"),
        ("孩子卡在里面出不来", "trapped"),
        ("刚才有人抢钱，往东跑了", "violence"),
        ("楼下爆炸了，玻璃全碎了", "fire"),
        ("电梯困人，已经出来一个，还有一个在里面", "trapped"),
        ("孩子走丢了，还没找到", "missing"),
    ],
)
def test_the_same_words_still_fire_when_meant(text, family):
    assert family in families(text)
