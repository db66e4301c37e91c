using Hall.Server.Admin;
using Hall.Server.Queue;
using Hall.Server.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Hall.Server.Web.Components.Pages.Admin;

/// <summary>What every admin page shares: the signed-in admin, the store, and one status line for the last change.</summary>
public abstract class AdminPage : ComponentBase
{
    [CascadingParameter]
    protected Lang L { get; set; } = Lang.Chinese;

    [Inject]
    protected AdminStore Store { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Auth { get; set; } = null!;

    /// <summary>The admin, acting for the hall chosen in the address (<c>?hall=</c>): their own, or a township site under it.</summary>
    protected Actor Actor { get; private set; } = null!;

    [SupplyParameterFromQuery(Name = "hall")]
    public int? HallParameter { get; set; }

    protected List<(int Id, string Name)> ManagedHalls { get; private set; } = [];

    /// <summary>The hall acted for; 0 until the page has read who is signed in (the first render comes before).</summary>
    protected int ActingHallId => Actor?.HallId ?? 0;

    /// <summary>True once the page's data has been read: before that nothing typed could survive the first read.</summary>
    protected bool Loaded { get; private set; }

    protected string? Message { get; set; }

    protected bool IsError { get; set; }

    /// <summary>The row the last message belongs to (e.g. <c>device-3</c>), shown under that row; null for the top of the page.</summary>
    protected string? MessageAt { get; set; }

    /// <summary>The message line at the top of the page: only when the message belongs to no row.</summary>
    protected string? TopMessage => MessageAt is null ? Message : null;

    protected override async Task OnParametersSetAsync()
    {
        var me = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        ManagedHalls = await Store.ManagedHallsAsync(me, default);
        Actor = await Store.ActingForAsync(me, HallParameter, default) ?? me;
        await LoadAsync();
        Loaded = true;
    }

    protected abstract Task LoadAsync();

    /// <summary>Shows what a change did and reads the page's data again — or why it was refused, keeping what the admin typed.</summary>
    protected async Task ReportAsync(Refusal? refusal, string done, string? at = null)
    {
        MessageAt = at;
        IsError = refusal is not null;
        Message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
        if (refusal is null)
        {
            await LoadAsync();
        }
    }
}
