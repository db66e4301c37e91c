using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hall.Server.Catalog;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Catalog;

/// <summary>The admin imports the hall's 政务服务事项清单 from the .xlsx or CSV the county keeps it in.</summary>
[TestFixture]
public sealed partial class CatalogImportTests() : HallFixture("catalogimport")
{
    private static readonly string[] Header = ["序号", "实施部门", "事项编码", "事项名称", "办理业务", "申请材料"];

    /// <summary>The demo hall's items as its list would have them: department, code, name, service, materials (one a line).</summary>
    private static readonly (string Department, string Code, string Name, string Service, string Materials)[] DemoItems =
    [
        ("县社会保险中心", "SB001", "城乡居民基本养老保险参保登记", "社保业务", "居民身份证\n户口簿"),
        ("县社会保险中心", "SB002", "养老保险待遇申领", "社保业务", "居民身份证\n银行卡"),
        ("县人力资源和社会保障局", "SB003", "社会保障卡申领", "社保业务", "居民身份证\n近期免冠照片"),
        ("县社会保险中心", "SB004", "职工参保登记", "社保业务", "营业执照\n劳动合同"),
        ("县医疗保障局", "YB001", "城乡居民医保参保登记", "医保业务", "居民身份证"),
        ("县医疗保障局", "YB002", "异地就医备案", "医保业务", "居民身份证\n异地居住证明"),
        ("县医疗保障局", "YB003", "门诊慢特病认定", "医保业务", "居民身份证\n病历资料\n诊断证明"),
        ("县不动产登记中心", "BDC001", "不动产首次登记", "不动产登记", "不动产登记申请书\n身份证明\n权属来源证明"),
        ("县不动产登记中心", "BDC002", "不动产转移登记", "不动产登记", "不动产登记申请书\n身份证明\n不动产权证书\n买卖合同"),
        ("县不动产登记中心", "BDC003", "抵押权登记", "不动产登记", "不动产权证书\n主债权合同\n抵押合同"),
        ("县不动产登记中心", "BDC004", "不动产登记资料查询", "不动产登记", "居民身份证"),
        ("县公安局", "HZ001", "居民身份证申领", "公安户政", "户口簿"),
        ("县公安局", "HZ002", "户口迁移", "公安户政", "户口簿\n居民身份证\n准迁证明"),
        ("县公安局", "HZ003", "出生登记", "公安户政", "出生医学证明\n父母户口簿\n结婚证"),
        ("国家税务总局新县税务局", "SW001", "增值税发票领用", "税务业务", "营业执照\n经办人身份证"),
        ("国家税务总局新县税务局", "SW002", "个人所得税汇算清缴", "税务业务", "居民身份证"),
        ("国家税务总局新县税务局", "SW003", "二手房交易税费申报", "税务业务", "买卖合同\n不动产权证书\n身份证明"),
        ("县市场监督管理局", "QY001", "企业设立登记", "市场监管/企业开办", "设立登记申请书\n公司章程\n股东身份证明\n住所证明"),
        ("县市场监督管理局", "QY002", "个体工商户登记", "市场监管/企业开办", "经营者身份证\n经营场所证明"),
        ("县市场监督管理局", "QY003", "食品经营许可", "市场监管/企业开办", "申请书\n营业执照\n食品安全管理制度"),
        ("县住房公积金管理中心", "GJJ001", "住房公积金提取", "住房公积金", "居民身份证\n购房合同或租房证明"),
        ("县住房公积金管理中心", "GJJ002", "住房公积金贷款", "住房公积金", "居民身份证\n婚姻证明\n购房合同\n收入证明"),
        ("县人力资源和社会保障局", "JY001", "就业创业证申领", "人社就业", "居民身份证"),
        ("县人力资源和社会保障局", "JY002", "失业保险金申领", "人社就业", "居民身份证\n解除劳动合同证明"),
        ("县民政局", "MZ001", "结婚登记", "民政婚姻", "双方户口簿\n双方身份证\n近期合影照片"),
        ("县民政局", "MZ002", "离婚登记", "民政婚姻", "双方户口簿\n双方身份证\n结婚证\n离婚协议书"),
        ("县民政局", "MZ003", "最低生活保障申请", "民政婚姻", "申请书\n居民身份证\n家庭收入证明"),
        ("县交通运输局", "JT001", "道路运输经营许可", "交通运输", "申请表\n营业执照\n车辆行驶证"),
        ("县交通运输局", "JT002", "从业资格证换证", "交通运输", "居民身份证\n原从业资格证"),
        ("县卫生健康委员会", "ZH001", "老年人优待证办理", "综合受理", "居民身份证\n近期免冠照片"),
        ("县残疾人联合会", "ZH002", "残疾人证申领", "综合受理", "居民身份证\n户口簿\n照片"),
        ("县退役军人事务局", "ZH003", "退役军人优待证申领", "综合受理", "居民身份证\n退役证明"),
        ("县政务服务和大数据管理局", "FY001", "办不成事反映", "办不成事反映", ""),
        ("县政务服务和大数据管理局", "QYJ001", "企业一件事一次办", "企业家会客厅", "营业执照"),
    ];

