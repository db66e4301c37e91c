using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Devices;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Server.Staff;
using Hall.Server.Windows;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Halls;

/// <summary>What the demo seed created: logins with their generated passwords, device keys. Printed once; never stored in settings.</summary>
public sealed record DemoCredentials(int HallId, IReadOnlyDictionary<string, string> Passwords, IReadOnlyDictionary<string, string> DeviceKeys);

/// <summary>The demo hall 新县市民之家: services named after a county hall's departments, ~15 windows, items with materials.</summary>
public static class DemoHall
{
    public const string Code = "xinxian";

    private sealed record S(string Code, string Name, string En, char Prefix, int Cap, int Target, bool Priority);

    private static readonly S[] ServiceList =
    [
        new("shebao", "社保业务", "Social insurance", 'A', 300, 30, true),
        new("yibao", "医保业务", "Medical insurance", 'B', 300, 30, true),
        new("budongchan", "不动产登记", "Real estate registration", 'C', 200, 40, true),
        new("huzheng", "公安户政", "Household registration", 'D', 200, 30, true),
        new("shuiwu", "税务业务", "Taxation", 'E', 300, 30, true),
        new("qiye", "市场监管/企业开办", "Business start-up", 'F', 200, 30, true),
        new("gongjijin", "住房公积金", "Housing provident fund", 'G', 200, 30, true),
        new("jiuye", "人社就业", "Employment", 'H', 200, 30, true),
        new("minzheng", "民政婚姻", "Civil affairs and marriage", 'J', 150, 30, true),
        new("jiaotong", "交通运输", "Transport", 'K', 150, 30, true),
        new("zonghe", "综合受理", "Comprehensive acceptance", 'M', 400, 30, true),
        new("fanying", "办不成事反映", "Can't-get-it-done desk", 'N', 100, 15, false),
        new("qiyejia", "企业家会客厅", "Entrepreneurs' lounge", 'P', 100, 15, false),
    ];

    private static readonly (int Number, string Name, WindowKind Kind, string[] Services)[] WindowList =
    [
        (1, "社保窗口", WindowKind.Regular, ["shebao"]),
        (2, "社保窗口", WindowKind.Regular, ["shebao", "jiuye"]),
        (3, "医保窗口", WindowKind.Regular, ["yibao"]),
        (4, "不动产登记窗口", WindowKind.Regular, ["budongchan"]),
        (5, "不动产登记窗口", WindowKind.Regular, ["budongchan"]),
        (6, "公安户政窗口", WindowKind.Regular, ["huzheng"]),
        (7, "税务窗口", WindowKind.Regular, ["shuiwu"]),
        (8, "企业开办窗口", WindowKind.Regular, ["qiye"]),
        (9, "企业开办窗口", WindowKind.Regular, ["qiye", "shuiwu"]),
        (10, "公积金窗口", WindowKind.Regular, ["gongjijin"]),
        (11, "人社就业窗口", WindowKind.Regular, ["jiuye", "shebao"]),
        (12, "民政婚姻窗口", WindowKind.Regular, ["minzheng"]),
        (13, "综合受理窗口", WindowKind.Comprehensive, ["zonghe", "jiaotong", "yibao", "shebao"]),
        (14, "办不成事反映窗口", WindowKind.Special, ["fanying"]),
        (15, "企业家会客厅", WindowKind.Special, ["qiyejia", "qiye"]),
    ];

    /// <summary>The demo's clerks, one per window: names as a county hall's staff list has them.</summary>
    public static readonly string[] ClerkNames =
        ["王晓华", "李建军", "张秀英", "刘志强", "陈丽娟", "杨海涛", "赵晓燕", "黄建平", "周玉梅", "吴国庆", "徐静", "孙立新", "胡春燕", "朱建伟", "高淑兰"];

