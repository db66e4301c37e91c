using Hall.Server.Catalog;
using MiniExcelLibs;

namespace Hall.Tests.Catalog;

/// <summary>How a catalogue file is read and its rows checked, without a server: the shapes lists come in.</summary>
public sealed class CatalogImportReadingTests
{
    private static readonly List<Service> Services =
    [
        new() { Id = 1, Code = "shebao", Name = "社保业务" },
        new() { Id = 2, Code = "minzheng", Name = "民政婚姻" },
    ];

    private static CatalogTable Read(byte[] bytes, CatalogFileKind kind = CatalogFileKind.Xlsx)
    {
        var (table, refusal) = CatalogFile.Read(bytes, kind);
        Assert.That(refusal, Is.Null, () => refusal!.MessageZh);
        return table!;
    }

    [Test]
    public void A_workbook_MiniExcel_saved_with_English_headers_is_read()
    {
        using var stream = new MemoryStream();
        stream.SaveAs(new[]
        {
            new Dictionary<string, object> { ["Department"] = "County Civil Affairs Bureau", ["Item code"] = "EN001", ["Item name"] = "Marriage registration", ["Service"] = "minzheng", ["Materials"] = "ID card; household register" },
            new Dictionary<string, object> { ["Department"] = "County Social Insurance Centre", ["Item code"] = 4105260000010001, ["Item name"] = "Pension claim", ["Service"] = "社保业务", ["Materials"] = "" },
        });

        var rows = Read(stream.ToArray()).Rows;

        Assert.That(rows.Select(r => (r.Row, r.Department, r.Code, r.Name, r.Service, r.Materials)), Is.EqualTo(new[]
        {
            (2, "County Civil Affairs Bureau", "EN001", "Marriage registration", "minzheng", "ID card; household register"),
            (3, "County Social Insurance Centre", "4105260000010001", "Pension claim", "社保业务", (string?)null),
        }));
    }

    [Test]
    public void A_workbook_with_a_notes_sheet_and_two_item_sheets_is_read_sheet_by_sheet()
    {
        string[] header = ["实施部门", "事项编码", "事项名称", "办理业务"];
        var bytes = XlsxFile.Build(
            new XlsxFile.Sheet("填表说明", [["请按表头填写，一个事项一行。"], ["事项编码：省级统一编码"]]),
            new XlsxFile.Sheet("行政许可", [["行政许可事项"], header, ["县民政局", "XK001", "婚姻登记", "民政婚姻"]], ["A1:D1"]),
            new XlsxFile.Sheet("公共服务", [header, null, ["县社会保险中心", "GG001", "社保卡补办", "社保业务"], ["县社会保险中心", "XK001", "重复的事项", "社保业务"]]));

        var rows = Read(bytes).Rows;

        Assert.That(rows.Select(r => (r.Sheet, r.Row, r.Code)), Is.EqualTo(new[] { ("行政许可", 3, "XK001"), ("公共服务", 3, "GG001"), ("公共服务", 4, "XK001") }));
        var seen = new Dictionary<string, CatalogRow>();
        var rejection = rows.Select(r => CatalogImport.Check(r, Services, seen).Rejection).ToList()[^1];
        Assert.That(rejection!.ReasonZh, Is.EqualTo("事项编码 XK001 与工作表“行政许可”第 3 行重复"));
        Assert.That(rejection.Sheet, Is.EqualTo("公共服务"));
    }

    [Test]
    public void A_header_with_remarks_stars_and_line_breaks_in_its_names_is_found()
    {
        var bytes = XlsxFile.Build(
        [
            ["新县政务服务事项清单"],
            ["*部门", "事项编码\n（省级统一）", "事 项 名 称", "办理业务（窗口）", "申请材料（多个用分号隔开）"],
            ["县民政局", "ＭＺ０１", "结婚登记", "民政婚姻", "1.户口簿\n2、身份证；（3）照片;①合影"],
        ]);

        var row = Read(bytes).Rows.Single();
        var (item, rejection) = CatalogImport.Check(row, Services, []);

        Assert.That(rejection, Is.Null);
        Assert.That((item!.Code, item.Name, item.ServiceId, item.Materials), Is.EqualTo(("MZ01", "结婚登记", 2, new List<string> { "户口簿", "身份证", "照片", "合影" })));
    }

    [Test]
    public void A_sheet_without_a_materials_column_leaves_materials_as_they_are()
    {
        var bytes = XlsxFile.Build([["部门", "事项编码", "事项名称", "业务"], ["县民政局", "MZ01", "结婚登记", "民政婚姻"]]);

        Assert.That(Read(bytes).Rows.Single().MaterialsGiven, Is.False);
    }

    [Test]
    public void A_sheet_formatted_down_to_its_last_row_is_read_to_the_end_of_its_data()
    {
        var bytes = XlsxFile.Build(new XlsxFile.Sheet("事项清单",
            [["部门", "事项编码", "事项名称", "业务"], ["县民政局", "MZ01", "结婚登记", "民政婚姻"], null, null],
            ReplaceRow: r => r == 4 ? "<row r=\"1048576\"><c r=\"A1048576\"/></row>" : null));

        Assert.That(Read(bytes).Rows.Select(r => r.Code), Is.EqualTo(new[] { "MZ01" }));
    }

    // Named, because a control character in a test's name is lost on the way to the test runner.
    [TestCase("县民政局\t", "结婚登记", null, "实施部门含有控制字符（如换行符）", TestName = "A tab in the department rejects the row")]
    [TestCase("县民政局", "结婚\n登记", null, "事项名称含有控制字符（如换行符）", TestName = "A line break in the name rejects the row")]
    [TestCase("县民政局", "结婚登记", "户口簿\u0001", "申请材料含有控制字符", TestName = "A control character in a material rejects the row")]
    [TestCase("县民政局", "结婚登记", "户口簿\n身份证", null, TestName = "Line breaks between materials are separators")]
    public void Control_characters_reject_a_row(string department, string name, string? materials, string? reason)
    {
        var row = new CatalogRow(null, 7, department, "MZ01", name, "民政婚姻", materials, true);

        var (item, rejection) = CatalogImport.Check(row, Services, []);

        Assert.That(rejection?.ReasonZh, Is.EqualTo(reason));
        Assert.That(rejection?.ReasonEn, reason is null ? Is.Null : Is.Not.Empty);
        Assert.That(item is null, Is.EqualTo(reason is not null));
    }
}