    private static readonly string[] OtherDepartments =
    [
        "县发展和改革委员会", "县教育局", "县科学技术局", "县工业和信息化局", "县司法局", "县财政局", "县自然资源局",
        "县生态环境分局", "县住房和城乡建设局", "县水利局", "县农业农村局", "县商务局", "县文化广电和旅游局", "县应急管理局",
        "县林业局", "县气象局", "县消防救援大队", "县供电公司", "县档案馆", "县城市管理局", "县统计局",
    ];

    private static readonly string[] ServiceNames =
        ["社保业务", "医保业务", "不动产登记", "公安户政", "税务业务", "市场监管/企业开办", "住房公积金", "人社就业", "民政婚姻", "交通运输", "综合受理"];

    private static readonly string[] Subjects = ["建设工程", "农药经营", "林木采伐", "取水", "排污", "职业技能", "档案查询", "户外广告", "烟草专卖", "道路挖掘", "气象探测", "教师资格"];
    private static readonly string[] Acts = ["许可", "备案", "变更登记", "注销", "年检", "证明开具"];

    private sealed record ListRow(string Department, string Code, string Name, string Service, string Materials);

    /// <summary>The county's list: 2,224 items of 35 departments under two title rows, departments merged down, blank rows between some groups, and six bad rows.</summary>
    internal sealed class CountyList
    {
        public required byte[] Bytes { get; init; }
        public required int Total { get; init; }
        public required Dictionary<string, (int Row, string Department)> Rows { get; init; }
        public required List<(int Row, string ReasonZh)> Bad { get; init; }

        public static CountyList Build()
        {
            var departments = DemoItems.Select(i => i.Department).Distinct().Concat(OtherDepartments).ToList();
            var groups = departments.ToDictionary(d => d, _ => new List<ListRow>());
            foreach (var i in DemoItems)
            {
                var row = new ListRow(i.Department, i.Code, i.Name, i.Service, i.Materials);
                // Three demo items change: a new name, new materials (numbered, separated by ；), another service.
                row = i.Code switch
                {
                    "SB001" => row with { Name = "城乡居民基本养老保险参保登记（含变更）" },
                    "BDC004" => row with { Materials = "1.居民身份证；2.授权委托书" },
                    "JT002" => row with { Service = "综合受理" },
                    _ => row,
                };
                groups[i.Department].Add(row);
            }
            const int NewItems = 2224 - 34 - 6;
            for (var n = 0; n < NewItems; n++)
            {
                var department = departments[n % departments.Count];
                // Some rows name the service by its code, as exports from other systems do.
                var service = n % 7 == 3 ? "jiuye" : ServiceNames[n % ServiceNames.Length];
                var materials = (n % 3) switch
                {
                    0 => "居民身份证\n户口簿",
                    1 => "1.申请书；2.营业执照",
                    _ => "",
                };
                groups[department].Add(new ListRow(department, $"XX{n + 1:D5}", $"{Subjects[n % Subjects.Length]}{Acts[n / Subjects.Length % Acts.Length]}{n + 1}", service, materials));
            }
            var bad = new (string Department, ListRow Row, string Reason)[]
            {
                ("县教育局", new("县教育局", "", "教育收费备案", "综合受理", ""), "缺少事项编码"),
                ("县司法局", new("县司法局", "BAD-NONAME", "", "综合受理", ""), "缺少事项名称"),
                ("县水利局", new("县水利局", "BAD-SERVICE", "河道采砂许可", "水利业务", ""), "没有“水利业务”这项业务"),
                ("县林业局", new("县林业局", "XX00001", "重复的事项", "综合受理", ""), "与第"),
                ("县商务局", new("县商务局", "BAD-LONG", new string('长', 201), "综合受理", ""), "事项名称超过 200 个字符"),
                ("县档案馆", new("县档案馆", "BAD-CONTROL", "档案\u0007查询", "综合受理", ""), "事项名称含有控制字符"),
            };
            foreach (var (department, row, _) in bad)
            {
                groups[department].Insert(groups[department].Count / 2, row);
            }

            var sheet = new List<object?[]?>
            {
                new object?[] { "新县政务服务事项清单（2026年版）" },
                new object?[] { "（共2224项，35个部门，2026年1月更新）" },
                Header,
            };
            var merges = new List<string> { "A1:F1", "A2:F2" };
            var rows = new Dictionary<string, (int, string)>();
            var badRows = new List<(int, string)>();
            var number = 0;
            foreach (var (department, index) in departments.Select((d, i) => (d, i)))
            {
                var first = sheet.Count + 1;
                foreach (var (row, k) in groups[department].Select((r, k) => (r, k)))
                {
                    // The department is written once, in the group's first row, and merged down over the group.
                    sheet.Add([++number, k == 0 ? department : null, row.Code.Length == 0 ? null : row.Code, row.Name.Length == 0 ? null : row.Name, row.Service, row.Materials.Length == 0 ? null : row.Materials]);
                    if (bad.FirstOrDefault(b => b.Row == row) is { Reason: not null } badRow)
                    {
                        badRows.Add((sheet.Count, badRow.Reason));
                    }
                    else
                    {
                        rows[row.Code] = (sheet.Count, department);
                    }
                }
                merges.Add($"B{first}:B{sheet.Count}");
                if (index % 10 == 9)
                {
                    sheet.Add(null);
                }
            }
            return new CountyList { Bytes = XlsxFile.Build(sheet, merges), Total = number, Rows = rows, Bad = badRows };
        }
    }

