using System.Globalization;
using Hall.Server.Complaints;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using ComplaintSteps = Hall.Server.Complaints.Complaints;

namespace Hall.Server.Web.Components.Pages;

/// <summary>
/// 有诉即办: the special window's clerk (or a supervisor) registers a complaint; the list (open ones first, overdue first)
/// shows each complaint's steps, and the next step for who may take it. A clerk sees the complaints they registered or were
/// assigned; a supervisor sees all, filters them and exports them to Excel. Keyboard first: forms submit with Enter.
/// </summary>
public sealed partial class ComplaintsPage
{
    [CascadingParameter]
    private Lang L { get; set; } = Lang.Chinese;

    [Inject]
    private ComplaintSteps Steps { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    private sealed class Form
    {
        public ComplaintChannel Channel { get; set; } = ComplaintChannel.Window;
        public string? Name { get; set; }
        public string? Mobile { get; set; }
        public ComplaintCategory Category { get; set; } = ComplaintCategory.CouldNotGetDone;
        public string? Department { get; set; }
        public string? Description { get; set; }
        public string? TicketNumber { get; set; }
        public DateOnly? TicketDate { get; set; }
        public bool AtMyWindow { get; set; }
    }

    private Actor _actor = null!;
    private ComplaintDesk? _desk;
    private List<ComplaintRow> _rows = [];
    private Form _form = new();
    private DateOnly? _filterFrom;
    private DateOnly? _filterTo;
    private string _filterState = "";
    private string _filterCategory = "";
    private readonly Dictionary<long, string?> _texts = [];
    private readonly Dictionary<long, string?> _assignDepartment = [];
    private readonly Dictionary<long, string?> _assignStaff = [];
    private readonly Dictionary<long, string?> _verdicts = [];
    private readonly Dictionary<long, string> _opened = [];
    private string? _message;
    private bool _error;

    protected override async Task OnInitializedAsync()
    {
        _actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _desk = await Steps.DeskAsync(_actor, CancellationToken.None);
        var rows = await Steps.ListAsync(_actor.HallId, Filter(), CancellationToken.None);
        // A clerk sees what they registered or must answer; the supervisor sees the hall's.
        _rows = _desk.IsSupervisor ? rows : [.. rows.Where(r => r.Complaint.RegisteredByStaffId == _actor.Id || r.Complaint.AssigneeStaffId == _actor.Id)];
        // A closed complaint's number is no longer kept: the page forgets the one it opened too.
        foreach (var closed in rows.Where(r => r.Complaint.ClosedAt is not null))
        {
            _opened.Remove(closed.Complaint.Id);
        }
    }

    private ComplaintFilter Filter() => new(_filterFrom, _filterTo,
        Enum.TryParse<ComplaintState>(_filterState, out var s) ? s : null,
        Enum.TryParse<ComplaintCategory>(_filterCategory, out var c) ? c : null,
        _filterState == "open" ? true : null);

    private string ExportHref
    {
        get
        {
            var q = new List<string>();
            if (_filterFrom is { } f)
            {
                q.Add("from=" + Day(f));
            }
            if (_filterTo is { } t)
            {
                q.Add("to=" + Day(t));
            }
            if (_filterState.Length > 0)
            {
                q.Add("state=" + _filterState);
            }
            if (_filterCategory.Length > 0)
            {
                q.Add("category=" + _filterCategory);
            }
            return "/api/complaints/export.xlsx" + (q.Count == 0 ? "" : "?" + string.Join("&", q));
        }
    }

    private async Task RegisterAsync()
    {
        var f = _form;
        var (added, refusal) = await Steps.RegisterAsync(_actor,
            new ComplaintForm(f.Channel, f.Name, f.Mobile, f.Category, f.Description, f.Department, f.AtMyWindow ? null : f.TicketNumber, f.TicketDate, f.AtMyWindow), CancellationToken.None);
        Say(refusal, added is null ? "" : L.T($"已登记 {added.Number}", $"Registered {added.Number}"));
        if (refusal is null)
        {
            _form = new Form();
        }
        await ReloadAsync();
    }

    private Task AssignAsync(Complaint c) => ApplyAsync(c.Id, Steps.AssignAsync(_actor, c.Id, _assignDepartment.GetValueOrDefault(c.Id) ?? c.Department,
        int.TryParse(_assignStaff.GetValueOrDefault(c.Id), NumberStyles.None, CultureInfo.InvariantCulture, out var staff) ? staff : null, CancellationToken.None), L.T("已交办", "Assigned"));

    private Task AnswerAsync(long id) => ApplyAsync(id, Steps.AnswerAsync(_actor, id, _texts.GetValueOrDefault(id), CancellationToken.None), L.T("已答复", "Answered"));

    private Task CallBackAsync(long id)
    {
        if (!Enum.TryParse<CallBackVerdict>(_verdicts.GetValueOrDefault(id), out var verdict))
        {
            Say(ComplaintSteps.UnknownVerdict, "");
            return Task.CompletedTask;
        }
        return ApplyAsync(id, Steps.CallBackAsync(_actor, id, verdict, _texts.GetValueOrDefault(id), CancellationToken.None), L.T("已记录回访", "Call-back recorded"));
    }

    private Task CloseAsync(long id) => ApplyAsync(id, Steps.CloseAsync(_actor, id, CancellationToken.None), L.T("已办结", "Closed"));

    /// <summary>The full number for the call-back, on this page only, once its opening is in the audit log.</summary>
    private async Task OpenContactAsync(long id)
    {
        var (mobile, refusal) = await Steps.OpenContactAsync(_actor, id, CancellationToken.None);
        Say(refusal, "");
        if (mobile is not null)
        {
            _opened[id] = mobile;
        }
    }

    private async Task ApplyAsync(long id, Task<Refusal?> step, string done)
    {
        var refusal = await step;
        Say(refusal, done);
        if (refusal is null)
        {
            _texts.Remove(id);
        }
        await ReloadAsync();
    }

    private void Say(Refusal? refusal, string done)
    {
        _error = refusal is not null;
        _message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
    }

    private string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _desk?.Zone ?? TimeZoneInfo.Utc).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
