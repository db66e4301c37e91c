using System.Text;
using Hall.Server.Contracts;
using Hall.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Hall.Tests.Server;

/// <summary>The demo hall is what people first see of Hall: its staff must look like a county hall's staff.</summary>
[TestFixture]
public sealed class DemoHallTests
{
    [Test]
    public async Task Every_demo_staff_name_is_a_distinct_name_in_common_characters()
    {
        await using var app = await HallApp.StartAsync("demo-names");
        await using var hall = await SeededHall.CreateAsync(app);
        await using var db = app.Db();
        var clerks = await db.Staff.AsNoTracking().Where(s => s.HallId == hall.HallId && s.Role == StaffRole.Clerk).Select(s => s.Name).ToListAsync();

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb2312 = Encoding.GetEncoding("GB2312", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        // Level 1 of GB 2312 (lead bytes 0xB0–0xD7): the 3,755 common characters every name on a staff list is written in.
        static bool Common(Encoding gb, char c)
        {
            try
            {
                var bytes = gb.GetBytes([c]);
                return bytes.Length == 2 && bytes[0] is >= 0xB0 and <= 0xD7;
            }
            catch (EncoderFallbackException)
            {
                return false;
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(clerks, Has.Count.EqualTo(15));
            Assert.That(clerks, Is.Unique);
            foreach (var name in clerks)
            {
                Assert.That(name.Length, Is.InRange(2, 3), name);
                Assert.That(name.Where(c => !Common(gb2312, c)), Is.Empty, $"{name}: characters outside the common set");
            }
        });
    }
}
