// The demo city's category tree (事项分类, three levels, ≈15 first-level categories as in
// real 12345 taxonomies), who is responsible for each, and phrases to write citizens' texts.

/** Responsible unit: a bureau/utility by name, or the district / sub-district where it happens. */
export type Owner = 'district' | 'subdistrict' | (string & {});

export interface Level3 {
  name: string;
  /** Problem descriptions; a text combines place, time, problem, impact and request. */
  problems: string[];
  owner?: Owner;
}
export interface Level2 {
  name: string;
  items: Level3[];
  owner?: Owner;
}
export interface Level1 {
  name: string;
  owner: Owner;
  /** Relative frequency in the demo's order stream. */
  weight: number;
  children: Level2[];
}

const l3 = (name: string, problems: string[], owner?: Owner): Level3 => ({ name, problems, owner });

export const TAXONOMY: Level1[] = [
  {
    name: '城乡建设',
    owner: 'district',
    weight: 14,
    children: [
      {
        name: '市政设施',
        items: [
          l3('路灯', ['路灯不亮', '路灯白天一直亮着', '路灯杆倾斜有倒塌危险', '一排路灯忽明忽暗']),
          l3('道路破损', ['路面出现大坑', '人行道地砖松动翘起', '道路塌陷', '井盖缺失']),
          l3('排水', ['下水道堵塞污水外溢', '雨后路面严重积水', '雨水井盖破损']),
        ],
      },
      {
        name: '建筑施工',
        items: [
          l3('施工噪音', ['工地夜间施工噪音很大', '凌晨还在打桩', '周末一早就开始施工']),
          l3('施工扬尘', ['工地扬尘严重没有覆盖', '渣土车撒漏', '工地出口道路满是泥土']),
        ],
        owner: '市住房和城乡建设局',
      },
      { name: '违法建设', items: [l3('违建', ['楼顶私自加建房屋', '小区绿地被圈占搭建', '底商私自扩建门面'])] },
    ],
  },
  {
    name: '交通运输',
    owner: '市交通运输局',
    weight: 9,
    children: [
      {
        name: '公共交通',
        items: [
          l3('公交线路', ['公交车经常不按时发车', '公交车站距离太远希望增设站点', '末班车太早'], '市公交集团'),
          l3('出租车网约车', ['出租车司机拒载', '网约车绕路多收费', '出租车不打表']),
        ],
      },
      {
        name: '道路交通',
        items: [
          l3('交通信号', ['红绿灯故障不亮', '路口绿灯时间太短老人过不去', '信号灯配时不合理造成拥堵'], '市公安局'),
          l3('停车管理', ['小区周边乱停车堵塞消防通道', '占道停车严重', '停车场收费不明码标价']),
        ],
      },
    ],
  },
  {
    name: '环境保护',
    owner: '市生态环境局',
    weight: 8,
    children: [
      {
        name: '大气污染',
        items: [l3('餐饮油烟', ['楼下饭店油烟直排', '烧烤摊油烟呛人'], 'district'), l3('工业废气', ['工厂夜间偷排废气有刺鼻气味', '附近企业烟囱冒黑烟'])],
      },
      { name: '噪声污染', items: [l3('社会生活噪声', ['广场舞音响声音太大', '商铺高音喇叭促销', '酒吧深夜噪音扰民'], 'subdistrict')] },
      { name: '水污染', items: [l3('河道污染', ['河道发黑发臭', '有企业向河里排污水', '河面漂浮大量垃圾'])] },
    ],
  },
  {
    name: '劳动和社会保障',
    owner: '市人力资源和社会保障局',
    weight: 9,
    children: [
      {
        name: '劳动关系',
        items: [
          l3('拖欠工资', ['公司拖欠工资三个月', '工地老板拖欠农民工工资', '离职后公司不结算工资']),
          l3('劳动合同', ['公司不签劳动合同', '被公司无故辞退没有补偿']),
        ],
      },
      {
        name: '社会保险',
        items: [
          l3('养老保险', ['养老保险转移手续怎么办理', '养老金发放时间咨询', '补缴养老保险的政策']),
          l3('医疗保险', ['异地就医备案如何办理', '医保报销比例咨询', '新生儿医保怎么参保'], '市医疗保障局'),
          l3('失业保险', ['失业金申领条件', '失业保险金领取流程']),
        ],
      },
    ],
  },
  {
    name: '教育',
    owner: '市教育局',
    weight: 6,
    children: [
      { name: '入学招生', items: [l3('义务教育入学', ['孩子上小学的学区划分咨询', '随迁子女入学需要什么材料', '转学手续怎么办理'])] },
      { name: '校外培训', items: [l3('培训机构', ['培训机构倒闭不退学费', '培训机构违规收费'])] },
      { name: '学校管理', items: [l3('学校收费', ['学校乱收费', '学校强制订购教辅资料'])] },
    ],
  },
  {
    name: '卫生健康',
    owner: '市卫生健康委员会',
    weight: 6,
    children: [
      {
        name: '医疗服务',
        items: [l3('医院服务', ['医院挂号难', '医生态度不好', '医院收费不合理']), l3('医疗纠纷', ['手术后出现并发症医院推卸责任', '医院误诊'])],
      },
      { name: '公共卫生', items: [l3('疫苗接种', ['儿童疫苗接种预约咨询', '狂犬疫苗哪里可以打'])] },
    ],
  },
  {
    name: '市场监管',
    owner: '市市场监督管理局',
    weight: 8,
    children: [
      {
        name: '消费维权',
        items: [l3('商品质量', ['买到的电器质量有问题商家不退换', '网购商品与描述不符']), l3('预付卡', ['健身房关门跑路预付卡无法退款', '理发店办卡后倒闭'])],
      },
      { name: '食品安全', items: [l3('餐饮卫生', ['饭店卫生条件差吃完拉肚子', '超市销售过期食品', '无证摊贩售卖熟食'])] },
      { name: '价格监管', items: [l3('乱收费', ['停车场乱收费', '景区商店价格虚高'])] },
    ],
  },
  {
    name: '公共安全',
    owner: '市公安局',
    weight: 4,
    children: [
      { name: '治安管理', items: [l3('治安问题', ['小区频繁发生盗窃', '夜间有人聚众喧哗打架'])] },
      { name: '户籍管理', items: [l3('户口办理', ['新生儿落户流程咨询', '户口迁移需要什么材料', '身份证异地补办'])] },
    ],
  },
  {
    name: '城市管理',
    owner: '市城市管理局',
    weight: 10,
    children: [
      {
        name: '市容环卫',
        items: [
          l3('垃圾清运', ['垃圾桶满了好几天没人清运', '小区垃圾分类点臭气熏天', '建筑垃圾随意堆放'], 'subdistrict'),
          l3('占道经营', ['流动摊贩占道经营', '商户把货物摆到人行道上'], 'subdistrict'),
        ],
      },
      { name: '园林绿化', items: [l3('树木', ['行道树枝叶遮挡路灯', '大树倾斜有倒伏危险', '绿化带缺少养护杂草丛生'])] },
    ],
  },
  {
    name: '住房保障与物业',
    owner: 'district',
    weight: 9,
    children: [
      {
        name: '物业管理',
        items: [l3('物业服务', ['物业不作为电梯经常坏', '物业乱收停车费', '物业不公开公共收益']), l3('电梯', ['电梯经常困人', '老旧小区加装电梯咨询'])],
      },
      { name: '住房保障', items: [l3('公租房', ['公租房申请条件咨询', '公租房排队多久能分到'], '市住房和城乡建设局')] },
      { name: '房产交易', items: [l3('不动产登记', ['房产证办理进度查询', '开发商逾期不办房产证'], '市自然资源和规划局')] },
    ],
  },
  {
    name: '水电气热',
    owner: '市自来水公司',
    weight: 8,
    children: [
      { name: '供水', items: [l3('停水', ['小区突然停水没有通知', '自来水发黄有异味', '水压太低高层用不上水'])] },
      { name: '供电', items: [l3('停电', ['频繁停电', '电压不稳家电烧坏'], '市供电公司')], owner: '市供电公司' },
      { name: '燃气', items: [l3('燃气', ['闻到燃气泄漏的味道', '燃气开户需要什么材料', '燃气费突然变高'], '市燃气集团')], owner: '市燃气集团' },
      { name: '供暖', items: [l3('供暖', ['暖气不热室温太低', '供暖费收费标准咨询'], '市热力公司')], owner: '市热力公司' },
    ],
  },
  {
    name: '民政',
    owner: '市民政局',
    weight: 4,
    children: [
      { name: '社会救助', items: [l3('低保', ['低保申请条件咨询', '低保金没有按时发放'])] },
      { name: '养老服务', items: [l3('养老', ['高龄津贴如何申请', '社区养老服务站收费咨询'])] },
    ],
  },
  {
    name: '文化旅游',
    owner: '市文化广电和旅游局',
    weight: 3,
    children: [
      { name: '旅游服务', items: [l3('旅游投诉', ['旅行团强制购物', '景区门票价格不合理'])] },
      { name: '文化市场', items: [l3('娱乐场所', ['网吧接纳未成年人', 'KTV深夜噪音扰民'])] },
    ],
  },
  {
    name: '农业农村',
    owner: '市农业农村局',
    weight: 2,
    children: [{ name: '农村管理', items: [l3('农村问题', ['村里道路坑洼不平', '土地流转费用没有发放'])] }],
  },
  {
    name: '政务服务',
    owner: '市政务服务和大数据管理局',
    weight: 5,
    children: [
      {
        name: '办事咨询',
        items: [
          l3('证照办理', ['营业执照办理流程咨询', '办事窗口排队太久', '网上办事系统无法登录']),
          l3('住房公积金', ['公积金提取条件咨询', '公积金贷款额度怎么算'], '市住房公积金管理中心'),
        ],
      },
    ],
  },
];

