using Hall.Server.Queue;

namespace Hall.Server.Admin;

/// <summary>
/// Checks a form field by field and refuses with the first field that breaks its rule, named in both languages:
/// "业务设置有误：号码前缀须为一个大写字母（A–Z）" rather than every rule of the form at once.
/// </summary>
public sealed class FieldRules(string code, string formZh, string formEn)
{
    /// <summary>The first broken rule, or null when every field passed.</summary>
    public Refusal? Refusal { get; private set; }

    /// <summary>Records the rule of a field; the first one broken is the refusal.</summary>
    public FieldRules Check(bool ok, string fieldZh, string fieldEn, string ruleZh, string ruleEn)
    {
        if (!ok && Refusal is null)
        {
            Refusal = Of(fieldZh, fieldEn, ruleZh, ruleEn);
        }
        return this;
    }

    /// <summary>A refusal naming one field, e.g. for a clash found in the database.</summary>
    public Refusal Of(string fieldZh, string fieldEn, string ruleZh, string ruleEn) =>
        new(code, $"{formZh}：{fieldZh}{ruleZh}，未作任何更改", $"{formEn}: the {fieldEn} {ruleEn}. Nothing was changed.");
}
