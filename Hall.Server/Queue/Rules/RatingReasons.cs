namespace Hall.Server.Queue;

/// <summary>One reason a citizen may give for 不满意 / 非常不满意, under the national offline indicator it belongs to.</summary>
public sealed record RatingReason(string Indicator, string Zh, string En);

/// <summary>
/// The reasons offered after a bad rating, the same on the window's evaluator and on the citizen's phone. They follow the
/// national 好差评 content for 线下评价 (国办发〔2019〕51号, GB/T 39734): its indicators 服务效率, 服务水平, 办事便捷度 and
/// 服务态度, with 其他 for anything else. The list is fixed, not the hall's to edit, so every hall's figures and uploads
/// name the same reasons; a rating carrying any other text is refused.
/// </summary>
public static class RatingReasons
{
    public static readonly IReadOnlyList<RatingReason> National =
    [
        new("服务效率", "等候时间长", "Waited too long"),
        new("服务效率", "办理时间长", "Took too long to handle"),
        new("服务水平", "未一次性告知", "Not told everything at once"),
        new("服务水平", "业务不熟练", "The clerk did not know the business"),
        new("办事便捷度", "要求重复提交材料", "Asked for the same papers again"),
        new("办事便捷度", "需多次跑动", "Had to come back several times"),
        new("服务态度", "服务态度差", "Unfriendly or impatient"),
        new("服务态度", "推诿扯皮", "Passed from one desk to another"),
        new("其他", "其他", "Other"),
    ];

    private static readonly HashSet<string> Known = [.. National.Select(r => r.Zh)];

    public static bool IsNational(string reason) => Known.Contains(reason);

    /// <summary>The reason's English words, for the English screens and exports; the stored reason is the Chinese one.</summary>
    public static string English(string reason) => National.FirstOrDefault(r => r.Zh == reason)?.En ?? reason;
}
