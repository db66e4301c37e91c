using System.Globalization;

namespace Hall.Server.Web;

/// <summary>How names are listed to people: Chinese collation, and the numbers in them by value (2号 before 10号).</summary>
public static class DisplayOrder
{
    public static readonly StringComparer Names = StringComparer.Create(CultureInfo.GetCultureInfo("zh-CN"), CompareOptions.NumericOrdering);
}
