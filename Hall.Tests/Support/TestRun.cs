using Hall.Tests.Support;

namespace Hall.Tests;

/// <summary>Stops the run's PostgreSQL cluster when every test is done.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public Task StopClusterAsync() => PostgresCluster.StopAsync();
}
