using System.Globalization;
using System.Net;
using System.Text;
using Hall.Server.Contracts;
using Hall.Server.Data;
using Hall.Server.Queue;
using Hall.Server.Security;
using Hall.Server.Staff;
using Microsoft.EntityFrameworkCore;

namespace Hall.Server.Web;

/// <summary>
/// The first clerk page: plain HTML forms, no script needed. Every form carries a fresh command id, so a double
/// click or a resubmitted form is applied once. The full console (issue 5) replaces it.
/// </summary>
public static class ClerkPage
{
    public static void MapClerkPage(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/clerk"));
        app.MapGet("/login", (string? error) => Html(Layout("登录 · Hall", $"""
            <h1>窗口工作人员登录</h1>
            {(error is null ? "" : $"<p class=err>{E(error)}</p>")}
            <form method=post action=/login>
              <label>用户名 <input name=login autofocus autocomplete=username></label>
              <label>密码 <input name=password type=password autocomplete=current-password></label>
              <button>登录</button>
            </form>
            """)));
        app.MapPost("/login", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            var result = await login.LoginAsync(new LoginRequest(form["login"].ToString(), form["password"].ToString()), ct);
            if (result is null)
            {
                return Results.Redirect("/login?error=" + Uri.EscapeDataString("用户名或密码错误 / Wrong login or password"));
            }
            http.Response.Cookies.Append(HallAuth.Cookie, result.Token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Expires = result.ExpiresAt });
            return Results.Redirect("/clerk");
        });
        app.MapPost("/logout", async (HttpContext http, StaffLogin login, CancellationToken ct) =>
        {
            await login.LogoutAsync(http.Request.Cookies[HallAuth.Cookie], ct);
            http.Response.Cookies.Delete(HallAuth.Cookie);
            return Results.Redirect("/login");
        });

        var clerk = app.MapGroup("/clerk").RequireAuthorization(p => p.AddAuthenticationSchemes(HallAuth.SchemeName).RequireRole("Clerk", "Supervisor", "Admin"));
        clerk.MapGet("", async (HttpContext http, IDbContextFactory<HallDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            await using var db = await dbs.CreateDbContextAsync(ct);
            var windows = await HallStateReader.WindowsAsync(db, actor.HallId, null, ct);
            var rows = string.Concat(windows.Select(w =>
                $"<tr><td><a href=/clerk/{w.WindowId}>{w.Number} 号 {E(w.Name)}</a></td><td>{StatusText(w.Status)}</td><td>{E(w.StaffName ?? "")}</td><td>{E(w.CurrentTicketNumber ?? "")}</td></tr>"));
            return Html(Layout("选择窗口", $"""
                {Header(actor)}
                <h1>请选择窗口</h1>
                <table><tr><th>窗口</th><th>状态</th><th>工作人员</th><th>当前号</th></tr>{rows}</table>
                """));
        });
        clerk.MapGet("/{windowId:int}", async (int windowId, string? msg, HttpContext http, IDbContextFactory<HallDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            await using var db = await dbs.CreateDbContextAsync(ct);
            var hall = await db.Halls.AsNoTracking().Include(h => h.Calendar).FirstAsync(h => h.Id == actor.HallId, ct);
            var w = (await HallStateReader.WindowsAsync(db, actor.HallId, [windowId], ct)).FirstOrDefault();
            if (w is null)
            {
                return Results.NotFound();
            }
            var mine = await db.WindowServices.Where(s => s.WindowId == windowId).OrderBy(s => s.Rank).Select(s => s.ServiceId).ToListAsync(ct);
            var services = await HallStateReader.ServicesAsync(db, hall, null, clock.GetUtcNow(), ct);
            var allWindows = await db.Windows.AsNoTracking().Where(x => x.HallId == actor.HallId && x.Id != windowId).OrderBy(x => x.Number).ToListAsync(ct);
            var queue = string.Concat(services.Where(s => mine.Contains(s.ServiceId)).Select(s => $"<li>{E(s.Name)}：等候 <b>{s.Waiting}</b> 人</li>"));
            var t = w.CurrentTicketId;
            string Button(string action, string label, string key, string extra = "") =>
                $"<form method=post action=/clerk/{windowId}/{action}><input type=hidden name=commandId value={Guid.NewGuid()}>{(t is null ? "" : $"<input type=hidden name=ticketId value={t}>")}{extra}<button accesskey={key}>{label} <kbd>Alt+{key.ToUpperInvariant()}</kbd></button></form>";
            var actions = new StringBuilder();
            switch (w.Status)
            {
                case WindowStatus.Closed:
                    actions.Append(Button("open", "开启窗口（签到）", "o"));
                    break;
                case WindowStatus.Paused:
                    actions.Append(Button("resume", "恢复", "r")).Append(Button("close", "关闭窗口（签退）", "x"));
                    break;
                case WindowStatus.Open when t is null:
                    actions.Append(Button("call-next", "叫下一位", "n"));
                    actions.Append(Button("pause", "暂停", "p", Select("reason", hall.PauseReasons.Select(r => (r, r)))));
                    actions.Append(Button("close", "关闭窗口（签退）", "x"));
                    break;
                case WindowStatus.Open when w.CurrentTicketState == TicketState.Called:
                    actions.Append(Button("start", "开始办理", "s")).Append(Button("recall", "重呼", "r")).Append(Button("no-show", "过号", "g"));
                    actions.Append(Button("call-next", "叫下一位", "n"));
                    actions.Append(TransferForms(windowId, t!.Value, services, allWindows.Select(x => (x.Id, $"{x.Number} 号 {x.Name}"))));
                    break;
                case WindowStatus.Open:
                    actions.Append(Button("finish", "办结", "f", Select("outcome", hall.Outcomes.Select(o => (o, o)))));
                    actions.Append(TransferForms(windowId, t!.Value, services, allWindows.Select(x => (x.Id, $"{x.Number} 号 {x.Name}"))));
                    break;
            }
            return Html(Layout($"{w.Number} 号窗口", $"""
                {Header(actor)}
                <p><a href=/clerk>← 全部窗口</a></p>
                <h1>{w.Number} 号 {E(w.Name)} <small>{StatusText(w.Status)}{(w.PauseReason is null ? "" : "：" + E(w.PauseReason))}</small></h1>
                {(msg is null ? "" : $"<p class=msg role=status>{E(msg)}</p>")}
                <section class=current><h2>当前号码</h2><p class=number>{E(w.CurrentTicketNumber ?? "—")}</p><p>{(w.CurrentTicketState is { } st ? StateText(st) : "")}</p></section>
                <section class=actions>{actions}</section>
                <section><h2>等候</h2><ul>{queue}</ul></section>
                """, refreshSeconds: 10));
        });
        clerk.MapPost("/{windowId:int}/{action}", async (int windowId, string action, HttpContext http, QueueService queue, CancellationToken ct) =>
        {
            var actor = HallAuth.ActorOf(http.User);
            var form = await http.Request.ReadFormAsync(ct);
            var id = Guid.TryParse(form["commandId"], out var g) ? g : Guid.Empty;
            long.TryParse(form["ticketId"], NumberStyles.None, CultureInfo.InvariantCulture, out var ticket);
            int? Int(string name) => int.TryParse(form[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
            HallError? error = action switch
            {
                "open" => (await queue.OpenWindowAsync(actor, new WindowCommand(id, windowId), ct)).Error,
                "pause" => (await queue.PauseWindowAsync(actor, new PauseWindowCommand(id, windowId, form["reason"].ToString()), ct)).Error,
                "resume" => (await queue.ResumeWindowAsync(actor, new WindowCommand(id, windowId), ct)).Error,
                "close" => (await queue.CloseWindowAsync(actor, new WindowCommand(id, windowId), ct)).Error,
                "call-next" => (await queue.CallNextAsync(actor, new WindowCommand(id, windowId), ct)).Error,
                "recall" => (await queue.RecallAsync(actor, new TicketCommand(id, windowId, ticket), ct)).Error,
                "no-show" => (await queue.NoShowAsync(actor, new TicketCommand(id, windowId, ticket), ct)).Error,
                "start" => (await queue.StartServiceAsync(actor, new TicketCommand(id, windowId, ticket), ct)).Error,
                "finish" => (await queue.FinishAsync(actor, new FinishCommand(id, windowId, ticket, form["outcome"].ToString(), null), ct)).Error,
                "transfer" => (await queue.TransferAsync(actor, new TransferCommand(id, windowId, ticket, Int("toServiceId"), Int("toWindowId")), ct)).Error,
                _ => Refusal.InvalidCommand.ToError(),
            };
            var msg = error is null ? "已完成 / Done" : $"{error.MessageZh} / {error.MessageEn}";
            return Results.Redirect($"/clerk/{windowId}?msg={Uri.EscapeDataString(msg)}");
        });
    }

    private static string TransferForms(int windowId, long ticketId, IEnumerable<ServiceStateMessage> services, IEnumerable<(int Id, string Name)> windows) =>
        $"""
        <form method=post action=/clerk/{windowId}/transfer><input type=hidden name=commandId value={Guid.NewGuid()}><input type=hidden name=ticketId value={ticketId}>{Select("toServiceId", services.Select(s => (s.ServiceId.ToString(CultureInfo.InvariantCulture), s.Name)))}<button accesskey=t>转移到业务 <kbd>Alt+T</kbd></button></form>
        <form method=post action=/clerk/{windowId}/transfer><input type=hidden name=commandId value={Guid.NewGuid()}><input type=hidden name=ticketId value={ticketId}>{Select("toWindowId", windows.Select(w => (w.Id.ToString(CultureInfo.InvariantCulture), w.Name)))}<button accesskey=w>转移到窗口 <kbd>Alt+W</kbd></button></form>
        """;

    private static string Select(string name, IEnumerable<(string Value, string Text)> options) =>
        $"<select name={name}>{string.Concat(options.Select(o => $"<option value=\"{E(o.Value)}\">{E(o.Text)}</option>"))}</select>";

    private static string Header(Actor actor) =>
        $"<header>{E(actor.Name)} <form method=post action=/logout class=inline><button>退出</button></form></header>";

    internal static string StatusText(WindowStatus s) => s switch
    {
        WindowStatus.Open => "已开启",
        WindowStatus.Paused => "暂停",
        WindowStatus.Closed => "未开启",
    };

    internal static string StateText(TicketState s) => s switch
    {
        TicketState.Waiting => "等候中",
        TicketState.Called => "已呼叫，等待到窗口",
        TicketState.Serving => "办理中",
        TicketState.Finished => "已办结",
        TicketState.NoShow => "过号",
        TicketState.Cancelled => "已取消",
        TicketState.Voided => "已作废",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static string Layout(string title, string body, int? refreshSeconds = null) => $$"""
        <!doctype html>
        <html lang=zh-CN><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1">
        {{(refreshSeconds is { } r ? $"<meta http-equiv=refresh content={{r}}>" : "")}}
        <title>{{E(title)}}</title>
        <style>
          body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; font-size: 18px; margin: 1.5rem; }
          form { display: inline-block; margin: .3rem; } form.inline { margin: 0; }
          button { font-size: 1.1rem; padding: .6rem 1rem; } kbd { font-size: .7rem; color: #555; }
          .number { font-size: 4rem; font-weight: bold; margin: .2rem 0; }
          .msg { background: #eef6ee; padding: .5rem; } .err { color: #b00; }
          table td, table th { padding: .3rem .8rem; text-align: left; } label { display: block; margin: .5rem 0; }
        </style></head>
        <body>{{body}}</body></html>
        """;
}