    private static readonly (string Code, string Name, string Department, string Service, string[] Materials)[] Items =
    [
        ("SB001", "城乡居民基本养老保险参保登记", "县社会保险中心", "shebao", ["居民身份证", "户口簿"]),
        ("SB002", "养老保险待遇申领", "县社会保险中心", "shebao", ["居民身份证", "银行卡"]),
        ("SB003", "社会保障卡申领", "县人力资源和社会保障局", "shebao", ["居民身份证", "近期免冠照片"]),
        ("SB004", "职工参保登记", "县社会保险中心", "shebao", ["营业执照", "劳动合同"]),
        ("YB001", "城乡居民医保参保登记", "县医疗保障局", "yibao", ["居民身份证"]),
        ("YB002", "异地就医备案", "县医疗保障局", "yibao", ["居民身份证", "异地居住证明"]),
        ("YB003", "门诊慢特病认定", "县医疗保障局", "yibao", ["居民身份证", "病历资料", "诊断证明"]),
        ("BDC001", "不动产首次登记", "县不动产登记中心", "budongchan", ["不动产登记申请书", "身份证明", "权属来源证明"]),
        ("BDC002", "不动产转移登记", "县不动产登记中心", "budongchan", ["不动产登记申请书", "身份证明", "不动产权证书", "买卖合同"]),
        ("BDC003", "抵押权登记", "县不动产登记中心", "budongchan", ["不动产权证书", "主债权合同", "抵押合同"]),
        ("BDC004", "不动产登记资料查询", "县不动产登记中心", "budongchan", ["居民身份证"]),
        ("HZ001", "居民身份证申领", "县公安局", "huzheng", ["户口簿"]),
        ("HZ002", "户口迁移", "县公安局", "huzheng", ["户口簿", "居民身份证", "准迁证明"]),
        ("HZ003", "出生登记", "县公安局", "huzheng", ["出生医学证明", "父母户口簿", "结婚证"]),
        ("SW001", "增值税发票领用", "国家税务总局新县税务局", "shuiwu", ["营业执照", "经办人身份证"]),
        ("SW002", "个人所得税汇算清缴", "国家税务总局新县税务局", "shuiwu", ["居民身份证"]),
        ("SW003", "二手房交易税费申报", "国家税务总局新县税务局", "shuiwu", ["买卖合同", "不动产权证书", "身份证明"]),
        ("QY001", "企业设立登记", "县市场监督管理局", "qiye", ["设立登记申请书", "公司章程", "股东身份证明", "住所证明"]),
        ("QY002", "个体工商户登记", "县市场监督管理局", "qiye", ["经营者身份证", "经营场所证明"]),
        ("QY003", "食品经营许可", "县市场监督管理局", "qiye", ["申请书", "营业执照", "食品安全管理制度"]),
        ("GJJ001", "住房公积金提取", "县住房公积金管理中心", "gongjijin", ["居民身份证", "购房合同或租房证明"]),
        ("GJJ002", "住房公积金贷款", "县住房公积金管理中心", "gongjijin", ["居民身份证", "婚姻证明", "购房合同", "收入证明"]),
        ("JY001", "就业创业证申领", "县人力资源和社会保障局", "jiuye", ["居民身份证"]),
        ("JY002", "失业保险金申领", "县人力资源和社会保障局", "jiuye", ["居民身份证", "解除劳动合同证明"]),
        ("MZ001", "结婚登记", "县民政局", "minzheng", ["双方户口簿", "双方身份证", "近期合影照片"]),
        ("MZ002", "离婚登记", "县民政局", "minzheng", ["双方户口簿", "双方身份证", "结婚证", "离婚协议书"]),
        ("MZ003", "最低生活保障申请", "县民政局", "minzheng", ["申请书", "居民身份证", "家庭收入证明"]),
        ("JT001", "道路运输经营许可", "县交通运输局", "jiaotong", ["申请表", "营业执照", "车辆行驶证"]),
        ("JT002", "从业资格证换证", "县交通运输局", "jiaotong", ["居民身份证", "原从业资格证"]),
        ("ZH001", "老年人优待证办理", "县卫生健康委员会", "zonghe", ["居民身份证", "近期免冠照片"]),
        ("ZH002", "残疾人证申领", "县残疾人联合会", "zonghe", ["居民身份证", "户口簿", "照片"]),
        ("ZH003", "退役军人优待证申领", "县退役军人事务局", "zonghe", ["居民身份证", "退役证明"]),
        ("FY001", "办不成事反映", "县政务服务和大数据管理局", "fanying", []),
        ("QYJ001", "企业一件事一次办", "县政务服务和大数据管理局", "qiyejia", ["营业执照"]),
    ];

    /// <summary>Words citizens say at the kiosk for items the catalogue names otherwise (搜索同义词): item codes, service codes.</summary>
    private static readonly (string Word, string[] Items, string[] Services)[] Synonyms =
    [
        ("社保卡", ["SB003"], []),
        ("退休", ["SB002"], []),
        ("医疗保险", [], ["yibao"]),
        ("户口", ["HZ002", "HZ003"], []),
        ("营业执照", ["QY001", "QY002"], []),
        ("开公司", ["QY001", "QYJ001"], []),
        ("低保", ["MZ003"], []),
        ("过户", ["BDC002", "SW003"], []),
    ];

