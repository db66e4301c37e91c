namespace Hall.Tests.Support;

/// <summary>A fixture with its own server, database and seeded demo hall, started once for its tests.</summary>
public abstract class HallFixture(string purpose)
{
    protected HallApp App { get; private set; } = null!;

    protected SeededHall Seeded { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartHallAsync()
    {
        App = await HallApp.StartAsync(purpose);
        Seeded = await SeededHall.CreateAsync(App);
    }

    [OneTimeTearDown]
    public async Task StopHallAsync()
    {
        await Seeded.DisposeAsync();
        await App.DisposeAsync();
    }
}