export const BUREAUS = [
  '市住房和城乡建设局',
  '市交通运输局',
  '市生态环境局',
  '市人力资源和社会保障局',
  '市教育局',
  '市卫生健康委员会',
  '市市场监督管理局',
  '市公安局',
  '市城市管理局',
  '市民政局',
  '市文化广电和旅游局',
  '市农业农村局',
  '市自然资源和规划局',
  '市医疗保障局',
  '市住房公积金管理中心',
  '市政务服务和大数据管理局',
];
export const UTILITIES = ['市自来水公司', '市供电公司', '市燃气集团', '市热力公司', '市公交集团'];

export const DISTRICTS = ['青山区', '江北区', '河西区', '东湖区', '南山区', '高新区', '临江县', '白石县'];
export const SUBDISTRICT_ROOTS = [
  '新华',
  '朝阳',
  '建设',
  '人民',
  '滨江',
  '长青',
  '红旗',
  '和平',
  '光明',
  '东风',
  '胜利',
  '金桥',
  '望湖',
  '锦绣',
  '桃源',
  '凤凰',
  '龙泉',
  '文昌',
  '石门',
  '清河',
  '柳湾',
  '北塔',
  '南湖',
  '西关',
];
export const COMMUNITY_ROOTS = ['幸福', '康乐', '阳光', '花园', '翠苑', '书香', '明珠', '枫林', '丽景', '春晖'];
export const ROADS = [
  '人民路',
  '解放路',
  '建设路',
  '滨江大道',
  '中山路',
  '新华路',
  '朝阳路',
  '青年路',
  '和平路',
  '长江路',
  '文化路',
  '北京路',
  '体育路',
  '学府路',
  '工业大道',
];
export const PLACES = ['小区', '菜市场', '公交站', '学校门口', '商业街', '公园', '十字路口', '老旧小区', '工地', '超市'];
export const TIMES = ['最近一周', '每天晚上十点以后', '从上个月开始', '今天早上', '连续三天', '这两天', '周末', '已经半个多月', '昨天夜里', '近期'];
export const IMPACTS = ['严重影响居民休息', '老人孩子出行很不安全', '给周边居民生活带来很大不便', '存在安全隐患', '多次反映未得到解决', '群众意见很大', ''];
export const ASKS = [
  '希望有关部门尽快处理。',
  '请相关部门核实并给予答复。',
  '请尽快解决，谢谢！',
  '多次反映未解决，请督促落实。',
  '请问应该怎么办？',
  '希望给个说法。',
];
export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
export const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '建华', '桂兰'];
/** A unit's replies, by what the citizen asked for: a problem fixed on the spot, a question answered, a suggestion or praise passed on. */
export const FIELD_REPLIES = [
  '经现场核查，问题属实，已安排人员处理完毕。',
  '已联系相关责任单位，于三个工作日内整改到位。',
  '经核实，已责令责任方立即整改，并将持续跟踪。',
];
export const NOISE_REPLIES = [...FIELD_REPLIES, '已协调施工单位调整作业时间，夜间停止高噪音作业。', '已现场劝导并责令降低音量，将加强夜间巡查。'];
export const CONSULT_REPLIES = [
  '已向市民详细解释相关政策，市民表示理解。',
  '已电话联系市民，告知办理流程、所需材料和办理地点。',
  '已告知市民相关规定和咨询电话，市民表示清楚。',
];
export const SUGGESTION_REPLIES = ['感谢市民的建议，已转相关部门研究，将在后续工作中参考采纳。'];
export const PRAISE_REPLIES = ['已将市民的表扬转达相关单位和人员，感谢市民的支持。'];
/** Problems that are about noise (their replies may speak of working hours and volume). */
const NOISY = /噪|音响|扰民|吵|喧哗/;

/** What a unit may reply to an order of this type about this problem. */
export function repliesFor(type: string, problem: string): readonly string[] {
  if (type === 'consultation') return CONSULT_REPLIES;
  if (type === 'suggestion') return SUGGESTION_REPLIES;
  if (type === 'praise') return PRAISE_REPLIES;
  return NOISY.test(problem) ? NOISE_REPLIES : FIELD_REPLIES;
}
export const RETURN_REASONS = ['该事项不属于本单位职责范围', '地址不在本辖区，请重新派单', '应由行业主管部门办理'];

// Contacts per hour of the day (a working-hours double hump) and per weekday (Mon..Sun).
export const HOURLY = [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5.2, 5.6, 4.8, 3.2, 3.6, 4.9, 5.0, 4.6, 3.8, 2.6, 2.1, 1.8, 1.4, 0.9, 0.5];
export const WEEKDAY = [1.18, 1.08, 1.04, 1.02, 1.0, 0.78, 0.72];
