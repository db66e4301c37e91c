using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Hall.Server.Data;

/// <summary>For <c>dotnet ef</c>: builds the model without starting a database.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<HallDb>
{
    public HallDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<HallDb>().UseNpgsql("Host=127.0.0.1;Database=hall").UseSnakeCaseNamingConvention().Options);
}
