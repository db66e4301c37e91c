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

    protected Actor Actor { get; private set; } = null!;

    protected string? Message { get; set; }

    protected bool IsError { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Actor = HallAuth.ActorOf((await Auth.GetAuthenticationStateAsync()).User);
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>Shows what a change did (or why it was refused) and reads the page's data again.</summary>
    protected async Task ReportAsync(Refusal? refusal, string done)
    {
        IsError = refusal is not null;
        Message = refusal is null ? done : L.T(refusal.MessageZh, refusal.MessageEn);
        await LoadAsync();
    }
}