    private async Task<HttpClient> StaffAsync(string role, SeededHall? hall = null)
    {
        hall ??= Seeded;
        var login = hall.Credentials.Passwords.Keys.Single(k => k.EndsWith("-" + role, StringComparison.Ordinal));
        var http = new HttpClient { BaseAddress = App.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await App.LoginAsync(login, hall.Credentials.Passwords[login]));
        return http;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] bytes, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        return await http.PostAsync(new Uri("/api/admin/catalogue/import", UriKind.Relative), form);
    }

    private static async Task<string> StartAsync(HttpClient http, byte[] bytes, string fileName)
    {
        var response = await PostAsync(http, bytes, fileName);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private sealed record Polled(JsonElement Result, List<(string State, int Processed, int Total)> Seen);

    /// <summary>Polls the job as the admin's page does until it is no longer running.</summary>
    private static async Task<Polled> WaitAsync(HttpClient http, string id)
    {
        var seen = new List<(string, int, int)>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var response = await http.GetAsync(new Uri($"/api/admin/catalogue/import/{id}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            var json = JsonDocument.Parse(body).RootElement;
            var state = json.GetProperty("state").GetString()!;
            seen.Add((state, json.GetProperty("processed").GetInt32(), json.GetProperty("total").GetInt32()));
            if (state != "running")
            {
                return new Polled(json, seen);
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the import never finished");
            await Task.Delay(5);
        }
    }

    private static async Task<Polled> ImportAsync(HttpClient http, byte[] bytes, string fileName) =>
        await WaitAsync(http, await StartAsync(http, bytes, fileName));

    private static (int Added, int Updated, int Unchanged, int Total) Counts(JsonElement result) =>
        (result.GetProperty("added").GetInt32(), result.GetProperty("updated").GetInt32(), result.GetProperty("unchanged").GetInt32(), result.GetProperty("total").GetInt32());

    private static List<(int Row, string ReasonZh, string ReasonEn)> Rejected(JsonElement result) =>
        [.. result.GetProperty("rejected").EnumerateArray().Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("reasonZh").GetString()!, r.GetProperty("reasonEn").GetString()!))];

    [Test]
    public async Task The_countys_list_of_2224_items_is_imported_with_its_bad_rows_reported_and_importing_it_again_changes_nothing()
    {
        // A hall of its own, so that the other tests' items do not count here.
        await using var hall = await SeededHall.CreateAsync(App, "dahe");
        using var admin = await StaffAsync("admin", hall);
        var list = CountyList.Build();
        Assert.That(list.Total, Is.EqualTo(2224));
        // The admin has corrected two items' initials; the list renames one of them.
        await using (var db = App.Db())
        {
            await db.ServiceItems.Where(i => i.HallId == hall.HallId && (i.Code == "SB001" || i.Code == "SB002")).ExecuteUpdateAsync(u => u.SetProperty(i => i.Initials, "custom"));
        }

        var import = await ImportAsync(admin, list.Bytes, "新县政务服务事项清单（2026年版）.xlsx");

        var result = import.Result;
        Assert.That(result.GetProperty("state").GetString(), Is.EqualTo("done"), result.ToString());
        Assert.That(Counts(result), Is.EqualTo((2184, 3, 31, 2224)));
        var rejected = Rejected(result);
        Assert.That(rejected.Select(r => r.Row), Is.EqualTo(list.Bad.Select(b => b.Row)));
        foreach (var ((row, reason), got) in list.Bad.Zip(rejected))
        {
            Assert.That(got.ReasonZh, Does.Contain(reason), $"row {row}");
            Assert.That(got.ReasonEn, Is.Not.Empty, $"row {row}");
        }
        Assert.That(rejected.Single(r => r.ReasonZh.Contains("重复", StringComparison.Ordinal)).ReasonZh, Does.Contain($"第 {list.Rows["XX00001"].Row} 行"));

        // Progress: reported as the rows are saved, never going back, ending at the total.
        var processed = import.Seen.Select(s => s.Processed).ToList();
        Assert.That(processed, Is.Ordered.Ascending);
        Assert.That(processed[^1], Is.EqualTo(2224));
        Assert.That(import.Seen.Where(s => s.State == "running").Select(s => s.Processed), Has.Some.InRange(1, 2223), "progress seen between the start and the end");

        await using (var db = App.Db())
        {
            var items = await db.ServiceItems.AsNoTracking().Where(i => i.HallId == hall.HallId).ToDictionaryAsync(i => i.Code);
            var services = await db.Services.AsNoTracking().Where(s => s.HallId == hall.HallId).ToDictionaryAsync(s => s.Id);
            Assert.That(items, Has.Count.EqualTo(34 + 2184));
            foreach (var (code, (row, department)) in list.Rows)
            {
                Assert.That(items[code].Department, Is.EqualTo(department), $"{code} in row {row} takes its department from the merged cell");
            }
            var renamed = items["SB001"];
            Assert.That((renamed.Name, renamed.Initials), Is.EqualTo(("城乡居民基本养老保险参保登记（含变更）", PinyinInitials.Of("城乡居民基本养老保险参保登记（含变更）"))));
            Assert.That(items["SB002"].Initials, Is.EqualTo("custom"), "an item the list leaves as it is keeps the admin's initials");
            Assert.That(items["BDC004"].Materials, Is.EqualTo(new[] { "居民身份证", "授权委托书" }));
            Assert.That(services[items["JT002"].ServiceId].Name, Is.EqualTo("综合受理"));
            var added = items["XX00002"];
            Assert.That((added.Name, added.Initials, added.Materials), Is.EqualTo(("农药经营许可2", PinyinInitials.Of("农药经营许可2"), new List<string> { "申请书", "营业执照" })));
            Assert.That(items["XX00001"].Materials, Is.EqualTo(new[] { "居民身份证", "户口簿" }));
            Assert.That(items["XX00003"].Materials, Is.Empty);
            Assert.That(services[items["XX00004"].ServiceId].Code, Is.EqualTo("jiuye"), "a service named by its code");
            Assert.That(items.Keys, Has.None.StartsWith("BAD-"));
        }

        var before = await TableDump.AllAsync(App.ConnectionString);
        var again = await ImportAsync(admin, list.Bytes, "新县政务服务事项清单（2026年版）.xlsx");

        Assert.That(Counts(again.Result), Is.EqualTo((0, 0, 2218, 2224)));
        Assert.That(Rejected(again.Result).Select(r => r.Row), Is.EqualTo(list.Bad.Select(b => b.Row)));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    private static byte[] ListWithHeader(object?[]? header) =>
        XlsxFile.Build(
        [
            new object?[] { "新县政务服务事项清单（2026年版）" },
            header,
            new object?[] { 1, "县民政局", "HDR001", "婚姻登记档案查询", "民政婚姻", "居民身份证" },
            new object?[] { 2, "县民政局", "HDR002", "收养登记", "民政婚姻", "收养申请书" },
        ], ["A1:F1"]);

    private async Task AssertRefusedAsync(byte[] bytes, string fileName, string code, params string[] messageParts)
    {
        using var admin = await StaffAsync("admin");
        var before = await TableDump.AllAsync(App.ConnectionString);

        var result = (await ImportAsync(admin, bytes, fileName)).Result;

        Assert.That(result.GetProperty("state").GetString(), Is.EqualTo("refused"), result.ToString());
        var error = result.GetProperty("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
        foreach (var part in messageParts)
        {
            Assert.That(error.GetProperty("messageZh").GetString(), Does.Contain(part));
        }
        Assert.That(error.GetProperty("messageEn").GetString(), Is.Not.Empty);
        Assert.That(Counts(result), Is.EqualTo((0, 0, 0, result.GetProperty("total").GetInt32())));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before));
    }

    [Test]
    public Task A_list_without_a_header_row_is_refused_saying_where_it_was_looked_for() =>
        AssertRefusedAsync(ListWithHeader(null), "清单.xlsx", "catalogue_no_header", "第 1 至第 4 行", "事项编码", "事项名称");

    [Test]
    public Task A_header_without_the_service_column_is_refused_naming_its_row_and_where_the_column_goes() =>
        AssertRefusedAsync(ListWithHeader(["序号", "实施部门", "事项编码", "事项名称", "备注", "申请材料"]), "清单.xlsx", "catalogue_missing_column", "第 2 行", "办理业务", "G 列");

    [Test]
    public Task A_header_with_two_code_columns_is_refused_naming_both() =>
        AssertRefusedAsync(ListWithHeader(["事项编码", "实施部门", "事项代码", "事项名称", "办理业务", "申请材料"]), "清单.xlsx", "catalogue_duplicate_column", "第 2 行", "A 列", "C 列");

    [Test]
    public Task A_damaged_worksheet_is_refused_naming_the_row_where_it_breaks() =>
        AssertRefusedAsync(
            XlsxFile.Build(
                [
                    new object?[] { "新县政务服务事项清单" },
                    Header,
                    new object?[] { 1, "县民政局", "DMG001", "婚姻登记档案查询", "民政婚姻", null },
                    new object?[] { 2, "县民政局", "DMG002", "收养登记", "民政婚姻", null },
                ],
                replaceRow: r => r == 4 ? "<row r=\"4\"><c r=\"A4\"><v>2</c></row>" : null),
            "清单.xlsx", "catalogue_malformed_file", "第 4 行 A4 单元格");

    [Test]
    public Task A_workbook_cut_short_is_refused() =>
        AssertRefusedAsync(CountyList.Build().Bytes[..50_000], "清单.xlsx", "catalogue_malformed_file", "损坏");

    [Test]
    public Task A_CSV_with_an_unclosed_quote_is_refused_naming_the_row_and_column() =>
        AssertRefusedAsync(Encoding.UTF8.GetBytes("实施部门,事项编码,事项名称,办理业务\n县民政局,CSVQ1,\"收养登记,民政婚姻\n"), "清单.csv", "catalogue_malformed_file", "第 2 行", "C 列");

    [Test]
    public async Task An_old_xls_file_is_refused_at_once_with_a_request_to_save_it_as_xlsx()
    {
        using var admin = await StaffAsync("admin");
        byte[] xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[4000]];

        var response = await PostAsync(admin, xls, "新县政务服务事项清单.xls");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo("catalogue_xls_not_supported"));
        Assert.That(json.RootElement.GetProperty("messageZh").GetString(), Does.Contain("另存为").And.Contain(".xlsx"));
        Assert.That(json.RootElement.GetProperty("messageEn").GetString(), Does.Contain("save it as").And.Contain(".xlsx"));
    }

    [TestCase("GB18030", TestName = "A CSV saved by Excel on a Chinese Windows (GB18030) is imported")]
    [TestCase("UTF-8 BOM", TestName = "A CSV in UTF-8 with a byte-order mark is imported")]
    [TestCase("UTF-8", TestName = "A CSV in UTF-8 without a byte-order mark is imported")]
    public async Task A_CSV_is_imported_in_the_encoding_it_was_saved_in(string encoding)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        using var admin = await StaffAsync("admin");
        var prefix = encoding switch { "GB18030" => "GB", "UTF-8 BOM" => "BOM", _ => "U8" };
        var text =
            "新县政务服务事项清单（乡镇版）,,,,\r\n"
            + "部门,事项代码,事项名称,窗口业务,所需材料\r\n"
            + $"县农业农村局,{prefix}-001,农药经营许可证核发,综合受理,\"申请表\r\n营业执照\"\r\n"
            + "\r\n"
            + $"\"县市场监督管理局\",{prefix}-002,\"食品小作坊登记，含变更\",市场监管/企业开办,身份证；场所证明\r\n"
            + $"县民政局,{prefix}-003,殡葬补贴申领,不存在的业务,\r\n";
        byte[] bytes = encoding switch
        {
            "GB18030" => Encoding.GetEncoding(54936).GetBytes(text),
            "UTF-8 BOM" => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)],
            _ => Encoding.UTF8.GetBytes(text),
        };
        if (encoding == "GB18030")
        {
            Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes), "the GB18030 bytes are no valid UTF-8");
        }

        var result = (await ImportAsync(admin, bytes, $"清单-{prefix}.csv")).Result;

        Assert.That(result.GetProperty("state").GetString(), Is.EqualTo("done"), result.ToString());
        Assert.That(Counts(result), Is.EqualTo((2, 0, 0, 3)));
        Assert.That(Rejected(result).Select(r => (r.Row, r.ReasonZh)), Is.EqualTo(new[] { (6, "本大厅没有“不存在的业务”这项业务") }), "row numbers count the blank row");
        await using var db = App.Db();
        var items = await db.ServiceItems.AsNoTracking().Where(i => i.Code.StartsWith(prefix + "-")).OrderBy(i => i.Code).ToListAsync();
        Assert.That(items.Select(i => (i.Department, i.Name, string.Join("|", i.Materials))), Is.EqualTo(new[]
        {
            ("县农业农村局", "农药经营许可证核发", "申请表|营业执照"),
            ("县市场监督管理局", "食品小作坊登记，含变更", "身份证|场所证明"),
        }));
        Assert.That(items[0].Initials, Is.EqualTo(PinyinInitials.Of("农药经营许可证核发")));
    }

    [Test]
    public async Task The_halls_kiosk_is_told_after_an_import_and_fetches_the_new_items()
    {
        using var admin = await StaffAsync("admin");
        var kiosk = await Seeded.DeviceAsync("kiosk");
        var told = 0;
        kiosk.Connection.On(nameof(IHallClient.ServiceItemsChanged), () => Interlocked.Increment(ref told));
        var text = "部门,事项代码,事项名称,窗口业务,所需材料\r\n县农业农村局,NY-101,农机购置补贴申请,综合受理,申请表\r\n";

        var result = (await ImportAsync(admin, Encoding.UTF8.GetBytes(text), "清单-补贴.csv")).Result;

        Assert.That(result.GetProperty("state").GetString(), Is.EqualTo("done"), result.ToString());
        for (var until = DateTime.UtcNow.AddSeconds(10); told == 0; await Task.Delay(50))
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "the kiosk was not told within 10 s");
        var items = await kiosk.Connection.InvokeAsync<List<ServiceItemView>>(nameof(IHallHub.GetServiceItems));
        Assert.That(ItemSearch.Search(items, "njgzbt").Select(i => i.Name), Is.EqualTo(new[] { "农机购置补贴申请" }));
    }

    [Test]
    public async Task Only_the_admin_imports_and_only_the_admin_of_the_same_hall_reads_the_import()
    {
        var bytes = ListWithHeader(Header);
        using var anonymous = new HttpClient { BaseAddress = App.BaseAddress };
        Assert.That((await PostAsync(anonymous, bytes, "清单.xlsx")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var admin = await StaffAsync("admin");
        var id = await StartAsync(admin, bytes, "清单.xlsx");
        var uri = new Uri($"/api/admin/catalogue/import/{id}", UriKind.Relative);

        foreach (var role in new[] { "clerk01", "supervisor" })
        {
            using var staff = await StaffAsync(role);
            Assert.That((await PostAsync(staff, bytes, "清单.xlsx")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), role);
            Assert.That((await staff.GetAsync(uri)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), role);
        }
        await using var otherHall = await SeededHall.CreateAsync(App, "qitaxian");
        using var otherAdmin = await StaffAsync("admin", otherHall);
        Assert.That((await otherAdmin.GetAsync(uri)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        Assert.That((await WaitAsync(admin, id)).Result.GetProperty("state").GetString(), Is.EqualTo("done"));
    }
}
