using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Hall.Server.Reports.Excel;

/// <summary>
/// The workbook's styles part: a fixed set of fonts, fills and borders, and one cell format per <see cref="XlsxStyle"/>
/// the sheets use, numbered as they are first asked for.
/// </summary>
internal sealed class XlsxStyles
{
    // 宋体 comes with every Chinese Windows and with WPS; a CJK character in it is two digits wide, as the column widths assume.
    private const string FontName = "宋体";
    private const double FontSize = 11;
    private const double TitleSize = 16;
    // The red the PDF draws alerts in (PageItems.Alert).
    private const string AlertColor = "FFC62828";
    private const string HeaderFill = "FFD9D9D9";
    private const string TotalFill = "FFF2F2F2";

    private enum FontId : uint { Normal, Bold, Red, BoldRed, Title }

    // 0 and 1 are the two fills the format requires (none, gray125).
    private enum FillId : uint { None, Gray125, Header, Total }

    private enum BorderId : uint { None, Thin, TotalTop }

    // Built-in number formats need no entry of their own; custom ones are numbered from 164.
    private static readonly Dictionary<string, uint> BuiltIn = new(StringComparer.Ordinal)
    {
        ["0"] = 1,
        ["0.00"] = 2,
        ["#,##0"] = 3,
        ["#,##0.00"] = 4,
        ["0%"] = 9,
        ["0.00%"] = 10,
    };

    private const uint FirstCustomFormat = 164;

    private readonly Dictionary<XlsxStyle, uint> _formats = [];
    private readonly List<XlsxStyle> _order = [];

    /// <summary>The cell format index of this style (0 is the default format, a plain cell).</summary>
    public uint Index(XlsxStyle style)
    {
        if (style == default)
        {
            return 0;
        }
        if (!_formats.TryGetValue(style, out var index))
        {
            _order.Add(style);
            index = (uint)_order.Count;
            _formats[style] = index;
        }
        return index;
    }

    public Stylesheet Stylesheet()
    {
        var numberFormats = new Dictionary<string, uint>(BuiltIn, StringComparer.Ordinal);
        var custom = new List<NumberingFormat>();
        foreach (var code in _order.Select(s => s.NumberFormat).OfType<string>().Where(f => !numberFormats.ContainsKey(f)))
        {
            var id = FirstCustomFormat + (uint)custom.Count;
            numberFormats[code] = id;
            custom.Add(new NumberingFormat { NumberFormatId = id, FormatCode = code });
        }
        var stylesheet = new Stylesheet();
        if (custom.Count > 0)
        {
            stylesheet.Append(new NumberingFormats(custom) { Count = (uint)custom.Count });
        }
        stylesheet.Append(
            new Fonts(
                Font(bold: false, red: false, FontSize),
                Font(bold: true, red: false, FontSize),
                Font(bold: false, red: true, FontSize),
                Font(bold: true, red: true, FontSize),
                Font(bold: true, red: false, TitleSize))
            { Count = 5 },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                Solid(HeaderFill),
                Solid(TotalFill))
            { Count = 4 },
            new Borders(
                Border(sides: null, top: null),
                Border(BorderStyleValues.Thin, BorderStyleValues.Thin),
                Border(BorderStyleValues.Thin, BorderStyleValues.Medium))
            {
                Count = 3,
            },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats([new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 }, .. _order.Select(s => Format(s, numberFormats))])
            {
                Count = (uint)_order.Count + 1,
            },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        return stylesheet;
    }

    private static CellFormat Format(XlsxStyle style, Dictionary<string, uint> numberFormats)
    {
        var font = style.Role switch
        {
            XlsxRole.Title => FontId.Title,
            XlsxRole.Caption or XlsxRole.Header or XlsxRole.Total => style.Alert ? FontId.BoldRed : FontId.Bold,
            XlsxRole.Plain or XlsxRole.Data => style.Alert ? FontId.Red : FontId.Normal,
        };
        var (fill, border) = style.Role switch
        {
            XlsxRole.Header => (FillId.Header, BorderId.Thin),
            XlsxRole.Data => (FillId.None, BorderId.Thin),
            XlsxRole.Total => (FillId.Total, BorderId.TotalTop),
            XlsxRole.Plain or XlsxRole.Title or XlsxRole.Caption => (FillId.None, BorderId.None),
        };
        var numberFormat = style.NumberFormat is { } code ? numberFormats[code] : 0;
        var format = new CellFormat
        {
            NumberFormatId = numberFormat,
            FontId = (uint)font,
            FillId = (uint)fill,
            BorderId = (uint)border,
            FormatId = 0,
            ApplyNumberFormat = numberFormat != 0 ? true : null,
            ApplyFont = font != FontId.Normal ? true : null,
            ApplyFill = fill != FillId.None ? true : null,
            ApplyBorder = border != BorderId.None ? true : null,
        };
        if (Alignment(style) is { } alignment)
        {
            format.Append(alignment);
            format.ApplyAlignment = true;
        }
        return format;
    }

    private static Alignment? Alignment(XlsxStyle style) => style.Role switch
    {
        XlsxRole.Header => new Alignment { Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center, WrapText = true },
        // A value longer than its column (the widest is capped) goes on to another line rather than being cut off.
        XlsxRole.Data or XlsxRole.Total => new Alignment { Horizontal = Horizontal(style.Align), Vertical = VerticalAlignmentValues.Center, WrapText = true },
        XlsxRole.Caption => new Alignment { Vertical = VerticalAlignmentValues.Center, WrapText = true },
        XlsxRole.Plain or XlsxRole.Title => null,
    };

    private static HorizontalAlignmentValues Horizontal(CellAlign align) => align switch
    {
        CellAlign.Left => HorizontalAlignmentValues.Left,
        CellAlign.Right => HorizontalAlignmentValues.Right,
        CellAlign.Center => HorizontalAlignmentValues.Center,
    };

    private static Font Font(bool bold, bool red, double size)
    {
        var font = new Font();
        if (bold)
        {
            font.Append(new Bold());
        }
        font.Append(new FontSize { Val = size });
        if (red)
        {
            font.Append(new Color { Rgb = AlertColor });
        }
        // charset 134 (GB2312) tells Excel the font is a Chinese one.
        font.Append(new FontName { Val = FontName }, new FontCharSet { Val = 134 });
        return font;
    }

    private static Fill Solid(string argb) =>
        new(new PatternFill(new ForegroundColor { Rgb = argb }, new BackgroundColor { Indexed = 64 }) { PatternType = PatternValues.Solid });

    private static Border Border(BorderStyleValues? sides, BorderStyleValues? top)
    {
        return new Border(
            Side(new LeftBorder(), sides),
            Side(new RightBorder(), sides),
            Side(new TopBorder(), top),
            Side(new BottomBorder(), sides),
            new DiagonalBorder());

        static T Side<T>(T side, BorderStyleValues? style) where T : BorderPropertiesType
        {
            if (style is { } s)
            {
                side.Style = s;
                side.Append(new Color { Indexed = 64 });
            }
            return side;
        }
    }
}
