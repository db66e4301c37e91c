using Hall.Server.Admin;
using Hall.Server.Contracts;
using Hall.Server.Queue;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hall.Tests.Server;

/// <summary>Township service centres are added by the county hall's admin only; a township centre's own admin runs just their centre.</summary>
[TestFixture]
public sealed class TownshipSiteTests() : HallFixture("township")
{
    private AdminStore Store => App.Services.GetRequiredService<AdminStore>();

    private async Task<Actor> AdminOfAsync(int hallId)
    {
        await using var db = App.Db();
        var admin = await db.Staff.AsNoTracking().FirstAsync(s => s.HallId == hallId && s.Role == StaffRole.Admin && s.Active);
        return new Actor(ActorKind.Staff, admin.Id, admin.HallId, admin.Name, admin.Role, null, null);
    }

    /// <summary>A township centre made by the county admin, with an admin account of its own.</summary>
    private async Task<Actor> TownshipAdminAsync(string code)
    {
        var county = await AdminOfAsync(Seeded.HallId);
        Assert.That(await Store.CreateSiteAsync(county, code, "陡山河乡便民服务中心", CancellationToken.None), Is.Null);
        int site;
        await using (var db = App.Db())
        {
            site = await db.Halls.Where(h => h.Code == code).Select(h => h.Id).SingleAsync();
        }
        var acting = await Store.ActingForAsync(county, site, CancellationToken.None);
        Assert.That(acting, Is.Not.Null, "the county admin acts for the new site");
        var (password, refusal) = await Store.CreateStaffAsync(acting!, code + "-admin", "乡镇管理员", StaffRole.Admin, CancellationToken.None);
        Assert.That(refusal, Is.Null);
        Assert.That(password, Is.Not.Null);
        return await AdminOfAsync(site);
    }

    [Test]
    public async Task A_township_admin_cannot_add_a_site_and_nothing_changes()
    {
        var township = await TownshipAdminAsync("doushanhe");
        var before = await TableDump.AllAsync(App.ConnectionString);

        var refusal = await Store.CreateSiteAsync(township, "sibling", "另一个乡便民服务中心", CancellationToken.None);

        Assert.That(refusal?.Code, Is.EqualTo("county_admin_only"));
        Assert.That(refusal!.MessageZh, Does.Contain("县级").And.Contain("乡镇站点"));
        Assert.That(refusal.MessageEn, Does.Contain("Only an admin of the county hall"));
        Assert.That(await TableDump.AllAsync(App.ConnectionString), Is.EqualTo(before), "no hall, no audit entry");
        await using var db = App.Db();
        Assert.That(await db.Halls.AnyAsync(h => h.Code == "sibling"), Is.False);
    }

    [Test]
    public async Task The_county_admin_still_adds_sites_and_they_hang_under_the_county()
    {
        var county = await AdminOfAsync(Seeded.HallId);
        Assert.That(await Store.CreateSiteAsync(county, "zhaihe", "寨河镇便民服务中心", CancellationToken.None), Is.Null);
        await using var db = App.Db();
        Assert.That(await db.Halls.Where(h => h.Code == "zhaihe").Select(h => h.ParentId).SingleAsync(), Is.EqualTo(Seeded.HallId));
    }
}