    /// <summary>Seeds the demo hall into an empty database. Returns null when a hall already exists (under an advisory lock, so two servers seed once).</summary>
    public static async Task<DemoCredentials?> SeedIfEmptyAsync(HallDb db, DateTimeOffset now, bool openAllDay, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(7140001)", ct);
        if (await db.Halls.AnyAsync(ct))
        {
            return null;
        }
        var result = await SeedAsync(db, now, openAllDay, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    public static async Task<DemoCredentials> SeedAsync(HallDb db, DateTimeOffset now, bool openAllDay, CancellationToken ct, string code = Code)
    {
        var hall = new HallSite
        {
            Code = code,
            Name = "新县市民之家",
            Hours = openAllDay
                ? new WeeklyHours([.. Enum.GetValues<DayOfWeek>().Select(d => new DayHours(d, [new TimeRange(TimeOnly.MinValue, TimeOnly.MaxValue)]))])
                : WeeklyHours.CountyDefault,
            NoticeLine = "请携带有效身份证件，按叫号顺序到窗口办理。70岁以上老人、残疾人、军人、孕妇可取优先号。",
            Calendar =
            [
                new HallCalendarDay { Date = new DateOnly(2026, 10, 1), Open = false, Note = "国庆节" },
                new HallCalendarDay { Date = new DateOnly(2026, 10, 10), Open = true, Note = "国庆调休上班" },
                new HallCalendarDay { Date = new DateOnly(2027, 1, 1), Open = false, Note = "元旦" },
            ],
        };
        db.Halls.Add(hall);
        await db.SaveChangesAsync(ct);
        db.Halls.Add(new HallSite { Code = code + "-xinji", Name = "新集镇便民服务中心", ParentId = hall.Id });

        var services = ServiceList.Select((s, i) => new Service
        {
            HallId = hall.Id,
            Code = s.Code,
            Name = s.Name,
            NameEn = s.En,
            Prefix = s.Prefix,
            DailyCap = s.Cap,
            TargetWaitMinutes = s.Target,
            AcceptsPriority = s.Priority,
            SortOrder = i,
        }).ToDictionary(s => s.Code);
        db.Services.AddRange(services.Values);
        await db.SaveChangesAsync(ct);

        db.ServiceItems.AddRange(Items.Select(i => new ServiceItem
        {
            HallId = hall.Id,
            Code = i.Code,
            Name = i.Name,
            Department = i.Department,
            ServiceId = services[i.Service].Id,
            Materials = [.. i.Materials],
            Initials = PinyinInitials.Of(i.Name),
        }));
        db.SearchSynonyms.AddRange(Synonyms.Select(s => new SearchSynonym
        {
            HallId = hall.Id,
            Word = s.Word,
            ItemCodes = [.. s.Items],
            ServiceIds = [.. s.Services.Select(code => services[code].Id)],
        }));
        var windows = WindowList.Select(w => new Window
        {
            HallId = hall.Id,
            Number = w.Number,
            Name = w.Name,
            Kind = w.Kind,
            LedAddress = w.Number,
            // The special windows open when someone comes for them; the others are staffed all day.
            ExpectStaffed = w.Kind != WindowKind.Special,
            Services = [.. w.Services.Select((s, rank) => new WindowService { ServiceId = services[s].Id, Rank = rank })],
        }).ToList();
        db.Windows.AddRange(windows);

        var passwords = new Dictionary<string, string>();
        void AddStaff(string login, string name, StaffRole role, string? staffCode = null)
        {
            var password = Admin.AdminStore.NewPassword();
            passwords[login] = password;
            db.Staff.Add(new StaffMember { HallId = hall.Id, Login = login, Name = name, Role = role, StaffCode = staffCode, PasswordHash = StaffLogin.HashPassword(password) });
        }
        foreach (var (w, i) in WindowList.Select((w, i) => (w, i)))
        {
            // 工号 as halls print them on the window's name plate: ZW and a running number.
            AddStaff($"{code}-clerk{w.Number:D2}", ClerkNames[i % ClerkNames.Length], StaffRole.Clerk, $"ZW{101 + i:D4}");
        }
        AddStaff($"{code}-supervisor", "马主任", StaffRole.Supervisor);
        AddStaff($"{code}-admin", "系统管理员", StaffRole.Admin);
        await db.SaveChangesAsync(ct);

        var keys = new Dictionary<string, string>();
        var (kiosk, kioskKey) = await DeviceKeys.CreateAsync(db, hall.Id, "一楼大厅取号机1", DeviceRole.Kiosk, null, now, ct);
        keys["kiosk"] = kioskKey;
        var (display, displayKey) = await DeviceKeys.CreateAsync(db, hall.Id, "一楼大厅综合屏", DeviceRole.Display, null, now, ct);
        keys["display"] = displayKey;
        _ = (kiosk, display);
        foreach (var w in windows)
        {
            keys[$"evaluator{w.Number:D2}"] = (await DeviceKeys.CreateAsync(db, hall.Id, $"{w.Number}号窗口评价器", DeviceRole.Evaluator, w.Id, now, ct)).Key;
        }
        return new DemoCredentials(hall.Id, passwords, keys);
    }
}
