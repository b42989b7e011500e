"""Invented but plausible names for the demo: common surnames, given-name characters, places."""

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_MALE = list("伟强军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋磊成建国志文德福贵春生才")
GIVEN_FEMALE = list("芳娜敏静丽艳娟霞秀英华慧巧美娅玲桂红梅琴云莲珍雪琳兰凤洁倩婷燕蓉萍")
VILLAGE_PARTS_A = list("石青红白黄新和平安兴龙凤金银桃柳松竹梅花枫桥河溪岩山坪坝湾岭塘沟庙坡堰井")
VILLAGE_PARTS_B = ["桥", "湾", "坝", "坪", "岭", "塘", "沟", "岩", "河", "溪", "山", "林", "园", "口", "田", "寨"]
COMMUNITY_PARTS = ["育才", "东城", "西城", "南坝", "北门", "新华", "城南", "滨河", "凤凰", "文昌", "光明", "人民"]
GROUP_NUMERALS = "一二三四五六七八九十"
# The seeds' real village names, under the real township they belong to (../shared/data/README.md).
SEED_VILLAGES = {
    "东乡街道": ["育才社区"],
    "天生镇": ["新芽村"],
    "峰城镇": ["仁义村"],
    "厂溪镇": ["柏坪村"],
    "龙泉土家族乡": ["高架村"],
}


def group_name(n: int) -> str:
    if n <= 10:
        return GROUP_NUMERALS[n - 1] + "组"
    return GROUP_NUMERALS[n // 10 - 1] + "十" + (GROUP_NUMERALS[n % 10 - 1] if n % 10 else "") + "组"
